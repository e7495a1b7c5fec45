import assert from "node:assert/strict";
import {
  createCallStack,
  createHeap,
  frameDiagramChart,
  heapMapChart,
  policyComparisonChart,
  recursionDepthChart,
} from "memgarden";

Deno.test("heap map: one bar per block per moment, caption from the last moment", () => {
  const heap = createHeap();
  const ps = [0, 1, 2].map(() => heap.malloc(24)!);
  const snaps = [{ label: "three blocks", blocks: heap.blocks() }];
  heap.free(ps[0]);
  heap.free(ps[2]);
  snaps.push({ label: "two freed", blocks: heap.blocks() });
  const c = heapMapChart(snaps);
  assert.equal((c.svg.match(/<rect/g) ?? []).length >= 5, true);
  assert.match(c.caption, /2 free blocks hold 64 B; the largest is 32 B/);
  assert.match(c.caption, /even though more is free in all/);
  assert.throws(() => heapMapChart([]), /snapshots must be a non-empty array/);
});

Deno.test("policy comparison: title, axes and the ranking in the caption", () => {
  const c = policyComparisonChart([
    { policy: "first", trace: "a", value: 0.5 },
    { policy: "best", trace: "a", value: 0.7 },
    { policy: "first", trace: "b", value: 0.9 },
    { policy: "best", trace: "b", value: 0.9 },
  ]);
  assert.match(c.svg, /Utilization \(fraction\)/);
  assert.match(c.caption, /Highest on average: best: mean 0\.800; lowest: first: mean 0\.700/);
  const k = policyComparisonChart([{ policy: "x", trace: "a", value: 1234 }], { metric: "kops" });
  assert.match(k.svg, /Throughput \(thousands of ops\/s, log scale\)/);
  assert.match(k.svg, /<circle/, "throughput is drawn as dots");
  assert.doesNotMatch(c.svg, /log scale/);
  // Rates combine as total operations over total time: y's slow trace outweighs its fast one.
  const rates = policyComparisonChart([
    { policy: "x", trace: "a", value: 1000 },
    { policy: "y", trace: "a", value: 100 },
    { policy: "x", trace: "b", value: 1000 },
    { policy: "y", trace: "b", value: 10000 },
  ], { metric: "kops" });
  assert.match(
    rates.caption,
    /Fastest over all traces: x, 1000 thousand ops\/s; slowest: y, 198\./,
  );
});

Deno.test("frame diagram and recursion depth charts", () => {
  const stack = createCallStack();
  stack.call({ name: "main" });
  stack.call({ name: "greet", locals: [{ name: "name", bytes: 16 }] });
  const c = frameDiagramChart(stack.frames());
  assert.match(c.svg, /greet: name \(16 B\)/);
  assert.match(c.caption, /greet is the newest frame, at the lowest addresses \(48 bytes in use\)/);
  const d = recursionDepthChart([
    { frameBytes: 100, depth: 1000, series: "measured", stackKiB: 100 },
    { frameBytes: 100, depth: 1024, series: "simulated", stackKiB: 100 },
  ]);
  assert.match(d.svg, /Bytes per frame/);
  assert.throws(() => frameDiagramChart([]), /non-empty/);
});
