/**
 * A simulated hierarchy calibrated from a measured latency curve: the
 * plateaus give each level's cost in nanoseconds, the operating system's
 * cache list (when known) gives each level's geometry, and a simulated
 * pointer chase through the result predicts the time per access at any
 * working-set size.
 *
 * Pure: the measurement is passed in as plain data (no probe, no clock).
 *
 * @module
 */
import { pointerChaseTrace } from "../trace/generators.ts";
import { type CacheHierarchyConfig, CacheSimulator } from "./simulator.ts";

/** A plateau of a measured latency curve (the shape `estimateLevels` returns). */
export interface PlateauInput {
  /** Smallest working set on the plateau, in bytes. */
  fromBytes: number;
  /** Largest working set on the plateau, in bytes. */
  toBytes: number;
  /** Time per dependent load on the plateau, in ns. */
  latencyNs: number;
  /** Number of measured sizes on the plateau (default 1); decides between plateaus of one level. */
  points?: number;
}

/** A cache as the operating system describes it (the shape of `machineFacts().caches`). */
export interface CacheDescription {
  /** Cache level, 1 for the closest to the core. */
  level: number | null;
  /** What it holds; instruction caches are ignored. */
  type: "Data" | "Instruction" | "Unified" | null;
  /** Capacity in bytes. */
  sizeBytes: number | null;
  /** Lines per set. */
  ways: number | null;
  /** Bytes per line. */
  lineBytes: number | null;
}

/** Options of {@linkcode calibrateHierarchy}. */
export interface CalibrationOptions {
  /** The curve's plateaus, fastest first; the last one is taken to be main memory. */
  plateaus: readonly PlateauInput[];
  /** The machine's caches; without them, sizes come from the plateaus. */
  caches?: readonly CacheDescription[];
  /** Line size when the caches do not say (default 64). */
  lineBytes?: number;
  /** Associativity when the caches do not say (default 8). */
  ways?: number;
}

/** One level of a calibrated hierarchy. */
export interface CalibratedLevel {
  /** `L1`, `L2`, ... as the operating system numbers them, or by plateau order. */
  name: string;
  /** Capacity in bytes. */
  sizeBytes: number;
  /** Lines per set. */
  ways: number;
  /** Bytes per line. */
  lineBytes: number;
  /** The plateau's measured time per load, in ns (everything above included). */
  measuredNs: number;
  /** What this level adds to an access that reaches it, in ns (its plateau minus the one above). */
  costNs: number;
  /** Where the geometry came from: the operating system, or the plateau's extent. */
  geometryFrom: "caches" | "plateau";
}

/** A hierarchy calibrated from measurements; its simulated AMAT comes out in ns. */
export interface CalibratedHierarchy {
  /** The levels, fastest first. */
  levels: CalibratedLevel[];
  /** The slowest plateau's time per load, in ns: main memory, all caches missed. */
  memoryMeasuredNs: number;
  /** What memory adds to an access that misses every level, in ns. */
  memoryCostNs: number;
  /**
   * A simulator configuration with latencies in ns: each `latencyCycles` is a
   * level's `costNs`, so one simulated "cycle" is one nanosecond.
   */
  config: CacheHierarchyConfig;
  /** What the calibration had to guess or leave out, in plain words. */
  notes: string[];
}

/**
 * A plateau slower than this is main memory, not a cache: the slowest L3s
 * answer a dependent load in about 50 ns, RAM in 80 ns or more (and more
 * again once the page-table walks miss the caches too, which splits RAM
 * into several plateaus on a long curve).
 */
export const MIN_MEMORY_LATENCY_NS = 60;

const largestPowerOfTwoAtMost = (n: number) => 2 ** Math.floor(Math.log2(n));

function invalid(message: string, received: unknown): never {
  throw new RangeError(
    `Cannot calibrate hierarchy: ${message}: received ${JSON.stringify(received)}`,
  );
}

/**
 * The plateaus whose latency rises strictly from one to the next, chosen to
 * keep as many measured sizes as possible (the rising subsequence with the
 * most points; a plateau counts 1 without `points`): latency only grows
 * down the hierarchy, so a plateau out of order is noise, or a level the
 * buffer's placement slowed down or sped up. One note per plateau left out.
 */
