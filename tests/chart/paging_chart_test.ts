import assert from "node:assert/strict";
import {
  faultCurveChart,
  faultKindsChart,
  pagingFaultCurve,
  replayStepsChart,
  replayTotalsChart,
  thrashingChart,
  thrashingCurve,
  touchFaultsChart,
  workingSetChart,
  workingSetSizes,
} from "memgarden";

const BELADY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
const DISPLAY = Symbol.for("Jupyter.display");

function curves() {
  return ["FIFO", "LRU", "OPT"].map((policy) => ({
    policy,
    points: pagingFaultCurve(BELADY, policy, [1, 2, 3, 4, 5, 6]),
  }));
}

function bundle(c: object): Record<string, string> {
  return (c as Record<symbol, () => Record<string, string>>)[DISPLAY]();
}

Deno.test("fault curves: labelled axes, one line per policy, Belady's anomaly circled", () => {
  const c = faultCurveChart(curves(), { referenceCount: BELADY.length });
  assert.match(c.svg, /Memory \(frames\)/);
  assert.match(c.svg, /Page faults \(count\)/);
  assert.equal((c.svg.match(/aria-label="line"/g) ?? []).length, 1);
  assert.equal((c.svg.match(/<path[^>]*stroke="#0072B2"/g) ?? []).length, 1, "FIFO's line");
  for (const policy of ["FIFO", "LRU", "OPT"]) assert.match(c.svg, new RegExp(`— ${policy}`));
  assert.match(c.svg, /FIFO rises/);
  assert.match(c.caption, /FIFO: 3 → 4 frames/);
  assert.match(c.caption, /OPT is the floor/);
  assert.ok(bundle(c)["text/html"].includes(c.svg));
});

Deno.test("fault curves without a rise say so, and say nothing about OPT when it is absent", () => {
  const c = faultCurveChart([{
    policy: "LRU",
    points: pagingFaultCurve(BELADY, "lru", [1, 3, 5]),
  }]);
  assert.match(c.caption, /No line rises/);
  assert.doesNotMatch(c.caption, /OPT/);
  assert.doesNotMatch(c.svg, /rises/);
});

Deno.test("replay steps: two rows per policy, one cell per reference, agreement in the caption", () => {
  const steps = BELADY.map((page, index) => ({
    index,
    page: page - 1,
    simulatedMiss: index < 4,
    kernelMajorFaults: index < 4 ? 1 : 0,
  }));
  const c = replayStepsChart([{ name: "FIFO", steps }, { name: "LRU", steps }]);
  assert.match(c.svg, /Reference \(position in the string\)/);
  assert.match(c.svg, /Who counted \(row\)/);
  for (const row of ["FIFO · simulated", "FIFO · kernel", "LRU · simulated", "LRU · kernel"]) {
    assert.ok(c.svg.includes(row), row);
  }
  assert.equal((c.svg.match(/<rect /g) ?? []).length, 4 * BELADY.length);
  assert.match(c.caption, /all 24 references agree/);
  const off = replayStepsChart([{
    name: "FIFO",
    steps: steps.map((s, i) => (i === 5 ? { ...s, kernelMajorFaults: 1 } : s)),
  }]);
  assert.match(off.caption, /1 of 12 references disagree/);
});

Deno.test("replay totals: a bar per source and policy, equality in the caption", () => {
  const c = replayTotalsChart([
    { name: "FIFO", simulatedMisses: 9, kernelMajorFaults: 9 },
    { name: "LRU", simulatedMisses: 10, kernelMajorFaults: 10 },
  ]);
  assert.match(c.svg, /Faults \(count\)/);
  assert.match(c.svg, /Who counted \(source\)/);
  assert.equal((c.svg.match(/<rect /g) ?? []).length, 4);
  assert.match(c.caption, /equal for every policy/);
  const d = replayTotalsChart([{ name: "RAND", simulatedMisses: 9, kernelMajorFaults: 0 }]);
  assert.match(d.caption, /differ for RAND/);
});

