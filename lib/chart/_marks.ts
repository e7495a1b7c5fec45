// Private marks shared by the topic charts.
import * as Plot from "@observablehq/plot";
import { formatSize } from "./format.ts";

/** The colour of annotations drawn over data: sizes read from the machine, knees, anomalies. */
export const MARK_COLOR = "#D55E00";

/** A size to mark across a chart, e.g. a cache size read from /sys. */
export interface SizeMarker {
  label: string;
  sizeBytes: number;
}

/** Dashed vertical rules at the given sizes, labelled "<label> <size>" along the rule. */
export function sizeMarkerMarks(markers: readonly SizeMarker[]): Plot.Markish[] {
  return [
    Plot.ruleX(markers, { x: "sizeBytes", stroke: MARK_COLOR, strokeDasharray: "4,3" }),
    Plot.text(markers, {
      x: "sizeBytes",
      frameAnchor: "top",
      text: (m: SizeMarker) => `${m.label} ${formatSize(m.sizeBytes)}`,
      rotate: -90,
      textAnchor: "end",
      lineAnchor: "bottom",
      dx: -3,
      fill: MARK_COLOR,
      fontSize: 10,
      // A white halo keeps the label readable where it crosses a data line.
      stroke: "white",
      strokeWidth: 3,
      paintOrder: "stroke",
    }),
  ];
}
