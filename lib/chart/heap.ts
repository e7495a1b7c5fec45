/**
 * Charts for the simulated heap: a heap map (used and free blocks, one row
 * per moment), and allocator policies compared on traces (utilization or
 * throughput).
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { type Chart, chart, THEME } from "./render.ts";
import { formatSize } from "./format.ts";

/** A block as the heap lists it. */
export interface HeapMapBlock {
  /** Payload address. */
  address: number;
  /** Whole block in bytes. */
  sizeBytes: number;
  /** True if allocated. */
  allocated: boolean;
}

/** The heap at one moment: a label and its blocks. */
export interface HeapSnapshot {
  /** Row label, e.g. "after free(p1)". */
  label: string;
  /** Blocks in address order. */
  blocks: readonly HeapMapBlock[];
}

/**
 * Draw the heap at several moments: one row per snapshot, each block a
 * rectangle from its header to its end, blue when allocated, grey when free.
 *
 * @param snapshots The moments, in order.
 * @param options An optional title.
 * @returns A {@linkcode Chart} whose caption reports the last row's free space.
 * @throws {TypeError} If there are no snapshots.
 *
 * @example Two moments
 * ```ts
 * import { createHeap, heapMapChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const heap = createHeap();
 * const a = heap.malloc(32)!;
 * heap.malloc(8);
 * const first = { label: "two blocks", blocks: heap.blocks() };
 * heap.free(a);
 * const c = heapMapChart([first, { label: "after free", blocks: heap.blocks() }]);
 * assert.match(c.svg, /Heap address \(bytes\)/);
 * assert.match(c.caption, /1 free block/);
 * ```
 */
export function heapMapChart(
  snapshots: readonly HeapSnapshot[],
  options: { title?: string } = {},
): Chart {
  if (!Array.isArray(snapshots as unknown) || snapshots.length === 0) {
    throw new TypeError("Cannot draw heap map: snapshots must be a non-empty array: received none");
  }
  const rows = snapshots.flatMap((s, i) =>
    s.blocks.map((b) => ({
      row: `${String(i + 1).padStart(2, "0")} ${s.label}`,
      x1: b.address - 4,
      x2: b.address - 4 + b.sizeBytes,
      state: b.allocated ? "allocated" : "free",
      size: b.sizeBytes,
    }))
  );
  const last = snapshots.at(-1)!.blocks.filter((b) => !b.allocated);
  const freeBytes = last.reduce((s, b) => s + b.sizeBytes, 0);
  const largest = Math.max(0, ...last.map((b) => b.sizeBytes));
  const caption = last.length === 0
    ? "Blue blocks are allocated, grey ones free. At the end no block is free."
    : `Blue blocks are allocated, grey ones free. At the end ${last.length} free block${
      last.length === 1 ? "" : "s"
    } ${last.length === 1 ? "holds" : "hold"} ${formatSize(freeBytes)}; the largest is ${
      formatSize(largest)
    }, so a request for more than ${formatSize(Math.max(0, largest - 8))} must grow the heap${
      last.length > 1 ? " even though more is free in all" : ""
    }.`;
  return chart({
    title: options.title ?? "The heap, block by block",
    caption,
    height: Math.max(120, 40 + 28 * snapshots.length),
    marginLeft: 160,
    x: { label: "Heap address (bytes)" },
    y: { label: "Moment (operation)" },
    color: { domain: ["allocated", "free"], range: [THEME.colors[0], "#d0d0d0"], legend: true },
    marks: [
      Plot.barX(rows, {
        x1: "x1",
        x2: "x2",
        y: "row",
        fill: "state",
        stroke: "white",
        title: (d: { x1: number; size: number; state: string }) =>
          `${d.state} block at ${d.x1}: ${d.size} bytes`,
      }),
    ],
  });
}

/** One allocator configuration's result on one trace. */
export interface PolicyResult {
  /** The configuration, e.g. "segregated best". */
  policy: string;
  /** The trace, e.g. "binary". */
  trace: string;
  /** The value to compare (utilization fraction or Kops). */
  value: number;
}

