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
  return (await checkNotebooks([path]))[0];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Type-check several notebooks in one `deno check` run (the library they
 * import is checked once, not once a notebook). Each notebook's joined code
 * is its own module, so names never clash between notebooks.
 *
 * @param paths The notebooks.
 * @returns One result per notebook, in order; a notebook fails when a
 *   diagnostic points into it, and every notebook fails when the check fails
 *   without pointing anywhere.
 */
export async function checkNotebooks(paths: readonly string[]): Promise<NotebookCheck[]> {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-nbcheck-" });
  try {
    const files = await Promise.all(paths.map(async (path, i) => {
      const nb = parseNotebook(await Deno.readTextFile(path), path);
      const { code, lineMap } = joinCodeCells(nb);
      const name = path.split("/").pop()!.replace(/\.ipynb$/, "");
      const file = `${dir}/${String(i).padStart(2, "0")}-${name}.ts`;
      // A trailing empty export keeps the file a module even without imports.
      await Deno.writeTextFile(file, `${code}\nexport {};\n`);
      return {
        path,
        file,
        lineMap,
        url: new RegExp(`file://${escapeRegExp(file)}:(\\d+):(\\d+)`, "g"),
      };
    }));
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "check",
        "--quiet",
        "--frozen",
        "--config",
        `${REPO}deno.json`,
        ...files.map((f) => f.file),
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const raw = (new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr))
      .replace(/\n\s*Stack backtrace:[\s\S]*$/, "\n");
    const blocks = raw.split(/\n\s*\n/).filter((b) => b.trim() !== "");
    const mine = files.map((f) => blocks.filter((b) => b.includes(`file://${f.file}:`)));
    const pointed = mine.some((m) => m.length > 0);
    return files.map((f, i) => {
      const own = out.success ? [] : pointed ? mine[i] : blocks;
      const report = own.map((b) =>
        files.reduce(
          (text, g) =>
            text.replaceAll(g.url, (_m, line: string, col: string) => {
              const where = g.lineMap[Number(line) - 1];
              return where
                ? `${g.path}, cell ${where.cell}, line ${where.line}:${col}`
                : `${g.path}:${line}`;
            }),
          b,
        )
      ).join("\n\n");
      return { path: f.path, ok: own.length === 0, report };
    });
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
  for (const result of await checkNotebooks(paths)) {
    const path = result.path;
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
