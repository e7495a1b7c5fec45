import * as Plot from "@observablehq/plot";
import { type Chart, chart } from "./render.ts";
import { formatDuration, formatSize } from "./format.ts";
import { type SizeMarker, sizeMarkerMarks } from "./_marks.ts";

/** A level of the hierarchy to draw: a name, a size and a latency. */
export interface HierarchyPoint {
  name: string;
  sizeBytes: number;
  latencyNs: number;
}

/** A size found on this machine, drawn as a marker across the chart. */
export type { SizeMarker };

/**
 * Chart the memory hierarchy: size against latency, both on log scales, with
 * optional markers for the sizes known for this machine (only those: an
 * unknown cache gets no marker; see `cacheSizeMarkers`).
 *
 * @param levels The levels, fastest first.
 * @param markers Sizes measured on this machine (cache sizes, RAM), drawn as rules.
 * @returns A {@linkcode Chart}.
 *
 * @example Two levels and one marker
 * ```ts
 * import { hierarchyChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = hierarchyChart(
 *   [{ name: "L1", sizeBytes: 32768, latencyNs: 1 }, { name: "RAM", sizeBytes: 2 ** 34, latencyNs: 90 }],
 *   [{ label: "L1d (/sys)", sizeBytes: 32768 }],
 * );
 * assert.match(c.svg, /Access latency \(ns\)/);
 * assert.match(c.html, /L1d \(\/sys\) 32 KiB/);
 * assert.match(hierarchyChart([{ name: "L1", sizeBytes: 32768, latencyNs: 1 }, { name: "RAM", sizeBytes: 2 ** 34, latencyNs: 90 }]).html, /none is marked/);
 * ```
 */
export function hierarchyChart(
  levels: readonly HierarchyPoint[],
  markers: readonly SizeMarker[] = [],
): Chart {
  const data = levels.map((l) => ({ ...l, label: `${l.name} · ${formatSize(l.sizeBytes)}` }));
  return chart({
    title: "The memory hierarchy: each level is bigger and slower than the one before",
    caption: markers.length
      ? "Dots: typical levels (round figures). Dashed lines: sizes known for this machine, each labelled with where it came from. Both axes are logarithmic: each grid step is ten times more."
      : "Dots: typical levels (round figures); no size of this machine is known, so none is marked. Both axes are logarithmic: each grid step is ten times more.",
    height: 420,
    marginRight: 150,
    marginLeft: 64,
    x: {
      type: "log",
      label: "Capacity (bytes, binary prefixes)",
      ticks: [2 ** 10, 2 ** 20, 2 ** 30, 2 ** 40],
      tickFormat: (d: number) => formatSize(d),
    },
    y: {
      type: "log",
      label: "Access latency (ns)",
      ticks: [0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7],
      tickFormat: (d: number) => formatDuration(d),
    },
    marks: [
      ...sizeMarkerMarks(markers),
      Plot.line(data, { x: "sizeBytes", y: "latencyNs", stroke: "#0072B2" }),
      Plot.dot(data, { x: "sizeBytes", y: "latencyNs", fill: "#0072B2", r: 4 }),
      Plot.text(data, {
        x: "sizeBytes",
        y: "latencyNs",
        text: "label",
        dx: 8,
        textAnchor: "start",
      }),
    ],
  });
}
