/**
 * The real memory latency curve of this machine, measured by pointer
 * chasing: each load's address comes from the previous load, so the CPU can
 * neither overlap nor prefetch them, and the time per step is the latency of
 * whichever level of the hierarchy holds the working set.
 *
 * @module
 */

import { z } from "zod";
import { createPrng } from "../random/mod.ts";
import { MIN_MEMORY_LATENCY_NS } from "../cache/calibrate.ts";
import { escapeHtml, formatBytes, formatNs, htmlTable, textTable } from "./_format.ts";
import { keepAlive, medianOf, minOf, nowMs } from "./_timing.ts";
import { type CacheFact, environment, machineFacts, type ProbeEnvironment } from "./machine.ts";
import { type ProgressSink, resolveProgress } from "./progress.ts";

const LINE_BYTES = 64;
const INTS_PER_LINE = LINE_BYTES / 4;
const MiB = 1024 * 1024;

const LatencyOptionsSchema = z.object({
  minBytes: z.number().int().min(LINE_BYTES * 2).default(4 * 1024),
  maxBytes: z.number().int().min(LINE_BYTES * 2).default(64 * MiB),
  pointsPerDoubling: z.number().int().min(1).max(16).default(3),
  sizesBytes: z.array(z.number().int().min(LINE_BYTES * 2)).min(1).optional(),
  budgetMs: z.number().positive().max(600_000).default(4000),
  maxMemoryBytes: z.number().int().positive().default(512 * MiB),
  stepsPerRun: z.number().int().min(64).max(1 << 24).default(16384),
  maxRunsPerSize: z.number().int().min(2).default(400),
  seed: z.number().int().default(1),
  withCaches: z.boolean().default(true),
}).refine((o) => o.minBytes <= o.maxBytes, {
  path: ["maxBytes"],
  message: "maxBytes must be at least minBytes",
});

/** Options of {@linkcode measureLatencyCurve}. */
export interface LatencyOptions {
  /** Smallest working set (default 4 KiB). */
  minBytes?: number;
  /** Largest working set (default 64 MiB). */
  maxBytes?: number;
  /** Sizes per doubling between min and max (default 3). */
  pointsPerDoubling?: number;
  /** Explicit sizes instead of min/max/pointsPerDoubling (each rounded down to 64 B). */
  sizesBytes?: number[];
  /** Total time budget in ms, split across sizes, setup included (default 4000). */
  budgetMs?: number;
  /** Refuse to allocate more than this (default 512 MiB). */
  maxMemoryBytes?: number;
  /** Dependent loads per timed run (default 16384). */
  stepsPerRun?: number;
  /** Stop a size after this many runs even with budget left (default 400). */
  maxRunsPerSize?: number;
  /** Seed for the random cycle (default 1). */
  seed?: number;
  /** Attach the caches {@linkcode machineFacts} knows, from /sys or sysconf (default true). */
  withCaches?: boolean;
  /** Show progress: `true` for automatic, or a sink. */
  progress?: boolean | ProgressSink;
}

/** A measured latency curve: one point per working-set size. */
export interface LatencyCurve {
  /** Working-set sizes in bytes, ascending. */
  sizesBytes: number[];
  /** Minimum ns per dependent load at each size. */
  nsPerAccess: number[];
  /** Raw ns per load of every timed run, one array per size. */
  samples: number[][];
  /** Loads per timed run. */
  stepsPerRun: number;
  /** Seed of the random cycles. */
  seed: number;
  /** The time budget asked for. */
  budgetMs: number;
  /** Wall time actually spent, setup included. */
  elapsedMs: number;
  /** Caches of CPU 0 as {@linkcode machineFacts} knows them, each with its source (empty when unknown). */
  caches: CacheFact[];
  /** Where and when this was measured. */
  environment: ProbeEnvironment;
}

/**
 * Sizes from `minBytes` to `maxBytes`, `pointsPerDoubling` per doubling,
 * rounded down to whole 64-byte lines, without duplicates.
 */
function sweepSizes(minBytes: number, maxBytes: number, perDoubling: number): number[] {
  const sizes = new Set<number>();
  const doublings = Math.log2(maxBytes / minBytes);
  const count = Math.floor(doublings * perDoubling + 1e-9);
  for (let k = 0; k <= count; k++) {
    sizes.add(Math.floor((minBytes * 2 ** (k / perDoubling)) / LINE_BYTES) * LINE_BYTES);
  }
  sizes.add(Math.floor(maxBytes / LINE_BYTES) * LINE_BYTES);
  return [...sizes].sort((a, b) => a - b);
}

