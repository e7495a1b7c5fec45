/**
 * The call stack as bytes: frames with arguments, return address, saved
 * frame pointer, canary and locals; stack overflow as a result; buffer
 * overflows that reach the return address.
 *
 * @example Deep recursion overflows a small stack
 * ```ts
 * import { createCallStack } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const stack = createCallStack({ sizeBytes: 4096 });
 * const r = stack.recurse({ name: "fact", args: [10] });
 * assert.equal(r.kind, "stack-overflow");
 * assert.equal(stack.depth, 4096 / 24 | 0);
 * ```
 *
 * @module
 */
export * from "./call_stack.ts";
