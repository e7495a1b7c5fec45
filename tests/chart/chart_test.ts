import assert from "node:assert/strict";
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import {
  addressSpaceChart,
  addressSplitChart,
  axisLabel,
  type Chart,
  chart,
  createPrng,
  faultCurveChart,
  faultKindsChart,
  formatDuration,
  formatSize,
  hierarchyChart,
  hitRateChart,
  latencyCurveChart,
  overcommitChart,
  pageMappingChart,
  pagingFaultCurve,
  parseMaps,
  predictionChart,
  replayStepsChart,
  replayTotalsChart,
  saveSvg,
  simulateDemandPaging,
  simulatePaging,
  simulateTlb,
  table,
  THEME,
  thrashingChart,
  thrashingCurve,
  tlbHitRateChart,
  touchFaultsChart,
  traceMissChart,
  traversalChart,
  workingSetChart,
  workingSetSizes,
} from "memgarden";

const SNAPSHOTS = new URL("./snapshots/", import.meta.url).pathname;
const DISPLAY = Symbol.for("Jupyter.display");

/** Compare with a committed snapshot; `UPDATE_SNAPSHOTS=1` rewrites it. */
async function matchSnapshot(name: string, svg: string) {
  const path = `${SNAPSHOTS}${name}`;
  const normalised = svg.replace(/(\d+\.\d{2})\d+/g, "$1");
  if (Deno.env.get("UPDATE_SNAPSHOTS") === "1") {
    await Deno.writeTextFile(path, normalised + "\n");
  }
  assert.equal(normalised + "\n", await Deno.readTextFile(path), `snapshot ${name} differs`);
}

function latencyChart() {
  return chart({
    title: "Latency by working set",
    caption: "Each plateau is one cache level.",
    x: { type: "log", label: axisLabel("Working set", "KiB") },
    y: { label: axisLabel("Latency", "ns") },
    marks: [
      Plot.line([{ s: 16, l: 1 }, { s: 512, l: 3 }, { s: 65536, l: 90 }], { x: "s", y: "l" }),
    ],
  });
}

