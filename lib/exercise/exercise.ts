/**
 * Exercises: what a student must define, the tests that check it, and the
 * registries where every lesson's exercises live.
 *
 * ## The exercise format (input → output, judged outside the student's code)
 *
 * An exercise asks for one function (or object) named `expects`. A test
 * never receives the student's function: it lists **calls** (argument lists)
 * and a way to **judge the results**, which are plain data. Computing and
 * judging are separate, so the grader can run the student's code in a
 * sandboxed child process that only maps inputs to outputs, and judge those
 * outputs in its own process, with its own reference answers and points.
 *
 * - **Public bank**, shipped to students: `lib/exercise/bank/<lesson>.ts`.
 *   `defineExercise({ id, title, lesson, points, expects, run?, tests })`,
 *   each test `{ name, points?, calls, want }` (the expected result of each
 *   call, compared with deep strict equality) or `{ name, points?, calls,
 *   judge }` (a function of the results that throws an assertion error
 *   with a helpful message; the results come from the student's process, so
 *   it trusts none of them: `assert` from `judge_assert.ts`, lengths and
 *   types checked, NaN failing). Visible tests must hold no more than a student
 *   may see. `run(answer, ...args)` (optional; default `answer(...args)`)
 *   turns one call into a result where the student's code runs: use it for
 *   stateful answers (a replacement policy, an allocator) driven by an
 *   operation sequence, returning the decisions as data. Then
 *   `registerExercises(...)` and one line in `bank/mod.ts`.
 * - **Hidden tests**, instructor side only: `lib/exercise/hidden/<lesson>.ts`.
 *   `defineHiddenTests({ id, reference, tests })`: the reference answer (the
 *   solution, never shipped) and more tests, each with `points`; a hidden
 *   test's expected results are the reference's results for the same calls
 *   (or its `judge` receives them as a third argument). Then one line in
 *   `hidden/mod.ts`. `deno task release` leaves `hidden/` out of the student
 *   edition, and the grader's sandbox cannot see it.
 * - **Points**: the in-notebook `check` runs the visible tests (their points
 *   add up to `points`); the grader runs visible and hidden tests, so a
 *   submission's maximum is `points` plus the hidden tests' points.
 * - **Results are data**: numbers (including `NaN`, `Infinity`, `-0`),
 *   strings, booleans, `null`, `undefined`, bigints, arrays and plain
 *   objects, carried by {@linkcode encodeValue}. A call that throws fails its
 *   test with the error's message.
 * - A test written the old way, `{ name, fn(answer) }`, still works in the
 *   notebook's `check`, but the grader cannot judge it outside the student's
 *   code and scores it 0 with a message asking for conversion.
 *
 * @module
 */
import assert from "./judge_assert.ts";
import { z } from "zod";

/** One call of the student's answer: its arguments (plain data). */
export type ExerciseCall = readonly unknown[];

/**
 * Judges the results of a test's calls: throws (usually a `node:assert`
 * error, whose message the student sees) when they are wrong.
 *
 * @param results One result per call, in order (plain data).
 * @param calls The calls' arguments.
 * @param expected The reference answer's results (hidden tests, graded only), else undefined.
 */
export type ExerciseJudge = (
  results: unknown[],
  calls: readonly ExerciseCall[],
  expected: unknown[] | undefined,
) => void;

/** One test of an exercise: calls to make, and what their results must be. */
export interface ExerciseTest<T = unknown> {
  /** What the test checks, shown in the pass/fail table. */
  name: string;
  /** Points for passing (default: the exercise's points shared equally). */
  points?: number;
  /** The calls: each an argument list for the answer (or for `run`). */
  calls?: readonly ExerciseCall[];
  /** The expected result of each call (deep strict equality). */
  want?: readonly unknown[];
  /** Or a judge of the results (runs on plain data, outside the student's code). */
  judge?: ExerciseJudge;
  /**
   * Old format: a function given the answer itself, asserting in-process. The
   * notebook's check still runs it; the grader cannot, and scores it 0.
   */
  fn?: (answer: T) => void | Promise<void>;
}

