/**
 * The instructor's hidden tests and reference answers: importing this
 * registers them for the grader. Nothing here ships to students (`deno task
 * release` leaves this folder out) and the grader's sandbox cannot see it.
 * A new lesson adds `hidden/<lesson>.ts` and one line here.
 *
 * @module
 */
export * from "./welcome.ts";
export * from "./hierarchy.ts";
export * from "./virtual_memory.ts";
export * from "./paging.ts";
export * from "./stack.ts";
export * from "./heap.ts";
export * from "./design.ts";
export * from "./gc.ts";
export * from "./leaks.ts";
export * from "./safety.ts";
export * from "./tools.ts";
export * from "./try_this.ts";
