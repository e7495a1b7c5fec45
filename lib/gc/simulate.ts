/**
 * Run a mutator workload through a simulated collector and collect what
 * happened: every collection's record, occupancy over time, totals, and where
 * the run stopped (out of memory, or an operation that named a freed object).
 *
 * @module
 */
import { z } from "zod";
import { escapeHtml, withDisplay } from "../_html.ts";
import { createGcCollector, GC_COLLECTOR_NAMES } from "./collector.ts";
import type {
  GcCollectionRecord,
  GcCollector,
  GcCollectorName,
  GcOutOfMemory,
  GcTotals,
} from "./types.ts";
import { type GcOp, parseGcWorkload } from "./workload.ts";

/**
 * Most object ids a run's collection records list in all, by default (about 32 MiB of
 * references): 20,000 collections of 20,000 live objects would otherwise keep 400 million.
 */
export const GC_RUN_MAX_RECORDED_IDS = 4_000_000;

/** Settings of {@linkcode runGcWorkload}. */
export const GcRunOptions = z.strictObject({
  /** Which collector to simulate. */
  collector: z.enum(GC_COLLECTOR_NAMES as [GcCollectorName, ...GcCollectorName[]]),
  /** The whole simulated heap in bytes. */
  heapBytes: z.number().int().min(16).max(2 ** 40),
  /** Generational only: each nursery semispace in bytes. */
  nurseryBytes: z.number().int().min(8).optional(),
  /** Generational only: minor collections survived before promotion. */
  promotionAge: z.number().int().min(1).max(16).optional(),
  /** Record heap maps before and after each collection. */
  heapMaps: z.boolean().optional(),
  /** Most occupancy samples kept for charts (evenly spaced over the run). */
  maxSamples: z.number().int().min(2).max(100_000).default(2000),
  /**
   * Most object ids the collection records may list in all (each lists every survivor and
   * every object freed): past it the run stops with an `error`, so memory stays bounded.
   */
  maxRecordedIds: z.number().int().min(1).max(GC_RUN_MAX_RECORDED_IDS).default(
    GC_RUN_MAX_RECORDED_IDS,
  ),
});
/** Settings of {@linkcode runGcWorkload}. */
export type GcRunOptions = z.input<typeof GcRunOptions>;

/** The result of {@linkcode runGcWorkload}. */
export interface GcRunResult {
  /** The collector simulated. */
  collector: GcCollectorName;
  /** The whole heap and the part the mutator can fill. */
  heapBytes: number;
  capacityBytes: number;
  /** Operations run (up to the one that stopped the run, included). */
  opsRun: number;
  /** Operations in the workload. */
  opCount: number;
  /** One record per collection, in order. */
  collections: GcCollectionRecord[];
  /** Bytes held by objects after some operations (evenly spaced), for charts. */
  occupancy: { line: number; bytes: number }[];
  /** What is allocated at the end. */
  final: { liveIds: string[]; occupancyBytes: number };
  /** Totals over the run. */
  totals: GcTotals;
  /** Set when an allocation found no room even after collecting; the run stops there. */
  outOfMemory: (GcOutOfMemory & { line: number }) | null;
  /** Set when an operation was impossible (it named a freed object, say); the run stops there. */
  error: { line: number; message: string } | null;
}

/**
 * Run a workload (text or parsed operations) through one simulated collector.
 *
 * @param workload Workload text (see `parseGcWorkload`) or operations.
 * @param options The collector and heap ({@linkcode GcRunOptions}).
 * @returns A {@linkcode GcRunResult}, with a readable rich display.
 * @throws {SyntaxError} For malformed workload text, naming the line.
 * @throws {TypeError} For malformed options, naming the field.
 *
 * @example A garbage cycle: tracing frees it, plain counting does not
 * ```ts
 * import { runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const text = "new a 16 1\nnew b 16 1\nroot a\nset a 0 b\nset b 0 a\nunroot a\ngc\n";
 * assert.deepEqual(runGcWorkload(text, { collector: "rc", heapBytes: 256 }).final.liveIds, ["a", "b"]);
 * const ms = runGcWorkload(text, { collector: "mark-sweep", heapBytes: 256 });
 * assert.deepEqual(ms.collections[0].freedIds, ["a", "b"]);
 * assert.equal(ms.collections[0].op, 7);
 * ```
 */
