/**
 * Allocation profiles as icicle (flame) charts, and V8's heap by space.
 *
 * A profile is a list of call stacks with the bytes allocated under each, in
 * the "folded stacks" form of Brendan Gregg's `flamegraph.pl`
 * (`main;parse;token 4096`, one stack a line, outermost frame first). The
 * icicle chart draws the call tree top down: each frame is a bar as wide as
 * the bytes allocated by it and everything it called, so the widest bars at
 * the bottom are where the memory went.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { type Chart, chart, THEME } from "./render.ts";
import { formatSize } from "./format.ts";

/** Bytes allocated under one call stack. */
export interface ProfileStack {
  /** Frames from the outermost (e.g. `main`) to the innermost (the allocating function). */
  stack: readonly string[];
  /** Bytes allocated there. */
  bytes: number;
}

/**
 * Parse folded stacks (`a;b;c 123`, one a line; blank lines and `#` comments skipped).
 *
 * @param text Folded stacks.
 * @returns One entry per line; equal stacks are summed.
 * @throws {SyntaxError} If a line has no byte count, naming the line.
 *
 * @example Two lines, one stack
 * ```ts
 * import { parseFoldedStacks } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseFoldedStacks("main;load 100\nmain;load 28\n"), [
 *   { stack: ["main", "load"], bytes: 128 },
 * ]);
 * ```
 */
export function parseFoldedStacks(text: string): ProfileStack[] {
  const sums = new Map<string, number>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = line.match(/^(.+?)\s+(\d+)$/);
    if (!m) {
      throw new SyntaxError(
        `Cannot parse folded stacks: line ${
          i + 1
        } must be "frame;frame;... BYTES": received "${line}"`,
      );
    }
    sums.set(m[1], (sums.get(m[1]) ?? 0) + Number(m[2]));
  });
  return [...sums].map(([k, bytes]) => ({ stack: k.split(";"), bytes }));
}

interface Bar {
  name: string;
  path: string;
  depth: number;
  x0: number;
  x1: number;
  bytes: number;
  self: number;
}

