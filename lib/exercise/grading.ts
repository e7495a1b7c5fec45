/**
 * The grader's pure parts: reading a submission into grading jobs, the
 * student module each job runs, the tests that decide the grade (hidden
 * tests when the instructor's files are loaded), the request sent to the
 * sandboxed child and the judging of what it answers, and the reports
 * (terminal table, JSON, Gradescope `results.json`). `tools/grade.ts` runs
 * the children in a sandbox with time and memory limits.
 *
 * The student's process computes; this process judges. A job's score comes
 * only from judging the child's answers against this process's own tests,
 * expected results and points, so nothing the child prints or returns can
 * raise it above what its answers earn.
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any
import { cellSource, type Notebook, parseNotebook } from "../io/notebook.ts";
import {
  type Exercise,
  type ExerciseCall,
  getExercise,
  getHiddenTests,
  type HiddenTest,
  judgeResults,
  listExercises,
  show,
} from "./exercise.ts";
import { exerciseCells } from "./release.ts";
import type { TestOutcome } from "./run.ts";
import { asData, decodeValue, encodeValue } from "./wire.ts";

/** One exercise to grade in one submission. */
export interface GradeJob {
  /** The exercise. */
  exercise: Exercise<any>;
  /** The generated student module (set-up imports + exercise cell + export), or null when there is nothing to run. */
  studentModule: string | null;
  /** The line of `studentModule` where the exercise cell starts (1-based). */
  cellFirstLine: number;
  /** Why the exercise scores zero without running (e.g. its cell is missing), or "". */
  message: string;
}

/** What a submission asks the grader to do. */
export interface SubmissionPlan {
  /** A problem with the whole submission (not JSON, not nbformat 4, no exercises), or "". */
  message: string;
  /** One job per expected exercise. */
  jobs: GradeJob[];
}

/** The grade of one exercise in one submission. */
export interface ExerciseGrade {
  /** The exercise id. */
  id: string;
  /** Its title. */
  title: string;
  /** Points earned. */
  score: number;
  /** Points possible. */
  maxScore: number;
  /** Why the exercise scored zero as a whole (missing cell, syntax error, time limit...), or "". */
  message: string;
  /** One outcome per test. */
  tests: TestOutcome[];
}

/** The grade of one submission. */
export interface SubmissionGrade {
  /** A short name (the file name, or its path inside a given folder). */
  name: string;
  /** The submission's path. */
  path: string;
  /** SHA-256 of the submission's bytes, so a report names exactly what was graded. */
  sha256: string;
  /** Points earned. */
  score: number;
  /** Points possible. */
  maxScore: number;
  /** A problem with the whole submission, or "". */
  message: string;
  /** One grade per exercise. */
  exercises: ExerciseGrade[];
}

/**
 * Whether a code cell holds only import declarations (a set-up cell), by one
 * linear scan: comments, whitespace, and `import ...;` statements whose
 * module specifier is a string literal (an optional `with { ... }` after it).
 *
 * @param source The cell's source.
 * @returns True when nothing but imports and comments is in it.
 */
