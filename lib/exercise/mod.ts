/**
 * Exercises and grading, after nbgrader, otter-grader and OSTEP: exercises
 * whose tests are calls and expected results (computing apart from
 * judging), an in-notebook `check`, release of student copies, the
 * grader's judging and reports, and seeded practice problems with answers
 * on request. The instructor's hidden tests live in `hidden/`, which this
 * module does not load.
 *
 * @example Check an answer in a notebook
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const result = await check("welcome-align-up", (a: number, n: number) => Math.ceil(a / n) * n);
 * assert.equal(result.passed, true);
 * ```
 *
 * @module
 */
export * from "./exercise.ts";
export * from "./wire.ts";
export * from "./run.ts";
export * from "./check.ts";
export * from "./practice.ts";
export * from "./release.ts";
export * from "./grading.ts";
export * from "./bank/mod.ts";
