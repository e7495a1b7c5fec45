/**
 * Replacement policies, resolved by name in exactly one place
 * ({@linkcode resolveReplacement}); the simulation loop calls the resolved
 * object's methods and never compares names. The one exception is the
 * built-in {@linkcode LRU}: a cache level recognises that object once, when
 * it is built, and keeps each set's lines in recency order itself.
 *
 * @module
 */
import type { Prng } from "../random/mod.ts";

/** Per-cache replacement state: told about hits and fills, asked for victims. */
export interface ReplacementState {
  /** The line at `way` of `set` was hit. */
  touch(set: number, way: number): void;
  /** A line was just placed at `way` of `set` (after a miss). */
  fill(set: number, way: number): void;
  /** Choose the way to evict from the full set `set`. */
  victim(set: number): number;
}

/** A replacement policy: a name and a factory of per-cache state. */
export interface ReplacementPolicy {
  /** Name shown in results. */
  readonly name: string;
  /**
   * Make the state for one cache.
   * @param sets Number of sets.
   * @param ways Lines per set.
   * @param prng Source of randomness (only random policies use it).
   */
  create(sets: number, ways: number, prng: Prng): ReplacementState;
}

class Stamps {
  readonly stamps: Float64Array;
  readonly ways: number;
  tick = 0;
  constructor(sets: number, ways: number) {
    this.stamps = new Float64Array(sets * ways);
    this.ways = ways;
  }
  oldest(set: number): number {
    const base = set * this.ways;
    const s = this.stamps;
    let best = 0;
    let min = s[base];
    for (let w = 1; w < this.ways; w++) {
      if (s[base + w] < min) {
        min = s[base + w];
        best = w;
      }
    }
    return best;
  }
}

/**
 * LRU as a recency list per set (way numbers, most recent first): a hit on the
 * most recent line costs one comparison, and the victim is read off the end
 * without scanning.
 */
class LruState implements ReplacementState {
  readonly order: Int32Array;
  readonly ways: number;
  constructor(sets: number, ways: number) {
    this.ways = ways;
    this.order = new Int32Array(sets * ways);
    for (let i = 0; i < this.order.length; i++) this.order[i] = i % ways;
  }
  touch(set: number, way: number): void {
    const o = this.order;
    const base = set * this.ways;
    if (o[base] === way) return;
    let i = base + 1;
    while (o[i] !== way) i++;
    for (; i > base; i--) o[i] = o[i - 1];
    o[base] = way;
  }
  fill(set: number, way: number): void {
    this.touch(set, way);
  }
  victim(set: number): number {
    return this.order[set * this.ways + this.ways - 1];
  }
}

class FifoState extends Stamps implements ReplacementState {
  touch(): void {}
  fill(set: number, way: number): void {
    this.stamps[set * this.ways + way] = ++this.tick;
  }
  victim(set: number): number {
    return this.oldest(set);
  }
}

class RandomState implements ReplacementState {
  constructor(readonly ways: number, readonly prng: Prng) {}
  touch(): void {}
  fill(): void {}
  victim(): number {
    return this.prng.int(0, this.ways - 1);
  }
}

/** Tree pseudo-LRU: ways - 1 bits per set; each bit points towards the half to evict from. */
class PlruState implements ReplacementState {
  readonly bits: Uint8Array;
  readonly ways: number;
  readonly depth: number;
  constructor(sets: number, ways: number) {
    this.ways = ways;
    this.depth = Math.log2(ways);
    this.bits = new Uint8Array(sets * ways); // node k (1-based heap index) of set s at s * ways + k
  }
  touch(set: number, way: number): void {
    const base = set * this.ways;
    let node = 1;
    for (let level = this.depth - 1; level >= 0; level--) {
      const dir = (way >> level) & 1;
      this.bits[base + node] = dir ^ 1; // point away from the way just used
      node = 2 * node + dir;
    }
  }
  fill(set: number, way: number): void {
    this.touch(set, way);
  }
  victim(set: number): number {
    const base = set * this.ways;
    let node = 1;
    let way = 0;
    for (let level = 0; level < this.depth; level++) {
      const dir = this.bits[base + node];
      way = (way << 1) | dir;
      node = 2 * node + dir;
    }
    return way;
  }
}