/**
 * Write a random single cycle over `lines` lines of `buf` starting at int
 * index `base` (one int per 64-byte line, at stride 16) with Sattolo's
 * algorithm, in place: `buf[base + 16 * i]` holds `base + 16 * next(i)`.
 */
function buildCycle(buf: Int32Array, lines: number, seed: number, base = 0): void {
  for (let i = 0; i < lines; i++) buf[base + i * INTS_PER_LINE] = base + i * INTS_PER_LINE;
  const prng = createPrng(seed);
  for (let i = lines - 1; i > 0; i--) {
    const j = prng.int(0, i - 1);
    const a = base + i * INTS_PER_LINE;
    const b = base + j * INTS_PER_LINE;
    const t = buf[a];
    buf[a] = buf[b];
    buf[b] = t;
  }
}

/**
 * Fewest timed runs at each place, even past the time budget: the first run
 * after building a large cycle is often slow, and a minimum of two left a
 * RAM-sized point at the mercy of one run on a busy machine.
 */
const MIN_RUNS_PER_PLACE = 4;

/** Most places in the buffer one working-set size is chased at (see measureLatencyCurve). */
const MAX_PLACEMENTS = 3;

/**
 * Int offsets of up to {@linkcode MAX_PLACEMENTS} disjoint, page-aligned places
 * in a buffer of `bufferBytes` for a working set of `sizeBytes`.
 */
function placements(sizeBytes: number, bufferBytes: number): number[] {
  const page = 4096;
  const span = Math.ceil(sizeBytes / page) * page;
  const count = Math.max(1, Math.min(MAX_PLACEMENTS, Math.floor(bufferBytes / span)));
  const stride = Math.floor(bufferBytes / count / page) * page;
  return Array.from({ length: count }, (_, k) => (k * stride) / 4);
}

/** Follow the chain `steps` times (a multiple of 4) from `start`; returns where it stopped. */
function chase(buf: Int32Array, start: number, steps: number): number {
  let p = start;
  for (let i = 0; i < steps; i += 4) {
    p = buf[p];
    p = buf[p];
    p = buf[p];
    p = buf[p];
  }
  return p;
}

function invalid(what: string, error: z.ZodError): never {
  throw new TypeError(`${what}: ${z.prettifyError(error)}`, { cause: error });
}

/**
 * Measure the latency curve: for each working-set size, chase a random
 * cyclic permutation (one element per 64-byte line, so every load touches a
 * new line) many times and keep the minimum ns per load. One buffer of the
 * largest size is reused for every size; the time budget covers everything.
 *
 * A working set is chased at up to three disjoint, page-aligned places in
 * the buffer, one after the other (each with a third of the size's time),
 * and the fastest run counts. Seen on
 * this course's AMD EPYC guest: now and then the pages under one small
 * working set read at about L2 speed although the set fits L1 (8 KiB at
 * 5.9 ns instead of 2.0 ns, for about one placement in five, different from
 * buffer to buffer and from place to place within one buffer, whatever the
 * seed). With one place only, such a set made L1 look slower than L2; every
 * run of every place stays in the raw samples.
 *
 * @param options Sizes, budget, memory cap, seed, progress (all optional).
 * @returns A {@linkcode LatencyCurve} with raw samples and a rich display.
 * @throws {TypeError} When an option is invalid (names the field and value).
 * @throws {RangeError} When the largest size exceeds `maxMemoryBytes`.
 *
 * @example A tiny curve: a working set far beyond L2 is slower than L1
 * ```ts
 * import { measureLatencyCurve } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const curve = await measureLatencyCurve({ sizesBytes: [8192, 16 * 1024 * 1024], budgetMs: 50, withCaches: false });
 * assert.equal(curve.samples.length, 2);
 * assert.ok(curve.samples.every((s) => s.length >= 2));
 * assert.ok(curve.nsPerAccess.every((ns) => ns > 0));
 * ```
 */
