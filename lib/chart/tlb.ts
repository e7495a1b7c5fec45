/**
 * The chart of the real TLB reach: time per step against pages chased, with
 * 4 KiB pages, with huge pages and for the packed control, with its caption
 * written from the numbers it draws.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { type Chart, chart, THEME } from "./render.ts";
import { MARK_COLOR } from "./_marks.ts";
import { topLeftLegend } from "./_legend.ts";
import { type CpuinfoTlb, type TlbReachCurve, tlbReachSteps } from "../probe/tlb_reach.ts";

/** What {@linkcode tlbReachChart} needs of a TLB-reach result. */
export interface TlbReachChartInput {
  /** Pages spanned by each chase. */
  pageCounts: readonly number[];
  /** The measured curves. */
  curves: readonly TlbReachCurve[];
  /** The TLB size the processor reports, or null. */
  cpuinfoTlb: CpuinfoTlb | null;
}

const ORDINALS = ["1st", "2nd", "3rd"];

const LAYOUT_COLORS: Record<string, string> = {
  "small-pages": THEME.colors[0],
  "huge-pages": THEME.colors[2],
  "packed": "#999999",
};

/**
 * Chart TLB reach: minimum ns per step against the pages a chase spans, one
 * line per layout (4 KiB pages, huge pages, packed control), both axes on
 * log scales, a dashed rule where each TLB step of the 4 KiB curve begins and
 * one at the TLB size the processor reports (when it reports one).
 *
 * @param result A `TlbReachResult` (or its page counts, curves and cpuinfo TLB).
 * @param options An optional title.
 * @returns A {@linkcode Chart}.
 * @throws {TypeError} If there is no curve to draw.
 *
 * @example One TLB step at 64 pages
 * ```ts
 * import { tlbReachChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = tlbReachChart({ pageCounts: [16, 32, 64, 128, 256], cpuinfoTlb: null, curves: [
 *   { layout: "small-pages", label: "one step per 4 KiB page", nsPerAccess: [2, 2, 2, 4, 4.1], samples: [] },
 *   { layout: "packed", label: "same lines packed (control)", nsPerAccess: [2, 2, 2, 2, 2.1], samples: [] },
 * ] });
 * assert.match(c.svg, /Pages chased \(count, log scale\)/);
 * assert.match(c.caption, /between 64 and 128 pages/);
 * ```
 */
export function tlbReachChart(
  result: TlbReachChartInput,
  options: { title?: string } = {},
): Chart {
  if (!Array.isArray(result?.curves) || result.curves.length === 0) {
    throw new TypeError(
      `Cannot draw TLB reach: curves must be a non-empty array: received ${
        JSON.stringify(result?.curves)
      }`,
    );
  }
  const data = result.curves.flatMap((c) =>
    result.pageCounts.map((pages, i) => ({ pages, ns: c.nsPerAccess[i], curve: c.label }))
  );
  const labels = result.curves.map((c) => c.label);
  const colors = result.curves.map((c) => LAYOUT_COLORS[c.layout] ?? THEME.colors[5]);
  const steps = tlbReachSteps(result, "small-pages").filter((s) => s.fromTlb);
  const rules = steps.map((s, i) => ({
    pages: s.afterPages,
    label: `${ORDINALS[i] ?? `${i + 1}th`} TLB step after ${s.afterPages}`,
  }));
  const cpu = result.cpuinfoTlb && result.cpuinfoTlb.pageBytes === 4096
    ? [{ pages: result.cpuinfoTlb.entries, label: `cpuinfo TLB ${result.cpuinfoTlb.entries}` }]
    : [];
  const small = result.curves.find((c) => c.layout === "small-pages");
  const huge = result.curves.find((c) => c.layout === "huge-pages");
  const last = result.pageCounts.length - 1;
  const ns = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
  const caption =
    (steps.length
      ? `With 4 KiB pages the time per step climbs where the TLB runs out (${
        steps.map((s) => `between ${s.afterPages} and ${s.beforePages} pages`).join(", ")
      }) while the packed control, the same lines in few pages, does not.`
      : "No step of the 4 KiB curve shows without one in the packed control over this range.") +
    (small && huge
      ? ` At ${result.pageCounts[last]} pages: ${
        ns(small.nsPerAccess[last])
      } ns per step with 4 KiB pages, ${ns(huge.nsPerAccess[last])} ns with huge pages.`
      : "");
  const ticks = result.pageCounts.filter((p) => Number.isInteger(Math.log2(p)));
  return chart({
    title: options.title ?? "TLB reach: time per step as a chase spans more pages",
    caption,
    marginRight: 20,
    x: {
      type: "log",
      base: 2,
      label: "Pages chased (count, log scale)",
      ticks: ticks.length ? ticks : undefined,
      tickFormat: "d",
    },
    y: { type: "log", label: "Time per step (ns, log scale)", grid: true },
    color: { domain: labels, range: colors },
    marks: [
      Plot.ruleX([...rules, ...cpu], {
        x: "pages",
        stroke: MARK_COLOR,
        strokeDasharray: "4,3",
      }),
      Plot.text([...rules, ...cpu], {
        x: "pages",
        frameAnchor: "top",
        text: "label",
        rotate: -90,
        textAnchor: "end",
        lineAnchor: "bottom",
        dx: -3,
        fill: MARK_COLOR,
        fontSize: 10,
        stroke: "white",
        strokeWidth: 3,
        paintOrder: "stroke",
      }),
      Plot.line(data, { x: "pages", y: "ns", stroke: "curve", strokeWidth: 2 }),
      Plot.dot(data, { x: "pages", y: "ns", fill: "curve", r: 3 }),
      ...topLeftLegend(labels.map((text, i) => ({ text, color: colors[i] }))),
    ],
  });
}
