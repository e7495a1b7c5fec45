/**
 * Access patterns on one real buffer: sequential reads, one read per cache
 * line, a random gather, and an N×N matrix traversed row by row versus
 * column by column. Each is timed as ns per element read and GB/s.
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
  // Write every element so each page is really backed (reading a fresh
  // buffer would map the shared zero page and flatter every pattern).
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