export async function measureLatencyCurve(options: LatencyOptions = {}): Promise<LatencyCurve> {
  const { progress, ...rest } = options;
  const parsed = LatencyOptionsSchema.safeParse(rest);
  if (!parsed.success) invalid("Cannot measure latency curve: invalid options", parsed.error);
  const o = parsed.data;
  const sizes = o.sizesBytes
    ? [...new Set(o.sizesBytes.map((s) => Math.floor(s / LINE_BYTES) * LINE_BYTES))].sort((a, b) =>
      a - b
    )
    : sweepSizes(o.minBytes, o.maxBytes, o.pointsPerDoubling);
  const largest = sizes[sizes.length - 1];
  if (largest > o.maxMemoryBytes) {
    throw new RangeError(
      `Cannot measure latency curve: largest size must not exceed maxMemoryBytes (${o.maxMemoryBytes}): received ${largest}`,
    );
  }
  const sink = resolveProgress(progress, "latency curve");
  const steps = Math.ceil(o.stepsPerRun / 4) * 4;
  const started = nowMs();
  const deadline = started + o.budgetMs;

  // Warm the chase up on a small cycle so it is optimised before timing.
  {
    const warm = new Int32Array(256 * INTS_PER_LINE);
    buildCycle(warm, 256, o.seed);
    let p = 0;
    for (let i = 0; i < 200; i++) p = chase(warm, p, 1024);
    keepAlive(p);
  }

  let buf: Int32Array | null = new Int32Array(largest / 4);
  const samples: number[][] = [];
  try {
    for (let s = 0; s < sizes.length; s++) {
      const lines = sizes[s] / LINE_BYTES;
      const sizeDeadline = nowMs() + Math.max(0, deadline - nowMs()) / (sizes.length - s);
      const bases = placements(sizes[s], largest)
        .slice(0, Math.max(1, Math.floor(o.maxRunsPerSize / MIN_RUNS_PER_PLACE)));
      const sizeStart = nowMs();
      const runs: number[] = [];
      let p = 0;
      for (let k = 0; k < bases.length; k++) {
        // One place after the other, each with its share of the time and runs.
        const placeDeadline = sizeStart + ((sizeDeadline - sizeStart) * (k + 1)) / bases.length;
        const placeRuns = Math.max(2, Math.floor(o.maxRunsPerSize / bases.length));
        buildCycle(buf, lines, o.seed + s + k * 7919, bases[k]);
        p = chase(buf, bases[k], steps); // untimed: bring the set into the caches
        const first = runs.length;
        while (runs.length - first < placeRuns) {
          const t0 = nowMs();
          p = chase(buf, p, steps);
          const t1 = nowMs();
          runs.push(((t1 - t0) * 1e6) / steps);
          if (runs.length - first >= MIN_RUNS_PER_PLACE && t1 >= placeDeadline) break;
        }
      }
      keepAlive(p);
      samples.push(runs);
      await sink.update((s + 1) / sizes.length, `${formatBytes(sizes[s])}`);
    }
  } finally {
    buf = null;
  }
  const elapsedMs = nowMs() - started;
  await sink.finish(`${sizes.length} sizes in ${(elapsedMs / 1000).toFixed(1)} s`);
  const curve: LatencyCurve = {
    sizesBytes: sizes,
    nsPerAccess: samples.map(minOf),
    samples,
    stepsPerRun: steps,
    seed: o.seed,
    budgetMs: o.budgetMs,
    elapsedMs,
    caches: o.withCaches ? machineFacts().caches : [],
    environment: environment(),
  };
  return withCurveDisplay(curve);
}

function withCurveDisplay(curve: LatencyCurve): LatencyCurve {
  Object.defineProperty(curve, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => {
      const headers = ["working set", "min ns/load", "median ns/load", "runs", "fits in"];
      const rows = curve.sizesBytes.map((size, i) => {
        const fits = curve.caches
          .filter((c) => c.type !== "Instruction" && c.sizeBytes !== null && size <= c.sizeBytes)
          .map((c) => `L${c.level} (${c.source})`)[0] ??
          (curve.caches.length ? "beyond the caches" : "?");
        return [
          formatBytes(size),
          formatNs(curve.nsPerAccess[i]),
          formatNs(medianOf(curve.samples[i])),
          String(curve.samples[i].length),
          fits,
        ];
      });
      const env = curve.environment;
      const caption = `Pointer chase, ${curve.stepsPerRun} loads per run, seed ${curve.seed}; ` +
        `${(curve.elapsedMs / 1000).toFixed(1)} s of a ${
          (curve.budgetMs / 1000).toFixed(1)
        } s budget; Deno ${env.deno}, ${env.os}/${env.arch}, ${env.date}`;
      return {
        "text/html": `<div><h4>Memory latency curve</h4>${
          htmlTable(headers, rows.map((r) => r.map(escapeHtml)))
        }<p><small>${escapeHtml(caption)}</small></p></div>`,
        "text/plain": `${textTable(headers, rows)}\n${caption}`,
      };
    },
  });
  return curve;
}

