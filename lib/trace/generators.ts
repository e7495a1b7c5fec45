/**
 * Synthetic traces for experiments: sequential and strided sweeps, seeded
 * random accesses, row- versus column-major matrix traversal, and a pointer
 * chase through a random cycle.
 *
 * @module
 */
import { z } from "zod";
import { createPrng } from "../random/mod.ts";
import { nonNegativeInt, parseWith, positiveInt } from "./_validate.ts";
import { OP_LOAD, OP_MODIFY, OP_STORE, type Trace, TraceBuilder } from "./trace.ts";

const Op = z.enum(["L", "S", "M"], { error: 'must be "L", "S" or "M"' });
const OP_CODE = { L: OP_LOAD, S: OP_STORE, M: OP_MODIFY } as const;
const ElementBytes = positiveInt().max(65535, "must be at most 65535");

/** Options of {@linkcode stridedTrace}. */
export const StridedTraceOptions = z.object({
  /** Number of accesses. */
  count: nonNegativeInt(),
  /** First address (default 0). */
  startAddress: nonNegativeInt().default(0),
  /** Distance between consecutive accesses in bytes (default `elementBytes`). */
  strideBytes: nonNegativeInt().optional(),
  /** Size of each access (default 4). */
  elementBytes: ElementBytes.default(4),
  /** Operation of every access (default `"L"`). */
  op: Op.default("L"),
  /** Sweep the same addresses this many times (default 1). */
  repeat: positiveInt().default(1),
});
/** Options of {@linkcode stridedTrace}. */
export type StridedTraceOptions = z.input<typeof StridedTraceOptions>;

/**
 * Accesses `start, start + stride, start + 2*stride, ...`, swept `repeat` times.
 *
 * @param options Count, start, stride, element size, op, repeat.
 * @returns The trace (`count * repeat` accesses).
 * @throws {RangeError} naming the bad option.
 *
 * @example Stride of one cache line
 * ```ts
 * import { stridedTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = stridedTrace({ count: 3, strideBytes: 64, repeat: 2 });
 * assert.deepEqual([...t.addresses], [0, 64, 128, 0, 64, 128]);
 * ```
 */
export function stridedTrace(options: StridedTraceOptions): Trace {
  const o = parseWith(StridedTraceOptions, options, "Cannot generate strided trace");
  const stride = o.strideBytes ?? o.elementBytes;
  const last = o.startAddress + stride * Math.max(0, o.count - 1) + o.elementBytes;
  if (last > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(
      `Cannot generate strided trace: last address must be below 2^53: received ${last}`,
    );
  }
  const b = new TraceBuilder(o.count * o.repeat);
  for (let r = 0; r < o.repeat; r++) {
    for (let i = 0; i < o.count; i++) {
      b.push(OP_CODE[o.op], o.startAddress + i * stride, o.elementBytes);
    }
  }
  return b.build();
}

/**
 * Accesses consecutive elements: a strided trace whose stride is the element size.
 *
 * @param options As {@linkcode stridedTrace}, without `strideBytes`.
 * @returns The trace.
 *
 * @example Four 8-byte loads
 * ```ts
 * import { sequentialTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...sequentialTrace({ count: 4, elementBytes: 8 }).addresses], [0, 8, 16, 24]);
 * ```
 */
export function sequentialTrace(options: Omit<StridedTraceOptions, "strideBytes">): Trace {
  return stridedTrace({ ...options, strideBytes: undefined });
}

/** Options of {@linkcode randomTrace}. */
export const RandomTraceOptions = z.object({
  /** Seed of the generator. */
  seed: z.number({ error: "must be a number" }).int("must be an integer"),
  /** Number of accesses. */
  count: nonNegativeInt(),
  /** Size of the region accessed, in bytes. */
  rangeBytes: positiveInt(),
  /** First address of the region (default 0). */
  startAddress: nonNegativeInt().default(0),
  /** Access size; addresses are aligned to it (default 4). */
  elementBytes: ElementBytes.default(4),
  /** Fraction of stores, in [0, 1] (default 0). */
  storeFraction: z.number().min(0, "must be at least 0").max(1, "must be at most 1").default(0),
});
/** Options of {@linkcode randomTrace}. */
export type RandomTraceOptions = z.input<typeof RandomTraceOptions>;

/**
 * Uniformly random aligned accesses within a region, from a seeded generator.
 *
 * @param options Seed, count, region, element size, store fraction.
 * @returns The trace; the same options give the same trace.
 * @throws {RangeError} naming the bad option.
 *
 * @example Reproducible
 * ```ts
 * import { randomTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const a = randomTrace({ seed: 1, count: 100, rangeBytes: 4096 });
 * assert.deepEqual(a.addresses, randomTrace({ seed: 1, count: 100, rangeBytes: 4096 }).addresses);
 * assert.ok(a.addresses.every((x) => x % 4 === 0 && x < 4096));
 * ```
 */
