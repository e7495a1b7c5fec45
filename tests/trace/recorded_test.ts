import assert from "node:assert/strict";
import { readTraceFile, runCsim, simulateCache } from "memgarden";

const dir = new URL("../../data/traces/", import.meta.url).pathname;

Deno.test("every recorded trace parses and holds instruction fetches, loads, stores and modifies", async () => {
  for (const name of ["sum", "transpose_naive", "transpose_blocked", "list_walk"]) {
    const t = await readTraceFile(`${dir}${name}.trace.gz`);
    assert.ok(t.length > 10_000, `${name}: only ${t.length} accesses`);
    const seen = new Set(t.ops);
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3], name);
  }
});

Deno.test("on Cache Lab's 1 KiB direct-mapped cache, blocked transpose misses less than naive", async () => {
  const naive = runCsim(await readTraceFile(`${dir}transpose_naive.trace.gz`), {
    s: 5,
    E: 1,
    b: 5,
  });
  const blocked = runCsim(await readTraceFile(`${dir}transpose_blocked.trace.gz`), {
    s: 5,
    E: 1,
    b: 5,
  });
  // Both share the same start-up code; the transpose itself makes the difference.
  assert.ok(
    blocked.misses < naive.misses - 500,
    `naive ${naive.misses}, blocked ${blocked.misses}`,
  );
});

Deno.test("the linked-list walk: its misses are mostly capacity misses in a small cache", async () => {
  const t = await readTraceFile(`${dir}list_walk.trace.gz`);
  const [l1] = simulateCache({ sizeBytes: 8192, ways: 4, lineBytes: 64 }, t).levels;
  // 2048 nodes x 64 B = 128 KiB never fit in 8 KiB: the second lap misses again.
  assert.ok(l1.capacity! > 2048, `capacity misses ${l1.capacity}`);
  assert.ok(
    l1.capacity! > l1.misses / 2 && l1.capacity! > 10 * l1.conflict!,
    `misses ${l1.misses}: capacity ${l1.capacity}, conflict ${l1.conflict}`,
  );
  assert.equal(l1.compulsory! + l1.capacity! + l1.conflict!, l1.misses);
});
