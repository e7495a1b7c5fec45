/**
 * Release: turn a source notebook (solutions between markers) into the
 * student copy (stubs that throw "not implemented yet", outputs cleared).
 *
 * @module
 */
import { cellSource, type Notebook, parseNotebook } from "../io/notebook.ts";
import { getExercise } from "./exercise.ts";

const BEGIN = /^([ \t]*)\/\/ BEGIN SOLUTION\s*$/;
const END = /^[ \t]*\/\/ END SOLUTION\s*$/;
const TAG = /^exercise:(.+)$/;
/** Cells with this tag are the instructor's (e.g. "the solutions are in this copy"): never released. */
export const INSTRUCTOR_ONLY_TAG = "instructor-only";

/** A code cell tagged `exercise:<id>`. */
export interface ExerciseCell {
  /** The exercise id from the tag. */
  exerciseId: string;
  /** The cell's index in the notebook (0-based). */
  index: number;
  /** The cell's nbformat id, when it has one. */
  cellId: string | undefined;
  /** The cell's source. */
  source: string;
}

/**
 * The notebook's exercise cells (code cells tagged `exercise:<id>`), in order.
 *
 * @param nb The notebook.
 * @returns The exercise cells.
 *
 * @example One tagged cell
 * ```ts
 * import { exerciseCells } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const cells = exerciseCells({
 *   nbformat: 4, nbformat_minor: 5, metadata: {},
 *   cells: [{ cell_type: "code", source: "const x = 1;", metadata: { tags: ["exercise:demo"] } }],
 * });
 * assert.deepEqual(cells.map((c) => [c.exerciseId, c.index]), [["demo", 0]]);
 * ```
 */
export function exerciseCells(nb: Notebook): ExerciseCell[] {
  const found: ExerciseCell[] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    for (const tag of cell.metadata.tags ?? []) {
      const m = TAG.exec(tag);
      if (m) {
        found.push({ exerciseId: m[1], index, cellId: cell.id, source: cellSource(cell) });
      }
    }
  });
  return found;
}

/**
 * Replace every `// BEGIN SOLUTION` ... `// END SOLUTION` block of a cell by
 * a stub that throws `not implemented yet: <id>`, keeping the indentation.
 *
 * @param source The cell's source.
 * @param exerciseId The exercise id (named in the stub).
 * @param where Where the cell is, for error messages.
 * @returns The stubbed source; throws a `SyntaxError` when the markers are missing or unbalanced.
 *
 * @example A function body replaced
 * ```ts
 * import { stubSolutions } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const src = "function f(): number {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}";
 * assert.equal(
 *   stubSolutions(src, "demo", "demo.ipynb, cell 3"),
 *   'function f(): number {\n  // Write your answer here, then run the check cell below.\n  throw new Error("not implemented yet: demo");\n}',
 * );
 * assert.throws(() => stubSolutions("return 1;", "demo", "demo.ipynb, cell 3"), /demo.ipynb, cell 3.*no \/\/ BEGIN SOLUTION/);
 * ```
 */
export function stubSolutions(source: string, exerciseId: string, where: string): string {
  const out: string[] = [];
  let open: number | null = null;
  let blocks = 0;
  const lines = source.split("\n");
  lines.forEach((line, i) => {
    const begin = BEGIN.exec(line);
    if (begin) {
      if (open !== null) {
        throw new SyntaxError(
          `Cannot release ${where} (exercise:${exerciseId}): line ${
            i + 1
          }: // BEGIN SOLUTION inside an open solution block begun at line ${open + 1}`,
        );
      }
      open = i;
      blocks++;
      out.push(
        `${begin[1]}// Write your answer here, then run the check cell below.`,
        `${begin[1]}throw new Error("not implemented yet: ${exerciseId}");`,
      );
    } else if (END.test(line)) {
      if (open === null) {
        throw new SyntaxError(
          `Cannot release ${where} (exercise:${exerciseId}): line ${
            i + 1
          }: // END SOLUTION without a // BEGIN SOLUTION`,
        );
      }
      open = null;
    } else if (open === null) {
      out.push(line);
    }
  });
  if (open !== null) {
    throw new SyntaxError(
      `Cannot release ${where} (exercise:${exerciseId}): line ${
        open + 1
      }: // BEGIN SOLUTION is never closed by // END SOLUTION`,
    );
  }
  if (blocks === 0) {
    throw new SyntaxError(
      `Cannot release ${where} (exercise:${exerciseId}): an exercise cell needs its solution between // BEGIN SOLUTION and // END SOLUTION: no // BEGIN SOLUTION found`,
    );
  }
  return out.join("\n");
}

