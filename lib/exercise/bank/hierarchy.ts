/**
 * Lesson 01's exercises: split an address into tag, set and offset; predict
 * the hits and misses of a short trace by hand; choose the block size of a
 * blocked transpose; and a generated practice question on a small cache.
 *
 * @module
 */
import assert from "../judge_assert.ts";
import { defineExercise, registerExercises, show } from "../exercise.ts";
import { registerPractice } from "../practice.ts";
import { type AddressParts, simulateCache, splitAddress } from "../../cache/mod.ts";
import { createTrace, OP_LOAD, OP_STORE, type Trace, TraceBuilder } from "../../trace/mod.ts";

/** The geometry of a cache as exercise 1 passes it: sets, ways and bytes per line. */
export interface SmallGeometry {
  /** Number of sets (a power of two). */
  sets: number;
  /** Lines per set. */
  ways: number;
  /** Bytes per line (a power of two). */
  lineBytes: number;
}

/**
 * The cache of exercise 2 ("hierarchy-predict-hits"): 2 sets, 2 ways, 16-byte lines, LRU.
 *
 * @example 64 bytes in all
 * ```ts
 * import { HIERARCHY_PREDICT_CACHE } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = HIERARCHY_PREDICT_CACHE;
 * assert.equal(c.sets * c.ways * c.lineBytes, 64);
 * ```
 */
export const HIERARCHY_PREDICT_CACHE: Readonly<SmallGeometry & { policy: "lru" }> = Object.freeze({
  sets: 2,
  ways: 2,
  lineBytes: 16,
  policy: "lru",
});

/**
 * The byte addresses loaded, in order, in exercise 2 ("hierarchy-predict-hits").
 *
 * @example Ten loads
 * ```ts
 * import { hierarchyPredictAddresses } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(hierarchyPredictAddresses.length, 10);
 * assert.equal(hierarchyPredictAddresses[0], 0x00);
 * ```
 */
export const hierarchyPredictAddresses: readonly number[] = Object.freeze([
  0x00,
  0x04,
  0x20,
  0x10,
  0x40,
  0x2c,
  0x08,
  0x18,
  0x44,
  0x30,
]);

/** Options of {@linkcode blockedTransposeTrace}. */
export interface TransposeTraceOptions {
  /** Matrix side (elements). */
  n: number;
  /** Block side (elements); `n` gives the naive transpose. */
  block: number;
  /** Bytes per element (default 4). */
  elementBytes?: number;
  /** Address of the source matrix (default 0). */
  srcAddress?: number;
  /** Address of the destination matrix (default right after the source). */
  dstAddress?: number;
}

/**
 * The accesses of `dst[j][i] = src[i][j]` over an n×n matrix, block by
 * block: for each `block`×`block` tile, a load from the source row by row
 * and a store to the destination column by column.
 *
 * @param options Matrix side, block side, element size, addresses.
 * @returns The trace: 2·n² accesses.
 * @throws {RangeError} When `n` or `block` is not a positive integer.
 *
 * @example A 2×2 transpose in one block
 * ```ts
 * import { blockedTransposeTrace } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = blockedTransposeTrace({ n: 2, block: 2, dstAddress: 100 });
 * assert.deepEqual([...t.addresses], [0, 100, 4, 108, 8, 104, 12, 112]);
 * ```
 */
export function blockedTransposeTrace(options: TransposeTraceOptions): Trace {
  const { n, block } = options;
  for (const [name, v] of [["n", n], ["block", block]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(
        `Cannot generate transpose trace: ${name} must be a positive integer: received ${v}`,
      );
    }
  }
  const e = options.elementBytes ?? 4;
  const src = options.srcAddress ?? 0;
  const dst = options.dstAddress ?? src + n * n * e;
  const b = new TraceBuilder(2 * n * n);
  for (let ii = 0; ii < n; ii += block) {
    for (let jj = 0; jj < n; jj += block) {
      for (let i = ii; i < Math.min(ii + block, n); i++) {
        for (let j = jj; j < Math.min(jj + block, n); j++) {
          b.push(OP_LOAD, src + (i * n + j) * e, e);
          b.push(OP_STORE, dst + (j * n + i) * e, e);
        }
      }
    }
  }
  return b.build();
}

