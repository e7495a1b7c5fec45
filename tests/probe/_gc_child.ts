// Run test code in a child Deno process started with --expose-gc (deno test runs without it).
import assert from "node:assert/strict";

/** Run `code` (a module importing memgarden) in a child with --expose-gc; parse its JSON output. */
export async function runWithGc(code: string): Promise<unknown> {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-gc-test-" });
  try {
    const path = `${dir}/child.ts`;
    await Deno.writeTextFile(path, code);
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        "--frozen",
        "--config",
        config,
        "--v8-flags=--expose-gc",
        path,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.ok(out.success, `child failed: ${stderr}`);
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
