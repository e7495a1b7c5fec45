import assert from "node:assert/strict";
import {
  cacheSizeMarkers,
  calibrateHierarchy,
  calibrationTable,
  hitRateChart,
  latencyCurveChart,
  machineFacts,
  parseGetconf,
  predictionChart,
  traceMissChart,
  traversalChart,
  traversalComparisons,
} from "memgarden";

const DISPLAY = Symbol.for("Jupyter.display");
const K = 1024;

function bundle(c: object): Record<string, string> {
  return (c as Record<symbol, () => Record<string, string>>)[DISPLAY]();
}

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

const curve = {
  sizesBytes: [4 * K, 16 * K, 64 * K, 256 * K, 4096 * K, 65536 * K],
  nsPerAccess: [1.4, 1.4, 3.9, 3.9, 140, 150],
  samples: [[1.4, 1.6], [1.4, 1.5], [3.9, 4.4], [3.9, 4], [140, 160], [150, 170]],
};

Deno.test("latency curve: log axes with units, markers, plateaus, one dot per size plus runs", () => {
  const c = latencyCurveChart(curve, {
    markers: [{ label: "L1d", sizeBytes: 48 * K }, { label: "L2", sizeBytes: 1024 * K }],
    plateaus: [{ fromBytes: 4 * K, toBytes: 16 * K, latencyNs: 1.4 }],
  });
  assert.match(c.svg, /Working set \(bytes, log scale\)/);
  assert.match(c.svg, /Time per load \(ns, log scale\)/);
  assert.match(c.svg, /L1d 48 KiB/);
  assert.match(c.svg, /L2 1 MiB/);
  assert.match(c.svg, /aria-label="rule"/);
  assert.match(c.svg, /aria-label="link"/);
  assert.equal(count(c.svg, /aria-label="dot"/g), 2, "fastest runs, and every run");
  assert.equal(count(c.svg, /<circle/g), curve.sizesBytes.length + 12);
  for (const tick of ["4 KiB", "64 KiB", "64 MiB"]) assert.match(c.svg, new RegExp(`>${tick}<`));
  assert.match(c.caption, /dashed lines are the cache sizes known for this machine/);
  const b = bundle(c);
  assert.ok(b["image/svg+xml"] && b["text/html"].includes(c.svg) && b["text/plain"]);
});

Deno.test("latency curve on machines A and B: only known cache sizes are marked, each with its source", () => {
  const fixtures = new URL("../probe/fixtures/", import.meta.url);
  const factsOf = (m: string) =>
    machineFacts({
      root: decodeURIComponent(new URL(m, fixtures).pathname),
      sysconf: parseGetconf(Deno.readTextFileSync(new URL(`${m}/getconf.txt`, fixtures))),
    });
  const a = latencyCurveChart(curve, { markers: cacheSizeMarkers(factsOf("machine-a").caches) });
  for (const label of ["L1d (/sys) 32 KiB", "L2 (/sys) 512 KiB", "L3 (/sys) 32 MiB"]) {
    assert.ok(a.svg.includes(label), label);
  }
  const b = latencyCurveChart(curve, { markers: cacheSizeMarkers(factsOf("machine-b").caches) });
  assert.ok(b.svg.includes("L1d (sysconf) 48 KiB") && b.svg.includes("L2 (sysconf) 1 MiB"));
  assert.doesNotMatch(b.svg, /L3|508/, "machine B's implausible L3 gets no marker");
  assert.match(b.caption, /known for this machine \(with where each came from\)/);
  const none = latencyCurveChart(curve, { markers: cacheSizeMarkers([]) });
  assert.doesNotMatch(none.svg, /aria-label="rule"/);
  assert.match(none.caption, /no cache size is known for this machine, so none is marked/);
});

Deno.test("latency curve: a caption can be replaced; an empty curve is refused", () => {
  assert.equal(latencyCurveChart(curve, { caption: "Look here." }).caption, "Look here.");
  assert.throws(
    () => latencyCurveChart({ sizesBytes: [], nsPerAccess: [] }),
    /Cannot draw latency curve: data must be a non-empty array/,
  );
});