type SplitAnswer = (address: number, geometry: SmallGeometry) => AddressParts;

/** A 48 KiB, 12-way L1d of 64-byte lines, as many x86-64 cores have (not read from this machine). */
const L1D: SmallGeometry = { sets: 64, ways: 12, lineBytes: 64 };
const L1D_ADDRESSES = [0x7ffd_1234, 0x10_0040, 0x3f];
const WIDE_CASES: [number, SmallGeometry][] = [
  [0x1234, { sets: 1, ways: 8, lineBytes: 32 }],
  [0x7f12_3456_789a, { sets: 1024, ways: 16, lineBytes: 64 }],
  // A stack address: its tag (0x7fff_f7a3_1) is past 2^32, so `| 0` or `>> 0` on it fails too.
  [0x7fff_f7a3_1c40, { sets: 64, ways: 8, lineBytes: 64 }],
];

/**
 * Lesson 01, exercise 1: split an address into tag, set index and offset.
 *
 * @example 32-bit operators fail above 4 GiB, on the address or on the tag
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const bits = (a: number, g: { sets: number; lineBytes: number }) => ({
 *   tag: a >>> Math.log2(g.sets * g.lineBytes),
 *   set: (a >>> Math.log2(g.lineBytes)) & (g.sets - 1),
 *   offset: a & (g.lineBytes - 1),
 * });
 * const r = await check("hierarchy-split-address", bits);
 * assert.equal(r.passed, false);
 *
 * // Dividing first is right, but `| 0` then truncates a tag past 2^31.
 * const truncated = (a: number, g: { sets: number; lineBytes: number }) => ({
 *   tag: Math.floor(a / (g.sets * g.lineBytes)) | 0,
 *   set: Math.floor(a / g.lineBytes) % g.sets,
 *   offset: a % g.lineBytes,
 * });
 * assert.equal((await check("hierarchy-split-address", truncated)).passed, false);
 * const right = (a: number, g: { sets: number; lineBytes: number }) => ({
 *   tag: Math.floor(a / (g.sets * g.lineBytes)),
 *   set: Math.floor(a / g.lineBytes) % g.sets,
 *   offset: a % g.lineBytes,
 * });
 * assert.equal((await check("hierarchy-split-address", right)).passed, true);
 * ```
 */
export const hierarchySplitAddress = defineExercise<SplitAnswer>({
  id: "hierarchy-split-address",
  title: "Tag, set and offset",
  lesson: "01-memory-hierarchy",
  points: 3,
  expects: "addressParts",
  tests: [
    {
      name: "0x1234 in 16 sets of 16-byte lines: tag 0x12, set 3, offset 4",
      calls: [[0x1234, { sets: 16, ways: 1, lineBytes: 16 }]],
      want: [{ tag: 0x12, set: 3, offset: 4 }],
    },
    {
      name: "ways do not change the split (a 48 KiB L1d: 64 sets, 12 ways, 64-byte lines)",
      calls: L1D_ADDRESSES.map((a) => [a, L1D]),
      want: L1D_ADDRESSES.map((a) => splitAddress(a, L1D)),
    },
    {
      name: "one set (fully associative) and addresses above 4 GiB",
      calls: WIDE_CASES,
      judge: (results) =>
        WIDE_CASES.forEach(([address, g], i) =>
          assert.deepStrictEqual(
            results[i],
            splitAddress(address, g),
            `address 0x${
              address.toString(16)
            } with ${g.sets} sets of ${g.lineBytes}-byte lines (JavaScript's bitwise operators are 32-bit)`,
          )
        ),
    },
  ],
});

/** What the simulator does, access by access, in exercise 2's trace. */
function predictSteps() {
  const g = HIERARCHY_PREDICT_CACHE;
  const trace = createTrace(hierarchyPredictAddresses.map((address) => ({ op: "L", address })));
  const r = simulateCache({ levels: [{ ...g }], stepLimit: 100, classifyMisses: false }, trace);
  return r.steps!;
}

/**
 * A hit/miss answer reduced to its letters (case and spacing ignored).
 *
 * @param s The answer.
 * @returns Upper-case letters only.
 */
function normalise(s: unknown): string {
  return typeof s === "string" ? s.toUpperCase().replace(/[^A-Z]/g, "") : show(s);
}

