/**
 * Lesson 04's hidden tests (instructor side only): reference answers and
 * the seeded random cases that decide the grade.
 *
 * @module
 */
import { defineHiddenTests, type HiddenTests, visibleAsHidden } from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import {
  type ExerciseBlock,
  heapBestFit,
  type HeapBestFitAnswer,
  heapBlockSize,
  type HeapBlockSizeAnswer,
  heapCoalesce,
  type HeapCoalesceAnswer,
} from "../bank/heap.ts";
import { createHeap } from "../../heap/mod.ts";

// Reference of "heap-block-size": the block the simulated heap takes for a request.
function heapReferenceBlockSize(
  request: number,
  alignment: number,
  minBlockBytes: number,
): number {
  const heap = createHeap({ alignment: alignment as 8 | 16, minBlockBytes });
  heap.malloc(request);
  return heap.blocks()[0].sizeBytes;
}

// Reference of "heap-best-fit": the smallest free block of at least `need` bytes, lowest address on a tie.
function heapReferenceBestFit(blocks: ExerciseBlock[], need: number): number | null {
  let best: ExerciseBlock | null = null;
  for (const b of blocks) if (b.free && b.size >= need && (!best || b.size < best.size)) best = b;
  return best ? best.address : null;
}

// Reference of "heap-coalesce": merge every run of adjacent free blocks.
function heapReferenceCoalesce(blocks: ExerciseBlock[]): ExerciseBlock[] {
  const out: ExerciseBlock[] = [];
  for (const b of blocks) {
    const last = out.at(-1);
    if (last && last.free && b.free) last.size += b.size;
    else out.push({ ...b });
  }
  return out;
}

const prng = createPrng(0x04_5eed);
const randomBlocks = (): ExerciseBlock[] => {
  const out: ExerciseBlock[] = [];
  let at = 16;
  for (let i = prng.int(0, 9); i > 0; i--) {
    const size = 16 * prng.int(1, 8);
    out.push({ address: at, size, free: prng.int(0, 1) === 0 });
    at += size;
  }
  return out;
};

/**
 * Hidden tests of heap-block-size.
 *
 * @example Three points in all
 * ```ts
 * import { heapBlockSizeHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(heapBlockSizeHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const heapBlockSizeHidden: HiddenTests<HeapBlockSizeAnswer> = defineHiddenTests<
  HeapBlockSizeAnswer
>({
  id: "heap-block-size",
  reference: heapReferenceBlockSize,
  tests: [
    ...visibleAsHidden(heapBlockSize, 1.5),
    {
      name: "random requests and alignments",
      points: 1.5,
      calls: Array.from({ length: 12 }, () => {
        const a = prng.int(0, 1) ? 16 : 8;
        return [prng.int(1, 500), a, a * prng.int(2, 4)];
      }),
    },
  ],
});

/**
 * Hidden tests of heap-best-fit.
 *
 * @example Four points in all
 * ```ts
 * import { heapBestFitHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(heapBestFitHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const heapBestFitHidden: HiddenTests<HeapBestFitAnswer> = defineHiddenTests<
  HeapBestFitAnswer
>({
  id: "heap-best-fit",
  reference: heapReferenceBestFit,
  tests: [
    ...visibleAsHidden(heapBestFit, 2),
    {
      name: "random heaps and requests (ties go to the lower address)",
      points: 2,
      calls: Array.from({ length: 12 }, () => [randomBlocks(), 16 * prng.int(1, 8)]),
    },
  ],
});

/**
 * Hidden tests of heap-coalesce.
 *
 * @example Four points in all
 * ```ts
 * import { heapCoalesceHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(heapCoalesceHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const heapCoalesceHidden: HiddenTests<HeapCoalesceAnswer> = defineHiddenTests<
  HeapCoalesceAnswer
>({
  id: "heap-coalesce",
  reference: heapReferenceCoalesce,
  tests: [
    ...visibleAsHidden(heapCoalesce, 2),
    { name: "random heaps", points: 2, calls: Array.from({ length: 12 }, () => [randomBlocks()]) },
  ],
});
