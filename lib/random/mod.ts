/**
 * Seeded randomness for every simulator and generator in the memory engine.
 *
 * @example Reproducible draws
 * ```ts
 * import { createPrng } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const prng = createPrng(1);
 * const first = [prng.nextUint32(), prng.nextUint32()];
 * const again = createPrng(1);
 * assert.deepEqual([again.nextUint32(), again.nextUint32()], first);
 * ```
 *
 * @module
 */
export * from "./prng.ts";
export * from "./mersenne.ts";
