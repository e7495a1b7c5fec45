/**
 * Charts: results in, Observable Plot figures out, as SVG/HTML display
 * bundles for Jupyter or SVG files from `deno run`. Every chart has a title,
 * labelled axes with units, and a caption saying what to notice.
 *
 * @example A chart of the memory hierarchy
 * ```ts
 * import { chart } from "memgarden";
 * import * as Plot from "@observablehq/plot";
 * import assert from "node:assert/strict";
 *
 * const c = chart({
 *   title: "Bigger is slower",
 *   x: { label: "Size (bytes)", type: "log" },
 *   y: { label: "Latency (ns)", type: "log" },
 *   marks: [Plot.dot([{ s: 32768, l: 1 }, { s: 2 ** 34, l: 90 }], { x: "s", y: "l" })],
 * });
 * const bundle = (c as any)[Symbol.for("Jupyter.display")]();
 * assert.ok(bundle["image/svg+xml"] && bundle["text/html"] && bundle["text/plain"]);
 * ```
 *
 * @module
 */
export * from "./render.ts";
export * from "./format.ts";
export * from "./table.ts";
export * from "./hierarchy.ts";
export * from "./paging.ts";
export * from "./vm.ts";
export * from "./tlb.ts";
export * from "./working_set_real.ts";
export * from "./cache.ts";
export * from "./gc.ts";
export * from "./sampler.ts";
export * from "./design.ts";
export * from "./profile.ts";
export * from "./heap.ts";
export * from "./stack.ts";
export * from "./try_this.ts";
