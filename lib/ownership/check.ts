/**
 * The borrow checker's front door: Rust source in, rustc's verdict out.
 *
 * Semantics are rustc's (edition 2021) for the subset {@linkcode parseRust}
 * accepts. Each function is type-checked (integer literals inferred, names
 * resolved, implicit reborrows inserted where a `&mut` meets a `&mut` at a
 * coercion site), then lowered to a control-flow graph with one event per
 * point: reads, moves, borrows, two-phase reservations and activations,
 * assignments, and the end of each variable's storage in reverse
 * declaration order at the closing brace of its block. On that graph:
 *
 * - **moves**: a forward "maybe uninitialised" dataflow; a use of a value
 *   that may have been moved is E0382 (E0381 if never initialised), and a
 *   second assignment to an immutable variable that may be initialised is
 *   E0384;
 * - **non-lexical lifetimes**: a reference is live where it may still be
 *   used (backward liveness over the graph, loops included); a borrow's
 *   region is every point where a reference derived from it is live,
 *   solved from outlives constraints; a loan is in scope at the points of
 *   its region reachable from the borrow without the borrowed variable
 *   being overwritten or going out of scope;
 * - **conflicts**: an access that conflicts with a loan in scope is E0499,
 *   E0502, E0503, E0505 or E0506; a variable whose storage ends while
 *   borrowed is E0597 (E0515 when the borrow is returned, E0716 for a
 *   temporary); a mutable borrow of something not declared `mut` or behind a
 *   `&` is E0596 (E0594 for an assignment);
 * - **two-phase borrows**: the `&mut` a method call takes of its receiver
 *   (`v.push(v.len())`) acts as a shared borrow until the call happens.
 *
 * Diagnostics carry rustc's code and the position of rustc's primary span
 * (1-based line and column, columns in characters), and are sorted the way
 * rustc emits them. A program outside the subset, or one rustc would reject
 * before borrow checking for a reason other than an unknown name (E0425), is
 * refused with {@linkcode OutsideSubsetError}: no verdict is better than a
 * wrong one.
 *
 * @module
 */
import type { Span } from "./_ast.ts";
import type { RawDiagnostic } from "./_diagnostic.ts";
import { analyse, type DropPoint } from "./_analysis.ts";
import { lower } from "./_lower.ts";
import { signatures, typecheck } from "./_typeck.ts";
import { parseRust } from "./parser.ts";

export type { DropPoint } from "./_analysis.ts";

/** A labelled position in a diagnostic. */
export interface RustLabel {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  label: string;
}

/** One error, as rustc reports it. */
export interface RustDiagnostic {
  /** rustc's error code, e.g. `"E0382"`. */
  code: string;
  /** 1-based line of the primary span. */
  line: number;
  /** 1-based column (characters) of the primary span. */
  column: number;
  /** End of the primary span (exclusive). */
  endLine: number;
  endColumn: number;
  /** rustc's headline, e.g. "borrow of moved value: `x`". */
  message: string;
  /** The label under the primary span. */
  label: string;
  /** Secondary labelled spans. */
  notes: RustLabel[];
}

/** The checker's verdict on a program. */
export interface BorrowCheckResult {
  /** True when rustc would accept the program (no errors). */
  accepted: boolean;
  /** The errors, in rustc's order. */
  diagnostics: RustDiagnostic[];
  /** Where each owned value (String, Box, Vec) is dropped. */
  drops: DropPoint[];
  /** The source that was checked. */
  source: string;
  /** The file name used in formatted output. */
  file: string;
}

const toDiag = (d: RawDiagnostic): RustDiagnostic => ({
  code: d.code,
  line: d.span.line,
  column: d.span.col,
  endLine: d.span.endLine,
  endColumn: d.span.endCol,
  message: d.message,
  label: d.label,
  notes: d.notes.map((x) => ({
    line: x.span.line,
    column: x.span.col,
    endLine: x.span.endLine,
    endColumn: x.span.endCol,
    label: x.label,
  })),
});

const MUTABILITY = new Set(["E0594", "E0596"]);
const bySpan = (a: RawDiagnostic, b: RawDiagnostic) =>
  a.span.line - b.span.line || a.span.col - b.span.col ||
  Number(MUTABILITY.has(a.code)) - Number(MUTABILITY.has(b.code));

/**
 * Borrow-check a program of the Rust subset.
 *
 * @param source Rust source text.
 * @param options `file`: the name shown in formatted diagnostics (default `main.rs`).
 * @returns The verdict, the diagnostics with rustc's codes and primary positions, and drop points.
 * @throws {OutsideSubsetError} If the program lies outside the subset (with its position).
 *
 * @example The essay's move, caught as rustc catches it
 * ```ts
 * import { checkBorrows } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = checkBorrows(`fn main() {
 *     let x = Box::new(42);
 *     let y = x;
 *     println!("{}", x);
 * }`);
 * assert.equal(r.accepted, false);
 * assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line, d.column]), [["E0382", 4, 20]]);
 * ```
 */
