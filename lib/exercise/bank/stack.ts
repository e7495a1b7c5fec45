/**
 * Lesson 03's exercises: lay out a stack frame, count how many frames fit,
 * and say what a long write into a local buffer reaches.
 *
 * @module
 */
import { defineExercise, type Exercise, registerExercises } from "../exercise.ts";

/** Offsets of a frame's slots from its frame pointer (the saved frame pointer's address), in bytes. */
export interface FrameLayout {
  /** Offset of each argument, first argument first. */
  args: number[];
  /** Offset of the return address. */
  returnAddress: number;
  /** Offset of the saved frame pointer (always 0: the frame pointer points at it). */
  savedFp: number;
  /** Offset of the canary, or null without one. */
  canary: number | null;
  /** Offset of each local, in declaration order. */
  locals: number[];
}

/** The answer of "stack-frame-layout". */
export type StackFrameLayoutAnswer = (
  argCount: number,
  localBytes: number[],
  canary: boolean,
) => FrameLayout;
/** The answer of "stack-max-depth". */
export type StackMaxDepthAnswer = (
  stackBytes: number,
  argCount: number,
  localBytes: number[],
) => number;
/** The answer of "stack-overflow-reach". */
export type StackOverflowReachAnswer = (
  localBytes: number[],
  buffer: number,
  writeBytes: number,
  canary: boolean,
) => string[];

/**
 * Exercise "stack-frame-layout": give every slot's offset from the frame pointer.
 *
 * @example Three tests worth four points
 * ```ts
 * import { stackFrameLayout } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(stackFrameLayout.points, 4);
 * ```
 */
export const stackFrameLayout: Exercise<StackFrameLayoutAnswer> = defineExercise<
  StackFrameLayoutAnswer
>({
  id: "stack-frame-layout",
  title: "Lay out a stack frame",
  lesson: "03-stack-and-heap",
  points: 4,
  expects: "layoutFrame",
  tests: [
    {
      name: "two arguments, no locals, no canary",
      points: 1,
      calls: [[2, [], false]],
      want: [{ args: [16, 24], returnAddress: 8, savedFp: 0, canary: null, locals: [] }],
    },
    {
      name: "locals are rounded up to whole 8-byte words",
      points: 2,
      calls: [[1, [4, 10, 8], false], [0, [1], false]],
      want: [
        { args: [16], returnAddress: 8, savedFp: 0, canary: null, locals: [-8, -24, -32] },
        { args: [], returnAddress: 8, savedFp: 0, canary: null, locals: [-8] },
      ],
    },
    {
      name: "the canary sits between the saved frame pointer and the locals",
      points: 1,
      calls: [[1, [16], true]],
      want: [{ args: [16], returnAddress: 8, savedFp: 0, canary: -8, locals: [-24] }],
    },
  ],
});

/**
 * Exercise "stack-max-depth": how many frames of a recursion fit in a stack.
 *
 * @example
 * ```ts
 * import { stackMaxDepth } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(stackMaxDepth.id, "stack-max-depth");
 * ```
 */
export const stackMaxDepth: Exercise<StackMaxDepthAnswer> = defineExercise<StackMaxDepthAnswer>({
  id: "stack-max-depth",
  title: "How deep before the stack overflows?",
  lesson: "03-stack-and-heap",
  points: 3,
  expects: "maxDepth",
  tests: [
    {
      name: "frames of 32 bytes in a 1 KiB stack",
      points: 1,
      calls: [[1024, 1, [8]]],
      want: [32],
    },
    {
      name: "a remainder too small for one more frame does not count",
      points: 1,
      calls: [[1000, 2, [3, 5]]],
      want: [20],
    },
    {
      name: "8 MiB and a 4 KiB buffer",
      points: 1,
      calls: [[8 << 20, 0, [4096]]],
      want: [2040],
    },
  ],
});

/**
 * Exercise "stack-overflow-reach": which slots a long write into a buffer overwrites.
 *
 * @example
 * ```ts
 * import { stackOverflowReach } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(stackOverflowReach.points, 3);
 * ```
 */
export const stackOverflowReach: Exercise<StackOverflowReachAnswer> = defineExercise<
  StackOverflowReachAnswer
>({
  id: "stack-overflow-reach",
  title: "What does a long write reach?",
  lesson: "03-stack-and-heap",
  points: 3,
  expects: "overflowReach",
  tests: [
    {
      name: "a write that fits reaches nothing",
      points: 1,
      calls: [[[16], 0, 16, false]],
      want: [[]],
    },
    {
      name: "a later buffer runs over the locals declared before it",
      points: 1,
      calls: [[[8, 8], 1, 24, false]],
      want: [["local0", "saved frame pointer"]],
    },
    {
      name: "with a canary, the canary is hit first",
      points: 1,
      calls: [[[8], 0, 32, true]],
      want: [["canary", "saved frame pointer", "return address"]],
    },
  ],
});

registerExercises(stackFrameLayout, stackMaxDepth, stackOverflowReach);
