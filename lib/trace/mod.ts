/**
 * Address traces: parse and write Valgrind lackey (CS:APP Cache Lab) and
 * Dinero din traces, stream gzip traces in constant memory, generate
 * synthetic traces and record the accesses of TypeScript code.
 *
 * @example Generate, write, parse back
 * ```ts
 * import { formatLackey, matrixTrace, parseLackey } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = matrixTrace({ rows: 4, cols: 4, order: "column" });
 * const back = parseLackey(formatLackey(t));
 * assert.deepEqual(back.addresses, t.addresses);
 * ```
 *
 * @module
 */
export * from "./trace.ts";
export * from "./lackey.ts";
export * from "./din.ts";
export * from "./stream.ts";
export * from "./scan.ts";
export * from "./binary.ts";
export * from "./generators.ts";
export * from "./recorder.ts";
