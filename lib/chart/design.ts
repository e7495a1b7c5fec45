/**
 * Charts of the three design measurements (lesson 10): a reused buffer
 * against one per item, a lazy pipeline against an eager one, and versions
 * kept by structural sharing against defensive copies. Captions are written
 * from the numbers.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { BufferReuseResult, LazinessResult, VersionsResult } from "../probe/design.ts";
import type { VectorSharing } from "../persistent/vector.ts";
import { type Chart, chart, THEME } from "./render.ts";
import { formatSize } from "./format.ts";

const ratio = (a: number, b: number) => (b > 0 ? a / b : Infinity);
const times = (r: number) =>
  Number.isFinite(r) ? `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×` : "infinitely";

/** Powers of 4 between the smallest value and the largest (log-axis ticks in whole sizes). */
function powersOfFour(values: number[]): number[] {
  const lo = Math.ceil(Math.log2(Math.max(1, Math.min(...values))) / 2);
  const hi = Math.floor(Math.log2(Math.max(1, ...values)) / 2);
  return Array.from({ length: hi - lo + 1 }, (_, i) => 4 ** (lo + i));
}

/**
 * Buffer per item against one reused buffer: allocations, collections and
 * time, each bar as a share of the larger of the two, labelled with its value.
 *
 * @param result From `measureBufferReuse`.
 * @returns A {@linkcode Chart}; the caption gives each ratio.
 *
 * @example Ratios in the caption
 * ```ts
 * import { bufferReuseChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const v = (variant: string, allocatedBytes: number, minor: number, ms: number) =>
 *   ({ variant, allocatedBytes, minorCollections: minor, majorCollections: 0, ms });
 * const c = bufferReuseChart({
 *   items: 1000, recordBytes: 64, startupCollections: 0,
 *   variants: [v("per-item", 4e6, 40, 50), v("reused", 1e5, 0, 10)],
 * } as never);
 * assert.match(c.caption, /40× the bytes/);
 * assert.match(c.caption, /40 collections against 0/);
 * ```
 */
export function bufferReuseChart(result: BufferReuseResult): Chart {
  const [per, re] = result.variants;
  const metrics = [
    {
      metric: "Bytes allocated",
      get: (v: typeof per) => v.allocatedBytes,
      fmt: (x: number) => formatSize(x),
    },
    {
      metric: "Collections",
      get: (v: typeof per) => v.minorCollections + v.majorCollections,
      fmt: (x: number) => String(x),
    },
    { metric: "Time", get: (v: typeof per) => v.ms, fmt: (x: number) => `${x.toFixed(0)} ms` },
  ];
  const label = (
    v: typeof per,
  ) => (v.variant === "per-item" ? "new buffer per record" : "one reused buffer");
  const data = metrics.flatMap((m) => {
    const top = Math.max(m.get(per), m.get(re)) || 1;
    return [per, re].map((v) => ({
      metric: m.metric,
      variant: label(v),
      share: (100 * m.get(v)) / top,
      text: m.fmt(m.get(v)),
    }));
  });
  const cPer = per.minorCollections + per.majorCollections;
  const cRe = re.minorCollections + re.majorCollections;
  return chart({
    title: `${
      result.items.toLocaleString("en")
    } records of ${result.recordBytes} B: allocate each, or reuse one buffer`,
    caption: `A new buffer per record allocated ${
      times(ratio(per.allocatedBytes, re.allocatedBytes))
    } the bytes of a reused one, needed ${cPer} collections against ${cRe}, and took ${
      times(ratio(per.ms, re.ms))
    } as long on this machine.`,
    marginLeft: 110,
    marginRight: 90,
    height: 260,
    fy: { label: null },
    x: { label: "Share of the larger variant (%)", domain: [0, 100], grid: true },
    y: { label: "Variant", axis: null },
    color: {
      legend: true,
      domain: [label(per), label(re)],
      range: [THEME.colors[1], THEME.colors[0]],
    },
    marks: [
      Plot.barX(data, { fy: "metric", y: "variant", x: "share", fill: "variant" }),
      Plot.text(data, {
        fy: "metric",
        y: "variant",
        x: "share",
        text: "text",
        textAnchor: "start",
        dx: 4,
      }),
      Plot.ruleX([0]),
    ],
  });
}

/**
 * Peak heap (and peak resident set) of an eager and a lazy pipeline.
 *
 * @param result From `measureLaziness`.
 * @returns A {@linkcode Chart}; the caption gives the ratio of the peaks.
 *
 * @example The ratio in the caption
 * ```ts
 * import { lazinessChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const v = (variant: string, peakHeapBytes: number) =>
 *   ({ variant, peakHeapBytes, rssBeforeBytes: 4e7, peakRssBytes: 4e7 + peakHeapBytes, ms: 10, total: 1 });
 * const c = lazinessChart({ items: 1e6, variants: [v("eager", 6e7), v("lazy", 1e6)] } as never);
 * assert.match(c.caption, /60×/);
 * ```
 */
