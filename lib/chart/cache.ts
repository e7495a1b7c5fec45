/**
 * Charts for caches and the memory hierarchy: a measured latency curve with
 * the machine's cache sizes marked, simulated hit rates against working-set
 * size, row- versus column-major traversal, a calibrated model against the
 * measurement, and miss rates of recorded programs.
 *
 * Each function takes plain result data and returns a {@linkcode Chart}.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { type Chart, chart, THEME } from "./render.ts";
import { formatDuration, formatSize } from "./format.ts";
import { MARK_COLOR, type SizeMarker, sizeMarkerMarks } from "./_marks.ts";
import { table, type TableView } from "./table.ts";
import type { CalibratedHierarchy } from "../cache/calibrate.ts";

const MARK = MARK_COLOR;

/** Powers of two from `lo` to `hi` (bytes), every `step` doublings, at most about nine. */
function sizeTicks(lo: number, hi: number): number[] {
  const a = Math.ceil(Math.log2(lo)), b = Math.floor(Math.log2(hi));
  const step = Math.max(1, Math.ceil((b - a + 1) / 9));
  const ticks: number[] = [];
  for (let e = a; e <= b; e += step) ticks.push(2 ** e);
  return ticks;
}

/**
 * Latency ticks covering `lo` to `hi` ns: 1, 2, 5, 10... over a narrow range,
 * 1, 3, 10, 30... over a wide one (Plot's log axis blanks labels it finds too dense).
 */
function nsTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const mantissas = hi / lo > 30 ? [1, 3] : [1, 2, 5];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mantissas) {
      const v = m * 10 ** e;
      if (v >= lo / 1.2 && v <= hi * 1.2) ticks.push(Number(v.toPrecision(2)));
    }
  }
  return ticks;
}

function nonEmpty(what: string, values: unknown): void {
  if (!Array.isArray(values) || values.length === 0) {
    throw new TypeError(
      `Cannot draw ${what}: data must be a non-empty array: received ${JSON.stringify(values)}`,
    );
  }
}

/** A measured latency curve to draw (the shape of `measureLatencyCurve`'s result). */
export interface LatencyCurvePoints {
  /** Working-set sizes in bytes. */
  sizesBytes: readonly number[];
  /** Fastest ns per load at each size. */
  nsPerAccess: readonly number[];
  /** Optional raw ns per load of every run, one array per size (drawn as faint dots). */
  samples?: readonly (readonly number[])[];
}

/** A plateau to draw as a horizontal segment (the shape `estimateLevels` returns). */
export interface PlateauSegment {
  /** Smallest size on the plateau, bytes. */
  fromBytes: number;
  /** Largest size on the plateau, bytes. */
  toBytes: number;
  /** The plateau's latency, ns. */
  latencyNs: number;
}

/**
 * Chart a measured latency curve on log-log axes, with the known cache sizes
 * as dashed lines (see {@linkcode cacheSizeMarkers}) and the plateaus as
 * segments. The caption says whether any size is marked.
 *
 * @param curve Sizes, fastest ns per load, and optionally every run's ns.
 * @param options Cache-size markers, plateaus, and a caption to replace the default.
 * @returns A {@linkcode Chart}.
 *
 * @example Three points and an L1 marker
 * ```ts
 * import { latencyCurveChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = latencyCurveChart(
 *   { sizesBytes: [8192, 262144, 67108864], nsPerAccess: [1.4, 4, 120] },
 *   { markers: [{ label: "L1d", sizeBytes: 49152 }] },
 * );
 * assert.match(c.svg, /Time per load \(ns, log scale\)/);
 * assert.match(c.svg, /L1d 48 KiB/);
 * ```
 */
