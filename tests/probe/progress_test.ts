import assert from "node:assert/strict";
import { createProgress, isJupyterKernel, type ProgressSink, resolveProgress } from "memgarden";

function fakeClock(stepMs: number): () => number {
  let t = 0;
  return () => (t += stepMs);
}

Deno.test("outside a kernel isJupyterKernel is false", () => {
  assert.equal(isJupyterKernel(), false);
});

Deno.test("lines mode writes one line per tenth, then the finish line", () => {
  const out: string[] = [];
  const p = createProgress({
    label: "sweep",
    mode: "lines",
    write: (s) => out.push(s),
    now: fakeClock(1),
  });
  for (let i = 1; i <= 200; i++) p.update(i / 200, `size ${i}`);
  p.finish("done in 1 s");
  assert.deepEqual(out.slice(0, 3), [
    "sweep: 0% size 1\n",
    "sweep: 10% size 20\n",
    "sweep: 20% size 40\n",
  ]);
  assert.equal(out.length, 11);
  assert.equal(out.at(-1), "sweep: done in 1 s\n");
  assert.ok(out.every((s) => s.endsWith("\n") && !s.includes("\r")));
});

Deno.test("terminal mode rewrites one line with \\r and shows at most one update per 100 ms", () => {
  const out: string[] = [];
  const p = createProgress({
    label: "latency",
    mode: "terminal",
    write: (s) => out.push(s),
    now: fakeClock(10), // 10 ms between calls: only every 10th call may show
  });
  for (let i = 1; i <= 100; i++) p.update(i / 100, "x");
  p.finish("ok");
  const updates = out.filter((s) => s.startsWith("\r") && !s.includes("100% ok"));
  assert.ok(updates.length >= 9 && updates.length <= 11, `${updates.length} updates`);
  assert.ok(out.at(-2)!.startsWith("\rlatency [####################] 100% ok"));
  assert.equal(out.at(-1), "\n");
});

Deno.test("jupyter mode sends display_data once, then update_display_data with the same id", async () => {
  const calls: { type: string; content: Record<string, unknown> }[] = [];
  const p = createProgress({
    label: "patterns <fast>",
    mode: "jupyter",
    broadcast: (type, content) => {
      calls.push({ type, content });
      return Promise.resolve();
    },
    now: fakeClock(50), // 20 calls per second: about half are dropped
  });
  for (let i = 1; i <= 40; i++) await p.update(i / 40, `round ${i}`);
  await p.finish("done");
  assert.equal(calls[0].type, "display_data");
  assert.ok(calls.slice(1).every((c) => c.type === "update_display_data"));
  const ids = new Set(
    calls.map((c) => (c.content.transient as { display_id: string }).display_id),
  );
  assert.equal(ids.size, 1);
  assert.ok(calls.length >= 19 && calls.length <= 23, `${calls.length} broadcasts`);
  const last = calls.at(-1)!.content as { data: Record<string, string>; metadata: unknown };
  assert.equal(last.data["text/plain"], "patterns <fast>: 100% done");
  assert.match(last.data["text/html"], /<progress value="100" max="100">/);
  assert.match(last.data["text/html"], /patterns &lt;fast&gt;/);
  assert.deepEqual(last.metadata, {});
});

Deno.test("silent mode and silent: true write nothing", () => {
  const out: string[] = [];
  for (
    const p of [
      createProgress({ label: "a", mode: "silent", write: (s) => out.push(s) }),
      createProgress({ label: "a", mode: "lines", silent: true, write: (s) => out.push(s) }),
      resolveProgress(false, "a"),
    ]
  ) {
    p.update(0.5, "half");
    p.finish("end");
  }
  assert.deepEqual(out, []);
});

Deno.test("resolveProgress passes a sink through unchanged", () => {
  const sink: ProgressSink = { update() {}, finish() {} };
  assert.equal(resolveProgress(sink, "x"), sink);
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => resolveProgress("yes" as any, "x"),
    /progress must be a boolean or an object with update and finish functions: received yes/,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => resolveProgress({ update() {} } as any, "x"),
    /received \{\}/,
  );
  const auto = resolveProgress(true, "x");
  assert.equal(typeof auto.update, "function");
});

Deno.test("bad progress options name the field", () => {
  assert.throws(
    () => createProgress({ label: "" }),
    (e: unknown) => e instanceof TypeError && /label/.test(e.message),
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => createProgress({ label: "x", mode: "loud" as any }),
    (e: unknown) => e instanceof TypeError && /mode/.test(e.message),
  );
  assert.throws(
    () => createProgress({ label: "x", minIntervalMs: -1 }),
    /minIntervalMs/,
  );
});