function toSourceLines(text: string): string[] {
  const lines = text.split("\n");
  return lines.map((l, i) => i < lines.length - 1 ? l + "\n" : l).filter((l) => l !== "");
}

/**
 * Make the student copy of a source notebook: every exercise cell's solution
 * blocks become stubs, cells tagged `instructor-only` are left out, every code
 * cell's outputs and execution count are cleared, and everything else is
 * kept. The same input always gives the same bytes.
 *
 * @param text The source notebook's JSON text.
 * @param name The notebook's name, for error messages.
 * @returns The student copy's JSON text (Jupyter's 1-space indent, final newline).
 *
 * @example Release a one-exercise notebook
 * ```ts
 * import { releaseNotebook } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const source = JSON.stringify({
 *   nbformat: 4, nbformat_minor: 5, metadata: {},
 *   cells: [{
 *     cell_type: "code", id: "c1", execution_count: 3, outputs: [{ output_type: "stream" }],
 *     metadata: { tags: ["exercise:welcome-page-count"] },
 *     source: ["function pageCount(n: number): number {\n", "  // BEGIN SOLUTION\n",
 *       "  return Math.ceil(n / 4096);\n", "  // END SOLUTION\n", "}"],
 *   }],
 * });
 * const released = JSON.parse(releaseNotebook(source, "demo.ipynb"));
 * assert.equal(released.cells[0].execution_count, null);
 * assert.deepEqual(released.cells[0].outputs, []);
 * assert.match(released.cells[0].source.join(""), /not implemented yet: welcome-page-count/);
 * assert.doesNotMatch(released.cells[0].source.join(""), /Math.ceil/);
 * ```
 *
 * @example The instructor's notes stay behind
 * ```ts
 * import { releaseNotebook } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const source = JSON.stringify({
 *   nbformat: 4, nbformat_minor: 5, metadata: {},
 *   cells: [
 *     { cell_type: "markdown", id: "m1", metadata: { tags: ["instructor-only"] }, source: "Solutions inside" },
 *     { cell_type: "markdown", id: "m2", metadata: {}, source: "# 00 · Title" },
 *   ],
 * });
 * const released = JSON.parse(releaseNotebook(source, "demo.ipynb"));
 * assert.deepEqual(released.cells.map((c: { id: string }) => c.id), ["m2"]);
 * ```
 */
export function releaseNotebook(text: string, name: string): string {
  const nb = parseNotebook(text, name); // validates: nbformat 4, cells with sources
  const raw = JSON.parse(text) as {
    cells: { cell_type: string; source: string | string[]; metadata?: { tags?: string[] } }[];
  };
  const tagged = new Map(exerciseCells(nb).map((c) => [c.index, c]));
  raw.cells.forEach((cell, index) => {
    // The instructor's own notes are dropped below, whatever they quote.
    if ((cell.metadata?.tags ?? []).includes(INSTRUCTOR_ONLY_TAG)) return;
    const where = `${name}, cell ${index}${
      nb.cells[index].id ? ` (id ${nb.cells[index].id})` : ""
    }`;
    const tags = (cell.metadata?.tags ?? []).filter((t) => TAG.test(t));
    if (tags.length > 1) {
      throw new SyntaxError(
        `Cannot release ${where}: a cell holds one exercise: received tags ${tags.join(", ")}`,
      );
    }
    const ex = tagged.get(index);
    const src = cellSource(nb.cells[index]);
    if (ex) {
      try {
        getExercise(ex.exerciseId);
      } catch (err) {
        throw new RangeError(`Cannot release ${where}: ${(err as Error).message}`, { cause: err });
      }
      const stubbed = stubSolutions(src, ex.exerciseId, where);
      cell.source = Array.isArray(cell.source) ? toSourceLines(stubbed) : stubbed;
    } else if (/\/\/ (BEGIN|END) SOLUTION/.test(src)) {
      throw new SyntaxError(
        `Cannot release ${where}: it has solution markers but no exercise:<id> tag, so its solution would be published`,
      );
    }
    if (cell.cell_type === "code") {
      (cell as Record<string, unknown>).outputs = [];
      (cell as Record<string, unknown>).execution_count = null;
    }
  });
  raw.cells = raw.cells.filter((c) => !(c.metadata?.tags ?? []).includes(INSTRUCTOR_ONLY_TAG));
  return JSON.stringify(raw, null, 1) + "\n";
}
