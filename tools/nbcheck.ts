/**
 * Type-check notebooks: `deno run -A tools/nbcheck.ts [NOTEBOOK...]`.
 *
 * Deno's kernel does not type-check, so a wrong import silently becomes
 * `undefined`. This joins each notebook's code cells into one module (in a
 * temporary folder, checked against the repo's deno.json) and runs
 * `deno check`, reporting errors as "notebook, cell N, line M".
 *
 * @module
 */
import { joinCodeCells, parseNotebook } from "memgarden";

const REPO = new URL("..", import.meta.url).pathname;

/** The result of type-checking one notebook. */
export interface NotebookCheck {
  path: string;
  ok: boolean;
  /** Deno's diagnostics, with joined-file positions rewritten to cells. */
  report: string;
}

/**
 * Type-check one notebook's code.
 *
 * @param path The notebook.
 * @returns Whether it type-checks, and the annotated report.
 */
export async function checkNotebook(path: string): Promise<NotebookCheck> {
  const nb = parseNotebook(await Deno.readTextFile(path), path);
  const { code, lineMap } = joinCodeCells(nb);
  const dir = await Deno.makeTempDir({ prefix: "memgarden-nbcheck-" });
  const name = path.split("/").pop()!.replace(/\.ipynb$/, "");
  const file = `${dir}/${name}.ts`;
  try {
    await Deno.writeTextFile(file, code);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--frozen", "--config", `${REPO}deno.json`, file],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const raw = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    const report = raw.replaceAll(
      new RegExp(`file://${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`, "g"),
      (_m, line: string, col: string) => {
        const where = lineMap[Number(line) - 1];
        return where ? `${path}, cell ${where.cell}, line ${where.line}:${col}` : `${path}:${line}`;
      },
    ).replace(/\n\s*Stack backtrace:[\s\S]*$/, "\n");
    return { path, ok: out.success, report };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function defaultNotebooks(): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of Deno.readDir(`${REPO}notebooks`)) {
    if (/^\d\d-.*\.ipynb$/.test(entry.name)) paths.push(`notebooks/${entry.name}`);
  }
  return paths.sort();
}

if (import.meta.main) {
  Deno.chdir(REPO);
  const paths = Deno.args.length ? Deno.args : await defaultNotebooks();
  let failed = 0;
  for (const path of paths) {
    const result = await checkNotebook(path);
    if (result.ok) {
      console.log(`ok   ${path}`);
    } else {
      failed++;
      console.log(`FAIL ${path}\n${result.report}`);
    }
  }
  console.log(`${paths.length - failed} passed, ${failed} failed`);
  Deno.exit(failed ? 1 : 0);
}
