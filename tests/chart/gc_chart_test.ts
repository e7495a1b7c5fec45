import assert from "node:assert/strict";
import {
  GC_COLLECTOR_NAMES,
  gcHeapMapChart,
  gcMemoryChart,
  gcOccupancyChart,
  gcPauseTimelineChart,
  gcTradeoffChart,
  generateGcWorkload,
  leakChart,
  type LeakReport,
  parseTraceGcLine,
  runGcWorkload,
  v8PauseChart,
  type V8PauseResult,
} from "memgarden";

const ops = generateGcWorkload({ seed: 11, objectCount: 600, meanLifetime: 6 });
const runs = GC_COLLECTOR_NAMES.map((collector) =>
  runGcWorkload(ops, { collector, heapBytes: 4096 })
);

Deno.test("collector charts: labelled axes and captions computed from the runs", () => {
  const t = gcTradeoffChart(runs);
  assert.match(t.svg, /Total work: collections \+ mutator overhead \(work units\)/);
  const calm = runs.reduce((a, b) => (b.totals.maxPauseUnits < a.totals.maxPauseUnits ? b : a));
  assert.match(
    t.caption,
    new RegExp(
      `${calm.collector} has the shortest longest pause \\(${calm.totals.maxPauseUnits} units\\)`,
    ),
  );
  const m = gcMemoryChart(runs);
  assert.match(m.caption, /copying can fill 50%/);
  assert.match(m.caption, /mark-sweep can fill 100%/);
  assert.match(gcPauseTimelineChart(runs).caption, /generational: \d+ collections/);
  const o = gcOccupancyChart(runs);
  assert.match(o.svg, /Held by objects \(bytes\)/);
  assert.match(o.caption, /Reference counting frees as it goes/);
  assert.throws(() => gcTradeoffChart([]), /non-empty array/);
});

Deno.test("heap map chart draws one block per object and names the regions' count", () => {
  const r = runGcWorkload(ops.slice(0, 200), {
    collector: "generational",
    heapBytes: 4096,
    heapMaps: true,
  });
  const c = r.collections.find((x) => x.kind === "minor")!;
  const chart = gcHeapMapChart([{ label: "before", map: c.heapBefore! }, {
    label: "after",
    map: c.heapAfter!,
  }]);
  const live = c.heapAfter!.blocks.filter((b) => b.status === "live").length;
  assert.match(chart.caption, new RegExp(`after: ${live} live`));
  assert.equal(
    (chart.svg.match(/<rect /g) ?? []).length >=
      c.heapBefore!.blocks.length + c.heapAfter!.blocks.length,
    true,
  );
});

Deno.test("V8 pause chart: caption says what this run measured, whichever kind was longer", () => {
  const lines = [
    "[1:0x1]  10 ms: Scavenge 3.2 (4.2) -> 3.0 (5.2) MB, pooled: 0.0 MB, 2.00 / 0.00 ms (average mu = 1.000, current mu = 1.000) allocation failure; ",
    "[1:0x1]  20 ms: Scavenge 3.2 (4.2) -> 3.0 (5.2) MB, pooled: 0.0 MB, 4.00 / 0.00 ms (average mu = 1.000, current mu = 1.000) allocation failure; ",
    "[1:0x1]  30 ms: Mark-Compact 9.0 (12.0) -> 4.0 (8.0) MB, pooled: 0.0 MB, 1.00 / 0.00 ms (average mu = 1.000, current mu = 1.000) testing; ",
  ];
  const events = lines.map((l) => parseTraceGcLine(l)!);
  const result = {
    events,
    minorPausesMs: [2, 4],
    majorPausesMs: [1],
    durationMs: 40,
  } as unknown as V8PauseResult;
  const c = v8PauseChart(result);
  assert.match(c.caption, /2 minor collections \(median 4.00 ms, longest 4.00 ms\)/);
  assert.match(c.caption, /not longer than a minor one's/);
  const longer = v8PauseChart({ ...result, majorPausesMs: [40] });
  assert.match(longer.caption, /10.0× a minor one's/);
});

Deno.test("leak chart: one line per report, verdicts in the caption", () => {
  const report = (leaking: boolean, per: number) =>
    ({
      leaking,
      bytesPerIteration: per,
      samples: [
        { phase: "baseline", iteration: 0, heldBytes: 1_000_000 },
        { phase: "exercise", iteration: 100, heldBytes: 1_000_000 + 100 * per },
        { phase: "idle", iteration: 100, heldBytes: 1_000_000 + 100 * per },
      ],
    }) as unknown as LeakReport;
  const c = leakChart([{ label: "cache", report: report(true, 300) }, {
    label: "lru",
    report: report(false, 0),
  }]);
  assert.match(c.caption, /cache: leaking, about 300 B per call; lru: no leak/);
  assert.match(c.svg, /Held over the baseline \(KiB\)/);
});
