/**
 * Lesson 06's hidden tests (instructor side only): reference answers and
 * the cases that decide the grade.
 *
 * @module
 */
import { defineHiddenTests, type HiddenTests, visibleAsHidden } from "../exercise.ts";
import {
  LEAK_QUIZ,
  leaksFindTheLeak,
  leaksLru,
  leaksSizeCache,
  lruExerciseOps,
  skewedKeyTrace,
  type SmallestCapacityFn,
} from "../bank/leaks.ts";

/**
 * Hidden tests of leaks-find-the-leak: the same question.
 *
 * @example Three points
 * ```ts
 * import { leaksFindTheLeakHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(leaksFindTheLeakHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const leaksFindTheLeakHidden: HiddenTests<() => string[]> = defineHiddenTests<
  () => string[]
>({
  id: "leaks-find-the-leak",
  reference: () => LEAK_QUIZ.filter((q) => q.scenario.leaks).map((q) => q.letter),
  tests: visibleAsHidden(leaksFindTheLeak, 3),
});

const referenceSmallest: SmallestCapacityFn = (keys, target) => {
  const hits = (capacity: number) => {
    const cache = new Map<string, true>();
    let n = 0;
    for (const k of keys) {
      if (cache.has(k)) {
        n++;
        cache.delete(k);
      } else if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
      cache.set(k, true);
    }
    return n;
  };
  for (let c = 1; c <= new Set(keys).size; c++) if (hits(c) >= target * keys.length) return c;
  return null;
};

/**
 * Hidden tests of leaks-size-cache.
 *
 * @example Four points in all
 * ```ts
 * import { leaksSizeCacheHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(leaksSizeCacheHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const leaksSizeCacheHidden: HiddenTests<SmallestCapacityFn> = defineHiddenTests<
  SmallestCapacityFn
>({
  id: "leaks-size-cache",
  reference: referenceSmallest,
  tests: [
    ...visibleAsHidden(leaksSizeCache, 2),
    {
      name: "other seeded traces and targets, a target of 0 and of 1",
      points: 2,
      calls: [
        [skewedKeyTrace(61, 2000, 300), 0.4],
        [skewedKeyTrace(62, 2000, 300), 0.65],
        [skewedKeyTrace(63, 1000, 50), 0.9],
        [["x", "y", "x"], 0],
        [["x", "x", "x"], 1],
      ],
    },
  ],
});

/**
 * Hidden tests of leaks-lru.
 *
 * @example Three points in all, as the visible tests
 * ```ts
 * import { leaksLruHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(leaksLruHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const leaksLruHidden: HiddenTests = defineHiddenTests({
  id: "leaks-lru",
  reference: (capacity: number) => {
    const map = new Map<string, unknown>();
    return {
      get(key: string) {
        if (!map.has(key)) return undefined;
        const value = map.get(key);
        map.delete(key);
        map.set(key, value);
        return value;
      },
      set(key: string, value: unknown) {
        map.delete(key);
        map.set(key, value);
        if (map.size > capacity) map.delete(map.keys().next().value!);
      },
      size: () => map.size,
    };
  },
  tests: [
    ...visibleAsHidden(leaksLru, 1),
    {
      name: "other seeded operation sequences and capacities",
      points: 2,
      calls: [[2, lruExerciseOps(41, 300, 5)], [7, lruExerciseOps(42, 800, 20)], [
        100,
        lruExerciseOps(43, 1500, 150),
      ]],
    },
  ],
});
