/**
 * Lesson 07's hidden tests (instructor side only): reference answers and
 * the cases that decide the grade.
 *
 * @module
 */
import { defineHiddenTests, type HiddenTests, visibleAsHidden } from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import { type PagePolicy, resolvePagePolicy, simulatePaging } from "../../vm/mod.ts";
import {
  beatsFifoJudge,
  type FaultKindAnswer,
  type PageAccessFacts,
  pagingBeatFifo,
  pagingCountLru,
  pagingCountReferences,
  pagingFaultKind,
  pagingLocalityReferences,
} from "../bank/paging.ts";

const prng = createPrng(0x07_5eed);

/**
 * Hidden tests of paging-count-lru: the same question (the answer is a constant).
 *
 * @example Three points in all
 * ```ts
 * import { pagingCountLruHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pagingCountLruHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const pagingCountLruHidden: HiddenTests<() => number> = defineHiddenTests<() => number>({
  id: "paging-count-lru",
  reference: () =>
    simulatePaging({ policy: "lru", frames: 3, references: [...pagingCountReferences] }).misses,
  tests: visibleAsHidden(pagingCountLru, 3),
});

const facts = (allowed: boolean, present: boolean, onDiskOnly: boolean): PageAccessFacts => ({
  allowed,
  present,
  onDiskOnly,
});
const everyAccess = [false, true].flatMap((a) =>
  [false, true].flatMap((p) => [false, true].map((d) => [facts(a, p, d)]))
);

/**
 * Hidden tests of paging-fault-kind.
 *
 * @example Four points in all
 * ```ts
 * import { pagingFaultKindHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pagingFaultKindHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const pagingFaultKindHidden: HiddenTests = defineHiddenTests<
  (a: PageAccessFacts) => FaultKindAnswer
>({
  id: "paging-fault-kind",
  reference: (a) => !a.allowed ? "invalid" : a.present ? "none" : a.onDiskOnly ? "major" : "minor",
  tests: [
    ...visibleAsHidden(pagingFaultKind, 2),
    { name: "all eight combinations of the three facts", points: 2, calls: everyAccess },
  ],
});

/** A reference string with locality: a few hot pages, cold pages passing by. */
function localityString(length: number): number[] {
  const hot = [0, 1, 2];
  return Array.from(
    { length },
    (_, i) => i % 3 === 2 ? 3 + prng.int(0, 9) : hot[prng.int(0, hot.length - 1)],
  );
}
const longer = [...pagingLocalityReferences, ...pagingLocalityReferences];
const hotAndCold = localityString(120);
const lru = resolvePagePolicy("lru") as PagePolicy;

/**
 * Hidden tests of paging-beat-fifo.
 *
 * @example Five points in all
 * ```ts
 * import { pagingBeatFifoHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pagingBeatFifoHidden.tests.reduce((s, t) => s + t.points, 0), 5);
 * ```
 */
export const pagingBeatFifoHidden: HiddenTests<PagePolicy> = defineHiddenTests<PagePolicy>({
  id: "paging-beat-fifo",
  reference: lru,
  tests: [
    ...visibleAsHidden(pagingBeatFifo, 2.5),
    {
      name: "fewer faults than FIFO on the locality string played twice",
      points: 1,
      calls: [[longer, 4]],
      judge: beatsFifoJudge(longer, 4),
    },
    {
      name: "fewer faults than FIFO on another string of three hot pages",
      points: 1.5,
      calls: [[hotAndCold, 4]],
      judge: beatsFifoJudge(hotAndCold, 4),
    },
  ],
});
