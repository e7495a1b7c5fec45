import assert from "node:assert/strict";
import { measureThroughput } from "memgarden";

Deno.test("throughput: twice the work takes longer per run; the limits are checked", () => {
  let sink = 0;
  const work = (n: number) => () => {
    for (let i = 0; i < n; i++) sink += i & 7;
  };
  const small = measureThroughput(2e5, work(2e5), { minRuns: 5 });
  const large = measureThroughput(2e6, work(2e6), { minRuns: 5 });
  assert.ok(large.bestMs > 2 * small.bestMs, `${small.bestMs} ms vs ${large.bestMs} ms`);
  assert.ok(sink > 0);
  assert.throws(() => measureThroughput(0, () => 0), /ops must be a positive integer/);
  assert.throws(() => measureThroughput(1, () => 0, { minMs: 1e9 }), /minMs must be from 0/);
});
