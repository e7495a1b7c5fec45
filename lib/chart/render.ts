/**
 * Turn an Observable Plot specification into a {@linkcode Chart}: an SVG
 * string drawn server-side with linkedom, shown in Jupyter as SVG and HTML,
 * and writable to a file from `deno run`.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { escapeText as escapeHtml } from "./_escape.ts";

/** The shared look of every chart in the course. */
export const THEME = {
  width: 640,
  height: 360,
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif",
  fontSize: "12px",
  className: "memgarden-plot",
  /**
   * Series colours, friendly to colour-blind readers (Okabe-Ito), ordered so
   * that the first five are far apart in hue and lightness. Vermillion, easy
   * to confuse with the orange, comes last: it is the colour of annotations.
   */
  colors: ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#D55E00", "#F0E442"],
} as const;

/**
 * Room around the frame for 12 px text, which Plot's default margins (made
 * for 10 px) do not leave: the y-axis title sits above the frame and the
 * x-axis title centred below the tick labels, so neither can touch a tick label.
 */
const LAYOUT = {
  /** The y-axis title (3..15 px from the top) clears the top tick label (marginTop ± 6 px). */
  minMarginTop: 30,
  /** Tick labels take 9..22 px below the frame; the x-axis title 32..44 px. */
  minMarginBottom: 46,
  /** Plot's default left margin. */
  defaultMarginLeft: 40,
  /** Width of one character of a 12 px tick label, a little generous. */
  charWidth: 7,
} as const;

/** An axis: its label must name the quantity and its unit, e.g. "Working set (KiB)". */
export type AxisOptions = Plot.ScaleOptions & { label?: string | null };

/** Options for {@linkcode chart}: Plot's options, with a title and labelled axes required. */
export interface ChartOptions extends Omit<Plot.PlotOptions, "title" | "caption" | "x" | "y"> {
  /** What the chart shows, in a few words. */
  title: string;
  /** One sentence that says what to notice. */
  caption?: string;
  /** The x scale; `label` is required unless `axis` is null. */
  x?: AxisOptions;
  /** The y scale; `label` is required unless `axis` is null. */
  y?: AxisOptions;
}

/** A drawn chart: SVG text plus a rich display for Jupyter. */
export interface Chart {
  /** The chart's title. */
  readonly title: string;
  /** The caption (what to notice), or an empty string. */
  readonly caption: string;
  /** A standalone SVG document (with `xmlns`), suitable for a `.svg` file. */
  readonly svg: string;
  /** An HTML fragment: title, SVG and caption. */
  readonly html: string;
  /** The Jupyter MIME bundle: `image/svg+xml`, `text/html` and `text/plain`. */
  [key: symbol]: () => Record<string, string>;
}

const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

function requireLabel(axis: "x" | "y", options: AxisOptions | undefined, hasMarks: boolean) {
  if (!hasMarks || options?.axis === null) return;
  const label = options?.label;
  if (typeof label !== "string" || label.trim() === "") {
    throw new TypeError(
      `Cannot draw chart: ${axis}.label must name the quantity and its unit, e.g. "Size (KiB)": received ${
        JSON.stringify(label ?? null)
      }`,
    );
  }
}

/**
 * Draw a chart with the course's shared look.
 *
 * @param options Plot options plus a required `title`, an optional `caption`,
 *   and labelled `x`/`y` axes (with units).
 * @returns A {@linkcode Chart} whose rich display shows in Jupyter.
 *
 * @example A labelled line chart
 * ```ts
 * import { chart } from "memgarden";
 * import * as Plot from "@observablehq/plot";
 * import assert from "node:assert/strict";
 *
 * const c = chart({
 *   title: "Doubling",
 *   x: { label: "Step (count)" },
 *   y: { label: "Size (bytes)", type: "log" },
 *   marks: [Plot.line([[0, 1], [1, 2], [2, 4]])],
 * });
 * assert.match(c.svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
 * assert.match(c.svg, /Size \(bytes\)/);
 * ```
 */