export function randomTrace(options: RandomTraceOptions): Trace {
  const o = parseWith(RandomTraceOptions, options, "Cannot generate random trace");
  const slots = Math.floor(o.rangeBytes / o.elementBytes);
  if (slots < 1) {
    throw new RangeError(
      `Cannot generate random trace: rangeBytes must hold at least one element of ${o.elementBytes} bytes: received ${o.rangeBytes}`,
    );
  }
  const prng = createPrng(o.seed);
  const b = new TraceBuilder(o.count);
  for (let i = 0; i < o.count; i++) {
    const addr = o.startAddress + prng.int(0, slots - 1) * o.elementBytes;
    const op = o.storeFraction > 0 && prng.float() < o.storeFraction ? OP_STORE : OP_LOAD;
    b.push(op, addr, o.elementBytes);
  }
  return b.build();
}

/** Options of {@linkcode matrixTrace}. */
export const MatrixTraceOptions = z.object({
  /** Number of rows. */
  rows: positiveInt(),
  /** Number of columns. */
  cols: positiveInt(),
  /** Size of one element (default 4). */
  elementBytes: ElementBytes.default(4),
  /** Traversal: `"row"` visits a row's elements in turn, `"column"` a column's. */
  order: z.enum(["row", "column"], { error: 'must be "row" or "column"' }),
  /** Address of element [0][0] (default 0). */
  baseAddress: nonNegativeInt().default(0),
  /** Operation (default `"L"`). */
  op: Op.default("L"),
});
/** Options of {@linkcode matrixTrace}. */
export type MatrixTraceOptions = z.input<typeof MatrixTraceOptions>;

/**
 * Visit every element of a row-major (C layout) matrix, in row or column order.
 *
 * @param options Shape, element size, order, base address, op.
 * @returns The trace (`rows * cols` accesses).
 *
 * @example Column order jumps a whole row each step
 * ```ts
 * import { matrixTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = matrixTrace({ rows: 2, cols: 3, order: "column" });
 * assert.deepEqual([...t.addresses], [0, 12, 4, 16, 8, 20]);
 * ```
 */
export function matrixTrace(options: MatrixTraceOptions): Trace {
  const o = parseWith(MatrixTraceOptions, options, "Cannot generate matrix trace");
  const b = new TraceBuilder(o.rows * o.cols);
  const code = OP_CODE[o.op];
  const at = (r: number, c: number) => o.baseAddress + (r * o.cols + c) * o.elementBytes;
  if (o.order === "row") {
    for (let r = 0; r < o.rows; r++) {
      for (let c = 0; c < o.cols; c++) b.push(code, at(r, c), o.elementBytes);
    }
  } else {
    for (let c = 0; c < o.cols; c++) {
      for (let r = 0; r < o.rows; r++) b.push(code, at(r, c), o.elementBytes);
    }
  }
  return b.build();
}

/** Options of {@linkcode pointerChaseTrace}. */
export const PointerChaseTraceOptions = z.object({
  /** Seed of the random cycle. */
  seed: z.number({ error: "must be a number" }).int("must be an integer"),
  /** Number of nodes in the cycle. */
  nodes: positiveInt(),
  /** Distance between nodes in bytes (default 64, one line). */
  nodeBytes: positiveInt().default(64),
  /** Number of loads. */
  steps: nonNegativeInt(),
  /** Address of node 0 (default 0). */
  baseAddress: nonNegativeInt().default(0),
});
/** Options of {@linkcode pointerChaseTrace}. */
export type PointerChaseTraceOptions = z.input<typeof PointerChaseTraceOptions>;

/**
 * Follow a random single cycle through `nodes` nodes (a shuffled ring),
 * loading 8 bytes at each: every node is visited once per lap, in an order
 * no prefetcher can guess.
 *
 * @param options Seed, node count and spacing, steps, base address.
 * @returns The trace (`steps` loads), starting at node 0.
 *
 * @example One lap visits every node once
 * ```ts
 * import { pointerChaseTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = pointerChaseTrace({ seed: 3, nodes: 16, steps: 16 });
 * assert.equal(new Set(t.addresses).size, 16);
 * assert.equal(t.addresses[0], 0);
 * ```
 */
export function pointerChaseTrace(options: PointerChaseTraceOptions): Trace {
  const o = parseWith(PointerChaseTraceOptions, options, "Cannot generate pointer-chase trace");
  const prng = createPrng(o.seed);
  const order = new Uint32Array(o.nodes);
  for (let i = 0; i < o.nodes; i++) order[i] = i;
  for (let i = o.nodes - 1; i > 0; i--) {
    const j = prng.int(0, i); // Fisher-Yates; listing the shuffled nodes in a ring gives one cycle
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const next = new Uint32Array(o.nodes);
  for (let i = 0; i < o.nodes; i++) next[order[i]] = order[(i + 1) % o.nodes];
  const b = new TraceBuilder(o.steps);
  let node = 0;
  for (let s = 0; s < o.steps; s++) {
    b.push(OP_LOAD, o.baseAddress + node * o.nodeBytes, 8);
    node = next[node];
  }
  return b.build();
}