/**
 * Lesson 01, exercise 2: predict hit or miss for each load of a short trace.
 *
 * @example All misses is wrong, and the message says where
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await check("hierarchy-predict-hits", () => "MMMMMMMMMM");
 * assert.equal(r.passed, false);
 * assert.match(r.tests[2].message, /load 2 \(0x4\)/);
 * ```
 */
export const hierarchyPredictHits = defineExercise<() => string>({
  id: "hierarchy-predict-hits",
  title: "Hit or miss?",
  lesson: "01-memory-hierarchy",
  points: 4,
  expects: "outcomes",
  tests: [
    {
      name: "one letter per load: H for a hit, M for a miss",
      points: 1,
      calls: [[]],
      judge: ([got]) => {
        const s = normalise(got);
        assert.match(
          s,
          /^[HM]*$/,
          `use only H and M (spaces are fine): received ${show(got)}`,
        );
        assert.equal(
          s.length,
          hierarchyPredictAddresses.length,
          `expected ${hierarchyPredictAddresses.length} letters, one per load: received ${s.length}`,
        );
      },
    },
    {
      name: "the first four loads (cold misses and a hit in the same line)",
      points: 1,
      calls: [[]],
      judge: ([got]) => {
        const s = normalise(got);
        const steps = predictSteps();
        for (let i = 0; i < 4; i++) {
          const want = steps[i].outcome === "hit" ? "H" : "M";
          assert.equal(
            s[i],
            want,
            `load ${i + 1} (0x${steps[i].address.toString(16)}) is set ${steps[i].set}, tag ${
              steps[i].tag
            }: the simulator says ${want === "H" ? "hit" : "miss"}`,
          );
        }
      },
    },
    {
      name: "every load matches the simulator (LRU replacement in set 0)",
      points: 2,
      calls: [[]],
      judge: ([got]) => {
        const s = normalise(got);
        predictSteps().forEach((step, i) => {
          const want = step.outcome === "hit" ? "H" : "M";
          const evicted = step.evicted ? `, evicting tag ${step.evicted.tag}` : "";
          assert.equal(
            s[i],
            want,
            `load ${i + 1} (0x${
              step.address.toString(16)
            }) is set ${step.set}, tag ${step.tag}: the simulator says ${
              want === "H" ? "hit" : "miss"
            }${evicted}. Write down both ways of each set after every load, least recently used first`,
          );
        });
      },
    },
  ],
});

const BLOCK_CASES: [number, number, number][] = [
  [32768, 4, 64],
  [32768, 8, 32],
  [49152, 8, 32],
  [1 << 20, 8, 256],
  [64, 4, 2],
];

/** The cache, matrix and element size that exercise 3's simulation test uses. */
export const HIERARCHY_BLOCK_SETUP: Readonly<
  { cacheBytes: number; lineBytes: number; n: number; elementBytes: number }
> = Object.freeze({ cacheBytes: 512, lineBytes: 16, n: 64, elementBytes: 4 });

/**
 * Misses of a blocked transpose in a fully associative LRU cache.
 *
 * @param block Block side in elements.
 * @param setup Cache size, line size, matrix side and element size.
 * @returns The number of misses.
 *
 * @example Blocks that fit beat the naive order
 * ```ts
 * import { blockedTransposeMisses } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.ok(blockedTransposeMisses(16) < blockedTransposeMisses(64));
 * ```
 */
export function blockedTransposeMisses(
  block: number,
  setup: { cacheBytes: number; lineBytes: number; n: number; elementBytes: number } =
    HIERARCHY_BLOCK_SETUP,
): number {
  const { cacheBytes, lineBytes, n, elementBytes } = setup;
  const trace = blockedTransposeTrace({ n, block, elementBytes });
  const ways = cacheBytes / lineBytes;
  return simulateCache({ levels: [{ sets: 1, ways, lineBytes }], classifyMisses: false }, trace)
    .levels[0].misses;
}

/**
 * Lesson 01, exercise 3: the largest power-of-two block whose two tiles fit in the cache.
 *
 * @example Forgetting the factor 2 gives blocks too big
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const oneTile = (c: number, e: number) => 2 ** Math.floor(Math.log2(Math.sqrt(c / e)));
 * const r = await check("hierarchy-block-size", oneTile);
 * assert.equal(r.passed, false);
 * ```
 */