export function isSetupCell(source: string): boolean {
  const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0xfeff;
  let i = 0;
  let imports = 0;
  const n = source.length;
  const skipSpace = () => {
    for (;;) {
      while (i < n && isSpace(source.charCodeAt(i))) i++;
      if (source.startsWith("//", i)) {
        const nl = source.indexOf("\n", i);
        i = nl < 0 ? n : nl + 1;
      } else if (source.startsWith("/*", i)) {
        const end = source.indexOf("*/", i + 2);
        if (end < 0) return false;
        i = end + 2;
      } else return true;
    }
  };
  while (true) {
    if (!skipSpace()) return false;
    if (i >= n) return imports > 0;
    if (!source.startsWith("import", i) || /[\w$]/.test(source[i + 6] ?? "")) return false;
    i += 6;
    // Up to the module specifier: no strings, parentheses or semicolons before it.
    for (; i < n; i++) {
      const c = source.charCodeAt(i);
      if (c === 34 || c === 39) break; // " or '
      if (c === 59 || c === 40 || c === 96) return false; // ; ( `
    }
    if (i >= n) return false;
    const quote = source[i];
    const close = source.indexOf(quote, i + 1);
    if (close < 0 || source.slice(i + 1, close).includes("\n")) return false;
    i = close + 1;
    if (!skipSpace()) return false;
    if (source.startsWith("with", i) || source.startsWith("assert", i)) {
      const open = source.indexOf("{", i);
      const end = open < 0 ? -1 : source.indexOf("}", open);
      if (end < 0) return false;
      i = end + 1;
      if (!skipSpace()) return false;
    }
    if (source[i] === ";") i++;
    imports++;
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * The generated module for one exercise: the notebook's set-up imports, the
 * exercise cell, and an export of the expected name (undefined when the cell
 * does not define it, so a renamed function fails with a clear message).
 *
 * @param setup The set-up cells' sources.
 * @param cell The exercise cell's source.
 * @param expects The name the cell must define.
 * @returns The module text and the line where the cell starts.
 *
 * @example The expected name is exported
 * ```ts
 * import { studentModuleSource } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const m = studentModuleSource(['import { formatSize } from "memgarden";'], "const answer = 42;", "answer");
 * assert.match(m.code, /export const __memgardenAnswer = typeof answer === "undefined" \? undefined : answer;/);
 * assert.equal(m.code.split("\n")[m.cellFirstLine - 1], "const answer = 42;");
 * ```
 */
export function studentModuleSource(
  setup: string[],
  cell: string,
  expects: string,
): { code: string; cellFirstLine: number } {
  const magic = (s: string) => s.split("\n").map((l) => /^\s*[%!]/.test(l) ? `// ${l}` : l);
  const lines = ["// set-up cells", ...setup.flatMap(magic), "// exercise cell"];
  const cellFirstLine = lines.length + 1;
  lines.push(
    ...magic(cell),
    "// the grader's export",
    `export const __memgardenAnswer = typeof ${expects} === "undefined" ? undefined : ${expects};`,
  );
  return { code: lines.join("\n") + "\n", cellFirstLine };
}

/**
 * Read one submission's text into grading jobs. Nothing here throws on a bad
 * submission: the problem becomes a message and the affected exercises score zero.
 *
 * @param text The submission's text.
 * @param name The submission's name (its file name may name the lesson, e.g. `alice-00-welcome.ipynb`).
 * @param lessons Lessons to grade against (default: the one lesson named by the exercise tags, check calls and the name; a notebook naming several is not graded).
 * @returns The plan.
 *
 * @example A file that is not JSON still names its exercises
 * ```ts
 * import { planSubmission } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const plan = planSubmission("{oops", "bob-00-welcome.ipynb");
 * assert.match(plan.message, /not valid JSON|invalid JSON/);
 * assert.ok(plan.jobs.length >= 3 && plan.jobs.every((j) => j.studentModule === null));
 * ```
 */
export function planSubmission(text: string, name: string, lessons?: string[]): SubmissionPlan {
  let nb: Notebook | null = null;
  let message = "";
  try {
    nb = parseNotebook(text, name);
  } catch (err) {
    message = (err as Error).message;
  }
  const known = new Set(listExercises().map((e) => e.lesson));
  const chosen = new Set(lessons ?? []);
  if (!lessons) {
    for (const lesson of known) if (name.includes(lesson)) chosen.add(lesson);
    if (nb) {
      const ids = exerciseCells(nb).map((c) => c.exerciseId);
      for (const c of nb.cells) {
        for (const m of cellSource(c).matchAll(/check\(\s*["']([a-z0-9-]+)["']/g)) ids.push(m[1]);
      }
      for (const id of ids) {
        try {
          chosen.add(getExercise(id).lesson);
        } catch {
          // an unknown tag: ignored here, the lesson's own exercises are graded
        }
      }
    }
  }
  const exercises = [...chosen].sort().flatMap((l) => listExercises(l));
  if (!lessons && chosen.size > 1) {
    // A notebook is one lesson. Grading every lesson it names would let a submission add
    // another lesson's exercises to its total (and its maximum), raising its share of points.
    const several = `${name}: the notebook names several lessons (${
      [...chosen].sort().join(", ")
    }) by its file name, exercise tags or check calls: grade it with --lesson`;
    return {
      message: [message, several].filter(Boolean).join("\n"),
      jobs: exercises.map((exercise) => ({
        exercise,
        studentModule: null,
        cellFirstLine: 0,
        message: `not graded: ${several}`,
      })),
    };
  }
  if (exercises.length === 0) {
    return {
      message: message ||
        `${name}: no exercises found: expected code cells tagged exercise:<id> of a known lesson (${
          [...known].sort().join(", ")
        })`,
      jobs: [],
    };
  }
  if (!nb) {
    return {
      message,
      jobs: exercises.map((exercise) => ({
        exercise,
        studentModule: null,
        cellFirstLine: 0,
        message: `not graded: ${message.split("\n")[0]}`,
      })),
    };
  }
  const cells = exerciseCells(nb);
  const exerciseIndex = new Set(cells.map((c) => c.index));
  const setup = nb.cells.filter((c, i) =>
    c.cell_type === "code" && !exerciseIndex.has(i) && isSetupCell(cellSource(c))
  ).map(cellSource);
  const jobs = exercises.map((exercise): GradeJob => {
    const cell = cells.filter((c) => c.exerciseId === exercise.id).at(-1);
    if (!cell) {
      return {
        exercise,
        studentModule: null,
        cellFirstLine: 0,
        message:
          `no code cell tagged exercise:${exercise.id}: the answer must stay in the exercise cell, with its tag`,
      };
    }
    const m = studentModuleSource(setup, cell.source, exercise.expects);
    return { exercise, studentModule: m.code, cellFirstLine: m.cellFirstLine, message: "" };
  });
  return { message, jobs };
}

/** A test as the grader runs it: its calls, points, and how its results are judged. */
export interface GradingTest {
  /** The test's name. */
  name: string;
  /** Points for passing. */
  points: number;
  /** The calls (argument lists). */
  calls: readonly ExerciseCall[];
  /** Expected results given by the bank. */
  want?: readonly unknown[];
  /** A judge given by the bank. */
  judge?: HiddenTest["judge"];
  /** The reference answer's results for the same calls (hidden tests). */
  expected?: unknown[];
  /** An old-format test (`fn`): it cannot be judged outside the student's code. */
  legacy?: boolean;
}

/** The tests that decide one exercise's grade. */
export interface GradingPlan {
  /** The tests, in order. */
  tests: GradingTest[];
  /** Where they come from: the instructor's hidden tests, or (without them) the visible ones. */
  source: "hidden" | "visible";
}

const plans = new Map<string, GradingPlan>();

/**
 * The tests that decide an exercise's grade: its hidden tests when the
 * instructor's files are loaded (their points must add up to the
 * exercise's), with the reference answer's results computed here, in the
 * grader's own process; else its visible tests.
 *
 * @param exercise The exercise.
 * @returns The plan (computed once per exercise and kept).
 *
 * @example Without hidden tests, the visible ones decide
 * ```ts
 * import { getExercise, gradingPlan } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const plan = gradingPlan(getExercise("welcome-page-count"));
 * assert.ok(plan.tests.length >= 6);
 * assert.ok(Math.abs(plan.tests.reduce((s, t) => s + t.points, 0) - 3) < 1e-9);
 * ```
 */
export function gradingPlan(exercise: Exercise<any>): GradingPlan {
  const hidden = getHiddenTests(exercise.id);
  const key = `${exercise.id}:${hidden ? "hidden" : "visible"}`;
  const known = plans.get(key);
  if (known) return known;
  let plan: GradingPlan;
  if (hidden) {
    const sum = hidden.tests.reduce((s, t) => s + t.points, 0);
    if (Math.abs(sum - exercise.points) > 1e-9) {
      throw new RangeError(
        `Cannot grade ${exercise.id}: its hidden tests' points must add up to the exercise's ${exercise.points}: received ${sum}`,
      );
    }
    plan = {
      source: "hidden",
      tests: hidden.tests.map((t) => ({
        ...t,
        expected: t.want ? undefined : t.calls.map((args) => {
          try {
            return asData(exercise.run(hidden.reference, ...(asData(args) as unknown[])));
          } catch (err) {
            throw new Error(
              `Cannot grade ${exercise.id}: the reference answer fails on ${show(args)}: ${
                (err as Error).message
              }`,
              { cause: err },
            );
          }
        }),
      })),
    };
  } else {
    plan = {
      source: "visible",
      tests: exercise.tests.map((t) => ({
        name: t.name,
        points: t.points,
        calls: t.calls ?? [],
        want: t.want,
        judge: t.judge,
        legacy: t.calls === undefined,
      })),
    };
  }
  plans.set(key, plan);
  return plan;
}

/** What the child answered for one call: a result, or the error it threw. */
export type CallAnswer = { ok: unknown } | { error: string };

/** What the child reported for one job. */
export interface ChildReport {
  /** Whether it said it was ready (the library loaded, the student's code not yet run). */
  ready: boolean;
  /** Why the student module did not load (a syntax error, a throw at the top of the cell), or "". */
  loadError: string;
  /** Whether the module does not define the expected name. */
  missing: boolean;
  /** The answers, by call index (into the request's flat list of calls). */
  answers: Map<number, CallAnswer>;
  /** Whether it finished every call. */
  done: boolean;
}

/**
 * The request the grader sends to the child: the exercise, the student
 * module's URL and every call of every test, flattened and encoded.
 *
 * @param exerciseId The exercise.
 * @param moduleUrl The student module's `file://` URL (inside the sandbox).
 * @param nonce A random token that marks the child's result lines.
 * @param tests The grading tests.
 * @returns The request's JSON text.
 *
 * @example Two tests, three calls
 * ```ts
 * import { childRequest } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = JSON.parse(childRequest("x", "file:///t/student.ts", "n", [
 *   { name: "a", points: 1, calls: [[1], [2]] }, { name: "b", points: 1, calls: [[NaN]] },
 * ]));
 * assert.deepEqual(r.calls, [[1], [2], [{ $num: "NaN" }]]);
 * ```
 */
export function childRequest(
  exerciseId: string,
  moduleUrl: string,
  nonce: string,
  tests: GradingTest[],
): string {
  const calls = tests.flatMap((t) => t.calls.map((args) => encodeValue(args)));
  return JSON.stringify({ id: exerciseId, module: moduleUrl, nonce, calls });
}

/**
 * Read one line the child printed after its nonce into the report.
 *
 * @param report The report so far (updated).
 * @param text The line, without the `@@<nonce> ` prefix.
 * @param callCount How many calls the request held.
 * @returns Nothing; malformed lines are ignored.
 *
 * @example An answer, an error and garbage
 * ```ts
 * import { emptyChildReport, readChildLine } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = emptyChildReport();
 * readChildLine(r, '{"i":0,"ok":{"$num":"-0"}}', 2);
 * readChildLine(r, '{"i":1,"error":"RangeError: no"}', 2);
 * readChildLine(r, '{"i":7,"ok":1}', 2);
 * readChildLine(r, "not json", 2);
 * assert.ok(Object.is((r.answers.get(0) as { ok: number }).ok, -0));
 * assert.deepEqual(r.answers.get(1), { error: "RangeError: no" });
 * assert.equal(r.answers.size, 2);
 * ```
 */
export function readChildLine(report: ChildReport, text: string, callCount: number): void {
  if (text === '"ready"') {
    report.ready = true;
    return;
  }
  let o: any;
  try {
    o = JSON.parse(text);
  } catch {
    return; // a truncated line from a killed process, or noise
  }
  if (o === null || typeof o !== "object") return;
  if (o.done === true) report.done = true;
  else if (o.missing === true) report.missing = true;
  else if (typeof o.load === "string") report.loadError ||= o.load.slice(0, 500);
  else if (Number.isInteger(o.i) && o.i >= 0 && o.i < callCount && !report.answers.has(o.i)) {
    if (typeof o.error === "string") report.answers.set(o.i, { error: o.error.slice(0, 300) });
    else if ("ok" in o) report.answers.set(o.i, { ok: decodeValue(o.ok) });
  }
}

/**
 * An empty child report.
 *
 * @returns A report with nothing received yet.
 *
 * @example Nothing yet
 * ```ts
 * import { emptyChildReport } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(emptyChildReport().answers.size, 0);
 * ```
 */
export function emptyChildReport(): ChildReport {
  return { ready: false, loadError: "", missing: false, answers: new Map(), done: false };
}

/**
 * Judge a job: each test's results (the child's answers to its calls) by the
 * grader's own tests; points from the grader's own bank. A test without all
 * its answers fails with `reason` (the process was killed, crashed or never
 * loaded).
 *
 * @param exercise The exercise.
 * @param plan Its grading plan.
 * @param report What the child reported.
 * @param reason Why answers are missing, or "".
 * @returns The exercise's grade.
 *
 * @example Right answers to the first test only
 * ```ts
 * import { emptyChildReport, getExercise, gradingPlan, judgeJob } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const ex = getExercise("welcome-page-count");
 * const plan = gradingPlan(ex);
 * const report = emptyChildReport();
 * report.answers.set(0, { ok: 0 });
 * const g = judgeJob(ex, plan, report, "time limit exceeded");
 * assert.equal(g.tests[0].passed, true);
 * assert.match(g.tests[1].message, /time limit exceeded/);
 * assert.ok(g.score < g.maxScore);
 * ```
 */
export function judgeJob(
  exercise: Exercise<any>,
  plan: GradingPlan,
  report: ChildReport,
  reason: string,
): ExerciseGrade {
  let offset = 0;
  let missingAny = false;
  const tests = plan.tests.map((t): TestOutcome => {
    const first = offset;
    offset += t.calls.length;
    const fail = (message: string): TestOutcome => ({
      name: t.name,
      passed: false,
      message,
      points: 0,
      maxPoints: t.points,
    });
    if (t.legacy) {
      return fail(
        `not graded: this test is in the old format (a function given the answer), which the grader cannot run outside the student's code: the bank must give it calls`,
      );
    }
    if (report.missing) {
      return fail(
        `${exercise.expects} is not defined: the cell tagged exercise:${exercise.id} must define ${exercise.expects} (was it renamed?)`,
      );
    }
    const results: unknown[] = [];
    for (let k = 0; k < t.calls.length; k++) {
      const answer = report.answers.get(first + k);
      if (answer === undefined) {
        missingAny = true;
        return fail(reason || "no answer");
      }
      if ("error" in answer) {
        return fail(explainError(answer.error, exercise, t.calls[k]));
      }
      results.push(answer.ok);
    }
    try {
      judgeResults(t, results, t.expected);
      return { name: t.name, passed: true, message: "", points: t.points, maxPoints: t.points };
    } catch (err) {
      return fail(err instanceof Error ? err.message : `the judge failed: ${show(err)}`);
    }
  });
  return {
    id: exercise.id,
    title: exercise.title,
    score: round(tests.reduce((s, t) => s + t.points, 0)),
    maxScore: round(plan.tests.reduce((s, t) => s + t.points, 0)),
    message: missingAny ? reason : "",
    tests,
  };
}

/** A call's error, explained for a student. */
function explainError(error: string, exercise: Exercise<any>, args: ExerciseCall): string {
  if (/^(Error: )?not implemented yet/.test(error)) {
    return `${
      error.replace(/^Error: /, "")
    }: write your solution in the cell tagged exercise:${exercise.id}`;
  }
  const where = `call with arguments ${show(args)} threw ${error}`;
  return /allocation failed|Reached heap limit|out of memory|Invalid array length/i.test(error)
    ? `out of memory: ${where} (unbounded allocation?)`
    : where;
}

/**
 * A submission's grade in Gradescope's `results.json` format: the score and
 * one entry per test.
 *
 * @param grade The submission's grade.
 * @returns The `results.json` object.
 *
 * @example Scores add up
 * ```ts
 * import { gradescopeResults } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = gradescopeResults({
 *   name: "a.ipynb", path: "a.ipynb", sha256: "", score: 1, maxScore: 2, message: "",
 *   exercises: [{ id: "x", title: "X", score: 1, maxScore: 2, message: "", tests: [
 *     { name: "t1", passed: true, message: "", points: 1, maxPoints: 1 },
 *     { name: "t2", passed: false, message: "expected 2", points: 0, maxPoints: 1 },
 *   ] }],
 * });
 * assert.equal(r.score, 1);
 * assert.deepEqual(r.tests[1], { name: "x: t2", score: 0, max_score: 1, status: "failed", output: "expected 2" });
 * ```
 */
export function gradescopeResults(grade: SubmissionGrade): {
  score: number;
  max_score: number;
  output: string;
  tests: { name: string; score: number; max_score: number; status: string; output: string }[];
} {
  return {
    score: grade.score,
    max_score: grade.maxScore,
    output: grade.message,
    tests: grade.exercises.flatMap((e) =>
      e.tests.map((t) => ({
        name: `${e.id}: ${t.name}`,
        // Exact, not rounded: six tests of 1/6 point each rounded to 0.17 would add up to more
        // than the exercise is worth.
        score: t.points,
        max_score: t.maxPoints,
        status: t.passed ? "passed" : "failed",
        output: t.message,
      }))
    ),
  };
}

/**
 * The terminal score table: one row per submission, one column per exercise.
 *
 * @param grades The submissions' grades.
 * @returns The table text, with the first failure message of each non-perfect exercise under it.
 *
 * @example Two submissions
 * ```ts
 * import { scoreTable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const ex = (score: number) => ({ id: "x", title: "X", score, maxScore: 2, message: "", tests: [] });
 * const text = scoreTable([
 *   { name: "a.ipynb", path: "", sha256: "", score: 2, maxScore: 2, message: "", exercises: [ex(2)] },
 *   { name: "b.ipynb", path: "", sha256: "", score: 0, maxScore: 2, message: "", exercises: [ex(0)] },
 * ]);
 * assert.match(text, /a\.ipynb\s+2\/2\s+2\/2/);
 * ```
 */
export function scoreTable(grades: SubmissionGrade[]): string {
  const ids = [...new Set(grades.flatMap((g) => g.exercises.map((e) => e.id)))];
  const rows = [["Submission", "Total", ...ids]];
  for (const g of grades) {
    rows.push([
      printable(g.name),
      `${g.score}/${g.maxScore}`,
      ...ids.map((id) => {
        const e = g.exercises.find((x) => x.id === id);
        return e ? `${e.score}/${e.maxScore}` : "-";
      }),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  const notes: string[] = [];
  for (const g of grades) {
    if (g.message) notes.push(`${printable(g.name)}: ${printable(g.message.split("\n")[0])}`);
    for (const e of g.exercises) {
      const fail = e.message || e.tests.find((t) => !t.passed)?.message;
      if (e.score < e.maxScore && fail) {
        notes.push(`${printable(g.name)} ${e.id}: ${printable(fail.split("\n")[0])}`);
      }
    }
  }
  return lines.join("\n") + (notes.length ? "\n\n" + notes.join("\n") : "") + "\n";
}

/**
 * Text from a submission (its file name, its error messages) made safe for a
 * terminal: control characters (line breaks, carriage returns, escape
 * sequences that move the cursor or rewrite lines) are shown as `\uXXXX`, so
 * a name or a message cannot forge or hide a row of the score table.
 */
function printable(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
