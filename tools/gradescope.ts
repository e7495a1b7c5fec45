/**
 * Gradescope autograder bundle for one lesson:
 *
 *   deno task gradescope --lesson NN [--out FILE.zip]
 *                        [--hidden-visibility after_published|after_due_date|hidden|visible]
 *                        [--allow-unsafe]
 *
 * The zip (default `out/gradescope/<lesson>-autograder.zip`) holds what
 * Gradescope asks for at its root, `setup.sh` and `run_autograder`, and
 * `course/`: the student edition's library, data and configuration (written
 * by `tools/release.ts`, so no lesson solution is in it), the instructor's
 * hidden tests (`lib/exercise/hidden/`, which Gradescope never shows a
 * student), the sandboxed grader (`tools/grade.ts`), this file, and
 * `course/gradescope.json` (the lesson and the settings).
 *
 * `setup.sh` runs once when Gradescope builds the image (Ubuntu, as root):
 * bubblewrap and prlimit from apt, Node's npm from apt only to fetch Deno
 * from npm (the npm package carries Deno's own binary, so Ubuntu's older
 * Node is enough), and the locked npm packages into Deno's cache.
 * `run_autograder` runs once per submission: it grades the notebook in
 * `/autograder/submission/` with `tools/grade.ts` in its bubblewrap sandbox
 * and writes `/autograder/results/results.json` in Gradescope's format
 * (scores never above the maximum; each hidden test with the chosen
 * visibility, each visible test "visible"). Both scripts take the
 * `/autograder` folder from `AUTOGRADER_ROOT` when it is set, so a test can
 * lay out a temporary folder the same way.
 *
 * Internal: `tools/gradescope.ts --run ROOT` is what `run_autograder` calls.
 *
 * Exit status: 0 when the zip (or the results file) was written, 1 on an
 * unexpected failure, 2 on a usage error.
 *
 * @module
 */
import { getExercise, listExercises, type SubmissionGrade } from "memgarden";
import { strToU8, type Zippable, zipSync } from "fflate";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import {
  collectSubmissions,
  gradeSubmissions,
  HelpRequested,
  overlaps,
  realLocation,
  UNSAFE_WARNING,
  UsageError,
} from "./grade.ts";

const REPO = resolve(new URL("..", import.meta.url).pathname);
/** The Deno version the bundle installs (the one `./garden setup` installs). */
export const DENO_VERSION = "2.9.6";
/** Gradescope's visibility values for a test or a whole result. */
export const VISIBILITIES = ["hidden", "after_due_date", "after_published", "visible"] as const;
/** One of Gradescope's visibility values. */
export type Visibility = typeof VISIBILITIES[number];

/** The bundle's settings, stored as `course/gradescope.json`. */
export const BundleConfig = z.object({
  lesson: z.string().regex(/^\d\d-[a-z0-9-]+$/, "lesson must be a name like 00-welcome"),
  hiddenVisibility: z.enum(VISIBILITIES),
  allowUnsafe: z.boolean(),
  denoVersion: z.string(),
});
/** The bundle's settings. */
export type BundleConfig = z.infer<typeof BundleConfig>;

/** One test in Gradescope's `results.json`. */
export interface GradescopeTest {
  /** The exercise id and the test's name. */
  name: string;
  /** Points earned, from 0 to `max_score`. */
  score: number;
  /** Points available. */
  max_score: number;
  /** "passed" or "failed". */
  status: string;
  /** The grader's feedback. */
  output: string;
  /** Who sees this test, and when. */
  visibility: Visibility;
}

/** Gradescope's `results.json`. */
export interface GradescopeResults {
  /** The total, never above `max_score`. */
  score: number;
  /** The total available. */
  max_score: number;
  /** The grader's message about the whole submission (or ""). */
  output: string;
  /** Visibility of the whole result (individual tests may be more hidden). */
  visibility: Visibility;
  /** The autograder's own output is for the instructor only. */
  stdout_visibility: Visibility;
  /** One entry per test. */
  tests: GradescopeTest[];
}

/**
 * Resolve `--lesson`: a number like `00` or a full name like `00-welcome`,
 * among the lessons that have exercises.
 *
 * @param value The flag's value.
 * @returns The lesson's full name; throws a {@linkcode UsageError} naming the choices.
 *
 * @example By number or by name
 * ```ts
 * import { resolveLesson } from "./gradescope.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resolveLesson("00"), "00-welcome");
 * assert.equal(resolveLesson("00-welcome"), "00-welcome");
 * assert.throws(() => resolveLesson("99"), /--lesson must be/);
 * ```
 */
