/**
 * Access patterns on one real buffer: sequential reads, one read per cache
 * line, a random gather, and an N×N matrix traversed row by row versus
 * column by column. Each is timed as ns per element read and GB/s. And
 * memory-level parallelism: the same column walk as independent loads and
 * as a dependent chain over the same addresses.
 *
 * @module
 */

import { z } from "zod";
import { createPrng } from "../random/mod.ts";
import { escapeHtml, formatBytes, formatNs, htmlTable, textTable } from "./_format.ts";
import { keepAlive, medianOf, minOf, nowMs } from "./_timing.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";
import { type ProgressSink, resolveProgress } from "./progress.ts";

const MiB = 1024 * 1024;

/** The access patterns {@linkcode measureAccessPatterns} knows. */
export type AccessPatternName =
  | "sequential"
  | "line-stride"
  | "random-gather"
  | "row-major"
  | "column-major";

const PATTERN_NAMES = [
  "sequential",
  "line-stride",
  "random-gather",
  "row-major",
  "column-major",
] as const;

const PatternOptionsSchema = z.object({
  bufferBytes: z.number().int().min(4096).default(32 * MiB),
  matrixN: z.number().int().min(8).max(16384).default(2048),
  gatherCount: z.number().int().min(16).default(1 << 20),
  patterns: z.array(z.enum(PATTERN_NAMES)).min(1).default([...PATTERN_NAMES]),
  budgetMs: z.number().positive().max(600_000).default(2000),
  maxMemoryBytes: z.number().int().positive().default(512 * MiB),
  minRuns: z.number().int().min(1).max(100).default(3),
  maxRuns: z.number().int().min(1).default(50),
  seed: z.number().int().default(1),
}).refine((o) => o.minRuns <= o.maxRuns, {
  path: ["maxRuns"],
  message: "maxRuns must be at least minRuns",
});

/** Options of {@linkcode measureAccessPatterns}. */
export interface PatternOptions {
  /** Bytes read by the sequential, line-stride and random-gather patterns (default 32 MiB). */
  bufferBytes?: number;
  /** Matrix side for row-major and column-major (default 2048, i.e. 32 MiB of Float64). */
  matrixN?: number;
  /** Elements read by one random-gather run (default 2^20). */
  gatherCount?: number;
  /** Which patterns to run (default all). */
  patterns?: AccessPatternName[];
  /** Total time budget in ms, setup included (default 2000). */
  budgetMs?: number;
  /** Refuse to allocate more than this, index array included (default 512 MiB). */
  maxMemoryBytes?: number;
  /** Timed runs per pattern even past the budget (default 3). */
  minRuns?: number;
  /** Timed runs per pattern at most (default 50). */
  maxRuns?: number;
  /** Seed for the gather indices (default 1). */
  seed?: number;
  /** Show progress: `true` for automatic, or a sink. */
  progress?: boolean | ProgressSink;
}

/** One measured pattern. */
export interface PatternMeasurement {
  /** The pattern. */
  name: AccessPatternName;
  /** Float64 elements read per run. */
  elements: number;
  /** Bytes between consecutive reads (0 for random gather). */
  strideBytes: number;
  /** Fastest run, ns per element. */
  nsPerElement: number;
  /** Useful bytes per second of the fastest run (8 bytes per element), in GB/s (1e9). */
  gbPerSecond: number;
  /** Bytes the memory system had to move (a whole 64-byte line per element for scattered reads), GB/s. */
  trafficGbPerSecond: number;
  /** Raw ns per element of every timed run. */
  samples: number[];
}

/** Result of {@linkcode measureAccessPatterns}. */
export interface AccessPatternResult {
  /** One entry per pattern, in the order asked for. */
  patterns: PatternMeasurement[];
  /** Buffer size used by the 1-D patterns. */
  bufferBytes: number;
  /** Matrix side used by the 2-D patterns. */
  matrixN: number;
  /** Seed of the gather indices. */
  seed: number;
  /** The time budget asked for. */
  budgetMs: number;
  /** Wall time actually spent. */
  elapsedMs: number;
  /** Where and when this was measured. */
  environment: ProbeEnvironment;
}

function sumSequential(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i];
  return s;
}

function sumStride(a: Float64Array, n: number, stride: number): number {
  let s = 0;
  for (let i = 0; i < n; i += stride) s += a[i];
  return s;
}