/** One plateau of a latency curve: a range of sizes with about the same latency. */
export interface LatencyPlateau {
  /** 1 for the fastest plateau, then 2, 3, ... */
  level: number;
  /** Smallest size on the plateau. */
  fromBytes: number;
  /** Largest size on the plateau: an estimate of that level's useful capacity. */
  toBytes: number;
  /** Median of the plateau's per-size minimum latencies. */
  latencyNs: number;
  /** Number of sizes on the plateau. */
  points: number;
}

/** Where the latency jumps from one plateau to the next. */
export interface LatencyJump {
  /** Last size of the faster plateau. */
  afterBytes: number;
  /** First size of the slower plateau. */
  beforeBytes: number;
  /** Slower plateau latency divided by faster plateau latency. */
  ratio: number;
}

/** Plateaus and jumps found by {@linkcode estimateLevels}. */
export interface LevelEstimate {
  /** Plateaus from fastest to slowest. */
  plateaus: LatencyPlateau[];
  /** Jumps between consecutive plateaus. */
  jumps: LatencyJump[];
  /** Sizes that belong to no plateau (transitions). */
  transitionBytes: number[];
  /** The settings used. */
  tolerance: number;
  /** The settings used. */
  minPoints: number;
}

const CurveShape = z.object({
  sizesBytes: z.array(z.number().positive()).min(1),
  nsPerAccess: z.array(z.number().positive().finite()).min(1),
}).refine((c) => c.sizesBytes.length === c.nsPerAccess.length, {
  path: ["nsPerAccess"],
  message: "nsPerAccess must have one value per size",
});

const LevelOptionsSchema = z.object({
  tolerance: z.number().gt(1).default(1.3),
  minPoints: z.number().int().min(1).default(2),
});

/**
 * Find the plateaus of a latency curve and the sizes where latency jumps.
 * Walking from small to large sizes, a point joins the current plateau when
 * its latency is within `tolerance` (a ratio) of the plateau's median;
 * plateaus with fewer than `minPoints` sizes are treated as transitions, and
 * neighbouring plateaus within `tolerance` of each other are merged (with
 * the transition points between them).
 *
 * @param curve At least `sizesBytes` and `nsPerAccess` (e.g. a {@linkcode LatencyCurve}).
 * @param options `tolerance` (default 1.3) and `minPoints` (default 2).
 * @returns A {@linkcode LevelEstimate} with a rich display.
 * @throws {TypeError} When the curve or options are malformed.
 *
 * @example Three clean steps
 * ```ts
 * import { estimateLevels } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const k = 1024;
 * const est = estimateLevels({
 *   sizesBytes: [8 * k, 16 * k, 32 * k, 128 * k, 256 * k, 512 * k, 8192 * k, 16384 * k],
 *   nsPerAccess: [1, 1.05, 1.1, 3.4, 3.5, 3.6, 80, 85],
 * });
 * assert.deepEqual(est.plateaus.map((p) => p.toBytes), [32 * k, 512 * k, 16384 * k]);
 * assert.ok(est.jumps[0].ratio > 3);
 * ```
 */
