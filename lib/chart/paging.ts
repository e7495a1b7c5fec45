/**
 * Charts for page faults and page replacement: fault counts against memory
 * size per policy (with Belady's anomaly marked), the simulator and the real
 * kernel reference by reference and in total, and minor faults per page for
 * the different ways of touching fresh memory.
 *
 * Each function takes plain result data and returns a {@linkcode Chart}.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { type Chart, chart, THEME } from "./render.ts";
import { formatSize } from "./format.ts";

/** Page faults of one policy for each memory size, e.g. from `pagingFaultCurve`. */
export interface PolicyFaultCurve {
  /** The policy's name, shown in the legend. */
  policy: string;
  /** One point per frame count. */
  points: readonly { frames: number; misses: number }[];
}

/**
 * Annotations (Belady's anomaly, the thrashing knee) are black: no series
 * colour can be mistaken for them.
 */
const ANOMALY = "#000000";

function integerTicks(lo: number, hi: number, most = 12): number[] {
  const step = Math.max(1, Math.ceil((hi - lo) / most));
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) ticks.push(v);
  return ticks;
}

/**
 * Chart page faults against the number of frames, one line per policy, with
 * every rise (more frames, more faults: Belady's anomaly) circled.
 *
 * @param curves One fault curve per policy.
 * @param options An optional title, and the number of references (for the caption).
 * @returns A {@linkcode Chart}.
 *
 * @example FIFO rises from 3 to 4 frames
 * ```ts
 * import { faultCurveChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = faultCurveChart([
 *   { policy: "FIFO", points: [{ frames: 3, misses: 9 }, { frames: 4, misses: 10 }] },
 *   { policy: "LRU", points: [{ frames: 3, misses: 10 }, { frames: 4, misses: 8 }] },
 * ]);
 * assert.match(c.svg, /Page faults \(count\)/);
 * assert.match(c.caption, /FIFO: 3 → 4 frames/);
 * ```
 */
export function faultCurveChart(
  curves: readonly PolicyFaultCurve[],
  options: { title?: string; referenceCount?: number } = {},
): Chart {
  if (!Array.isArray(curves as unknown) || curves.length === 0) {
    throw new TypeError(
      `Cannot draw fault curves: curves must be a non-empty array: received ${
        JSON.stringify(curves)
      }`,
    );
  }
  const data = curves.flatMap((c) => c.points.map((p) => ({ policy: c.policy, ...p })));
  const anomalies = curves.flatMap((c) => {
    const sorted = [...c.points].sort((a, b) => a.frames - b.frames);
    return sorted.flatMap((p, i) =>
      i > 0 && p.misses > sorted[i - 1].misses
        ? [{ policy: c.policy, from: sorted[i - 1], ...p }]
        : []
    );
  });
  const frames = data.map((d) => d.frames);
  const misses = data.map((d) => d.misses);
  const notice = anomalies.length
    ? `Circled: Belady's anomaly, more frames but more faults (${
      anomalies.map((a) => `${a.policy}: ${a.from.frames} → ${a.frames} frames`).join("; ")
    }).`
    : "No line rises: with these references, more frames never cost more faults.";
  const refs = options.referenceCount
    ? ` Every line starts at ${options.referenceCount} faults or fewer (one per reference).`
    : "";
  return chart({
    title: options.title ?? "Page faults as memory grows, per replacement policy",
    caption: `${notice}${refs} Lower is better${
      curves.some((c) => c.policy === "OPT") ? "; OPT is the floor no policy can beat" : ""
    }.`,
    marginRight: 20,
    x: {
      label: "Memory (frames)",
      ticks: integerTicks(Math.min(...frames), Math.max(...frames)),
      tickFormat: "d",
    },
    y: {
      label: "Page faults (count)",
      domain: [0, Math.max(...misses) + 1],
      ticks: integerTicks(0, Math.max(...misses) + 1),
      tickFormat: "d",
    },
    color: { domain: curves.map((c) => c.policy), range: [...THEME.colors] },
    marks: [
      Plot.line(data, { x: "frames", y: "misses", stroke: "policy", strokeWidth: 2 }),
      Plot.dot(data, { x: "frames", y: "misses", fill: "policy", r: 3.5 }),
      Plot.dot(anomalies, { x: "frames", y: "misses", r: 10, stroke: ANOMALY, strokeWidth: 2 }),
      Plot.text(anomalies, {
        x: "frames",
        y: "misses",
        text: (a: { policy: string }) => `${a.policy} rises`,
        dy: -18,
        fill: ANOMALY,
        fontWeight: "bold",
      }),
      ...curves.map((c, i) =>
        Plot.text([c.policy], {
          frameAnchor: "top-right",
          text: (d: string) => `— ${d}`,
          fill: THEME.colors[i % THEME.colors.length],
          dy: 16 * i,
          fontWeight: "bold",
        })
      ),
    ],
  });
}