function risingPlateaus(
  plateaus: readonly PlateauInput[],
  notes: string[],
): { p: PlateauInput; index: number }[] {
  const n = plateaus.length;
  const weight = (k: number) => plateaus[k].points ?? 1;
  const best: number[] = [], prev: number[] = [];
  for (let k = 0; k < n; k++) {
    best[k] = weight(k);
    prev[k] = -1;
    for (let i = 0; i < k; i++) {
      if (plateaus[i].latencyNs < plateaus[k].latencyNs && best[i] + weight(k) > best[k]) {
        best[k] = best[i] + weight(k);
        prev[k] = i;
      }
    }
  }
  let end = -1;
  for (let k = 0; k < n; k++) if (end < 0 || best[k] > best[end]) end = k;
  const keep = new Set<number>();
  for (let k = end; k >= 0; k = prev[k]) keep.add(k);
  const rising = plateaus.map((p, index) => ({ p, index })).filter((q) => keep.has(q.index));
  plateaus.forEach((p, index) => {
    if (keep.has(index)) return;
    const clash = rising.find((q) =>
      q.index < index ? q.p.latencyNs >= p.latencyNs : q.p.latencyNs <= p.latencyNs
    );
    notes.push(
      `plateau ${index + 1} (${p.latencyNs.toFixed(2)} ns) is out of order${
        clash ? ` with plateau ${clash.index + 1} (${clash.p.latencyNs.toFixed(2)} ns)` : ""
      }: latency only rises down the hierarchy, so it is left out (the plateaus kept hold more of the measured sizes)`,
    );
  });
  return rising;
}

/**
 * Build a simulated hierarchy from a measured latency curve. Latency only
 * grows down the hierarchy, so the plateaus used are those whose latency
 * rises strictly, chosen to keep the most measured sizes; the others are
 * left out, with a note. The last plateau is main memory (RAM), and so is every
 * plateau that starts beyond the given L3 (or L4) or is slower than
 * {@linkcode MIN_MEMORY_LATENCY_NS} (on a long curve, page-table walks split
 * RAM into several plateaus); the model's memory takes the one with the
 * most sizes (the later one on a tie). Every other plateau is matched, in order, to the
 * smallest of the given data caches larger than the plateau's smallest
 * working set. A cache that gets no plateau (a shared L3 that other
 * programs keep full, say) is left out; when several plateaus fit one cache
 * (an L1 whose speed changes with the buffer's placement, say), the one with
 * the most sizes sets its speed; `notes` says what was done. Each level
 * costs the difference between its plateau and the one above, so a chase
 * served by level k costs exactly plateau k in the simulator.
 *
 * @param options Plateaus (fastest first), the machine's caches, default line size and ways.
 * @returns The levels, memory costs, a `CacheHierarchyConfig` in ns, and notes.
 * @throws {RangeError} With fewer than two plateaus of rising latency, or a latency that is not a positive number.
 *
 * @example Two cache plateaus and memory, matched to the caches the OS reports
 * ```ts
 * import { calibrateHierarchy } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const k = 1024;
 * const model = calibrateHierarchy({
 *   plateaus: [
 *     { fromBytes: 4 * k, toBytes: 32 * k, latencyNs: 1.5 },
 *     { fromBytes: 64 * k, toBytes: 512 * k, latencyNs: 4 },
 *     { fromBytes: 4096 * k, toBytes: 65536 * k, latencyNs: 100 },
 *   ],
 *   caches: [
 *     { level: 1, type: "Data", sizeBytes: 48 * k, ways: 12, lineBytes: 64 },
 *     { level: 2, type: "Unified", sizeBytes: 1024 * k, ways: 16, lineBytes: 64 },
 *     { level: 3, type: "Unified", sizeBytes: 32768 * k, ways: 16, lineBytes: 64 },
 *   ],
 * });
 * assert.deepEqual(model.levels.map((l) => [l.name, l.costNs]), [["L1", 1.5], ["L2", 2.5]]);
 * assert.equal(model.memoryCostNs, 96);
 * assert.match(model.notes[0], /L3/);
 * ```
 */
