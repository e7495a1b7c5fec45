/**
 * Real measurements of the machine this code runs on: the only part of the
 * memory engine that reads clocks, /proc, /sys, calls libc through FFI or
 * forces V8's collector. Every probe is bounded in time and memory, cleans up
 * after itself, and returns raw samples together with the environment.
 *
 * @module
 */
export * from "./libc.ts";
export * from "./machine.ts";
export * from "./progress.ts";
export * from "./maps.ts";
export * from "./faults.ts";
export * from "./kernel_replay.ts";
export * from "./tlb_reach.ts";
export * from "./isolation.ts";
export * from "./working_set_real.ts";
export * from "./latency.ts";
export * from "./patterns.ts";
export * from "./replay_policy.ts";
export * from "./v8_heap.ts";
export * from "./leak_detector.ts";
export * from "./leak_scenarios.ts";
export * from "./rustc.ts";
export * from "./valgrind.ts";
export * from "./process_sampler.ts";
export * from "./rust_witness.ts";
export * from "./design.ts";
export * from "./glibc_heap.ts";
export * from "./recursion.ts";
export * from "./child_memory.ts";
export * from "./alloc_profile.ts";
export * from "./throughput.ts";
