/**
 * Running an exercise's visible tests against a student's answer, in the
 * notebook (in-process, with a time limit per test). The grader does not use
 * this: it runs the answer in a sandboxed process and judges the results in
 * its own (see `grading.ts`).
 *
 * A time limit can stop only code that gives control back (an `await`): an
 * infinite loop in synchronous code cannot be interrupted in the same
 * process. In a notebook, interrupt or restart the kernel; the grader runs
 * every exercise in its own process and kills it at the limit.
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any
import { type Exercise, type ExerciseTest, judgeResults } from "./exercise.ts";
import { asData } from "./wire.ts";

/** The outcome of one test. */
export interface TestOutcome {
  /** The test's name. */
  name: string;
  /** Whether it passed. */
  passed: boolean;
  /** Why it failed (the assertion's message), or "" when it passed. */
  message: string;
  /** Points earned. */
  points: number;
  /** Points possible. */
  maxPoints: number;
}

/** Options for {@linkcode runExerciseTests}. */
export interface RunOptions {
  /** Time limit per test in milliseconds (default: the exercise's). */
  timeLimitMs?: number;
  /** Called after each test, in order (the grader streams results with it). */
  onOutcome?: (outcome: TestOutcome) => void;
}

const NOT_IMPLEMENTED = /^not implemented yet/;

/**
 * Explain a thrown value in one readable message for a student.
 *
 * @param err What a test threw.
 * @param exercise The exercise (for the id and expected name).
 * @returns The message.
 */
function explain(err: unknown, exercise: Exercise<any>): string {
  if (err instanceof Error) {
    if (NOT_IMPLEMENTED.test(err.message)) {
      return `${err.message}: write your solution in the cell tagged exercise:${exercise.id}`;
    }
    if (err.name === "AssertionError") return err.message;
    if (err instanceof RangeError && /allocation failed|Invalid array length/.test(err.message)) {
      return `${err.name}: ${err.message} (the answer used too much memory)`;
    }
    return `${err.name}: ${err.message}`;
  }
  return `threw a non-error value: ${String(err)}`;
}

/** One visible test in-process: an old-format `fn`, or the calls, then the judge. */
async function runTest(
  exercise: Exercise<any>,
  test: ExerciseTest<any>,
  answer: unknown,
): Promise<void> {
  if (test.fn) return await test.fn(answer);
  const results: unknown[] = [];
  for (const args of test.calls ?? []) {
    // The answer gets a copy of the arguments and its result is judged as data, as in the grader.
    results.push(asData(await exercise.run(answer, ...(asData(args) as unknown[]))));
  }
  judgeResults(test, results, undefined);
}

async function runOne(
  fn: () => void | Promise<void>,
  limitMs: number,
): Promise<{ error: unknown } | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const started = performance.now();
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`time limit exceeded: the test took over ${limitMs} ms`)),
        limitMs,
      );
    });
    await Promise.race([Promise.resolve().then(fn), timeout]);
    const took = performance.now() - started;
    if (took > limitMs) {
      return {
        error: new Error(
          `time limit exceeded: the test took ${Math.round(took)} ms, over ${limitMs} ms`,
        ),
      };
    }
    return null;
  } catch (error) {
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Run every test of an exercise against an answer; a failing or throwing
 * test (including "not implemented yet") becomes a failed outcome, never an
 * exception.
 *
 * @param exercise The exercise.
 * @param answer The student's function or value.
 * @param options A time limit per test and a callback per outcome.
 * @returns One outcome per test, in order.
 *
 * @example A wrong answer fails with the assertion's message
 * ```ts
 * import { getExercise, runExerciseTests } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const outcomes = await runExerciseTests(getExercise("welcome-page-count"), () => 1);
 * assert.ok(outcomes.some((o) => !o.passed && o.message.length > 0));
 * assert.ok(outcomes.some((o) => o.passed)); // 1 page for 1 byte is right
 * ```
 */
export async function runExerciseTests(
  exercise: Exercise<any>,
  answer: unknown,
  options: RunOptions = {},
): Promise<TestOutcome[]> {
  const limitMs = options.timeLimitMs ?? exercise.timeLimitMs;
  const outcomes: TestOutcome[] = [];
  for (const test of exercise.tests) {
    let outcome: TestOutcome;
    if (answer === undefined) {
      outcome = {
        name: test.name,
        passed: false,
        message:
          `${exercise.expects} is not defined: the cell tagged exercise:${exercise.id} must define ${exercise.expects} (was it renamed or not run?)`,
        points: 0,
        maxPoints: test.points,
      };
    } else {
      const failure = await runOne(() => runTest(exercise, test, answer), limitMs);
      outcome = {
        name: test.name,
        passed: failure === null,
        message: failure === null ? "" : explain(failure.error, exercise),
        points: failure === null ? test.points : 0,
        maxPoints: test.points,
      };
    }
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  }
  return outcomes;
}