export function calibrateHierarchy(options: CalibrationOptions): CalibratedHierarchy {
  const plateaus = options?.plateaus;
  if (!Array.isArray(plateaus) || plateaus.length < 2) {
    invalid("plateaus must hold at least two plateaus (a cache and memory)", plateaus?.length);
  }
  plateaus.forEach((p, i) => {
    if (!(p.latencyNs > 0) || !Number.isFinite(p.latencyNs)) {
      invalid(`plateaus.${i}.latencyNs must be a positive number`, p.latencyNs);
    }
    if (!(p.toBytes > 0)) invalid(`plateaus.${i}.toBytes must be positive`, p.toBytes);
  });
  const lineBytes = options.lineBytes ?? 64;
  const ways = options.ways ?? 8;
  const notes: string[] = [];
  const data = (options.caches ?? [])
    .filter((c) => c.type !== "Instruction" && c.level !== null && (c.sizeBytes ?? 0) > 0)
    .sort((a, b) => a.level! - b.level!);
  const rising = risingPlateaus(plateaus, notes);
  if (rising.length < 2) {
    invalid(
      "plateaus must hold at least two plateaus of rising latency (a cache and memory)",
      rising.length,
    );
  }
  // The last plateau is main memory, and so is every plateau that starts beyond
  // the largest cache given or is too slow for a cache (page-table walks can
  // split RAM into several plateaus).
  // The size test needs a last-level cache: with only L1 and L2 known, a plateau
  // beyond L2 may well be an L3 nobody reported.
  const lastLevel = data.filter((c) => c.level! >= 3);
  const largestCache = lastLevel.reduce((m, c) => Math.max(m, c.sizeBytes!), 0);
  const isRam = (p: PlateauInput) =>
    (largestCache > 0 && p.fromBytes > largestCache) || p.latencyNs >= MIN_MEMORY_LATENCY_NS;
  let memoryFrom = rising.length - 1;
  while (memoryFrom > 1 && isRam(rising[memoryFrom - 1].p)) memoryFrom--;
  // One memory has one speed: the RAM plateau with the most sizes (the later one on a tie).
  const ramPlateaus = rising.slice(memoryFrom);
  const memoryPick = ramPlateaus.reduce((a, b) => ((b.p.points ?? 1) >= (a.p.points ?? 1) ? b : a));
  if (ramPlateaus.length > 1) {
    notes.push(
      `plateaus ${
        ramPlateaus.map((q) => q.index + 1).join(", ")
      } start beyond the last-level cache or are slower than ${MIN_MEMORY_LATENCY_NS} ns: all are RAM; the model uses plateau ${
        memoryPick.index + 1
      } (${memoryPick.p.latencyNs.toFixed(2)} ns), the one with the most sizes`,
    );
  }
  const cachePlateaus = rising.slice(0, memoryFrom);
  const memory = memoryPick.p;
  // Match each cache plateau, in order, to the smallest data cache (at or after the last match)
  // larger than the plateau's smallest working set; several plateaus may land on one cache
  // (a level whose speed varies with the size).
  const groups: { cache: number; plateaus: { p: PlateauInput; index: number }[] }[] = [];
  let from = 0;
  cachePlateaus.forEach(({ p, index }) => {
    let pick = -1;
    for (let j = from; j < data.length && pick < 0; j++) {
      if (data[j].sizeBytes! > p.fromBytes) pick = j;
    }
    const last = groups[groups.length - 1];
    if (pick >= 0 && last?.cache === pick) last.plateaus.push({ p, index });
    else groups.push({ cache: pick, plateaus: [{ p, index }] });
    if (pick >= 0) from = pick;
  });
  const matched = new Set(groups.map((g) => g.cache));
  data.forEach((c, j) => {
    if (!matched.has(j)) {
      notes.push(
        `L${c.level} (${c.sizeBytes} bytes) shows no plateau of its own in this measurement: left out of the model`,
      );
    }
  });
  const levels: CalibratedLevel[] = [];
  let above = 0;
  for (const g of groups) {
    // One level has one speed: keep the plateau with the most sizes (the later one on a tie).
    const { p, index } = g.plateaus.reduce((
      a,
      b,
    ) => ((b.p.points ?? 1) >= (a.p.points ?? 1) ? b : a));
    let level: Omit<CalibratedLevel, "measuredNs" | "costNs">;
    if (g.cache >= 0) {
      const c = data[g.cache];
      const line = c.lineBytes ?? lineBytes;
      const w = c.ways ?? ways;
      const sets = largestPowerOfTwoAtMost(Math.max(1, c.sizeBytes! / (line * w)));
      if (sets * line * w !== c.sizeBytes) {
        notes.push(
          `L${c.level}: ${c.sizeBytes} bytes do not make a power-of-two number of sets with ${w} ways of ${line} bytes: modelled as ${
            sets * line * w
          } bytes`,
        );
      }
      level = {
        name: `L${c.level}`,
        sizeBytes: sets * line * w,
        ways: w,
        lineBytes: line,
        geometryFrom: "caches",
      };
    } else {
      const size = largestPowerOfTwoAtMost(Math.max(p.toBytes, lineBytes * ways));
      notes.push(
        `plateau ${
          index + 1
        }: no matching cache was given: modelled as ${size} bytes, ${ways}-way, ${lineBytes}-byte lines`,
      );
      level = {
        name: `L${levels.length + 1}`,
        sizeBytes: size,
        ways,
        lineBytes,
        geometryFrom: "plateau",
      };
    }
    if (g.plateaus.length > 1) {
      notes.push(
        `plateaus ${g.plateaus.map((q) => q.index + 1).join(" and ")} (${
          g.plateaus.map((q) => `${q.p.latencyNs.toFixed(2)} ns`).join(", ")
        }) all fit ${level.name}: one cache level has one speed, so the model uses plateau ${
          index + 1
        }, the one with the most sizes`,
      );
    }
    levels.push({ ...level, measuredNs: p.latencyNs, costNs: p.latencyNs - above });
    above = p.latencyNs;
  }
  const memoryCostNs = memory.latencyNs - above;
  const config: CacheHierarchyConfig = {
    levels: levels.map((l) => ({
      name: l.name,
      sizeBytes: l.sizeBytes,
      ways: l.ways,
      lineBytes: l.lineBytes,
      latencyCycles: l.costNs,
    })),
    memoryLatencyCycles: memoryCostNs,
    classifyMisses: false,
  };
  return { levels, memoryMeasuredNs: memory.latencyNs, memoryCostNs, config, notes };
}

