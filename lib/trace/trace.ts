/**
 * The in-memory trace: a compact, column-oriented record of memory accesses
 * (one `Uint8Array` of operation codes, one `Float64Array` of addresses that
 * holds any integer address below 2^53, one `Uint16Array` of sizes).
 *
 * @module
 */

/**
 * Operation code of a load (lackey `L`, Dinero label 0).
 *
 * @example Codes index {@linkcode OP_LETTERS}
 * ```ts
 * import { OP_IFETCH, OP_LETTERS, OP_LOAD, OP_MODIFY, OP_STORE } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([OP_LOAD, OP_STORE, OP_IFETCH, OP_MODIFY].map((c) => OP_LETTERS[c]), ["L", "S", "I", "M"]);
 * ```
 */
export const OP_LOAD = 0;
/** Operation code of a store (lackey `S`, Dinero label 1). */
export const OP_STORE = 1;
/** Operation code of an instruction fetch (lackey `I`, Dinero label 2). */
export const OP_IFETCH = 2;
/** Operation code of a modify, a load then a store (lackey `M`). */
export const OP_MODIFY = 3;

/** The letter used for each operation code in lackey traces, indexed by code. */
export const OP_LETTERS: readonly ["L", "S", "I", "M"] = ["L", "S", "I", "M"];

/** One access as plain data: an operation letter, an address and a size in bytes. */
export interface Access {
  /** `"L"` load, `"S"` store, `"I"` instruction fetch, `"M"` modify (load then store). */
  op: "L" | "S" | "I" | "M";
  /** The byte address, a non-negative integer below 2^53. */
  address: number;
  /** The number of bytes accessed (1 when omitted). */
  sizeBytes?: number;
}

/** A trace in columnar form; entry `i` is `(ops[i], addresses[i], sizes[i])`. */
export interface Trace {
  /** Number of accesses. */
  readonly length: number;
  /** Operation codes ({@linkcode OP_LOAD}, {@linkcode OP_STORE}, ...). */
  readonly ops: Uint8Array;
  /** Byte addresses (integers, exact up to 2^53). */
  readonly addresses: Float64Array;
  /** Access sizes in bytes. */
  readonly sizes: Uint16Array;
}

/** Largest address a trace accepts: 2^53 - 1, so every address is an exact integer. */
export const MAX_ADDRESS = Number.MAX_SAFE_INTEGER;

/**
 * Most accesses one in-memory trace may hold: 2^27 (about 1.5 GB of typed arrays).
 * Longer traces are streamed instead (see `parseTraceStream`).
 */
export const MAX_TRACE_ACCESSES = 2 ** 27;

/** Grows a {@linkcode Trace} one access at a time, doubling its arrays as needed. */
export class TraceBuilder {
  #ops: Uint8Array;
  #addresses: Float64Array;
  #sizes: Uint16Array;
  #length = 0;

  /**
   * Create an empty builder.
   *
   * @param capacity Initial number of accesses to reserve room for.
   *
   * @example Build a two-access trace
   * ```ts
   * import { OP_LOAD, OP_STORE, TraceBuilder } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const b = new TraceBuilder();
   * b.push(OP_LOAD, 0x10, 4);
   * b.push(OP_STORE, 0x14, 4);
   * assert.equal(b.build().length, 2);
   * ```
   */
  constructor(capacity = 1024) {
    if (!(capacity <= MAX_TRACE_ACCESSES)) {
      throw new RangeError(
        `Cannot build trace: accesses must be at most ${MAX_TRACE_ACCESSES} in memory (stream longer traces): received ${capacity}`,
      );
    }
    const n = Math.max(1, Math.floor(capacity));
    this.#ops = new Uint8Array(n);
    this.#addresses = new Float64Array(n);
    this.#sizes = new Uint16Array(n);
  }

  /** Number of accesses pushed so far. */
  get length(): number {
    return this.#length;
  }

