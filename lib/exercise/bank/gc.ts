/**
 * Lesson 05's exercises: write the mark phase, find what reference counting
 * leaks, and predict what a copying collector copies.
 *
 * @module
 */
import assert from "../judge_assert.ts";
import { defineExercise, registerExercises } from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import { createGcCollector, runGcWorkload } from "../../gc/mod.ts";

/** An object graph as exercise 1 gives it: each object's pointer fields. */
export type GcFieldMap = Record<string, (string | null)[]>;

/** What exercise 1 asks for: the ids reachable from the roots (any order). */
export type GcMarkFn = (roots: string[], fields: GcFieldMap) => string[];

/**
 * A seeded random object graph for exercise 1: `n` objects with up to 3
 * fields each (a quarter of them null), and four roots.
 *
 * @param seed The seed.
 * @param n Objects.
 * @returns The roots and every object's fields.
 *
 * @example Same seed, same graph
 * ```ts
 * import { gcExerciseGraph } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(gcExerciseGraph(3, 50), gcExerciseGraph(3, 50));
 * assert.equal(Object.keys(gcExerciseGraph(3, 50).fields).length, 50);
 * ```
 */
export function gcExerciseGraph(seed: number, n: number): { roots: string[]; fields: GcFieldMap } {
  const prng = createPrng(seed);
  const fields: GcFieldMap = {};
  for (let i = 0; i < n; i++) {
    fields[`o${i}`] = Array.from(
      { length: prng.int(0, 3) },
      () => (prng.float() < 0.25 ? null : `o${prng.int(0, n - 1)}`),
    );
  }
  const roots = Array.from({ length: 4 }, () => `o${prng.int(0, n - 1)}`);
  return { roots, fields };
}

/** A chain of `n` objects: o0 -> o1 -> ... (deep enough to overflow a recursive mark). */
function chain(n: number): { roots: string[]; fields: GcFieldMap } {
  const fields: GcFieldMap = {};
  for (let i = 0; i < n; i++) fields[`o${i}`] = [i + 1 < n ? `o${i + 1}` : null];
  return { roots: ["o0"], fields };
}

/** The simulator's answer: what a mark-sweep collection keeps. */
function reachableBySimulator(roots: string[], fields: GcFieldMap): string[] {
  const ids = Object.keys(fields);
  const gc = createGcCollector("mark-sweep", { heapBytes: 64 * (ids.length + 1) });
  for (const id of ids) gc.allocate(id, Math.max(8, 8 * fields[id].length), fields[id].length);
  for (const id of ids) fields[id].forEach((t, f) => gc.setField(id, f, t));
  for (const r of roots) gc.addRoot(r);
  return gc.collect().survivorIds;
}

function sameSet(results: unknown[], expected: string[][], what: string[]): void {
  results.forEach((r, i) => {
    assert.ok(
      Array.isArray(r),
      `${what[i]}: expected an array of ids: received ${JSON.stringify(r)}`,
    );
    const got = [...new Set(r as string[])].sort();
    const want = [...expected[i]].sort();
    const missing = want.filter((x) => !got.includes(x));
    const extra = got.filter((x) => !want.includes(x));
    assert.ok(
      missing.length === 0 && extra.length === 0,
      `${what[i]}: ${
        missing.length
          ? `missing reachable ${missing.slice(0, 5).join(", ")}${
            missing.length > 5 ? ", ..." : ""
          }`
          : ""
      }${missing.length && extra.length ? "; " : ""}${
        extra.length ? `not reachable but marked: ${extra.slice(0, 5).join(", ")}` : ""
      }`,
    );
  });
}

const CYCLE_GRAPH = {
  roots: ["a"],
  fields: { a: ["b"], b: ["c", null], c: ["a"], d: ["a"] } as GcFieldMap,
};
const SELF_LOOP = { roots: ["x", "x"], fields: { x: ["x"], y: [null] } as GcFieldMap };

/**
 * Lesson 05, exercise 1: the mark phase, as a function of the roots and the graph.
 *
 * @example A mark that forgets to follow pointers
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const rootsOnly = (roots: string[]) => [...roots];
 * const result = await check("gc-implement-mark", rootsOnly);
 * assert.equal(result.passed, false);
 * ```
 */
export const gcImplementMark = defineExercise<GcMarkFn>({
  id: "gc-implement-mark",
  title: "Write the mark phase",
  lesson: "05-garbage-collection",
  points: 4,
  expects: "mark",
  // The 50,000-object chain takes a while on a busy machine.
  timeLimitMs: 10_000,
  tests: [
    {
      name: "a cycle reached from a root is marked; an object pointing into it is not",
      points: 1,
      calls: [[CYCLE_GRAPH.roots, CYCLE_GRAPH.fields]],
      judge: (r) => sameSet(r, [["a", "b", "c"]], ["roots [a]"]),
    },
    {
      name: "no roots: nothing is reachable; a root listed twice and a self-loop are fine",
      points: 1,
      calls: [[[], CYCLE_GRAPH.fields], [SELF_LOOP.roots, SELF_LOOP.fields]],
      judge: (r) => sameSet(r, [[], ["x"]], ["no roots", "roots [x, x]"]),
    },
    {
      name: "random graphs of 300 objects agree with the simulator's mark-sweep",
      points: 1,
      calls: [1, 2, 3].map((seed) => {
        const g = gcExerciseGraph(seed, 300);
        return [g.roots, g.fields];
      }),
      judge: (r, calls) =>
        sameSet(
          r,
          calls.map(([roots, fields]) =>
            reachableBySimulator(roots as string[], fields as GcFieldMap)
          ),
          ["graph 1", "graph 2", "graph 3"],
        ),
    },
    {
      name: "a chain of 50,000 objects (a recursive mark overflows the call stack: use a worklist)",
      points: 1,
      calls: [Object.values(chain(50_000))],
      judge: (r) => {
        assert.ok(Array.isArray(r[0]), `expected an array: received ${typeof r[0]}`);
        assert.equal(
          new Set(r[0] as string[]).size,
          50_000,
          "every object of the chain is reachable",
        );
      },
    },
  ],
});

