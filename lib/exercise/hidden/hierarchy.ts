/**
 * Lesson 01's hidden tests (instructor side only): reference answers and
 * the cases that decide the grade.
 *
 * @module
 */
import { defineHiddenTests, type HiddenTests, visibleAsHidden } from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import {
  hierarchyBlockSize,
  hierarchyPredictHits,
  hierarchySplitAddress,
  type SmallGeometry,
} from "../bank/hierarchy.ts";
import type { AddressParts } from "../../cache/mod.ts";

const prng = createPrng(0x01_5eed);
const geometry = (): SmallGeometry => ({
  sets: 2 ** prng.int(0, 12),
  ways: prng.int(1, 16),
  lineBytes: 2 ** prng.int(2, 8),
});
const address = () => prng.int(0, 2 ** 21 - 1) * 2 ** 26 + prng.int(0, 2 ** 26 - 1);

/**
 * Hidden tests of hierarchy-split-address.
 *
 * @example Three points in all
 * ```ts
 * import { hierarchySplitAddressHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(hierarchySplitAddressHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const hierarchySplitAddressHidden: HiddenTests = defineHiddenTests<
  (address: number, g: SmallGeometry) => AddressParts
>({
  id: "hierarchy-split-address",
  reference: (address, g) => {
    const line = Math.floor(address / g.lineBytes);
    return { tag: Math.floor(line / g.sets), set: line % g.sets, offset: address % g.lineBytes };
  },
  tests: [
    ...visibleAsHidden(hierarchySplitAddress, 1),
    {
      name: "random geometries, addresses below 4 GiB",
      points: 1,
      calls: Array.from({ length: 40 }, () => [prng.int(0, 2 ** 32 - 1), geometry()]),
    },
    {
      name: "random geometries, 47-bit addresses",
      points: 1,
      calls: Array.from({ length: 40 }, () => [address(), geometry()]),
    },
  ],
});

/**
 * Hidden tests of hierarchy-predict-hits: the same question (the answer is a constant).
 *
 * @example Four points in all
 * ```ts
 * import { hierarchyPredictHitsHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(hierarchyPredictHitsHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const hierarchyPredictHitsHidden: HiddenTests = defineHiddenTests<() => string>({
  id: "hierarchy-predict-hits",
  reference: () => "MHMM MHMH MM",
  tests: visibleAsHidden(hierarchyPredictHits, 4),
});

/**
 * Hidden tests of hierarchy-block-size.
 *
 * @example Three points in all
 * ```ts
 * import { hierarchyBlockSizeHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(hierarchyBlockSizeHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const hierarchyBlockSizeHidden: HiddenTests = defineHiddenTests<
  (cacheBytes: number, elementBytes: number) => number
>({
  id: "hierarchy-block-size",
  reference: (cacheBytes, elementBytes) => {
    let block = 1;
    while (2 * (2 * block) ** 2 * elementBytes <= cacheBytes) block *= 2;
    return block;
  },
  tests: [
    ...visibleAsHidden(hierarchyBlockSize, 2),
    {
      name:
        "caches from 64 bytes to 64 MiB, sizes that are not powers of two, elements of 1 to 16 bytes",
      points: 1,
      calls: Array.from({ length: 40 }, () => [
        prng.int(1, 3) * 2 ** prng.int(6, 26),
        2 ** prng.int(0, 4),
      ]),
    },
  ],
});
