/**
 * Record the trace of TypeScript code: wrap a typed array, run code that
 * reads and writes it, and get the loads and stores it made, at the
 * addresses the array would have if it sat at a given base address.
 *
 * @module
 */
import { OP_LOAD, OP_STORE, type Trace, TraceBuilder } from "./trace.ts";

/** Any typed array with numeric elements. */
export type NumericArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

function isIndex(prop: string | symbol): prop is string {
  if (typeof prop !== "string" || prop.length === 0) return false;
  const c = prop.charCodeAt(0);
  return c >= 48 && c <= 57 && String(Number(prop) >>> 0) === prop;
}

/** Collects the accesses made through the arrays it wraps. */
export class TraceRecorder {
  #builder = new TraceBuilder();
  #nextBase = 0x1000_0000;

  /**
   * Wrap `array` so that element reads record loads and element writes record stores.
   * `a[i] += 1` records a load then a store. Other properties (length, methods) are not recorded.
   *
   * @param array The array to watch (the wrapper reads and writes it).
   * @param options `baseAddress` of element 0; by default each wrapped array gets its own
   *   64-byte-aligned region after the previous one, starting at 0x10000000.
   * @returns A proxy that behaves like `array`.
   *
   * @example Summing records one load per element
   * ```ts
   * import { TraceRecorder } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const rec = new TraceRecorder();
   * const a = rec.wrap(new Int32Array(4), { baseAddress: 0x100 });
   * a[2] = 7;
   * let sum = 0;
   * for (let i = 0; i < a.length; i++) sum += a[i];
   * assert.equal(sum, 7);
   * const t = rec.trace();
   * assert.deepEqual([...t.ops], [1, 0, 0, 0, 0]);
   * assert.deepEqual([...t.addresses], [0x108, 0x100, 0x104, 0x108, 0x10c]);
   * ```
   */
  wrap<T extends NumericArray>(array: T, options: { baseAddress?: number } = {}): T {
    const base = options.baseAddress ?? this.#nextBase;
    if (!Number.isSafeInteger(base) || base < 0) {
      throw new RangeError(
        `Cannot wrap array: baseAddress must be a non-negative safe integer: received ${base}`,
      );
    }
    const size = array.BYTES_PER_ELEMENT;
    const end = base + array.byteLength;
    if (end + 64 > this.#nextBase) this.#nextBase = Math.ceil((end + 64) / 64) * 64;
    const builder = this.#builder;
    return new Proxy(array, {
      get(target, prop) {
        if (isIndex(prop)) {
          const i = Number(prop);
          if (i < target.length) builder.push(OP_LOAD, base + i * size, size);
          return target[i];
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
      set(target, prop, value) {
        if (isIndex(prop)) {
          const i = Number(prop);
          if (i < target.length) builder.push(OP_STORE, base + i * size, size);
          target[i] = value;
          return true;
        }
        return Reflect.set(target, prop, value, target);
      },
    });
  }

  /**
   * Record a load by hand.
   *
   * @param address The byte address.
   * @param sizeBytes The size (default 8).
   * @returns Nothing.
   * @throws {RangeError} for an address that is not a non-negative safe integer, or a size outside [1, 65535].
   *
   * @example A hand-made access
   * ```ts
   * import { TraceRecorder } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const rec = new TraceRecorder();
   * rec.load(0x40);
   * rec.store(0x48, 4);
   * assert.deepEqual([...rec.trace().sizes], [8, 4]);
   * ```
   */
  load(address: number, sizeBytes = 8): void {
    this.#byHand("load", OP_LOAD, address, sizeBytes);
  }

  /**
   * Record a store by hand.
   *
   * @param address The byte address.
   * @param sizeBytes The size (default 8).
   * @returns Nothing.
   * @throws {RangeError} as {@linkcode TraceRecorder.load} does.
   *
   * @example A store
   * ```ts
   * import { TraceRecorder } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const rec = new TraceRecorder();
   * rec.store(0x10);
   * assert.equal(rec.trace().ops[0], 1);
   * ```
   */
  store(address: number, sizeBytes = 8): void {
    this.#byHand("store", OP_STORE, address, sizeBytes);
  }

  #byHand(what: string, op: number, address: number, sizeBytes: number): void {
    if (!Number.isSafeInteger(address) || address < 0) {
      throw new RangeError(
        `Cannot record ${what}: address must be a non-negative safe integer: received ${address}`,
      );
    }
    if (!Number.isInteger(sizeBytes) || sizeBytes < 1 || sizeBytes > 65535) {
      throw new RangeError(
        `Cannot record ${what}: sizeBytes must be an integer in [1, 65535]: received ${sizeBytes}`,
      );
    }
    this.#builder.push(op, address, sizeBytes);
  }

  /**
   * The accesses recorded so far (a copy).
   *
   * @returns The trace.
   *
   * @example Empty at first
   * ```ts
   * import { TraceRecorder } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new TraceRecorder().trace().length, 0);
   * ```
   */
  trace(): Trace {
    const t = this.#builder.build();
    return {
      length: t.length,
      ops: t.ops.slice(),
      addresses: t.addresses.slice(),
      sizes: t.sizes.slice(),
    };
  }
}