/**
 * The workload of exercise 2 ("gc-rc-leak"): a list, a pair of objects that
 * point at each other, a self-loop and a tree, then some pointers cut.
 *
 * @example It runs to the end under every collector
 * ```ts
 * import { GC_RC_LEAK_WORKLOAD, runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(runGcWorkload(GC_RC_LEAK_WORKLOAD, { collector: "rc", heapBytes: 1024 }).error, null);
 * ```
 */
export const GC_RC_LEAK_WORKLOAD = `# a list: head -> n1 -> n2
new head 16 1
root head
new n1 16 1
new n2 16 1
set head 0 n1
set n1 0 n2
# a pair hanging from n2: p <-> q, and q -> r
new p 24 2
new q 24 2
new r 16 0
set n2 0 p
set p 0 q
set q 0 p
set q 1 r
# s points to itself; t -> u is a small tree
new s 16 1
set s 0 s
root s
new t 16 1
new u 16 0
set t 0 u
root t
# cut: n1 no longer points to n2, and the roots of s and t go
set n1 0 null
unroot s
unroot t
gc
`;

/**
 * Lesson 05, exercise 2: which objects does plain reference counting keep
 * after the final `gc` of {@linkcode GC_RC_LEAK_WORKLOAD}, although nothing
 * can reach them?
 *
 * @example Answering with every object is wrong
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const result = await check("gc-rc-leak", () => ["head", "n1", "n2", "p", "q", "r", "s", "t", "u"]);
 * assert.equal(result.passed, false);
 * ```
 */
export const gcRcLeak = defineExercise<() => string[]>({
  id: "gc-rc-leak",
  title: "What does reference counting leak?",
  lesson: "05-garbage-collection",
  points: 3,
  expects: "rcLeaks",
  tests: [{
    name: "the unreachable objects that reference counting still holds",
    calls: [[]],
    judge: (r) => {
      const rc =
        runGcWorkload(GC_RC_LEAK_WORKLOAD, { collector: "rc", heapBytes: 1024 }).final.liveIds;
      const ms =
        runGcWorkload(GC_RC_LEAK_WORKLOAD, { collector: "mark-sweep", heapBytes: 1024 }).final
          .liveIds;
      const leaked = rc.filter((id) => !ms.includes(id));
      const got = r[0];
      assert.ok(Array.isArray(got), `expected an array of ids: received ${JSON.stringify(got)}`);
      const g = [...new Set(got as string[])].sort();
      if (g.includes("head") || g.includes("n1")) {
        assert.fail("head and n1 are still reachable from a root: they are not garbage at all");
      }
      if (g.includes("t") || g.includes("u")) {
        assert.fail("t and u form no cycle: when t's count drops to 0 it is freed, and then u");
      }
      assert.deepEqual(
        g,
        [...leaked].sort(),
        "list every object a cycle keeps alive, and only those",
      );
    },
  }],
});

/**
 * The workload of exercise 3 ("gc-copy-bytes"): some objects live, some garbage, one `gc`.
 *
 * @example One collection
 * ```ts
 * import { GC_COPY_WORKLOAD, runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(runGcWorkload(GC_COPY_WORKLOAD, { collector: "copying", heapBytes: 1024 }).collections.length, 1);
 * ```
 */
export const GC_COPY_WORKLOAD = `new a 32 2
new b 48 1
new c 16 0
new d 64 0
new e 24 1
root a
set a 0 b
set b 0 e
set a 1 c
new f 40 1
set f 0 a
gc
`;

/**
 * Lesson 05, exercise 3: how many bytes does the copying collector copy at
 * the `gc` of {@linkcode GC_COPY_WORKLOAD}?
 *
 * @example Counting every object is wrong
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const result = await check("gc-copy-bytes", () => 32 + 48 + 16 + 64 + 24 + 40);
 * assert.equal(result.passed, false);
 * ```
 */
export const gcCopyBytes = defineExercise<() => number>({
  id: "gc-copy-bytes",
  title: "How much does a copying collection copy?",
  lesson: "05-garbage-collection",
  points: 3,
  expects: "copiedBytes",
  tests: [{
    name: "bytes copied by the gc",
    calls: [[]],
    judge: (r) => {
      const c =
        runGcWorkload(GC_COPY_WORKLOAD, { collector: "copying", heapBytes: 1024 }).collections[0];
      const n = r[0];
      assert.ok(
        Number.isInteger(n),
        `expected a whole number of bytes: received ${JSON.stringify(n)}`,
      );
      const all = c.occupancyBeforeBytes;
      if (n === all) {
        assert.fail(`${n} is every object: a copying collector never touches the garbage`);
      }
      if (n === c.bytesFreed) {
        assert.fail(`${n} is the garbage: count what is reachable from the roots instead`);
      }
      assert.equal(
        n,
        c.bytesCopied,
        "follow the pointers from the root; f points to a, but who points to f?",
      );
    },
  }],
});

registerExercises(gcImplementMark, gcRcLeak, gcCopyBytes);