export function resolveLesson(value: string | undefined): string {
  const lessons = [...new Set(listExercises().map((e) => e.lesson))].sort();
  const found = lessons.filter((l) =>
    value !== undefined && (l === value || l.slice(0, 2) === value)
  );
  if (found.length !== 1) {
    throw new UsageError(
      `Cannot build the autograder: --lesson must be a lesson with exercises, by number or name (${
        lessons.join(", ")
      }): received ${value ?? "nothing"}`,
    );
  }
  return found[0];
}

/**
 * Gradescope's `results.json` for one graded submission: each test's score
 * clamped to [0, its maximum], the total the sum of those and never above
 * the maximum, the exercise's visible tests (those students have in the
 * notebook) "visible" and every other (hidden) test `hiddenVisibility`.
 *
 * @param grade The submission's grade from the grader.
 * @param hiddenVisibility Visibility of the hidden tests.
 * @param warning A message said first in the output (the UNSAFE warning), or "".
 * @returns The results object.
 *
 * @example A hidden test is kept hidden until grades are published
 * ```ts
 * import { gradescopeFor } from "./gradescope.ts";
 * import assert from "node:assert/strict";
 *
 * const r = gradescopeFor({
 *   name: "a.ipynb", path: "a.ipynb", sha256: "", score: 7, maxScore: 2, message: "",
 *   exercises: [{ id: "welcome-page-count", title: "", score: 7, maxScore: 2, message: "", tests: [
 *     { name: "secret edge cases", passed: true, message: "", points: 6, maxPoints: 1 },
 *     { name: "x", passed: false, message: "expected 2", points: 0, maxPoints: 1 },
 *   ] }],
 * }, "after_published", "");
 * assert.equal(r.score, 1);
 * assert.equal(r.tests[0].score, 1);
 * assert.equal(r.tests[0].visibility, "after_published");
 * ```
 */
export function gradescopeFor(
  grade: SubmissionGrade,
  hiddenVisibility: Visibility,
  warning: string,
): GradescopeResults {
  const visible = new Set<string>();
  for (const e of grade.exercises) {
    try {
      for (const t of getExercise(e.id).tests) {
        visible.add(`${e.id}: ${t.name}`);
      }
    } catch {
      // an exercise the bank does not know: all its tests stay hidden
    }
  }
  // Points are kept exact (a third of a point stays a third) and clamped to [0, max]; the
  // total is their sum, rounded to hundredths, and never above the maximum.
  const finite = (n: number) => Number.isFinite(n) ? n : 0;
  const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
  const raw = grade.exercises.flatMap((e) =>
    e.tests.map((t) => {
      const max = Math.max(finite(t.maxPoints), 0);
      return { e, t, max, points: Math.min(Math.max(finite(t.points), 0), max) };
    })
  );
  const tests = raw.map(({ e, t, max, points }): GradescopeTest => ({
    name: `${e.id}: ${t.name}`,
    score: round(points, 4),
    max_score: round(max, 4),
    status: t.passed && points === max ? "passed" : "failed",
    output: t.message,
    visibility: visible.has(`${e.id}: ${t.name}`) ? "visible" : hiddenVisibility,
  }));
  const maxScore = round(raw.reduce((s, r) => s + r.max, 0), 2);
  const score = Math.min(round(raw.reduce((s, r) => s + r.points, 0), 2), maxScore);
  const notes = grade.exercises.filter((e) => e.message).map((e) => `${e.id}: ${e.message}`);
  const output = [
    warning,
    grade.message.includes(warning) ? grade.message.replace(warning, "").trim() : grade.message,
    ...notes,
  ]
    .filter(Boolean).join("\n");
  return {
    score,
    max_score: maxScore,
    output,
    visibility: "visible",
    stdout_visibility: "hidden",
    tests,
  };
}

/** A results file that scores 0 and says why (no notebook, no sandbox). */
function failedResults(lesson: string, output: string): GradescopeResults {
  const max = listExercises(lesson).reduce((s, e) => s + e.points, 0);
  return {
    score: 0,
    max_score: max,
    output,
    visibility: "visible",
    stdout_visibility: "hidden",
    tests: [],
  };
}

/**
 * Grade a Gradescope submission: the one `.ipynb` in `ROOT/submission` (or,
 * among several, the one named after the lesson), in the sandbox, and write
 * `ROOT/results/results.json`. Without a sandbox it scores 0 and says why,
 * unless the bundle was built with `--allow-unsafe`.
 *
 * @param root The `/autograder` folder.
 * @param options The grader's bubblewrap binary (tests only).
 * @returns The results written.
 */
