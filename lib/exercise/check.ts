/**
 * The in-notebook check: `await check("welcome-page-count", pageCount)` runs
 * that exercise's tests in the kernel and shows a pass/fail table.
 *
 * @module
 */
import { table, type TableColumn } from "../chart/table.ts";
import { getExercise } from "./exercise.ts";
import { runExerciseTests, type TestOutcome } from "./run.ts";

/** The result of checking one exercise in a notebook. */
export interface CheckResult {
  /** The exercise id. */
  id: string;
  /** The exercise title. */
  title: string;
  /** One outcome per test. */
  tests: TestOutcome[];
  /** Points earned. */
  score: number;
  /** Points possible. */
  maxScore: number;
  /** Whether every test passed. */
  passed: boolean;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * Check an answer against an exercise's tests, in the notebook, with a time
 * limit per test. Failures (wrong answers, exceptions, "not implemented yet")
 * are shown in the table, never thrown. An infinite loop in synchronous code
 * cannot be interrupted in-process: interrupt the kernel (the grader, which
 * runs each exercise in its own process, stops it at its time limit).
 *
 * @param id The exercise id, as in the cell tag `exercise:<id>`.
 * @param answer The function or value the exercise asks for.
 * @param options `timeLimitMs` per test (default: the exercise's, usually 2000).
 * @returns A {@linkcode CheckResult} with a rich pass/fail table for Jupyter.
 *
 * @example A correct and a missing answer
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const good = await check("welcome-page-count", (n: number, p = 4096) => Math.ceil(n / p));
 * assert.equal(good.passed, true);
 * assert.equal(good.score, good.maxScore);
 * const stub = await check("welcome-page-count", () => {
 *   throw new Error("not implemented yet: welcome-page-count");
 * });
 * assert.equal(stub.score, 0);
 * assert.match(stub.tests[0].message, /not implemented yet/);
 * const bundle = (stub as any)[Symbol.for("Jupyter.display")]();
 * assert.match(bundle["text/html"], /fail/);
 * ```
 */
export async function check(
  id: string,
  answer: unknown,
  options: { timeLimitMs?: number } = {},
): Promise<CheckResult> {
  const exercise = getExercise(id);
  const tests = await runExerciseTests(exercise, answer, options);
  const score = round(tests.reduce((s, t) => s + t.points, 0));
  const maxScore = round(tests.reduce((s, t) => s + t.maxPoints, 0));
  const result: CheckResult = {
    id,
    title: exercise.title,
    tests,
    score,
    maxScore,
    passed: tests.every((t) => t.passed),
  };
  const columns: TableColumn<TestOutcome>[] = [
    { label: "Test", value: (t) => t.name },
    { label: "Result", value: (t) => t.passed ? "pass" : "FAIL" },
    { label: "Why it failed", value: (t) => t.message },
    { label: "Points", value: (t) => `${round(t.points)}/${round(t.maxPoints)}`, align: "right" },
  ];
  if (result.passed) columns.splice(2, 1);
  const view = table(
    tests,
    columns,
    `${exercise.title} (${id}): ${score}/${maxScore} points${
      result.passed ? ", all tests pass" : ""
    }`,
  );
  Object.defineProperty(result, Symbol.for("Jupyter.display"), {
    value: () => ({
      "text/html": view.html.replace(
        /<td([^>]*)>FAIL<\/td>/g,
        '<td$1><b style="color:#b00">fail</b></td>',
      )
        .replace(/<td([^>]*)>pass<\/td>/g, '<td$1><span style="color:#070">pass</span></td>'),
      "text/plain": view.text,
    }),
    enumerable: false,
  });
  return result;
}
