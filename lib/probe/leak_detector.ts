/**
 * Find a memory leak in real JavaScript by the classic recipe: measure a
 * **baseline**, **exercise** the code many times, let it **idle**, and
 * **compare**. {@linkcode detectLeak} runs a function in rounds; after each
 * round it forces a full collection (`gc()`, so only reachable objects are
 * counted) and records the bytes JavaScript holds (V8 heap plus external
 * memory such as ArrayBuffer contents). A leak is memory that keeps growing
 * with the number of calls and is still held after the idle period.
 *
 * The verdict uses the Theil–Sen slope (the median of the slopes between
 * every pair of samples), so a single step (a cache filling once, lazily
 * compiled code) or a sawtooth (a cache that is emptied from time to time)
 * does not read as a leak, while steady growth does. Noise from a busy
 * machine does not change heap sizes measured after a full collection, only
 * how long it takes.
 *
 * Bounds: the exercise stops early when the held memory grows by more than
 * `maxGrowthBytes` (default 64 MiB) or the run takes longer than `maxMs`; a
 * stopped run is reported as leaking when it stopped because memory grew.
 * Functions that allocate a lot can be examined in a child process with
 * {@linkcode detectLeakInChild}, whose whole heap is capped.
 *
 * @module
 */
import v8 from "node:v8";
import { z } from "zod";
import { formatBytes } from "./_format.ts";
import { attachKeyValueDisplay } from "./_kv_display.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";
import { requireV8Gc } from "./v8_heap.ts";

/** One measurement of {@linkcode detectLeak}. */
export interface LeakSample {
  /** `baseline` (before any call), `exercise` (after a round) or `idle` (after waiting). */
  phase: "baseline" | "exercise" | "idle";
  /** Calls made so far (warm-up calls not counted). */
  iteration: number;
  /** Bytes held by JavaScript after a full collection: V8 heap used plus external memory. */
  heldBytes: number;
}

/** The result of {@linkcode detectLeak}. */
export interface LeakReport {
  /** The verdict. */
  leaking: boolean;
  /** Growth of held memory per call (Theil–Sen slope over the exercise samples), bytes. */
  bytesPerIteration: number;
  /** Held memory after the idle period minus the baseline, bytes. */
  retainedBytes: number;
  /** Growth over the exercise from the fitted slope (one odd sample cannot move it), bytes. */
  growthBytes: number;
  /** Every measurement, in order, for a chart. */
  samples: LeakSample[];
  /** Calls made (without the warm-up). */
  iterations: number;
  /** Why the exercise stopped early, or null when it ran every round. */
  stoppedEarly: "memory cap" | "time limit" | null;
  /** One sentence explaining the verdict. */
  reason: string;
  /** The settings used. */
  options: Required<LeakOptions>;
  /** Wall time of the whole detection, in milliseconds. */
  elapsedMs: number;
  /** Where and when. */
  environment: ProbeEnvironment;
}

/** Settings of {@linkcode detectLeak}. */
export const LeakOptions = z.strictObject({
  /** Measurements after the baseline (each after a round of calls). */
  rounds: z.number().int().min(3).max(100).default(6),
  /** Calls per round. */
  iterationsPerRound: z.number().int().min(1).max(10_000_000).default(1000),
  /** Calls made before the baseline, so one-time set-up is not counted. */
  warmupIterations: z.number().int().min(0).max(10_000_000).default(200),
  /** How long to idle before the final comparison, in milliseconds (timers may clean up then). */
  idleMs: z.number().int().min(0).max(60_000).default(50),
  /** Growth per call, in bytes, above which memory counts as growing. */
  minBytesPerIteration: z.number().min(0).default(8),
  /** Growth over the exercise, in bytes, below which nothing counts as a leak (the noise floor). */
  minGrowthBytes: z.number().min(0).default(64 * 1024),
  /** Stop when held memory grew by more than this many bytes. */
  maxGrowthBytes: z.number().int().min(1024).max(2 ** 32).default(64 * 1024 * 1024),
  /** Stop exercising after this many milliseconds. */
  maxMs: z.number().int().min(10).max(600_000).default(20_000),
});
/** Settings of {@linkcode detectLeak}. */
export type LeakOptions = z.input<typeof LeakOptions>;

function heldBytes(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + (h.external_memory ?? 0);
}

/**
 * The Theil–Sen slope of y against x: the median of the slopes of every pair.
 *
 * @param points Points with distinct x.
 * @returns The slope (0 with fewer than two points).
 *
 * @example A step is not a slope
 * ```ts
 * import { theilSenSlope } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(theilSenSlope([[0, 0], [1, 2], [2, 4]]), 2);
 * assert.equal(theilSenSlope([[1, 0], [2, 100], [3, 100], [4, 100], [5, 100]]), 0);
 * ```
 */
