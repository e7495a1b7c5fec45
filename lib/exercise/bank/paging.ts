/**
 * Lesson 07's exercises: count LRU's page faults by hand, classify a page
 * fault, write a replacement policy that beats FIFO, and a generated
 * practice question on FIFO, LRU and OPT.
 *
 * @module
 */
import assert from "../judge_assert.ts";
import { defineExercise, registerExercises, show } from "../exercise.ts";
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
      calls: [[]],
      judge: ([n]) => {
        assert.ok(
          Number.isInteger(n),
          `expected a whole number of faults: received ${show(n)}`,
        );
        const distinct = new Set(pagingCountReferences).size;
        assert.ok(
          (n as number) >= distinct && (n as number) <= pagingCountReferences.length,
          `each of the ${distinct} distinct pages faults at least once (a cold miss), and there are only ${pagingCountReferences.length} references: received ${n}`,
        );
      },
    },
    {
      name: "equals the simulator's LRU count with 3 frames",
      points: 2,
      calls: [[]],
      judge: ([n]) => {
        const lru = misses("lru", pagingCountReferences, 3);
        const fifo = misses("fifo", pagingCountReferences, 3);
        const opt = misses("opt", pagingCountReferences, 3);
        const hint = n === fifo
          ? `: ${n} is FIFO's count: a hit must move the page to the most recently used end`
          : n === opt
          ? `: ${n} is OPT's count: LRU looks back at past uses, not forward`
          : ": write the three frames after each reference, and mark each reference hit or miss";
        assert.equal(n, lru, `expected ${lru} faults, received ${show(n)}${hint}`);
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

const INVALID_ACCESSES = [false, true].flatMap((present) =>
  [false, true].map((onDiskOnly) => access(false, present, onDiskOnly))
);

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
      calls: [[access(true, true, false)]],
      want: ["none"],
    },
    {
      name: "the first write to fresh heap memory: minor (the kernel hands out a zeroed frame)",
      calls: [[access(true, false, false)]],
      want: ["minor"],
    },
    {
      name: "reading a page that was swapped out, or a file page not cached: major",
      calls: [[access(true, false, true)]],
      want: ["major"],
    },
    {
      name: "dereferencing a null pointer or a freed region: invalid, whatever else is true",
      calls: INVALID_ACCESSES.map((a) => [a]),
      judge: (results) =>
        INVALID_ACCESSES.forEach((a, i) =>
          assert.equal(
            results[i],
            "invalid",
            `allowed false, present ${a.present}, onDiskOnly ${a.onDiskOnly}`,
          )
        ),
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
const refs = [...pagingLocalityReferences];
const FRAME_RANGE = [1, 2, 3, 4, 5, 6, 7, 8];

/**
 * Run a student's policy on a reference string, where the student's code
 * runs, and return the pages it chose to evict, in order: the decisions as
 * data, for {@linkcode replayVictims} to judge elsewhere.
 *
 * @param policy The student's policy.
 * @param references The pages referenced.
 * @param frameCount Frames of memory.
 * @returns The victims, one per eviction.
 *
 * @example LRU on a short string
 * ```ts
 * import { resolvePagePolicy, runPolicy } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(runPolicy(resolvePagePolicy("lru"), [1, 2, 1, 3], 2), [2]);
 * ```
 */
export function runPolicy(policy: PagePolicy, references: number[], frameCount: number): number[] {
  resolvePagePolicy(policy);
  assert.notEqual(policy.needsFuture, true, "needsFuture must not be true: write an online policy");
  const victims: number[] = [];
  const online = onlineOnly(policy);
  const recording: PagePolicy = {
    ...online,
    chooseVictim: (resident, t, future) => {
      const v = online.chooseVictim(resident, t, future);
      victims.push(v);
      return v;
    },
  };
  simulatePaging({ policy: recording, references, frames: frameCount });
  return victims;
}

/**
 * Replay a run's evictions in the simulator and count its faults: the
 * judge's side of {@linkcode runPolicy}, which trusts nothing it is given.
 *
 * @param references The pages referenced.
 * @param frameCount Frames of memory.
 * @param victims The evictions the policy reported.
 * @returns The number of page faults; throws when a victim is not resident or the count is off.
 *
 * @example FIFO's evictions replayed
 * ```ts
 * import { replayVictims } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(replayVictims([1, 2, 1, 3], 2, [1]), 3);
 * assert.throws(() => replayVictims([1, 2, 1, 3], 2, [7]), /resident page/);
 * ```
 */
export function replayVictims(references: number[], frameCount: number, victims: unknown): number {
  assert.ok(
    Array.isArray(victims) && victims.every((v) => typeof v === "number"),
    `expected the pages the policy evicted, as numbers: received ${show(victims)}`,
  );
  let next = 0;
  const scripted: PagePolicy = {
    name: "your policy's choices",
    chooseVictim: () => {
      if (next >= victims.length) {
        throw new Error(`your policy reported ${victims.length} evictions, the run needs more`);
      }
      return victims[next++];
    },
  };
  let faults: number;
  try {
    faults = simulatePaging({ policy: scripted, references, frames: frameCount }).misses;
  } catch (err) {
    throw new assert.AssertionError({
      message: `with ${frameCount} frames: ${
        (err as Error).message.replace(/^Cannot simulate paging: /, "")
      }`,
    });
  }
  assert.equal(next, victims.length, `your policy reported more evictions than the run had`);
  return faults;
}

/** Judge: a policy's evictions give fewer faults than FIFO (and no fewer than OPT). */
function beatsFifo(references: number[], frameCount: number, victims: unknown): void {
  const mine = replayVictims(references, frameCount, victims);
  const fifo = misses("fifo", references, frameCount);
  const opt = misses("opt", references, frameCount);
  assert.ok(
    mine >= opt,
    `your policy faulted ${mine} times, fewer than OPT's ${opt}, which is impossible`,
  );
  assert.ok(
    mine < fifo,
    `your policy faulted ${mine} times, FIFO ${fifo} and OPT ${opt}: keep the pages used most recently or most often`,
  );
}

/**
 * The judge of "fewer faults than FIFO", for hidden tests of other strings.
 *
 * @param references The pages referenced.
 * @param frameCount Frames of memory.
 * @returns A judge that replays the first call's evictions.
 *
 * @example LRU beats FIFO on the locality string
 * ```ts
 * import { beatsFifoJudge, pagingLocalityReferences, resolvePagePolicy, runPolicy } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const refs = [...pagingLocalityReferences];
 * const victims = runPolicy(resolvePagePolicy("lru"), refs, 4);
 * beatsFifoJudge(refs, 4)([victims], [], undefined);
 * assert.ok(true);
 * ```
 */
export function beatsFifoJudge(
  references: number[],
  frameCount: number,
): (results: unknown[], calls: unknown, expected: unknown) => void {
  return ([victims]) => beatsFifo(references, frameCount, victims);
}

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
  run: runPolicy,
  tests: [
    {
      // The released cell already has this shape, so it earns no points on its own.
      name: "is a valid PagePolicy: a name and a chooseVictim function",
      points: 0,
      calls: [[[0, 1, 2, 0], 1]],
      judge: ([victims]) => {
        assert.ok(
          Array.isArray(victims),
          `expected the run's evictions: received ${show(victims)}`,
        );
      },
    },
    {
      name: "always evicts a resident page, from 1 to 8 frames, without looking ahead",
      points: 1,
      calls: FRAME_RANGE.map((f) => [refs, f]),
      judge: (results) => FRAME_RANGE.forEach((f, i) => replayVictims(refs, f, results[i])),
    },
    {
      name: "starts afresh on every run (init resets its state)",
      points: 1,
      calls: [[refs, frames], [[9, 8, 7, 9, 8, 7, 6], 2], [refs, frames]],
      judge: ([first, , again]) =>
        assert.equal(
          replayVictims(refs, frames, again),
          replayVictims(refs, frames, first),
          "the same run twice gave different counts: reset your state in init",
        ),
    },
    {
      name: `fewer faults than FIFO with ${frames} frames on the locality string`,
      points: 3,
      calls: [[refs, frames]],
      judge: ([victims]) => beatsFifo(refs, frames, victims),
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
