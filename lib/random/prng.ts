/**
 * A small, fast, seeded pseudo-random generator (xoshiro128**), seeded
 * through splitmix32. Every random choice in the memory engine goes through
 * a {@linkcode Prng} passed in by the caller; nothing uses `Math.random`.
 *
 * @module
 */

/** A seeded source of random numbers; the same seed gives the same sequence. */
export interface Prng {
  /** The seed this generator was created with. */
  readonly seed: number;
  /** The next 32-bit unsigned integer. */
  nextUint32(): number;
  /** A float in [0, 1) with 32 bits of randomness. */
  float(): number;
  /** An integer in [min, max] (both inclusive), without modulo bias. */
  int(min: number, max: number): number;
  /** A new generator whose state is drawn from this one. */
  fork(): Prng;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Xoshiro128 implements Prng {
  readonly seed: number;
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  constructor(seed: number, state?: readonly [number, number, number, number]) {
    this.seed = seed;
    const sm = splitmix32(seed);
    this.#s0 = state ? state[0] >>> 0 : sm();
    this.#s1 = state ? state[1] >>> 0 : sm();
    this.#s2 = state ? state[2] >>> 0 : sm();
    this.#s3 = state ? state[3] >>> 0 : sm();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  nextUint32(): number {
    const s1 = this.#s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  float(): number {
    return this.nextUint32() / 4294967296;
  }

  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) {
      throw new TypeError(
        `Cannot draw an integer: bounds must be safe integers: received ${min} and ${max}`,
      );
    }
    if (max < min) {
      throw new RangeError(
        `Cannot draw an integer: max must be at least min: received min ${min}, max ${max}`,
      );
    }
    const span = max - min + 1;
    if (span <= 0x1_0000_0000) {
      // Rejection sampling over 32 bits removes modulo bias.
      const limit = 0x1_0000_0000 - (0x1_0000_0000 % span);
      let x = this.nextUint32();
      while (x >= limit) x = this.nextUint32();
      return min + (x % span);
    }
    // Wide ranges: combine two draws into 53 bits.
    const hi = this.nextUint32() >>> 11;
    const lo = this.nextUint32();
    const f = (hi * 4294967296 + lo) / 9007199254740992;
    return min + Math.floor(f * span);
  }

  fork(): Prng {
    return new Xoshiro128(this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Create a seeded generator.
 *
 * @param seed Any safe integer; only its low 32 bits are used.
 * @returns A {@linkcode Prng} whose sequence depends only on `seed`.
 *
 * @example Same seed, same numbers
 * ```ts
 * import { createPrng } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const a = createPrng(42), b = createPrng(42);
 * assert.equal(a.int(1, 6), b.int(1, 6));
 * ```
 */
export function createPrng(seed: number): Prng {
  if (!Number.isSafeInteger(seed)) {
    throw new TypeError(`Cannot create generator: seed must be a safe integer: received ${seed}`);
  }
  return new Xoshiro128(seed >>> 0);
}

/**
 * Create a generator from a raw xoshiro128** state, to compare with the
 * reference C implementation's test vectors.
 *
 * @param state Four 32-bit words, not all zero.
 * @returns A {@linkcode Prng} starting from exactly that state (its `seed` is 0).
 *
 * @example The reference implementation's first output
 * ```ts
 * import { createPrngFromState } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(createPrngFromState([1, 2, 3, 4]).nextUint32(), 11520);
 * ```
 */
export function createPrngFromState(state: readonly [number, number, number, number]): Prng {
  if (state.every((w) => (w >>> 0) === 0)) {
    throw new RangeError(
      "Cannot create generator: state must not be all zero: received [0, 0, 0, 0]",
    );
  }
  return new Xoshiro128(0, state);
}

/**
 * Shuffle an array in place with Fisher-Yates, using `prng`.
 *
 * @param items The array to shuffle (changed in place).
 * @param prng The source of randomness.
 * @returns The same array, shuffled.
 *
 * @example Shuffle a deck
 * ```ts
 * import { createPrng, shuffle } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const deck = shuffle([1, 2, 3, 4, 5], createPrng(7));
 * assert.deepEqual([...deck].sort(), [1, 2, 3, 4, 5]);
 * ```
 */
export function shuffle<T>(items: T[], prng: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