/** What a lesson declares about one exercise. */
export interface ExerciseDefinition<T = unknown> {
  /** Unique kebab-case id, also the cell tag `exercise:<id>`. */
  id: string;
  /** A short title. */
  title: string;
  /** The lesson notebook it belongs to, e.g. `00-welcome`. */
  lesson: string;
  /** Points of the visible tests (the in-notebook check's maximum). */
  points: number;
  /** The name of the function or value the exercise cell must define. */
  expects: string;
  /** Time limit per test in milliseconds, in the notebook (default 2000). */
  timeLimitMs?: number;
  /**
   * How one call turns the answer into a result, where the student's code
   * runs (default: `answer(...args)`). Public code: it ships with the course.
   */
  // deno-lint-ignore no-explicit-any
  run?: (answer: T, ...args: any[]) => unknown;
  /** The visible tests. */
  tests: readonly ExerciseTest<T>[];
}

/** A validated exercise: every test carries its points. */
export interface Exercise<T = unknown> extends ExerciseDefinition<T> {
  /** Time limit per test in milliseconds. */
  timeLimitMs: number;
  /** How one call turns the answer into a result. */
  // deno-lint-ignore no-explicit-any
  run: (answer: T, ...args: any[]) => unknown;
  /** The tests, each with its points. */
  tests: readonly (ExerciseTest<T> & { points: number })[];
}

const TestSchema = z.object({
  name: z.string().min(1, "a test name must not be empty"),
  points: z.number().nonnegative("test points must not be negative").optional(),
  calls: z.array(z.array(z.unknown())).min(1, "a test needs at least one call").optional(),
  want: z.array(z.unknown()).optional(),
  judge: z.custom<ExerciseJudge>((f) => typeof f === "function", "judge must be a function")
    .optional(),
  fn: z.custom<(answer: unknown) => unknown>((f) => typeof f === "function", {
    message: "fn must be a function",
  }).optional(),
}).superRefine((t, ctx) => {
  if (t.fn !== undefined) {
    if (t.calls || t.want || t.judge) {
      ctx.addIssue({ code: "custom", message: "give either fn (old format) or calls, not both" });
    }
    return;
  }
  if (!t.calls) {
    ctx.addIssue({ code: "custom", path: ["calls"], message: "a test needs calls" });
  } else if (t.want !== undefined && t.want.length !== t.calls.length) {
    ctx.addIssue({
      code: "custom",
      path: ["want"],
      message:
        `want needs one result per call: received ${t.want.length} for ${t.calls.length} calls`,
    });
  }
});

function checkTests(
  tests: { name: string; points?: number }[],
  total: number | null,
  ctx: z.RefinementCtx,
) {
  const names = tests.map((t) => t.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["tests"],
      message: `test names must be unique: "${dup}" appears twice`,
    });
  }
  if (total === null) return;
  const given = tests.filter((t) => t.points !== undefined);
  if (given.length > 0 && given.length < tests.length) {
    ctx.addIssue({
      code: "custom",
      path: ["tests"],
      message: "give points to every test or to none",
    });
  } else if (given.length > 0) {
    const sum = given.reduce((s, t) => s + t.points!, 0);
    if (Math.abs(sum - total) > 1e-9) {
      ctx.addIssue({
        code: "custom",
        path: ["points"],
        message:
          `points must equal the sum of the tests' points: received ${total}, tests sum to ${sum}`,
      });
    }
  }
}

const ExerciseSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "id must be kebab-case (a-z, 0-9, -)"),
  title: z.string().min(1, "title must not be empty"),
  lesson: z.string().regex(/^\d\d-[a-z0-9-]+$/, "lesson must be a notebook name like 00-welcome"),
  points: z.number().positive("points must be positive"),
  expects: z.string().regex(/^[A-Za-z_$][\w$]*$/, "expects must be a JavaScript identifier"),
  timeLimitMs: z.number().int().positive("timeLimitMs must be a positive integer").optional(),
  run: z.custom<(a: unknown) => unknown>((f) => typeof f === "function", "run must be a function")
    .optional(),
  tests: z.array(TestSchema).min(1, "an exercise needs at least one test"),
}).superRefine((d, ctx) => checkTests(d.tests, d.points, ctx));

