/**
 * Write the student edition of the course:
 *
 *   deno task release [--out DIR] [NOTEBOOK...]
 *
 * DIR (default `out/student-edition/`) receives a complete course that a
 * student can run: the lessons with every exercise cell's solution between
 * `// BEGIN SOLUTION` and `// END SOLUTION` replaced by a stub that throws
 * "not implemented yet: <id>" and all outputs cleared (`notebooks/`), the
 * library without the instructor's hidden tests and reference answers
 * (`lib/`, minus `lib/exercise/hidden/`), the data, `deno.json` (student
 * tasks only), `deno.lock`, `garden`, the Jupyter kernelspec, the notebook
 * runner, and a student README. Releasing twice gives byte-identical files.
 *
 * DIR is compared by its real path (symbolic links resolved) with the
 * course's own folders and refused when they overlap; an existing DIR must
 * be empty or an earlier edition (it holds `.memgarden-student-edition`),
 * which is replaced. Nothing is written when any notebook fails to release.
 * Exit status: 0 on success, 1 when a notebook cannot be released, 2 on a
 * usage error.
 *
 * @module
 */
import { releaseNotebook } from "memgarden";
import { basename, dirname, join, relative, resolve } from "node:path";

const REPO = resolve(new URL("..", import.meta.url).pathname);
const MARKER = ".memgarden-student-edition";
/** Folders copied whole into the edition (relative to the repo), and what is left out of them. */
const COPIED = ["lib", "data", ".jupyter"];
const LEFT_OUT = new Set(["lib/exercise/hidden"]);
/** Single files copied as they are. */
const FILES = ["deno.lock", "garden", "tools/nbrun.py", "tools/jupyter_config.py"];
/** The `deno task`s a student edition keeps (their files ship with it). */
const STUDENT_TASKS = ["lab", "nb", "sim", "probe"];

/** A usage error (bad flags or paths): exit status 2. */
export class UsageError extends Error {}
/** `-h`/`--help`: the usage is the output (stdout, exit status 0). */
class HelpRequested extends Error {}

const USAGE_LINE = "Usage: deno task release [--out DIR] [NOTEBOOK...]";
const USAGE = `${USAGE_LINE}
Writes the student edition (solutions stubbed, no hidden tests) to DIR
(default out/student-edition/), from every lesson or the NOTEBOOKs given.`;

/** The lesson notebooks of the repository, sorted. */
export function lessonNotebooks(): string[] {
  return [...Deno.readDirSync(`${REPO}/notebooks`)]
    .map((e) => e.name)
    .filter((n) => /^\d\d-.*\.ipynb$/.test(n))
    .sort()
    .map((n) => `${REPO}/notebooks/${n}`);
}

/**
 * A path's real location: the real path of its nearest existing ancestor,
 * with the rest appended.
 */
function realLocation(path: string): string {
  const rest: string[] = [];
  let p = resolve(path);
  for (;;) {
    try {
      return join(Deno.realPathSync(p), ...rest.reverse());
    } catch {
      const up = dirname(p);
      if (up === p) return join(p, ...rest.reverse());
      rest.push(basename(p));
      p = up;
    }
  }
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(b + "/") || b.startsWith(a + "/");
}

/** Refuse an output folder that overlaps the course's own folders (by real path). */
function checkOut(outDir: string): string {
  const real = realLocation(outDir);
  if (real === realLocation(REPO) || REPO.startsWith(real + "/")) {
    throw new UsageError(
      `Cannot release: --out must not be the course's folder or hold it: received ${outDir}`,
    );
  }
  for (const source of ["notebooks", "lib", "data", "tools", "tests", ".git", ".jupyter"]) {
    if (overlaps(real, realLocation(`${REPO}/${source}`))) {
      throw new UsageError(
        `Cannot release: --out must not overlap the course's ${source}/ folder (real path ${real}): received ${outDir}`,
      );
    }
  }
  return real;
}

/**
 * Release notebooks into a folder (the lessons only; see {@linkcode writeStudentEdition}).
 *
 * @param paths The source notebooks.
 * @param outDir Where the student copies go (never inside the course's folders).
 * @returns The paths written.
 */
export async function releaseNotebooks(paths: string[], outDir: string): Promise<string[]> {
  const out = checkOut(outDir);
  const released: [string, string][] = [];
  for (const path of paths) {
    const text = await Deno.readTextFile(path).catch((err) => {
      throw new UsageError(`Cannot release ${path}: ${(err as Error).message}`);
    });
    released.push([`${out}/${basename(path)}`, releaseNotebook(text, basename(path))]);
  }
  await Deno.mkdir(out, { recursive: true });
  for (const [target, text] of released) await Deno.writeTextFile(target, text);
  return released.map(([t]) => t);
}

/** Every regular file under a folder, relative to the repo, sorted; symbolic links skipped. */
function filesUnder(rel: string): string[] {
  const found: string[] = [];
  const walk = (r: string) => {
    if (LEFT_OUT.has(r)) return;
    const entries = [...Deno.readDirSync(`${REPO}/${r}`)].sort((a, b) => a.name < b.name ? -1 : 1);
    for (const e of entries) {
      const child = `${r}/${e.name}`;
      if (e.isDirectory) walk(child);
      else if (e.isFile) found.push(child);
    }
  };
  walk(rel);
  return found;
}