function sumGather(a: Float64Array, idx: Int32Array): number {
  let s = 0;
  for (let k = 0; k < idx.length; k++) s += a[idx[k]];
  return s;
}

function sumRowMajor(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) s += a[row + j];
  }
  return s;
}

function sumColumnMajor(a: Float64Array, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) s += a[i * n + j];
  }
  return s;
}

/**
 * Measure sequential, line-stride, random-gather, row-major and
 * column-major reads on one buffer. Every pattern is warmed up once, then the
 * patterns take turns (round robin) until the budget is spent; the fastest
 * run of each is kept, with all runs as raw samples.
 *
 * @param options Sizes, patterns, budget, memory cap, seed, progress.
 * @returns An {@linkcode AccessPatternResult} with a rich display.
 * @throws {TypeError} When an option is invalid (names the field and value).
 * @throws {RangeError} When the buffers would exceed `maxMemoryBytes`.
 *
 * @example Sequential against random on a small buffer
 * ```ts
 * import { measureAccessPatterns } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await measureAccessPatterns({
 *   bufferBytes: 1 << 20, matrixN: 64, gatherCount: 4096, budgetMs: 50,
 *   patterns: ["sequential", "random-gather"],
 * });
 * assert.deepEqual(r.patterns.map((p) => p.name), ["sequential", "random-gather"]);
 * assert.ok(r.patterns.every((p) => p.samples.length >= 3 && p.gbPerSecond > 0));
 * ```
 */
