/**
 * Charts of lesson 11's hands-on runs: a child process's memory as `/proc`,
 * `ps` and `top` report it beside what it allocated, and a leaking child's
 * resident set over time up to the cap that stopped it. Captions are
 * written from the numbers.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { ChildMemoryResult } from "../probe/child_memory.ts";
import { type Chart, chart, THEME } from "./render.ts";
import { formatSize } from "./format.ts";

/**
 * What a child asked for, what V8 says it allocated, and what the kernel
 * (and `ps`, `top`) say is resident, over the same numbers for a child that
 * holds nothing.
 *
 * @param result From `measureChildMemory`.
 * @returns A {@linkcode Chart}.
 * @throws {TypeError} If the result has no RSS reading.
 *
 * @example Growth against the request
 * ```ts
 * import { childMemoryChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const reading = (rss: number) => ({ pid: 1, elements: 1e7, requestedBytes: 8e7, heapGainBytes: 8e7, externalGainBytes: 0,
 *   status: { vmRssBytes: rss, rssAnonBytes: rss - 3e7 }, statm: null, psRssBytes: rss, topResBytes: rss });
 * const c = childMemoryChart({ kind: "js-array", holding: reading(1.2e8), baseline: reading(4e7), rssGrowthBytes: 8e7 } as never);
 * assert.match(c.caption, /grew by 76\.3 MiB/);
 * ```
 */
export function childMemoryChart(result: ChildMemoryResult): Chart {
  const h = result.holding, b = result.baseline;
  if (h.status.vmRssBytes === null || b.status.vmRssBytes === null) {
    throw new TypeError("Cannot draw child memory: the result has no VmRSS reading");
  }
  const rows: { what: string; source: string; bytes: number }[] = [
    { what: "asked for (8 B a number)", source: "the program", bytes: h.requestedBytes },
    {
      what: "V8 heap + external gained",
      source: "V8",
      bytes: h.heapGainBytes + h.externalGainBytes,
    },
    { what: "VmRSS, empty child", source: "/proc/PID/status", bytes: b.status.vmRssBytes },
    { what: "VmRSS, holding child", source: "/proc/PID/status", bytes: h.status.vmRssBytes },
  ];
  if (h.status.rssAnonBytes !== null) {
    rows.push({
      what: "RssAnon, holding child",
      source: "/proc/PID/status",
      bytes: h.status.rssAnonBytes,
    });
  }
  if (h.psRssBytes !== null) {
    rows.push({ what: "ps RSS, holding child", source: "ps", bytes: h.psRssBytes });
  }
  if (h.topResBytes !== null) {
    rows.push({ what: "top RES, holding child", source: "top", bytes: h.topResBytes });
  }
  const growth = result.rssGrowthBytes ?? 0;
  const data = rows.map((r) => ({ ...r, mib: r.bytes / 2 ** 20 }));
  const top = Math.max(...data.map((d) => d.mib), 1);
  return chart({
    title: `A child holding ${
      h.elements.toLocaleString("en")
    } numbers (${result.kind}): allocated against resident`,
    caption: `The holding child's VmRSS ${
      growth > 0 ? `grew by ${formatSize(growth)}` : "did not grow"
    } over the empty child's, for ${
      formatSize(h.requestedBytes)
    } asked for; ps and top, where installed, read the same counter from /proc a moment later.`,
    marginLeft: 190,
    marginRight: 80,
    height: 60 + 30 * data.length,
    x: { label: "Memory (MiB)", grid: true, domain: [0, top * 1.12] },
    y: { label: "Counter", domain: data.map((d) => d.what) },
    color: { legend: true, domain: ["the program", "V8", "/proc/PID/status", "ps", "top"] },
    marks: [
      Plot.barX(data, { y: "what", x: "mib", fill: "source" }),
      Plot.text(data, {
        y: "what",
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
 * A leaking child's resident set over time with the cap that stops it.
 * Works on the samples so far, so it can be redrawn live.
 *
 * @param samples `{ tMs, rssBytes }` points (at least one).
 * @param options `capBytes`, and `stoppedAtCap` once the run is over.
 * @returns A {@linkcode Chart}; the caption gives the start, the end and the cap.
 * @throws {TypeError} If there are no samples.
 *
 * @example Stopped at the cap
 * ```ts
 * import { leakWatchChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const s = [0, 1, 2].map((k) => ({ tMs: k * 100, rssBytes: (40 + 10 * k) * 1048576 }));
 * const c = leakWatchChart(s, { capBytes: 60 * 1048576, stoppedAtCap: true });
 * assert.match(c.caption, /from 40 MiB to 60 MiB in 0.2 s/);
 * assert.match(c.caption, /killed at the cap/);
 * ```
 */
export function leakWatchChart(
  samples: readonly { tMs: number; rssBytes: number }[],
  options: { capBytes: number; stoppedAtCap?: boolean },
): Chart {
  if (!Array.isArray(samples as unknown) || samples.length === 0) {
    throw new TypeError("Cannot draw leak watch: samples must be a non-empty array");
  }
  const data = samples.map((s) => ({ t: s.tMs / 1000, mib: s.rssBytes / 2 ** 20 }));
  const first = samples[0], last = samples[samples.length - 1];
  const cap = options.capBytes / 2 ** 20;
  const ending = options.stoppedAtCap === undefined
    ? "drawn while the run was going, against the cap"
    : options.stoppedAtCap
    ? "killed at the cap"
    : "stopped by its time bound before the cap";
  return chart({
    title: "A leaking child process, watched from /proc",
    caption: `RSS went from ${formatSize(first.rssBytes)} to ${formatSize(last.rssBytes)} in ${
      ((last.tMs - first.tMs) / 1000).toFixed(1)
    } s; ${ending} (${formatSize(options.capBytes)}).`,
    x: { label: "Time since start (s)", grid: true },
    y: {
      label: "Resident set (MiB)",
      grid: true,
      domain: [0, Math.max(cap, ...data.map((d) => d.mib)) * 1.1],
    },
    marks: [
      Plot.ruleY([cap], { stroke: THEME.colors[1], strokeDasharray: "4,3" }),
      Plot.text([cap], {
        y: (d: number) => d,
        x: 0,
        text: () => "cap",
        textAnchor: "start",
        dy: -6,
        fill: THEME.colors[1],
      }),
      Plot.line(data, { x: "t", y: "mib", stroke: THEME.colors[0] }),
      Plot.dot(data, { x: "t", y: "mib", r: 2, fill: THEME.colors[0] }),
      Plot.ruleY([0]),
    ],
  });
}
