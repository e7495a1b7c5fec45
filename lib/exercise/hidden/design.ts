/**
 * Lesson 10's hidden tests (instructor side only): reference answers and
 * the seeded cases that decide the grade.
 *
 * @module
 */
import { defineHiddenTests, type HiddenTests, visibleAsHidden } from "../exercise.ts";
import { createPrng } from "../../random/mod.ts";
import {
  type BigOrdersFn,
  designEncodeInto,
  designLazyOrders,
  designSharedUpdate,
  type EncodeIntoFn,
  type SetInFn,
} from "../bank/design.ts";

const prng = createPrng(0x10_5eed);

/**
 * Hidden tests of design-encode-into.
 *
 * @example Three points in all
 * ```ts
 * import { designEncodeIntoHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(designEncodeIntoHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const designEncodeIntoHidden: HiddenTests<EncodeIntoFn> = defineHiddenTests<EncodeIntoFn>({
  id: "design-encode-into",
  reference: (id, score, out) => {
    out[0] = id & 255;
    out[1] = (id >>> 8) & 255;
    out[2] = (id >>> 16) & 255;
    out[3] = (id >>> 24) & 255;
    out[4] = score & 255;
    out[5] = (score >>> 8) & 255;
    out[6] = score >= 50 ? 1 : 0;
    out[7] = (out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6]) & 255;
    return out;
  },
  tests: [
    ...visibleAsHidden(designEncodeInto, 1),
    {
      name: "edge values (0, 49, 50, 255, 256, 65535, 2^32 - 1) through one buffer",
      points: 1,
      calls: [[
        [0, 256, 65535, 2 ** 32 - 1, 2 ** 24].flatMap((id) =>
          [0, 49, 50, 255, 256, 65535].map((score) => [id, score])
        ),
      ]],
    },
    {
      name: "500 seeded random records through one buffer",
      points: 1,
      calls: [[Array.from({ length: 500 }, () => [prng.int(0, 2 ** 31 - 1), prng.int(0, 65535)])]],
    },
  ],
});

/**
 * Hidden tests of design-lazy-orders.
 *
 * @example Three points in all
 * ```ts
 * import { designLazyOrdersHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(designLazyOrdersHidden.tests.reduce((s, t) => s + t.points, 0), 3);
 * ```
 */
export const designLazyOrdersHidden: HiddenTests<BigOrdersFn> = defineHiddenTests<BigOrdersFn>({
  id: "design-lazy-orders",
  reference: function* (orders, min) {
    for (const o of orders) if (o.total >= min) yield o.id;
  },
  tests: [
    ...visibleAsHidden(designLazyOrders, 1),
    {
      name: "no order is big enough: the whole finite stream is read, nothing is returned",
      points: 1,
      calls: [[50, 2000, 5], [0, 0, 3], [1000, 0, 0]],
    },
    {
      name: "seeded thresholds and counts, finite and endless",
      points: 1,
      calls: Array.from({ length: 8 }, (_, i) => [
        i % 2 === 0 ? null : prng.int(10, 20_000),
        prng.int(0, 999),
        prng.int(1, 40),
      ]),
    },
  ],
});

function setIn(tree: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [k, ...rest] = path;
  const node = tree as Record<string | number, unknown>;
  const copy = (Array.isArray(tree) ? tree.slice() : { ...node }) as Record<
    string | number,
    unknown
  >;
  copy[k] = setIn(node[k], rest, value);
  return copy;
}

const grid = () => [[1, 2, [3, 4]], [5, [6, [7, 8]]], { deep: { deeper: [9] } }];

/**
 * Hidden tests of design-shared-update.
 *
 * @example Four points in all
 * ```ts
 * import { designSharedUpdateHidden } from "memgarden/exercise/hidden/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(designSharedUpdateHidden.tests.reduce((s, t) => s + t.points, 0), 4);
 * ```
 */
export const designSharedUpdateHidden: HiddenTests<SetInFn> = defineHiddenTests<SetInFn>({
  id: "design-shared-update",
  reference: setIn,
  tests: [
    ...visibleAsHidden(designSharedUpdate, 2),
    {
      name: "arrays of arrays, and objects inside arrays",
      points: 1,
      calls: [
        [grid(), [1, 1, 1, 0], 70],
        [grid(), [0, 2], "replaced"],
        [grid(), [2, "deep", "deeper", 0], { nine: 9 }],
      ],
    },
    {
      name: "a value that is itself a tree, and a one-step path",
      points: 1,
      calls: [[grid(), [0], { a: [1, 2] }], [{ x: { y: 1 }, z: [1] }, ["x", "y"], null]],
    },
  ],
});