export async function runAutograder(
  root: string,
  options: { bwrap?: string } = {},
): Promise<GradescopeResults> {
  const course = join(root, "source", "course");
  const parsed = BundleConfig.safeParse(
    JSON.parse(await Deno.readTextFile(join(course, "gradescope.json"))),
  );
  if (!parsed.success) {
    throw new Error(`Cannot grade: ${course}/gradescope.json: ${parsed.error.issues[0].message}`);
  }
  const config = parsed.data;
  const results = await (async (): Promise<GradescopeResults> => {
    const submissionDir = join(root, "submission");
    const found = await collectSubmissions([submissionDir]).catch(() => []);
    const named = found.filter((f) => basename(f.path) === `${config.lesson}.ipynb`);
    const chosen = found.length === 1 ? found : named.length === 1 ? named : [];
    if (chosen.length === 0) {
      return failedResults(
        config.lesson,
        found.length === 0
          ? `No notebook found: submit your ${config.lesson}.ipynb (a .ipynb file).`
          : `Several notebooks were submitted (${
            found.map((f) => f.name).join(", ")
          }): submit only ${config.lesson}.ipynb, or name the one to grade ${config.lesson}.ipynb.`,
      );
    }
    const grade = async (unsafe: boolean) =>
      await gradeSubmissions(chosen, {
        lessons: [config.lesson],
        unsafe,
        ...(options.bwrap ? { bwrap: options.bwrap } : {}),
      });
    let run;
    try {
      run = await grade(false);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      if (!config.allowUnsafe) {
        console.error(err.message);
        return failedResults(
          config.lesson,
          `Not graded: the autograder could not start its sandbox on this machine, and grading without one is switched off. Your instructor can see why in the autograder's output. (${err.message})`,
        );
      }
      run = await grade(true);
    }
    return gradescopeFor(run.grades[0], config.hiddenVisibility, run.warning);
  })();
  await Deno.mkdir(join(root, "results"), { recursive: true });
  await Deno.writeTextFile(
    join(root, "results", "results.json"),
    JSON.stringify(results, null, 2) + "\n",
  );
  return results;
}

/** `setup.sh`: run once, as root, when Gradescope builds the autograder's image. */
function setupScript(): string {
  return `#!/usr/bin/env bash
# Memory Garden's autograder set-up. Gradescope runs it once, as root, on its
# Ubuntu image (22.04 or 24.04) while building the autograder; it needs the
# network for apt and npm. Assumption: Gradescope's apt and the npm registry
# are reachable (NodeSource is not needed: Deno's npm package ships its own
# binary and only uses Node's npm to install it). Idempotent.
#   AUTOGRADER_ROOT  the /autograder folder (default /autograder; tests set it)
#   MEMGARDEN_DENO   an installed Deno ${DENO_VERSION} to use instead of npm's (tests set it)
set -euo pipefail
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
COURSE="$ROOT/source/course"
say() { printf '[memgarden setup] %s\\n' "$*" >&2; }

# bubblewrap is the grader's sandbox, prlimit (util-linux) caps a child's memory.
missing=()
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v prlimit >/dev/null || missing+=(util-linux)
if [ -z "\${MEMGARDEN_DENO:-}" ]; then
  command -v npm >/dev/null || missing+=(nodejs npm)
fi
if [ "\${#missing[@]}" -gt 0 ]; then
  say "apt-get install \${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends ca-certificates "\${missing[@]}"
fi

mkdir -p "$COURSE/.tools"
if [ -n "\${MEMGARDEN_DENO:-}" ]; then
  ln -sf "$MEMGARDEN_DENO" "$COURSE/.tools/deno"
elif ! "$COURSE/.tools/deno" --version 2>/dev/null | grep -q "^deno ${DENO_VERSION} "; then
  say "npm install deno@${DENO_VERSION}"
  # --ignore-scripts: Deno's install script needs a newer Node than Ubuntu's; the platform
  # package it would copy from holds the binary itself, which is used directly.
  npm install --prefix "$COURSE/.tools" --ignore-scripts --no-save --no-audit --no-fund \\
    --loglevel=error "deno@${DENO_VERSION}"
  case "$(uname -m)" in
    aarch64 | arm64) bin="$COURSE/.tools/node_modules/@deno/linux-arm64-glibc/deno" ;;
    *) bin="$COURSE/.tools/node_modules/@deno/linux-x64-glibc/deno" ;;
  esac
  [ -x "$bin" ] || { say "npm did not install Deno's binary ($bin)"; exit 1; }
  ln -sf "$bin" "$COURSE/.tools/deno"
fi
"$COURSE/.tools/deno" --version | head -n 1 >&2

say "the locked npm packages into Deno's cache"
(cd "$COURSE" && "$COURSE/.tools/deno" install --frozen --quiet)
# Load the grader and its hidden tests once, so the first submission does not pay for it.
(cd "$COURSE" && "$COURSE/.tools/deno" install --frozen --quiet --entrypoint tools/gradescope.ts lib/exercise/_child.ts)
say "ready: run_autograder grades /autograder/submission/*.ipynb"
`;
}

