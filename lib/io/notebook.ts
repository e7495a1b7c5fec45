import { z } from "zod";
import { parseJsonData } from "./data_file.ts";

const Source = z.union([z.string(), z.array(z.string())]);

/** One notebook cell (nbformat 4), keeping fields this course does not use. */
export const NotebookCell = z.looseObject({
  cell_type: z.enum(["code", "markdown", "raw"]),
  source: Source,
  metadata: z.looseObject({ tags: z.array(z.string()).optional() }).default({}),
  outputs: z.array(z.unknown()).optional(),
  execution_count: z.number().int().nullable().optional(),
  id: z.string().optional(),
});
/** One notebook cell (nbformat 4), keeping fields this course does not use. */
export type NotebookCell = z.infer<typeof NotebookCell>;

/** A Jupyter notebook in nbformat 4. */
export const Notebook = z.looseObject({
  nbformat: z.literal(4, { error: "nbformat must be 4 (Jupyter notebook format 4)" }),
  nbformat_minor: z.number().int().nonnegative(),
  metadata: z.looseObject({}),
  cells: z.array(NotebookCell),
});
/** A Jupyter notebook in nbformat 4. */
export type Notebook = z.infer<typeof Notebook>;

/**
 * Parse and validate notebook JSON (nbformat 4).
 *
 * @param text The `.ipynb` file's text.
 * @param source A name for error messages (usually the path).
 * @returns The validated notebook.
 *
 * @example A notebook in the wrong format
 * ```ts
 * import { parseNotebook } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const nb = parseNotebook('{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[]}', "a.ipynb");
 * assert.equal(nb.cells.length, 0);
 * assert.throws(() => parseNotebook('{"nbformat":3}', "old.ipynb"), /old.ipynb[\s\S]*nbformat must be 4/);
 * ```
 */
export function parseNotebook(text: string, source: string): Notebook {
  return parseJsonData(text, Notebook, source);
}

/**
 * A cell's source as one string (nbformat allows a string or a list of lines).
 *
 * @param cell The cell.
 * @returns Its source text.
 *
 * @example Lines joined
 * ```ts
 * import { cellSource } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(cellSource({ source: ["a\n", "b"] }), "a\nb");
 * ```
 */
export function cellSource(cell: Pick<NotebookCell, "source">): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** Code cells joined into one TypeScript module, with a map back to cells. */
export interface JoinedCode {
  /** The module text: every code cell in order, each after a marker comment. */
  code: string;
  /** For each line of `code` (0-based), the cell index and the line within it (1-based), or null for marker lines. */
  lineMap: ({ cell: number; line: number } | null)[];
}

/**
 * Join a notebook's code cells into one module, as the kernel would run them
 * in order, so that `deno check` can type-check the notebook.
 *
 * @param nb The notebook.
 * @returns The joined code and a map from its lines to cells.
 *
 * @example Two cells become one module
 * ```ts
 * import { joinCodeCells } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const joined = joinCodeCells({
 *   nbformat: 4, nbformat_minor: 5, metadata: {},
 *   cells: [
 *     { cell_type: "code", source: "const a = 1;", metadata: {} },
 *     { cell_type: "markdown", source: "# hi", metadata: {} },
 *     { cell_type: "code", source: "a + 1", metadata: {} },
 *   ],
 * });
 * assert.match(joined.code, /const a = 1;[\s\S]*a \+ 1/);
 * assert.deepEqual(joined.lineMap.filter((l) => l !== null), [{ cell: 0, line: 1 }, { cell: 2, line: 1 }]);
 * ```
 */
export function joinCodeCells(nb: Notebook): JoinedCode {
  const lines: string[] = [];
  const lineMap: JoinedCode["lineMap"] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    lines.push(`// ---- cell ${index} ----`);
    lineMap.push(null);
    cellSource(cell).split("\n").forEach((text, i) => {
      // Jupyter magics and shell escapes are not TypeScript.
      lines.push(/^\s*[%!]/.test(text) ? `// ${text}` : text);
      lineMap.push({ cell: index, line: i + 1 });
    });
  });
  lines.push("export {};");
  lineMap.push(null);
  return { code: lines.join("\n") + "\n", lineMap };
}
