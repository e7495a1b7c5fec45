/**
 * Lesson 08's hidden tests (instructor side only): reference answers and
 * the cases that decide the grade.
 *
 * @module
 */
import { defineHiddenTests, type HiddenTests, visibleAsHidden } from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import { checkBorrows } from "../../ownership/mod.ts";
import {
  SAFETY_PREDICT_PROGRAMS,
  safetyBoundedCopy,
  safetyFixBorrow,
  safetyPredictVerdicts,
} from "../bank/safety.ts";

const prng = createPrng(0x08_5eed);

/**
 * Hidden tests of safety-fix-borrow: the visible checks (the answer is one program).
 *
 * @example Four points in all
 * ```ts
 * import { safetyFixBorrowHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(safetyFixBorrowHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const safetyFixBorrowHidden: HiddenTests<() => string> = defineHiddenTests<() => string>({
  id: "safety-fix-borrow",
  reference: () =>
    `fn main() {
    let mut x = vec![1, 2, 3];
    let y = &x;
    println!("{:?}", y);
    x.push(4);
}
`,
  tests: visibleAsHidden(safetyFixBorrow, 4),
});

/**
 * Hidden tests of safety-predict-verdicts: the reference is the checker's own verdicts.
 *
 * @example Three points in all
 * ```ts
 * import { safetyPredictVerdictsHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(safetyPredictVerdictsHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const safetyPredictVerdictsHidden: HiddenTests<() => string[]> = defineHiddenTests<
  () => string[]
>({
  id: "safety-predict-verdicts",
  reference: () =>
    SAFETY_PREDICT_PROGRAMS.map((src) => {
      const r = checkBorrows(src);
      return r.accepted ? "accepted" : r.diagnostics[0].code;
    }),
  tests: visibleAsHidden(safetyPredictVerdicts, 3),
});

/** The reference bounded copy. */
function boundedCopy(capacity: number, text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  const out = new Array<number>(capacity).fill(0);
  for (let i = 0; i < Math.min(bytes.length, capacity - 1); i++) out[i] = bytes[i];
  return out;
}

const ALPHABET = "abcXYZ 09é€✓";
const randomText = (n: number) =>
  Array.from({ length: n }, () => [...ALPHABET][prng.int(0, [...ALPHABET].length - 1)]).join("");

/**
 * Hidden tests of safety-bounded-copy: the visible cases, then seeded
 * capacities and texts, multi-byte characters cut in the middle included.
 *
 * @example Three points in all, as the exercise
 * ```ts
 * import { safetyBoundedCopyHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(safetyBoundedCopyHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const safetyBoundedCopyHidden: HiddenTests<(c: number, t: string) => number[]> =
  defineHiddenTests<(c: number, t: string) => number[]>({
    id: "safety-bounded-copy",
    reference: boundedCopy,
    tests: [
      ...visibleAsHidden(safetyBoundedCopy, 1),
      {
        name:
          "40 seeded capacities (1 to 40) and texts (0 to 60 characters, some of several bytes)",
        points: 2,
        calls: Array.from({ length: 40 }, () => [prng.int(1, 40), randomText(prng.int(0, 60))]),
      },
    ],
  });
