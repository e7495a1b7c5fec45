/**
 * Lesson 00's hidden tests (instructor side only; never in a student
 * edition): the reference answers and the cases that decide the grade.
 *
 * @module
 */
import {
  defineHiddenTests,
  type ExerciseCall,
  type HiddenTests,
  visibleAsHidden,
} from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import {
  type AlignUpAnswer,
  type PageCountAnswer,
  type PageOfAnswer,
  welcomeAlignUp,
  welcomePageCount,
  welcomePageOf,
} from "../bank/welcome.ts";

const prng = createPrng(0x00_5eed);
const pageSizes = [512, 4096, 16384, 65536, 2 ** 21, 2 ** 30];
const pick = <T>(xs: readonly T[]): T => xs[prng.int(0, xs.length - 1)];
/** An integer in [0, 2^bits), as a sum of two 26-bit draws for bits above 31. */
const big = (bits: number) =>
  bits <= 31 ? prng.int(0, 2 ** bits - 1) : prng.int(0, 2 ** (bits - 26) - 1) * 2 ** 26 +
    prng.int(0, 2 ** 26 - 1);
const calls = (n: number, make: () => unknown[]): ExerciseCall[] => Array.from({ length: n }, make);

/**
 * Hidden tests of welcome-page-count.
 *
 * @example Three points in all
 * ```ts
 * import { welcomePageCountHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(welcomePageCountHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const welcomePageCountHidden: HiddenTests<PageCountAnswer> = defineHiddenTests<
  PageCountAnswer
>({
  id: "welcome-page-count",
  reference: (sizeBytes, pageBytes = 4096) => Math.ceil(sizeBytes / pageBytes),
  tests: [
    ...visibleAsHidden(welcomePageCount, 1),
    {
      name: "exact multiples and one byte either side, for six page sizes",
      points: 1,
      calls: pageSizes.flatMap((p) => [[7 * p - 1, p], [7 * p, p], [7 * p + 1, p]]),
    },
    {
      name: "random sizes up to 2^45 bytes",
      points: 1,
      calls: calls(40, () => [big(prng.int(1, 45)), pick(pageSizes)]),
    },
  ],
});

/**
 * Hidden tests of welcome-page-of.
 *
 * @example Four points in all
 * ```ts
 * import { welcomePageOfHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(welcomePageOfHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const welcomePageOfHidden: HiddenTests<PageOfAnswer> = defineHiddenTests<PageOfAnswer>({
  id: "welcome-page-of",
  reference: (address, pageBytes) => ({
    page: Math.floor(address / pageBytes),
    offset: address % pageBytes,
  }),
  tests: [
    ...visibleAsHidden(welcomePageOf, 1),
    {
      name: "random addresses below 2 GiB",
      points: 1,
      calls: calls(30, () => [big(31), pick(pageSizes)]),
    },
    {
      name: "addresses from 2 GiB to 4 GiB (where 32-bit signed operators break)",
      points: 1,
      calls: calls(20, () => [2 ** 31 + big(31), pick(pageSizes)]),
    },
    {
      name: "random 47-bit user-space addresses",
      points: 1,
      calls: [[0x7f12_3456_7890, 4096], ...calls(30, () => [big(47), pick(pageSizes)])],
    },
  ],
});

/**
 * Hidden tests of welcome-align-up.
 *
 * @example Three points in all
 * ```ts
 * import { welcomeAlignUpHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(welcomeAlignUpHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const welcomeAlignUpHidden: HiddenTests<AlignUpAnswer> = defineHiddenTests<AlignUpAnswer>({
  id: "welcome-align-up",
  reference: (address, alignment) => Math.ceil(address / alignment) * alignment,
  tests: [
    ...visibleAsHidden(welcomeAlignUp, 1),
    {
      name: "every small address against alignments 1 to 64",
      points: 1,
      calls: [1, 2, 4, 8, 16, 32, 64].flatMap((a) =>
        [0, 1, a - 1, a, a + 1, 3 * a].map((x) => [x, a])
      ),
    },
    {
      name: "random addresses up to 2^45 and alignments up to 1 GiB",
      points: 1,
      calls: calls(40, () => [big(prng.int(1, 45)), 2 ** prng.int(0, 30)]),
    },
  ],
});
