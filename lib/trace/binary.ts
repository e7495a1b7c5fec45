/**
 * A compact binary file form of a trace: the three typed-array columns
 * written one after another behind a 16-byte header (`MGTR`, version 1,
 * access count). About 11 bytes per access, read back without parsing.
 *
 * @module
 */
import type { Trace } from "./trace.ts";

const MAGIC = 0x5254474d; // "MGTR" little-endian

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Encode a trace as bytes.
 *
 * @param trace The trace.
 * @returns The bytes: header, ops, padding, addresses, sizes.
 *
 * @example Round trip
 * ```ts
 * import { createTrace, decodeTrace, encodeTrace, traceToAccesses } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = createTrace([{ op: "L", address: 2 ** 48 - 8, sizeBytes: 8 }]);
 * assert.deepEqual(traceToAccesses(decodeTrace(encodeTrace(t))), traceToAccesses(t));
 * ```
 */
export function encodeTrace(trace: Trace): Uint8Array {
  const n = trace.length;
  const opsEnd = 16 + pad8(n);
  const out = new Uint8Array(opsEnd + n * 8 + n * 2);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, 1, true);
  dv.setFloat64(8, n, true);
  out.set(trace.ops.subarray(0, n), 16);
  new Float64Array(out.buffer, opsEnd, n).set(trace.addresses.subarray(0, n));
  new Uint16Array(out.buffer, opsEnd + n * 8, n).set(trace.sizes.subarray(0, n));
  return out;
}

/**
 * Decode bytes made by {@linkcode encodeTrace}.
 *
 * @param bytes The bytes.
 * @returns The trace (columns copied out of `bytes`).
 * @throws {SyntaxError} if the header is wrong or the data is cut short.
 *
 * @example Rejects other data
 * ```ts
 * import { decodeTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => decodeTrace(new Uint8Array(16)), /magic must be "MGTR"/);
 * ```
 */
export function decodeTrace(bytes: Uint8Array): Trace {
  if (bytes.length < 16) {
    throw new SyntaxError(
      `Cannot decode trace: data must be at least 16 bytes: received ${bytes.length}`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) {
    throw new SyntaxError(
      `Cannot decode trace: magic must be "MGTR": received 0x${dv.getUint32(0, true).toString(16)}`,
    );
  }
  const version = dv.getUint32(4, true);
  if (version !== 1) {
    throw new SyntaxError(`Cannot decode trace: version must be 1: received ${version}`);
  }
  const n = dv.getFloat64(8, true);
  const opsEnd = 16 + pad8(n);
  const need = opsEnd + n * 10;
  if (!Number.isSafeInteger(n) || n < 0 || bytes.length < need) {
    throw new SyntaxError(
      `Cannot decode trace: data must hold ${need} bytes for ${n} accesses: received ${bytes.length}`,
    );
  }
  const copy = bytes.slice(0, need);
  return {
    length: n,
    ops: copy.subarray(16, 16 + n),
    addresses: new Float64Array(copy.buffer, opsEnd, n),
    sizes: new Uint16Array(copy.buffer, opsEnd + n * 8, n),
  };
}