export function latencyCurveChart(
  curve: LatencyCurvePoints,
  options: {
    markers?: readonly SizeMarker[];
    plateaus?: readonly PlateauSegment[];
    caption?: string;
  } = {},
): Chart {
  nonEmpty("latency curve", curve?.sizesBytes);
  const points = curve.sizesBytes.map((sizeBytes, i) => ({ sizeBytes, ns: curve.nsPerAccess[i] }));
  const runs = (curve.samples ?? []).flatMap((s, i) =>
    s.map((ns) => ({ sizeBytes: curve.sizesBytes[i], ns }))
  );
  const all = [...points, ...runs].map((p) => p.ns);
  const lo = Math.min(...all), hi = Math.max(...all);
  const plateaus = options.plateaus ?? [];
  const sizes = [...curve.sizesBytes];
  return chart({
    title: "Time per load against working-set size, measured on this machine",
    caption: options.caption ??
      `Each step up is the working set spilling out of one level into the next, slower one; ${
        (options.markers ?? []).length
          ? "dashed lines are the cache sizes known for this machine (with where each came from), "
          : "no cache size is known for this machine, so none is marked; "
      }grey segments are the plateaus found. Both axes are logarithmic.`,
    height: 400,
    marginLeft: 56,
    marginRight: 24,
    x: {
      type: "log",
      base: 2,
      label: "Working set (bytes, log scale)",
      ticks: sizeTicks(Math.min(...sizes), Math.max(...sizes)),
      tickFormat: (d: number) => formatSize(d),
    },
    y: {
      type: "log",
      label: "Time per load (ns, log scale)",
      domain: [lo / 1.2, hi * 1.2],
      ticks: nsTicks(lo, hi),
      tickFormat: (d: number) => formatDuration(d),
    },
    marks: [
      // Dashed rules under the data, their labels (with a white halo) over it.
      sizeMarkerMarks(options.markers ?? [])[0],
      Plot.dot(runs, { x: "sizeBytes", y: "ns", r: 1.2, fill: "#999", fillOpacity: 0.25 }),
      Plot.link(plateaus, {
        x1: "fromBytes",
        x2: "toBytes",
        y1: "latencyNs",
        y2: "latencyNs",
        stroke: "#777",
        strokeWidth: 7,
        strokeOpacity: 0.35,
      }),
      Plot.line(points, { x: "sizeBytes", y: "ns", stroke: THEME.colors[0], strokeWidth: 2 }),
      Plot.dot(points, { x: "sizeBytes", y: "ns", fill: THEME.colors[0], r: 3.5 }),
      Plot.text(plateaus, {
        x: "fromBytes",
        y: "latencyNs",
        text: (p: PlateauSegment) => formatDuration(p.latencyNs),
        dy: -12,
        textAnchor: "start",
        fill: "#333",
      }),
      sizeMarkerMarks(options.markers ?? [])[1],
    ],
  });
}

/** A cache to mark on a chart (the shape of `machineFacts().caches`). */
export interface MarkedCache {
  /** Cache level, 1 for the closest to the core. */
  level: number | null;
  /** What it holds; instruction caches are not marked. */
  type: "Data" | "Instruction" | "Unified" | null;
  /** Capacity in bytes; a cache without one is not marked. */
  sizeBytes: number | null;
  /** Where the size came from (`/sys`, `sysconf`, `measured`), shown in the label. */
  source?: string;
}

/**
 * Size markers for the data caches whose size is known, each labelled with
 * the level and where its size came from (`L1d (sysconf)`); an unknown cache
 * gets no marker at all, so a chart marks only what is known.
 *
 * @param caches The machine's caches, e.g. `machineFacts().caches`.
 * @returns One marker per known data or unified cache.
 *
 * @example Machine B: two caches from sysconf, none for its unknown L3
 * ```ts
 * import { cacheSizeMarkers } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const markers = cacheSizeMarkers([
 *   { level: 1, type: "Data", sizeBytes: 49152, source: "sysconf" },
 *   { level: 1, type: "Instruction", sizeBytes: 32768, source: "sysconf" },
 *   { level: 2, type: "Unified", sizeBytes: 1048576, source: "sysconf" },
 *   { level: 3, type: "Unified", sizeBytes: null, source: "sysconf" },
 * ]);
 * assert.deepEqual(markers.map((m) => m.label), ["L1d (sysconf)", "L2 (sysconf)"]);
 * ```
 */
