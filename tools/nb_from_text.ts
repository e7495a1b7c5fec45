/**
 * Authoring aid: build a notebook from a plain-text draft.
 *
 *   deno run -A tools/nb_from_text.ts DRAFT.txt notebooks/NN-topic.ipynb [--force]
 *
 * A draft is a sequence of cells, each starting with a line `%% md` or
 * `%% code`, optionally followed by tags: `%% code exercise:heap-first-fit`.
 * Cell ids are numbered, outputs empty, and the result is formatted with
 * `deno fmt`, so building twice gives the same bytes. The committed `.ipynb`
 * is the source of truth; an existing notebook is never overwritten without
 * `--force`.
 *
 * @module
 */

/** Build notebook JSON text from a draft. */
export function notebookFromText(text: string): string {
  const cells: unknown[] = [];
  let current: { type: "markdown" | "code"; tags: string[]; lines: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    while (current.lines.length && current.lines.at(-1)!.trim() === "") current.lines.pop();
    while (current.lines.length && current.lines[0].trim() === "") current.lines.shift();
    const source = current.lines.map((l, i) => i < current!.lines.length - 1 ? l + "\n" : l);
    const id = `cell-${String(cells.length).padStart(3, "0")}`;
    const metadata = current.tags.length ? { tags: current.tags } : {};
    cells.push(
      current.type === "code"
        ? { cell_type: "code", execution_count: null, id, metadata, outputs: [], source }
        : { cell_type: "markdown", id, metadata, source },
    );
  };
  text.split("\n").forEach((line, i) => {
    const m = /^%% (md|code)((?:\s+\S+)*)\s*$/.exec(line);
    if (m) {
      flush();
      current = {
        type: m[1] === "md" ? "markdown" : "code",
        tags: m[2].trim() ? m[2].trim().split(/\s+/) : [],
        lines: [],
      };
    } else if (current) {
      current.lines.push(line);
    } else if (line.trim() !== "") {
      throw new SyntaxError(`Draft line ${i + 1}: text before the first "%% md" or "%% code"`);
    }
  });
  flush();
  const nb = {
    cells,
    metadata: {
      kernelspec: { display_name: "Deno", language: "typescript", name: "deno" },
      language_info: {
        codemirror_mode: "typescript",
        file_extension: ".ts",
        mimetype: "text/x.typescript",
        name: "typescript",
        nbconvert_exporter: "script",
        pygments_lexer: "typescript",
        // What the kernel reports (its TypeScript version): Jupyter marks a
        // notebook unsaved on open when this differs.
        version: Deno.version.typescript,
      },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + "\n";
}

if (import.meta.main) {
  const [draft, out, ...flags] = Deno.args;
  if (!draft || !out) {
    console.error("Usage: deno run -A tools/nb_from_text.ts DRAFT.txt OUT.ipynb [--force]");
    Deno.exit(2);
  }
  const exists = await Deno.stat(out).then(() => true, () => false);
  if (exists && !flags.includes("--force")) {
    console.error(`Refusing to overwrite ${out}: pass --force to replace it`);
    Deno.exit(1);
  }
  await Deno.writeTextFile(out, notebookFromText(await Deno.readTextFile(draft)));
  const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", out] }).output();
  if (!fmt.success) Deno.exit(1);
  console.log(`wrote ${out}`);
}