/** What {@linkcode tryCalibrateHierarchy} returns: a model, or the reason there is none. */
export type CalibrationAttempt =
  | { model: CalibratedHierarchy; reason: null }
  | { model: null; reason: string };

/**
 * Calibrate when the measurement allows it. A noisy latency curve can show
 * fewer than two plateaus, and then there is no cache and memory to tell
 * apart: instead of throwing like {@linkcode calibrateHierarchy}, this
 * returns no model and says why, so a lesson can skip its prediction
 * honestly. Any other invalid input still throws.
 *
 * @param options As for {@linkcode calibrateHierarchy}.
 * @returns `{ model, reason: null }`, or `{ model: null, reason }` with fewer than two plateaus.
 * @throws {RangeError} As {@linkcode calibrateHierarchy} does, except for too few plateaus.
 *
 * @example One plateau gives no model and a reason
 * ```ts
 * import { tryCalibrateHierarchy } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const flat = tryCalibrateHierarchy({ plateaus: [{ fromBytes: 4096, toBytes: 65536, latencyNs: 3 }] });
 * assert.equal(flat.model, null);
 * assert.match(flat.reason!, /too noisy to calibrate: .*: found 1$/);
 * const two = tryCalibrateHierarchy({
 *   plateaus: [{ fromBytes: 4096, toBytes: 32768, latencyNs: 1 }, { fromBytes: 1 << 22, toBytes: 1 << 24, latencyNs: 90 }],
 * });
 * assert.equal(two.model?.memoryCostNs, 89);
 * ```
 */