/** `run_autograder`: run by Gradescope, as root, once per submission. */
function runScript(): string {
  return `#!/usr/bin/env bash
# Memory Garden's autograder: grades the notebook in $ROOT/submission in the
# grader's bubblewrap sandbox and writes $ROOT/results/results.json.
#   AUTOGRADER_ROOT  the /autograder folder (default /autograder; tests set it)
set -euo pipefail
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
COURSE="$ROOT/source/course"
cd "$COURSE"
exec "$COURSE/.tools/deno" run -A --frozen --config "$COURSE/deno.json" \\
  "$COURSE/tools/gradescope.ts" --run "$ROOT"
`;
}

/** Every regular file under a folder, relative to it, sorted. */
function filesUnder(root: string, rel = ""): string[] {
  const found: string[] = [];
  const entries = [...Deno.readDirSync(join(root, rel))].sort((a, b) => a.name < b.name ? -1 : 1);
  for (const e of entries) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) found.push(...filesUnder(root, child));
    else if (e.isFile) found.push(child);
  }
  return found;
}

/** What the bundle takes from the student edition (everything else in it is for students). */
const FROM_EDITION = /^(lib\/|data\/|deno\.json$|deno\.lock$)/;
/** What the bundle takes from the instructor's repository. */
const INSTRUCTOR_FILES = ["tools/grade.ts", "tools/release.ts", "tools/gradescope.ts"];

/**
 * The autograder bundle's files, by path in the zip: the two scripts, and
 * `course/` (the student edition's library, data and configuration; the
 * hidden tests; the grader; the settings).
 *
 * @param config The lesson and settings.
 * @returns The zip's entries and their Unix modes.
 */
export async function bundleFiles(
  config: BundleConfig,
): Promise<Map<string, { data: Uint8Array; mode: number }>> {
  const files = new Map<string, { data: Uint8Array; mode: number }>();
  const tmp = await Deno.makeTempDir({ prefix: "memgarden-gradescope-" });
  try {
    const { writeStudentEdition } = await import("./release.ts");
    const edition = join(tmp, "edition");
    await writeStudentEdition(edition, [join(REPO, "notebooks", `${config.lesson}.ipynb`)]);
    for (const rel of filesUnder(edition)) {
      if (FROM_EDITION.test(rel)) {
        files.set(`course/${rel}`, { data: Deno.readFileSync(join(edition, rel)), mode: 0o644 });
      }
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  for (const rel of filesUnder(REPO, "lib/exercise/hidden")) {
    files.set(`course/${rel}`, { data: Deno.readFileSync(join(REPO, rel)), mode: 0o644 });
  }
  for (const rel of INSTRUCTOR_FILES) {
    files.set(`course/${rel}`, { data: Deno.readFileSync(join(REPO, rel)), mode: 0o644 });
  }
  files.set("course/gradescope.json", {
    data: strToU8(JSON.stringify(config, null, 2) + "\n"),
    mode: 0o644,
  });
  files.set("setup.sh", { data: strToU8(setupScript()), mode: 0o755 });
  files.set("run_autograder", { data: strToU8(runScript()), mode: 0o755 });
  return files;
}

/**
 * Write the autograder zip (entries sorted, a fixed date: building twice
 * gives the same bytes).
 *
 * @param config The lesson and settings.
 * @param outZip The zip's path (never inside the course's source folders).
 * @returns The entries written.
 */
export async function writeBundle(config: BundleConfig, outZip: string): Promise<string[]> {
  const real = realLocation(outZip);
  for (const source of ["notebooks", "lib", "tools", "tests", "data", ".git", ".jupyter"]) {
    if (overlaps(real, realLocation(`${REPO}/${source}`))) {
      throw new UsageError(
        `Cannot build the autograder: --out must not be inside the course's ${source}/ folder: received ${outZip}`,
      );
    }
  }
  const info = await Deno.stat(outZip).catch(() => null);
  if (info && !info.isFile) {
    throw new UsageError(`Cannot build the autograder: --out must be a file: ${outZip} is not`);
  }
  const files = await bundleFiles(config);
  const mtime = new Date("2020-01-01T00:00:00Z");
  const zippable: Zippable = {};
  for (const [path, { data, mode }] of [...files].sort(([a], [b]) => a < b ? -1 : 1)) {
    zippable[path] = [data, { os: 3, attrs: ((0o100000 | mode) << 16) >>> 0, mtime, level: 9 }];
  }
  await Deno.mkdir(dirname(outZip), { recursive: true });
  await Deno.writeFile(outZip, zipSync(zippable));
  return [...files.keys()].sort();
}

/** Where the user ran the command: `deno task` runs in the repo, but keeps the caller's folder in INIT_CWD. */
function fromCaller(path: string): string {
  return resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), path);
}