export const hierarchyBlockSize = defineExercise<
  (cacheBytes: number, elementBytes: number) => number
>(
  {
    id: "hierarchy-block-size",
    title: "Choose the block size",
    lesson: "01-memory-hierarchy",
    points: 3,
    expects: "blockSize",
    tests: [
      {
        name: "1 KiB cache, 4-byte ints: 8×8 blocks (CS:APP's 32×32 transpose)",
        calls: [[1024, 4]],
        judge: ([b]) => assert.equal(b, 8, "2 × 8 × 8 × 4 = 512 bytes fit in 1024; 16 × 16 do not"),
      },
      {
        name: "other caches and element sizes, including a size that is not a power of two",
        calls: BLOCK_CASES.map(([c, e]) => [c, e]),
        judge: (results) =>
          BLOCK_CASES.forEach(([c, e, want], i) =>
            assert.equal(results[i], want, `cache ${c} bytes, elements of ${e} bytes`)
          ),
      },
      {
        name: "the simulator agrees: no smaller block misses less, and the naive order misses more",
        calls: [[HIERARCHY_BLOCK_SETUP.cacheBytes, HIERARCHY_BLOCK_SETUP.elementBytes]],
        judge: ([b]) => {
          const s = HIERARCHY_BLOCK_SETUP;
          assert.ok(
            typeof b === "number" && Number.isInteger(b) && b >= 1 && b <= s.n,
            `expected a block side from 1 to ${s.n}: received ${show(b)}`,
          );
          const mine = blockedTransposeMisses(b);
          const naive = blockedTransposeMisses(s.n);
          const half = blockedTransposeMisses(Math.max(1, Math.floor(b / 2)));
          assert.ok(mine < naive, `block ${b}: ${mine} misses, the naive order ${naive}`);
          assert.ok(
            mine <= half,
            `block ${b}: ${mine} misses, block ${b / 2}: ${half}: a smaller block did better`,
          );
        },
      },
    ],
  },
);

registerExercises(hierarchySplitAddress, hierarchyPredictHits, hierarchyBlockSize);

const hex = (n: number) => "0x" + n.toString(16);

registerPractice({
  id: "hierarchy-cache",
  title: "Tag, set, offset, hit or miss",
  lesson: "01-memory-hierarchy",
  generate: (prng) => {
    const s = prng.int(1, 3), b = prng.int(3, 5), ways = prng.int(1, 2);
    const g = { sets: 2 ** s, ways, lineBytes: 2 ** b };
    const lines = Array.from({ length: 4 }, () => prng.int(0, 4 * g.sets - 1));
    const addresses = Array.from({ length: 8 }, () => {
      const line = lines[prng.int(0, lines.length - 1)];
      return line * g.lineBytes + prng.int(0, g.lineBytes - 1);
    });
    const asked = [...new Set(addresses)].slice(0, 3);
    const trace = createTrace(addresses.map((address) => ({ op: "L", address })));
    const r = simulateCache({ levels: [{ ...g }], stepLimit: 100 }, trace);
    const question = [
      `A cache has ${g.sets} sets (s = ${s}), ${ways} way${
        ways > 1 ? "s" : ""
      } (E = ${ways}) and ` +
      `${g.lineBytes}-byte lines (b = ${b}), LRU, and starts empty. It receives loads from ` +
      `${addresses.map(hex).join(", ")}.`,
      ...asked.map((a, i) => `${i + 1}. Tag, set and offset of ${hex(a)}?`),
      `${asked.length + 1}. Which loads hit and which miss? How many hits, misses and evictions?`,
    ].join("\n");
    const answers = [
      ...asked.map((a) => {
        const p = splitAddress(a, g);
        return `tag ${hex(p.tag)}, set ${p.set}, offset ${p.offset}`;
      }),
      `${r.steps!.map((st) => (st.outcome === "hit" ? "H" : "M")).join(" ")}: hits:${
        r.levels[0].hits
      } misses:${r.levels[0].misses} evictions:${r.levels[0].evictions}`,
    ];
    return { question, answers };
  },
});
