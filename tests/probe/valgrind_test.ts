import assert from "node:assert/strict";
import { parseValgrindReport, runValgrindLeakCheck, valgrindTools } from "memgarden";

const FIXTURE = new URL("fixtures/valgrind_leak_3.19.txt", import.meta.url);
const tools = await valgrindTools();
const haveBoth = tools.valgrind !== null && tools.gcc !== null;

function checkLeakyProgramReport(r: ReturnType<typeof parseValgrindReport>) {
  assert.deepEqual(r.summary, {
    definitelyLost: { bytes: 116, blocks: 2 },
    indirectlyLost: { bytes: 32, blocks: 2 },
    possiblyLost: { bytes: 0, blocks: 0 },
    stillReachable: { bytes: 40, blocks: 1 },
  });
  assert.deepEqual(r.heap, {
    inUseBytes: 188,
    inUseBlocks: 5,
    allocs: 6,
    frees: 1,
    allocatedBytes: 204,
  });
  const where = r.records.map((
    x,
  ) => [
    x.kind,
    x.bytes,
    x.stack.filter((f) => f.file === "leak.c").map((f) => `${f.fn}:${f.line}`).join(" < "),
  ]);
  assert.deepEqual(where, [
    ["indirectly lost", 32, "make_list:11 < main:28"],
    ["still reachable", 40, "keep_settings:20 < main:30"],
    ["definitely lost", 48, "make_list:11 < main:28"],
    ["definitely lost", 100, "main:25"],
  ]);
  assert.equal(r.records[2].directBytes, 16);
  assert.equal(r.records[2].indirectBytes, 32);
  assert.equal(r.errors, 2);
}

Deno.test("parseValgrindReport reads a recorded valgrind 3.19 report of the course's leaky program", () => {
  const r = parseValgrindReport(Deno.readTextFileSync(FIXTURE));
  checkLeakyProgramReport(r);
  assert.ok(!r.text.includes("=="), "pid prefixes removed");
});

Deno.test("parseValgrindReport refuses text that is not a memcheck report", () => {
  assert.throws(() => parseValgrindReport("hello"), /no HEAP SUMMARY/);
});

Deno.test({
  name:
    "real valgrind on the leaky C program finds each leak at its line (skipped without valgrind and gcc)",
  ignore: !haveBoth,
  fn: async () => {
    const r = await runValgrindLeakCheck();
    assert.ok(r.available);
    checkLeakyProgramReport(r.report);
    const leftovers = [...Deno.readDirSync(Deno.env.get("TMPDIR") ?? "/tmp")].filter((e) =>
      e.name.startsWith("memgarden-valgrind-")
    );
    assert.deepEqual(leftovers, []);
  },
});

Deno.test("without valgrind or gcc on PATH the run says so instead of failing", async () => {
  const code = `import { runValgrindLeakCheck } from "memgarden";
console.log(JSON.stringify(await runValgrindLeakCheck()));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--frozen", code],
    env: { PATH: "/nonexistent" },
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(r.available, false);
  assert.match(r.reason, /valgrind and gcc are not installed/);
});