Deno.test("a chart is a standalone SVG with xmlns, title, labelled axes and a caption", () => {
  const c = latencyChart();
  assert.match(c.svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(c.svg, /Working set \(KiB\)/);
  assert.match(c.svg, /Latency \(ns\)/);
  assert.match(c.html, /Latency by working set/);
  assert.match(c.html, /<figcaption[^>]*>Each plateau is one cache level\.<\/figcaption>/);
});

Deno.test("the Jupyter bundle carries SVG, HTML and plain text", () => {
  const bundle = (latencyChart() as unknown as Record<symbol, () => Record<string, string>>)
    [DISPLAY]();
  assert.deepEqual(Object.keys(bundle).sort(), ["image/svg+xml", "text/html", "text/plain"]);
  assert.equal(bundle["text/plain"], "Latency by working set: Each plateau is one cache level.");
});

Deno.test("drawing is deterministic: the same chart twice gives the same SVG", async () => {
  assert.equal(latencyChart().svg, latencyChart().svg);
  await matchSnapshot("latency_line.svg", latencyChart().svg);
});

Deno.test("the hierarchy chart matches its snapshot", async () => {
  const c = hierarchyChart(
    [
      { name: "L1", sizeBytes: 32768, latencyNs: 1 },
      { name: "L2", sizeBytes: 1048576, latencyNs: 3.5 },
      { name: "RAM", sizeBytes: 2 ** 34, latencyNs: 90 },
    ],
    [{ label: "this machine's L2", sizeBytes: 2 ** 20 }],
  );
  await matchSnapshot("hierarchy.svg", c.svg);
});

Deno.test("charts refuse missing titles and unlabelled axes, naming the field", () => {
  const marks = [Plot.dot([[1, 2]])];
  assert.throws(() => chart({ title: "", marks }), /title must be a non-empty string: received ""/);
  assert.throws(
    () => chart({ title: "t", y: { label: "Latency (ns)" }, marks }),
    /x\.label must name the quantity and its unit.*received null/,
  );
  assert.throws(
    () => chart({ title: "t", x: { label: "Size (B)" }, y: { label: " " }, marks }),
    /y\.label must name the quantity/,
  );
  // An axis that is switched off needs no label.
  assert.ok(chart({ title: "t", x: { axis: null }, y: { label: "Count (pages)" }, marks }).svg);
});

Deno.test("saveSvg writes a file an SVG viewer can open", async () => {
  const path = await Deno.makeTempFile({ suffix: ".svg" });
  try {
    await saveSvg(latencyChart(), path);
    const text = await Deno.readTextFile(path);
    assert.match(text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg [^>]*xmlns=/);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("formatters pick binary sizes and time units", () => {
  assert.deepEqual(
    [0, 1023, 1024, 1536, 2 ** 30, 3 * 2 ** 40].map(formatSize),
    ["0 B", "1023 B", "1 KiB", "1.5 KiB", "1 GiB", "3 TiB"],
  );
  assert.deepEqual(
    [0.25, 999, 1500, 2e6, 3.5e9].map(formatDuration),
    ["0.25 ns", "999 ns", "1.5 µs", "2 ms", "3.5 s"],
  );
});

Deno.test("tables escape HTML and align numbers", () => {
  const t = table([{ a: "<b>", n: 5 }, { a: "x", n: 12345 }], [
    { label: "Name", value: (r) => r.a },
    { label: "Count (pages)", value: (r) => r.n },
  ]);
  assert.match(t.html, /&lt;b&gt;/);
  assert.doesNotMatch(t.html, /<b>/);
  const lines = t.text.split("\n");
  assert.match(lines[1], /^<b>\s+5$/);
  assert.equal(lines[1].length, lines[2].length, "numbers are right-aligned");
});

Deno.test("a chart with a colour legend keeps the chart as its SVG, with the legend drawn inside it", () => {
  const c = chart({
    title: "Two series",
    x: { label: "Frames (count)" },
    y: { label: "Misses (count)" },
    color: { legend: true },
    marks: [
      Plot.line([{ f: 1, m: 5, p: "FIFO" }, { f: 2, m: 3, p: "FIFO" }, { f: 1, m: 4, p: "LRU" }], {
        x: "f",
        y: "m",
        stroke: "p",
      }),
    ],
  });
  assert.match(c.svg, /Frames \(count\)/, "the SVG is the chart, not the legend");
  assert.match(
    c.svg,
    /<g class="memgarden-legend"[^>]*><rect [^>]*fill="#0072B2"><\/rect><text [^>]*>FIFO<\/text>/,
  );
  assert.match(c.svg, /LRU<\/text>/);
  assert.match(c.svg, /viewBox="0 -22 640 382"/, "the SVG grows upwards to make room");
  assert.equal((c.html.match(/memgarden-legend/g) ?? []).length, 1, "one legend in the HTML");
});

/** Every chart of lib/chart/ with fixed, realistic data: the snapshot and layout tests use them all. */
function gallery(): Record<string, Chart> {
  const belady = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
  const prng = createPrng(7);
  const phased = [[0, 8], [20, 3], [40, 12]].flatMap(([first, n]) =>
    Array.from({ length: 200 }, () => first + prng.int(0, n - 1))
  );
  const sizes = Array.from({ length: 16 }, (_, i) => 4096 * 2 ** i);
  const latency = (s: number) => (s < 48e3 ? 1.2 : s < 1e6 ? 3.5 : s < 32e6 ? 12 : 95);
  const replay = (policy: string) => {
    const r = simulatePaging({ frames: 3, policy, references: belady, steps: true });
    return {
      name: policy.toUpperCase(),
      steps: r.steps!.map((s, index) => ({
        index,
        page: s.page,
        simulatedMiss: !s.hit,
        kernelMajorFaults: s.hit ? 0 : 1,
      })),
    };
  };
  const demand = simulateDemandPaging({
    frames: 4,
    swapPages: 2,
    processes: [{ pid: 1, reservedPages: 6 }],
    accesses: [0, 1, 2, 3, 4, 0, 5, 1, 9].map((page) => ({ pid: 1, page, write: true })),
    steps: true,
  });
  const loop = Array.from({ length: 2048 }, (_, i) => i % 48);
  return {
    "latency_line.svg": latencyChart(),
    "hierarchy.svg": hierarchyChart(
      [
        { name: "L1", sizeBytes: 32768, latencyNs: 1 },
        { name: "L2", sizeBytes: 1048576, latencyNs: 3.5 },
        { name: "RAM", sizeBytes: 2 ** 34, latencyNs: 90 },
      ],
      [{ label: "this machine's L2", sizeBytes: 2 ** 20 }],
    ),
    "fault_curve.svg": faultCurveChart(
      ["FIFO", "LRU", "OPT", "CLOCK"].map((policy) => ({
        policy,
        points: pagingFaultCurve(belady, policy, [1, 2, 3, 4, 5, 6, 7]),
      })),
      { referenceCount: belady.length },
    ),
    "replay_steps.svg": replayStepsChart(["fifo", "lru"].map(replay)),
    "replay_totals.svg": replayTotalsChart(
      ["FIFO", "LRU", "OPT"].map((name, i) => ({
        name,
        simulatedMisses: 9 - i,
        kernelMajorFaults: 9 - i,
      })),
    ),
    "touch_faults.svg": touchFaultsChart([
      { touch: "write", pageCount: 1024, minorFaults: 1024, rssAnonDeltaBytes: 4 << 20 },
      { touch: "read", pageCount: 1024, minorFaults: 1024, rssAnonDeltaBytes: 8192 },
      { touch: "read-then-write", pageCount: 1024, minorFaults: 2048, rssAnonDeltaBytes: 4 << 20 },
    ]),
    "fault_kinds.svg": faultKindsChart([
      { name: "one process", steps: demand.steps!, timeNs: demand.timeNs },
    ]),
    "working_set.svg": workingSetChart(
      [10, 50].map((delta) => ({ delta, sizes: workingSetSizes(phased, delta) })),
      { phases: [0, 200, 400].map((start, i) => ({ start, label: `phase ${i + 1}` })) },
    ),
    "thrashing.svg": thrashingChart(
      thrashingCurve({ frames: 100, processCounts: [1, 2, 3, 4, 5, 6], workingSetPages: 30 }),
    ),
    "page_mapping.svg": pageMappingChart([{
      name: "toy process",
      mappings: [3, 7, null, 1].map((frame, page) => ({ page, frame })),
    }]),
    "address_split.svg": addressSplitChart(0x7ffd_1234_5345),
    "tlb_hit_rate.svg": tlbHitRateChart([{
      pattern: "loop over 48 pages",
      points: [16, 32, 64, 128].map((entries) => ({
        entries,
        hitRate: simulateTlb({ entries, references: loop }).hitRate,
      })),
    }]),
    "overcommit.svg": overcommitChart(
      [1, 256, 65536].map((n) => ({
        source: "simulated",
        touchedPages: n,
        residentBytes: n * 4096,
      })),
      { reservedBytes: 2 ** 28 },
    ),
    "address_space.svg": addressSpaceChart(parseMaps(MAPS)),
    // The cache charts: not snapshotted here (their module has its own tests),
    // but held to the same layout rules.
    "-latency_curve": latencyCurveChart(
      { sizesBytes: sizes, nsPerAccess: sizes.map(latency) },
      { markers: [{ label: "L1d", sizeBytes: 49152 }] },
    ),
    "-hit_rate": hitRateChart([{
      name: "L1 32 KiB",
      points: sizes.map((w) => ({ workingSetBytes: w, hitRate: Math.min(1, 32768 / w) })),
    }]),
    "-traversal": traversalChart([
      { what: "simulated L1 misses", row: 0.125, column: 1, unit: "misses/element" },
      { what: "measured time", row: 0.5, column: 6, unit: "ns/element" },
    ], { matrixN: 2048 }),
    "-prediction": predictionChart({
      sizesBytes: sizes,
      measuredNs: sizes.map(latency),
      predictedNs: sizes.map((s) => latency(s) * 1.05),
    }),
    "-trace_miss": traceMissChart([
      { trace: "naive", cache: "1 KiB", missRate: 0.32 },
      { trace: "blocked", cache: "1 KiB", missRate: 0.25 },
    ]),
  };
}

const MAPS = [
  "55d0a0000000-55d0a0002000 r-xp 00000000 08:01 42 /usr/bin/garden",
  "55d0a1000000-55d0a1021000 rw-p 00000000 00:00 0 [heap]",
  "7f1000000000-7f1000200000 r-xp 00000000 08:01 7 /usr/lib/libc.so.6",
  "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]",
  "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]",
].join("\n");

Deno.test("every topic chart matches its snapshot (UPDATE_SNAPSHOTS=1 rewrites them)", async () => {
  for (const [name, c] of Object.entries(gallery())) {
    if (!name.startsWith("-")) await matchSnapshot(name, c.svg);
  }
});

/** A rectangle in SVG user units. */
interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  text: string;
}

const CHAR_PX = 7; // at 12 px, generous
const LINE_PX = 12;

/** Boxes of the texts under `g[aria-label=label]`, from their translations, anchors and rotation. */
function textBoxes(svg: Element, label: string): Box[] {
  const boxes: Box[] = [];
  for (const g of svg.querySelectorAll(`g[aria-label="${label}"]`)) {
    const [gx, gy] = translation(g.getAttribute("transform"));
    const groupAnchor = g.getAttribute("text-anchor") ?? "middle";
    for (const t of g.querySelectorAll("text")) {
      const [tx, ty] = translation(t.getAttribute("transform"));
      const x = gx + tx, y = gy + ty;
      const w = (t.textContent ?? "").length * CHAR_PX;
      const anchor = t.getAttribute("text-anchor") ?? groupAnchor;
      const em = t.getAttribute("y") ?? "";
      // y="0.71em": text hangs below y; "0.32em": centred on y; none: sits on y.
      const [top, bottom] = em === "0.71em"
        ? [0, LINE_PX]
        : em === "0.32em"
        ? [-LINE_PX / 2, LINE_PX / 2]
        : [-LINE_PX, 0];
      const [left, right] = anchor === "end"
        ? [-w, 0]
        : anchor === "start"
        ? [0, w]
        : [-w / 2, w / 2];
      const text = t.textContent ?? "";
      if (/rotate\(-90\)/.test(t.getAttribute("transform") ?? "")) {
        boxes.push({ x0: x + top, x1: x + bottom, y0: y - right, y1: y - left, text });
      } else boxes.push({ x0: x + left, x1: x + right, y0: y + top, y1: y + bottom, text });
    }
  }
  return boxes;
}

function translation(transform: string | null): [number, number] {
  const m = /translate\(([-\d.e]+),\s*([-\d.e]+)\)/.exec(transform ?? "");
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

const overlap = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

Deno.test("no axis title overlaps a tick label or leaves the chart, in any chart of lib/chart/", () => {
  let checked = 0;
  for (const [name, c] of Object.entries(gallery())) {
    const { document } = parseHTML(c.svg);
    const svg = document.querySelector("svg")!;
    const [, minY, width, height] = svg.getAttribute("viewBox")!.split(" ").map(Number);
    const ticks = [...textBoxes(svg, "x-axis tick label"), ...textBoxes(svg, "y-axis tick label")];
    const titles = [...textBoxes(svg, "x-axis label"), ...textBoxes(svg, "y-axis label")];
    assert.ok(titles.length >= 1 && ticks.length >= 2, `${name}: found the axes`);
    checked += titles.length * ticks.length;
    for (const title of titles) {
      for (const tick of ticks) {
        assert.ok(!overlap(title, tick), `${name}: "${title.text}" overlaps tick "${tick.text}"`);
      }
      assert.ok(
        title.x0 >= -1 && title.x1 <= width + 1 && title.y0 >= minY - 1 &&
          title.y1 <= minY + height + 1,
        `${name}: "${title.text}" leaves the chart: ${JSON.stringify(title)}`,
      );
    }
    for (const tick of textBoxes(svg, "y-axis tick label")) {
      assert.ok(tick.x0 >= -1, `${name}: y tick "${tick.text}" runs off the left edge`);
    }
  }
  assert.ok(checked > 500, `${checked} title-tick pairs checked`);
});

Deno.test("the layout test can fail: Plot's own defaults put the x title on the last tick label", () => {
  // The same check on a bare Plot figure with 12 px text, as charts were drawn before.
  const { document } = parseHTML("<!DOCTYPE html><html><body></body></html>");
  const node = Plot.plot({
    document: document as unknown as Document,
    style: { fontSize: "12px" },
    x: { label: "Memory (frames)" },
    marks: [Plot.line([[1, 12], [7, 5]])],
  }) as unknown as Element;
  const title = textBoxes(node, "x-axis label")[0];
  const last = textBoxes(node, "x-axis tick label").at(-1)!;
  assert.ok(overlap(title, last), JSON.stringify({ title, last }));
});

Deno.test("series colours: the first five are distinct and vermillion is not among the first six", () => {
  assert.equal(new Set(THEME.colors).size, THEME.colors.length);
  assert.ok(!THEME.colors.slice(0, 6).includes("#D55E00"), "vermillion is too close to the orange");
  const lines = faultCurveChart(
    ["FIFO", "LRU", "OPT", "CLOCK"].map((policy) => ({
      policy,
      points: pagingFaultCurve([1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5], policy, [3, 4]),
    })),
  ).svg;
  const strokes = [...lines.matchAll(/<path d="M[^"]*" stroke="(#[0-9A-Fa-f]{6})"/g)].map((m) =>
    m[1]
  );
  assert.deepEqual(strokes, ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]);
});
