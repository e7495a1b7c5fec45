/**
 * Virtual memory: page tables (linear and multi-level), TLBs, frames and
 * swap, demand paging with fault kinds and costs, replacement policies,
 * Belady's anomaly, working sets and thrashing. Everything here is an exact,
 * pure simulator: faults and segfaults are results, not exceptions.
 *
 * @example FIFO's anomaly: more frames, more faults
 * ```ts
 * import { simulatePaging } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const references = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
 * const three = simulatePaging({ frames: 3, policy: "fifo", references });
 * const four = simulatePaging({ frames: 4, policy: "fifo", references });
 * assert.ok(four.misses > three.misses);
 * ```
 *
 * @module
 */
export * from "./page_policy.ts";
export * from "./paging.ts";
export * from "./address.ts";
export * from "./linear_table.ts";
export * from "./multilevel.ts";
export * from "./ostep_tables.ts";
export * from "./demand_paging.ts";
export * from "./tlb.ts";
export * from "./working_set.ts";
export * from "./thrashing.ts";