export function theilSenSlope(points: readonly (readonly [number, number])[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dx = points[j][0] - points[i][0];
      if (dx !== 0) slopes.push((points[j][1] - points[i][1]) / dx);
    }
  }
  if (slopes.length === 0) return 0;
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length % 2 ? slopes[mid] : (slopes[mid - 1] + slopes[mid]) / 2;
}

/**
 * Decide whether a function leaks: baseline, exercise in rounds, idle, compare.
 * Needs V8's `gc()` (`--expose-gc`; the course's kernel has it).
 *
 * @param fn The code to examine; called with the iteration number. May return a promise.
 * @param options Rounds, calls per round, thresholds and bounds ({@linkcode LeakOptions}).
 * @returns The verdict, bytes per call, and the samples.
 * @throws {Error} Without `--expose-gc`, saying how to start Deno.
 * @throws {TypeError} For bad options or a `fn` that is not a function.
 *
 * @example An unbounded cache leaks; a bounded one does not
 * ```ts
 * import { detectLeak, v8GcAvailable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * if (v8GcAvailable()) {
 *   const cache = new Map<number, string>();
 *   const leaky = await detectLeak((i) => { cache.set(i, "entry " + i); });
 *   assert.equal(leaky.leaking, true);
 *   const bounded = new Map<number, string>();
 *   const fine = await detectLeak((i) => {
 *     bounded.set(i, "entry " + i);
 *     if (bounded.size > 100) bounded.delete(bounded.keys().next().value!);
 *   });
 *   assert.equal(fine.leaking, false);
 * }
 * ```
 */
export async function detectLeak(
  fn: (iteration: number) => unknown,
  options: LeakOptions = {},
): Promise<LeakReport> {
  if (typeof fn !== "function") {
    throw new TypeError(`Cannot detect leaks: fn must be a function: received ${typeof fn}`);
  }
  const parsed = LeakOptions.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot detect leaks: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const o = parsed.data as Required<LeakOptions>;
  const gc = requireV8Gc("detectLeak");
  const started = performance.now();
  const call = async (i: number) => {
    const r = fn(i);
    if (r instanceof Promise) await r;
  };
  for (let i = 0; i < o.warmupIterations; i++) await call(-1 - i);
  gc();
  gc();
  const baseline = heldBytes();
  const samples: LeakSample[] = [{ phase: "baseline", iteration: 0, heldBytes: baseline }];
  let iteration = 0;
  let stoppedEarly: LeakReport["stoppedEarly"] = null;
  const cap = baseline + o.maxGrowthBytes;
  for (let round = 0; round < o.rounds && stoppedEarly === null; round++) {
    for (let k = 0; k < o.iterationsPerRound; k++) {
      await call(iteration++);
      // A cheap check (a few microseconds) keeps a fast leak from running away.
      if ((k & 15) === 15 && heldBytes() > cap + o.maxGrowthBytes) {
        gc();
        if (heldBytes() > cap) {
          stoppedEarly = "memory cap";
          break;
        }
      }
    }
    gc();
    const held = heldBytes();
    samples.push({ phase: "exercise", iteration, heldBytes: held });
    if (stoppedEarly === null && held > cap) stoppedEarly = "memory cap";
    if (stoppedEarly === null && performance.now() - started > o.maxMs) stoppedEarly = "time limit";
  }
  if (o.idleMs > 0) await new Promise((resolve) => setTimeout(resolve, o.idleMs));
  gc();
  gc();
  const final = heldBytes();
  samples.push({ phase: "idle", iteration, heldBytes: final });
  const exercise = samples.filter((s) => s.phase === "exercise");
  const bytesPerIteration = theilSenSlope(
    [...exercise, samples.at(-1)!].map((s, i, all) =>
      // The idle sample shares the last round's iteration count: shift it
      // by one call so every x is distinct (its weight is that of one sample).
      [i === all.length - 1 ? s.iteration + 1 : s.iteration, s.heldBytes] as const
    ),
  );
  // Growth over the exercise from the fitted slope, so that one odd sample
  // (a first round that held something transient, say) cannot hide a leak.
  const growthBytes = bytesPerIteration * (iteration - exercise[0].iteration + 1);
  const retainedBytes = final - baseline;
  let leaking: boolean;
  let reason: string;
  if (stoppedEarly === "memory cap") {
    leaking = true;
    reason = `held memory grew past the cap of ${
      formatBytes(o.maxGrowthBytes)
    } over the baseline after ${iteration} calls`;
  } else if (
    bytesPerIteration >= o.minBytesPerIteration && growthBytes >= o.minGrowthBytes &&
    retainedBytes >= o.minGrowthBytes
  ) {
    leaking = true;
    reason = `held memory grows by about ${
      bytesPerIteration.toFixed(0)
    } bytes per call and is still held after idling (${
      formatBytes(retainedBytes)
    } over the baseline)`;
  } else if (bytesPerIteration >= o.minBytesPerIteration) {
    leaking = false;
    reason = `memory grows by ${bytesPerIteration.toFixed(1)} bytes per call, but only ${
      formatBytes(Math.max(0, growthBytes))
    } in all: below the ${formatBytes(o.minGrowthBytes)} noise floor (run more calls to be sure)`;
  } else {
    leaking = false;
    reason = `held memory stays flat (${
      bytesPerIteration.toFixed(1)
    } bytes per call after the first round)`;
  }
  const report: LeakReport = {
    leaking,
    bytesPerIteration,
    retainedBytes,
    growthBytes,
    samples,
    iterations: iteration,
    stoppedEarly,
    reason,
    options: o,
    elapsedMs: performance.now() - started,
    environment: environment(),
  };
  return attachKeyValueDisplay(
    report,
    "Leak detection (baseline → exercise → idle → compare)",
    () => [
      ["verdict", leaking ? "LEAKING" : "no leak found"],
      ["why", reason],
      [
        "calls",
        `${iteration} in ${exercise.length} rounds${
          stoppedEarly ? ` (stopped: ${stoppedEarly})` : ""
        }`,
      ],
      ["growth per call", `${bytesPerIteration.toFixed(1)} B`],
      ["held after idling, over the baseline", formatBytes(retainedBytes)],
      ["time", `${report.elapsedMs.toFixed(0)} ms`],
    ],
  );
}

