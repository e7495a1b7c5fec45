/**
 * Lesson 03's hidden tests (instructor side only): reference answers and
 * the seeded random cases that decide the grade.
 *
 * @module
 */
import { defineHiddenTests, type HiddenTests, visibleAsHidden } from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import { createCallStack, simulateRecursion } from "../../stack/mod.ts";
import {
  type FrameLayout,
  stackFrameLayout,
  type StackFrameLayoutAnswer,
  stackMaxDepth,
  type StackMaxDepthAnswer,
  stackOverflowReach,
  type StackOverflowReachAnswer,
} from "../bank/stack.ts";

// The reference layout, read off the simulated stack (8-byte words).
function stackReferenceLayout(
  argCount: number,
  localBytes: number[],
  canary: boolean,
): FrameLayout {
  const stack = createCallStack({ canary, sizeBytes: 1 << 16, topAddress: 1 << 20 });
  stack.call({
    name: "f",
    args: new Array(argCount).fill(0),
    locals: localBytes.map((bytes, i) => ({ name: `l${i}`, bytes })),
  });
  const [frame] = stack.frames();
  const off = (kind: string) =>
    frame.slots.filter((s) => s.kind === kind).map((s) => s.address - frame.fp);
  return {
    args: off("arg").reverse(),
    returnAddress: off("return-address")[0],
    savedFp: 0,
    canary: canary ? off("canary")[0] : null,
    locals: off("local"),
  };
}

// The reference answer of "stack-overflow-reach": what a long write into a local overwrites.
function stackReferenceReach(
  localBytes: number[],
  buffer: number,
  writeBytes: number,
  canary: boolean,
): string[] {
  const stack = createCallStack({ canary, sizeBytes: 1 << 16, topAddress: 1 << 20 });
  stack.call({ name: "main" });
  stack.call({
    name: "f",
    args: [1],
    locals: localBytes.map((bytes, i) => ({ name: `local${i}`, bytes })),
  });
  return stack.write(`local${buffer}`, new Uint8Array(writeBytes).fill(0x41)).overwrote;
}

const prng = createPrng(0x03_5eed);
const locals = () => Array.from({ length: prng.int(0, 4) }, () => prng.int(1, 40));

/**
 * Hidden tests of stack-frame-layout.
 *
 * @example Four points in all
 * ```ts
 * import { stackFrameLayoutHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(stackFrameLayoutHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const stackFrameLayoutHidden: HiddenTests<StackFrameLayoutAnswer> = defineHiddenTests<
  StackFrameLayoutAnswer
>({
  id: "stack-frame-layout",
  reference: stackReferenceLayout,
  tests: [
    ...visibleAsHidden(stackFrameLayout, 2),
    {
      name: "random frames, with and without a canary",
      points: 2,
      calls: Array.from({ length: 8 }, (_, i) => [prng.int(0, 5), locals(), i % 2 === 0]),
    },
  ],
});

/**
 * Hidden tests of stack-max-depth.
 *
 * @example Three points in all
 * ```ts
 * import { stackMaxDepthHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(stackMaxDepthHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const stackMaxDepthHidden: HiddenTests<StackMaxDepthAnswer> = defineHiddenTests<
  StackMaxDepthAnswer
>({
  id: "stack-max-depth",
  reference: (stackBytes, args, localBytes) =>
    simulateRecursion({ stackBytes, args, localBytes }).depth,
  tests: [
    ...visibleAsHidden(stackMaxDepth, 1.5),
    {
      name: "random stacks and frames",
      points: 1.5,
      calls: Array.from({ length: 8 }, () => [prng.int(64, 1 << 16), prng.int(0, 4), locals()]),
    },
  ],
});

/**
 * Hidden tests of stack-overflow-reach.
 *
 * @example Three points in all
 * ```ts
 * import { stackOverflowReachHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(stackOverflowReachHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const stackOverflowReachHidden: HiddenTests<StackOverflowReachAnswer> = defineHiddenTests<
  StackOverflowReachAnswer
>({
  id: "stack-overflow-reach",
  reference: stackReferenceReach,
  tests: [
    ...visibleAsHidden(stackOverflowReach, 1.5),
    {
      name: "random buffers and write lengths",
      points: 1.5,
      calls: Array.from({ length: 8 }, (_, i) => {
        const ls = [prng.int(1, 24), prng.int(1, 24), prng.int(1, 24)];
        const buffer = prng.int(0, 2);
        const canary = i % 2 === 1;
        // the write stays inside the function's own frame (it ends at most at arg0's last byte)
        const start = (canary ? -8 : 0) -
          ls.slice(0, buffer + 1).reduce((s, b) => s + Math.ceil(b / 8) * 8, 0);
        return [ls, buffer, prng.int(1, 24 - start), canary];
      }),
    },
  ],
});
