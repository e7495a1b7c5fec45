/**
 * Exercises: what a student must define, the tests that grade it, and the
 * registry where every lesson's exercises live.
 *
 * @module
 */
import { z } from "zod";

/** One test of an exercise, in `deno test` style: a name and a function that asserts. */
export interface ExerciseTest<T = unknown> {
  /** What the test checks, shown in the pass/fail table. */
  name: string;
  /** Points for passing (default: the exercise's points shared equally). */
  points?: number;
  /** Throws (usually a `node:assert` error) when the student's answer is wrong. */
  fn: (answer: T) => void | Promise<void>;
}

/** What a lesson declares about one exercise. */
export interface ExerciseDefinition<T = unknown> {
  /** Unique kebab-case id, also the cell tag `exercise:<id>`. */
  id: string;
  /** A short title. */
  title: string;
  /** The lesson notebook it belongs to, e.g. `00-welcome`. */
  lesson: string;
  /** Points for the whole exercise. */
  points: number;
  /** The name of the function or value the exercise cell must define. */
  expects: string;
  /** Time limit per test in milliseconds (default 2000). */
  timeLimitMs?: number;
  /** The tests. */
  tests: readonly ExerciseTest<T>[];
}

/** A validated exercise: every test carries its points. */
export interface Exercise<T = unknown> extends ExerciseDefinition<T> {
  /** Time limit per test in milliseconds. */
  timeLimitMs: number;
  /** The tests, each with its points. */
  tests: readonly (ExerciseTest<T> & { points: number })[];
}

const ExerciseSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "id must be kebab-case (a-z, 0-9, -)"),
  title: z.string().min(1, "title must not be empty"),
  lesson: z.string().regex(/^\d\d-[a-z0-9-]+$/, "lesson must be a notebook name like 00-welcome"),
  points: z.number().positive("points must be positive"),
  expects: z.string().regex(/^[A-Za-z_$][\w$]*$/, "expects must be a JavaScript identifier"),
  timeLimitMs: z.number().int().positive("timeLimitMs must be a positive integer").optional(),
  tests: z.array(z.object({
    name: z.string().min(1, "a test name must not be empty"),
    points: z.number().nonnegative("test points must not be negative").optional(),
    fn: z.custom<(answer: unknown) => unknown>((f) => typeof f === "function", {
      message: "fn must be a function",
    }),
  })).min(1, "an exercise needs at least one test"),
}).superRefine((d, ctx) => {
  const names = d.tests.map((t) => t.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["tests"],
      message: `test names must be unique: "${dup}" appears twice`,
    });
  }
  const given = d.tests.filter((t) => t.points !== undefined);
  if (given.length > 0 && given.length < d.tests.length) {
    ctx.addIssue({
      code: "custom",
      path: ["tests"],
      message: "give points to every test or to none",
    });
  } else if (given.length > 0) {
    const sum = given.reduce((s, t) => s + t.points!, 0);
    if (Math.abs(sum - d.points) > 1e-9) {
      ctx.addIssue({
        code: "custom",
        path: ["points"],
        message:
          `points must equal the sum of the tests' points: received ${d.points}, tests sum to ${sum}`,
      });
    }
  }
});

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
 *     { name: "2 -> 4", fn: (f) => assert.equal(f(2), 4) },
 *     { name: "0 -> 0", fn: (f) => assert.equal(f(0), 0) },
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
    tests: Object.freeze(definition.tests.map((t) => ({ ...t, points: t.points ?? share }))),
  });
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
 * const ex = defineExercise<number>({
 *   id: "demo-answer", title: "The answer", lesson: "00-welcome", points: 1, expects: "answer",
 *   tests: [{ name: "is 42", fn: (n) => assert.equal(n, 42) }],
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
