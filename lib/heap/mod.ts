/**
 * Dynamic memory allocation on real bytes: an allocator with boundary tags
 * over an `ArrayBuffer` (implicit, explicit and segregated free lists; first,
 * next, best and worst fit; splitting and coalescing; sbrk-like growth),
 * Malloc Lab's trace format and metrics, memcheck, and OSTEP's free-list
 * model.
 *
 * @example Allocate, free, and see the hole
 * ```ts
 * import { createHeap } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const heap = createHeap({ list: "explicit", fit: "best" });
 * const a = heap.malloc(100)!;
 * heap.malloc(8);
 * heap.free(a);
 * assert.equal(heap.stats().freeBlocks, 1);
 * assert.deepEqual(heap.check(), []);
 * ```
 *
 * @module
 */
export * from "./allocator.ts";
export * from "./ostep_freelist.ts";
export * from "./malloc_trace.ts";
export * from "./memcheck.ts";