export function cacheSizeMarkers(caches: readonly MarkedCache[]): SizeMarker[] {
  return caches
    .filter((c) => c.type !== "Instruction" && c.sizeBytes !== null && c.sizeBytes > 0)
    .map((c) => ({
      label: `L${c.level ?? "?"}${c.type === "Data" ? "d" : ""}${c.source ? ` (${c.source})` : ""}`,
      sizeBytes: c.sizeBytes!,
    }));
}

/** Hit rate at one working-set size. */
export interface HitRatePoint {
  /** Working-set size in bytes. */
  workingSetBytes: number;
  /** Hits divided by accesses, 0 to 1. */
  hitRate: number;
}

/** One cache's hit-rate curve. */
export interface HitRateSeries {
  /** The cache, e.g. "48 KiB, 12-way". */
  name: string;
  /** One point per working-set size. */
  points: readonly HitRatePoint[];
}

/**
 * Chart simulated hit rate against working-set size, one line per cache,
 * on a logarithmic size axis.
 *
 * @param series One curve per cache.
 * @param options Size markers (e.g. the caches' capacities), a title and a caption.
 * @returns A {@linkcode Chart}.
 *
 * @example Two caches
 * ```ts
 * import { hitRateChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = hitRateChart([
 *   { name: "small", points: [{ workingSetBytes: 1024, hitRate: 0.9 }, { workingSetBytes: 8192, hitRate: 0.1 }] },
 *   { name: "large", points: [{ workingSetBytes: 1024, hitRate: 0.95 }, { workingSetBytes: 8192, hitRate: 0.9 }] },
 * ]);
 * assert.match(c.svg, /Hit rate \(%\)/);
 * assert.match(c.html, /large/);
 * ```
 */
export function hitRateChart(
  series: readonly HitRateSeries[],
  options: { markers?: readonly SizeMarker[]; title?: string; caption?: string } = {},
): Chart {
  nonEmpty("hit rates", series);
  const data = series.flatMap((s) =>
    s.points.map((p) => ({ name: s.name, x: p.workingSetBytes, y: 100 * p.hitRate }))
  );
  const xs = data.map((d) => d.x);
  return chart({
    title: options.title ?? "Simulated hit rate as the working set grows, per cache",
    caption: options.caption ??
      "Each cache hits almost every time while the working set fits, then its hit rate falls as the working set outgrows it; a bigger cache holds on longer.",
    height: 380,
    marginRight: 24,
    x: {
      type: "log",
      base: 2,
      label: "Working set (bytes, log scale)",
      ticks: sizeTicks(Math.min(...xs), Math.max(...xs)),
      tickFormat: (d: number) => formatSize(d),
    },
    y: { label: "Hit rate (%)", domain: [0, 100] },
    color: { domain: series.map((s) => s.name), range: [...THEME.colors], legend: true },
    marks: [
      ...sizeMarkerMarks(options.markers ?? []),
      Plot.line(data, { x: "x", y: "y", stroke: "name", strokeWidth: 2 }),
      Plot.dot(data, { x: "x", y: "y", fill: "name", r: 3 }),
    ],
  });
}

/** One row-versus-column comparison: the same quantity for both traversal orders. */
export interface TraversalComparison {
  /** What was compared, e.g. "simulated L1 misses per element". */
  what: string;
  /** The value for row-major order. */
  row: number;
  /** The value for column-major order. */
  column: number;
  /** Unit of the values, e.g. "misses/element" or "ns/element". */
  unit: string;
}

/** Both traversal orders of one matrix, simulated and measured (see {@linkcode traversalComparisons}). */
export interface TraversalRuns {
  /** Elements in the matrix (rows × columns). */
  elements: number;
  /** The simulated walks: each level's name and demand misses, per order. */
  simulated: Record<"row" | "column", { levels: readonly { name: string; misses: number }[] }>;
  /** Measured time per element in each order, in ns. */
  measuredNs: Record<"row" | "column", number>;
}