/** The student README: how to start, what is in the edition, and what is not. */
function studentReadme(lessons: string[]): string {
  return [
    "# Memory Garden (student edition)",
    "",
    "Runnable lessons about how memory really works: exact simulations and real measurements of",
    "the machine they run on, side by side, with exercises that check themselves.",
    "",
    "## Start",
    "",
    "On Debian or Ubuntu with Node.js 20 or newer, from this folder:",
    "",
    "```sh",
    "./garden lab    # installs Deno and Jupyter if missing, then opens the lessons",
    "```",
    "",
    "## The lessons",
    "",
    ...lessons.map((l) => `- \`notebooks/${l}\``),
    "",
    "## Exercises",
    "",
    'Each exercise is a code cell with a stub that throws "not implemented yet". Write your answer',
    "there (keep the function's name and the cell's tag), then run the check cell below it: it runs",
    "the exercise's visible tests and shows which pass. Your grade comes from your instructor's",
    "grader, which runs more tests than the visible ones, in a sandbox. This edition holds no",
    "solutions and none of those tests.",
    "",
    'Practice questions: `practice("<id>", { seed: 7 })` in a lesson shows one; add',
    "`answers: true` to see its answers.",
    "",
  ].join("\n");
}

/** `deno.json` for students: the same imports and settings, only the tasks whose files ship. */
function studentDenoJson(): string {
  const config = JSON.parse(Deno.readTextFileSync(`${REPO}/deno.json`));
  const tasks = config.tasks ?? {};
  config.tasks = Object.fromEntries(
    STUDENT_TASKS.filter((t) => t in tasks).map((t) => [t, tasks[t]]),
  );
  return JSON.stringify(config, null, 2) + "\n";
}

/**
 * Write a complete student edition: released lessons, the library without
 * hidden tests, data, configuration and a student README.
 *
 * @param outDir The edition's folder (empty, new, or an earlier edition).
 * @param notebooks The source lessons (default: every `notebooks/NN-*.ipynb`).
 * @returns The files written, relative to `outDir`.
 */
export async function writeStudentEdition(
  outDir: string,
  notebooks: string[] = lessonNotebooks(),
): Promise<string[]> {
  const out = checkOut(outDir);
  const existing = (() => {
    try {
      return [...Deno.readDirSync(out)].map((e) => e.name);
    } catch {
      return null;
    }
  })();
  if (existing && existing.length > 0 && !existing.includes(MARKER)) {
    throw new UsageError(
      `Cannot release: --out must be a new or empty folder, or an earlier student edition: ${outDir} holds other files`,
    );
  }
  const files = new Map<string, Uint8Array | string>();
  for (const path of notebooks) {
    const text = await Deno.readTextFile(path).catch((err) => {
      throw new UsageError(`Cannot release ${path}: ${(err as Error).message}`);
    });
    files.set(`notebooks/${basename(path)}`, releaseNotebook(text, basename(path)));
  }
  for (const dir of COPIED) {
    for (const rel of filesUnder(dir)) files.set(rel, Deno.readFileSync(`${REPO}/${rel}`));
  }
  for (const rel of FILES) files.set(rel, Deno.readFileSync(`${REPO}/${rel}`));
  files.set("deno.json", studentDenoJson());
  files.set("README.md", studentReadme(notebooks.map((p) => basename(p))));
  files.set(MARKER, "A student edition of Memory Garden, written by `deno task release`.\n");
  if (existing) await Deno.remove(out, { recursive: true });
  for (const [rel, data] of [...files].sort(([a], [b]) => a < b ? -1 : 1)) {
    const target = join(out, rel);
    if (!target.startsWith(out + "/")) throw new Error(`Cannot release: ${rel} is outside ${out}`);
    await Deno.mkdir(dirname(target), { recursive: true });
    if (typeof data === "string") await Deno.writeTextFile(target, data);
    else await Deno.writeFile(target, data);
  }
  await Deno.chmod(join(out, "garden"), 0o755);
  return [...files.keys()].sort();
}

/** Where the user ran the command: `deno task` runs in the repo, but keeps the caller's folder in INIT_CWD. */
function fromCaller(path: string): string {
  return resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), path);
}

function parseArgs(args: string[]): { out: string; paths: string[] } {
  let out = `${REPO}/out/student-edition`;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--out") {
      const v = args[++i];
      if (!v || v.startsWith("-")) {
        throw new UsageError(
          `Cannot release: --out needs a folder: received ${
            v === undefined ? "nothing" : JSON.stringify(v)
          }\n${USAGE_LINE}`,
        );
      }
      out = fromCaller(v);
    } else if (a === "-h" || a === "--help") {
      throw new HelpRequested(USAGE);
    } else if (a.startsWith("-")) {
      throw new UsageError(
        `Cannot release: unknown flag: received ${JSON.stringify(a)}\n${USAGE_LINE}`,
      );
    } else {
      paths.push(fromCaller(a));
    }
  }
  return { out, paths: paths.length ? paths : lessonNotebooks() };
}

if (import.meta.main) {
  try {
    const { out, paths } = parseArgs(Deno.args);
    const written = await writeStudentEdition(out, paths);
    console.log(
      `wrote the student edition to ${relative(Deno.cwd(), out) || out}: ${
        written.filter((f) => f.startsWith("notebooks/")).length
      } lessons, ${written.length} files, no solutions and no hidden tests`,
    );
  } catch (err) {
    if (err instanceof HelpRequested) {
      console.log(err.message);
      Deno.exit(0);
    }
    console.error((err as Error).message);
    Deno.exit(err instanceof UsageError ? 2 : 1);
  }
}
