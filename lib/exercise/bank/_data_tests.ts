// Private: exercise tests written as data (calls, and the wanted results or a
// judge of the results), turned into tests that receive the answer. The
// lesson 05 and 06 banks use it so that their tests already have the shape of
// the input -> output format (computing apart from judging) and convert to it
// by dropping this adapter.
import assert from "../judge_assert.ts";

/** A test as data: argument lists, and either the wanted results or a judge. */
export interface DataTest {
  name: string;
  points?: number;
  calls: readonly (readonly unknown[])[];
  want?: readonly unknown[];
  judge?: (results: unknown[], calls: readonly (readonly unknown[])[]) => void;
}

/**
 * Turn data tests into tests that call the answer (through `run`, default
 * `answer(...args)`), then compare or judge the results.
 */
export function dataTests<T>(
  tests: readonly DataTest[],
  // deno-lint-ignore no-explicit-any
  run: (answer: T, ...args: any[]) => unknown = (answer, ...args) =>
    (answer as (...a: unknown[]) => unknown)(...args),
): { name: string; points?: number; fn: (answer: T) => void }[] {
  return tests.map((t) => ({
    name: t.name,
    ...(t.points === undefined ? {} : { points: t.points }),
    fn: (answer: T) => {
      const results = t.calls.map((args) => run(answer, ...args));
      if (t.judge) t.judge(results, t.calls);
      else assert.deepEqual(results, t.want);
    },
  }));
}

/**
 * Define an exercise whose tests are data. With the input -> output exercise
 * format (tests given as `calls` and `want` / `judge`, plus `run`) the tests
 * go in as they are; with the older format (each test a function of the
 * answer) they are adapted by {@linkcode dataTests}.
 */
export function defineDataExercise<T>(
  define: (definition: never) => unknown,
  definition: Record<string, unknown>,
  tests: readonly DataTest[],
  // deno-lint-ignore no-explicit-any
  run?: (answer: T, ...args: any[]) => unknown,
): unknown {
  try {
    return define({ ...definition, ...(run ? { run } : {}), tests } as never);
  } catch (e) {
    // The older format knows only `fn` tests (and no `run`).
    if (!(e instanceof TypeError) || !/fn must be a function/.test(e.message)) throw e;
    return define({ ...definition, tests: dataTests<T>(tests, run) } as never);
  }
}