/**
 * The rows of a {@linkcode traversalChart}: misses per element at every
 * simulated level, then the measured time per element.
 *
 * @param runs The simulated results, the measured times and the element count.
 * @returns One comparison per simulated level, then `"measured time"`.
 * @throws {RangeError} When `elements` is not a positive integer.
 *
 * @example One simulated level and the measurement
 * ```ts
 * import { traversalComparisons } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const rows = traversalComparisons({
 *   elements: 64,
 *   simulated: { row: { levels: [{ name: "L1d", misses: 8 }] }, column: { levels: [{ name: "L1d", misses: 64 }] } },
 *   measuredNs: { row: 0.5, column: 3 },
 * });
 * assert.deepEqual(rows.map((r) => [r.what, r.row, r.column]), [
 *   ["simulated L1d misses", 0.125, 1],
 *   ["measured time", 0.5, 3],
 * ]);
 * ```
 */
export function traversalComparisons(runs: TraversalRuns): TraversalComparison[] {
  const { elements, simulated, measuredNs } = runs;
  if (!Number.isInteger(elements) || elements <= 0) {
    throw new RangeError(
      `Cannot compare traversals: elements must be a positive integer: received ${elements}`,
    );
  }
  return [
    ...simulated.row.levels.map((level, i) => ({
      what: `simulated ${level.name} misses`,
      row: level.misses / elements,
      column: simulated.column.levels[i].misses / elements,
      unit: "misses/element",
    })),
    { what: "measured time", row: measuredNs.row, column: measuredNs.column, unit: "ns/element" },
  ];
}

/**
 * Chart how much worse column-major order is than row-major order, as a
 * ratio per comparison (simulated misses and measured time side by side).
 *
 * @param rows One comparison per bar.
 * @param options The matrix side, for the title.
 * @returns A {@linkcode Chart}.
 *
 * @example Simulated and measured
 * ```ts
 * import { traversalChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = traversalChart([
 *   { what: "simulated L1 misses", row: 0.125, column: 1, unit: "misses/element" },
 *   { what: "measured time", row: 0.5, column: 6, unit: "ns/element" },
 * ], { matrixN: 2048 });
 * assert.match(c.svg, /Column-major ÷ row-major/);
 * assert.match(c.svg, /×8/);
 * ```
 */
export function traversalChart(
  rows: readonly TraversalComparison[],
  options: { matrixN?: number } = {},
): Chart {
  nonEmpty("traversal comparison", rows);
  const data = rows.map((r) => ({
    ...r,
    ratio: r.row > 0 ? r.column / r.row : r.column > 0 ? Infinity : 1,
    label: `×${(r.row > 0 ? r.column / r.row : 0).toFixed(1).replace(/\.0$/, "")}  (row ${
      Number(r.row.toPrecision(3))
    }, column ${Number(r.column.toPrecision(3))} ${r.unit})`,
  }));
  const finite = data.map((d) => (Number.isFinite(d.ratio) ? d.ratio : 1));
  const side = options.matrixN ? ` (${options.matrixN}×${options.matrixN} matrix)` : "";
  return chart({
    title: `Walking a matrix down its columns instead of along its rows${side}`,
    caption:
      "Each bar is column-major order's cost divided by row-major order's: the simulator counts misses, the machine measures time. Bars right of 1 mean column order is slower.",
    height: 60 + 48 * data.length,
    marginLeft: 190,
    marginRight: 260,
    x: {
      type: "log",
      label: "Column-major ÷ row-major (×, log scale)",
      domain: [Math.min(0.5, ...finite), Math.max(2, ...finite) * 1.3],
    },
    y: { axis: null, padding: 0.3, domain: data.map((d) => d.what) },
    marks: [
      Plot.text(data, {
        y: "what",
        text: "what",
        frameAnchor: "left",
        dx: -8,
        textAnchor: "end",
        fontSize: 11,
      }),
      Plot.barX(data, {
        x1: 1,
        x2: (d: { ratio: number }) => Number.isFinite(d.ratio) ? d.ratio : 1,
        y: "what",
        fill: (d: { what: string }) => d.what.startsWith("measured") ? MARK : THEME.colors[0],
      }),
      Plot.ruleX([1], { stroke: "#000" }),
      Plot.text(data, {
        x: (d: { ratio: number }) => Number.isFinite(d.ratio) ? d.ratio : 1,
        y: "what",
        text: "label",
        dx: 6,
        textAnchor: "start",
      }),
    ],
  });
}

