/**
 * CS:APP Cache Lab's `csim`: one LRU cache of 2^s sets, E ways and 2^b-byte
 * lines; `L` and `S` are one access each, `M` is a load then a store, `I`
 * records are ignored, sizes are ignored (an access that straddles lines
 * counts once), and the result is `hits:H misses:M evictions:E`.
 *
 * @module
 */
import { z } from "zod";
import { nonNegativeInt, parseWith, positiveInt } from "../trace/_validate.ts";
import { OP_IFETCH, OP_LETTERS, OP_MODIFY, OP_STORE, type Trace } from "../trace/trace.ts";
import { escapeHtml } from "./_display.ts";
import { csimLevel, EVICT, MISS } from "./_level.ts";

/** csim's flags: `-s`, `-E`, `-b`, and `-v`. */
export const CsimOptions = z.object({
  /** Set index bits (S = 2^s). */
  s: nonNegativeInt().max(30, "must be at most 30"),
  /** Lines per set. */
  E: positiveInt().max(65536, "must be at most 65536"),
  /** Block offset bits (B = 2^b). */
  b: nonNegativeInt().max(30, "must be at most 30"),
  /** Keep one line of outcomes per record, like `csim -v`. */
  verbose: z.boolean().default(false),
}).refine((o) => 2 ** o.s * o.E <= 2 ** 26, {
  path: ["E"],
  message: "times 2^s must be at most 2^26 lines",
});
/** csim's flags. */
export type CsimOptions = z.input<typeof CsimOptions>;

/** csim's counts, plus the verbose lines when asked for. */
export interface CsimResult {
  /** Hits (a modify counts two accesses). */
  hits: number;
  /** Misses. */
  misses: number;
  /** Valid lines replaced. */
  evictions: number;
  /** `L 10,1 miss eviction` ... one per L/S/M record (empty unless verbose). */
  lines: string[];
}

/**
 * Run csim's model on a trace.
 *
 * @param trace The trace (usually parsed with `parseLackey`).
 * @param options `s`, `E`, `b`, `verbose`.
 * @returns Hits, misses, evictions, and the verbose lines.
 * @throws {RangeError} naming a bad flag.
 *
 * @example A store then a modify of the same line
 * ```ts
 * import { parseLackey, runCsim } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = runCsim(parseLackey(" S 18,1\n M 10,1\n L 30,1\n"), { s: 1, E: 1, b: 4, verbose: true });
 * assert.deepEqual(r.lines, ["S 18,1 miss", "M 10,1 hit hit", "L 30,1 miss eviction"]);
 * assert.deepEqual([r.hits, r.misses, r.evictions], [2, 2, 1]);
 * ```
 */
export function runCsim(trace: Trace, options: CsimOptions): CsimResult {
  const o = parseWith(CsimOptions, options, "Cannot run csim");
  const level = csimLevel(o.s, o.E, o.b);
  const lines: string[] = [];
  const word = (code: number) =>
    (code & MISS) === 0 ? " hit" : (code & EVICT) === 0 ? " miss" : " miss eviction";
  const { ops, addresses, sizes } = trace;
  for (let i = 0; i < trace.length; i++) {
    const op = ops[i];
    if (op === OP_IFETCH) continue;
    const a = addresses[i];
    let out = "";
    if (op === OP_MODIFY) {
      out += word(level.access(a, false, true));
      out += word(level.access(a, true, true));
    } else {
      out += word(level.access(a, op === OP_STORE, true));
    }
    if (o.verbose) lines.push(`${OP_LETTERS[op]} ${a.toString(16)},${sizes[i]}${out}`);
  }
  const result: CsimResult = {
    hits: level.hits,
    misses: level.misses,
    evictions: level.evictions,
    lines,
  };
  Object.defineProperty(result, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => {
      const summary = `hits:${result.hits} misses:${result.misses} evictions:${result.evictions}`;
      return {
        "text/plain": [...result.lines, summary].join("\n"),
        "text/html": `<pre>${escapeHtml([...result.lines, summary].join("\n"))}</pre>`,
      };
    },
  });
  return result;
}