/** One reference of a kernel replay, as recorded by `replayOnKernel`. */
export interface ReplayStepPoint {
  /** Position in the reference string. */
  index: number;
  /** The page referenced. */
  page: number;
  /** Whether the simulated policy missed. */
  simulatedMiss: boolean;
  /** Major faults the kernel counted for this reference. */
  kernelMajorFaults: number;
}

/** A replay to draw: its policy's name and its steps. */
export interface ReplayRun {
  /** The policy's name, e.g. `"FIFO"`. */
  name: string;
  /** The per-reference record. */
  steps: readonly ReplayStepPoint[];
}

/**
 * Chart the simulator and the real kernel side by side, one cell per
 * reference: a filled cell is a simulated miss (upper row of each pair) or a
 * kernel major fault (lower row), with the page number written in it.
 *
 * @param runs One or more replays (e.g. FIFO, LRU and OPT on the same string).
 * @returns A {@linkcode Chart}.
 *
 * @example Two references, both faulting in both rows
 * ```ts
 * import { replayStepsChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = replayStepsChart([{ name: "FIFO", steps: [
 *   { index: 0, page: 1, simulatedMiss: true, kernelMajorFaults: 1 },
 *   { index: 1, page: 1, simulatedMiss: false, kernelMajorFaults: 0 },
 * ] }]);
 * assert.match(c.svg, /FIFO · kernel/);
 * assert.match(c.caption, /all 2 references agree/);
 * ```
 */
export function replayStepsChart(runs: readonly ReplayRun[]): Chart {
  if (!Array.isArray(runs as unknown) || runs.length === 0) {
    throw new TypeError(
      `Cannot draw replay steps: runs must be a non-empty array: received ${JSON.stringify(runs)}`,
    );
  }
  const rows = runs.flatMap((r) => [`${r.name} · simulated`, `${r.name} · kernel`]);
  const cells = runs.flatMap((r) =>
    r.steps.flatMap((s) => [
      { row: `${r.name} · simulated`, index: s.index, page: s.page, fault: s.simulatedMiss },
      { row: `${r.name} · kernel`, index: s.index, page: s.page, fault: s.kernelMajorFaults > 0 },
    ])
  );
  const total = runs.reduce((n, r) => n + r.steps.length, 0);
  const disagree = runs.reduce(
    (n, r) => n + r.steps.filter((s) => s.simulatedMiss !== (s.kernelMajorFaults > 0)).length,
    0,
  );
  const refCount = Math.max(...runs.map((r) => r.steps.length));
  return chart({
    title: "Simulated misses and the real kernel's major faults, reference by reference",
    caption: (disagree === 0
      ? `The rows of each pair are identical: all ${total} references agree.`
      : `${disagree} of ${total} references disagree.`) +
      " Filled: a fault (a miss in the simulator, a major fault counted by the kernel); the number is the page referenced.",
    height: Math.max(170, 60 + 30 * rows.length),
    marginLeft: 130,
    marginBottom: 40,
    width: Math.max(480, Math.min(960, 150 + 26 * refCount)),
    x: {
      label: "Reference (position in the string)",
      type: "band",
      padding: 0.08,
      tickFormat: (d: number) => (refCount > 30 && d % 5 !== 0 ? "" : String(d)),
    },
    y: { label: "Who counted (row)", domain: rows, padding: 0.08 },
    color: { type: "categorical", domain: [true, false], range: ["#0072B2", "#EEEEEE"] },
    marks: [
      Plot.cell(cells, { x: "index", y: "row", fill: "fault", inset: 0.5 }),
      Plot.text(cells, {
        x: "index",
        y: "row",
        text: "page",
        fill: (d: { fault: boolean }) => (d.fault ? "white" : "#555"),
        fontSize: refCount > 30 ? 8 : 11,
      }),
    ],
  });
}