export async function measureAccessPatterns(
  options: PatternOptions = {},
): Promise<AccessPatternResult> {
  const { progress, ...rest } = options;
  const parsed = PatternOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    throw new TypeError(
      `Cannot measure access patterns: invalid options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const o = parsed.data;
  const wanted = [...new Set(o.patterns)];
  const oneD = wanted.some((p) => p !== "row-major" && p !== "column-major");
  const twoD = wanted.some((p) => p === "row-major" || p === "column-major");
  const elements = Math.floor(o.bufferBytes / 8);
  const needElements = Math.max(oneD ? elements : 0, twoD ? o.matrixN * o.matrixN : 0);
  const gatherBytes = wanted.includes("random-gather") ? o.gatherCount * 4 : 0;
  const totalBytes = needElements * 8 + gatherBytes;
  if (totalBytes > o.maxMemoryBytes) {
    throw new RangeError(
      `Cannot measure access patterns: buffers must fit in maxMemoryBytes (${o.maxMemoryBytes}): received ${totalBytes} bytes`,
    );
  }
  const sink = resolveProgress(progress, "access patterns");
  const started = nowMs();
  const deadline = started + o.budgetMs;

  let buf: Float64Array | null = new Float64Array(needElements);
  // Write every element so each page is really backed: on kernels that map
  // the shared zero page on a read fault, reading a fresh buffer would hit one
  // cached page and flatter every pattern.
  for (let i = 0; i < needElements; i++) buf[i] = i & 255;
  let idx: Int32Array | null = null;
  if (gatherBytes > 0) {
    idx = new Int32Array(o.gatherCount);
    const prng = createPrng(o.seed);
    for (let k = 0; k < idx.length; k++) idx[k] = prng.int(0, elements - 1);
  }
  const n = o.matrixN;
  const lineStride = 8; // 64 bytes of Float64
  const plan: Record<
    AccessPatternName,
    { run: () => number; count: number; stride: number; trafficPerElement: number }
  > = {
    "sequential": {
      run: () => sumSequential(buf!, elements),
      count: elements,
      stride: 8,
      trafficPerElement: 8,
    },
    "line-stride": {
      run: () => sumStride(buf!, elements, lineStride),
      count: Math.ceil(elements / lineStride),
      stride: 64,
      trafficPerElement: 64,
    },
    "random-gather": {
      run: () => sumGather(buf!, idx!),
      count: o.gatherCount,
      stride: 0,
      trafficPerElement: 64,
    },
    "row-major": { run: () => sumRowMajor(buf!, n), count: n * n, stride: 8, trafficPerElement: 8 },
    "column-major": {
      run: () => sumColumnMajor(buf!, n),
      count: n * n,
      stride: n * 8,
      trafficPerElement: n * 8 >= 64 ? 64 : n * 8,
    },
  };
  const samples = new Map<AccessPatternName, number[]>(wanted.map((p) => [p, []]));
  try {
    // Warm-up: one untimed pass of each pattern (compiles, fills TLB/caches).
    for (const p of wanted) keepAlive(plan[p].run());
    let round = 0;
    for (;;) {
      for (const p of wanted) {
        const t0 = nowMs();
        const s = plan[p].run();
        const t1 = nowMs();
        keepAlive(s);
        samples.get(p)!.push(((t1 - t0) * 1e6) / plan[p].count);
      }
      round++;
      await sink.update(
        Math.min(1, (nowMs() - started) / o.budgetMs),
        `round ${round}`,
      );
      if (round >= o.maxRuns) break;
      if (round >= o.minRuns && nowMs() >= deadline) break;
    }
  } finally {
    buf = null;
    idx = null;
  }
  const elapsedMs = nowMs() - started;
  await sink.finish(`${wanted.length} patterns in ${(elapsedMs / 1000).toFixed(1)} s`);
  const result: AccessPatternResult = {
    patterns: wanted.map((name) => {
      const runs = samples.get(name)!;
      const ns = minOf(runs);
      return {
        name,
        elements: plan[name].count,
        strideBytes: plan[name].stride,
        nsPerElement: ns,
        gbPerSecond: 8 / ns,
        trafficGbPerSecond: plan[name].trafficPerElement / ns,
        samples: runs,
      };
    }),
    bufferBytes: elements * 8,
    matrixN: n,
    seed: o.seed,
    budgetMs: o.budgetMs,
    elapsedMs,
    environment: environment(),
  };
  Object.defineProperty(result, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => {
      const headers = [
        "pattern",
        "elements",
        "min ns/element",
        "median",
        "GB/s useful",
        "GB/s moved",
        "runs",
      ];
      const rows = result.patterns.map((p) => [
        p.name,
        String(p.elements),
        formatNs(p.nsPerElement),
        formatNs(medianOf(p.samples)),
        p.gbPerSecond.toFixed(2),
        p.trafficGbPerSecond.toFixed(2),
        String(p.samples.length),
      ]);
      const caption = `1-D buffer ${formatBytes(result.bufferBytes)}, matrix ${n}×${n} Float64, ` +
        `seed ${result.seed}; ${
          (elapsedMs / 1000).toFixed(1)
        } s; Deno ${result.environment.deno}, ` +
        `${result.environment.date}`;
      return {
        "text/html": `<div><h4>Access patterns</h4>${
          htmlTable(headers, rows.map((r) => r.map(escapeHtml)))
        }<p><small>${escapeHtml(caption)}</small></p></div>`,
        "text/plain": `${textTable(headers, rows)}\n${caption}`,
      };
    },
  });
  return result;
}

const ParallelismOptionsSchema = z.object({
  matrixN: z.number().int().min(16).max(4096).default(1024),
  budgetMs: z.number().positive().max(600_000).default(1000),
  minRuns: z.number().int().min(1).max(100).default(3),
  maxRuns: z.number().int().min(1).default(40),
}).refine((o) => o.minRuns <= o.maxRuns, {
  path: ["maxRuns"],
  message: "maxRuns must be at least minRuns",
});

/** Options of {@linkcode measureMemoryParallelism}. */
export interface ParallelismOptions {
  /** Matrix side: N×N elements of 8 bytes, walked column by column, so the stride is 8·N bytes (default 1024: 8 KiB stride, 8 MiB). */
  matrixN?: number;
  /** Total time budget in ms, setup included (default 1000). */
  budgetMs?: number;
  /** Timed runs of each walk even past the budget (default 3). */
  minRuns?: number;
  /** Timed runs of each walk at most (default 40). */
  maxRuns?: number;
  /** Show progress: `true` for automatic, or a sink. */
  progress?: boolean | ProgressSink;
}

/** Result of {@linkcode measureMemoryParallelism}. */
export interface ParallelismResult {
  /** Matrix side. */
  matrixN: number;
  /** Bytes between consecutive loads of a column (8·N). */
  strideBytes: number;
  /** Loads per walk (N²). */
  loads: number;
  /** Fastest run of the independent column walk, ns per load. */
  independentNs: number;
  /** Fastest run of the dependent walk over the same addresses, ns per load. */
  dependentNs: number;
  /**
   * `dependentNs / independentNs`: about how many of the independent loads
   * were in flight at once (1 means no overlap at all).
   */
  overlap: number;
  /** Raw ns per load of every run: independent, then dependent. */
  samples: { independent: number[]; dependent: number[] };
  /** The time budget asked for. */
  budgetMs: number;
  /** Wall time actually spent. */
  elapsedMs: number;
  /** Where and when this was measured. */
  environment: ProbeEnvironment;
}

/** Sum the N×N matrix (8 bytes per element, first int32 of each read) column by column. */
function sumColumnsInt(buf: Int32Array, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) s += buf[(i * n + j) * 2];
  }
  return s;
}

/** Follow `steps` links from `start`: each load's address is the value the previous load returned. */
function chaseLinks(buf: Int32Array, start: number, steps: number): number {
  let p = start;
  for (let k = 0; k < steps; k++) p = buf[p];
  return p;
}

/**
 * Measure memory-level parallelism on a column walk: the same N² loads, at
 * the same addresses in the same order (down each column of an N×N matrix
 * of 8-byte elements, a stride of 8·N bytes), timed twice: once as
 * independent loads whose addresses the core computes itself, and once as a
 * dependent chain in which each element holds the index of the next one, so
 * a load cannot start before the previous one returns.
 *
 * A hardware prefetcher sees only the addresses, which are identical in
 * both walks, so whatever it does helps both (and a stride of 8 KiB crosses
 * a 4 KiB page on every load, which prefetchers do not follow). What only
 * the independent walk gets is the core's ability to keep many misses in
 * flight at once: the ratio `overlap` = dependent ÷ independent measures it.
 *
 * @param options Matrix side, budget, run counts, progress.
 * @returns A {@linkcode ParallelismResult} with raw samples and a rich display.
 * @throws {TypeError} When an option is invalid (names the field and value).
 *
 * @example A small matrix: both walks are timed, and the ratio is their quotient
 * ```ts
 * import { measureMemoryParallelism } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await measureMemoryParallelism({ matrixN: 64, budgetMs: 30 });
 * assert.equal(r.strideBytes, 512);
 * assert.equal(r.loads, 4096);
 * assert.ok(r.samples.independent.length >= 3 && r.samples.dependent.length >= 3);
 * assert.equal(r.overlap, r.dependentNs / r.independentNs);
 * ```
 */
export async function measureMemoryParallelism(
  options: ParallelismOptions = {},
): Promise<ParallelismResult> {
  const { progress, ...rest } = options;
  const parsed = ParallelismOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    throw new TypeError(
      `Cannot measure memory parallelism: invalid options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const o = parsed.data;
  const n = o.matrixN;
  const loads = n * n;
  const sink = resolveProgress(progress, "memory parallelism");
  const started = nowMs();
  const deadline = started + o.budgetMs;
  // Two int32 per 8-byte element: the first holds the link to the next element of the walk.
  let buf: Int32Array | null = new Int32Array(loads * 2);
  const independent: number[] = [];
  const dependent: number[] = [];
  try {
    let prev = 0;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const at = (i * n + j) * 2;
        if (i !== 0 || j !== 0) buf[prev] = at;
        prev = at;
      }
    }
    buf[prev] = 0; // the last element links back to the first: one cycle in column order
    keepAlive(sumColumnsInt(buf, n)); // warm-up (compiles, fills caches and TLB)
    let p = chaseLinks(buf, 0, loads);
    for (let round = 1;; round++) {
      let t0 = nowMs();
      keepAlive(sumColumnsInt(buf, n));
      let t1 = nowMs();
      independent.push(((t1 - t0) * 1e6) / loads);
      t0 = nowMs();
      p = chaseLinks(buf, p, loads);
      t1 = nowMs();
      dependent.push(((t1 - t0) * 1e6) / loads);
      await sink.update(Math.min(1, (t1 - started) / o.budgetMs), `round ${round}`);
      if (round >= o.maxRuns || (round >= o.minRuns && t1 >= deadline)) break;
    }
    keepAlive(p);
  } finally {
    buf = null;
  }
  const elapsedMs = nowMs() - started;
  await sink.finish(`${independent.length} rounds in ${(elapsedMs / 1000).toFixed(1)} s`);
  const independentNs = minOf(independent), dependentNs = minOf(dependent);
  const result: ParallelismResult = {
    matrixN: n,
    strideBytes: 8 * n,
    loads,
    independentNs,
    dependentNs,
    overlap: dependentNs / independentNs,
    samples: { independent, dependent },
    budgetMs: o.budgetMs,
    elapsedMs,
    environment: environment(),
  };
  Object.defineProperty(result, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => {
      const headers = ["walk down the columns", "min ns/load", "median", "runs"];
      const rows = [
        ["independent loads", independentNs, independent] as const,
        ["dependent chain, same addresses", dependentNs, dependent] as const,
      ].map((
        [name, best, runs],
      ) => [name, formatNs(best), formatNs(medianOf(runs)), String(runs.length)]);
      const caption = `${n}×${n} elements of 8 bytes (${formatBytes(loads * 8)}), stride ${
        formatBytes(8 * n)
      }; ${
        describeParallelism(result)
      } Deno ${result.environment.deno}, ${result.environment.date}`;
      return {
        "text/html": `<div><h4>Memory-level parallelism</h4>${
          htmlTable(headers, rows.map((r) => r.map(escapeHtml)))
        }<p><small>${escapeHtml(caption)}</small></p></div>`,
        "text/plain": `${textTable(headers, rows)}\n${caption}`,
      };
    },
  });
  return result;
}