export function estimateLevels(
  curve: Pick<LatencyCurve, "sizesBytes" | "nsPerAccess">,
  options: { tolerance?: number; minPoints?: number } = {},
): LevelEstimate {
  const c = CurveShape.safeParse({
    sizesBytes: curve?.sizesBytes,
    nsPerAccess: curve?.nsPerAccess,
  });
  if (!c.success) invalid("Cannot estimate levels: invalid curve", c.error);
  const o = LevelOptionsSchema.safeParse(options);
  if (!o.success) invalid("Cannot estimate levels: invalid options", o.error);
  const { tolerance, minPoints } = o.data;
  const points = c.data.sizesBytes.map((size, i) => ({ size, ns: c.data.nsPerAccess[i] }))
    .sort((a, b) => a.size - b.size);
  const groups: { size: number; ns: number }[][] = [];
  let current: { size: number; ns: number }[] = [];
  for (const pt of points) {
    if (current.length > 0) {
      const ref = medianOf(current.map((q) => q.ns));
      if (Math.max(pt.ns / ref, ref / pt.ns) > tolerance) {
        groups.push(current);
        current = [];
      }
    }
    current.push(pt);
  }
  if (current.length > 0) groups.push(current);
  // Keep groups with enough points; merge neighbours (and the transition
  // points between them) whose latencies are within tolerance of each other.
  type Pt = { size: number; ns: number };
  const kept: Pt[][] = [];
  let pending: Pt[] = [];
  for (const g of groups) {
    if (g.length < minPoints) {
      pending.push(...g);
      continue;
    }
    const prev = kept[kept.length - 1];
    if (prev) {
      const a = medianOf(prev.map((q) => q.ns)), b = medianOf(g.map((q) => q.ns));
      if (Math.max(a / b, b / a) <= tolerance) {
        prev.push(...pending, ...g);
        pending = [];
        continue;
      }
    }
    kept.push([...g]);
    pending = [];
  }
  const inPlateau = new Set(kept.flat().map((q) => q.size));
  const transitionBytes = points.map((q) => q.size).filter((size) => !inPlateau.has(size));
  const plateaus: LatencyPlateau[] = kept.map((g, i) => ({
    level: i + 1,
    fromBytes: g[0].size,
    toBytes: g[g.length - 1].size,
    latencyNs: medianOf(g.map((q) => q.ns)),
    points: g.length,
  }));
  const jumps: LatencyJump[] = plateaus.slice(1).map((p, i) => ({
    afterBytes: plateaus[i].toBytes,
    beforeBytes: p.fromBytes,
    ratio: p.latencyNs / plateaus[i].latencyNs,
  }));
  const estimate: LevelEstimate = { plateaus, jumps, transitionBytes, tolerance, minPoints };
  Object.defineProperty(estimate, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => {
      const headers = ["plateau", "sizes", "latency ns", "points", "jump to next"];
      const rows = plateaus.map((p, i) => [
        String(p.level),
        `${formatBytes(p.fromBytes)} – ${formatBytes(p.toBytes)}`,
        formatNs(p.latencyNs),
        String(p.points),
        jumps[i] ? `×${jumps[i].ratio.toFixed(1)} after ${formatBytes(jumps[i].afterBytes)}` : "",
      ]);
      return {
        "text/html": `<div><h4>Latency plateaus</h4>${
          htmlTable(headers, rows.map((r) => r.map(escapeHtml)))
        }</div>`,
        "text/plain": textTable(headers, rows),
      };
    },
  });
  return estimate;
}

/** A cache to compare with the plateaus (the shape of `machineFacts().caches`). */
export interface KnownCache {
  /** Cache level. */
  level: number | null;
  /** What it holds; instruction caches are ignored. */
  type: "Data" | "Instruction" | "Unified" | null;
  /** Capacity in bytes, or `null` when unknown. */
  sizeBytes: number | null;
  /** Where the size came from. */
  source: string;
}

/**
 * Sentences that read a latency curve's plateaus against the cache sizes
 * this machine reported, written from the numbers: which plateau ends near
 * which cache, which cache shows no plateau of its own, and where RAM
 * begins. They hold whatever the curve looks like, because they are made
 * from it.
 *
 * @param estimate Plateaus from {@linkcode estimateLevels}.
 * @param caches Known caches with their source (e.g. `machineFacts().caches`).
 * @returns A short paragraph in Markdown.
 *
 * @example An L1 plateau that ends at the reported size, and an L3 that shows none
 * ```ts
 * import { describeLatencyLevels } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const K = 1024, M = K * K;
 * const text = describeLatencyLevels(
 *   { plateaus: [
 *     { level: 1, fromBytes: 4 * K, toBytes: 32 * K, latencyNs: 1.4, points: 4 },
 *     { level: 2, fromBytes: 64 * K, toBytes: 256 * K, latencyNs: 4, points: 3 },
 *     { level: 3, fromBytes: 16 * M, toBytes: 64 * M, latencyNs: 120, points: 3 },
 *   ] },
 *   [
 *     { level: 1, type: "Data", sizeBytes: 32 * K, source: "/sys" },
 *     { level: 2, type: "Unified", sizeBytes: 512 * K, source: "/sys" },
 *     { level: 3, type: "Unified", sizeBytes: 32 * M, source: "/sys" },
 *   ],
 * );
 * assert.match(text, /L1d \(32 KiB, from \/sys\): a plateau ends at 32 KiB/);
 * assert.match(text, /L3 \(32 MiB, from \/sys\): no plateau of its own/);
 * assert.match(text, /RAM: 120 ns per load from 16 MiB/);
 * ```
 */