export function chart(options: ChartOptions): Chart {
  if (typeof options?.title !== "string" || options.title.trim() === "") {
    throw new TypeError(
      `Cannot draw chart: title must be a non-empty string: received ${
        JSON.stringify(options?.title ?? null)
      }`,
    );
  }
  const hasMarks = (options.marks ?? []).length > 0;
  requireLabel("x", options.x, hasMarks);
  requireLabel("y", options.y, hasMarks);
  const { title, caption = "", ...plotOptions } = options;
  const xAtBottom = options.x?.axis !== null && options.x?.axis !== "top";
  const laidOut: Plot.PlotOptions = {
    ...plotOptions,
    marginTop: Math.max(plotOptions.marginTop ?? 0, LAYOUT.minMarginTop),
    ...(xAtBottom
      ? {
        marginBottom: Math.max(plotOptions.marginBottom ?? 0, LAYOUT.minMarginBottom),
        x: { labelAnchor: "center", ...plotOptions.x } as Plot.ScaleOptions,
      }
      : {}),
  };
  // Draw once, measure the widest y tick label, and widen the left margin if
  // it would run into the y-axis title (rotated at the left edge for a band
  // scale, above the frame otherwise) or off the chart.
  const marginLeft = plotOptions.marginLeft ?? LAYOUT.defaultMarginLeft;
  let { node, svgNode } = draw({ ...laidOut, marginLeft });
  const needed = neededMarginLeft(svgNode, node);
  if (needed > marginLeft) ({ node, svgNode } = draw({ ...laidOut, marginLeft: needed }));
  let legends = node === svgNode
    ? ""
    : [...node.children].filter((c) => c !== svgNode).map((c) => c.outerHTML).join("");
  svgNode.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  svgNode.setAttribute("role", "img");
  svgNode.setAttribute("aria-label", title);
  let svg = svgNode.outerHTML;
  // A categorical colour legend goes inside the SVG, so a saved .svg file (and a
  // front end that shows the SVG rather than the HTML) still says which colour is which.
  const color = legends ? (node as unknown as PlotFigure).scale?.("color") : undefined;
  if (color && color.type === "ordinal" && color.domain && color.range) {
    svg = withSvgLegend(svgNode, color.domain.map(String), color.range.map(String));
    legends = "";
  }
  const html =
    `<figure class="memgarden-figure" style="margin:0 0 1em 0;font-family:${
      escapeHtml(THEME.fontFamily)
    }">` +
    `<div style="font-weight:600;font-size:15px;margin-bottom:4px">${escapeHtml(title)}</div>` +
    legends + svg +
    (caption
      ? `<figcaption style="font-size:13px;color:#444;margin-top:4px">${
        escapeHtml(caption)
      }</figcaption>`
      : "") +
    `</figure>`;
  const text = caption ? `${title}: ${caption}` : title;
  return {
    title,
    caption,
    svg,
    html,
    [JUPYTER_DISPLAY]: () => ({ "image/svg+xml": svg, "text/html": html, "text/plain": text }),
  };
}

/** Draw with Plot and linkedom; return Plot's node and the chart's own SVG inside it. */
function draw(plotOptions: Plot.PlotOptions): { node: Element; svgNode: Element } {
  const { document } = parseHTML("<!DOCTYPE html><html><body></body></html>");
  const node = Plot.plot({
    width: THEME.width,
    height: THEME.height,
    grid: true,
    className: THEME.className,
    ...plotOptions,
    color: withThemeColors(plotOptions.color),
    style: {
      fontFamily: THEME.fontFamily,
      fontSize: THEME.fontSize,
      background: "white",
      overflow: "visible",
      ...(typeof plotOptions.style === "object" ? plotOptions.style : {}),
    },
    document: document as unknown as Document,
  } as Plot.PlotOptions) as unknown as Element;
  // With a legend, Plot wraps the chart in a <figure> next to swatch or ramp
  // SVGs; the chart itself is the SVG whose class is exactly ours.
  const svgNode = node.tagName.toLowerCase() === "svg"
    ? node
    : [...node.querySelectorAll("svg")].find((s) => s.getAttribute("class") === THEME.className);
  if (!svgNode) throw new Error("Cannot draw chart: Plot produced no SVG element");
  return { node, svgNode };
}

