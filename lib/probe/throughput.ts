/**
 * Throughput of any piece of work on this machine: run it several times
 * and keep the fastest run, which is the least disturbed by other work on a
 * busy machine. The work is passed in as a function, so this module depends
 * on no simulator.
 *
 * @module
 */
import { environment, type ProbeEnvironment } from "./machine.ts";

/** What {@linkcode measureThroughput} found. */
export interface Throughput {
  /** Operations one run performs. */
  ops: number;
  /** Milliseconds of the fastest run. */
  bestMs: number;
  /** Runs made. */
  runs: number;
  /** `ops / bestMs * 1000`. */
  opsPerSecond: number;
  /** Where and when. */
  environment: ProbeEnvironment;
}

/** The most runs a measurement makes. */
export const MAX_THROUGHPUT_RUNS = 1000;
/** The longest a measurement keeps starting runs, in milliseconds. */
export const MAX_THROUGHPUT_MS = 10_000;

/**
 * Time `run` (which performs `ops` operations) until at least `minRuns`
 * runs and `minMs` milliseconds have passed, and report the fastest run.
 *
 * @param ops Operations per run (for the rate).
 * @param run The work.
 * @param options `minRuns` (default 3), `minMs` (default 50, at most 10,000).
 * @returns The fastest time and the rate.
 * @throws {RangeError} For a bad count or duration.
 *
 * @example A loop of a million additions
 * ```ts
 * import { measureThroughput } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * let s = 0;
 * const t = measureThroughput(1e6, () => { for (let i = 0; i < 1e6; i++) s += i; });
 * assert.ok(t.runs >= 3 && t.opsPerSecond > 0);
 * ```
 */
export function measureThroughput(
  ops: number,
  run: () => unknown,
  options: { minRuns?: number; minMs?: number } = {},
): Throughput {
  const minRuns = options.minRuns ?? 3;
  const minMs = options.minMs ?? 50;
  if (!Number.isInteger(ops) || ops < 1) {
    throw new RangeError(
      `Cannot measure throughput: ops must be a positive integer: received ${ops}`,
    );
  }
  if (!Number.isInteger(minRuns) || minRuns < 1 || minRuns > MAX_THROUGHPUT_RUNS) {
    throw new RangeError(
      `Cannot measure throughput: minRuns must be from 1 to ${MAX_THROUGHPUT_RUNS}: received ${minRuns}`,
    );
  }
  if (!(minMs >= 0 && minMs <= MAX_THROUGHPUT_MS)) {
    throw new RangeError(
      `Cannot measure throughput: minMs must be from 0 to ${MAX_THROUGHPUT_MS}: received ${minMs}`,
    );
  }
  let best = Infinity, spent = 0, runs = 0;
  while (runs < minRuns || (spent < minMs && runs < MAX_THROUGHPUT_RUNS)) {
    const t0 = performance.now();
    run();
    const dt = performance.now() - t0;
    best = Math.min(best, dt);
    spent += dt;
    runs++;
  }
  const bestMs = Math.max(best, 1e-3);
  return { ops, bestMs, runs, opsPerSecond: (ops / bestMs) * 1000, environment: environment() };
}