/** Totals of one replay: what the simulator counted and what the kernel counted. */
export interface ReplayTotal {
  /** The policy's name. */
  name: string;
  /** Misses in the simulation. */
  simulatedMisses: number;
  /** Major faults the kernel counted. */
  kernelMajorFaults: number;
}

/**
 * Chart the total simulated misses beside the kernel's total major faults, per policy.
 *
 * @param totals One row per replay.
 * @returns A {@linkcode Chart}.
 *
 * @example Equal bars
 * ```ts
 * import { replayTotalsChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = replayTotalsChart([{ name: "LRU", simulatedMisses: 8, kernelMajorFaults: 8 }]);
 * assert.match(c.svg, /Faults \(count\)/);
 * assert.match(c.caption, /equal for every policy/);
 * ```
 */
export function replayTotalsChart(totals: readonly ReplayTotal[]): Chart {
  if (!Array.isArray(totals as unknown) || totals.length === 0) {
    throw new TypeError(
      `Cannot draw replay totals: totals must be a non-empty array: received ${
        JSON.stringify(totals)
      }`,
    );
  }
  const data = totals.flatMap((t) => [
    { name: t.name, source: "simulated misses", count: t.simulatedMisses },
    { name: t.name, source: "kernel major faults", count: t.kernelMajorFaults },
  ]);
  const equal = totals.every((t) => t.simulatedMisses === t.kernelMajorFaults);
  const most = Math.max(...data.map((d) => d.count));
  return chart({
    title: "Total faults: the simulator's count and the kernel's count, per policy",
    caption: equal
      ? "Each pair of bars is equal for every policy: the kernel faulted exactly as often as the simulator predicted."
      : `The pairs differ for ${
        totals.filter((t) => t.simulatedMisses !== t.kernelMajorFaults).map((t) => t.name).join(
          ", ",
        )
      }: see the replay's note for why.`,
    height: 300,
    marginTop: 40,
    marginBottom: 45,
    fx: { label: null, domain: totals.map((t) => t.name) },
    x: {
      label: "Who counted (source)",
      domain: ["simulated misses", "kernel major faults"],
      tickFormat: (d: string) =>
        d === "simulated misses" ? (totals.length > 3 ? "sim." : "simulated") : "kernel",
    },
    y: { label: "Faults (count)", domain: [0, most + 1], tickFormat: "d" },
    color: { domain: ["simulated misses", "kernel major faults"], range: [...THEME.colors] },
    marks: [
      Plot.barY(data, { fx: "name", x: "source", y: "count", fill: "source" }),
      Plot.text(data, { fx: "name", x: "source", y: "count", text: "count", dy: -7 }),
      Plot.ruleY([0]),
    ],
  });
}

/** Minor faults of one way of touching fresh memory, e.g. from `measureTouchFaults`. */
export interface TouchFaultPoint {
  /** How each page was touched: `"write"`, `"read"` or `"read-then-write"`. */
  touch: string;
  /** Pages touched. */
  pageCount: number;
  /** Minor faults counted. */
  minorFaults: number;
  /** Anonymous RSS gained, bytes (null when /proc was unreadable). */
  rssAnonDeltaBytes: number | null;
}

