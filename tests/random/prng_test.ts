import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { createPrng, createPrngFromState, shuffle } from "memgarden";

Deno.test("xoshiro128** matches the reference C implementation from state [1, 2, 3, 4]", () => {
  // Reference values computed with the published C code (xoshiro128starstar.c).
  const p = createPrngFromState([1, 2, 3, 4]);
  assert.deepEqual(
    Array.from({ length: 6 }, () => p.nextUint32()),
    [11520, 0, 5927040, 70819200, 2031721883, 1637235492],
  );
});

Deno.test("createPrng pins its first outputs for seed 42 and seed 0", () => {
  const p = createPrng(42);
  assert.deepEqual(
    [p.nextUint32(), p.nextUint32(), p.nextUint32(), p.nextUint32()],
    [2837322924, 544945897, 479756282, 3500138142],
  );
  const q = createPrng(0);
  assert.deepEqual([q.nextUint32(), q.nextUint32()], [3809008728, 1133695204]);
});

Deno.test("int stays within bounds and hits both ends", () => {
  fc.assert(
    fc.property(
      fc.integer(),
      fc.integer({ min: -50, max: 50 }),
      fc.integer({ min: 0, max: 20 }),
      (seed, lo, width) => {
        const p = createPrng(seed);
        const seen = new Set<number>();
        for (let i = 0; i < 400; i++) {
          const v = p.int(lo, lo + width);
          assert.ok(v >= lo && v <= lo + width, `value ${v} outside [${lo}, ${lo + width}]`);
          seen.add(v);
        }
        assert.ok(seen.has(lo) && seen.has(lo + width));
      },
    ),
  );
});

Deno.test("float lies in [0, 1) with a plausible mean", () => {
  const p = createPrng(9);
  let sum = 0;
  for (let i = 0; i < 100_000; i++) {
    const f = p.float();
    assert.ok(f >= 0 && f < 1);
    sum += f;
  }
  assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01);
});

Deno.test("bad bounds and seeds give clear errors", () => {
  assert.throws(() => createPrng(1.5), /seed must be a safe integer: received 1.5/);
  assert.throws(() => createPrng(1).int(5, 2), /max must be at least min: received min 5, max 2/);
  assert.throws(() => createPrngFromState([0, 0, 0, 0]), /must not be all zero/);
});

Deno.test("shuffle is a permutation and reproducible", () => {
  const a = shuffle([...Array(50).keys()], createPrng(5));
  const b = shuffle([...Array(50).keys()], createPrng(5));
  assert.deepEqual(a, b);
  assert.deepEqual([...a].sort((x, y) => x - y), [...Array(50).keys()]);
  assert.notDeepEqual(a, [...Array(50).keys()]);
});
