/**
 * Every lesson notebook runs top to bottom through the real Deno kernel
 * (tools/nbrun.py drives nbclient), type-checks, is committed without
 * outputs, and is formatted; the harness itself fails on a throwing cell and
 * on a type error, and loses no output.
 */
import assert from "node:assert/strict";
import { checkNotebooks, type NotebookCheck } from "../../tools/nbcheck.ts";
import { parseNotebook } from "memgarden";

const REPO = new URL("../../", import.meta.url).pathname;
const FIXTURES = `${REPO}tests/notebooks/fixtures`;
const PYTHON = "/usr/bin/python3";

async function jupyterAvailable(): Promise<void> {
  const probe = await new Deno.Command(PYTHON, {
    args: ["-c", "import nbclient, nbformat"],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => ({ success: false }));
  if (!probe.success) {
    throw new Error(
      `Cannot run notebooks: ${PYTHON} cannot import nbclient: run ./garden test (it installs Jupyter from apt)`,
    );
  }
}

async function runNotebooks(paths: string[], outDir: string) {
  await jupyterAvailable();
  const out = await new Deno.Command(PYTHON, {
    args: [`${REPO}tools/nbrun.py`, "--out", outDir, ...paths],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

type Output = { output_type: string; text?: string | string[]; data?: Record<string, unknown> };

async function outputsOf(path: string): Promise<Output[][]> {
  const nb = parseNotebook(await Deno.readTextFile(path), path);
  return nb.cells.filter((c) => c.cell_type === "code").map((c) => (c.outputs ?? []) as Output[]);
}

const lessons = [...Deno.readDirSync(`${REPO}notebooks`)]
  .map((e) => e.name)
  .filter((n) => /^\d\d-.*\.ipynb$/.test(n))
  .sort();

// Every lesson is type-checked in one `deno check` run (the library once, not once a lesson);
// each lesson's test reads its own result.
let checks: Promise<NotebookCheck[]> | null = null;
const typeCheck = (name: string) =>
  (checks ??= checkNotebooks(lessons.map((n) => `${REPO}notebooks/${n}`)))
    .then((all) => all[lessons.indexOf(name)]);

Deno.test("there is at least the welcome lesson", () => {
  assert.ok(lessons.includes("00-welcome.ipynb"), `lessons found: ${lessons.join(", ")}`);
});

for (const name of lessons) {
  const path = `${REPO}notebooks/${name}`;

  Deno.test(`${name}: committed without outputs, with the Deno kernelspec`, async () => {
    const text = await Deno.readTextFile(path);
    const nb = parseNotebook(text, name);
    const withOutputs = nb.cells.filter((c) =>
      c.cell_type === "code" && ((c.outputs?.length ?? 0) > 0 || c.execution_count != null)
    );
    assert.equal(withOutputs.length, 0, `${name} has ${withOutputs.length} cells with outputs`);
    assert.equal((nb.metadata.kernelspec as { name?: string })?.name, "deno");
    assert.match(
      String(nb.cells[0]?.source),
      /^#\s*\d\d · /,
      "the first cell is the title `# NN · Topic`",
    );
  });

  Deno.test(`${name}: type-checks`, async () => {
    const result = await typeCheck(name);
    assert.ok(result.ok, result.report);
  });

  Deno.test(`${name}: runs top to bottom through the Deno kernel`, async () => {
    const before = await Deno.readTextFile(path);
    const result = await runNotebooks([path], `${REPO}out/notebooks`);
    assert.equal(result.code, 0, `${name} failed:\n${result.stderr}`);
    // The runner's summary (cells, seconds, the kernel's peak RSS) goes into the CI log.
    console.log(result.stderr.split("\n").find((l) => l.startsWith("ok ")) ?? "");
    assert.equal(await Deno.readTextFile(path), before, "the source notebook must not change");
    const outputs = (await outputsOf(`${REPO}out/notebooks/${name}`)).flat();
    const errors = outputs.filter((o) => o.output_type === "error");
    assert.equal(errors.length, 0);
    const charts = outputs.filter((o) => o.data && "image/svg+xml" in o.data);
    for (const c of charts) assert.ok("text/html" in c.data!, "every SVG chart also has HTML");
  });
}

Deno.test("harness: a throwing cell fails the run, names the error, keeps the outputs before it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const result = await runNotebooks([`${FIXTURES}/throws.ipynb`], dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /planted failure for the harness test/);
    assert.match(result.stdout, /0 passed, 1 failed/);
    const outputs = await outputsOf(`${dir}/throws.ipynb`);
    assert.match(JSON.stringify(outputs[0]), /before the error/);
    assert.equal(outputs[2].length, 0, "cells after the error do not run");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("harness: a type error fails the check and names the cell and line", async () => {
  // Checked in one run with a good lesson (as every lesson is), only the broken notebook is blamed.
  const [bad, good] = await checkNotebooks([
    `${FIXTURES}/type_error.ipynb`,
    `${REPO}notebooks/00-welcome.ipynb`,
  ]);
  assert.equal(bad.ok, false);
  assert.match(bad.report, /type_error\.ipynb, cell 2, line 1/);
  assert.match(bad.report, /not assignable to type 'number'/);
  assert.doesNotMatch(bad.report, /00-welcome/);
  assert.equal(good.ok, true, good.report);
});

Deno.test("harness: no output is lost across 40 quick cells", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const result = await runNotebooks([`${FIXTURES}/many_outputs.ipynb`], dir);
    assert.equal(result.code, 0, result.stderr);
    const cells = await outputsOf(`${dir}/many_outputs.ipynb`);
    assert.equal(cells.length, 40);
    cells.forEach((outs, i) => {
      const text = JSON.stringify(outs);
      assert.ok(text.includes(`line ${i + 1}\\n`), `cell ${i + 1} lost its console output`);
      assert.ok(text.includes(`display ${i + 1}"`), `cell ${i + 1} lost its display output`);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("notebooks are formatted (checked on copies: the sources are never rewritten)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const name of lessons) await Deno.copyFile(`${REPO}notebooks/${name}`, `${dir}/${name}`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", "--config", `${REPO}deno.json`, dir],
    }).output();
    assert.ok(out.success);
    for (const name of lessons) {
      assert.equal(
        await Deno.readTextFile(`${dir}/${name}`),
        await Deno.readTextFile(`${REPO}notebooks/${name}`),
        `${name} is not formatted: run deno fmt notebooks/${name}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
