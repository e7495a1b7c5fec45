/**
 * Charts for the call stack: a frame diagram (every slot of every frame at
 * its address, coloured by what it holds) and recursion depth against frame
 * size, measured and simulated.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { type Chart, chart, THEME } from "./render.ts";

/** A slot as the call stack lists it. */
export interface FrameSlotView {
  /** What it holds. */
  kind: string;
  /** Its name. */
  name: string;
  /** Lowest address. */
  address: number;
  /** Size in bytes. */
  sizeBytes: number;
}

/** A frame as the call stack lists it. */
export interface FrameView {
  /** The function. */
  name: string;
  /** Its slots. */
  slots: readonly FrameSlotView[];
}

const KINDS = ["arg", "return-address", "saved-fp", "canary", "local"];
const KIND_COLORS = [THEME.colors[4], THEME.colors[6], THEME.colors[1], THEME.colors[2], "#d9d9d9"];

/**
 * Draw the stack: one box per slot at its address range, highest address at
 * the top, labelled with the slot's name and the frame it belongs to.
 *
 * @param frames Frames, most recent first (as `CallStack.frames()` returns them).
 * @param options An optional title.
 * @returns A {@linkcode Chart}.
 * @throws {TypeError} If there is no frame.
 *
 * @example
 * ```ts
 * import { createCallStack, frameDiagramChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const stack = createCallStack({ canary: true });
 * stack.call({ name: "main" });
 * stack.call({ name: "f", args: [1], locals: [{ name: "buf", bytes: 16 }] });
 * const c = frameDiagramChart(stack.frames());
 * assert.match(c.svg, /return address/);
 * assert.match(c.caption, /f is the newest frame/);
 * ```
 */
export function frameDiagramChart(
  frames: readonly FrameView[],
  options: { title?: string } = {},
): Chart {
  if (!Array.isArray(frames as unknown) || frames.length === 0) {
    throw new TypeError(
      "Cannot draw frame diagram: frames must be a non-empty array: received none",
    );
  }
  const rows = frames.flatMap((f) =>
    f.slots.map((s) => ({
      frame: f.name,
      kind: s.kind,
      label: `${f.name}: ${s.name} (${s.sizeBytes} B)`,
      y1: s.address,
      y2: s.address + s.sizeBytes,
      mid: s.address + s.sizeBytes / 2,
    }))
  );
  const lo = Math.min(...rows.map((r) => r.y1)), hi = Math.max(...rows.map((r) => r.y2));
  return chart({
    title: options.title ?? "Stack frames in memory",
    caption: `The stack grows down: ${
      frames[0].name
    } is the newest frame, at the lowest addresses (${
      hi - lo
    } bytes in use). A buffer is written upwards, towards the saved frame pointer and return address above it.`,
    height: Math.max(200, 60 + 18 * rows.length),
    marginLeft: 90,
    x: { axis: null, domain: [0, 1] },
    y: {
      label: "Address",
      domain: [lo, hi],
      tickFormat: (a: number) => "0x" + a.toString(16),
      ticks: rows.map((r) => r.y1),
    },
    color: { domain: KINDS, range: KIND_COLORS, legend: true },
    marks: [
      Plot.rect(rows, { x1: 0.05, x2: 0.95, y1: "y1", y2: "y2", fill: "kind", stroke: "white" }),
      Plot.text(rows, { x: 0.5, y: "mid", text: "label", fontSize: 11 }),
    ],
  });
}

/** One depth measurement or prediction. */
export interface DepthPoint {
  /** Bytes per frame. */
  frameBytes: number;
  /** Frames that fit. */
  depth: number;
  /** "measured" or "simulated" (or another series name). */
  series: string;
  /** The stack size in KiB, for the legend. */
  stackKiB: number;
}

/**
 * Plot recursion depth against frame size, log-log: measured points and the
 * simulated line depth = stack size / frame size.
 *
 * @param points Measured and simulated points.
 * @param options An optional title.
 * @returns A {@linkcode Chart} whose caption gives the measured range.
 * @throws {TypeError} If there is no point.
 *
 * @example
 * ```ts
 * import { recursionDepthChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = recursionDepthChart([
 *   { frameBytes: 56, depth: 18000, series: "measured", stackKiB: 984 },
 *   { frameBytes: 1150, depth: 876, series: "measured", stackKiB: 984 },
 * ]);
 * assert.match(c.caption, /from 18000 frames of 56 B to 876 frames of 1150 B/);
 * ```
 */
export function recursionDepthChart(
  points: readonly DepthPoint[],
  options: { title?: string } = {},
): Chart {
  if (!Array.isArray(points as unknown) || points.length === 0) {
    throw new TypeError(
      "Cannot draw recursion depth: points must be a non-empty array: received none",
    );
  }
  const data = points.map((p) => ({ ...p, key: `${p.series}, ${p.stackKiB} KiB` }));
  const measured = points.filter((p) => p.series === "measured").sort((a, b) =>
    a.frameBytes - b.frameBytes
  );
  const keys = [...new Set(data.map((d) => d.key))];
  const caption = measured.length >= 2
    ? `Measured: from ${measured[0].depth} frames of ${Math.round(measured[0].frameBytes)} B to ${
      measured.at(-1)!.depth
    } frames of ${
      Math.round(measured.at(-1)!.frameBytes)
    } B. Depth times frame size stays the stack size: each line has slope -1.`
    : "Depth times frame size stays the stack size: each line has slope -1.";
  return chart({
    title: options.title ?? "How deep recursion goes",
    caption,
    x: { label: "Bytes per frame (log scale)", type: "log" },
    y: { label: "Depth reached (frames, log scale)", type: "log", grid: true },
    color: { domain: keys, range: THEME.colors.slice(0, keys.length), legend: true },
    marks: [
      Plot.line(data.filter((d) => d.series !== "measured"), {
        x: "frameBytes",
        y: "depth",
        stroke: "key",
        sort: "frameBytes",
      }),
      Plot.dot(data.filter((d) => d.series === "measured"), {
        x: "frameBytes",
        y: "depth",
        stroke: "key",
        r: 4,
      }),
    ],
  });
}
