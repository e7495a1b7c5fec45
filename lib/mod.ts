/**
 * Memory Garden's memory engine: simulators of caches, virtual memory,
 * allocators and collectors, real measurements of this machine, and the
 * charts and exercises the lessons are built from.
 *
 * @example Seeded randomness
 * ```ts
 * import { createPrng } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(createPrng(3).float() < 1, true);
 * ```
 *
 * @module
 */
export * from "./random/mod.ts";
export * from "./chart/mod.ts";
export * from "./io/mod.ts";
export * from "./probe/mod.ts";
export * from "./vm/mod.ts";
export * from "./trace/mod.ts";
export * from "./cache/mod.ts";
export * from "./gc/mod.ts";
export * from "./heap/mod.ts";
export * from "./ownership/mod.ts";
export * from "./stack/mod.ts";
export * from "./exercise/mod.ts";
export * from "./persistent/mod.ts";