/**
 * Least recently used.
 *
 * @example LRU keeps the line used last
 * ```ts
 * import { createTrace, LRU, simulateCache } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * // 1 set x 2 ways: A B A C A -> C evicts B, so the last A hits.
 * const t = createTrace([0, 16, 0, 32, 0].map((address) => ({ op: "L" as const, address })));
 * assert.equal(simulateCache({ sets: 1, ways: 2, lineBytes: 16, policy: LRU }, t).levels[0].hits, 2);
 * ```
 */
export const LRU: ReplacementPolicy = {
  name: "lru",
  create: (sets, ways) => new LruState(sets, ways),
};
/**
 * First in, first out: hits do not refresh a line.
 *
 * @example FIFO evicts the oldest line even if it was just used
 * ```ts
 * import { createTrace, FIFO, simulateCache } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * // 1 set x 2 ways: A B A C A -> C evicts A (first in), so the last A misses.
 * const t = createTrace([0, 16, 0, 32, 0].map((address) => ({ op: "L" as const, address })));
 * assert.equal(simulateCache({ sets: 1, ways: 2, lineBytes: 16, policy: FIFO }, t).levels[0].hits, 1);
 * ```
 */
export const FIFO: ReplacementPolicy = {
  name: "fifo",
  create: (sets, ways) => new FifoState(sets, ways),
};
/**
 * A uniformly random way of the full set, drawn with `prng.int(0, ways - 1)` from the level's seed.
 *
 * @example The same seed gives the same result
 * ```ts
 * import { randomTrace, RANDOM, simulateCache } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = randomTrace({ seed: 1, count: 500, rangeBytes: 1024 });
 * const run = (seed: number) => simulateCache({ sets: 2, ways: 4, lineBytes: 16, policy: RANDOM, seed }, t).levels[0].hits;
 * assert.equal(run(7), run(7));
 * ```
 */
export const RANDOM: ReplacementPolicy = {
  name: "random",
  create: (_sets, ways, prng) => new RandomState(ways, prng),
};
/**
 * Tree pseudo-LRU; needs a power-of-two number of ways.
 *
 * @example With two ways tree-PLRU is exactly LRU
 * ```ts
 * import { createTrace, simulateCache, TREE_PLRU } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = createTrace([0, 16, 0, 32, 0].map((address) => ({ op: "L" as const, address })));
 * assert.equal(simulateCache({ sets: 1, ways: 2, lineBytes: 16, policy: TREE_PLRU }, t).levels[0].hits, 2);
 * ```
 */
export const TREE_PLRU: ReplacementPolicy = {
  name: "plru",
  create: (sets, ways) => {
    if (!Number.isInteger(Math.log2(ways))) {
      throw new RangeError(
        `Cannot create cache: ways must be a power of two for tree-PLRU: received ${ways}`,
      );
    }
    return new PlruState(sets, ways);
  },
};

const BY_NAME: Record<string, ReplacementPolicy> = {
  lru: LRU,
  fifo: FIFO,
  random: RANDOM,
  rand: RANDOM,
  plru: TREE_PLRU,
  "tree-plru": TREE_PLRU,
};

/**
 * Resolve a replacement policy by name (`lru`, `fifo`, `random`, `plru`,
 * any case; `rand` and `tree-plru` are aliases), or accept a user-supplied policy object.
 *
 * @param policy A name or a {@linkcode ReplacementPolicy}.
 * @returns The policy.
 * @throws {RangeError} for an unknown name; {TypeError} for an object without `create`.
 *
 * @example By name or by object
 * ```ts
 * import { resolveReplacement } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resolveReplacement("LRU").name, "lru");
 * const always0 = { name: "way0", create: () => ({ touch() {}, fill() {}, victim: () => 0 }) };
 * assert.equal(resolveReplacement(always0), always0);
 * assert.throws(() => resolveReplacement("mru"), /must be one of lru, fifo, random, plru: received "mru"/);
 * ```
 */
export function resolveReplacement(policy: string | ReplacementPolicy): ReplacementPolicy {
  if (typeof policy === "string") {
    const p = BY_NAME[policy.toLowerCase()];
    if (!p) {
      throw new RangeError(
        `Cannot resolve replacement policy: name must be one of lru, fifo, random, plru: received ${
          JSON.stringify(policy)
        }`,
      );
    }
    return p;
  }
  if (
    policy === null || typeof policy !== "object" || typeof policy.create !== "function" ||
    typeof policy.name !== "string"
  ) {
    throw new TypeError(
      `Cannot resolve replacement policy: policy must be a name or an object with name and create(sets, ways, prng): received ${
        String(policy)
      }`,
    );
  }
  return policy;
}