/** What this kernel maps on a read of fresh memory, e.g. `zeroPageBehaviour().behaviour`. */
export type ZeroPageKind = "shared-zero-page" | "private-zeroed-page" | "unclear";

const ZERO_PAGE_CAPTIONS: Record<ZeroPageKind | "unknown", string> = {
  "shared-zero-page":
    "A read costs a fault too, but this kernel maps the shared zero page, so resident memory barely grows, and a read then a write pays twice.",
  "private-zeroed-page":
    "A read costs a fault too, and this kernel gives it a private zeroed page at once, so resident memory grows as for a write, and a read then a write pays only once.",
  "unclear":
    "A read costs a fault too; the zero-page measurement fitted neither known behaviour here, so compare the RSS on the bars.",
  "unknown":
    "A read costs a fault too: a kernel that maps the shared zero page keeps RSS flat and makes a read then a write pay twice; one that maps a private zeroed page grows RSS a page per read and charges a read then a write once. The RSS on the bars says which this is.",
};

/**
 * Chart minor faults per page for each way of touching fresh memory, with
 * the resident memory each gained written on its bar.
 *
 * @param points One point per touch kind.
 * @param options `zeroPage`: this kernel's measured zero-page behaviour, so
 *   that the caption says what its reads do; without it the caption names both.
 * @returns A {@linkcode Chart}.
 *
 * @example Writes and reads both fault once per page
 * ```ts
 * import { touchFaultsChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = touchFaultsChart([
 *   { touch: "write", pageCount: 100, minorFaults: 100, rssAnonDeltaBytes: 409600 },
 *   { touch: "read", pageCount: 100, minorFaults: 100, rssAnonDeltaBytes: 0 },
 * ], { zeroPage: "shared-zero-page" });
 * assert.match(c.svg, /Minor faults per page \(count\)/);
 * assert.match(c.svg, /RSS \+400 KiB/);
 * assert.match(c.caption, /maps the shared zero page/);
 * ```
 */
export function touchFaultsChart(
  points: readonly TouchFaultPoint[],
  options: { zeroPage?: ZeroPageKind } = {},
): Chart {
  if (!Array.isArray(points as unknown) || points.length === 0) {
    throw new TypeError(
      `Cannot draw touch faults: points must be a non-empty array: received ${
        JSON.stringify(points)
      }`,
    );
  }
  const zeroPage = options.zeroPage ?? "unknown";
  if (!(zeroPage in ZERO_PAGE_CAPTIONS)) {
    throw new RangeError(
      `Cannot draw touch faults: zeroPage must be "shared-zero-page", "private-zeroed-page" or "unclear": received ${
        JSON.stringify(zeroPage)
      }`,
    );
  }
  const data = points.map((p) => ({
    touch: p.touch,
    perPage: Math.round((p.minorFaults / p.pageCount) * 1000) / 1000,
    label: `${(p.minorFaults / p.pageCount).toFixed(2)} per page · RSS ${
      p.rssAnonDeltaBytes === null
        ? "not measured"
        : (p.rssAnonDeltaBytes < 0 ? "−" : "+") + formatSize(Math.abs(p.rssAnonDeltaBytes))
    }`,
  }));
  const most = Math.max(...data.map((d) => d.perPage));
  return chart({
    title: "Minor faults when fresh memory is first touched, per page",
    caption: `Each of ${
      points[0].pageCount
    } fresh pages touched once. A write costs one minor fault and a real page of RAM. ${
      ZERO_PAGE_CAPTIONS[zeroPage]
    }`,
    height: 80 + 60 * data.length,
    marginLeft: 110,
    marginRight: 40,
    x: { label: "Minor faults per page (count)", domain: [0, Math.max(2.5, most * 1.5)] },
    y: { label: "First touch (kind)", domain: data.map((d) => d.touch) },
    marks: [
      Plot.barX(data, { x: "perPage", y: "touch", fill: "#0072B2" }),
      Plot.text(data, { x: "perPage", y: "touch", text: "label", dx: 6, textAnchor: "start" }),
      Plot.ruleX([0]),
    ],
  });
}

