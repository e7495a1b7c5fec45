/**
 * MT19937, the Mersenne Twister, seeded and drawn exactly like CPython's
 * `random` module, so that a Python program's "random" problems (OSTEP's
 * homework simulators, for instance) can be posed again here, number for
 * number.
 *
 * @module
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** A Python-compatible Mersenne Twister: `random.seed(n)` then `random()`, `randint`, ... */
export class MersenneTwister {
  /** The seed this generator was created with (as given). */
  readonly seed: number | bigint;
  #mt = new Uint32Array(N);
  #index = N + 1;

  /**
   * Seed like CPython's `random.seed(n)` for an integer `n`.
   *
   * @param seed A safe integer or a bigint of any size; its absolute value is used.
   *
   * @example Same values as CPython
   * ```ts
   * import { MersenneTwister } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new MersenneTwister(0).random(), 0.8444218515250481);
   * ```
   */
  constructor(seed: number | bigint) {
    if (typeof seed === "number" && !Number.isSafeInteger(seed)) {
      throw new TypeError(
        `Cannot create Mersenne Twister: seed must be a safe integer or a bigint: received ${seed}`,
      );
    }
    if (typeof seed !== "number" && typeof seed !== "bigint") {
      throw new TypeError(
        `Cannot create Mersenne Twister: seed must be a safe integer or a bigint: received ${
          String(seed)
        }`,
      );
    }
    this.seed = seed;
    let n = BigInt(seed);
    if (n < 0n) n = -n;
    const key: number[] = [];
    while (n > 0n) {
      key.push(Number(n & 0xffffffffn));
      n >>= 32n;
    }
    if (key.length === 0) key.push(0);
    this.#initByArray(key);
  }

  #initGenrand(s: number): void {
    const mt = this.#mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.#index = N;
  }

  #initByArray(key: number[]): void {
    this.#initGenrand(19650218);
    const mt = this.#mt;
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.#index = N;
  }

  /**
   * The next raw 32-bit output (`genrand_uint32` in CPython's `_randommodule.c`).
   *
   * @returns An integer in [0, 2^32).
   *
   * @example The first raw word for seed 1
   * ```ts
   * import { MersenneTwister } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new MersenneTwister(1).nextUint32(), 577090037);
   * ```
   */
  nextUint32(): number {
    const mt = this.#mt;
    if (this.#index >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + M] ^ (y >>> 1) ^ ((y & 1) ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ ((y & 1) ? MATRIX_A : 0);
      }
      const y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
      mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ ((y & 1) ? MATRIX_A : 0);
      this.#index = 0;
    }
    let y = mt[this.#index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * Python's `random.random()`: a float in [0, 1) with 53 random bits.
   *
   * @returns The next float, identical to CPython's for the same seed and call order.
   *
   * @example Seed 42
   * ```ts
   * import { MersenneTwister } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new MersenneTwister(42).random(), 0.6394267984578837);
   * ```
   */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * Python's `random.getrandbits(k)` for 0 <= k <= 53 (the result fits a number).
   *
   * @param k How many random bits.
   * @returns An integer in [0, 2^k).
   *
   * @example Matches CPython
   * ```ts
   * import { MersenneTwister } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new MersenneTwister(1).getrandbits(5), 4);
   * ```
   */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k > 53) {
      throw new RangeError(
        `Cannot draw random bits: k must be an integer from 0 to 53: received ${k}`,
      );
    }
    if (k === 0) return 0;
    if (k <= 32) return this.nextUint32() >>> (32 - k);
    const low = this.nextUint32();
    const high = this.nextUint32() >>> (64 - k);
    return high * 4294967296 + low;
  }

  /**
   * Python's `_randbelow(n)`: an integer in [0, n) by rejection on `n.bit_length()` bits.
   *
   * @param n The exclusive bound, a positive safe integer up to 2^53.
   * @returns An integer in [0, n).
   *
   * @example Always below the bound
   * ```ts
   * import { MersenneTwister } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.ok(new MersenneTwister(3).randbelow(10) < 10);
   * ```
   */
  randbelow(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new RangeError(
        `Cannot draw below a bound: n must be a positive safe integer: received ${n}`,
      );
    }
    const k = bitLength(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /**
   * Python's `random.randint(a, b)`: an integer in [a, b], both inclusive.
   *
   * @param a The lower bound.
   * @param b The upper bound (at least `a`).
   * @returns An integer in [a, b], the same one CPython draws.
   *
   * @example A die thrown like Python throws it
   * ```ts
   * import { MersenneTwister } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const mt = new MersenneTwister(0);
   * assert.deepEqual([1, 2, 3].map(() => mt.randint(1, 10)), [7, 7, 1]);
   * ```
   */
  randint(a: number, b: number): number {
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) {
      throw new TypeError(
        `Cannot draw an integer: bounds must be safe integers: received ${a} and ${b}`,
      );
    }
    if (b < a) {
      throw new RangeError(
        `Cannot draw an integer: b must be at least a: received a ${a}, b ${b}`,
      );
    }
    return a + this.randbelow(b - a + 1);
  }

  /**
   * Python's `random.choice(seq)`.
   *
   * @param items A non-empty array.
   * @returns One element, chosen as CPython chooses it.
   *
   * @example Pick a letter
   * ```ts
   * import { MersenneTwister } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new MersenneTwister(5).choice(["a", "b", "c", "d", "e"]), "e");
   * ```
   */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new RangeError(
        "Cannot choose from a sequence: it must not be empty: received length 0",
      );
    }
    return items[this.randbelow(items.length)];
  }
}

function bitLength(n: number): number {
  let bits = 0;
  while (n >= 4294967296) {
    n = Math.floor(n / 4294967296);
    bits += 32;
  }
  return bits + (32 - Math.clz32(n));
}

/**
 * Create a Python-compatible Mersenne Twister seeded like `random.seed(seed)`.
 *
 * @param seed A safe integer or a bigint (absolute value used, as in CPython).
 * @returns A {@linkcode MersenneTwister}.
 *
 * @example OSTEP's generators start like this
 * ```ts
 * import { createMersenneTwister } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const mt = createMersenneTwister(0);
 * assert.equal(Math.trunc(10 * mt.random()), 8);
 * ```
 */
export function createMersenneTwister(seed: number | bigint): MersenneTwister {
  return new MersenneTwister(seed);
}
