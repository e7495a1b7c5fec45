/**
 * Average memory access time from the textbook formula:
 * AMAT = t1 + m1 * (t2 + m2 * (... + memory)), with local miss rates.
 *
 * @module
 */

/** One level's hit time and local miss rate. */
export interface AmatLevel {
  /** Hit time in cycles. */
  latencyCycles: number;
  /** Local miss rate in [0, 1] (misses / accesses that reached this level). */
  missRate: number;
}

/**
 * Compute AMAT from per-level hit times and local miss rates.
 *
 * @param levels Levels from L1 down.
 * @param memoryLatencyCycles Memory access time in cycles.
 * @returns AMAT in cycles.
 * @throws {RangeError} if a miss rate is outside [0, 1] or a latency is negative.
 *
 * @example Hennessy & Patterson: 1 + 0.05 * (10 + 0.2 * 100) = 2.5
 * ```ts
 * import { amat } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = amat([{ latencyCycles: 1, missRate: 0.05 }, { latencyCycles: 10, missRate: 0.2 }], 100);
 * assert.ok(Math.abs(t - 2.5) < 1e-12);
 * ```
 */
export function amat(levels: readonly AmatLevel[], memoryLatencyCycles: number): number {
  if (!(memoryLatencyCycles >= 0)) {
    throw new RangeError(
      `Cannot compute AMAT: memoryLatencyCycles must be at least 0: received ${memoryLatencyCycles}`,
    );
  }
  let t = memoryLatencyCycles;
  for (let i = levels.length - 1; i >= 0; i--) {
    const { latencyCycles, missRate } = levels[i];
    if (!(missRate >= 0 && missRate <= 1)) {
      throw new RangeError(
        `Cannot compute AMAT: levels.${i}.missRate must be in [0, 1]: received ${missRate}`,
      );
    }
    if (!(latencyCycles >= 0)) {
      throw new RangeError(
        `Cannot compute AMAT: levels.${i}.latencyCycles must be at least 0: received ${latencyCycles}`,
      );
    }
    t = latencyCycles + missRate * t;
  }
  return t;
}