  /**
   * Append one access. No validation: callers (parsers, generators) check their input.
   *
   * @param op Operation code.
   * @param address Byte address.
   * @param sizeBytes Size in bytes.
   * @returns Nothing.
   *
   * @example Push and count
   * ```ts
   * import { OP_IFETCH, TraceBuilder } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const b = new TraceBuilder(1);
   * for (let i = 0; i < 5; i++) b.push(OP_IFETCH, 0x400000 + 4 * i, 4);
   * assert.equal(b.length, 5);
   * ```
   */
  push(op: number, address: number, sizeBytes: number): void {
    if (this.#length === this.#ops.length) this.#grow();
    const i = this.#length++;
    this.#ops[i] = op;
    this.#addresses[i] = address;
    this.#sizes[i] = sizeBytes;
  }

  #grow(): void {
    if (this.#ops.length >= MAX_TRACE_ACCESSES) {
      throw new RangeError(
        `Cannot build trace: accesses must be at most ${MAX_TRACE_ACCESSES} in memory (stream longer traces): received more`,
      );
    }
    const n = Math.min(this.#ops.length * 2, MAX_TRACE_ACCESSES);
    const ops = new Uint8Array(n);
    ops.set(this.#ops);
    const addresses = new Float64Array(n);
    addresses.set(this.#addresses);
    const sizes = new Uint16Array(n);
    sizes.set(this.#sizes);
    this.#ops = ops;
    this.#addresses = addresses;
    this.#sizes = sizes;
  }

  /**
   * The accesses pushed so far, as a trace (views trimmed to the length, not copies).
   *
   * @returns The trace; pushing more afterwards may or may not show in it, so build once.
   *
   * @example Build
   * ```ts
   * import { OP_LOAD, TraceBuilder } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const b = new TraceBuilder();
   * b.push(OP_LOAD, 64, 8);
   * assert.equal(b.build().addresses[0], 64);
   * ```
   */
  build(): Trace {
    const n = this.#length;
    return {
      length: n,
      ops: this.#ops.subarray(0, n),
      addresses: this.#addresses.subarray(0, n),
      sizes: this.#sizes.subarray(0, n),
    };
  }

  /**
   * Forget every access but keep the storage. A trace built earlier shares that
   * storage, so pushing after `clear()` overwrites it: clear only once such a
   * trace is no longer used (the stream parser starts a new builder per batch).
   *
   * @returns Nothing.
   *
   * @example Reuse a builder
   * ```ts
   * import { OP_LOAD, TraceBuilder } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const b = new TraceBuilder();
   * b.push(OP_LOAD, 0, 4);
   * const first = b.build();
   * b.clear();
   * assert.equal(b.length, 0);
   * b.push(OP_LOAD, 64, 4);
   * assert.equal(first.addresses[0], 64); // the earlier trace was overwritten
   * ```
   */
  clear(): void {
    this.#length = 0;
  }
}

const LETTER_CODES: Record<string, number> = {
  L: OP_LOAD,
  S: OP_STORE,
  I: OP_IFETCH,
  M: OP_MODIFY,
};

/**
 * Build a trace from plain access objects, checking each one.
 *
 * @param accesses The accesses, in order.
 * @returns The trace.
 * @throws {TypeError} if an op is not one of L, S, I, M.
 * @throws {RangeError} if an address or size is out of range (the index is named).
 *
 * @example From objects and back
 * ```ts
 * import { createTrace, traceToAccesses } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = createTrace([{ op: "L", address: 0x10, sizeBytes: 4 }, { op: "M", address: 0x20 }]);
 * assert.deepEqual(traceToAccesses(t), [
 *   { op: "L", address: 0x10, sizeBytes: 4 },
 *   { op: "M", address: 0x20, sizeBytes: 1 },
 * ]);
 * ```
 */
export function createTrace(accesses: readonly Access[]): Trace {
  const b = new TraceBuilder(accesses.length);
  accesses.forEach((a, i) => {
    const code = LETTER_CODES[a?.op];
    if (code === undefined) {
      throw new TypeError(
        `Cannot create trace: access ${i} op must be one of L, S, I, M: received ${
          JSON.stringify(a?.op)
        }`,
      );
    }
    if (!Number.isSafeInteger(a.address) || a.address < 0) {
      throw new RangeError(
        `Cannot create trace: access ${i} address must be a non-negative safe integer: received ${a.address}`,
      );
    }
    const size = a.sizeBytes ?? 1;
    if (!Number.isInteger(size) || size < 1 || size > 65535) {
      throw new RangeError(
        `Cannot create trace: access ${i} sizeBytes must be an integer in [1, 65535]: received ${size}`,
      );
    }
    b.push(code, a.address, size);
  });
  return b.build();
}

/**
 * Turn a trace back into plain access objects (for display and tests; not for big traces).
 *
 * @param trace The trace.
 * @returns One object per access.
 *
 * @example Round trip
 * ```ts
 * import { createTrace, traceToAccesses } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const a = [{ op: "S" as const, address: 8, sizeBytes: 8 }];
 * assert.deepEqual(traceToAccesses(createTrace(a)), a);
 * ```
 */
export function traceToAccesses(trace: Trace): Access[] {
  const out: Access[] = [];
  for (let i = 0; i < trace.length; i++) {
    out.push({
      op: OP_LETTERS[trace.ops[i]] ?? "L",
      address: trace.addresses[i],
      sizeBytes: trace.sizes[i],
    });
  }
  return out;
}

/**
 * Join traces end to end.
 *
 * @param traces The traces, in order.
 * @returns A new trace holding all their accesses.
 *
 * @example Two halves
 * ```ts
 * import { concatTraces, createTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = concatTraces([createTrace([{ op: "L", address: 1 }]), createTrace([{ op: "S", address: 2 }])]);
 * assert.deepEqual([...t.addresses], [1, 2]);
 * ```
 */
export function concatTraces(traces: readonly Trace[]): Trace {
  const n = traces.reduce((s, t) => s + t.length, 0);
  const ops = new Uint8Array(n);
  const addresses = new Float64Array(n);
  const sizes = new Uint16Array(n);
  let at = 0;
  for (const t of traces) {
    ops.set(t.ops.subarray(0, t.length), at);
    addresses.set(t.addresses.subarray(0, t.length), at);
    sizes.set(t.sizes.subarray(0, t.length), at);
    at += t.length;
  }
  return { length: n, ops, addresses, sizes };
}
