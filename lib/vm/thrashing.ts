/**
 * A thrashing model: several processes, each looping over its own working
 * set, share the frames under one global replacement policy. While the total
 * working set fits, only cold faults happen; past the knee (total working
 * set > frames) faults explode and useful work collapses.
 *
 * @module
 */
import { z } from "zod";
import { createPrng } from "../random/prng.ts";
import { parseOrThrow } from "./_parse.ts";
import { htmlTable, withDisplay } from "./_display.ts";
import { type PagePolicy } from "./page_policy.ts";
import { simulatePaging } from "./paging.ts";

/** Options of {@linkcode thrashingCurve}. */
export const ThrashingOptions = z.object({
  /** Frames of physical memory shared by all processes. */
  frames: z.number().int().positive(),
  /** Numbers of processes to try (the degree of multiprogramming). */
  processCounts: z.array(z.number().int().positive()).min(1),
  /** Pages in each process's working set. */
  workingSetPages: z.number().int().positive(),
  /** References each process makes (default 20,000). */
  referencesPerProcess: z.number().int().positive().default(20_000),
  /** References a process makes before the scheduler switches (round robin). */
  quantum: z.number().int().positive().default(50),
  /** Useful CPU time per reference that hits, in ns (default 1,000: a microsecond of work per page reference). */
  computeNsPerReference: z.number().positive().default(1_000),
  /** Time to service one page fault, in ns (default 100,000: an SSD). */
  faultNs: z.number().min(0).default(100_000),
  /** Replacement policy (default "lru"). */
  policy: z.custom<string | PagePolicy>(
    (v) => typeof v === "string" || (typeof v === "object" && v !== null),
    { message: "must be a policy name or object" },
  ).default("lru"),
  /** Seed for the reference strings (uniform over each working set). */
  seed: z.number().int().default(1),
});
/** Options of {@linkcode thrashingCurve}. */
export type ThrashingOptions = z.input<typeof ThrashingOptions>;

/** One degree of multiprogramming. */
export interface ThrashingPoint {
  /** Processes running. */
  processes: number;
  /** processes * workingSetPages. */
  totalWorkingSetPages: number;
  /** Frames. */
  frames: number;
  /** References made by all processes. */
  references: number;
  /** Page faults. */
  faults: number;
  /** faults / references. */
  faultRate: number;
  /** Useful CPU time, ns. */
  computeNs: number;
  /** Time servicing faults, ns. */
  faultServiceNs: number;
  /** computeNs / (computeNs + faultServiceNs). */
  cpuUtilisation: number;
}

/** The curve and where its knee is. */
export interface ThrashingResult {
  /** One point per process count, in the order given. */
  points: ThrashingPoint[];
  /** The smallest process count tried whose total working set exceeds the frames, or null. */
  kneeProcesses: number | null;
}

/**
 * Utilisation against the degree of multiprogramming: each process
 * references its own `workingSetPages` pages uniformly at random, processes
 * take turns every `quantum` references, and all share `frames` frames.
 * CPU utilisation = compute / (compute + fault service).
 *
 * @param options Frames, process counts, working-set size, references, quantum and costs.
 * @returns One point per process count and the knee.
 *
 * @example 100 frames, working sets of 30 pages: fine up to 3 processes, thrashing at 4
 * ```ts
 * import { thrashingCurve } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = thrashingCurve({ frames: 100, processCounts: [1, 2, 3, 4, 6], workingSetPages: 30 });
 * assert.equal(r.kneeProcesses, 4);
 * const u = r.points.map((p) => p.cpuUtilisation);
 * assert.ok(u[2] > 0.5 && u[3] < u[2] / 2 && u[4] < u[3]);
 * ```
 */
export function thrashingCurve(options: ThrashingOptions): ThrashingResult {
  const o = parseOrThrow(ThrashingOptions, options, "Cannot compute thrashing curve");
  const points = o.processCounts.map((n) => {
    const prng = createPrng(o.seed);
    const streams = Array.from({ length: n }, () => prng.fork());
    const total = n * o.referencesPerProcess;
    const references = new Int32Array(total);
    const made = new Array<number>(n).fill(0);
    let k = 0;
    while (k < total) {
      for (let p = 0; p < n && k < total; p++) {
        const burst = Math.min(o.quantum, o.referencesPerProcess - made[p]);
        for (let i = 0; i < burst; i++) {
          references[k++] = p * o.workingSetPages + streams[p].int(0, o.workingSetPages - 1);
        }
        made[p] += burst;
      }
    }
    const faults = simulatePaging({ frames: o.frames, policy: o.policy, references, seed: o.seed })
      .misses;
    const computeNs = (total - faults) * o.computeNsPerReference;
    const faultServiceNs = faults * o.faultNs;
    return {
      processes: n,
      totalWorkingSetPages: n * o.workingSetPages,
      frames: o.frames,
      references: total,
      faults,
      faultRate: faults / total,
      computeNs,
      faultServiceNs,
      cpuUtilisation: computeNs / (computeNs + faultServiceNs),
    };
  });
  const over = o.processCounts.filter((n) => n * o.workingSetPages > o.frames);
  const result: ThrashingResult = {
    points,
    kneeProcesses: over.length ? Math.min(...over) : null,
  };
  return withDisplay(result, (r) => {
    const text = `thrashing: knee at ${r.kneeProcesses ?? "none"} processes; utilisation ${
      r.points.map((p) => `${p.processes}:${(100 * p.cpuUtilisation).toFixed(1)}%`).join(" ")
    }`;
    const rows = r.points.map((p) => [
      p.processes,
      p.totalWorkingSetPages,
      p.frames,
      p.faults,
      p.faultRate.toFixed(4),
      `${(100 * p.cpuUtilisation).toFixed(1)}%`,
    ]);
    const html = `<p>${text}</p>${
      htmlTable(["processes", "total WS", "frames", "faults", "fault rate", "CPU use"], rows)
    }`;
    return { html, text };
  });
}
