/**
 * Lesson 06's exercises: spot the leaking snippets, size a bounded cache for
 * a hit rate, and write a least-recently-used cache.
 *
 * @module
 */
import assert from "../judge_assert.ts";
import { defineExercise, registerExercises } from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import { LEAK_SCENARIOS, type LeakScenario } from "../../probe/leak_scenarios.ts";

const QUIZ_SCENARIOS = [
  "listeners-removed",
  "map-metadata",
  "essay-cache-pruned",
  "closure-holding-large-data",
  "weakmap-metadata",
  "memo-unbounded",
];

/**
 * The six snippets of exercise 1 ("leaks-find-the-leak"), lettered A to F.
 * Each is a factory: it sets up state and returns the function called once per request.
 *
 * @example Six letters
 * ```ts
 * import { LEAK_QUIZ } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(LEAK_QUIZ.map((q) => q.letter), ["A", "B", "C", "D", "E", "F"]);
 * assert.equal(typeof LEAK_QUIZ[0].code, "string");
 * ```
 */
export const LEAK_QUIZ: readonly { letter: string; code: string; scenario: LeakScenario }[] = Object
  .freeze(
    QUIZ_SCENARIOS.map((name, i) => {
      const scenario = LEAK_SCENARIOS.find((s) => s.name === name)!;
      return { letter: "ABCDEF"[i], code: scenario.make.toString(), scenario };
    }),
  );

/**
 * Lesson 06, exercise 1: which snippets leak?
 *
 * @example Saying that everything leaks is wrong
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const result = await check("leaks-find-the-leak", () => ["A", "B", "C", "D", "E", "F"]);
 * assert.equal(result.passed, false);
 * ```
 */
export const leaksFindTheLeak = defineExercise<() => string[]>({
  id: "leaks-find-the-leak",
  title: "Which snippets leak?",
  lesson: "06-memory-leaks",
  points: 3,
  expects: "leakySnippets",
  tests: [{
    name: "the letters of the snippets that keep memory for every call",
    calls: [[]],
    judge: (r) => {
      const got = r[0];
      assert.ok(
        Array.isArray(got),
        `expected an array of letters: received ${JSON.stringify(got)}`,
      );
      const g = new Set((got as unknown[]).map((x) => String(x).trim().toUpperCase()));
      for (const q of LEAK_QUIZ) {
        if (q.scenario.leaks && !g.has(q.letter)) {
          assert.fail(
            `${q.letter} leaks: follow where each call's data goes, and what still points to it`,
          );
        }
        if (!q.scenario.leaks && g.has(q.letter)) {
          assert.fail(
            `${q.letter} does not leak: something lets its data go (look for a limit, a removal or a weak reference)`,
          );
        }
      }
    },
  }],
});

/**
 * Hits of a least-recently-used cache of `capacity` entries on `keys`
 * (a miss loads the key into the cache).
 */
function lruHits(keys: readonly string[], capacity: number): number {
  const cache = new Map<string, true>();
  let hits = 0;
  for (const k of keys) {
    if (cache.has(k)) {
      hits++;
      cache.delete(k);
    } else if (cache.size >= capacity) {
      cache.delete(cache.keys().next().value!);
    }
    cache.set(k, true);
  }
  return hits;
}

function smallestCapacityReference(keys: readonly string[], target: number): number | null {
  const distinct = new Set(keys).size;
  for (let c = 1; c <= distinct; c++) if (lruHits(keys, c) >= target * keys.length) return c;
  return null;
}

/**
 * A skewed key trace: a few keys are requested often, many rarely (a Zipf-like popularity).
 *
 * @param seed The seed.
 * @param length Requests.
 * @param distinct Distinct keys.
 * @returns The keys requested, in order.
 *
 * @example Popular keys come back
 * ```ts
 * import { skewedKeyTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = skewedKeyTrace(1, 1000, 200);
 * assert.equal(t.length, 1000);
 * assert.ok(t.filter((k) => k === "key-0").length > 50);
 * ```
 */
