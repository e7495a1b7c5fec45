/**
 * Lesson 00's exercises: page counts, page number and offset, aligning up,
 * and a generated practice question on addresses.
 *
 * @module
 */
import { defineExercise, type Exercise, registerExercises } from "../exercise.ts";
import { registerPractice } from "../practice.ts";

/** The answer to exercise welcome-page-count: `pageCount(sizeBytes, pageBytes = 4096)`. */
export type PageCountAnswer = (sizeBytes: number, pageBytes?: number) => number;
/** The answer to exercise welcome-page-of: `pageOf(address, pageBytes)`. */
export type PageOfAnswer = (address: number, pageBytes: number) => { page: number; offset: number };
/** The answer to exercise welcome-align-up: `alignUp(address, alignment)`. */
export type AlignUpAnswer = (address: number, alignment: number) => number;

/**
 * Lesson 00, exercise 1: how many pages an N-byte buffer needs (ceiling division).
 *
 * @example The reference answer passes
 * ```ts
 * import { check, welcomePageCount } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(welcomePageCount.expects, "pageCount");
 * const r = await check(welcomePageCount.id, (n: number, p = 4096) => Math.ceil(n / p));
 * assert.equal(r.score, welcomePageCount.points);
 * ```
 */
export const welcomePageCount: Exercise<PageCountAnswer> = defineExercise<PageCountAnswer>({
  id: "welcome-page-count",
  title: "How many pages?",
  lesson: "00-welcome",
  points: 3,
  expects: "pageCount",
  tests: [
    { name: "0 bytes need 0 pages", calls: [[0]], want: [0] },
    { name: "1 byte needs a whole page", calls: [[1]], want: [1] },
    { name: "4096 bytes fill exactly 1 page", calls: [[4096]], want: [1] },
    { name: "4097 bytes spill into a 2nd page", calls: [[4097]], want: [2] },
    {
      name: "other page sizes (16 KiB, 2 MiB)",
      calls: [[100_000, 16384], [3 * 2 ** 21 + 1, 2 ** 21]],
      want: [7, 4],
    },
    { name: "a 1 TiB + 1 byte buffer", calls: [[2 ** 40 + 1]], want: [2 ** 28 + 1] },
  ],
});

/**
 * Lesson 00, exercise 2: split an address into page number and offset.
 *
 * @example Bitwise operators fail from 2 GiB on
 * ```ts
 * import { check, welcomePageOf } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await check(welcomePageOf.id, (a: number) => ({ page: a >>> 12, offset: a & 0xfff }));
 * assert.equal(r.passed, false);
 * ```
 */
export const welcomePageOf: Exercise<PageOfAnswer> = defineExercise<PageOfAnswer>({
  id: "welcome-page-of",
  title: "Page number and offset",
  lesson: "00-welcome",
  points: 4,
  expects: "pageOf",
  tests: [
    {
      name: "0x12345 with 4 KiB pages is page 0x12, offset 0x345",
      calls: [[0x12345, 4096]],
      want: [{ page: 0x12, offset: 0x345 }],
    },
    {
      name: "page boundaries: first and last byte of a page",
      calls: [[0x2000, 4096], [0x1fff, 4096]],
      want: [{ page: 2, offset: 0 }, { page: 1, offset: 0xfff }],
    },
    {
      name: "other page sizes (16 KiB, 2 MiB)",
      calls: [[0x12345, 16384], [0x654321, 2 ** 21]],
      want: [{ page: 4, offset: 0x2345 }, { page: 3, offset: 0x54321 }],
    },
    {
      name: "addresses above 4 GiB (JavaScript's bitwise operators are 32-bit)",
      calls: [[0x7f12_3456_7890, 4096]],
      want: [{ page: 0x7f12_3456_7, offset: 0x890 }],
    },
  ],
});

/**
 * Lesson 00, exercise 3: round an address up to a multiple of a power of two.
 *
 * @example Points given per test
 * ```ts
 * import { welcomeAlignUp } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(welcomeAlignUp.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const welcomeAlignUp: Exercise<AlignUpAnswer> = defineExercise<AlignUpAnswer>({
  id: "welcome-align-up",
  title: "Align an address up",
  lesson: "00-welcome",
  points: 3,
  expects: "alignUp",
  tests: [
    { name: "13 aligned up to 8 is 16", points: 1, calls: [[13, 8]], want: [16] },
    {
      name: "an aligned address stays put",
      points: 0.5,
      calls: [[4096, 4096], [0, 64]],
      want: [4096, 0],
    },
    { name: "alignment 1 changes nothing", points: 0.5, calls: [[12345, 1]], want: [12345] },
    {
      name: "addresses above 4 GiB",
      points: 1,
      calls: [[2 ** 33 + 1, 4096]],
      want: [2 ** 33 + 4096],
    },
  ],
});

registerExercises(welcomePageCount, welcomePageOf, welcomeAlignUp);

const hex = (n: number) => "0x" + n.toString(16);
const kib = (n: number) => n >= 1024 ? `${n / 1024} KiB` : `${n} bytes`;

registerPractice({
  id: "welcome-addresses",
  title: "Pages, offsets and alignment",
  lesson: "00-welcome",
  generate: (prng) => {
    const pageBytes = 2 ** prng.int(9, 16);
    const addresses = [0, 1, 2].map(() => prng.int(0, 2 ** 24 - 1));
    const sizeBytes = prng.int(1, 64) * pageBytes + prng.int(-pageBytes + 1, pageBytes - 1);
    const align = 2 ** prng.int(3, 6);
    const unaligned = prng.int(1, 4096);
    const question = [
      `Pages are ${kib(pageBytes)} (${pageBytes} = ${hex(pageBytes)} bytes).`,
      ...addresses.map((a, i) =>
        `${i + 1}. What are the page number and the offset of address ${hex(a)}?`
      ),
      `4. How many pages does a buffer of ${sizeBytes} bytes need?`,
      `5. Align address ${unaligned} up to a multiple of ${align}.`,
    ].join("\n");
    const answers = [
      ...addresses.map((a) => {
        const page = Math.floor(a / pageBytes), offset = a % pageBytes;
        return `page ${hex(page)}, offset ${hex(offset)} (${hex(a)} = ${hex(page)} × ${
          hex(pageBytes)
        } + ${hex(offset)})`;
      }),
      `${Math.ceil(sizeBytes / pageBytes)} pages (ceil(${sizeBytes} / ${pageBytes}))`,
      `${Math.ceil(unaligned / align) * align} (ceil(${unaligned} / ${align}) × ${align})`,
    ];
    return { question, answers };
  },
});