const USAGE =
  "Usage: deno task gradescope --lesson NN [--out FILE.zip] [--hidden-visibility after_published|after_due_date|hidden|visible] [--allow-unsafe]";

/**
 * Read and check the command line.
 *
 * @param args The arguments.
 * @returns The bundle's settings and the zip's path, or the root to grade (`--run`).
 *
 * @example A lesson by number
 * ```ts
 * import { parseGradescopeArgs } from "./gradescope.ts";
 * import assert from "node:assert/strict";
 *
 * const parsed = parseGradescopeArgs(["--lesson", "00"]);
 * assert.ok("config" in parsed && parsed.config.hiddenVisibility === "after_published");
 * assert.match(parsed.out, /00-welcome-autograder\.zip$/);
 * assert.throws(() => parseGradescopeArgs(["--lesson", "00", "--hidden-visibility", "never"]), /--hidden-visibility must be one of/);
 * ```
 */
export function parseGradescopeArgs(
  args: string[],
): { config: BundleConfig; out: string } | { run: string } {
  let lesson: string | undefined;
  let out: string | undefined;
  let hiddenVisibility: Visibility = "after_published";
  let allowUnsafe = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--run") {
      const v = args[++i];
      if (!v) throw new UsageError(`Cannot grade: --run needs the /autograder folder\n${USAGE}`);
      const bundled = (() => {
        try {
          return Deno.statSync(join(v, "source", "course", "gradescope.json")).isFile;
        } catch {
          return false;
        }
      })();
      if (!bundled) {
        throw new UsageError(
          `Cannot grade: --run must be the /autograder folder of a bundle (with source/course/gradescope.json): received ${v}`,
        );
      }
      return { run: resolve(v) };
    } else if (a === "--lesson") lesson = args[++i];
    else if (a === "--out") {
      const v = args[++i];
      if (!v || !v.endsWith(".zip")) {
        throw new UsageError(
          `Cannot build the autograder: --out must be a file name ending in .zip: received ${
            v ?? "nothing"
          }\n${USAGE}`,
        );
      }
      out = fromCaller(v);
    } else if (a === "--hidden-visibility") {
      const v = args[++i];
      if (!(VISIBILITIES as readonly string[]).includes(v)) {
        throw new UsageError(
          `Cannot build the autograder: --hidden-visibility must be one of ${
            VISIBILITIES.join(", ")
          }: received ${v ?? "nothing"}`,
        );
      }
      hiddenVisibility = v as Visibility;
    } else if (a === "--allow-unsafe") allowUnsafe = true;
    else if (a === "-h" || a === "--help") throw new HelpRequested(USAGE);
    else throw new UsageError(`Cannot build the autograder: unknown argument ${a}\n${USAGE}`);
  }
  const name = resolveLesson(lesson);
  return {
    config: { lesson: name, hiddenVisibility, allowUnsafe, denoVersion: DENO_VERSION },
    out: out ?? `${REPO}/out/gradescope/${name}-autograder.zip`,
  };
}

if (import.meta.main) {
  try {
    const parsed = parseGradescopeArgs(Deno.args);
    if ("run" in parsed) {
      const r = await runAutograder(parsed.run);
      console.log(`graded: ${r.score}/${r.max_score}`);
      if (r.output.includes(UNSAFE_WARNING)) console.log(UNSAFE_WARNING);
    } else {
      const entries = await writeBundle(parsed.config, parsed.out);
      console.log(
        `wrote ${parsed.out}: the ${parsed.config.lesson} autograder, ${entries.length} files (upload it as the assignment's autograder on Gradescope; hidden tests: ${parsed.config.hiddenVisibility})`,
      );
    }
  } catch (err) {
    if (err instanceof HelpRequested) {
      console.log(err.message);
      Deno.exit(0);
    }
    console.error(err instanceof UsageError ? err.message : (err as Error).stack);
    Deno.exit(err instanceof UsageError ? 2 : 1);
  }
}