/** One demand-paging run to draw: a name and its steps (from `simulateDemandPaging` with `steps: true`). */
export interface FaultKindRun {
  /** A label for the row, e.g. `"no swap"`. */
  name: string;
  /** One step per access: the page and what happened. */
  steps: readonly { page: number; kind: string }[];
  /** Modelled time by kind in ns, for the caption (optional). */
  timeNs?: Readonly<Record<string, number>>;
}

const KIND_COLORS: Record<string, string> = {
  hit: "#DDDDDD",
  minor: "#0072B2",
  major: "#D55E00",
  invalid: "#000000",
  oom: "#CC79A7",
};
const KIND_WORDS: Record<string, string> = {
  hit: "grey: hit",
  minor: "blue: minor fault",
  major: "orange: major fault",
  invalid: "black: invalid (SIGSEGV)",
  oom: "pink: out of memory",
};

/**
 * Chart what each access of a demand-paging run caused (hit, minor, major,
 * invalid fault, or out of memory), one row per run, with the page number in
 * each cell and the share of modelled time spent in major faults in the caption.
 *
 * @param runs One or more runs (e.g. the same accesses with and without swap).
 * @returns A {@linkcode Chart}.
 *
 * @example A minor fault, a hit and a segmentation fault
 * ```ts
 * import { faultKindsChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = faultKindsChart([{ name: "one process", steps: [
 *   { page: 0, kind: "minor" }, { page: 0, kind: "hit" }, { page: 9, kind: "invalid" },
 * ] }]);
 * assert.match(c.svg, /Access \(position in the sequence\)/);
 * assert.match(c.caption, /one process: 1 hit, 1 minor, 1 invalid/);
 * ```
 */
export function faultKindsChart(runs: readonly FaultKindRun[]): Chart {
  if (!Array.isArray(runs as unknown) || runs.length === 0) {
    throw new TypeError(
      `Cannot draw fault kinds: runs must be a non-empty array: received ${JSON.stringify(runs)}`,
    );
  }
  const cells = runs.flatMap((r) => r.steps.map((s, index) => ({ row: r.name, index, ...s })));
  const kinds = Object.keys(KIND_COLORS).filter((k) => cells.some((c) => c.kind === k));
  const summary = runs.map((r) => {
    const counts = kinds.map((k) => [k, r.steps.filter((s) => s.kind === k).length] as const)
      .filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(", ");
    const t = r.timeNs;
    const total = t ? Object.values(t).reduce((a, b) => a + b, 0) : 0;
    const major = t && total > 0
      ? `; major faults and swap-outs take ${
        Math.round((100 * ((t.major ?? 0) + (t.swapOut ?? 0))) / total)
      }% of the modelled time`
      : "";
    return `${r.name}: ${counts}${major}`;
  }).join(". ");
  const refCount = Math.max(...runs.map((r) => r.steps.length));
  return chart({
    title: "What each access cost: hits, minor, major and invalid faults",
    caption: `${summary}. Colours: ${
      kinds.map((k) => KIND_WORDS[k]).join(", ")
    }; the number is the page.`,
    height: Math.max(150, 70 + 34 * runs.length),
    marginLeft: 110,
    marginBottom: 40,
    width: Math.max(480, Math.min(960, 130 + 24 * refCount)),
    x: {
      label: "Access (position in the sequence)",
      type: "band",
      padding: 0.08,
      tickFormat: (d: number) => (refCount > 30 && d % 5 !== 0 ? "" : String(d)),
    },
    y: { label: "Run (row)", domain: runs.map((r) => r.name), padding: 0.08 },
    color: { type: "categorical", domain: kinds, range: kinds.map((k) => KIND_COLORS[k]) },
    marks: [
      Plot.cell(cells, { x: "index", y: "row", fill: "kind", inset: 0.5 }),
      Plot.text(cells, {
        x: "index",
        y: "row",
        text: "page",
        fill: (d: { kind: string }) => (d.kind === "hit" ? "#555" : "white"),
        fontSize: refCount > 30 ? 8 : 11,
      }),
    ],
  });
}