export function skewedKeyTrace(seed: number, length: number, distinct: number): string[] {
  const prng = createPrng(seed);
  const weights = Array.from({ length: distinct }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((s, w) => s + w, 0);
  return Array.from({ length }, () => {
    let u = prng.float() * total;
    let i = 0;
    while (i < distinct - 1 && u >= weights[i]) u -= weights[i++];
    return `key-${i}`;
  });
}

/** What exercise 2 asks for. */
export type SmallestCapacityFn = (keys: string[], targetHitRate: number) => number | null;

/**
 * Lesson 06, exercise 2: the smallest LRU capacity that reaches a hit rate.
 *
 * @example "Cache everything" is not the smallest
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const everything = (keys: string[]) => new Set(keys).size;
 * const result = await check("leaks-size-cache", everything);
 * assert.equal(result.passed, false);
 * ```
 */
export const leaksSizeCache = defineExercise<SmallestCapacityFn>({
  id: "leaks-size-cache",
  title: "Size a bounded cache",
  lesson: "06-memory-leaks",
  points: 4,
  expects: "smallestCapacity",
  tests: [
    {
      name: "a short trace worked by hand",
      points: 1,
      // a b a b c a b: capacity 1 hits nothing; capacity 2 hits a, b at 3 and 4; 3 also hits 6 and 7.
      calls: [[["a", "b", "a", "b", "c", "a", "b"], 0.25], [
        ["a", "b", "a", "b", "c", "a", "b"],
        0.5,
      ]],
      want: [2, 3],
    },
    {
      name: "an unreachable hit rate gives null (even caching every key misses each key once)",
      points: 1,
      calls: [[["a", "b", "c", "a"], 0.5]],
      want: [null],
    },
    {
      name: "skewed traces of 3,000 requests: 50%, 70% and 80% hits",
      points: 2,
      calls: [[skewedKeyTrace(5, 3000, 400), 0.5], [skewedKeyTrace(6, 3000, 400), 0.7], [
        skewedKeyTrace(7, 3000, 400),
        0.8,
      ]],
      judge: (r, calls) =>
        r.forEach((got, i) => {
          const [keys, target] = calls[i] as [string[], number];
          const want = smallestCapacityReference(keys, target);
          if (
            typeof got === "number" && want !== null && got > want &&
            lruHits(keys, got) >= target * keys.length
          ) {
            assert.fail(
              `capacity ${got} reaches ${target * 100}% but is not the smallest: try smaller ones`,
            );
          }
          assert.equal(got, want, `trace ${i + 1}, target ${target * 100}%`);
        }),
    },
  ],
});

/** The cache exercise 3 asks for: `get` (undefined on a miss), `set`, and `size`. */
export interface LruCacheLike {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  size(): number;
}

/** One operation of exercise 3's tests. */
export type LruOp = ["get", string] | ["set", string, unknown] | ["size"];

/**
 * Drive a student's cache factory with operations and return what each
 * returned (`set` returns nothing, so `null`), as plain data.
 *
 * @param make The factory: `make(capacity)` returns a cache.
 * @param capacity The capacity.
 * @param ops The operations.
 * @returns One result per operation.
 *
 * @example A Map is not bounded
 * ```ts
 * import { runLruOps } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const unbounded = () => { const m = new Map(); return { get: (k: string) => m.get(k), set: (k: string, v: unknown) => { m.set(k, v); }, size: () => m.size }; };
 * assert.deepEqual(runLruOps(unbounded, 1, [["set", "a", 1], ["set", "b", 2], ["size"]]), [null, null, 2]);
 * ```
 */
export function runLruOps(
  make: (capacity: number) => LruCacheLike,
  capacity: number,
  ops: readonly LruOp[],
): unknown[] {
  const cache = make(capacity);
  return ops.map((op) => {
    if (op[0] === "get") return cache.get(op[1]) ?? null;
    if (op[0] === "set") {
      cache.set(op[1], op[2]);
      return null;
    }
    return cache.size();
  });
}

function lruReference(capacity: number, ops: readonly LruOp[]): unknown[] {
  const m = new Map<string, unknown>();
  return ops.map((op) => {
    if (op[0] === "get") {
      if (!m.has(op[1])) return null;
      const v = m.get(op[1]);
      m.delete(op[1]);
      m.set(op[1], v);
      return v ?? null;
    }
    if (op[0] === "set") {
      m.delete(op[1]);
      m.set(op[1], op[2]);
      if (m.size > capacity) m.delete(m.keys().next().value!);
      return null;
    }
    return m.size;
  });
}

/**
 * Seeded cache operations for exercise 3: 45 % gets, 50 % sets, 5 % size queries.
 *
 * @param seed The seed.
 * @param n Operations.
 * @param keys Distinct keys.
 * @returns The operations.
 *
 * @example Same seed, same operations
 * ```ts
 * import { lruExerciseOps } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(lruExerciseOps(1, 20, 4), lruExerciseOps(1, 20, 4));
 * ```
 */
export function lruExerciseOps(seed: number, n: number, keys: number): LruOp[] {
  const prng = createPrng(seed);
  return Array.from({ length: n }, (_, i): LruOp => {
    const k = `k${prng.int(0, keys - 1)}`;
    const u = prng.float();
    return u < 0.45 ? ["get", k] : u < 0.95 ? ["set", k, i] : ["size"];
  });
}

/**
 * Lesson 06, exercise 3: a least-recently-used cache with a capacity.
 *
 * @example A FIFO cache fails the recency test
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const fifo = (capacity: number) => {
 *   const m = new Map<string, unknown>();
 *   return {
 *     get: (k: string) => m.get(k),
 *     set: (k: string, v: unknown) => { m.delete(k); m.set(k, v); if (m.size > capacity) m.delete(m.keys().next().value!); },
 *     size: () => m.size,
 *   };
 * };
 * const result = await check("leaks-lru", fifo);
 * assert.equal(result.passed, false);
 * ```
 */
export const leaksLru = defineExercise<(capacity: number) => LruCacheLike>({
  id: "leaks-lru",
  title: "Write a bounded LRU cache",
  lesson: "06-memory-leaks",
  points: 3,
  expects: "createLru",
  tests: [
    {
      name: "never holds more than its capacity",
      points: 1,
      calls: [[
        3,
        Array.from({ length: 1000 }, (_, i): LruOp => ["set", `k${i}`, i]).concat([["size"]]),
      ]],
      judge: (r) => {
        const results = r[0] as unknown[];
        assert.equal(
          results.at(-1),
          3,
          "after 1000 different keys, a cache of capacity 3 holds 3 entries",
        );
      },
    },
    {
      name: "a get makes a key the most recently used",
      points: 1,
      calls: [[2, [["set", "a", 1], ["set", "b", 2], ["get", "a"], ["set", "c", 3], ["get", "a"], [
        "get",
        "b",
      ]]]],
      want: [[null, null, 1, null, 1, null]],
    },
    {
      name: "random operations agree with a reference LRU",
      points: 1,
      calls: [[4, lruExerciseOps(1, 400, 10)], [1, lruExerciseOps(2, 200, 3)], [
        16,
        lruExerciseOps(3, 600, 40),
      ]],
      judge: (r, calls) =>
        r.forEach((got, i) => {
          const [capacity, ops] = calls[i] as [number, LruOp[]];
          const want = lruReference(capacity, ops);
          assert.ok(
            Array.isArray(got) && got.length === want.length,
            `capacity ${capacity}: expected one result per operation (${want.length}): received ${
              Array.isArray(got) ? got.length : JSON.stringify(got)
            }`,
          );
          const at = got.findIndex((x, k) => !Object.is(x, want[k]) && x !== want[k]);
          assert.equal(
            at,
            -1,
            `capacity ${capacity}: operation ${at} ${JSON.stringify(ops[at])} gave ${
              JSON.stringify(got[at])
            }, an LRU cache gives ${JSON.stringify(want[at])}`,
          );
        }),
    },
  ],
  run: (make, capacity: number, ops: LruOp[]) => runLruOps(make, capacity, ops),
});

registerExercises(leaksFindTheLeak, leaksSizeCache, leaksLru);