export function lazinessChart(result: LazinessResult): Chart {
  const data = result.variants.flatMap((v) => {
    const name = v.variant === "eager" ? "eager (arrays)" : "lazy (generators)";
    const rows = [{ variant: name, what: "V8 heap used", mib: v.peakHeapBytes / 2 ** 20 }];
    if (v.peakRssBytes !== null && v.rssBeforeBytes !== null) {
      rows.push({
        variant: name,
        what: "resident set (VmHWM)",
        mib: Math.max(0, v.peakRssBytes - v.rssBeforeBytes) / 2 ** 20,
      });
    }
    return rows;
  });
  const [eager, lazy] = result.variants;
  const rows = data.map((d) => ({ ...d, row: `${d.variant.split(" ")[0]}, ${d.what}` }));
  const top = Math.max(...rows.map((d) => d.mib), 1);
  return chart({
    title: `Peak memory of a pipeline over ${result.items.toLocaleString("en")} records`,
    caption: `The eager pipeline's heap peaked ${
      times(ratio(eager.peakHeapBytes, lazy.peakHeapBytes))
    } higher than the lazy one's (${formatSize(eager.peakHeapBytes)} against ${
      formatSize(lazy.peakHeapBytes)
    }): every stage's array is alive at once, where the generators hold one record at a time.`,
    marginLeft: 190,
    marginRight: 80,
    height: 60 + 36 * rows.length,
    x: { label: "Peak over the start (MiB)", grid: true, domain: [0, top * 1.1] },
    y: { label: "Pipeline, counter", domain: rows.map((d) => d.row) },
    color: { legend: true, domain: ["V8 heap used", "resident set (VmHWM)"] },
    marks: [
      Plot.barX(rows, { y: "row", x: "mib", fill: "what" }),
      Plot.text(rows, {
        y: "row",
        x: "mib",
        text: (d: { mib: number }) => `${d.mib.toFixed(1)} MiB`,
        textAnchor: "start",
        dx: 4,
      }),
      Plot.ruleX([0]),
    ],
  });
}

/**
 * Heap held by N versions, defensive copies against a persistent vector
 * (log–log), with the exact slot count of the shared trie beside them when
 * given (8 bytes a slot).
 *
 * @param result From `measureVersions`.
 * @param model Optional exact counts for the same checkpoints (from `vectorSharing`).
 * @returns A {@linkcode Chart}; the caption compares the last checkpoint.
 *
 * @example The saving in the caption
 * ```ts
 * import { versionsChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = versionsChart({
 *   items: 10000,
 *   variants: [
 *     { variant: "copies", updateNs: 40000, points: [{ versions: 10, retainedBytes: 8e5 }, { versions: 100, retainedBytes: 8e6 }] },
 *     { variant: "persistent", updateNs: 1000, points: [{ versions: 10, retainedBytes: 1e5 }, { versions: 100, retainedBytes: 2e5 }] },
 *   ],
 * } as never);
 * assert.match(c.caption, /100 versions: copies hold 40×/);
 * ```
 */
export function versionsChart(
  result: VersionsResult,
  model?: readonly ({ versions: number } & VectorSharing)[],
): Chart {
  const name = (
    v: string,
  ) => (v === "copies" ? "defensive copies (measured)" : "persistent vector (measured)");
  const data = result.variants.flatMap((v) =>
    v.points.map((p) => ({
      series: name(v.variant),
      versions: p.versions,
      bytes: Math.max(p.retainedBytes, 1),
    }))
  );
  const modelData = (model ?? []).map((m) => ({
    series: "persistent vector (slots × 8 B)",
    versions: m.versions,
    bytes: m.slots * 8,
  }));
  const [copies, pers] = result.variants;
  const lastC = copies.points[copies.points.length - 1];
  const lastP = pers.points[pers.points.length - 1];
  return chart({
    title: `Memory held by N versions of a ${result.items.toLocaleString("en")}-element list`,
    caption: `At ${lastC.versions} versions: copies hold ${
      times(ratio(lastC.retainedBytes, lastP.retainedBytes))
    } the heap of the shared trie (${formatSize(lastC.retainedBytes)} against ${
      formatSize(lastP.retainedBytes)
    }); an update took ${Math.round(copies.updateNs).toLocaleString("en")} ns as a copy, ${
      Math.round(pers.updateNs).toLocaleString("en")
    } ns as a shared path. Copies grow by a whole list per version; the trie by one path.`,
    x: { label: "Versions kept (count)", type: "log", grid: true },
    y: {
      label: "Heap held (bytes)",
      type: "log",
      grid: true,
      ticks: powersOfFour([...data, ...modelData].map((d) => d.bytes)),
      tickFormat: (d: number) => formatSize(d),
    },
    color: { legend: true },
    marks: [
      Plot.line([...data, ...modelData], { x: "versions", y: "bytes", stroke: "series" }),
      Plot.dot(data, { x: "versions", y: "bytes", fill: "series", r: 3 }),
    ],
  });
}