Deno.test("hit rates: one line per cache, percent axis, legend in the HTML", () => {
  const series = ["4 KiB", "32 KiB"].map((name, i) => ({
    name,
    points: [8, 64, 512].map((k) => ({
      workingSetBytes: k * K,
      hitRate: Math.min(1, (4 + 28 * i) / k),
    })),
  }));
  const c = hitRateChart(series, { markers: [{ label: "4 KiB cache", sizeBytes: 4 * K }] });
  assert.match(c.svg, /Hit rate \(%\)/);
  assert.match(c.svg, /Working set \(bytes, log scale\)/);
  assert.equal(count(c.svg, /<path d="M[^"]*" stroke="#/g), 2, "two lines");
  assert.equal(count(c.svg, /<circle/g), 6);
  assert.match(c.html, /32 KiB/);
  assert.throws(() => hitRateChart([]), /Cannot draw hit rates/);
});

Deno.test("traversal: one bar per comparison, ratios written out, measured bars coloured apart", () => {
  const c = traversalChart([
    { what: "simulated L1 misses", row: 0.125, column: 1, unit: "misses/element" },
    { what: "measured time", row: 0.5, column: 6, unit: "ns/element" },
  ], { matrixN: 2048 });
  assert.match(c.svg, /Column-major ÷ row-major \(×, log scale\)/);
  assert.match(c.title, /2048×2048/);
  assert.match(c.svg, /×8 +\(row 0\.125, column 1 misses\/element\)/);
  assert.match(c.svg, /×12/);
  assert.equal(count(c.svg, /<rect/g), 2);
  assert.match(c.svg, /fill="#D55E00"/);
});

Deno.test("prediction: measured and predicted lines on log axes", () => {
  const c = predictionChart({
    sizesBytes: curve.sizesBytes,
    measuredNs: curve.nsPerAccess,
    predictedNs: [1.4, 1.4, 3.9, 3.9, 150, 150],
  }, { markers: [{ label: "L2", sizeBytes: 1024 * K }] });
  assert.match(c.svg, /Time per load \(ns, log scale\)/);
  assert.match(c.svg, /L2 1 MiB/);
  assert.equal(count(c.svg, /<path d="M[^"]*" stroke="#/g), 2);
  assert.match(c.html, /predicted \(simulated, calibrated\)/);
});

Deno.test("trace miss rates: a bar and a percentage per trace and cache", () => {
  const rows = ["naive", "blocked"].flatMap((trace, i) =>
    ["1 KiB", "48 KiB"].map((cache, j) => ({ trace, cache, missRate: 0.3 - 0.1 * i - 0.15 * j }))
  );
  const c = traceMissChart(rows);
  assert.match(c.svg, /Miss rate \(%\)/);
  const plotted = c.svg.replace(/<g class="memgarden-legend".*?<\/g>/, "");
  assert.equal(count(plotted, /<rect[^>]*fill="#/g), 4, "one bar per trace and cache");
  assert.match(c.svg, /<g class="memgarden-legend".*1 KiB<\/text>.*48 KiB<\/text>/);
  assert.match(c.svg, /30\.0%/);
  assert.match(c.svg, />naive</);
  assert.match(c.html, /48 KiB/);
});

Deno.test("every cache chart is deterministic", () => {
  const make = () => [
    latencyCurveChart(curve).svg,
    hitRateChart([{ name: "a", points: [{ workingSetBytes: 1024, hitRate: 1 }] }]).svg,
    traversalChart([{ what: "x", row: 1, column: 2, unit: "ns" }]).svg,
    predictionChart({ sizesBytes: [4096], measuredNs: [1], predictedNs: [1] }).svg,
    traceMissChart([{ trace: "t", cache: "c", missRate: 0.5 }]).svg,
  ];
  assert.deepEqual(make(), make());
});

Deno.test("latency ticks: every tick on the time axis has a label, over narrow and wide ranges", () => {
  for (const top of [9, 150, 3000]) {
    const c = latencyCurveChart({
      sizesBytes: [4096, 1 << 20, 1 << 26],
      nsPerAccess: [1.4, 4, top],
    });
    const labels = [...c.svg.matchAll(/aria-label="y-axis tick label">(.*?)<\/g>/g)][0][1];
    assert.doesNotMatch(labels, /<text[^>]*\/>/, `an empty y tick label with a top of ${top} ns`);
  }
});

Deno.test("traversal comparisons: misses per element at every simulated level, then measured time", () => {
  const level = (name: string, misses: number) => ({ name, misses });
  const rows = traversalComparisons({
    elements: 1024,
    simulated: {
      row: { levels: [level("L1d", 128), level("L2", 128)] },
      column: { levels: [level("L1d", 1024), level("L2", 512)] },
    },
    measuredNs: { row: 0.4, column: 2.2 },
  });
  assert.deepEqual(rows, [
    { what: "simulated L1d misses", row: 0.125, column: 1, unit: "misses/element" },
    { what: "simulated L2 misses", row: 0.125, column: 0.5, unit: "misses/element" },
    { what: "measured time", row: 0.4, column: 2.2, unit: "ns/element" },
  ]);
  assert.throws(
    () =>
      traversalComparisons({
        elements: 0,
        simulated: { row: { levels: [] }, column: { levels: [] } },
        measuredNs: { row: 1, column: 1 },
      }),
    /elements must be a positive integer: received 0/,
  );
});

Deno.test("calibration table: every level, then RAM, with the notes as caption", () => {
  const k = 1024;
  const model = calibrateHierarchy({
    plateaus: [
      { fromBytes: 4 * k, toBytes: 32 * k, latencyNs: 1.5 },
      { fromBytes: 8192 * k, toBytes: 65536 * k, latencyNs: 100 },
    ],
    caches: [
      { level: 1, type: "Data", sizeBytes: 48 * k, ways: 12, lineBytes: 64 },
      { level: 2, type: "Unified", sizeBytes: 1024 * k, ways: 16, lineBytes: 64 },
    ],
  });
  const t = calibrationTable(model);
  const lines = t.text.split("\n");
  assert.match(lines[0], /^L2 \(1048576 bytes\) shows no plateau/);
  assert.match(
    lines[1],
    /^Level\s+Size\s+Ways\s+Measured plateau \(ns\)\s+Cost in the model \(ns\)$/,
  );
  assert.match(lines[2], /^L1\s+48 KiB\s+12\s+1\.50\s+1\.50$/);
  assert.match(lines[3], /^RAM\s+all\s+100\.00\s+98\.50$/);
  assert.equal(lines.length, 4);
});
