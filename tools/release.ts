/**
 * Release student copies of the lessons:
 *
 *   deno task release [--out DIR] [NOTEBOOK...]
 *
 * Every `notebooks/NN-*.ipynb` (or the notebooks named) is copied to DIR
 * (default `out/release/`) with each exercise cell's solution between
 * `// BEGIN SOLUTION` and `// END SOLUTION` replaced by a stub that throws
 * "not implemented yet: <id>", and all outputs and execution counts cleared.
 * Releasing twice gives byte-identical files. Nothing is written into
 * `notebooks/`, and nothing is written at all when any notebook fails to
 * release. Exit status: 0 on success, 1 when a notebook cannot be released,
 * 2 on a usage error.
 *
 * @module
 */
import { releaseNotebook } from "memgarden";
import { basename, resolve } from "node:path";

const REPO = new URL("..", import.meta.url).pathname;

/** A usage error (bad flags or paths): exit status 2. */
export class UsageError extends Error {}

/** The lesson notebooks of the repository, sorted. */
export function lessonNotebooks(): string[] {
  return [...Deno.readDirSync(`${REPO}notebooks`)]
    .map((e) => e.name)
    .filter((n) => /^\d\d-.*\.ipynb$/.test(n))
    .sort()
    .map((n) => `${REPO}notebooks/${n}`);
}

/**
 * Release notebooks into a folder.
 *
 * @param paths The source notebooks.
 * @param outDir Where the student copies go (never `notebooks/`).
 * @returns The paths written.
 */
export async function releaseNotebooks(paths: string[], outDir: string): Promise<string[]> {
  const out = resolve(outDir);
  const sources = resolve(REPO, "notebooks");
  if (out === sources || out.startsWith(sources + "/")) {
    throw new UsageError(
      `Cannot release: --out must not be the source notebooks folder: received ${outDir}`,
    );
  }
  const released: [string, string][] = [];
  for (const path of paths) {
    const text = await Deno.readTextFile(path).catch((err) => {
      throw new UsageError(`Cannot release ${path}: ${(err as Error).message}`);
    });
    const target = `${out}/${basename(path)}`;
    if (resolve(path) === target) {
      throw new UsageError(
        `Cannot release ${path}: it would overwrite itself: choose another --out`,
      );
    }
    released.push([target, releaseNotebook(text, basename(path))]);
  }
  await Deno.mkdir(out, { recursive: true });
  for (const [target, text] of released) await Deno.writeTextFile(target, text);
  return released.map(([t]) => t);
}

/** Where the user ran the command: `deno task` runs in the repo, but keeps the caller's folder in INIT_CWD. */
function fromCaller(path: string): string {
  return resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), path);
}

function parseArgs(args: string[]): { out: string; paths: string[] } {
  let out = `${REPO}out/release`;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--out") {
      if (!args[i + 1]) throw new UsageError("Cannot release: --out needs a folder");
      out = fromCaller(args[++i]);
    } else if (a === "-h" || a === "--help") {
      throw new UsageError("Usage: deno task release [--out DIR] [NOTEBOOK...]");
    } else if (a.startsWith("-")) {
      throw new UsageError(`Cannot release: unknown flag ${a}: use --out DIR`);
    } else {
      paths.push(fromCaller(a));
    }
  }
  return { out, paths: paths.length ? paths : lessonNotebooks() };
}

if (import.meta.main) {
  try {
    const { out, paths } = parseArgs(Deno.args);
    for (const written of await releaseNotebooks(paths, out)) console.log(`wrote ${written}`);
  } catch (err) {
    console.error((err as Error).message);
    Deno.exit(err instanceof UsageError ? 2 : 1);
  }
}
