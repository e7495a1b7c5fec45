/**
 * Private timing helpers for the probes: the clock, the minimum of samples,
 * and a sink that keeps measured loops' results alive.
 *
 * @module
 */

/** The probes' clock, in milliseconds with sub-microsecond resolution. */
export function nowMs(): number {
  return performance.now();
}

/** The smallest value of a non-empty list. */
export function minOf(values: readonly number[]): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}

/** The median of a non-empty list. */
export function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

let sink = 0;

/**
 * Fold a loop's result into a module-level value so that the engine cannot
 * prove the loop dead and remove it.
 */
export function keepAlive(value: number): void {
  sink = (sink + (value | 0)) | 0;
}

/** The current kept-alive value (only so that `sink` is observably read). */
export function keptAlive(): number {
  return sink;
}
