/**
 * `node:assert/strict` for judging untrusted answers. The functions are
 * Node's, except that a failed comparison of large values throws at once
 * with a short message instead of building Deno's line-by-line diff of the
 * two, whose cost grows with the square of their size: an answer of 20,000
 * strings, or 4,000 small arrays where 200 were expected, held the grader
 * for minutes in one `deepEqual`, even with a message given. A judge's own
 * message is shown alone, as Node does (Deno appends the diff, which showed
 * students the expected answer that the message was careful not to give);
 * without one, values small enough to diff quickly keep Node's diff.
 *
 * The banks and hidden tests import this module instead of
 * `node:assert/strict` (a test checks that they do).
 *
 * @module
 */
import nodeAssert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";

/** Above this many characters (both values' JSON together), a failed comparison is not diffed. */
const DIFF_LIMIT_CHARS = 4096;

/** The JSON length of a value, or Infinity when it has none cheaply (bigints, cycles). */
function jsonSize(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Infinity;
  }
}

/** A value in at most 200 characters. */
function brief(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 200 ? text.slice(0, 197) + "..." : text;
}

type Compare = (actual: unknown, expected: unknown, message?: string | Error) => void;

/** A comparison that diffs only small values; `holds` decides it for large ones, in linear time. */
function guarded(original: Compare, holds: (a: unknown, b: unknown) => boolean, what: string) {
  return (actual: unknown, expected: unknown, message?: string | Error): void => {
    if (message === undefined && jsonSize(actual) + jsonSize(expected) <= DIFF_LIMIT_CHARS) {
      return original(actual, expected);
    }
    if (holds(actual, expected)) return;
    if (message instanceof Error) throw message;
    throw new nodeAssert.AssertionError({
      message: message ??
        `Expected values to be ${what}: received ${brief(actual)}, expected ${brief(expected)}`,
    });
  };
}

const deepEqual = guarded(nodeAssert.deepStrictEqual, isDeepStrictEqual, "strictly deep-equal");
const notDeepEqual = guarded(
  nodeAssert.notDeepStrictEqual,
  (a, b) => !isDeepStrictEqual(a, b),
  "not deep-equal",
);
const equal = guarded(nodeAssert.strictEqual, Object.is, "strictly equal");
const notEqual = guarded(nodeAssert.notStrictEqual, (a, b) => !Object.is(a, b), "not equal");

/**
 * `node:assert/strict` with comparisons safe to run on an untrusted answer:
 * `equal`, `strictEqual`, `deepEqual`, `deepStrictEqual` and their `not`
 * forms never take more than linear time to fail.
 *
 * @param value A value that must be truthy (as `assert(value, message)`).
 * @param message The failure's message.
 * @returns Nothing; throws an `AssertionError` when the value is falsy.
 *
 * @example A large failed comparison is quick and says what differs
 * ```ts
 * import assert from "./judge_assert.ts";
 * import nodeAssert from "node:assert/strict";
 *
 * const want = Array.from({ length: 20_000 }, (_, i) => `o${i}`);
 * const got = want.map((s) => s + "x");
 * const started = performance.now();
 * nodeAssert.throws(() => assert.deepEqual(got, want, "not the reachable set"), {
 *   message: "not the reachable set", // the message alone: no diff of 40,000 lines
 * });
 * nodeAssert.ok(performance.now() - started < 5_000);
 * assert.deepEqual([1, 2], [1, 2]);
 * nodeAssert.throws(() => assert.equal(1, 2), /Expected values to be strictly equal/);
 * nodeAssert.throws(() => assert.deepEqual(["x"], ["p", "q"], "list what leaks"), {
 *   message: "list what leaks", // not followed by a diff that shows ["p", "q"]
 * });
 * ```
 */
const judgeAssert: typeof nodeAssert = Object.assign(
  (value: unknown, message?: string | Error): asserts value => nodeAssert.ok(value, message),
  nodeAssert,
  {
    deepEqual,
    deepStrictEqual: deepEqual,
    notDeepEqual,
    notDeepStrictEqual: notDeepEqual,
    equal,
    strictEqual: equal,
    notEqual,
    notStrictEqual: notEqual,
  },
) as typeof nodeAssert;

export default judgeAssert;
