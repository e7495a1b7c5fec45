/**
 * Rust source checked twice, for a notebook cell: by the course's borrow
 * checker (`lib/ownership`, a simulation) and, when it is installed, by the
 * real rustc. The display shows both verdicts side by side and says whether
 * they agree, so a reader sees the simulator tested live on their own
 * machine. Without rustc the display says so and shows the checker alone.
 *
 * @module
 */
import { checkBorrows, formatDiagnostics, OutsideSubsetError } from "../ownership/mod.ts";
import type { BorrowCheckResult } from "../ownership/mod.ts";
import { runRustc, type RustcVerdict } from "./rustc.ts";
import { escapeHtml } from "./_format.ts";

/** Both verdicts on one program. */
export interface RustWitness {
  /** The checker's verdict, or the reason it refused the program (outside the subset). */
  checker: BorrowCheckResult | { refused: string };
  /** rustc's verdict, or why there is none. */
  rustc: RustcVerdict;
  /**
   * True when both judged and agree on the verdict and the error codes;
   * false when they disagree; null when one of them gave no verdict.
   */
  agree: boolean | null;
}

const codes = (xs: { code: string | null }[]) =>
  [...new Set(xs.map((x) => x.code))].sort().join(",");

/**
 * Check a Rust program with the course's checker and with rustc (if installed).
 *
 * @param source Rust source with a `fn main`.
 * @param options `rustc: false` skips rustc (checker only); `file` names the source in diagnostics.
 * @returns Both verdicts and whether they agree, with a rich display for notebooks.
 *
 * @example The essay's move, checked twice
 * ```ts
 * import { checkRust } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const w = await checkRust("fn main() {\n    let x = Box::new(1);\n    let y = x;\n    println!(\"{}\", x);\n}\n");
 * assert.ok("diagnostics" in w.checker && w.checker.diagnostics[0].code === "E0382");
 * assert.ok(w.agree === true || w.agree === null);
 * ```
 */
export async function checkRust(
  source: string,
  options: { rustc?: boolean; file?: string } = {},
): Promise<RustWitness> {
  let checker: RustWitness["checker"];
  try {
    checker = checkBorrows(source, { file: options.file ?? "main.rs" });
  } catch (e) {
    if (!(e instanceof OutsideSubsetError)) throw e;
    checker = { refused: e.message };
  }
  const rustc: RustcVerdict = options.rustc === false
    ? { available: false, reason: "rustc not asked for" }
    : await runRustc(source);
  const agree = "refused" in checker || !rustc.available
    ? null
    : checker.accepted === rustc.accepted &&
      codes(checker.diagnostics) === codes(rustc.diagnostics);
  const w: RustWitness = { checker, rustc, agree };
  Object.defineProperty(w, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => display(w),
  });
  return w;
}

function verdictLine(
  accepted: boolean,
  list: { code: string | null; line: number; column: number }[],
) {
  return accepted
    ? "accepted"
    : `rejected: ${list.map((d) => `${d.code ?? "error"} at ${d.line}:${d.column}`).join(", ")}`;
}

function display(w: RustWitness): Record<string, string> {
  const ours = "refused" in w.checker
    ? `no verdict (${w.checker.refused})`
    : verdictLine(w.checker.accepted, w.checker.diagnostics);
  const theirs = w.rustc.available
    ? `${verdictLine(w.rustc.accepted, w.rustc.diagnostics)} (${w.rustc.version})`
    : `not run: ${w.rustc.reason}`;
  const agreement = w.agree === null
    ? "Only one verdict, so nothing to compare."
    : w.agree
    ? "The two agree on the verdict and the error codes."
    : "The two DISAGREE: please report this program, it is a bug in the course's checker.";
  const detail = "refused" in w.checker || w.checker.accepted ? "" : formatDiagnostics(w.checker);
  const text = `course checker: ${ours}\nrustc:          ${theirs}\n${agreement}${
    detail ? `\n\n${detail}` : ""
  }`;
  const color = (ok: boolean) => (ok ? "#1a7f37" : "#cf222e");
  const html = `<table style="border-collapse:collapse">
<tr><th style="text-align:left;padding:2px 8px">course checker</th><td style="padding:2px 8px;color:${
    color(!("refused" in w.checker) && w.checker.accepted)
  }">${escapeHtml(ours)}</td></tr>
<tr><th style="text-align:left;padding:2px 8px">rustc</th><td style="padding:2px 8px;color:${
    color(w.rustc.available && w.rustc.accepted)
  }">${escapeHtml(theirs)}</td></tr></table>
<p>${escapeHtml(agreement)}</p>${
    detail ? `<pre style="font-size:12px">${escapeHtml(detail)}</pre>` : ""
  }`;
  return { "text/plain": text, "text/html": html };
}