/** W(t, Δ) over time for one window Δ, e.g. `{ delta, sizes: workingSetSizes(references, delta) }`. */
export interface WorkingSetSeries {
  /** The window Δ, in references. */
  delta: number;
  /** The working-set size at every time t, in pages. */
  sizes: readonly number[];
}

/** Where a phase of the reference string begins, drawn as a dashed line. */
export interface PhaseMarker {
  /** The first reference of the phase (an index into the reference string). */
  start: number;
  /** What the phase does, e.g. `"phase 2: 3 pages"`. */
  label: string;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
}

/**
 * Chart the working-set size W(t, Δ) against time, one line per window Δ,
 * with the starts of the program's phases marked. The caption gives the size
 * each line settles at within each phase, and the peak just after a phase
 * change, when the window still holds the old phase's pages.
 *
 * @param series One size series per window Δ (all of the same length).
 * @param options Phase starts to mark, and an optional title.
 * @returns A {@linkcode Chart}.
 *
 * @example Two phases, seen through a window of 3 references
 * ```ts
 * import { workingSetChart, workingSetSizes } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const refs = [1, 2, 3, 1, 2, 3, 7, 8, 7, 8];
 * const c = workingSetChart([{ delta: 3, sizes: workingSetSizes(refs, 3) }], {
 *   phases: [{ start: 0, label: "loop" }, { start: 6, label: "new loop" }],
 * });
 * assert.match(c.svg, /Working-set size W\(t, Δ\) \(pages\)/);
 * assert.match(c.caption, /Δ = 3: 3, 2 pages/);
 * ```
 */
