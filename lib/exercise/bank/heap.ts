/**
 * Lesson 04's exercises: the block malloc really takes, best fit written by
 * hand, and coalescing written by hand.
 *
 * @module
 */
import { defineExercise, type Exercise, registerExercises } from "../exercise.ts";

/** A block as the exercises describe it: address of its header, size in bytes, free or not. */
export interface ExerciseBlock {
  /** Address of the block's first byte. */
  address: number;
  /** Size in bytes, header and footer included. */
  size: number;
  /** True if free. */
  free: boolean;
}

/** The answer of "heap-block-size". */
export type HeapBlockSizeAnswer = (
  request: number,
  alignment: number,
  minBlockBytes: number,
) => number;
/** The answer of "heap-best-fit". */
export type HeapBestFitAnswer = (blocks: ExerciseBlock[], need: number) => number | null;
/** The answer of "heap-coalesce". */
export type HeapCoalesceAnswer = (blocks: ExerciseBlock[]) => ExerciseBlock[];

const B = (address: number, size: number, free: boolean): ExerciseBlock => ({
  address,
  size,
  free,
});
const HOLES = [
  B(16, 48, true),
  B(64, 16, false),
  B(80, 32, true),
  B(112, 16, false),
  B(128, 80, true),
];

/**
 * Exercise "heap-block-size".
 *
 * @example
 * ```ts
 * import { heapBlockSize } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(heapBlockSize.points, 3);
 * ```
 */
export const heapBlockSize: Exercise<HeapBlockSizeAnswer> = defineExercise<HeapBlockSizeAnswer>({
  id: "heap-block-size",
  title: "How big is the block behind malloc(n)?",
  lesson: "04-allocation",
  points: 3,
  expects: "blockSize",
  tests: [
    {
      name: "8-byte alignment, 16-byte minimum",
      points: 1,
      calls: [[1, 8, 16], [8, 8, 16], [9, 8, 16], [24, 8, 16]],
      want: [16, 16, 24, 32],
    },
    {
      name: "16-byte alignment",
      points: 1,
      calls: [[1, 16, 16], [24, 16, 16], [25, 16, 16]],
      want: [16, 32, 48],
    },
    {
      name: "glibc's 32-byte minimum",
      points: 1,
      calls: [[1, 16, 32], [40, 16, 32]],
      want: [32, 48],
    },
  ],
});

/**
 * Exercise "heap-best-fit".
 *
 * @example
 * ```ts
 * import { heapBestFit } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(heapBestFit.points, 4);
 * ```
 */
export const heapBestFit: Exercise<HeapBestFitAnswer> = defineExercise<HeapBestFitAnswer>({
  id: "heap-best-fit",
  title: "Write best fit",
  lesson: "04-allocation",
  points: 4,
  expects: "bestFit",
  tests: [
    {
      name: "the tightest hole wins, not the first",
      points: 2,
      calls: [[HOLES, 24], [HOLES, 40], [HOLES, 64]],
      want: [80, 16, 128],
    },
    {
      name: "an exact fit, and allocated blocks never count",
      points: 1,
      calls: [[HOLES, 32], [HOLES, 16]],
      want: [80, 80],
    },
    {
      name: "nothing fits: null",
      points: 1,
      calls: [[HOLES, 96], [[], 16]],
      want: [null, null],
    },
  ],
});

/**
 * Exercise "heap-coalesce".
 *
 * @example
 * ```ts
 * import { heapCoalesce } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(heapCoalesce.points, 4);
 * ```
 */
export const heapCoalesce: Exercise<HeapCoalesceAnswer> = defineExercise<HeapCoalesceAnswer>({
  id: "heap-coalesce",
  title: "Write coalescing",
  lesson: "04-allocation",
  points: 4,
  expects: "coalesce",
  tests: (() => {
    const two = [B(0, 16, true), B(16, 32, true), B(48, 16, false)];
    const three = [
      B(0, 16, false),
      B(16, 16, true),
      B(32, 32, true),
      B(64, 48, true),
      B(112, 16, false),
    ];
    const apart = [B(0, 16, true), B(16, 16, false), B(32, 16, true)];
    return [
      {
        name: "two free neighbours merge",
        points: 1,
        calls: [[two]],
        want: [[B(0, 48, true), B(48, 16, false)]],
      },
      {
        name: "a run of three merges into one",
        points: 2,
        calls: [[three]],
        want: [[B(0, 16, false), B(16, 96, true), B(112, 16, false)]],
      },
      {
        name: "free blocks with an allocated one between stay apart",
        points: 1,
        calls: [[apart]],
        want: [apart],
      },
    ];
  })(),
});

registerExercises(heapBlockSize, heapBestFit, heapCoalesce);