/** Lay the call tree out as bars: depth, start and end (in bytes), children sorted by name. */
function layout(stacks: readonly ProfileStack[]): Bar[] {
  interface Node {
    name: string;
    total: number;
    self: number;
    kids: Map<string, Node>;
  }
  const root: Node = { name: "all", total: 0, self: 0, kids: new Map() };
  for (const s of stacks) {
    let n = root;
    n.total += s.bytes;
    for (const f of s.stack) {
      let k = n.kids.get(f);
      if (!k) n.kids.set(f, k = { name: f, total: 0, self: 0, kids: new Map() });
      k.total += s.bytes;
      n = k;
    }
    n.self += s.bytes;
  }
  const bars: Bar[] = [];
  const walk = (n: Node, depth: number, x0: number, path: string) => {
    bars.push({ name: n.name, path, depth, x0, x1: x0 + n.total, bytes: n.total, self: n.self });
    let x = x0;
    for (const k of [...n.kids.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      walk(k, depth + 1, x, `${path};${k.name}`);
      x += k.total;
    }
  };
  walk(root, 0, 0, "all");
  return bars;
}

/**
 * An icicle chart of an allocation profile: one bar per frame, as wide as
 * the bytes allocated under it. The caption names the frame that allocated
 * the most itself, from the data.
 *
 * @param stacks The profile (e.g. from {@linkcode parseFoldedStacks}); bytes must be positive.
 * @param options An optional title.
 * @returns A {@linkcode Chart}.
 * @throws {TypeError} If the profile is empty or a byte count is not a positive number.
 *
 * @example Where the bytes went
 * ```ts
 * import { allocationFlameChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = allocationFlameChart([
 *   { stack: ["main", "load"], bytes: 4096 },
 *   { stack: ["main", "parse", "token"], bytes: 1024 },
 * ]);
 * assert.match(c.caption, /load/);
 * assert.match(c.svg, /Bytes allocated/);
 * ```
 */
export function allocationFlameChart(
  stacks: readonly ProfileStack[],
  options: { title?: string } = {},
): Chart {
  if (!Array.isArray(stacks as unknown) || stacks.length === 0) {
    throw new TypeError("Cannot draw allocation profile: stacks must be a non-empty array");
  }
  for (const s of stacks) {
    if (!(typeof s.bytes === "number" && s.bytes > 0 && Number.isFinite(s.bytes))) {
      throw new TypeError(
        `Cannot draw allocation profile: bytes must be a positive number: received ${
          JSON.stringify(s.bytes)
        } for ${s.stack?.join(";")}`,
      );
    }
  }
  const bars = layout(stacks);
  const total = bars[0].bytes;
  const top = bars.slice(1).reduce((a, b) => (b.self > a.self ? b : a));
  const depth = Math.max(...bars.map((b) => b.depth));
  const data = bars.map((b) => ({
    ...b,
    label: b.x1 - b.x0 >= total * 0.08 ? `${b.name} ${formatSize(b.bytes)}` : "",
    tip: `${b.path}: ${formatSize(b.bytes)} (${formatSize(b.self)} itself)`,
  }));
  return chart({
    title: options.title ?? "Allocation profile by call site (icicle chart)",
    caption:
      `${formatSize(total)} allocated in all. Each bar is a function, as wide as the bytes ` +
      `allocated by it and what it called; callers above callees. ${top.name} allocated the most ` +
      `itself: ${formatSize(top.self)} (${Math.round((100 * top.self) / total)}%).`,
    height: 60 + 34 * (depth + 1),
    marginLeft: 20,
    marginRight: 20,
    x: {
      label: "Bytes allocated (share of the total)",
      domain: [0, total],
      tickFormat: (v: number) => formatSize(v),
    },
    y: { label: "Call depth (frames)", domain: [-0.5, depth + 0.5], reverse: true, axis: null },
    marks: [
      Plot.rect(data, {
        x1: "x0",
        x2: "x1",
        y1: (d: Bar) => d.depth - 0.45,
        y2: (d: Bar) => d.depth + 0.45,
        fill: (d: Bar) => THEME.colors[d.depth % 5],
        fillOpacity: 0.75,
        stroke: "white",
        title: "tip",
      }),
      Plot.text(data, {
        x: (d: Bar) => (d.x0 + d.x1) / 2,
        y: "depth",
        text: "label",
        fill: "black",
        fontSize: 11,
      }),
    ],
  });
}

/** One V8 heap space, as `sampleV8Heap` reports it. */
export interface HeapSpacePoint {
  name: string;
  usedBytes: number;
  sizeBytes: number;
}

/**
 * V8's heap by space: used and committed bytes of each space, as horizontal
 * bars. The caption names the space holding the most, from the data.
 *
 * @param spaces The spaces (e.g. `sampleV8Heap().spaces`).
 * @param options An optional title.
 * @returns A {@linkcode Chart}.
 * @throws {TypeError} If there are no spaces.
 *
 * @example Two spaces
 * ```ts
 * import { heapSpacesChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = heapSpacesChart([
 *   { name: "old_space", usedBytes: 8e6, sizeBytes: 9e6 },
 *   { name: "new_space", usedBytes: 1e6, sizeBytes: 4e6 },
 * ]);
 * assert.match(c.caption, /old_space/);
 * ```
 */
export function heapSpacesChart(
  spaces: readonly HeapSpacePoint[],
  options: { title?: string } = {},
): Chart {
  if (!Array.isArray(spaces as unknown) || spaces.length === 0) {
    throw new TypeError("Cannot draw heap spaces: spaces must be a non-empty array");
  }
  const rows = spaces.flatMap((s) => [
    { space: s.name, kind: "committed", bytes: s.sizeBytes / 1048576 },
    { space: s.name, kind: "used", bytes: s.usedBytes / 1048576 },
  ]);
  const most = spaces.reduce((a, b) => (b.usedBytes > a.usedBytes ? b : a));
  const used = spaces.reduce((a, b) => a + b.usedBytes, 0);
  return chart({
    title: options.title ?? "V8's heap, space by space",
    caption: `${formatSize(used)} used in ${spaces.length} spaces; ${most.name} holds the most (${
      formatSize(most.usedBytes)
    }). New objects start in new_space (the nursery); survivors move to old_space; large objects get their own space.`,
    height: 60 + 28 * spaces.length,
    marginLeft: 150,
    x: { label: "Memory (MiB)", grid: true },
    y: { label: "Space", domain: spaces.map((s) => s.name) },
    color: { domain: ["committed", "used"], range: ["#cccccc", THEME.colors[0]], legend: true },
    marks: [
      Plot.barX(rows.filter((r) => r.kind === "committed"), {
        x: "bytes",
        y: "space",
        fill: "kind",
      }),
      Plot.barX(rows.filter((r) => r.kind === "used"), {
        x: "bytes",
        y: "space",
        fill: "kind",
        inset: 4,
      }),
      Plot.ruleX([0]),
    ],
  });
}
