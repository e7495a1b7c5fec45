/**
 * Charts of a sampled child process over time (a `top` you can read after
 * the fact): its resident set, its page faults, or its CPU share.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { type Chart, chart, THEME } from "./render.ts";
import { formatSize } from "./format.ts";

/** One sample, as `sampleProcess` returns it. */
export interface SampledPoint {
  tMs: number;
  rssBytes: number;
  minorFaults: number;
  majorFaults: number;
  cpuPercent: number | null;
}

const METRICS = {
  rss: { label: "Resident set (MiB)", value: (s: SampledPoint) => s.rssBytes / 1048576 },
  faults: { label: "Minor page faults so far (count)", value: (s: SampledPoint) => s.minorFaults },
  cpu: { label: "CPU (% of one core)", value: (s: SampledPoint) => s.cpuPercent ?? 0 },
} as const;

/**
 * Chart one metric of a sampled process against time. The caption is
 * written from the samples: where the metric started, peaked and ended.
 *
 * @param samples The samples (at least one), e.g. `trace.samples`.
 * @param options `metric`: `"rss"` (default), `"faults"` or `"cpu"`; an optional `title`;
 *   `pageBytes`, the page size the process ran with (`trace.units.pageBytes`), for the faults caption.
 * @returns A {@linkcode Chart}.
 * @throws {TypeError} If there are no samples or the metric is unknown.
 *
 * @example RSS rising
 * ```ts
 * import { processTraceChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const s = (tMs: number, mib: number) => ({ tMs, rssBytes: mib * 1048576, minorFaults: mib * 256, majorFaults: 0, cpuPercent: 50 });
 * const c = processTraceChart([s(0, 10), s(100, 50), s(200, 40)]);
 * assert.match(c.svg, /Resident set \(MiB\)/);
 * assert.match(c.caption, /peaked at 50 MiB/);
 * ```
 */
export function processTraceChart(
  samples: readonly SampledPoint[],
  options: { metric?: keyof typeof METRICS; title?: string; pageBytes?: number } = {},
): Chart {
  if (!Array.isArray(samples as unknown) || samples.length === 0) {
    throw new TypeError(
      `Cannot draw process trace: samples must be a non-empty array: received ${
        JSON.stringify(samples)?.slice(0, 40)
      }`,
    );
  }
  const metric = options.metric ?? "rss";
  const m = METRICS[metric];
  if (!m) {
    throw new TypeError(
      `Cannot draw process trace: metric must be "rss", "faults" or "cpu": received ${
        JSON.stringify(metric)
      }`,
    );
  }
  const data = samples.map((s) => ({ t: s.tMs / 1000, v: m.value(s) }));
  const first = samples[0];
  const last = samples[samples.length - 1];
  const peak = samples.reduce((a, b) => (m.value(b) > m.value(a) ? b : a));
  const seconds = (x: SampledPoint) => `${(x.tMs / 1000).toFixed(2)} s`;
  let caption: string;
  if (metric === "rss") {
    caption =
      `Resident set ${formatSize(first.rssBytes)} at the first sample, peaked at ${
        formatSize(peak.rssBytes)
      } at ${seconds(peak)}, ${formatSize(last.rssBytes)} at the last (${seconds(last)}). ` +
      (last.rssBytes < peak.rssBytes * 0.8
        ? "It fell after the peak: memory was given back before the end."
        : "It did not fall back: it ended within 20% of its peak.");
  } else if (metric === "faults") {
    const n = last.minorFaults - first.minorFaults;
    const page = options.pageBytes ?? 4096;
    caption = `${n.toLocaleString("en-US")} minor faults between the first and last sample (${
      formatSize(n * page)
    } if each is a first touch of a ${formatSize(page)} page${
      options.pageBytes === undefined
        ? ", the usual size: pass pageBytes to use the measured one"
        : ""
    }); ${last.majorFaults} major. Flat stretches are time spent without touching new memory.`;
  } else {
    const shares = samples.flatMap((s) => (s.cpuPercent === null ? [] : [s.cpuPercent]));
    const mean = shares.length ? shares.reduce((a, b) => a + b, 0) / shares.length : 0;
    caption = `Mean CPU share ${mean.toFixed(0)}% of one core over ${shares.length} intervals; ` +
      "CPU time is counted in clock ticks (usually 10 ms), so short intervals read as 0% or a jump.";
  }
  return chart({
    title: options.title ??
      (metric === "rss"
        ? "The child's resident set over time"
        : metric === "faults"
        ? "The child's page faults over time"
        : "The child's CPU share over time"),
    caption,
    height: 260,
    x: { label: "Time since start (s)" },
    y: { label: m.label, grid: true },
    marks: [
      Plot.line(data, { x: "t", y: "v", stroke: THEME.colors[0] }),
      Plot.dot(data, { x: "t", y: "v", r: 2, fill: THEME.colors[0] }),
      Plot.ruleY([0]),
    ],
  });
}

let liveCharts = 0;

/** A chart that redraws in place in a Jupyter notebook as data arrives. */
export interface LiveChart<T> {
  /** Add a point; the chart is redrawn at most every `minIntervalMs`. */
  push(point: T): Promise<void>;
  /** Draw the final chart in place and return it (also when not in a notebook). */
  done(): Promise<Chart | null>;
}

/**
 * Redraw a chart in place while a measurement runs (Jupyter's
 * `update_display_data`); outside a notebook only the final chart is made.
 *
 * @param draw Draws the chart from the points so far (called with at least one).
 * @param options `minIntervalMs` between redraws (default 250).
 * @returns A {@linkcode LiveChart}.
 *
 * @example Outside a notebook, done() returns the final chart
 * ```ts
 * import { liveChart, processTraceChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const live = liveChart(processTraceChart);
 * await live.push({ tMs: 0, rssBytes: 1048576, minorFaults: 0, majorFaults: 0, cpuPercent: null });
 * const c = await live.done();
 * assert.ok(c && c.svg.includes("Resident set"));
 * ```
 */
export function liveChart<T>(
  draw: (points: T[]) => Chart,
  options: { minIntervalMs?: number } = {},
): LiveChart<T> {
  const points: T[] = [];
  const minInterval = options.minIntervalMs ?? 250;
  const id = `memgarden-live-${++liveCharts}`;
  // Deno.jupyter exists only inside `deno jupyter`; elsewhere reading it throws.
  let jupyter: { broadcast?: unknown } | undefined;
  try {
    // deno-lint-ignore no-explicit-any
    jupyter = (globalThis as any).Deno?.jupyter;
  } catch {
    jupyter = undefined;
  }
  let shown = false;
  let last = -Infinity;
  const send = async (final: boolean) => {
    if (points.length === 0) return null;
    const c = draw(points);
    if (typeof jupyter?.broadcast !== "function") return c;
    const data = (c as unknown as Record<symbol, () => Record<string, string>>)[
      Symbol.for("Jupyter.display")
    ]();
    try {
      // deno-lint-ignore no-explicit-any
      await (jupyter as any).broadcast(shown ? "update_display_data" : "display_data", {
        data,
        metadata: {},
        transient: { display_id: id },
      });
      shown = true;
    } catch { /* not a kernel: nothing to update */ }
    void final;
    return c;
  };
  return {
    async push(p) {
      points.push(p);
      const now = Date.now();
      if (now - last >= minInterval) {
        last = now;
        await send(false);
      }
    },
    async done() {
      return await send(true);
    },
  };
}
