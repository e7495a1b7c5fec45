/**
 * Charts for garbage collection: the simulated collectors side by side
 * (total work against the longest pause, memory reserved against memory
 * used, pauses along the run, occupancy over time, heap maps before and after
 * a collection), V8's real pauses, and leak-detector samples.
 *
 * Each function takes plain result data and returns a {@linkcode Chart} whose
 * caption is written from the data it draws.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { type Chart, chart, THEME } from "./render.ts";
import { formatSize } from "./format.ts";
import type { GcHeapMap, GcRunResult } from "../gc/mod.ts";
import type { LeakReport } from "../probe/leak_detector.ts";
import type { V8PauseResult } from "../probe/v8_heap.ts";

function nonEmpty<T>(what: string, items: readonly T[]): void {
  if (!Array.isArray(items as unknown) || items.length === 0) {
    throw new TypeError(
      `Cannot draw ${what}: expected a non-empty array: received ${JSON.stringify(items)}`,
    );
  }
}

const by = <T>(items: readonly T[], key: (t: T) => number, pick: "min" | "max") =>
  items.reduce((
    best,
    t,
  ) => ((pick === "min" ? key(t) < key(best) : key(t) > key(best)) ? t : best));

/**
 * Total collector work against the longest pause, one dot per collector:
 * throughput is to the left, responsiveness at the bottom.
 *
 * @param runs Runs of the same workload under different collectors.
 * @returns A {@linkcode Chart}.
 *
 * @example Two collectors
 * ```ts
 * import { gcTradeoffChart, generateGcWorkload, runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const ops = generateGcWorkload({ seed: 1, objectCount: 300 });
 * const runs = ["mark-sweep", "generational"].map((collector) =>
 *   runGcWorkload(ops, { collector: collector as "mark-sweep", heapBytes: 4096 }));
 * const c = gcTradeoffChart(runs);
 * assert.match(c.svg, /Longest pause \(work units\)/);
 * assert.match(c.caption, /shortest longest pause/);
 * ```
 */
export function gcTradeoffChart(runs: readonly GcRunResult[]): Chart {
  nonEmpty("the trade-off chart", runs);
  const data = runs.map((r) => ({
    collector: r.collector,
    work: r.totals.gcWorkUnits + r.totals.mutatorOverheadUnits,
    pause: r.totals.maxPauseUnits,
  }));
  const cheapest = by(data, (d) => d.work, "min");
  const calmest = by(data, (d) => d.pause, "min");
  return chart({
    title: "Total work against the longest pause",
    caption:
      `${cheapest.collector} does the least work in all (${cheapest.work} units, collector plus mutator-side overhead); ${calmest.collector} has the shortest longest pause (${calmest.pause} units). Work is counted in units (objects traced, pointers scanned, objects swept, words copied), the same on every machine.`,
    x: {
      label: "Total work: collections + mutator overhead (work units)",
      grid: true,
      nice: true,
      zero: true,
    },
    y: { label: "Longest pause (work units)", grid: true, nice: true, zero: true },
    color: { legend: true, domain: data.map((d) => d.collector) },
    marks: [
      Plot.dot(data, { x: "work", y: "pause", fill: "collector", r: 6 }),
      Plot.text(data, { x: "work", y: "pause", text: "collector", dy: -12, fontSize: 11 }),
    ],
  });
}

/**
 * Memory each collector reserves, what the mutator can fill, and the most it
 * ever held: copying pays for its speed with a second semispace.
 *
 * @param runs Runs of the same workload under different collectors.
 * @returns A {@linkcode Chart}.
 *
 * @example Copying reserves half
 * ```ts
 * import { gcMemoryChart, generateGcWorkload, runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const ops = generateGcWorkload({ seed: 1, objectCount: 200 });
 * const c = gcMemoryChart([runGcWorkload(ops, { collector: "copying", heapBytes: 4096 })]);
 * assert.match(c.caption, /copying can fill 50%/);
 * ```
 */