export function runGcWorkload(
  workload: string | readonly GcOp[],
  options: GcRunOptions,
): GcRunResult {
  const parsed = GcRunOptions.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot run workload: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  const ops = typeof workload === "string" ? parseGcWorkload(workload) : workload;
  if (!Array.isArray(ops)) {
    throw new TypeError(
      `Cannot run workload: workload must be text or an array of operations: received ${typeof workload}`,
    );
  }
  const gc: GcCollector = createGcCollector(o.collector, {
    heapBytes: o.heapBytes,
    nurseryBytes: o.nurseryBytes,
    promotionAge: o.promotionAge,
    heapMaps: o.heapMaps,
  });
  const collections: GcCollectionRecord[] = [];
  const occupancy: { line: number; bytes: number }[] = [];
  const every = Math.max(1, Math.ceil(ops.length / o.maxSamples));
  let outOfMemory: GcRunResult["outOfMemory"] = null;
  let error: GcRunResult["error"] = null;
  let opsRun = 0;
  let recordedIds = 0, counted = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    gc.op = op.line;
    opsRun++;
    try {
      switch (op.op) {
        case "new": {
          const a = gc.allocate(op.id, op.sizeBytes, op.fieldCount);
          collections.push(...a.collections);
          if (a.outOfMemory) outOfMemory = { ...a.outOfMemory, line: op.line };
          break;
        }
        case "set":
          gc.setField(op.id, op.field, op.target);
          break;
        case "root":
          gc.addRoot(op.id);
          break;
        case "unroot":
          gc.removeRoot(op.id);
          break;
        case "gc":
          collections.push(gc.collect());
          break;
        default:
          throw new TypeError(
            `Cannot run operation: op must be new, set, root, unroot or gc: received ${
              JSON.stringify((op as { op: unknown }).op)
            }`,
          );
      }
    } catch (e) {
      if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
      error = { line: op.line, message: e.message };
    }
    for (; counted < collections.length; counted++) {
      recordedIds += collections[counted].survivorIds.length + collections[counted].freedIds.length;
    }
    if (recordedIds > o.maxRecordedIds && error === null) {
      error = {
        line: op.line,
        message:
          `Cannot run workload: its collections have listed ${recordedIds} object ids so far (each lists every survivor and every object freed), more than the ${o.maxRecordedIds} a run keeps: use fewer gc lines or fewer live objects`,
      };
    }
    if (i % every === 0 || outOfMemory || error || i === ops.length - 1) {
      occupancy.push({ line: op.line, bytes: gc.occupancyBytes() });
    }
    if (outOfMemory || error) break;
  }
  const result: GcRunResult = {
    collector: o.collector,
    heapBytes: gc.heapBytes,
    capacityBytes: gc.capacityBytes,
    opsRun,
    opCount: ops.length,
    collections,
    occupancy,
    final: { liveIds: gc.liveIds(), occupancyBytes: gc.occupancyBytes() },
    totals: gc.totals(),
    outOfMemory,
    error,
  };
  return withDisplay(result, renderRun);
}

const COLUMNS = [
  "line",
  "kind",
  "trigger",
  "freed",
  "survivors",
  "traced",
  "copied B",
  "freed B",
  "pause units",
  "occupancy B",
] as const;