export function describeLatencyLevels(
  estimate: Pick<LevelEstimate, "plateaus">,
  caches: readonly KnownCache[],
): string {
  const plateaus = estimate.plateaus;
  if (plateaus.length === 0) return "The curve shows no plateau at all: it was too noisy to read.";
  let ram = plateaus.length - 1;
  while (ram > 0 && plateaus[ram - 1].latencyNs >= MIN_MEMORY_LATENCY_NS) ram--;
  const cachePlateaus = plateaus.slice(0, ram);
  const out: string[] = [
    `The curve shows ${plateaus.length} plateau${plateaus.length === 1 ? "" : "s"}: ${
      plateaus.map((p) =>
        `${formatNs(p.latencyNs)} ns from ${formatBytes(p.fromBytes)} to ${formatBytes(p.toBytes)}`
      ).join(", ")
    }.`,
  ];
  const data = caches.filter((c) => c.type !== "Instruction" && c.sizeBytes !== null);
  if (data.length === 0) {
    out.push(
      "No cache size is known for this machine, so these plateaus are the only evidence of its levels.",
    );
  }
  for (const c of data) {
    const size = c.sizeBytes!;
    const name = `L${c.level}${c.type === "Data" ? "d" : ""} (${
      formatBytes(size)
    }, from ${c.source})`;
    const distance = (p: LatencyPlateau) => Math.abs(Math.log2(p.toBytes / size));
    const near = cachePlateaus.filter((p) => p.toBytes <= size * 1.5 && p.toBytes >= size / 2)
      .sort((a, b) => distance(a) - distance(b))[0];
    const inside = cachePlateaus.filter((p) => p.toBytes <= size * 1.5);
    if (near) {
      out.push(`${name}: a plateau ends at ${formatBytes(near.toBytes)}, close to its size.`);
    } else if (inside.length && cachePlateaus.every((p) => p.toBytes < size / 2)) {
      out.push(
        `${name}: no plateau of its own near its size; the last cache plateau ends at ${
          formatBytes(inside[inside.length - 1].toBytes)
        }, so this program got much less of it than its size (a shared cache is also used by other programs).`,
      );
    } else {
      out.push(`${name}: no plateau of its own ends near its size.`);
    }
  }
  const largest = data.reduce((m, c) => Math.max(m, c.sizeBytes!), 0);
  const beyond = data.length ? cachePlateaus.filter((p) => p.fromBytes > largest) : [];
  if (beyond.length) {
    out.push(
      `${
        beyond.map((p) =>
          `The plateau at ${formatNs(p.latencyNs)} ns from ${formatBytes(p.fromBytes)} to ${
            formatBytes(p.toBytes)
          }`
        )
          .join(" and ")
      } lies beyond every reported cache: a level the machine did not report (or reported implausibly).`,
    );
  }
  out.push(
    `RAM: ${formatNs(plateaus[ram].latencyNs)} ns per load from ${
      formatBytes(plateaus[ram].fromBytes)
    }${
      ram < plateaus.length - 1
        ? `, rising to ${formatNs(plateaus[plateaus.length - 1].latencyNs)} ns at ${
          formatBytes(plateaus[plateaus.length - 1].toBytes)
        }`
        : ""
    }${
      ram === plateaus.length - 1 && plateaus[ram].latencyNs < MIN_MEMORY_LATENCY_NS
        ? ` (the slowest plateau; it may not be RAM yet if the sweep stopped early)`
        : ""
    }.`,
  );
  return out.join(" ");
}