export function gcMemoryChart(runs: readonly GcRunResult[]): Chart {
  nonEmpty("the memory chart", runs);
  const kinds = ["usable", "reserved (not usable at once)", "peak held by objects"];
  const data = runs.flatMap((r) => [
    { collector: r.collector, kind: kinds[0], bytes: r.capacityBytes },
    { collector: r.collector, kind: kinds[1], bytes: r.heapBytes - r.capacityBytes },
    { collector: r.collector, kind: kinds[2], bytes: r.totals.peakOccupancyBytes },
  ]);
  const shares = runs.map((r) =>
    `${r.collector} can fill ${Math.round((100 * r.capacityBytes) / r.heapBytes)}%`
  );
  return chart({
    title: "Heap reserved, usable, and used",
    caption: `Of the same ${formatSize(runs[0].heapBytes)} heap, ${
      shares.join(", ")
    }. The third bar is the most the objects held at once.`,
    x: { label: "Bytes", grid: true },
    y: { label: null, axis: null },
    fy: { label: null },
    color: { legend: true, domain: kinds, range: [THEME.colors[0], "#cccccc", THEME.colors[1]] },
    marginLeft: 100,
    marks: [
      Plot.barX(data, { x: "bytes", y: "kind", fy: "collector", fill: "kind" }),
      Plot.ruleX([0]),
    ],
  });
}

/**
 * Each collection's pause along the workload, one row of dots per collector.
 *
 * @param runs Runs of the same workload.
 * @returns A {@linkcode Chart}.
 *
 * @example Pauses as dots
 * ```ts
 * import { gcPauseTimelineChart, generateGcWorkload, runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const ops = generateGcWorkload({ seed: 2, objectCount: 300 });
 * const c = gcPauseTimelineChart([runGcWorkload(ops, { collector: "generational", heapBytes: 4096 })]);
 * assert.match(c.svg, /Pause \(work units\)/);
 * ```
 */
export function gcPauseTimelineChart(runs: readonly GcRunResult[]): Chart {
  nonEmpty("the pause timeline", runs);
  const data = runs.flatMap((r) =>
    r.collections.map((c) => ({
      collector: r.collector,
      line: c.op ?? 0,
      pause: c.pauseUnits,
      kind: c.kind,
    }))
  );
  const parts = runs.map((r) => {
    const n = r.collections.length;
    const mean = n ? r.collections.reduce((s, c) => s + c.pauseUnits, 0) / n : 0;
    return `${r.collector}: ${n} collections, mean ${mean.toFixed(0)} units`;
  });
  return chart({
    title: "Every collection's pause along the run",
    caption: `${
      parts.join("; ")
    }. Many small pauses or a few large ones: the same total can be spread very differently.`,
    x: { label: "Time (workload lines run, one operation each)", grid: true },
    y: { label: "Pause (work units)", grid: true, nice: true, zero: true },
    color: { legend: true, domain: runs.map((r) => r.collector) },
    symbol: { domain: ["full", "minor", "rc"], range: ["circle", "plus", "diamond"] },
    marks: [Plot.dot(data, { x: "line", y: "pause", stroke: "collector", symbol: "kind", r: 3 })],
  });
}

/**
 * Bytes held by objects over the run, one line per collector: a sawtooth,
 * each drop a collection.
 *
 * @param runs Runs (their occupancy samples).
 * @param options Labels for the runs (default: the collectors' names), a title, a caption.
 * @returns A {@linkcode Chart}.
 *
 * @example A line per run
 * ```ts
 * import { gcOccupancyChart, generateGcWorkload, runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const ops = generateGcWorkload({ seed: 2, objectCount: 300 });
 * const c = gcOccupancyChart([runGcWorkload(ops, { collector: "rc", heapBytes: 4096 })]);
 * assert.match(c.svg, /Held by objects \(bytes\)/);
 * ```
 */
export function gcOccupancyChart(
  runs: readonly GcRunResult[],
  options: { labels?: readonly string[]; title?: string; caption?: string } = {},
): Chart {
  nonEmpty("the occupancy chart", runs);
  const labels = options.labels ?? runs.map((r) => r.collector);
  if (labels.length !== runs.length) {
    throw new RangeError(
      `Cannot draw the occupancy chart: labels must name each run (${runs.length}): received ${labels.length}`,
    );
  }
  const data = runs.flatMap((r, i) => r.occupancy.map((s) => ({ collector: labels[i], ...s })));
  const rc = runs.find((r) => r.collector === "rc");
  const note = rc
    ? ` Reference counting frees as it goes, so its line stays low, except for what cycles hold (${
      formatSize(rc.final.occupancyBytes)
    } at the end).`
    : "";
  return chart({
    title: options.title ?? "Bytes held by objects during the run",
    caption: options.caption ??
      `Tracing collectors let garbage pile up until a collection, then drop back.${note}`,
    x: { label: "Time (workload lines run, one operation each)", grid: true },
    y: { label: "Held by objects (bytes)", grid: true, zero: true },
    color: { legend: true, domain: [...labels] },
    marks: [Plot.line(data, { x: "line", y: "bytes", stroke: "collector", curve: "step-after" })],
  });
}

