/**
 * Rust's ownership and borrowing, as a small checker that agrees with rustc:
 * a parser for a subset of Rust (refusing, with a position, anything outside
 * it), moves and `Copy`, non-lexical lifetimes on a control-flow graph,
 * two-phase borrows, implicit reborrows, and rustc's error codes and primary
 * positions (E0382, E0384, E0499, E0502, E0505, E0506, E0596, E0597 and
 * their neighbours), with the point where each value is dropped.
 *
 * @example The essay's borrow: a push while a shared borrow is still used
 * ```ts
 * import { checkBorrows } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const src = `fn main() {
 *     let mut x = vec![1, 2, 3];
 *     let y = &x;
 *     x.push(4);
 *     println!("{:?}", y);
 * }`;
 * assert.deepEqual(checkBorrows(src).diagnostics.map((d) => d.code), ["E0502"]);
 * ```
 *
 * @module
 */
export * from "./parser.ts";
export * from "./check.ts";
