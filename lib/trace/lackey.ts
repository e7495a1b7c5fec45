/**
 * Valgrind lackey traces (`valgrind --tool=lackey --trace-mem=yes`), the
 * format of CS:APP's Cache Lab: `I  addr,size`, ` L addr,size`,
 * ` S addr,size`, ` M addr,size`; lines starting with `==` are skipped.
 *
 * @module
 */
import { LineParser } from "./_line_parser.ts";
import { OP_IFETCH, OP_LETTERS, type Trace, TraceBuilder } from "./trace.ts";

const encoder = new TextEncoder();

/**
 * Parse a whole lackey trace held in memory.
 *
 * @param input The trace text, or its UTF-8 bytes (not gzip: see {@linkcode parseTraceStream}).
 * @returns The trace.
 * @throws {SyntaxError} naming the line number and content of the first malformed line.
 *
 * @example Cache Lab style lines
 * ```ts
 * import { parseLackey, traceToAccesses } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = parseLackey("==1== Lackey\nI  0400d7d4,8\n M 0421c7f0,4\n L 10,1\n");
 * assert.deepEqual(traceToAccesses(t), [
 *   { op: "I", address: 0x400d7d4, sizeBytes: 8 },
 *   { op: "M", address: 0x421c7f0, sizeBytes: 4 },
 *   { op: "L", address: 0x10, sizeBytes: 1 },
 * ]);
 * assert.throws(() => parseLackey(" L 10,1\n X 20,1\n"), /line 2/);
 * ```
 */
export function parseLackey(input: string | Uint8Array): Trace {
  const bytes = typeof input === "string" ? encoder.encode(input) : input;
  const p = new LineParser("lackey", new TraceBuilder(Math.max(16, bytes.length >> 4)));
  p.push(bytes);
  p.finish();
  return p.builder.build();
}

function hex8(a: number): string {
  return a.toString(16).padStart(8, "0");
}

/**
 * Write a trace in lackey's format (addresses as at least 8 hex digits, like lackey).
 *
 * @param trace The trace.
 * @returns The text, one access per line, ending with a newline when not empty.
 *
 * @example Round trip
 * ```ts
 * import { createTrace, formatLackey, parseLackey, traceToAccesses } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = createTrace([{ op: "I", address: 0x400000, sizeBytes: 4 }, { op: "S", address: 0x10, sizeBytes: 8 }]);
 * assert.equal(formatLackey(t), "I  00400000,4\n S 00000010,8\n");
 * assert.deepEqual(traceToAccesses(parseLackey(formatLackey(t))), traceToAccesses(t));
 * ```
 */
export function formatLackey(trace: Trace): string {
  const lines: string[] = [];
  for (let i = 0; i < trace.length; i++) {
    const op = trace.ops[i];
    const body = `${hex8(trace.addresses[i])},${trace.sizes[i]}`;
    lines.push(op === OP_IFETCH ? `I  ${body}` : ` ${OP_LETTERS[op]} ${body}`);
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}