Deno.test("touch faults: one bar per kind with faults per page and RSS gained", () => {
  const c = touchFaultsChart([
    { touch: "write", pageCount: 256, minorFaults: 256, rssAnonDeltaBytes: 1 << 20 },
    { touch: "read", pageCount: 256, minorFaults: 256, rssAnonDeltaBytes: 8192 },
    { touch: "read-then-write", pageCount: 256, minorFaults: 512, rssAnonDeltaBytes: null },
  ]);
  assert.match(c.svg, /Minor faults per page \(count\)/);
  assert.match(c.svg, /First touch \(kind\)/);
  assert.equal((c.svg.match(/<rect /g) ?? []).length, 3);
  assert.match(c.svg, /1\.00 per page · RSS \+1 MiB/);
  assert.match(c.svg, /2\.00 per page · RSS not measured/);
  // Without the measured behaviour the caption names both, so it holds on any kernel.
  assert.match(c.caption, /shared zero page.*private zeroed page/);
});

Deno.test("touch faults: the caption says what this kernel's reads do, for each behaviour", () => {
  const points = [{ touch: "read", pageCount: 100, minorFaults: 100, rssAnonDeltaBytes: 0 }];
  const shared = touchFaultsChart(points, { zeroPage: "shared-zero-page" }).caption;
  assert.match(shared, /this kernel maps the shared zero page.*pays twice/);
  assert.doesNotMatch(shared, /private/);
  const own = touchFaultsChart(points, { zeroPage: "private-zeroed-page" }).caption;
  assert.match(own, /private zeroed page at once.*pays only once/);
  assert.doesNotMatch(own, /shared zero page/);
  assert.match(touchFaultsChart(points, { zeroPage: "unclear" }).caption, /fitted neither/);
  assert.throws(
    () => touchFaultsChart(points, { zeroPage: "zero" as "unclear" }),
    /zeroPage must be "shared-zero-page", "private-zeroed-page" or "unclear": received "zero"/,
  );
});

Deno.test("paging charts are deterministic and refuse empty input with the value", () => {
  assert.equal(faultCurveChart(curves()).svg, faultCurveChart(curves()).svg);
  assert.throws(() => faultCurveChart([]), /curves must be a non-empty array: received \[\]/);
  assert.throws(() => replayStepsChart([]), /runs must be a non-empty array/);
  assert.throws(() => replayTotalsChart([]), /totals must be a non-empty array/);
  assert.throws(() => touchFaultsChart([]), /points must be a non-empty array/);
});

Deno.test("fault kinds: one cell per access coloured by kind, counts and time share in the caption", () => {
  const steps = [
    { page: 0, kind: "minor" },
    { page: 0, kind: "hit" },
    { page: 3, kind: "major" },
    { page: 9, kind: "invalid" },
  ];
  const c = faultKindsChart([
    { name: "with swap", steps, timeNs: { hit: 100, minor: 1000, major: 100000, swapOut: 0 } },
    { name: "no swap", steps: [{ page: 1, kind: "oom" }] },
  ]);
  assert.match(c.svg, /Access \(position in the sequence\)/);
  assert.match(c.svg, /Run \(row\)/);
  assert.equal((c.svg.match(/<rect /g) ?? []).length, 5);
  assert.match(c.svg, /fill="#D55E00"/);
  assert.match(
    c.caption,
    /with swap: 1 hit, 1 minor, 1 major, 1 invalid; major faults and swap-outs take 99%/,
  );
  assert.match(c.caption, /no swap: 1 oom/);
  assert.match(c.caption, /pink: out of memory/);
  assert.equal(
    faultKindsChart([{ name: "a", steps }]).svg,
    faultKindsChart([{ name: "a", steps }]).svg,
  );
  assert.throws(() => faultKindsChart([]), /runs must be a non-empty array/);
});

// Two loops: over pages 0..3, then over pages 10..11, 40 references each.
const PHASED = [
  ...Array.from({ length: 40 }, (_, i) => i % 4),
  ...Array.from({ length: 40 }, (_, i) => 10 + (i % 2)),
];

function workingSets() {
  return workingSetChart(
    [8, 2].map((delta) => ({ delta, sizes: workingSetSizes(PHASED, delta) })),
    {
      phases: [{ start: 0, label: "loop of 4" }, { start: 40, label: "loop of 2" }],
    },
  );
}