export function checkBorrows(
  source: string,
  options: { file?: string } = {},
): BorrowCheckResult {
  const program = parseRust(source);
  const resolveErrors: RawDiagnostic[] = [];
  const sigs = signatures(program, resolveErrors);
  const typed = program.fns.map((f) => typecheck(f, sigs, resolveErrors));
  const borrowErrors: RawDiagnostic[] = [];
  const drops: DropPoint[] = [];
  for (const t of typed) {
    if (t.tainted || sigs.get(t.fn.name)!.missingLifetime) continue;
    const { diags, drops: d } = analyse(lower(t, sigs));
    borrowErrors.push(...diags.sort(bySpan));
    drops.push(...d);
  }
  const diagnostics = [...resolveErrors.sort(bySpan), ...borrowErrors].map(toDiag);
  const result: BorrowCheckResult = {
    accepted: diagnostics.length === 0,
    diagnostics,
    drops,
    source,
    file: options.file ?? "main.rs",
  };
  return withDisplay(result);
}

function withDisplay(r: BorrowCheckResult): BorrowCheckResult {
  Object.defineProperty(r, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => {
      const text = formatDiagnostics(r);
      const head = r.accepted
        ? `<p style="color:#1a7f37"><b>accepted</b>: no borrow errors</p>`
        : `<p style="color:#cf222e"><b>rejected</b>: ${r.diagnostics.length} error(s)</p>`;
      const dropList = r.drops.length
        ? `<p>Drops: ${
          r.drops.map((d) =>
            `<code>${esc(d.name)}</code> at ${d.line}:${d.column} (${d.reason}${
              d.conditional ? ", if not moved" : ""
            })`
          ).join("; ")
        }</p>`
        : "";
      return {
        "text/plain": text,
        "text/html": `${head}${
          r.accepted ? "" : `<pre style="font-size:12px">${esc(text)}</pre>`
        }${dropList}`,
      };
    },
  });
  return r;
}

function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * Format a verdict as rustc prints it: `error[CODE]: message`, the
 * ` --> file:line:col` arrow, and the labelled source lines.
 *
 * @param result A result of {@linkcode checkBorrows}.
 * @returns The text (one line saying so when the program is accepted).
 *
 * @example A rejected program prints like rustc
 * ```ts
 * import { checkBorrows, formatDiagnostics } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const text = formatDiagnostics(checkBorrows("fn main() {\n    let x = 1;\n    x = 2;\n}", { file: "a.rs" }));
 * assert.match(text, /^error\[E0384\]: cannot assign twice to immutable variable `x`\n --> a.rs:3:5/);
 * ```
 */
export function formatDiagnostics(result: BorrowCheckResult): string {
  if (result.accepted) return `${result.file}: accepted (no borrow errors)`;
  const lines = result.source.split("\n");
  const out: string[] = [];
  for (const d of result.diagnostics) {
    out.push(`error[${d.code}]: ${d.message}`);
    const labels: { s: Span; label: string; primary: boolean }[] = [
      {
        s: { line: d.line, col: d.column, endLine: d.endLine, endCol: d.endColumn },
        label: d.label,
        primary: true,
      },
      ...d.notes.map((n) => ({
        s: { line: n.line, col: n.column, endLine: n.endLine, endCol: n.endColumn },
        label: n.label,
        primary: false,
      })),
    ].sort((a, b) => a.s.line - b.s.line || a.s.col - b.s.col);
    const width = String(Math.max(...labels.map((l) => l.s.line))).length;
    const pad = " ".repeat(width);
    out.push(`${pad}--> ${result.file}:${d.line}:${d.column}`);
    out.push(`${pad} |`);
    let last = -1;
    for (const l of labels) {
      if (l.s.line !== last) {
        if (last >= 0 && l.s.line > last + 1) out.push(`${pad} ...`);
        out.push(`${String(l.s.line).padStart(width)} | ${lines[l.s.line - 1] ?? ""}`);
        last = l.s.line;
      }
      const len = l.s.endLine === l.s.line ? Math.max(1, l.s.endCol - l.s.col) : 1;
      const mark = (l.primary ? "^" : "-").repeat(len);
      out.push(`${pad} | ${" ".repeat(l.s.col - 1)}${mark} ${l.label}`);
    }
    out.push("");
  }
  const n = result.diagnostics.length;
  out.push(`error: aborting due to ${n === 1 ? "1 previous error" : `${n} previous errors`}`);
  const codes = [...new Set(result.diagnostics.map((d) => d.code))].sort();
  out.push(
    codes.length === 1
      ? `For more information about this error, try \`rustc --explain ${codes[0]}\`.`
      : `Some errors have detailed explanations: ${codes.join(", ")}.`,
  );
  return out.join("\n");
}