/** A measured curve and a model's predictions at the same sizes. */
export interface PredictionComparison {
  /** Working-set sizes in bytes. */
  sizesBytes: readonly number[];
  /** Measured ns per load. */
  measuredNs: readonly number[];
  /** Predicted ns per load. */
  predictedNs: readonly number[];
}

/**
 * Chart a calibrated model's predicted time per load against the
 * measurement, on log-log axes, with the cache sizes marked.
 *
 * @param data Sizes, measured and predicted ns per load.
 * @param options Size markers and a caption to replace the default.
 * @returns A {@linkcode Chart}.
 *
 * @example Two lines
 * ```ts
 * import { predictionChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = predictionChart({ sizesBytes: [4096, 1 << 26], measuredNs: [1.4, 150], predictedNs: [1.4, 147] });
 * assert.match(c.html, /predicted/);
 * assert.match(c.svg, /1 KiB|4 KiB/);
 * ```
 */
export function predictionChart(
  data: PredictionComparison,
  options: { markers?: readonly SizeMarker[]; caption?: string } = {},
): Chart {
  nonEmpty("prediction", data?.sizesBytes);
  const rows = data.sizesBytes.flatMap((sizeBytes, i) => [
    { sizeBytes, ns: data.measuredNs[i], kind: "measured" },
    { sizeBytes, ns: data.predictedNs[i], kind: "predicted (simulated, calibrated)" },
  ]);
  const ns = rows.map((r) => r.ns).filter((v) => v > 0);
  const lo = Math.min(...ns), hi = Math.max(...ns);
  return chart({
    title: "The calibrated simulator's prediction against the measurement",
    caption: options.caption ??
      "Where the lines meet, the model explains the machine; where they part, the machine does something the model leaves out.",
    height: 400,
    marginLeft: 56,
    marginRight: 24,
    x: {
      type: "log",
      base: 2,
      label: "Working set (bytes, log scale)",
      ticks: sizeTicks(Math.min(...data.sizesBytes), Math.max(...data.sizesBytes)),
      tickFormat: (d: number) => formatSize(d),
    },
    y: {
      type: "log",
      label: "Time per load (ns, log scale)",
      domain: [lo / 1.2, hi * 1.2],
      ticks: nsTicks(lo, hi),
      tickFormat: (d: number) => formatDuration(d),
    },
    color: {
      domain: ["measured", "predicted (simulated, calibrated)"],
      range: [THEME.colors[0], MARK],
      legend: true,
    },
    marks: [
      ...sizeMarkerMarks(options.markers ?? []),
      Plot.line(rows, { x: "sizeBytes", y: "ns", stroke: "kind", strokeWidth: 2 }),
      Plot.dot(rows, { x: "sizeBytes", y: "ns", fill: "kind", r: 3 }),
    ],
  });
}

/** The miss rate of one recorded trace on one cache. */
export interface TraceMissRate {
  /** The trace, e.g. "transpose_naive". */
  trace: string;
  /** The cache, e.g. "1 KiB direct-mapped". */
  cache: string;
  /** Misses divided by accesses, 0 to 1. */
  missRate: number;
}