/** The default `run`: call the answer with the arguments. */
function callAnswer(answer: unknown, ...args: unknown[]): unknown {
  if (typeof answer !== "function") {
    throw new TypeError(`expected a function: received ${describeKind(answer)}`);
  }
  return answer(...args);
}

/**
 * A short description of what a value is, for messages.
 *
 * @param value Anything.
 * @returns "a number", "an object", "undefined"...
 */
function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  const t = typeof value;
  return t === "object" ? "an object" : `a ${t}`;
}

/**
 * Validate an exercise definition and share its points among its tests.
 *
 * @param definition The exercise: id, title, lesson, points, expected name, tests.
 * @returns The validated {@linkcode Exercise}.
 *
 * @example Points shared among tests
 * ```ts
 * import { defineExercise } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const double = defineExercise<(n: number) => number>({
 *   id: "demo-double", title: "Double a number", lesson: "00-welcome", points: 2,
 *   expects: "double",
 *   tests: [
 *     { name: "2 -> 4", calls: [[2]], want: [4] },
 *     { name: "0 and -1", calls: [[0], [-1]], want: [0, -2] },
 *   ],
 * });
 * assert.deepEqual(double.tests.map((t) => t.points), [1, 1]);
 * assert.throws(() => defineExercise({ ...double, id: "Bad Id" }), /id must be kebab-case/);
 * ```
 */