/**
 * The per-collection table of a run as rows of text cells (the CLI prints it).
 *
 * @param result A run from {@linkcode runGcWorkload}.
 * @returns The header and one row per collection.
 *
 * @example One row per collection
 * ```ts
 * import { gcCollectionRows, runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = runGcWorkload("new a 8 0\ngc\n", { collector: "copying", heapBytes: 64 });
 * const { header, rows } = gcCollectionRows(r);
 * assert.equal(header[0], "line");
 * assert.deepEqual(rows[0].slice(0, 4), ["2", "full", "gc", "1"]);
 * ```
 */
export function gcCollectionRows(result: GcRunResult): { header: string[]; rows: string[][] } {
  return {
    header: [...COLUMNS],
    rows: result.collections.map((c) => [
      String(c.op ?? ""),
      c.kind,
      c.trigger,
      String(c.freedIds.length),
      String(c.survivorIds.length),
      String(c.objectsTraced),
      String(c.bytesCopied),
      String(c.bytesFreed),
      String(c.pauseUnits),
      `${c.occupancyBeforeBytes} → ${c.occupancyAfterBytes}`,
    ]),
  };
}

/**
 * A few lines that sum up a run: collections, work, pauses, memory, and how it ended.
 *
 * @param result A run from {@linkcode runGcWorkload}.
 * @returns The lines, each a label and a value.
 *
 * @example How a run ended
 * ```ts
 * import { gcRunSummary, runGcWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = runGcWorkload("new a 100 0\n", { collector: "mark-sweep", heapBytes: 64 });
 * assert.match(gcRunSummary(r).at(-1)![1], /out of memory at line 1/);
 * ```
 */
export function gcRunSummary(result: GcRunResult): [string, string][] {
  const t = result.totals;
  const ended = result.error
    ? `error at line ${result.error.line}: ${result.error.message}`
    : result.outOfMemory
    ? `out of memory at line ${result.outOfMemory.line}: ${result.outOfMemory.reason}`
    : `all ${result.opCount} operations ran`;
  return [
    ["collector", result.collector],
    ["heap", `${result.heapBytes} bytes (${result.capacityBytes} usable at a time)`],
    [
      "collections",
      `${t.fullCollections} full, ${t.minorCollections} minor, ${t.rcCollections} rc`,
    ],
    ["collector work", `${t.gcWorkUnits} units (longest pause ${t.maxPauseUnits})`],
    ["mutator-side overhead", `${t.mutatorOverheadUnits} units (count updates, barrier checks)`],
    [
      "bytes allocated / copied / freed",
      `${t.bytesAllocated} / ${t.bytesCopied} / ${t.bytesFreed}`,
    ],
    ["peak occupancy", `${t.peakOccupancyBytes} bytes`],
    [
      "live at the end",
      `${result.final.liveIds.length} objects, ${result.final.occupancyBytes} bytes`,
    ],
    ["ended", ended],
  ];
}

function renderRun(r: GcRunResult): { html: string; text: string } {
  const summary = gcRunSummary(r);
  const { header, rows } = gcCollectionRows(r);
  const shown = rows.slice(0, 30);
  const more = rows.length > shown.length
    ? `first ${shown.length} of ${rows.length} collections`
    : "";
  const cell = (s: string) => `<td style="padding:2px 8px">${escapeHtml(s)}</td>`;
  const html = `<div><b>${escapeHtml(r.collector)} on a ${r.heapBytes}-byte heap</b>` +
    `<table>${summary.map(([k, v]) => `<tr>${cell(k)}${cell(v)}</tr>`).join("")}</table>` +
    (rows.length
      ? `<details><summary>collections ${escapeHtml(more)}</summary><table><tr>${
        header.map((h) => `<th style="padding:2px 8px">${escapeHtml(h)}</th>`).join("")
      }</tr>${shown.map((row) => `<tr>${row.map(cell).join("")}</tr>`).join("")}</table></details>`
      : "") +
    `</div>`;
  const text = [
    `${r.collector} on a ${r.heapBytes}-byte heap`,
    ...summary.map(([k, v]) => `  ${k}: ${v}`),
  ].join("\n");
  return { html, text };
}
