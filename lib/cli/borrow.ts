/**
 * `deno task sim borrow FILE.rs [--json]`: the ownership checker as rustc
 * would answer. Prints rustc-style diagnostics (`error[E0382]: ...`, the
 * ` --> FILE:LINE:COL` arrow and the labelled lines) and exits 1 when the
 * program is rejected, 0 when it is accepted. `--json` prints a JSON array
 * of `{"code", "line", "column", "message"}` (empty when accepted) with the
 * same exit statuses. A program outside the subset exits 2 with the reason
 * and its position; so does a usage error.
 *
 * @module
 */
import { checkBorrows, formatDiagnostics, OutsideSubsetError } from "../ownership/mod.ts";
import type { SimCommand } from "./main.ts";

const USAGE = `Usage: deno task sim borrow FILE.rs [--json] [--drops]
Borrow-check a program of the course's Rust subset the way rustc does.
Options:
  --json     Print a JSON array of {"code", "line", "column", "message"}.
  --drops    Also print where each owned value is dropped.
  -h, --help Print this help.
Exit status: 0 accepted, 1 rejected (borrow errors), 2 outside the subset or usage error.`;

/** Largest source file the command reads. */
export const MAX_BORROW_FILE_BYTES = 1024 * 1024;

/** What a run printed and its exit status. */
export interface BorrowCliResult {
  stdout: string;
  stderr: string;
  status: number;
}

/**
 * Run `sim borrow` on arguments, with the file read through `read`.
 *
 * @param args The arguments after `borrow`.
 * @param read Reads a file's text (throws if it cannot).
 * @returns What to print and the exit status.
 *
 * @example A use after move exits 1 with rustc's code
 * ```ts
 * import { borrowCli } from "memgarden/cli/borrow.ts";
 * import assert from "node:assert/strict";
 *
 * const src = 'fn main() {\n    let s = String::from("a");\n    let t = s;\n    println!("{}", s);\n}\n';
 * const r = borrowCli(["a.rs", "--json"], () => src);
 * assert.equal(r.status, 1);
 * assert.deepEqual(JSON.parse(r.stdout).map((d: { code: string }) => d.code), ["E0382"]);
 * ```
 */
export function borrowCli(args: string[], read: (path: string) => string): BorrowCliResult {
  let json = false;
  let drops = false;
  const files: string[] = [];
  for (const a of args) {
    if (a === "--json") json = true;
    else if (a === "--drops") drops = true;
    else if (a === "-h" || a === "--help") return { stdout: USAGE, stderr: "", status: 0 };
    else if (a.startsWith("-")) {
      return { stdout: "", stderr: `Unknown flag: received "${a}"\n${USAGE}`, status: 2 };
    } else files.push(a);
  }
  if (files.length !== 1) {
    return {
      stdout: "",
      stderr: `Expected exactly one FILE.rs: received ${files.length}\n${USAGE}`,
      status: 2,
    };
  }
  const file = files[0];
  let source: string;
  try {
    source = read(file);
  } catch (e) {
    return {
      stdout: "",
      stderr: `Cannot read FILE.rs "${file}": ${(e as Error).message}`,
      status: 2,
    };
  }
  let result;
  try {
    result = checkBorrows(source, { file });
  } catch (e) {
    if (e instanceof OutsideSubsetError) {
      return {
        stdout: "",
        stderr: `${file}:${e.line}:${e.column}: outside the Rust subset: ${e.reason}`,
        status: 2,
      };
    }
    throw e;
  }
  const status = result.accepted ? 0 : 1;
  if (json) {
    const out = result.diagnostics.map((d) => ({
      code: d.code,
      line: d.line,
      column: d.column,
      message: d.message,
    }));
    return { stdout: JSON.stringify(out), stderr: "", status };
  }
  let text = formatDiagnostics(result);
  if (drops) {
    text += "\n" +
      (result.drops.length
        ? result.drops.map((d) =>
          `drop ${d.name} at ${file}:${d.line}:${d.column} (${d.reason}${
            d.conditional ? ", only if not moved" : ""
          })`
        ).join("\n")
        : "no owned values are dropped");
  }
  return { stdout: text, stderr: "", status };
}

function readCapped(path: string): string {
  const info = Deno.statSync(path);
  if (!info.isFile) throw new Error("not a regular file");
  if (info.size > MAX_BORROW_FILE_BYTES) {
    throw new Error(`larger than ${MAX_BORROW_FILE_BYTES} bytes (${info.size})`);
  }
  return Deno.readTextFileSync(path);
}

/** The `sim borrow` command. */
export const command: SimCommand = {
  summary: "Rust borrow checker (rustc's codes and positions): FILE.rs [--json]",
  run(args) {
    const r = borrowCli(args, readCapped);
    if (r.stdout) console.log(r.stdout);
    if (r.stderr) console.error(r.stderr);
    return Promise.resolve(r.status);
  },
};