/** The left margin the y tick labels need, beside the y-axis title. */
function neededMarginLeft(svgNode: Element, node: Element): number {
  const labels = svgNode.querySelectorAll('g[aria-label="y-axis tick label"] text');
  const longest = Math.max(0, ...[...labels].map((t) => (t.textContent ?? "").length));
  if (longest === 0) return 0;
  const y = (node as unknown as PlotFigure).scale?.("y");
  const band = y?.type === "band" || y?.type === "point";
  // Ticks (6 px) and padding (3 px), then the label; a band scale's title is
  // rotated at the left edge and takes 16 px more.
  return Math.ceil(longest * LAYOUT.charWidth) + 12 + (band ? 16 : 0);
}

/** The course's colours, unless the chart chose a scheme, a range or a continuous scale. */
function withThemeColors(color: Plot.ScaleOptions | undefined): Plot.ScaleOptions {
  const own = color ?? {};
  const continuous = own.type !== undefined &&
    !["ordinal", "categorical"].includes(String(own.type));
  if (own.range !== undefined || own.scheme !== undefined || continuous) return own;
  return { ...own, range: [...THEME.colors] };
}

/** What Plot's returned figure tells about a scale (only what the legend needs). */
interface PlotFigure {
  scale?: (name: string) => { type?: string; domain?: unknown[]; range?: unknown[] } | undefined;
}

/** Draw swatches and labels above the plot, growing the SVG upwards to make room. */
function withSvgLegend(svgNode: Element, labels: string[], colors: string[]): string {
  const width = Number(svgNode.getAttribute("width")) || THEME.width;
  const height = Number(svgNode.getAttribute("height")) || THEME.height;
  const rowHeight = 16;
  const items: string[] = [];
  let x = 8, row = 0;
  labels.forEach((label, i) => {
    const itemWidth = 18 + Math.ceil(label.length * 6.2) + 14;
    if (x + itemWidth > width && x > 8) {
      x = 8;
      row++;
    }
    const y = row * rowHeight + 4;
    items.push(
      `<rect x="${x}" y="${y}" width="10" height="10" fill="${
        escapeHtml(colors[i % colors.length])
      }"></rect><text x="${x + 14}" y="${y + 9}" text-anchor="start" font-size="11">${
        escapeHtml(label)
      }</text>`,
    );
    x += itemWidth;
  });
  const extra = (row + 1) * rowHeight + 6;
  svgNode.setAttribute("viewBox", `0 ${-extra} ${width} ${height + extra}`);
  svgNode.setAttribute("height", String(height + extra));
  const text = svgNode.outerHTML;
  const open = text.indexOf(">") + 1;
  return `${text.slice(0, open)}<g class="memgarden-legend" transform="translate(0,${-extra})">${
    items.join("")
  }</g>${text.slice(open)}`;
}

/**
 * Write a chart's standalone SVG to a file (for `deno run` scripts and reports).
 *
 * @param c The chart to save.
 * @param path Where to write the `.svg` file.
 * @returns Resolves when the file is written.
 *
 * @example Save a chart
 * ```ts
 * import { chart, saveSvg } from "memgarden";
 * import * as Plot from "@observablehq/plot";
 * import assert from "node:assert/strict";
 *
 * const c = chart({
 *   title: "Two points",
 *   x: { label: "Time (s)" },
 *   y: { label: "Memory (MiB)" },
 *   marks: [Plot.dot([[1, 2], [2, 3]])],
 * });
 * const path = await Deno.makeTempFile({ suffix: ".svg" });
 * await saveSvg(c, path);
 * assert.match(await Deno.readTextFile(path), /<svg/);
 * await Deno.remove(path);
 * ```
 */
export async function saveSvg(c: Chart, path: string): Promise<void> {
  await Deno.writeTextFile(path, `<?xml version="1.0" encoding="UTF-8"?>\n${c.svg}\n`);
}

/**
 * Join an axis name and its unit the way every chart in the course does.
 *
 * @param name The quantity, e.g. "Working set".
 * @param unit The unit, e.g. "KiB".
 * @returns The label, e.g. "Working set (KiB)".
 *
 * @example A label with a unit
 * ```ts
 * import { axisLabel } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(axisLabel("Latency", "ns"), "Latency (ns)");
 * ```
 */
export function axisLabel(name: string, unit: string): string {
  return `${name} (${unit})`;
}