export function workingSetChart(
  series: readonly WorkingSetSeries[],
  options: { phases?: readonly PhaseMarker[]; title?: string } = {},
): Chart {
  if (!Array.isArray(series as unknown) || series.length === 0) {
    throw new TypeError(
      `Cannot draw working sets: series must be a non-empty array: received ${
        JSON.stringify(series)
      }`,
    );
  }
  const length = series[0].sizes.length;
  const uneven = series.find((s) => s.sizes.length !== length);
  if (uneven) {
    throw new RangeError(
      `Cannot draw working sets: every series must have ${length} sizes: received ${uneven.sizes.length} for Δ = ${uneven.delta}`,
    );
  }
  const sorted = [...series].sort((a, b) => a.delta - b.delta);
  const names = sorted.map((s) => `Δ = ${s.delta}`);
  const data = sorted.flatMap((s, i) => s.sizes.map((size, t) => ({ t, size, window: names[i] })));
  const phases = [...(options.phases ?? [])].sort((a, b) => a.start - b.start);
  const bounds = phases.length ? phases.map((p) => p.start) : [0];
  const ranges = bounds.map((start, i) => [start, bounds[i + 1] ?? length] as const);
  const levels = sorted.map((s, i) =>
    `${names[i]}: ${
      ranges.map(([a, b]) => median(s.sizes.slice(a + Math.floor((b - a) / 2), b))).join(", ")
    } pages`
  ).join("; ");
  const widest = sorted.at(-1)!;
  const peaks = ranges.slice(1).map(([a]) => {
    const window = widest.sizes.slice(a, a + widest.delta);
    const peak = Math.max(...window);
    return { peak, at: a + window.indexOf(peak) };
  }).filter((p) => Number.isFinite(p.peak));
  const top = peaks.reduce<{ peak: number; at: number } | null>(
    (m, p) => (m === null || p.peak > m.peak ? p : m),
    null,
  );
  const caption =
    (phases.length
      ? `Settled size in each phase (median of its second half): ${levels}.`
      : `Median size: ${levels}.`) +
    (top
      ? ` Just after a phase change the window still holds the old phase's pages: with Δ = ${widest.delta}, W peaks at ${top.peak} pages at reference ${top.at}.`
      : "") +
    (sorted.length > 1 ? " A wider window never sees fewer pages." : "");
  const most = Math.max(1, ...data.map((d) => d.size));
  return chart({
    title: options.title ?? "The working set over time: how many pages the program is using",
    caption,
    marginRight: 20,
    marginTop: 30,
    x: { label: "Time t (references)", domain: [0, Math.max(1, length - 1)] },
    y: {
      label: "Working-set size W(t, Δ) (pages)",
      domain: [0, most + 2],
      ticks: integerTicks(0, most + 2, 10),
      tickFormat: "d",
    },
    color: { domain: names, range: [...THEME.colors] },
    marks: [
      Plot.ruleX(phases.filter((p) => p.start > 0), {
        x: "start",
        stroke: "#555",
        strokeDasharray: "4,3",
      }),
      Plot.text(phases, {
        x: "start",
        frameAnchor: "top",
        text: "label",
        textAnchor: "start",
        lineAnchor: "top",
        dx: 4,
        dy: 4,
        fill: "#555",
      }),
      Plot.line(data, {
        x: "t",
        y: "size",
        stroke: "window",
        curve: "step-after",
        strokeWidth: 1.5,
      }),
      ...names.map((name, i) =>
        Plot.text([name], {
          frameAnchor: "bottom-right",
          text: (d: string) => `— ${d} references`,
          fill: THEME.colors[i % THEME.colors.length],
          dy: -16 * (names.length - 1 - i) - 4,
          dx: -4,
          fontWeight: "bold",
        })
      ),
    ],
  });
}

/** One degree of multiprogramming, e.g. a point of `thrashingCurve(...).points`. */
export interface ThrashingChartPoint {
  /** Processes running. */
  processes: number;
  /** The working sets of all processes together, in pages. */
  totalWorkingSetPages: number;
  /** Frames of memory shared by all processes. */
  frames: number;
  /** The share of time spent on useful work, 0 to 1. */
  cpuUtilisation: number;
}

/**
 * Chart useful work (CPU utilisation) against the degree of
 * multiprogramming, with the line where the working sets stop fitting in the
 * frames and the knee (the first point past it) circled.
 *
 * @param result The points, and the knee as `thrashingCurve` reports it.
 * @param options `by: "processes"` (the default) puts the number of processes
 *   on the x-axis; `by: "load"` puts the total working set divided by the frames.
 * @returns A {@linkcode Chart}.
 *
 * @example Two processes fit in 100 frames, the third does not
 * ```ts
 * import { thrashingChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = thrashingChart({ kneeProcesses: 3, points: [
 *   { processes: 1, totalWorkingSetPages: 40, frames: 100, cpuUtilisation: 0.9 },
 *   { processes: 2, totalWorkingSetPages: 80, frames: 100, cpuUtilisation: 0.9 },
 *   { processes: 3, totalWorkingSetPages: 120, frames: 100, cpuUtilisation: 0.05 },
 * ] });
 * assert.match(c.svg, /CPU utilisation \(% of time on useful work\)/);
 * assert.match(c.svg, /knee: 3 processes, 5%/);
 * assert.match(c.caption, /falls to 5%/);
 * ```
 */
