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

/** A throw-away repository holding the working tree's tracked files, committed. */
async function copyTrackedFiles(to: string): Promise<void> {
  const files = (await run("git", ["ls-files", "-z"])).stdout.split("\0").filter((f) => f !== "");
  for (const f of files) {
    const target = `${to}/${f}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    try {
      await Deno.copyFile(`${REPO}/${f}`, target);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error; // deleted, not yet committed
    }
  }
  await Deno.chmod(`${to}/garden`, 0o755);
  for (
    const args of [
      ["init", "--quiet"],
      ["add", "-A"],
      ["-c", "user.name=lab test", "-c", "user.email=lab@test", "commit", "--quiet", "-m", "copy"],
    ]
  ) {
    const r = await run("git", args, to);
    assert.equal(r.code, 0, r.stderr);
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Read stderr until the "Opening the course: URL" line, or fail after the deadline. */
async function waitForUrl(stream: ReadableStream<Uint8Array>, deadlineMs: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  const timer = setTimeout(() => reader.cancel(), deadlineMs);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
      const m = /Opening the course: (http:\/\/\S+)/.exec(seen);
      if (m) {
        // Keep draining in the background so the server never blocks on a full pipe.
        (async () => {
          try {
            while (!(await reader.read()).done) { /* drain */ }
          } catch { /* cancelled */ }
        })();
        return m[1];
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`./garden lab printed no URL:\n${seen}`);
}

Deno.test("a save through ./garden lab keeps committed lessons clean; copies keep their outputs", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "garden-lab-" });
  const clone = `${tmp}/repo`;
  let server: Deno.ChildProcess | null = null;
  try {
    await copyTrackedFiles(clone);
    await Deno.symlink(`${REPO}/.tools`, `${clone}/.tools`);
    const port = freePort();
    server = new Deno.Command("bash", {
      args: [`${clone}/garden`, "lab"],
      cwd: clone,
      env: { GARDEN_PORT: String(port) },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const url = new URL(await waitForUrl(server.stderr, 60_000));
    const token = url.searchParams.get("token")!;
    assert.equal(url.hostname, "127.0.0.1");
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${url.origin}/api/contents/${path}`, {
        ...init,
        headers: { Authorization: `token ${token}`, "Content-Type": "application/json" },
      });
    let root: Response | null = null;
    for (let i = 0; i < 100; i++) {
      try {
        root = await api("");
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(root?.ok, "the Jupyter server answers");
    const listing = (await root!.json()).content.map((e: { name: string }) => e.name);
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
    if (server) {
      try {
        server.kill("SIGTERM");
      } catch { /* already gone */ }
      await server.status;
    }
    await Deno.remove(tmp, { recursive: true });
  }
});
