/**
 * Lesson 07's exercises: count LRU's page faults by hand, classify a page
 * fault, write a replacement policy that beats FIFO, and a generated
 * practice question on FIFO, LRU and OPT.
 *
 * @module
 */
import assert from "node:assert/strict";
import { defineExercise, registerExercises } from "../exercise.ts";
import { registerPractice } from "../practice.ts";
import {
  type PagePolicy,
  type PagingFuture,
  resolvePagePolicy,
  simulatePaging,
} from "../../vm/mod.ts";

/**
 * The reference string of exercise 1 ("paging-count-lru"), simulated with 3 frames.
 *
 * @example Twelve references to six pages
 * ```ts
 * import { pagingCountReferences } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pagingCountReferences.length, 12);
 * assert.equal(new Set(pagingCountReferences).size, 6);
 * ```
 */
export const pagingCountReferences: readonly number[] = Object.freeze([
  3,
  1,
  4,
  1,
  5,
  2,
  6,
  5,
  3,
  5,
  1,
  4,
]);

/**
 * The locality-heavy reference string of exercise 3 ("paging-beat-fifo"):
 * ten rounds in which pages 0 and 1 are used over and over while a cold page
 * passes by twice per round.
 *
 * @example LRU keeps the hot pages, FIFO keeps pushing them out
 * ```ts
 * import { PAGING_BEAT_FIFO_FRAMES, pagingLocalityReferences, simulatePaging } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const run = (policy: string) =>
 *   simulatePaging({ policy, frames: PAGING_BEAT_FIFO_FRAMES, references: [...pagingLocalityReferences] }).misses;
 * assert.ok(run("lru") < run("fifo"));
 * ```
 */
export const pagingLocalityReferences: readonly number[] = Object.freeze(
  Array.from({ length: 10 }, (_, i) => [0, 1, 0, 2 + (i % 4), 0, 1, 6 + (i % 3)]).flat(),
);

/**
 * Frames used by exercise 3 ("paging-beat-fifo").
 *
 * @example Four frames
 * ```ts
 * import { PAGING_BEAT_FIFO_FRAMES } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PAGING_BEAT_FIFO_FRAMES, 4);
 * ```
 */
export const PAGING_BEAT_FIFO_FRAMES = 4;

const misses = (policy: string | PagePolicy, references: readonly number[], frames: number) =>
  simulatePaging({ policy, references: [...references], frames }).misses;

/**
 * Lesson 07: count LRU's faults on a short reference string, by hand.
 *
 * @example FIFO's count is not LRU's
 * ```ts
 * import { check, pagingCountReferences, simulatePaging } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const fifo = simulatePaging({ policy: "fifo", frames: 3, references: [...pagingCountReferences] });
 * const result = await check("paging-count-lru", () => fifo.misses);
 * assert.equal(result.passed, false);
 * assert.match(result.tests[1].message, /FIFO's count/);
 * ```
 */
export const pagingCountLru = defineExercise<() => number>({
  id: "paging-count-lru",
  title: "Count LRU's page faults by hand",
  lesson: "07-page-faults-and-swapping",
  points: 3,
  expects: "lruFaults",
  tests: [
    {
      name: "a whole number between the distinct pages and the references",
      points: 1,
      fn: (f) => {
        const n = f();
        assert.ok(Number.isInteger(n), `expected a whole number of faults: received ${n}`);
        const distinct = new Set(pagingCountReferences).size;
        assert.ok(
          n >= distinct && n <= pagingCountReferences.length,
          `each of the ${distinct} distinct pages faults at least once (a cold miss), and there are only ${pagingCountReferences.length} references: received ${n}`,
        );
      },
    },
    {
      name: "equals the simulator's LRU count with 3 frames",
      points: 2,
      fn: (f) => {
        const n = f();
        const lru = misses("lru", pagingCountReferences, 3);
        const fifo = misses("fifo", pagingCountReferences, 3);
        const opt = misses("opt", pagingCountReferences, 3);
        const hint = n === fifo
          ? `: ${n} is FIFO's count: a hit must move the page to the most recently used end`
          : n === opt
          ? `: ${n} is OPT's count: LRU looks back at past uses, not forward`
          : ": write the three frames after each reference, and mark each reference hit or miss";
        assert.equal(n, lru, `expected ${lru} faults, received ${n}${hint}`);
      },
    },
  ],
});

/** What the kernel knows about one memory access, as exercise 2 describes it. */
export interface PageAccessFacts {
  /** The address lies in a region the process has mapped, and the region allows this access. */
  allowed: boolean;
  /** The page table already points at a frame holding this page. */
  present: boolean;
  /** The page's contents are only on disk (swapped out, or a file page not in the page cache). */
  onDiskOnly: boolean;
}

/** The answer of exercise 2: no fault, a minor, a major or an invalid fault. */
export type FaultKindAnswer = "none" | "minor" | "major" | "invalid";

type FaultKindFn = (access: PageAccessFacts) => FaultKindAnswer;

const access = (allowed: boolean, present: boolean, onDiskOnly: boolean): PageAccessFacts => ({
  allowed,
  present,
  onDiskOnly,
});

/**
 * Lesson 07: name the kind of fault an access causes.
 *
 * @example A classifier that forgets invalid accesses
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const naive = (a: { present: boolean; onDiskOnly: boolean }) =>
 *   a.present ? "none" : a.onDiskOnly ? "major" : "minor";
 * const result = await check("paging-fault-kind", naive);
 * assert.equal(result.score, 3);
 * ```
 */
