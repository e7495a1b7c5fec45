import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { createMersenneTwister, MersenneTwister } from "memgarden";

// Every literal below was printed by CPython 3.11 (/usr/bin/python3) with
// `import random; random.seed(S); ...`.

Deno.test("random() matches CPython for seed 0 and seed 42", () => {
  const mt = createMersenneTwister(0);
  assert.deepEqual(Array.from({ length: 5 }, () => mt.random()), [
    0.8444218515250481,
    0.7579544029403025,
    0.420571580830845,
    0.25891675029296335,
    0.5112747213686085,
  ]);
  assert.equal(createMersenneTwister(42).random(), 0.6394267984578837);
});

Deno.test("randint matches CPython's randrange via getrandbits rejection", () => {
  const a = createMersenneTwister(0);
  assert.deepEqual(Array.from({ length: 10 }, () => a.randint(1, 10)), [
    7,
    7,
    1,
    5,
    9,
    8,
    7,
    5,
    8,
    6,
  ]);
  const b = createMersenneTwister(42);
  assert.deepEqual(
    Array.from({ length: 10 }, () => b.randint(1, 100)),
    [82, 15, 4, 95, 36, 32, 29, 18, 95, 14],
  );
  const c = createMersenneTwister(9);
  assert.deepEqual(Array.from({ length: 8 }, () => c.choice([0, 1, 2, 3, 4, 5, 6])), [
    3,
    4,
    2,
    2,
    1,
    1,
    6,
    5,
  ]);
  assert.equal(c.randint(-1000000, 1000000), -986505);
});

Deno.test("large and negative seeds use the absolute value's 32-bit words", () => {
  const big = createMersenneTwister(123456789012345678901234567890n);
  assert.equal(big.random(), 0.7275084571578186);
  assert.equal(big.getrandbits(32), 685135262);
  assert.equal(big.getrandbits(53), 106398455249870);
  assert.equal(big.randint(0, 2 ** 40), 590674157699);
  const twoWords = createMersenneTwister(2n ** 64n + 12345n);
  assert.deepEqual([twoWords.random(), twoWords.random()], [
    0.0006128515938171875,
    0.9096583904676042,
  ]);
  assert.equal(createMersenneTwister(-7).random(), 0.32383276483316237);
  assert.equal(createMersenneTwister(7).random(), 0.32383276483316237);
});

Deno.test("getrandbits matches CPython for widths 1 to 53 and across a state refill", () => {
  const mt = createMersenneTwister(1);
  assert.deepEqual(
    [1, 5, 31, 32, 33, 53].map((k) => mt.getrandbits(k)),
    [0, 18, 1819850095, 3445702192, 3280387012, 1062116443042876],
  );
  const refill = createMersenneTwister(3);
  for (let i = 0; i < 700; i++) refill.random();
  assert.equal(refill.random(), 0.07205680902929257);
});

Deno.test("randint stays within bounds (property)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.integer({ min: -1000, max: 1000 }),
      fc.integer({ min: 0, max: 5000 }),
      (seed, lo, width) => {
        const mt = new MersenneTwister(seed);
        for (let i = 0; i < 50; i++) {
          const v = mt.randint(lo, lo + width);
          assert.ok(v >= lo && v <= lo + width, `value ${v} outside [${lo}, ${lo + width}]`);
        }
      },
    ),
  );
});

Deno.test("bad arguments give clear errors", () => {
  assert.throws(
    () => createMersenneTwister(1.5),
    /seed must be a safe integer or a bigint: received 1.5/,
  );
  assert.throws(
    () => createMersenneTwister(1).randint(5, 2),
    /b must be at least a: received a 5, b 2/,
  );
  assert.throws(
    () => createMersenneTwister(1).getrandbits(54),
    /k must be an integer from 0 to 53: received 54/,
  );
  assert.throws(() => createMersenneTwister(1).choice([]), /must not be empty/);
});
