/**
 * Lesson 05's hidden tests (instructor side only): reference answers and
 * the cases that decide the grade.
 *
 * @module
 */
import assert from "../judge_assert.ts";
import { defineHiddenTests, type HiddenTests, visibleAsHidden } from "../exercise.ts";
import { runGcWorkload } from "../../gc/mod.ts";
import {
  GC_COPY_WORKLOAD,
  GC_RC_LEAK_WORKLOAD,
  gcCopyBytes,
  gcExerciseGraph,
  type GcFieldMap,
  gcImplementMark,
  type GcMarkFn,
  gcRcLeak,
} from "../bank/gc.ts";

const referenceMark: GcMarkFn = (roots, fields) => {
  const seen = new Set<string>();
  const work = [...roots];
  while (work.length > 0) {
    const id = work.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const t of fields[id] ?? []) if (t !== null) work.push(t);
  }
  return [...seen];
};

/** Compare each result with the reference's as sets (any order is right). */
function sameSets(results: unknown[], _calls: unknown, expected: unknown[] | undefined): void {
  results.forEach((r, i) => {
    assert.ok(Array.isArray(r), `graph ${i + 1}: expected an array of ids: received ${typeof r}`);
    assert.deepEqual(
      [...new Set(r as string[])].sort(),
      [...(expected![i] as string[])].sort(),
      `graph ${i + 1}: not the reachable set`,
    );
  });
}

const wide: GcFieldMap = Object.fromEntries(
  Array.from(
    { length: 2000 },
    (_, i) => [`w${i}`, i === 0 ? Array.from({ length: 1999 }, (_, k) => `w${k + 1}`) : [null]],
  ),
);

/**
 * Hidden tests of gc-implement-mark.
 *
 * @example Four points in all
 * ```ts
 * import { gcImplementMarkHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(gcImplementMarkHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const gcImplementMarkHidden: HiddenTests<GcMarkFn> = defineHiddenTests<GcMarkFn>({
  id: "gc-implement-mark",
  reference: referenceMark,
  tests: [
    ...visibleAsHidden(gcImplementMark, 2),
    {
      name: "seeded graphs of 1,000 objects, and one object with 1,999 fields",
      points: 2,
      calls: [
        ...[71, 72, 73].map((seed) => Object.values(gcExerciseGraph(seed, 1000))),
        [["w0"], wide],
        [["w5", "w5", "w7"], wide],
      ],
      judge: sameSets,
    },
  ],
});

/**
 * Hidden tests of gc-rc-leak: the same question (the answer is a constant).
 *
 * @example Three points
 * ```ts
 * import { gcRcLeakHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(gcRcLeakHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const gcRcLeakHidden: HiddenTests<() => string[]> = defineHiddenTests<() => string[]>({
  id: "gc-rc-leak",
  reference: () => {
    const run = (collector: "rc" | "mark-sweep") =>
      runGcWorkload(GC_RC_LEAK_WORKLOAD, { collector, heapBytes: 1024 }).final.liveIds;
    const traced = run("mark-sweep");
    return run("rc").filter((id) => !traced.includes(id));
  },
  tests: visibleAsHidden(gcRcLeak, 3),
});

/**
 * Hidden tests of gc-copy-bytes: the same question.
 *
 * @example Three points
 * ```ts
 * import { gcCopyBytesHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(gcCopyBytesHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const gcCopyBytesHidden: HiddenTests<() => number> = defineHiddenTests<() => number>({
  id: "gc-copy-bytes",
  reference: () =>
    runGcWorkload(GC_COPY_WORKLOAD, { collector: "copying", heapBytes: 1024 }).collections[0]
      .bytesCopied,
  tests: visibleAsHidden(gcCopyBytes, 3),
});
