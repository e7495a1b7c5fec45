/**
 * The exercise bank: importing this registers every lesson's exercises and
 * practice generators. A new lesson adds `bank/<lesson>.ts` and one line here.
 *
 * @module
 */
export * from "./welcome.ts";
export * from "./paging.ts";
export * from "./hierarchy.ts";
export * from "./virtual_memory.ts";
export * from "./gc.ts";
export * from "./leaks.ts";
export * from "./safety.ts";
export * from "./tools.ts";
export * from "./design.ts";
export * from "./stack.ts";
export * from "./heap.ts";
export * from "./try_this.ts";