Deno.test("working sets: labelled axes, one line per Δ, phase starts marked, levels in the caption", () => {
  const c = workingSets();
  assert.match(c.svg, /Time t \(references\)/);
  assert.match(c.svg, /Working-set size W\(t, Δ\) \(pages\)/);
  assert.equal((c.svg.match(/<path[^>]*stroke="#0072B2"/g) ?? []).length, 1, "Δ = 2's line");
  assert.equal((c.svg.match(/<path[^>]*stroke="#E69F00"/g) ?? []).length, 1, "Δ = 8's line");
  assert.match(c.svg, /— Δ = 2 references/);
  assert.match(c.svg, /— Δ = 8 references/);
  assert.match(c.svg, /loop of 4/);
  assert.match(c.svg, /loop of 2/);
  assert.equal((c.svg.match(/stroke-dasharray="4,3"/g) ?? []).length, 1, "one phase change");
  assert.match(c.caption, /Δ = 2: 2, 2 pages; Δ = 8: 4, 2 pages/);
  // Right after the change the 8-reference window holds both loops: 4 + 2 pages.
  assert.match(c.caption, /with Δ = 8, W peaks at 6 pages at reference 41/);
  assert.match(c.caption, /A wider window never sees fewer pages/);
  assert.ok(bundle(c)["text/html"].includes(c.svg));
});

Deno.test("working sets without phases give the median and no peak", () => {
  const c = workingSetChart([{ delta: 4, sizes: workingSetSizes(PHASED, 4) }]);
  assert.match(c.caption, /^Median size: Δ = 4: \d+ pages\.$/);
  assert.doesNotMatch(c.svg, /stroke-dasharray/);
  assert.throws(() => workingSetChart([]), /series must be a non-empty array: received \[\]/);
  assert.throws(
    () => workingSetChart([{ delta: 1, sizes: [1, 1] }, { delta: 2, sizes: [1] }]),
    /every series must have 2 sizes: received 1 for Δ = 2/,
  );
});

function thrashing() {
  return thrashingCurve({
    frames: 64,
    processCounts: [1, 2, 3, 4, 5, 6],
    workingSetPages: 16,
    referencesPerProcess: 2_000,
  });
}

Deno.test("thrashing: labelled axes, the fit line and the knee circled, the collapse in the caption", () => {
  const r = thrashing();
  const c = thrashingChart(r);
  assert.match(c.svg, /Degree of multiprogramming \(processes\)/);
  assert.match(c.svg, /CPU utilisation \(% of time on useful work\)/);
  assert.equal((c.svg.match(/aria-label="line"/g) ?? []).length, 1);
  assert.equal((c.svg.match(/<circle /g) ?? []).length, 6 + 1, "six points and the knee's ring");
  assert.match(c.svg, /total working set = 64 frames/);
  const knee = r.points[4];
  const pct = (u: number) => `${Number((100 * u).toFixed(1))}%`;
  assert.match(c.svg, new RegExp(`knee: 5 processes, ${pct(knee.cpuUtilisation)}`));
  assert.match(c.caption, /Up to 4 processes \(64 pages of working set in 64 frames\)/);
  assert.match(c.caption, /At 5 processes the working sets need 80 pages: useful work falls to/);
  assert.ok(bundle(c)["text/html"].includes(c.svg));
});

Deno.test("thrashing by load puts the fit line at 1, and without a knee says so", () => {
  const c = thrashingChart(thrashing(), { by: "load" });
  assert.match(c.svg, /Total working set ÷ frames \(ratio\)/);
  assert.match(c.svg, /knee: 5 processes/);
  const calm = thrashingChart({
    kneeProcesses: null,
    points: [{ processes: 1, totalWorkingSetPages: 10, frames: 64, cpuUtilisation: 0.9 }],
  });
  assert.match(calm.caption, /no thrashing in the range tried/);
  assert.doesNotMatch(calm.svg, /knee/);
  assert.throws(
    () => thrashingChart({ kneeProcesses: null, points: [] }),
    /points must be a non-empty array: received \[\]/,
  );
  assert.throws(
    () => thrashingChart(thrashing(), { by: "frames" as "load" }),
    /by must be "processes" or "load": received "frames"/,
  );
});

Deno.test("working-set and thrashing charts are deterministic", () => {
  assert.equal(workingSets().svg, workingSets().svg);
  assert.equal(thrashingChart(thrashing()).svg, thrashingChart(thrashing()).svg);
  assert.equal(
    thrashingChart(thrashing(), { by: "load" }).svg,
    thrashingChart(thrashing(), { by: "load" }).svg,
  );
});