export function defineExercise<T>(definition: ExerciseDefinition<T>): Exercise<T> {
  const parsed = ExerciseSchema.safeParse(definition);
  if (!parsed.success) {
    throw new TypeError(
      `Cannot define exercise ${JSON.stringify(definition?.id)}: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const share = definition.points / definition.tests.length;
  return Object.freeze({
    ...definition,
    timeLimitMs: definition.timeLimitMs ?? 2000,
    run: definition.run ?? callAnswer,
    tests: Object.freeze(definition.tests.map((t) => ({ ...t, points: t.points ?? share }))),
  });
}

/** The instructor's hidden tests of one exercise: the reference answer and more tests. */
export interface HiddenTestsDefinition<T = unknown> {
  /** The exercise's id. */
  id: string;
  /** The reference answer (the solution): its results are the expected ones. */
  reference: T;
  /** The hidden tests, each with its points and calls (`want` optional). */
  tests: readonly HiddenTest[];
}

/** One hidden test: calls, points, and optionally `want` or a `judge`. */
export interface HiddenTest {
  /** What the test checks (shown in the grade's feedback). */
  name: string;
  /** Points for passing. */
  points: number;
  /** The calls. */
  calls: readonly ExerciseCall[];
  /** The expected results (default: the reference's). */
  want?: readonly unknown[];
  /** Or a judge (it receives the reference's results as its third argument). */
  judge?: ExerciseJudge;
}

/** Validated hidden tests. */
// deno-lint-ignore no-explicit-any
export type HiddenTests<T = any> = Readonly<HiddenTestsDefinition<T>>;

const HiddenSchema = z.object({
  id: z.string().min(1, "id must name an exercise"),
  reference: z.unknown().refine((r) => r !== undefined, "reference must be given"),
  tests: z.array(TestSchema.and(z.object({
    points: z.number().nonnegative("test points must not be negative"),
    calls: z.array(z.array(z.unknown())).min(1, "a hidden test needs at least one call"),
  }))).min(1, "hidden tests need at least one test"),
}).superRefine((d, ctx) => checkTests(d.tests, null, ctx));

/**
 * An exercise's visible tests as hidden tests worth `points` in all (shared
 * as the visible points are), so the grade repeats the notebook's cases.
 *
 * @param exercise The exercise.
 * @param points Their points in the grade.
 * @returns Hidden tests (old-format `fn` tests are left out).
 *
 * @example Lesson 00's first exercise, its six cases worth 1 point
 * ```ts
 * import { getExercise, visibleAsHidden } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const tests = visibleAsHidden(getExercise("welcome-page-count"), 1);
 * assert.equal(tests.length, 6);
 * assert.ok(Math.abs(tests.reduce((s, t) => s + t.points, 0) - 1) < 1e-9);
 * ```
 */
// deno-lint-ignore no-explicit-any
export function visibleAsHidden(exercise: Exercise<any>, points: number): HiddenTest[] {
  const tests = exercise.tests.filter((t) => t.calls !== undefined);
  const total = tests.reduce((s, t) => s + t.points, 0);
  return tests.map((t) => ({
    name: t.name,
    calls: t.calls!,
    ...(t.want ? { want: t.want } : {}),
    ...(t.judge ? { judge: t.judge } : {}),
    points: total > 0 ? (points * t.points) / total : points / tests.length,
  }));
}

// deno-lint-ignore no-explicit-any
const hiddenRegistry = new Map<string, HiddenTests<any>>();

/**
 * Define and register an exercise's hidden tests (instructor side: these
 * files live in `lib/exercise/hidden/`, which no student edition contains).
 *
 * @param definition The exercise id, the reference answer and the hidden tests.
 * @returns The validated hidden tests.
 *
 * @example Hidden tests of a demo exercise
 * ```ts
 * import { defineHiddenTests, getHiddenTests } from "memgarden/exercise/exercise.ts";
 * import assert from "node:assert/strict";
 *
 * defineHiddenTests<(n: number) => number>({
 *   id: "demo-hidden-double",
 *   reference: (n) => 2 * n,
 *   tests: [{ name: "large numbers", points: 1, calls: [[2 ** 40], [-(2 ** 50)]] }],
 * });
 * assert.equal(getHiddenTests("demo-hidden-double")?.tests.length, 1);
 * assert.throws(() => defineHiddenTests({ id: "x", reference: 1, tests: [] }), /at least one test/);
 * ```
 */
export function defineHiddenTests<T>(definition: HiddenTestsDefinition<T>): HiddenTests<T> {
  const parsed = HiddenSchema.safeParse(definition);
  if (!parsed.success) {
    throw new TypeError(
      `Cannot define hidden tests of ${JSON.stringify(definition?.id)}: ${
        z.prettifyError(parsed.error)
      }`,
      { cause: parsed.error },
    );
  }
  const hidden = Object.freeze({ ...definition, tests: Object.freeze([...definition.tests]) });
  const known = hiddenRegistry.get(hidden.id);
  if (known && known !== hidden) {
    throw new RangeError(
      `Cannot define hidden tests: an exercise has one set: received a second set for ${hidden.id}`,
    );
  }
  hiddenRegistry.set(hidden.id, hidden);
  return hidden;
}

/**
 * The hidden tests of an exercise, when the instructor's files are loaded.
 *
 * @param id The exercise id.
 * @returns The hidden tests, or undefined (a student edition has none).
 *
 * @example Nothing registered under an unknown id
 * ```ts
 * import { getHiddenTests } from "memgarden/exercise/exercise.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(getHiddenTests("no-such-exercise"), undefined);
 * ```
 */
// deno-lint-ignore no-explicit-any
export function getHiddenTests(id: string): HiddenTests<any> | undefined {
  return hiddenRegistry.get(id);
}

/**
 * Judge one test's results: by its `judge`, else by deep strict equality
 * with its `want` or with the reference's results.
 *
 * @param test The test.
 * @param results The results of its calls (decoded data).
 * @param expected The reference's results for the same calls, when known.
 * @returns Nothing; throws an error whose message says what was wrong.
 *
 * @example A wrong result names the call
 * ```ts
 * import { judgeResults } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const test = { name: "t", calls: [[1], [2]], want: [2, 4] };
 * judgeResults(test, [2, 4], undefined);
 * assert.throws(() => judgeResults(test, [2, 5], undefined), /call 2 \(arguments 2\): expected 4, received 5/);
 * ```
 */
export function judgeResults(
  test: ExerciseTest<unknown>,
  results: unknown[],
  expected: unknown[] | undefined,
): void {
  const calls = test.calls ?? [];
  if (test.judge) {
    test.judge(results, calls, expected);
    return;
  }
  const want = test.want ?? expected;
  if (!want) throw new Error(`the test ${test.name} has no expected results`);
  calls.forEach((args, i) => {
    assert.deepStrictEqual(
      results[i],
      want[i],
      `call ${i + 1} (arguments ${showArgs(args)}): expected ${show(want[i])}, received ${
        show(results[i])
      }`,
    );
  });
}

/**
 * A short, readable rendering of a value for a message (at most 200 characters).
 *
 * @param value Plain data.
 * @returns Its rendering.
 *
 * @example Numbers, strings, objects
 * ```ts
 * import { show } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(show({ page: 2, offset: 0 }), '{"page":2,"offset":0}');
 * assert.equal(show(-0), "-0");
 * assert.equal(show(undefined), "undefined");
 * ```
 */
export function show(value: unknown): string {
  let text: string;
  if (value === undefined) text = "undefined";
  else if (typeof value === "number" && Object.is(value, -0)) text = "-0";
  else if (typeof value === "number" && !Number.isFinite(value)) text = String(value);
  else if (typeof value === "bigint") text = `${value}n`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 200 ? text.slice(0, 197) + "..." : text;
}

function showArgs(args: readonly unknown[]): string {
  return args.map(show).join(", ");
}

// deno-lint-ignore no-explicit-any
const registry = new Map<string, Exercise<any>>();

/**
 * Add exercises to the registry that {@linkcode check} and the grader read.
 *
 * @param exercises Exercises made by {@linkcode defineExercise}.
 * @returns Nothing; throws when an id is already taken by another exercise.
 *
 * @example Register once, find by id
 * ```ts
 * import { defineExercise, getExercise, registerExercises } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const ex = defineExercise<() => number>({
 *   id: "demo-answer", title: "The answer", lesson: "00-welcome", points: 1, expects: "answer",
 *   tests: [{ name: "is 42", calls: [[]], want: [42] }],
 * });
 * registerExercises(ex);
 * assert.equal(getExercise("demo-answer"), ex);
 * ```
 */
// deno-lint-ignore no-explicit-any
export function registerExercises(...exercises: Exercise<any>[]): void {
  for (const ex of exercises) {
    const known = registry.get(ex.id);
    if (known && known !== ex) {
      throw new RangeError(
        `Cannot register exercise: id must be unique: received ${ex.id}, already used by "${known.title}"`,
      );
    }
    registry.set(ex.id, ex);
  }
}

/**
 * Find a registered exercise by id.
 *
 * @param id The exercise id (the part after `exercise:` in the cell tag).
 * @returns The exercise; throws a `RangeError` listing the known ids when there is none.
 *
 * @example The welcome lesson's first exercise
 * ```ts
 * import { getExercise } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(getExercise("welcome-page-count").expects, "pageCount");
 * assert.throws(() => getExercise("no-such"), /no exercise has id no-such/);
 * ```
 */
// deno-lint-ignore no-explicit-any
export function getExercise(id: string): Exercise<any> {
  const ex = registry.get(id);
  if (!ex) {
    throw new RangeError(
      `Cannot find exercise: no exercise has id ${id}: known ids are ${
        [...registry.keys()].sort().join(", ")
      }`,
    );
  }
  return ex;
}

/**
 * The registered exercises, optionally of one lesson, sorted by lesson then registration order.
 *
 * @param lesson Only this lesson's exercises (e.g. `00-welcome`).
 * @returns The exercises.
 *
 * @example Lesson 00's exercises
 * ```ts
 * import { listExercises } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.ok(listExercises("00-welcome").some((e) => e.id === "welcome-align-up"));
 * ```
 */
// deno-lint-ignore no-explicit-any
export function listExercises(lesson?: string): Exercise<any>[] {
  const all = [...registry.values()];
  const chosen = lesson === undefined ? all : all.filter((e) => e.lesson === lesson);
  return chosen.sort((a, b) => a.lesson < b.lesson ? -1 : a.lesson > b.lesson ? 1 : 0);
}