/**
 * Say in one or two sentences what a parallelism measurement shows, from
 * its numbers: how much faster the independent walk was, and what that
 * means (loads overlapping, or not).
 *
 * @param r A result of {@linkcode measureMemoryParallelism} (its numbers suffice).
 * @returns The sentences, for a lesson or a caption.
 *
 * @example Overlap, and none
 * ```ts
 * import { describeParallelism } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const base = { strideBytes: 8192 };
 * assert.match(
 *   describeParallelism({ ...base, independentNs: 2, dependentNs: 14, overlap: 7 }),
 *   /about 7.0 loads were in flight at once/,
 * );
 * assert.match(
 *   describeParallelism({ ...base, independentNs: 10, dependentNs: 11, overlap: 1.1 }),
 *   /hardly any/,
 * );
 * ```
 */
export function describeParallelism(
  r: Pick<ParallelismResult, "strideBytes" | "independentNs" | "dependentNs" | "overlap">,
): string {
  const ind = formatNs(r.independentNs), dep = formatNs(r.dependentNs);
  const head = `The same loads, ${
    formatBytes(r.strideBytes)
  } apart, took ${ind} ns each when independent and ${dep} ns when each waited for the one before`;
  if (r.overlap >= 1.5) {
    return `${head}: about ${
      r.overlap.toFixed(r.overlap < 10 ? 1 : 0)
    } loads were in flight at once. The addresses are the same in both walks, so a prefetcher would have helped both; the gap is memory-level parallelism.`;
  }
  return `${head}: hardly any overlap here (×${
    r.overlap.toFixed(1)
  }), so on this machine, at this moment, the independent loads were not much cheaper than the chain.`;
}

