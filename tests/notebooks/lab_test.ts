/**
 * `./garden lab` opens the lessons cleanly: the notebooks name the kernel
 * exactly as its kernelspec and the running kernel describe themselves (the
 * classic Notebook marks a lesson "unsaved" the moment either differs), and
 * a save or autosave through the served Jupyter never leaves a committed
 * lesson dirty with outputs. The server runs on a throw-away clone, so the
 * real working tree is never touched.
 */
import assert from "node:assert/strict";
import { parseNotebook } from "memgarden";
import { startLab } from "../../tools/lab_session.ts";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const PYTHON = "/usr/bin/python3";

const lessons = [...Deno.readDirSync(`${REPO}/notebooks`)]
  .map((e) => e.name)
  .filter((n) => /^\d\d-.*\.ipynb$/.test(n))
  .sort();

async function run(cmd: string, args: string[], cwd = REPO) {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** What the running Deno kernel says of itself (kernel_info_reply), through jupyter_client. */
async function kernelInfo(): Promise<{ language_info: Record<string, unknown> }> {
  const script = [
    "import json, jupyter_client",
    "km, kc = jupyter_client.manager.start_new_kernel(kernel_name='deno')",
    "try:",
    "    print(json.dumps(kc.kernel_info(reply=True, timeout=60)['content']))",
    "finally:",
    "    kc.stop_channels(); km.shutdown_kernel(now=True)",
  ].join("\n");
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", script],
    cwd: `${REPO}/notebooks`,
    env: {
      JUPYTER_PATH: `${REPO}/.jupyter`,
      PATH: `${REPO}/.tools/node_modules/.bin:${Deno.env.get("PATH")}`,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  assert.equal(
    out.code,
    0,
    `the Deno kernel did not answer: ${new TextDecoder().decode(out.stderr)}`,
  );
  return JSON.parse(stdout);
}

Deno.test("every lesson names the kernel as its kernelspec and the running kernel do", async () => {
  const spec = JSON.parse(await Deno.readTextFile(`${REPO}/.jupyter/kernels/deno/kernel.json`));
  const info = await kernelInfo();
  for (const name of lessons) {
    const nb = parseNotebook(await Deno.readTextFile(`${REPO}/notebooks/${name}`), name);
    assert.deepEqual(
      nb.metadata.kernelspec,
      { name: "deno", display_name: spec.display_name, language: spec.language },
      `${name}: metadata.kernelspec must equal the kernelspec, or Jupyter marks the lesson unsaved on open`,
    );
    assert.deepEqual(
      nb.metadata.language_info,
      info.language_info,
      `${name}: metadata.language_info must equal the kernel's kernel_info reply, or Jupyter marks the lesson unsaved on open`,
    );
  }
});

Deno.test("a save through ./garden lab keeps committed lessons clean; copies keep their outputs", async () => {
  const lab = await startLab();
  try {
    const { url, root: clone } = lab;
    assert.equal(url.hostname, "127.0.0.1");
    const api = (path: string, init: RequestInit = {}) => lab.api(`contents/${path}`, init);
    const root = await api("");
    assert.ok(root.ok, "the Jupyter server answers");
    const listing = (await root.json()).content.map((e: { name: string }) => e.name);
    assert.ok(listing.includes("README.md"), `the served root shows the README: ${listing}`);
    assert.ok(listing.includes("notebooks"));

    const lesson = `notebooks/${lessons[0]}`;
    const committed = await Deno.readTextFile(`${clone}/${lesson}`);
    const model = await (await api(`${lesson}?content=1`)).json();
    const code = model.content.cells.find((c: { cell_type: string }) => c.cell_type === "code");
    code.execution_count = 7;
    code.outputs = [{ output_type: "stream", name: "stdout", text: "planted output\n" }];
    // What autosave sends after the reader ran every cell.
    const saved = await api(lesson, {
      method: "PUT",
      body: JSON.stringify({ type: "notebook", content: model.content }),
    });
    assert.ok(saved.ok, await saved.text());
    assert.equal(
      await Deno.readTextFile(`${clone}/${lesson}`),
      committed,
      "an executed lesson saves byte-identical",
    );
    const status = await run("git", ["status", "--porcelain", "--", "notebooks"], clone);
    assert.equal(status.stdout, "", "git sees no change after a save");

    // An answer typed into a cell is the reader's work: it is kept, still without outputs.
    code.source = "// my answer\n" + code.source;
    const put = (path: string) =>
      api(path, {
        method: "PUT",
        body: JSON.stringify({ type: "notebook", content: model.content }),
      })
        .then(async (r) => ({ ok: r.ok, text: await r.text() }));
    const resaved = await put(lesson);
    assert.ok(resaved.ok, resaved.text);
    const edited = parseNotebook(await Deno.readTextFile(`${clone}/${lesson}`), lesson);
    assert.match(String(edited.cells.find((c) => c.cell_type === "code")?.source), /my answer/);
    assert.ok(edited.cells.every((c) => (c.outputs?.length ?? 0) === 0));

    // A copy is the reader's file: its outputs are kept.
    const copy = await (await api("notebooks", {
      method: "POST",
      body: JSON.stringify({ copy_from: lesson }),
    })).json();
    const copySaved = await put(copy.path);
    assert.ok(copySaved.ok, copySaved.text);
    assert.match(await Deno.readTextFile(`${clone}/${copy.path}`), /planted output/);
  } finally {
    await lab.close();
  }
});