/**
 * Heap maps as strips, one per label: every object a block coloured by
 * whether it is live, garbage or free space, at its address.
 *
 * @param maps Labelled heap maps (e.g. a record's `heapBefore` and `heapAfter`).
 * @param options An optional title.
 * @returns A {@linkcode Chart}.
 *
 * @example Before and after compaction
 * ```ts
 * import { gcHeapMapChart, runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = runGcWorkload("new a 16 0\nnew b 16 0\nnew c 16 0\nroot a\nroot c\ngc\n",
 *   { collector: "mark-compact", heapBytes: 64, heapMaps: true });
 * const c = r.collections[0];
 * const chart = gcHeapMapChart([{ label: "before", map: c.heapBefore! }, { label: "after", map: c.heapAfter! }]);
 * assert.match(chart.caption, /before: 2 live, 1 garbage/);
 * assert.match(chart.svg, /Address \(bytes\)/);
 * ```
 */
export function gcHeapMapChart(
  maps: readonly { label: string; map: GcHeapMap }[],
  options: { title?: string } = {},
): Chart {
  nonEmpty("heap maps", maps);
  const status = ["live", "garbage", "free"];
  const blocks = maps.flatMap(({ label, map }) =>
    map.blocks.map((b) => ({ label, ...b, end: b.address + b.sizeBytes, name: b.id ?? "" }))
  );
  const regions = maps.flatMap(({ label, map }) =>
    map.regions.filter((r) => r.start > 0).map((r) => ({ label, at: r.start }))
  );
  const counts = maps.map(({ label, map }) => {
    const n = (s: string) => map.blocks.filter((b) => b.status === s).length;
    const holes = map.blocks.filter((b) => b.status === "free").length;
    return `${label}: ${n("live")} live, ${n("garbage")} garbage, ${holes} free stretch${
      holes === 1 ? "" : "es"
    }`;
  });
  const showNames = blocks.filter((b) => b.name).length <= 40;
  return chart({
    title: options.title ?? "The heap, address by address",
    caption: `${
      counts.join("; ")
    }. Dark lines separate the collector's regions (semispaces, nursery, old generation).`,
    height: 60 + 50 * maps.length,
    marginLeft: 90,
    x: { label: "Address (bytes)", domain: [0, Math.max(...maps.map((m) => m.map.heapBytes))] },
    y: { label: "Snapshot", domain: maps.map((m) => m.label) },
    color: { legend: true, domain: status, range: [THEME.colors[2], THEME.colors[3], "#eeeeee"] },
    marks: [
      Plot.rectX(blocks, {
        x1: "address",
        x2: "end",
        y: "label",
        fill: "status",
        stroke: "white",
        insetTop: 4,
        insetBottom: 4,
      }),
      ...(showNames
        ? [
          Plot.text(blocks.filter((b) => b.name), {
            x: (d) => (d.address + d.end) / 2,
            y: "label",
            text: "name",
            fontSize: 10,
            fill: "white",
          }),
        ]
        : []),
      Plot.tickX(regions, { x: "at", y: "label", stroke: "black", strokeWidth: 2 }),
    ],
  });
}

/**
 * V8's real pauses from {@linkcode V8PauseResult}: each collection at the
 * time it happened, minor (scavenge) and major (mark-compact) apart.
 *
 * @param result A result of `measureGcPauses`.
 * @returns A {@linkcode Chart}.
 *
 * @example Recorded events
 * ```ts
 * import { v8PauseChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const events = [
 *   { atMs: 10, name: "Scavenge", kind: "minor" as const, usedBeforeMB: 3, usedAfterMB: 2, pauseMs: 0.8, reason: "" },
 *   { atMs: 90, name: "Mark-Compact", kind: "major" as const, usedBeforeMB: 9, usedAfterMB: 4, pauseMs: 6, reason: "" },
 * ];
 * const c = v8PauseChart({ events, minorPausesMs: [0.8], majorPausesMs: [6], durationMs: 100 } as never);
 * assert.match(c.caption, /1 minor collection/);
 * assert.match(c.svg, /Pause \(ms\)/);
 * ```
 */
