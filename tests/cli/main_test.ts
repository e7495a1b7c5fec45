import assert from "node:assert/strict";
import { main } from "memgarden/cli/main.ts";

/** Run `main(args)`, collecting what it prints through console.log and Deno.stdout. */
async function printed(args: string[]): Promise<{ status: number; out: string }> {
  const parts: string[] = [];
  const stdout = Deno.stdout as { writeSync(b: Uint8Array): number };
  const write = stdout.writeSync, log = console.log;
  stdout.writeSync = (b: Uint8Array) => {
    parts.push(new TextDecoder().decode(b));
    return b.length;
  };
  console.log = (...a: unknown[]) => void parts.push(a.join(" ") + "\n");
  try {
    return { status: await main(args), out: parts.join("") };
  } finally {
    stdout.writeSync = write;
    console.log = log;
  }
}

Deno.test("every model listed by sim --help prints its own usage on --help and -h, exit 0", async () => {
  const top = await printed(["--help"]);
  assert.equal(top.status, 0);
  const models = [...top.out.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
  assert.ok(models.length >= 8 && models.includes("cache"), top.out);
  for (const model of models) {
    for (const flag of ["--help", "-h"]) {
      const { status, out } = await printed([model, flag]);
      assert.equal(status, 0, `${model} ${flag}`);
      assert.match(
        out,
        new RegExp(`^Usage: deno task sim ${model}\\b`),
        `${model} ${flag}: ${out}`,
      );
    }
  }
});