/**
 * Compare allocator configurations on traces, one group per trace: bars for utilization, and
 * dots on a log scale for throughput (rates can differ a hundredfold, which would flatten the
 * slow ones to nothing on a linear axis).
 *
 * @param results One value per configuration and trace.
 * @param options `metric`: "util" (default; a fraction, 0..1) or "kops"; an optional title.
 * @returns A {@linkcode Chart} whose caption names the best configuration on average
 *   (utilization: the mean; throughput: all operations over the total time, traces weighted
 *   equally, as Malloc Lab combines them).
 * @throws {TypeError} If there are no results.
 *
 * @example
 * ```ts
 * import { policyComparisonChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = policyComparisonChart([
 *   { policy: "first", trace: "random", value: 0.8 },
 *   { policy: "best", trace: "random", value: 0.9 },
 * ]);
 * assert.match(c.caption, /best: mean 0\.900/);
 * ```
 */
export function policyComparisonChart(
  results: readonly PolicyResult[],
  options: { metric?: "util" | "kops"; title?: string } = {},
): Chart {
  if (!Array.isArray(results as unknown) || results.length === 0) {
    throw new TypeError(
      "Cannot draw policy comparison: results must be a non-empty array: received none",
    );
  }
  const metric = options.metric ?? "util";
  const policies = [...new Set(results.map((r) => r.policy))];
  // Rates are combined as Malloc Lab does (all operations over the total time, the traces
  // weighted equally): an arithmetic mean of rates would let one fast trace hide a slow one.
  const mean = (p: string) => {
    const vs = results.filter((r) => r.policy === p).map((r) => r.value);
    return metric === "util"
      ? vs.reduce((s, v) => s + v, 0) / vs.length
      : vs.length / vs.reduce((s, v) => s + 1 / v, 0);
  };
  const ranked = [...policies].sort((a, b) => mean(b) - mean(a));
  const fmt = (v: number) => metric === "util" ? v.toFixed(3) : v.toFixed(0);
  const log = metric === "kops" && results.every((r) => r.value > 0);
  const title = (d: PolicyResult) => `${d.policy} on ${d.trace}: ${fmt(d.value)}`;
  return chart(
    {
      title: options.title ??
        (metric === "util" ? "Utilization by policy and trace" : "Throughput by policy and trace"),
      caption: metric === "util"
        ? `Highest on average: ${ranked[0]}: mean ${fmt(mean(ranked[0]))}; lowest: ${
          ranked.at(-1)
        }: mean ${
          fmt(mean(ranked.at(-1)!))
        }. Utilization is peak payload over final heap size (1 is perfect).`
        : `Fastest over all traces: ${ranked[0]}, ${
          fmt(mean(ranked[0]))
        } thousand ops/s; slowest: ${ranked.at(-1)}, ${
          fmt(mean(ranked.at(-1)!))
        }. Each is all the operations over the total time (Malloc Lab's measure), so a slow trace weighs what it costs.`,
      // One group per trace, named below it; the legend names the configurations.
      x: { axis: null },
      fx: { label: "Trace", axis: "bottom", labelOffset: 34 },
      marginBottom: 44,
      y: {
        label: metric === "util"
          ? "Utilization (fraction)"
          : `Throughput (thousands of ops/s${log ? ", log scale" : ""})`,
        grid: true,
        ...(metric === "util" ? { domain: [0, 1] } : log ? { type: "log" } : {}),
      },
      color: { domain: policies, range: THEME.colors.slice(0, policies.length), legend: true },
      marks: log
        ? [Plot.dot(results, { fx: "trace", x: "policy", y: "value", fill: "policy", r: 5, title })]
        : [
          Plot.barY(results, { fx: "trace", x: "policy", y: "value", fill: "policy", title }),
          Plot.ruleY([0]),
        ],
    } as Parameters<typeof chart>[0],
  );
}
