/**
 * Cache simulators: set-associative caches of any power-of-two geometry,
 * LRU / FIFO / random / tree-PLRU replacement, write-back or write-through,
 * write-allocate or not, multi-level hierarchies with a split L1, the 3C
 * miss classification, AMAT, and CS:APP's csim.
 *
 * @example Hits, misses and the 3C split
 * ```ts
 * import { createTrace, simulateCache } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * // Direct-mapped, 2 sets of 16 B: 0x00 and 0x20 both map to set 0 and keep evicting each other.
 * const t = createTrace([0x00, 0x20, 0x00, 0x20].map((address) => ({ op: "L" as const, address })));
 * const [l1] = simulateCache({ sets: 2, ways: 1, lineBytes: 16 }, t).levels;
 * assert.deepEqual([l1.hits, l1.compulsory, l1.capacity, l1.conflict], [0, 2, 0, 2]);
 * ```
 *
 * @module
 */
export * from "./geometry.ts";
export * from "./replacement.ts";
export * from "./simulator.ts";
export * from "./amat.ts";
export * from "./csim.ts";
export * from "./csim_counter.ts";
export * from "./calibrate.ts";
