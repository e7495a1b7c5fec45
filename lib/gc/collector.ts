/**
 * Create a simulated collector by name: the one place where a collector's
 * name is resolved.
 *
 * @module
 */
import { z } from "zod";
import type { ResolvedGcOptions } from "./_base.ts";
import { CopyingCollector } from "./_copying.ts";
import { GenerationalCollector } from "./_generational.ts";
import { RcCollector } from "./_rc.ts";
import { MarkCompactCollector, MarkSweepCollector } from "./_tracing.ts";
import type { GcCollector, GcCollectorName } from "./types.ts";

/**
 * Every collector name, in the order lessons show them.
 *
 * @example Six collectors
 * ```ts
 * import { GC_COLLECTOR_NAMES } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(GC_COLLECTOR_NAMES, ["rc", "rc-cycles", "mark-sweep", "mark-compact", "copying", "generational"]);
 * ```
 */
export const GC_COLLECTOR_NAMES: readonly GcCollectorName[] = Object.freeze([
  "rc",
  "rc-cycles",
  "mark-sweep",
  "mark-compact",
  "copying",
  "generational",
]);

/** Settings of a simulated heap. */
export const GcOptions = z.strictObject({
  /** The whole simulated heap in bytes (copying uses half of it at a time). */
  heapBytes: z.number().int().min(16).max(2 ** 40),
  /** Generational only: bytes of each of the nursery's two semispaces (default heapBytes / 8). */
  nurseryBytes: z.number().int().min(8).optional(),
  /** Generational only: minor collections an object survives before promotion (default 2). */
  promotionAge: z.number().int().min(1).max(16).optional(),
  /** Record a heap map before and after every collection (for charts; costs memory). */
  heapMaps: z.boolean().optional(),
}).refine((o) => o.nurseryBytes === undefined || 2 * o.nurseryBytes < o.heapBytes, {
  path: ["nurseryBytes"],
  message:
    "two nursery semispaces must leave room for an old generation (2 × nurseryBytes < heapBytes)",
});
/** Settings of a simulated heap. */
export type GcOptions = z.input<typeof GcOptions>;

/**
 * Create a simulated collector.
 *
 * @param name One of {@linkcode GC_COLLECTOR_NAMES}.
 * @param options The heap size and collector settings ({@linkcode GcOptions}).
 * @returns A fresh {@linkcode GcCollector} with an empty heap.
 * @throws {TypeError} For an unknown name or malformed options, naming the field.
 *
 * @example Reference counting frees at once; a cycle it never frees
 * ```ts
 * import { createGcCollector } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const rc = createGcCollector("rc", { heapBytes: 1024 });
 * rc.allocate("a", 16, 1);
 * rc.allocate("b", 16, 1);
 * rc.addRoot("a");
 * rc.setField("a", 0, "b");
 * rc.setField("b", 0, "a");
 * rc.removeRoot("a");
 * assert.deepEqual(rc.collect().survivorIds, ["a", "b"]);
 *
 * const ms = createGcCollector("mark-sweep", { heapBytes: 1024 });
 * ms.allocate("a", 16, 1);
 * ms.allocate("b", 16, 1);
 * ms.setField("a", 0, "b");
 * ms.setField("b", 0, "a");
 * assert.deepEqual(ms.collect().freedIds, ["a", "b"]);
 * ```
 */
export function createGcCollector(name: GcCollectorName, options: GcOptions): GcCollector {
  const parsed = GcOptions.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot create collector: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  const resolved: ResolvedGcOptions = {
    heapBytes: o.heapBytes,
    nurseryBytes: o.nurseryBytes ?? Math.max(8, Math.floor(o.heapBytes / 8)),
    promotionAge: o.promotionAge ?? 2,
    heapMaps: o.heapMaps ?? false,
  };
  switch (name) {
    case "rc":
      return new RcCollector(resolved, false);
    case "rc-cycles":
      return new RcCollector(resolved, true);
    case "mark-sweep":
      return new MarkSweepCollector(resolved);
    case "mark-compact":
      return new MarkCompactCollector(resolved);
    case "copying":
      return new CopyingCollector(resolved);
    case "generational":
      return new GenerationalCollector(resolved);
    default:
      throw new TypeError(
        `Cannot create collector: name must be one of ${GC_COLLECTOR_NAMES.join(", ")}: received ${
          JSON.stringify(name)
        }`,
      );
  }
}
