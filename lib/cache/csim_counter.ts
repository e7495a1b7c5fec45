/**
 * csim's counts over a trace that arrives in batches: one LRU level of 2^s
 * sets, E ways and 2^b-byte lines, with csim's rules (`I` ignored, `M` a load
 * then a store, sizes ignored). The same hot loop as `CacheSimulator`, with
 * nothing else loaded: `sim cache` uses it so a plain csim run starts fast.
 *
 * @module
 */
import { csimLevel, type Level } from "./_level.ts";
import type { Trace } from "../trace/trace.ts";

/** Most lines the counter's cache may hold (as for csim's `-s` and `-E`): 2^26. */
const MAX_LINES = 2 ** 26;

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `Cannot create csim counter: ${name} must be an integer in [${min}, ${max}]: received ${value}`,
    );
  }
}

/** Hits, misses and evictions, csim's three numbers. */
export interface CsimCounts {
  /** Hits (a modify counts two accesses). */
  hits: number;
  /** Misses. */
  misses: number;
  /** Valid lines replaced. */
  evictions: number;
}

/** csim's LRU cache, fed batch by batch. */
export class CsimCounter {
  readonly #level: Level;
  readonly #totals = new Float64Array(5);

  /**
   * Create the cache.
   *
   * @param s Set index bits (0 to 30).
   * @param E Lines per set (1 to 65536); 2^s * E at most 2^26.
   * @param b Block offset bits (0 to 30).
   * @throws {RangeError} naming the bad value.
   *
   * @example The same counts as `runCsim`
   * ```ts
   * import { CsimCounter, parseLackey, runCsim } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const t = parseLackey(" S 18,1\n M 10,1\n L 30,1\n L 18,1\n");
   * const counter = new CsimCounter(1, 1, 4).run(t);
   * const r = runCsim(t, { s: 1, E: 1, b: 4 });
   * assert.deepEqual(counter.counts(), { hits: r.hits, misses: r.misses, evictions: r.evictions });
   * assert.throws(() => new CsimCounter(31, 1, 4), /s must be an integer in \[0, 30\]: received 31/);
   * ```
   */
  constructor(s: number, E: number, b: number) {
    checkInt("s", s, 0, 30);
    checkInt("E", E, 1, 65536);
    checkInt("b", b, 0, 30);
    if (2 ** s * E > MAX_LINES) {
      throw new RangeError(
        `Cannot create csim counter: E times 2^s must be at most 2^26 lines: received ${
          2 ** s * E
        }`,
      );
    }
    this.#level = csimLevel(s, E, b);
  }

  /**
   * Simulate one batch of records (call again with the next batch to continue).
   *
   * @param trace The records; the arrays may be reused by the caller afterwards.
   * @returns This counter, for chaining.
   *
   * @example Two batches
   * ```ts
   * import { CsimCounter, parseLackey } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const c = new CsimCounter(0, 1, 4);
   * c.run(parseLackey(" L 0,1\n")).run(parseLackey(" L 4,1\n L 10,1\n"));
   * assert.deepEqual(c.counts(), { hits: 1, misses: 2, evictions: 1 });
   * ```
   */
  run(trace: Trace): this {
    this.#level.runAlone(
      trace.ops,
      trace.addresses,
      trace.sizes,
      0,
      trace.length,
      true,
      false,
      this.#totals,
    );
    return this;
  }

  /**
   * The counts so far.
   *
   * @returns Hits, misses and evictions.
   *
   * @example Nothing run yet
   * ```ts
   * import { CsimCounter } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * assert.deepEqual(new CsimCounter(4, 2, 4).counts(), { hits: 0, misses: 0, evictions: 0 });
   * ```
   */
  counts(): CsimCounts {
    const l = this.#level;
    return { hits: l.hits, misses: l.misses, evictions: l.evictions };
  }
}
