/**
 * Working sets: Denning's W(t, Δ), the distinct pages referenced in the last
 * Δ references, over time, for charts.
 *
 * @module
 */
import { PageMap } from "./_page_map.ts";

function checkArgs(references: ArrayLike<number>, delta: number, what: string): void {
  if (!Number.isSafeInteger(delta) || delta < 1) {
    throw new RangeError(`Cannot ${what}: delta must be a positive integer: received ${delta}`);
  }
  for (let i = 0; i < references.length; i++) {
    const p = references[i];
    if (!Number.isSafeInteger(p) || p < 0) {
      throw new RangeError(
        `Cannot ${what}: references[${i}] must be a non-negative integer: received ${p}`,
      );
    }
  }
}

/**
 * The working-set size W(t, Δ) at every time t: how many distinct pages
 * appear among references t-Δ+1 .. t (fewer at the start). O(n).
 *
 * @param references The reference string (page numbers).
 * @param delta The window Δ, in references.
 * @returns One size per reference.
 *
 * @example A loop over 3 pages, then a phase change to 2 others
 * ```ts
 * import { workingSetSizes } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(workingSetSizes([1, 2, 3, 1, 2, 3, 7, 8, 7, 8], 3), [1, 2, 3, 3, 3, 3, 3, 3, 2, 2]);
 * ```
 */
export function workingSetSizes(references: ArrayLike<number>, delta: number): number[] {
  checkArgs(references, delta, "compute working set");
  const counts = new PageMap(0);
  const out = new Array<number>(references.length);
  let distinct = 0;
  for (let t = 0; t < references.length; t++) {
    const p = references[t];
    const c = counts.get(p);
    if (c === 0) distinct++;
    counts.set(p, c + 1);
    if (t >= delta) {
      const old = references[t - delta];
      const k = counts.get(old) - 1;
      counts.set(old, k);
      if (k === 0) distinct--;
    }
    out[t] = distinct;
  }
  return out;
}

/**
 * The working set W(t, Δ) itself at one time t: the distinct pages, sorted.
 *
 * @param references The reference string.
 * @param t The time (an index into `references`).
 * @param delta The window Δ.
 * @returns The pages referenced in (t-Δ, t], in increasing order.
 *
 * @example The pages of the last three references
 * ```ts
 * import { workingSetAt } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(workingSetAt([5, 1, 5, 2, 9], 3, 3), [1, 2, 5]);
 * ```
 */
export function workingSetAt(references: ArrayLike<number>, t: number, delta: number): number[] {
  checkArgs(references, delta, "compute working set");
  if (!Number.isSafeInteger(t) || t < 0 || t >= references.length) {
    throw new RangeError(
      `Cannot compute working set: t must index the references (0..${
        references.length - 1
      }): received ${t}`,
    );
  }
  const set = new Set<number>();
  for (let i = Math.max(0, t - delta + 1); i <= t; i++) set.add(references[i]);
  return [...set].sort((a, b) => a - b);
}

/**
 * The mean working-set size for each window in `deltas` (a curve that grows
 * with Δ and flattens once Δ spans a phase).
 *
 * @param references The reference string.
 * @param deltas The windows to try.
 * @returns `{ delta, meanSize }` per window, in the order given.
 *
 * @example The curve levels off at the loop size
 * ```ts
 * import { workingSetCurve } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const loop = Array.from({ length: 100 }, (_, i) => i % 4);
 * assert.deepEqual(workingSetCurve(loop, [1, 4, 50]).map((p) => p.meanSize), [1, 3.94, 4 - 6 / 100]);
 * ```
 */
export function workingSetCurve(
  references: ArrayLike<number>,
  deltas: readonly number[],
): { delta: number; meanSize: number }[] {
  return deltas.map((delta) => {
    const sizes = workingSetSizes(references, delta);
    const sum = sizes.reduce((a, b) => a + b, 0);
    return { delta, meanSize: sizes.length ? sum / sizes.length : 0 };
  });
}