export function thrashingChart(
  result: { points: readonly ThrashingChartPoint[]; kneeProcesses: number | null },
  options: { by?: "processes" | "load"; title?: string } = {},
): Chart {
  const points = result?.points;
  if (!Array.isArray(points as unknown) || points.length === 0) {
    throw new TypeError(
      `Cannot draw thrashing curve: points must be a non-empty array: received ${
        JSON.stringify(points ?? null)
      }`,
    );
  }
  const by = options.by ?? "processes";
  if (by !== "processes" && by !== "load") {
    throw new RangeError(
      `Cannot draw thrashing curve: by must be "processes" or "load": received ${
        JSON.stringify(by)
      }`,
    );
  }
  const frames = points[0].frames;
  const data = [...points].sort((a, b) => a.processes - b.processes).map((p) => ({
    ...p,
    x: by === "processes" ? p.processes : Math.round((p.totalWorkingSetPages / frames) * 1000) /
      1000,
    percent: Math.round(p.cpuUtilisation * 1000) / 10,
  }));
  const pct = (p: { percent: number }) => `${Number(p.percent.toFixed(p.percent < 10 ? 1 : 0))}%`;
  const pagesPerProcess = data[0].totalWorkingSetPages / data[0].processes;
  const fitX = by === "processes" ? frames / pagesPerProcess : 1;
  const knee = data.find((p) => p.processes === result.kneeProcesses) ?? null;
  const fitting = data.filter((p) => p.totalWorkingSetPages <= frames);
  const lastFit = fitting.at(-1) ?? null;
  const worst = data.at(-1)!;
  const fitText = lastFit
    ? `Up to ${lastFit.processes} process${
      lastFit.processes === 1 ? "" : "es"
    } (${lastFit.totalWorkingSetPages} pages of working set in ${frames} frames) the working sets fit and the CPU does useful work ${
      pct(lastFit)
    } of the time.`
    : `Even 1 process needs more than the ${frames} frames.`;
  const kneeText = knee
    ? ` At ${knee.processes} processes the working sets need ${knee.totalWorkingSetPages} pages: useful work falls to ${
      pct(knee)
    }${
      worst !== knee ? `, and to ${pct(worst)} at ${worst.processes}` : ""
    }. That cliff is thrashing.`
    : " Every working set fits: no thrashing in the range tried.";
  const maxX = Math.max(...data.map((d) => d.x), fitX);
  return chart({
    title: options.title ?? "Thrashing: useful work collapses once the working sets stop fitting",
    caption: fitText + kneeText,
    marginRight: 30,
    marginTop: 30,
    x: by === "processes"
      ? {
        label: "Degree of multiprogramming (processes)",
        domain: [0, maxX + 0.5],
        ticks: integerTicks(0, Math.ceil(maxX + 0.5)),
        tickFormat: "d",
      }
      : { label: "Total working set ÷ frames (ratio)", domain: [0, maxX * 1.05] },
    y: { label: "CPU utilisation (% of time on useful work)", domain: [0, 105] },
    marks: [
      Plot.ruleX([fitX], { stroke: "#555", strokeDasharray: "4,3" }),
      Plot.text([fitX], {
        x: (d: number) => d,
        frameAnchor: "top",
        text: () => `total working set = ${frames} frames`,
        textAnchor: "start",
        lineAnchor: "top",
        dx: 4,
        dy: 4,
        fill: "#555",
      }),
      Plot.line(data, { x: "x", y: "percent", stroke: THEME.colors[0], strokeWidth: 2 }),
      Plot.dot(data, { x: "x", y: "percent", fill: THEME.colors[0], r: 3.5 }),
      Plot.dot(knee ? [knee] : [], {
        x: "x",
        y: "percent",
        r: 10,
        stroke: ANOMALY,
        strokeWidth: 2,
      }),
      Plot.text(knee ? [knee] : [], {
        x: "x",
        y: "percent",
        text: (k: ThrashingChartPoint & { percent: number }) =>
          `knee: ${k.processes} processes, ${pct(k)}`,
        dx: 14,
        dy: -14,
        textAnchor: "start",
        fill: ANOMALY,
        fontWeight: "bold",
      }),
      Plot.ruleY([0]),
    ],
  });
}
