import assert from "node:assert/strict";
import { processTraceChart } from "memgarden";

const s = (tMs: number, mib: number, cpu: number | null = 40) => ({
  tMs,
  rssBytes: mib * 1048576,
  minorFaults: mib * 256,
  majorFaults: 0,
  cpuPercent: cpu,
});

Deno.test("RSS chart: labelled axes, and a caption written from the samples (kept vs given back)", () => {
  const kept = processTraceChart([s(0, 10, null), s(500, 60), s(1000, 70)]);
  assert.match(kept.svg, /Resident set \(MiB\)/);
  assert.match(kept.svg, /Time since start \(s\)/);
  assert.match(kept.caption, /peaked at 70 MiB at 1\.00 s/);
  assert.match(kept.caption, /did not fall back/);
  const freed = processTraceChart([s(0, 10, null), s(500, 60), s(1000, 20)]);
  assert.match(freed.caption, /It fell after the peak/);
});

Deno.test("fault and CPU charts say what was counted", () => {
  const f = processTraceChart([s(0, 1, null), s(100, 5)], { metric: "faults" });
  assert.match(f.svg, /Minor page faults so far \(count\)/);
  assert.match(f.caption, /^1,024 minor faults .*4 KiB page, the usual size/);
  assert.match(
    processTraceChart([s(0, 1, null), s(100, 5)], { metric: "faults", pageBytes: 16384 }).caption,
    /16 MiB if each is a first touch of a 16 KiB page\)/,
  );
  const c = processTraceChart([s(0, 1, null), s(100, 1, 30), s(200, 1, 50)], { metric: "cpu" });
  assert.match(c.caption, /Mean CPU share 40% of one core over 2 intervals/);
});

Deno.test("no samples or an unknown metric is a clear error", () => {
  assert.throws(() => processTraceChart([]), /non-empty array/);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => processTraceChart([s(0, 1)], { metric: "heap" as any }), /metric must be/);
});
