import assert from "node:assert/strict";
import * as Plot from "@observablehq/plot";
import {
  axisLabel,
  chart,
  formatDuration,
  formatSize,
  hierarchyChart,
  saveSvg,
  table,
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
