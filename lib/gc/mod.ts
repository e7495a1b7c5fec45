/**
 * Simulated garbage collectors on one object graph. Objects have a size and
 * pointer fields and live at addresses in a heap of fixed size; roots are a
 * multiset (like stack slots and globals holding a reference). Six collectors
 * share one interface ({@linkcode GcCollector}):
 *
 * - `rc`: reference counting. Each object counts its root references and
 *   incoming pointers; a count that drops to zero frees the object at once,
 *   and its children's counts drop in turn. A new object starts at zero in a
 *   zero-count table (as if held by a register) and is freed at the next
 *   collection point if nothing referenced it. Cycles are never freed.
 * - `rc-cycles`: the same, plus the synchronous cycle collector of Bacon and
 *   Rajan (trial deletion): candidates are objects whose count dropped to a
 *   non-zero value and new objects; at a collection it subtracts the counts
 *   due to pointers among the candidates' subgraph, and frees what stays at zero.
 * - `mark-sweep`: mark from the roots, sweep every object; free space is an
 *   address-ordered free list with first-fit allocation, so it fragments.
 * - `mark-compact`: bump allocation; mark, then slide survivors towards
 *   address 0 in three passes (forwarding addresses, pointer update, move).
 * - `copying`: two semispaces; Cheney's breadth-first copy of the survivors
 *   into the empty half. Only half the heap holds objects at a time.
 * - `generational`: a nursery of two semispaces collected by copying (minor
 *   collections) and an old generation collected by marking and sliding
 *   (major collections); survivors are promoted after `promotionAge` minor
 *   collections; a write barrier records old objects that store a pointer to
 *   a young one (the remembered set), whose fields are roots of a minor
 *   collection.
 *
 * An allocation that finds no room starts a collection by itself (for
 * generational: minor first, then major if still needed); if there is still
 * no room the allocation fails with an out-of-memory result.
 *
 * Work is counted in units, not time, so results are exact and the same on
 * every machine: one unit per object traced, per pointer field scanned, per
 * object visited by a linear pass over the heap, and per 8 bytes copied. A
 * collection's pause is its units; RC's count updates and the write barrier's
 * checks are counted apart, as mutator-side overhead.
 *
 * @example One workload, two collectors
 * ```ts
 * import { generateGcWorkload, runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const ops = generateGcWorkload({ seed: 5, objectCount: 300 });
 * const ms = runGcWorkload(ops, { collector: "mark-sweep", heapBytes: 4096 });
 * const cp = runGcWorkload(ops, { collector: "copying", heapBytes: 4096 });
 * assert.ok(cp.collections.length > ms.collections.length); // half the heap each time
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./collector.ts";
export * from "./workload.ts";
export * from "./simulate.ts";