export function v8PauseChart(result: V8PauseResult): Chart {
  const { events, minorPausesMs: minor, majorPausesMs: major } = result;
  const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];
  const say = (n: number, what: string, xs: number[]) =>
    `${n} ${what} collection${n === 1 ? "" : "s"}${
      n ? ` (median ${median(xs).toFixed(2)} ms, longest ${xs.at(-1)!.toFixed(2)} ms)` : ""
    }`;
  const ratio = minor.length && major.length ? median(major) / median(minor) : null;
  const compare = ratio === null
    ? ""
    : ratio > 1
    ? ` Here a major collection's median pause was ${ratio.toFixed(1)}× a minor one's.`
    : ` Here a major collection's median pause was not longer than a minor one's (${
      ratio.toFixed(2)
    }×): with little old data, marking the whole heap is quick.`;
  return chart({
    title: "V8's collections during an allocation loop (measured)",
    caption: `${say(minor.length, "minor", minor)} and ${say(major.length, "major", major)} in ${
      result.durationMs.toFixed(0)
    } ms.${compare} Wall-clock pauses: a busy machine stretches them.`,
    x: { label: "Time since the process started (ms)", grid: true },
    y: { label: "Pause (ms)", type: "log", grid: true },
    color: { legend: true, domain: ["minor", "major"] },
    marks: [
      Plot.dot(events, { x: "atMs", y: (e) => Math.max(e.pauseMs, 0.01), stroke: "kind", r: 4 }),
    ],
  });
}

/**
 * Leak-detector samples: bytes held after a full collection against the
 * number of calls, one line per report, the idle sample ringed.
 *
 * @param reports Labelled reports of `detectLeak`.
 * @returns A {@linkcode Chart}.
 *
 * @example One leaking, one not
 * ```ts
 * import { leakChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = (leaking: boolean, grow: number) => ({
 *   leaking,
 *   bytesPerIteration: grow,
 *   samples: [0, 1, 2].map((k) => ({ phase: k === 0 ? "baseline" : "exercise", iteration: k * 100, heldBytes: 1e6 + k * 100 * grow })),
 * }) as never;
 * const c = leakChart([{ label: "cache", report: r(true, 200) }, { label: "lru", report: r(false, 0) }]);
 * assert.match(c.caption, /cache: leaking/);
 * assert.match(c.caption, /lru: no leak/);
 * ```
 */
export function leakChart(reports: readonly { label: string; report: LeakReport }[]): Chart {
  nonEmpty("the leak chart", reports);
  const data = reports.flatMap(({ label, report }) => {
    const base = report.samples[0].heldBytes;
    return report.samples.map((s) => ({ label, ...s, growthKiB: (s.heldBytes - base) / 1024 }));
  });
  const verdicts = reports.map(({ label, report }) =>
    `${label}: ${
      report.leaking
        ? `leaking, about ${report.bytesPerIteration.toFixed(0)} B per call`
        : "no leak"
    }`
  );
  return chart({
    title: "Memory held after each round (baseline → exercise → idle)",
    caption: `${
      verdicts.join("; ")
    }. Each point is measured after a forced full collection, so only reachable memory counts; the ringed point is after idling.`,
    x: { label: "Calls made", grid: true },
    y: { label: "Held over the baseline (KiB)", grid: true },
    color: { legend: true, domain: reports.map((r) => r.label) },
    marks: [
      Plot.ruleY([0]),
      Plot.line(data, { x: "iteration", y: "growthKiB", stroke: "label" }),
      Plot.dot(data.filter((d) => d.phase !== "idle"), {
        x: "iteration",
        y: "growthKiB",
        fill: "label",
        r: 3,
      }),
      Plot.dot(data.filter((d) => d.phase === "idle"), {
        x: "iteration",
        y: "growthKiB",
        stroke: "label",
        r: 7,
        strokeWidth: 2,
      }),
    ],
  });
}