export const pagingFaultKind = defineExercise<FaultKindFn>({
  id: "paging-fault-kind",
  title: "Which kind of page fault?",
  lesson: "07-page-faults-and-swapping",
  points: 4,
  expects: "faultKind",
  tests: [
    {
      name: "a page already mapped: no fault at all",
      fn: (f) => assert.equal(f(access(true, true, false)), "none"),
    },
    {
      name: "the first write to fresh heap memory: minor (the kernel hands out a zeroed frame)",
      fn: (f) => assert.equal(f(access(true, false, false)), "minor"),
    },
    {
      name: "reading a page that was swapped out, or a file page not cached: major",
      fn: (f) => assert.equal(f(access(true, false, true)), "major"),
    },
    {
      name: "dereferencing a null pointer or a freed region: invalid, whatever else is true",
      fn: (f) => {
        for (const present of [false, true]) {
          for (const onDiskOnly of [false, true]) {
            assert.equal(
              f(access(false, present, onDiskOnly)),
              "invalid",
              `allowed false, present ${present}, onDiskOnly ${onDiskOnly}`,
            );
          }
        }
      },
    },
  ],
});

/** Hide the future from a policy: an online policy must decide from the past alone. */
function onlineOnly(p: PagePolicy): PagePolicy {
  const peek = () => {
    throw new Error(
      "your policy must not look at the future (future.nextUse or future.references): a real kernel cannot",
    );
  };
  const noFuture: PagingFuture = {
    get references(): ArrayLike<number> {
      return peek();
    },
    nextUse: peek,
  };
  return {
    name: p.name,
    init: (ctx) => p.init?.({ ...ctx, references: [] }),
    onHit: (page, t) => p.onHit?.(page, t),
    onInsert: (page, t) => p.onInsert?.(page, t),
    onEvict: (page, t) => p.onEvict?.(page, t),
    chooseVictim: (resident, t) => p.chooseVictim(resident, t, noFuture),
  };
}

const frames = PAGING_BEAT_FIFO_FRAMES;
const refs = pagingLocalityReferences;

/**
 * Lesson 07: write a page replacement policy with fewer faults than FIFO.
 *
 * @example FIFO itself does not beat FIFO
 * ```ts
 * import { check, resolvePagePolicy } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const result = await check("paging-beat-fifo", resolvePagePolicy("fifo"));
 * assert.equal(result.passed, false);
 * assert.match(result.tests[3].message, /FIFO/);
 * ```
 */
export const pagingBeatFifo = defineExercise<PagePolicy>({
  id: "paging-beat-fifo",
  title: "Write your own policy and beat FIFO",
  lesson: "07-page-faults-and-swapping",
  points: 5,
  expects: "myPolicy",
  tests: [
    {
      // The released cell already has this shape, so it earns no points on its own.
      name: "is a valid PagePolicy: a name and a chooseVictim function",
      points: 0,
      fn: (p) => {
        resolvePagePolicy(p);
        assert.notEqual(
          p.needsFuture,
          true,
          "needsFuture must not be true: write an online policy",
        );
      },
    },
    {
      name: "always evicts a resident page, from 1 to 8 frames, without looking ahead",
      points: 1,
      fn: (p) => {
        for (let f = 1; f <= 8; f++) misses(onlineOnly(p), refs, f);
      },
    },
    {
      name: "starts afresh on every run (init resets its state)",
      points: 1,
      fn: (p) => {
        const first = misses(onlineOnly(p), refs, frames);
        misses(onlineOnly(p), [9, 8, 7, 9, 8, 7, 6], 2);
        const again = misses(onlineOnly(p), refs, frames);
        assert.equal(
          again,
          first,
          "the same run twice gave different counts: reset your state in init",
        );
      },
    },
    {
      name: `fewer faults than FIFO with ${frames} frames on the locality string`,
      points: 3,
      fn: (p) => {
        const mine = misses(onlineOnly(p), refs, frames);
        const fifo = misses("fifo", refs, frames);
        const opt = misses("opt", refs, frames);
        assert.ok(
          mine >= opt,
          `your policy faulted ${mine} times, fewer than OPT's ${opt}, which is impossible: is chooseVictim returning a page that is not resident?`,
        );
        assert.ok(
          mine < fifo,
          `your policy faulted ${mine} times, FIFO ${fifo} and OPT ${opt}: keep the pages used most recently or most often`,
        );
      },
    },
  ],
});

registerExercises(pagingCountLru, pagingFaultKind, pagingBeatFifo);

registerPractice({
  id: "paging-policies",
  title: "FIFO, LRU and OPT by hand",
  lesson: "07-page-faults-and-swapping",
  generate: (prng) => {
    const pageCount = prng.int(5, 6);
    const frameCount = 3;
    const references = Array.from({ length: 12 }, () => prng.int(0, pageCount - 1));
    const policies = ["FIFO", "LRU", "OPT"];
    const question = [
      `Memory holds ${frameCount} pages and starts empty. The program references pages ${
        references.join(", ")
      }.`,
      ...policies.map((p, i) => `${i + 1}. How many page faults does ${p} take?`),
    ].join("\n");
    const answers = policies.map((p) => {
      const r = simulatePaging({ policy: p, references, frames: frameCount, steps: true });
      const trace = r.steps!.map((s) => `${s.page}${s.hit ? "" : "*"}`).join(" ");
      return `${r.misses} faults (* marks a fault: ${trace})`;
    });
    return { question, answers };
  },
});
