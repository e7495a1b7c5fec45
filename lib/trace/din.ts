/**
 * Dinero IV's `din` trace format: one `label address` per line, label 0 for
 * a read, 1 for a write, 2 for an instruction fetch, address in hex. The
 * format carries no size, so every parsed access has size 1.
 *
 * @module
 */
import { LineParser } from "./_line_parser.ts";
import { OP_IFETCH, OP_MODIFY, OP_STORE, type Trace, TraceBuilder } from "./trace.ts";

const encoder = new TextEncoder();

/**
 * Parse a whole din trace held in memory.
 *
 * @param input The trace text or its bytes.
 * @returns The trace (sizes are 1).
 * @throws {SyntaxError} naming the line number and content of the first malformed line.
 *
 * @example Read, write, fetch
 * ```ts
 * import { parseDin, traceToAccesses } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(traceToAccesses(parseDin("0 10\n1 1f\n2 400000\n")), [
 *   { op: "L", address: 0x10, sizeBytes: 1 },
 *   { op: "S", address: 0x1f, sizeBytes: 1 },
 *   { op: "I", address: 0x400000, sizeBytes: 1 },
 * ]);
 * assert.throws(() => parseDin("0 10\n7 20\n"), /line 2 label must be 0/);
 * ```
 */
export function parseDin(input: string | Uint8Array): Trace {
  const bytes = typeof input === "string" ? encoder.encode(input) : input;
  const p = new LineParser("din", new TraceBuilder(Math.max(16, bytes.length >> 3)));
  p.push(bytes);
  p.finish();
  return p.builder.build();
}

/**
 * Write a trace in din format. A modify becomes a read line then a write
 * line; sizes are dropped (din has none).
 *
 * @param trace The trace.
 * @returns The text, one reference per line.
 *
 * @example A modify becomes two references
 * ```ts
 * import { createTrace, formatDin } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatDin(createTrace([{ op: "M", address: 0x20 }, { op: "I", address: 0x40 }])), "0 20\n1 20\n2 40\n");
 * ```
 */
export function formatDin(trace: Trace): string {
  const lines: string[] = [];
  for (let i = 0; i < trace.length; i++) {
    const op = trace.ops[i];
    const a = trace.addresses[i].toString(16);
    if (op === OP_MODIFY) lines.push(`0 ${a}`, `1 ${a}`);
    else lines.push(`${op === OP_STORE ? 1 : op === OP_IFETCH ? 2 : 0} ${a}`);
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}