/**
 * Chart the miss rates of recorded traces on one or more caches, as
 * grouped horizontal bars (one group per trace, one colour per cache).
 *
 * @param rows One miss rate per trace and cache.
 * @returns A {@linkcode Chart}.
 *
 * @example Two traces on one cache
 * ```ts
 * import { traceMissChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = traceMissChart([
 *   { trace: "naive", cache: "1 KiB", missRate: 0.32 },
 *   { trace: "blocked", cache: "1 KiB", missRate: 0.25 },
 * ]);
 * assert.match(c.svg, /Miss rate \(%\)/);
 * assert.match(c.svg, /32\.0%/);
 * ```
 */
export function traceMissChart(rows: readonly TraceMissRate[]): Chart {
  nonEmpty("trace miss rates", rows);
  const data = rows.map((r) => ({ ...r, pct: 100 * r.missRate }));
  const caches = [...new Set(rows.map((r) => r.cache))];
  const traces = [...new Set(rows.map((r) => r.trace))];
  return chart({
    title: "Miss rates of recorded C programs, replayed through the simulator",
    caption:
      "Same program, same cache: only the order of the accesses differs between the naive and the blocked transpose. A longer bar means more trips to the next level.",
    height: 50 + traces.length * caches.length * 26 + traces.length * 10,
    marginLeft: 130,
    marginRight: 60,
    x: { label: "Miss rate (%)", domain: [0, Math.max(...data.map((d) => d.pct)) * 1.15] },
    y: { label: null, domain: caches, axis: null },
    fy: { label: null, domain: traces },
    color: { domain: caches, range: [...THEME.colors], legend: true },
    marks: [
      Plot.barX(data, { x: "pct", y: "cache", fy: "trace", fill: "cache" }),
      Plot.text(data, {
        x: "pct",
        y: "cache",
        fy: "trace",
        text: (d: { pct: number }) => `${d.pct.toFixed(1)}%`,
        dx: 4,
        textAnchor: "start",
      }),
      Plot.frame({ stroke: "#ddd" }),
    ],
  });
}

/**
 * A calibrated hierarchy as a table: each level's size, ways, measured
 * plateau and cost in the model, then RAM; the calibration's notes as the
 * caption.
 *
 * @param model A hierarchy from `calibrateHierarchy`.
 * @returns A {@linkcode TableView}.
 *
 * @example One cache level and RAM
 * ```ts
 * import { calibrateHierarchy, calibrationTable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const model = calibrateHierarchy({
 *   plateaus: [{ fromBytes: 4096, toBytes: 32768, latencyNs: 1.5 }, { fromBytes: 1 << 22, toBytes: 1 << 24, latencyNs: 90 }],
 *   caches: [{ level: 1, type: "Data", sizeBytes: 32768, ways: 8, lineBytes: 64 }],
 * });
 * const t = calibrationTable(model);
 * assert.match(t.text, /L1\s+32 KiB\s+8\s+1\.50\s+1\.50/);
 * assert.match(t.text, /RAM\s+all\s+90\.00\s+88\.50/);
 * ```
 */
export function calibrationTable(model: CalibratedHierarchy): TableView {
  const ram = {
    name: "RAM",
    sizeBytes: null,
    ways: null,
    measuredNs: model.memoryMeasuredNs,
    costNs: model.memoryCostNs,
  };
  return table<{
    name: string;
    sizeBytes: number | null;
    ways: number | null;
    measuredNs: number;
    costNs: number;
  }>([...model.levels, ram], [
    { label: "Level", value: (l) => l.name },
    {
      label: "Size",
      value: (l) => (l.sizeBytes ? formatSize(l.sizeBytes) : "all"),
      align: "right",
    },
    { label: "Ways", value: (l) => l.ways ?? "" },
    { label: "Measured plateau (ns)", value: (l) => l.measuredNs.toFixed(2) },
    { label: "Cost in the model (ns)", value: (l) => l.costNs.toFixed(2) },
  ], model.notes.join("; "));
}