/**
 * One sentence ranking the one-dimensional patterns of a measurement by
 * their cost per element, written from its numbers.
 *
 * @param r A result of {@linkcode measureAccessPatterns}.
 * @returns The sentence, or an empty string when it holds no 1-D pattern.
 *
 * @example Sequential is cheapest here
 * ```ts
 * import { describeAccessPatterns } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const p = (name: "sequential" | "line-stride" | "random-gather", nsPerElement: number) => ({ name, nsPerElement });
 * assert.equal(
 *   describeAccessPatterns({ patterns: [p("random-gather", 9), p("sequential", 0.5), p("line-stride", 2)] }),
 *   "Here, per element read: sequential 0.500 ns, one read per 64-byte line 2.00 ns, random reads 9.00 ns (cheapest first).",
 * );
 * ```
 */
export function describeAccessPatterns(
  r: { patterns: readonly Pick<PatternMeasurement, "name" | "nsPerElement">[] },
): string {
  const names: Partial<Record<AccessPatternName, string>> = {
    "sequential": "sequential",
    "line-stride": "one read per 64-byte line",
    "random-gather": "random reads",
  };
  const oneD = r.patterns.filter((p) => names[p.name] !== undefined)
    .sort((a, b) => a.nsPerElement - b.nsPerElement);
  if (oneD.length === 0) return "";
  return `Here, per element read: ${
    oneD.map((p) => `${names[p.name]} ${formatNs(p.nsPerElement)} ns`).join(", ")
  } (cheapest first).`;
}