/**
 * Run {@linkcode detectLeak} on a named scenario from `LEAK_SCENARIOS` in a
 * child Deno process with `--expose-gc` and a capped heap, so code that
 * allocates a lot cannot harm the caller. Works without `--expose-gc` here.
 *
 * @param scenarios Names of scenarios (see `LEAK_SCENARIOS`).
 * @param options Leak options passed to each detection, and the child's heap cap in MiB.
 * @returns One report per scenario, in order (samples included, displays not).
 * @throws {RangeError} For an unknown scenario name.
 * @throws {Error} If the child fails.
 *
 * @example The unbounded cache leaks, the bounded one does not
 * ```ts
 * import { detectLeakInChild } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const [a, b] = await detectLeakInChild(["unbounded-cache", "bounded-lru"]);
 * assert.equal(a.leaking, true);
 * assert.equal(b.leaking, false);
 * ```
 */
export async function detectLeakInChild(
  scenarios: readonly string[],
  options: LeakOptions & { heapMiB?: number } = {},
): Promise<LeakReport[]> {
  const { LEAK_SCENARIOS } = await import("./leak_scenarios.ts");
  for (const s of scenarios) {
    if (!LEAK_SCENARIOS.some((x) => x.name === s)) {
      throw new RangeError(
        `Cannot run scenario: name must be one of ${
          LEAK_SCENARIOS.map((x) => x.name).join(", ")
        }: received ${JSON.stringify(s)}`,
      );
    }
  }
  const { heapMiB = 512, ...leakOptions } = options;
  if (!Number.isInteger(heapMiB) || heapMiB < 32 || heapMiB > 4096) {
    throw new RangeError(
      `Cannot run scenario: heapMiB must be from 32 to 4096: received ${heapMiB}`,
    );
  }
  const parsed = LeakOptions.safeParse(leakOptions);
  if (!parsed.success) {
    throw new TypeError(`Cannot detect leaks: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const child = new URL("./_leak_child.ts", import.meta.url).pathname;
  const proc = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-check",
      "--allow-read",
      "--allow-sys",
      `--v8-flags=--expose-gc,--max-old-space-size=${heapMiB}`,
      child,
      JSON.stringify({ scenarios, options: leakOptions }),
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const limitMs = (parsed.data.maxMs + 5000) * Math.max(1, scenarios.length) + 20_000;
  const timer = setTimeout(() => {
    try {
      proc.kill("SIGKILL");
    } catch { /* already gone */ }
  }, limitMs);
  const out = await proc.output();
  clearTimeout(timer);
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new Error(`Cannot detect leaks in a child process: it failed (${out.code}): ${err}`);
  }
  const reports = JSON.parse(new TextDecoder().decode(out.stdout)) as LeakReport[];
  return reports;
}