export function tryCalibrateHierarchy(options: CalibrationOptions): CalibrationAttempt {
  const plateaus = options?.plateaus;
  const valid = Array.isArray(plateaus) &&
    plateaus.every((p) => p?.latencyNs > 0 && Number.isFinite(p.latencyNs));
  const count = valid ? risingPlateaus(plateaus, []).length : null;
  if (count !== null && count < 2) {
    return {
      model: null,
      reason:
        `the latency curve was too noisy to calibrate: a model needs at least two plateaus of rising latency (a cache and memory): found ${count}`,
    };
  }
  return { model: calibrateHierarchy(options), reason: null };
}

/** Options of {@linkcode predictChaseLatency}. */
export interface ChasePredictionOptions {
  /** Seed of the simulated chase's random cycle (default 1). */
  seed?: number;
  /** Loads timed after the warm-up lap, at most (default 65536). */
  sampleSteps?: number;
}

/** Predicted time per load of a pointer chase, one point per working-set size. */
export interface ChasePrediction {
  /** Working-set sizes in bytes. */
  sizesBytes: number[];
  /** Predicted ns per load (simulated AMAT after a warm-up lap). */
  predictedNs: number[];
  /** For each size, the fraction of loads each level served (levels in order, then memory). */
  servedBy: number[][];
  /** Level names for `servedBy`, ending with `"memory"`. */
  servedByNames: string[];
}

/**
 * Predict a pointer chase's time per load with a calibrated hierarchy: for
 * each size, simulate one whole lap of a random cycle (one node per 64-byte
 * line, as the real probe does) to warm the caches, then time up to
 * `sampleSteps` more loads with the simulated AMAT.
 *
 * @param model A hierarchy from {@linkcode calibrateHierarchy}.
 * @param sizesBytes Working-set sizes in bytes (at least two lines each).
 * @param options Seed and sample length.
 * @returns Predicted ns per load and which level served the loads, per size.
 * @throws {RangeError} When a size is below two lines.
 *
 * @example Inside L1 a chase costs the L1 plateau; far beyond every level, the memory plateau
 * ```ts
 * import { calibrateHierarchy, predictChaseLatency } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const model = calibrateHierarchy({
 *   plateaus: [{ fromBytes: 1024, toBytes: 8192, latencyNs: 1 }, { fromBytes: 65536, toBytes: 262144, latencyNs: 50 }],
 *   caches: [{ level: 1, type: "Data", sizeBytes: 8192, ways: 4, lineBytes: 64 }],
 * });
 * const p = predictChaseLatency(model, [4096, 262144]);
 * assert.equal(p.predictedNs[0], 1);
 * assert.ok(p.predictedNs[1] > 49);
 * assert.deepEqual(p.servedByNames, ["L1", "memory"]);
 * ```
 */
export function predictChaseLatency(
  model: CalibratedHierarchy,
  sizesBytes: readonly number[],
  options: ChasePredictionOptions = {},
): ChasePrediction {
  const seed = options.seed ?? 1;
  const sample = options.sampleSteps ?? 65536;
  const nodeBytes = 64;
  const predictedNs: number[] = [];
  const servedBy: number[][] = [];
  for (const size of sizesBytes) {
    const nodes = Math.floor(size / nodeBytes);
    if (!(nodes >= 2)) invalid("each size must hold at least two 64-byte lines", size);
    const steps = Math.min(sample, nodes);
    // One lap of a single cycle ends where it started, so the sample continues the chase.
    const sim = new CacheSimulator(model.config);
    const warm = sim.run(pointerChaseTrace({ seed, nodes, steps: nodes })).result();
    const done = sim.run(pointerChaseTrace({ seed, nodes, steps })).result();
    const cost = done.amatCycles * done.accesses - warm.amatCycles * warm.accesses;
    const count = done.accesses - warm.accesses;
    predictedNs.push(cost / count);
    const misses = done.levels.map((l, i) => l.misses - warm.levels[i].misses);
    const reached = [count, ...misses];
    servedBy.push(reached.map((r, i) => (r - (reached[i + 1] ?? 0)) / count));
  }
  return {
    sizesBytes: [...sizesBytes],
    predictedNs,
    servedBy,
    servedByNames: [...model.levels.map((l) => l.name), "memory"],
  };
}
