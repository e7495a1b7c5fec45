/**
 * The grader's pure parts: reading a submission into grading jobs, the
 * generated modules each job runs under `deno test`, and the reports
 * (terminal table, JSON, Gradescope `results.json`). `tools/grade.ts` runs
 * the jobs in separate processes with time and memory limits.
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any
import { cellSource, type Notebook, parseNotebook } from "../io/notebook.ts";
import { type Exercise, getExercise, listExercises } from "./exercise.ts";
import { exerciseCells } from "./release.ts";
import type { TestOutcome } from "./run.ts";

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

const IMPORTS =
  /import\s+(?:type\s+)?[\s\S]*?\sfrom\s*["'][^"']*["']\s*;?|import\s*["'][^"']*["']\s*;?/g;
const COMMENTS = /\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;

/**
 * Whether a code cell holds only import declarations (a set-up cell).
 *
 * @param source The cell's source.
 * @returns True when nothing but imports and comments is left.
 */
function isSetup(source: string): boolean {
  return /\bimport\b/.test(source) &&
    source.replace(COMMENTS, "").replace(IMPORTS, "").trim() === "";
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
 * The generated `deno test` file for one exercise: once the library is loaded
 * it prints `@@<nonce> ready` (the grader's time limit starts there, so Deno's
 * start-up on a busy machine is not charged to the student), then imports the
 * student module and registers the exercise's tests, printing each outcome on
 * a line that starts with `@@<nonce> ` so the grader can read results even
 * when the process is later killed.
 *
 * @param exerciseId The exercise id.
 * @param nonce A random token unknown to the student's code.
 * @param timeLimitMs The time limit per test.
 * @returns The test module's text.
 *
 * @example It registers the exercise's tests
 * ```ts
 * import { graderTestSource } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.match(graderTestSource("welcome-page-count", "abc", 2000), /exerciseDenoTests\(getExercise\("welcome-page-count"\)/);
 * ```
 */
export function graderTestSource(exerciseId: string, nonce: string, timeLimitMs: number): string {
  return [
    `import { exerciseDenoTests, getExercise } from "memgarden";`,
    `const encoder = new TextEncoder();`,
    `// Everything above is the grader's own start-up; the time limit starts here.`,
    `Deno.stdout.writeSync(encoder.encode("\\n@@${nonce} ready\\n"));`,
    `const { __memgardenAnswer } = await import("./student.ts");`,
    `exerciseDenoTests(getExercise(${JSON.stringify(exerciseId)}), __memgardenAnswer, {`,
    `  timeLimitMs: ${timeLimitMs},`,
    `  onOutcome: (o) => Deno.stdout.writeSync(encoder.encode("\\n@@${nonce} " + JSON.stringify(o) + "\\n")),`,
    `});`,
    ``,
  ].join("\n");
}

/**
 * Read the test outcomes a grader process printed.
 *
 * @param stdout The process's standard output.
 * @param nonce The token given to {@linkcode graderTestSource}.
 * @returns The outcomes, in order.
 *
 * @example One outcome line among other output
 * ```ts
 * import { parseGraderOutput } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const out = 'noise\n@@n1 {"name":"t","passed":true,"message":"","points":1,"maxPoints":1}\n';
 * assert.equal(parseGraderOutput(out, "n1")[0].name, "t");
 * assert.equal(parseGraderOutput(out, "other").length, 0);
 * ```
 */
export function parseGraderOutput(stdout: string, nonce: string): TestOutcome[] {
  const prefix = `@@${nonce} `;
  const found: TestOutcome[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith(prefix)) continue;
    try {
      const o = JSON.parse(line.slice(prefix.length));
      if (typeof o?.name === "string" && typeof o.passed === "boolean") found.push(o);
    } catch {
      // a truncated line from a killed process: that test counts as not finished
    }
  }
  return found;
}

/**
 * Read one submission's text into grading jobs. Nothing here throws on a bad
 * submission: the problem becomes a message and the affected exercises score zero.
 *
 * @param text The submission's text.
 * @param name The submission's name (its file name may name the lesson, e.g. `alice-00-welcome.ipynb`).
 * @param lessons Lessons to grade against (default: found from the exercise tags, check calls and the name).
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
  const setup = nb.cells.filter((c, i) =>
    c.cell_type === "code" && !cells.some((e) => e.index === i) && isSetup(cellSource(c))
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

/**
 * Combine a job's outcomes into its grade: tests that did not report (the
 * process was killed, crashed or never loaded) fail with `reason`.
 *
 * @param exercise The exercise.
 * @param outcomes The outcomes the process reported.
 * @param reason Why the remaining tests have no outcome ("" when all reported).
 * @returns The exercise's grade.
 *
 * @example A process killed after the first test
 * ```ts
 * import { exerciseGrade, getExercise } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const ex = getExercise("welcome-page-count");
 * const first = { name: ex.tests[0].name, passed: true, message: "", points: 0.5, maxPoints: 0.5 };
 * const g = exerciseGrade(ex, [first], "time limit of 5 s exceeded");
 * assert.equal(g.score, 0.5);
 * assert.equal(g.maxScore, 3);
 * assert.match(g.tests[1].message, /time limit/);
 * ```
 */
export function exerciseGrade(
  exercise: Exercise<any>,
  outcomes: TestOutcome[],
  reason: string,
): ExerciseGrade {
  const byName = new Map(outcomes.map((o) => [o.name, explainOutOfMemory(o)]));
  const tests = exercise.tests.map((t) =>
    byName.get(t.name) ??
      {
        name: t.name,
        passed: false,
        message: reason || "no result",
        points: 0,
        maxPoints: t.points,
      }
  );
  return {
    id: exercise.id,
    title: exercise.title,
    score: round(tests.reduce((s, t) => s + t.points, 0)),
    maxScore: round(exercise.points),
    message: tests.length === byName.size ? "" : reason,
    tests,
  };
}

/** A failed allocation inside a test is a memory problem: say so plainly. */
function explainOutOfMemory(outcome: TestOutcome): TestOutcome {
  if (
    outcome.passed || !/allocation failed|Reached heap limit|out of memory/i.test(outcome.message)
  ) {
    return outcome;
  }
  if (/^out of memory/.test(outcome.message)) return outcome;
  return { ...outcome, message: `out of memory: ${outcome.message} (unbounded allocation?)` };
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
        score: round(t.points),
        max_score: round(t.maxPoints),
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
      g.name,
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
    if (g.message) notes.push(`${g.name}: ${g.message.split("\n")[0]}`);
    for (const e of g.exercises) {
      const fail = e.message || e.tests.find((t) => !t.passed)?.message;
      if (e.score < e.maxScore && fail) {
        notes.push(`${g.name} ${e.id}: ${fail.split("\n")[0]}`);
      }
    }
  }
  return lines.join("\n") + (notes.length ? "\n\n" + notes.join("\n") : "") + "\n";
}
