// Private: a legend drawn inside the frame, one bold coloured line per series.
import * as Plot from "@observablehq/plot";

/** One legend entry: its text, colour and symbol (a dash for lines, a dot for points). */
export interface LegendEntry {
  text: string;
  color: string;
  symbol?: string;
}

/** Legend lines stacked from the frame's top-left corner, each with a white halo over the data. */
export function topLeftLegend(entries: readonly LegendEntry[]): Plot.Markish[] {
  return entries.map((e, i) =>
    Plot.text([e.text], {
      frameAnchor: "top-left",
      text: (d: string) => `${e.symbol ?? "—"} ${d}`,
      fill: e.color,
      dy: 6 + 16 * i,
      dx: 6,
      fontWeight: "bold",
      stroke: "white",
      strokeWidth: 3,
      paintOrder: "stroke",
    })
  );
}
