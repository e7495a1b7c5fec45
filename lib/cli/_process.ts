/**
 * What every command-line entry point (`deno task sim`, `deno task probe`)
 * needs from the process it runs in, written once: writing all of its output
 * to standard output even when the reader closes the pipe early
 * (`... | head -1`), and finding the folder the user ran `deno task` from.
 *
 * Private to `lib/cli/`; not re-exported.
 *
 * @module
 */

/**
 * Write every byte to standard output, however many pieces the system takes
 * it in; stop quietly when the reader has gone away (a closed pipe), as
 * command-line tools do.
 *
 * @param bytes What to write.
 * @returns False when the reader closed the pipe (nothing more should be written), else true.
 */
export function writeStdoutSync(bytes: Uint8Array): boolean {
  try {
    for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.BrokenPipe) return false;
    throw e;
  }
}

/** The course's folder (where `deno.json` is, and where `deno task` runs its tasks). */
const COURSE_ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * The folder the user typed the command in, when it differs from where the
 * command runs: `deno task` runs its tasks in the course's folder and keeps
 * the caller's folder in `INIT_CWD`, so without this a path such as
 * `../data/traces/x.trace`, typed in `notebooks/`, would be looked up from
 * the course's folder. Only a process running in the course's folder
 * (as `deno task` starts it) is moved, so a program started elsewhere with an
 * inherited `INIT_CWD` keeps its own folder.
 *
 * @param initCwd The value of `INIT_CWD` (undefined when unset).
 * @param cwd The process's current folder.
 * @param root The course's folder.
 * @returns The folder to change to, or null to stay.
 *
 * @example Under `deno task`, typed in `notebooks/`
 * ```ts
 * import { callerFolder } from "memgarden/cli/_process.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(callerFolder("/course/notebooks", "/course", "/course"), "/course/notebooks");
 * assert.equal(callerFolder(undefined, "/course", "/course"), null);
 * assert.equal(callerFolder("/course/notebooks", "/tmp/elsewhere", "/course"), null);
 * ```
 */
export function callerFolder(
  initCwd: string | undefined,
  cwd: string,
  root: string = COURSE_ROOT,
): string | null {
  if (!initCwd || initCwd === cwd || cwd !== root) return null;
  return initCwd;
}

/**
 * Move the process to the folder the user ran `deno task` from (see
 * {@linkcode callerFolder}), so that relative paths in the arguments mean what
 * they meant where they were typed. Does nothing when that folder is gone.
 */
export function enterCallerFolder(): void {
  const target = callerFolder(Deno.env.get("INIT_CWD"), Deno.cwd());
  if (target === null) return;
  try {
    Deno.chdir(target);
  } catch {
    // The folder no longer exists or cannot be entered: paths stay relative to the course.
  }
}
