/**
 * The chart of a real working set: a child process's referenced and
 * resident pages over time beside the simulated W(t, Δ) of the same
 * references, with its caption written from the comparison.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { type Chart, chart, THEME } from "./render.ts";
import { MARK_COLOR } from "./_marks.ts";
import { topLeftLegend } from "./_legend.ts";
import { compareRealWorkingSet, type RealWorkingSetResult } from "../probe/working_set_real.ts";

/**
 * Chart a child process's real working set against the simulated W(t, Δ) of
 * the same references: the simulated size at every reference as a step line,
 * the pages the kernel saw referenced in each interval as dots at the
 * interval's end, and the pages resident as a dashed line.
 *
 * @param result A `RealWorkingSetResult`.
 * @param simulatedSizes `workingSetSizes(references, result.intervalRefs)`.
 * @param options Phase starts to mark, and a title.
 * @returns A {@linkcode Chart}; its caption is the comparison's sentence.
 * @throws {RangeError} If the simulated sizes do not match the result.
 *
 * @example Two intervals that agree
 * ```ts
 * import { realWorkingSetChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = realWorkingSetChart({
 *   intervalRefs: 4, referenceCount: 8, method: "referenced", reason: null,
 *   samples: [{ interval: 0, t: 3, referencedPages: 3, residentPages: 3 }, { interval: 1, t: 7, referencedPages: 1, residentPages: 4 }],
 * }, [1, 2, 3, 3, 3, 3, 2, 1]);
 * assert.match(c.svg, /Pages \(count\)/);
 * assert.match(c.caption, /equal the simulated/);
 * ```
 */
export function realWorkingSetChart(
  result: Pick<
    RealWorkingSetResult,
    "intervalRefs" | "referenceCount" | "method" | "reason" | "samples"
  >,
  simulatedSizes: readonly number[],
  options: { phases?: readonly { start: number; label: string }[]; title?: string } = {},
): Chart {
  const cmp = compareRealWorkingSet(result, simulatedSizes);
  const simName = `simulated W(t, Δ = ${result.intervalRefs})`;
  const realName = "real: pages referenced in the interval";
  const resName = "real: pages resident";
  const sim = simulatedSizes.map((size, t) => ({ t, size }));
  const real = cmp.rows.filter((r) => r.realPages !== null).map((r) => ({
    t: r.t,
    size: r.realPages!,
  }));
  const resident = cmp.rows.filter((r) => r.residentPages !== null).map((r) => ({
    t: r.t,
    size: r.residentPages!,
  }));
  const most = Math.max(1, ...sim.map((d) => d.size), ...resident.map((d) => d.size));
  const phases = options.phases ?? [];
  const names = [simName, realName, resName];
  const colors = [THEME.colors[0], MARK_COLOR, THEME.colors[2]];
  return chart({
    title: options.title ?? "A child process's real working set beside the simulated one",
    caption: cmp.sentence,
    marginRight: 20,
    x: { label: "Time t (references)", domain: [0, Math.max(1, simulatedSizes.length - 1)] },
    y: { label: "Pages (count)", domain: [0, most + 2], grid: true },
    marks: [
      Plot.ruleX(phases.filter((p) => p.start > 0), {
        x: "start",
        stroke: "#555",
        strokeDasharray: "4,3",
      }),
      Plot.text(phases, {
        x: "start",
        frameAnchor: "bottom",
        text: "label",
        textAnchor: "start",
        dx: 4,
        dy: -4,
        fill: "#555",
      }),
      Plot.line(sim, { x: "t", y: "size", stroke: colors[0], curve: "step-after" }),
      Plot.line(resident, {
        x: "t",
        y: "size",
        stroke: colors[2],
        strokeDasharray: "6,3",
        strokeWidth: 2,
      }),
      Plot.dot(real, { x: "t", y: "size", fill: colors[1], r: 4 }),
      ...topLeftLegend(
        names.map((text, i) => ({ text, color: colors[i], symbol: i === 1 ? "●" : "—" })),
      ),
    ],
  });
}
