/**
 * TLB reach, measured: where this processor's translation caches run out.
 *
 * No instruction reads the TLB, but its misses cost time, and a pointer
 * chase can make them the only thing that changes. {@linkcode measureTlbReach}
 * chases a random cycle with **one step per page**: node k lives on page k,
 * at a cache line chosen at random within the page (so that the steps spread
 * over the data caches' sets instead of piling into one). Growing the number
 * of pages grows the number of translations the chase needs, while the data
 * it reads stays one 64-byte line per page. A second chase, the **packed**
 * control, visits the same number of lines packed side by side (64 to a
 * page): the same data-cache footprint, a 64th of the pages. Where the
 * page-per-step curve steps up and the packed one does not, the step comes
 * from the TLB; {@linkcode tlbReachSteps} finds those steps.
 *
 * The third chase repeats the first over memory advised `MADV_HUGEPAGE`.
 * Whether that is allowed is read from
 * `/sys/kernel/mm/transparent_hugepage/enabled` (`always`, `madvise` or
 * `never`, or absent when the kernel has no transparent huge pages), and
 * whether the kernel really used 2 MiB pages is read back from the buffer's
 * `AnonHugePages` in `/proc/self/smaps`: a verdict from what happened, not from
 * what was asked. The 4 KiB chase advises `MADV_NOHUGEPAGE`, so it stays on
 * small pages whatever the setting.
 *
 * Bounds: at most {@linkcode TLB_MAX_PAGES} pages (one buffer of that many
 * pages plus 2 MiB for alignment, mapped for one chase at a time and unmapped
 * in a `finally` block), and a time budget shared by every point. Each point
 * keeps the minimum ns per step over many short runs, carrying the chase
 * pointer from run to run, so a busy machine slows the measurement down but
 * hardly moves the minimum. {@linkcode describeTlbReach} writes the reading
 * of a result in sentences that follow its numbers.
 *
 * @module
 */
import { z } from "zod";
import { createPrng } from "../random/mod.ts";
import { Tlb } from "../vm/tlb.ts";
import { attachKeyValueDisplay } from "./_kv_display.ts";
import { escapeHtml, formatBytes, formatNs, htmlTable, textTable } from "./_format.ts";
import { parseSmaps, sumSmapsField } from "./_smaps.ts";
import { keepAlive, minOf, nowMs } from "./_timing.ts";
import {
  madviseRegion,
  type MappedRegion,
  mmapRegion,
  munmapRegion,
  pageSizeBytes,
} from "./libc.ts";
import { estimateLevels } from "./latency.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";
import { type ProgressSink, resolveProgress } from "./progress.ts";

/** The most pages one chase may span (128 MiB of 4 KiB pages). */
export const TLB_MAX_PAGES = 32768;
const DEFAULT_MAX_PAGES = 16384;
const HUGE_PAGE_BYTES = 2 * 1024 * 1024;
const LINE_BYTES = 64;
/** MADV_HUGEPAGE and MADV_NOHUGEPAGE (the same on x86-64 and aarch64). */
const MADV_HUGEPAGE = 14;
const MADV_NOHUGEPAGE = 15;
/** A step comes from the TLB alone when the packed control moves less than this ratio across it. */
const PACKED_FLAT_RATIO = 1.25;
/** A step comes mostly from the TLB when it is at least this many times the packed control's ratio. */
const MOSTLY_TLB_FACTOR = 3;

/** How a chase lays its nodes out. */
export type TlbLayout = "small-pages" | "huge-pages" | "packed";

const LAYOUT_LABELS: Record<TlbLayout, string> = {
  "small-pages": "one step per 4 KiB page",
  "huge-pages": "one step per 4 KiB, MADV_HUGEPAGE",
  "packed": "same lines packed (control)",
};

const OptionsSchema = z.strictObject({
  minPages: z.number().int().min(2).max(TLB_MAX_PAGES).default(8),
  maxPages: z.number().int().min(2).max(TLB_MAX_PAGES).default(DEFAULT_MAX_PAGES),
  pointsPerDoubling: z.number().int().min(1).max(8).default(2),
  pageCounts: z.array(z.number().int().min(2).max(TLB_MAX_PAGES)).min(1).max(200).optional(),
  budgetMs: z.number().positive().max(60_000).default(2500),
  stepsPerRun: z.number().int().min(256).max(1 << 20).default(4096),
  maxRunsPerPoint: z.number().int().min(2).max(10_000).default(200),
  seed: z.number().int().default(1),
  hugePages: z.boolean().default(true),
  sysRoot: z.string().min(1).default("/sys"),
  procRoot: z.string().min(1).default("/proc"),
}).refine((o) => o.minPages <= o.maxPages, {
  path: ["maxPages"],
  message: "maxPages must be at least minPages",
});

/** Options of {@linkcode measureTlbReach}. */
export interface TlbReachOptions {
  /** Fewest pages in a chase (default 8). */
  minPages?: number;
  /** Most pages in a chase (default 16384, at most {@linkcode TLB_MAX_PAGES}). */
  maxPages?: number;
  /** Page counts per doubling between min and max (default 2). */
  pointsPerDoubling?: number;
  /** Explicit page counts instead of min/max/pointsPerDoubling. */
  pageCounts?: number[];
  /** Time budget for everything, in ms (default 2500). */
  budgetMs?: number;
  /** Dependent loads per timed run (default 4096). */
  stepsPerRun?: number;
  /** Stop a point after this many runs even with budget left (default 200). */
  maxRunsPerPoint?: number;
  /** Seed of the random cycles and line offsets (default 1). */
  seed?: number;
  /** Also measure over memory advised MADV_HUGEPAGE, when the kernel allows it (default true). */
  hugePages?: boolean;
  /** Where sysfs is mounted (default `/sys`). */
  sysRoot?: string;
  /** Where procfs is mounted (default `/proc`). */
  procRoot?: string;
  /** Progress: `true` for automatic, or a sink. */
  progress?: boolean | ProgressSink;
}

/** One chase measured at every page count. */
export interface TlbReachCurve {
  /** How the nodes were laid out. */
  layout: TlbLayout;
  /** A label for charts. */
  label: string;
  /** Minimum ns per step at each page count. */
  nsPerAccess: number[];
  /** ns per step of every timed run, one array per page count. */
  samples: number[][];
}

/** What happened when huge pages were asked for. */
export interface HugePageOutcome {
  /** The transparent-huge-page mode, or null when the file is absent or unreadable. */
  thpMode: "always" | "madvise" | "never" | null;
  /** Where the mode was read (the path), or why not. */
  thpSource: string;
  /** True if `madvise(MADV_HUGEPAGE)` was called and succeeded. */
  advised: boolean;
  /** The error of a refused madvise, or why it was not tried. */
  refusal: string | null;
  /** Bytes of the chased buffer backed by huge pages (AnonHugePages in smaps), or null if unreadable. */
  hugeBytes: number | null;
  /** Bytes of the chased buffer. */
  bufferBytes: number;
}

/** The processor's own TLB size, as `/proc/cpuinfo` reports it (AMD processors do). */
export interface CpuinfoTlb {
  /** Entries. */
  entries: number;
  /** Bytes per page of those entries. */
  pageBytes: number;
  /** Where it came from, e.g. `/proc/cpuinfo "TLB size"`. */
  source: string;
}

/** Result of {@linkcode measureTlbReach}. */
export interface TlbReachResult {
  /** Pages spanned by each chase, ascending. */
  pageCounts: number[];
  /** The kernel's base page size. */
  pageSizeBytes: number;
  /** One curve per layout measured: small pages and packed always, huge pages when tried. */
  curves: TlbReachCurve[];
  /** What happened when huge pages were asked for. */
  huge: HugePageOutcome;
  /** The TLB size /proc/cpuinfo reports, or null when it reports none. */
  cpuinfoTlb: CpuinfoTlb | null;
  /** Loads per timed run. */
  stepsPerRun: number;
  /** Seed of the cycles. */
  seed: number;
  /** The budget asked for, ms. */
  budgetMs: number;
  /** Wall time spent, ms. */
  elapsedMs: number;
  /** Kernel release. */
  kernelRelease: string;
  /** Where and when this was measured. */
  environment: ProbeEnvironment;
}

function sweep(minPages: number, maxPages: number, perDoubling: number): number[] {
  const out = new Set<number>();
  const count = Math.floor(Math.log2(maxPages / minPages) * perDoubling + 1e-9);
  for (let k = 0; k <= count; k++) out.add(Math.round(minPages * 2 ** (k / perDoubling)));
  out.add(maxPages);
  return [...out].sort((a, b) => a - b);
}

/**
 * The order in which a chase of `pages` nodes visits them: a single random
 * cycle (Sattolo's algorithm) starting at node 0, the same for a seed on
 * every machine. The probe chases exactly this order, and a simulated TLB can
 * be fed the same pages.
 *
 * @param pages Nodes in the cycle (one per page), at least 2.
 * @param seed The seed.
 * @returns The nodes in visiting order; each appears once.
 * @throws {RangeError} If `pages` is not an integer from 2 to {@linkcode TLB_MAX_PAGES}.
 *
 * @example A cycle visits every page once
 * ```ts
 * import { tlbChaseOrder } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const order = tlbChaseOrder(8, 1);
 * assert.deepEqual([...order].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
 * assert.equal(order[0], 0);
 * ```
 */
export function tlbChaseOrder(pages: number, seed: number): number[] {
  if (!Number.isSafeInteger(pages) || pages < 2 || pages > TLB_MAX_PAGES) {
    throw new RangeError(
      `Cannot build chase order: pages must be an integer from 2 to ${TLB_MAX_PAGES}: received ${pages}`,
    );
  }
  const next = new Int32Array(pages);
  for (let i = 0; i < pages; i++) next[i] = i;
  const prng = createPrng(seed);
  for (let i = pages - 1; i > 0; i--) {
    const j = prng.int(0, i - 1);
    const t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  const order: number[] = [];
  let p = 0;
  for (let k = 0; k < pages; k++) {
    order.push(p);
    p = next[p];
  }
  return order;
}

/** Random line offsets (0..63) per page, from the seed. */
function lineOffsets(pages: number, seed: number): Int32Array {
  const prng = createPrng(seed ^ 0x5bd1);
  const out = new Int32Array(pages);
  const lines = 4096 / LINE_BYTES;
  for (let i = 0; i < pages; i++) out[i] = prng.int(0, lines - 1);
  return out;
}

/** Write the cycle into `buf` (ints); returns the starting index. */
function layCycle(
  buf: Int32Array,
  order: readonly number[],
  layout: TlbLayout,
  page: number,
  offsets: Int32Array,
): number {
  const at = (node: number) =>
    layout === "packed"
      ? (node * LINE_BYTES) >> 2
      : (node * page + offsets[node] * LINE_BYTES) >> 2;
  for (let k = 0; k < order.length; k++) {
    buf[at(order[k])] = at(order[(k + 1) % order.length]);
  }
  return at(order[0]);
}

function chase(buf: Int32Array, start: number, steps: number): number {
  let p = start;
  for (let i = 0; i < steps; i += 4) {
    p = buf[p];
    p = buf[p];
    p = buf[p];
    p = buf[p];
  }
  return p;
}

/**
 * Read the transparent-huge-page mode: the bracketed word of
 * `<sysRoot>/kernel/mm/transparent_hugepage/enabled`.
 *
 * @param sysRoot Where sysfs is mounted (default `/sys`).
 * @returns The mode (null when the file is absent or unparsable) and where it came from.
 *
 * @example A missing sysfs gives no mode, and says so
 * ```ts
 * import { readThpMode } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = readThpMode("/nonexistent");
 * assert.equal(r.mode, null);
 * assert.match(r.source, /not found/);
 * ```
 */
export function readThpMode(
  sysRoot = "/sys",
): { mode: "always" | "madvise" | "never" | null; source: string } {
  const path = `${sysRoot}/kernel/mm/transparent_hugepage/enabled`;
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return { mode: null, source: `${path} not found (no transparent huge pages in this kernel)` };
  }
  const m = /\[(always|madvise|never)\]/.exec(text);
  return m
    ? { mode: m[1] as "always" | "madvise" | "never", source: path }
    : { mode: null, source: `${path} unreadable: ${JSON.stringify(text.trim())}` };
}

/**
 * Parse the TLB size line of `/proc/cpuinfo` (`TLB size : 2560 4K pages`),
 * which AMD processors report; other processors report none.
 *
 * @param text The contents of /proc/cpuinfo.
 * @returns The entries and page size, or null when the line is absent.
 *
 * @example An AMD line
 * ```ts
 * import { parseCpuinfoTlb } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseCpuinfoTlb("model name\t: AMD EPYC\nTLB size\t: 2560 4K pages\n"), {
 *   entries: 2560,
 *   pageBytes: 4096,
 *   source: '/proc/cpuinfo "TLB size"',
 * });
 * assert.equal(parseCpuinfoTlb("model name\t: Intel\n"), null);
 * ```
 */
export function parseCpuinfoTlb(text: string): CpuinfoTlb | null {
  const m = /^TLB size\s*:\s*(\d+)\s+(\d+)([KM])\s+pages/m.exec(String(text));
  if (!m) return null;
  const pageBytes = Number(m[2]) * (m[3] === "K" ? 1024 : 1024 * 1024);
  return { entries: Number(m[1]), pageBytes, source: '/proc/cpuinfo "TLB size"' };
}

function readCpuinfoTlb(procRoot: string): CpuinfoTlb | null {
  try {
    return parseCpuinfoTlb(Deno.readTextFileSync(`${procRoot}/cpuinfo`));
  } catch {
    return null;
  }
}

function hugeBytesOf(procRoot: string, start: bigint, bytes: number): number | null {
  try {
    const entries = parseSmaps(Deno.readTextFileSync(`${procRoot}/self/smaps`));
    return sumSmapsField(entries, start, start + BigInt(bytes), "AnonHugePages");
  } catch {
    return null;
  }
}

/**
 * Measure the time per step of a page-per-step pointer chase as the number
 * of pages grows, with 4 KiB pages, with memory advised `MADV_HUGEPAGE`
 * (when the kernel allows it), and for the packed control.
 *
 * @param options Page counts, budget, seed, whether to try huge pages, and
 *   where /sys and /proc are (all optional).
 * @returns The curves, what happened to the huge pages, and the environment.
 * @throws {TypeError} If an option is out of shape or range, naming it.
 *
 * @example Many pages cost more per step than a few
 * ```ts
 * import { measureTlbReach } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await measureTlbReach({ pageCounts: [16, 4096], budgetMs: 300, hugePages: false });
 * const small = r.curves.find((c) => c.layout === "small-pages")!;
 * assert.ok(small.nsPerAccess[1] > small.nsPerAccess[0]);
 * ```
 */
export async function measureTlbReach(options: TlbReachOptions = {}): Promise<TlbReachResult> {
  const { progress, ...rest } = options ?? {};
  const parsed = OptionsSchema.safeParse(rest);
  if (!parsed.success) {
    throw new TypeError(
      `Cannot measure TLB reach: invalid options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const o = parsed.data;
  const pageCounts = o.pageCounts
    ? [...new Set(o.pageCounts)].sort((a, b) => a - b)
    : sweep(o.minPages, o.maxPages, o.pointsPerDoubling);
  const page = pageSizeBytes();
  const largest = pageCounts[pageCounts.length - 1];
  const bufferBytes = largest * page;
  const thp = readThpMode(o.sysRoot);
  const huge: HugePageOutcome = {
    thpMode: thp.mode,
    thpSource: thp.source,
    advised: false,
    refusal: null,
    hugeBytes: null,
    bufferBytes,
  };
  const layouts: TlbLayout[] = ["small-pages", "packed"];
  if (!o.hugePages) huge.refusal = "not asked for (hugePages: false)";
  else if (thp.mode === null) huge.refusal = thp.source;
  else if (thp.mode === "never") huge.refusal = `${thp.source} says never`;
  else layouts.splice(1, 0, "huge-pages");

  const sink = resolveProgress(progress, "TLB reach");
  const started = nowMs();
  const deadline = started + o.budgetMs;
  const steps = Math.ceil(o.stepsPerRun / 4) * 4;
  const offsets = lineOffsets(largest, o.seed);
  const orders = pageCounts.map((n, i) => tlbChaseOrder(n, o.seed + i));
  const totalPoints = layouts.length * pageCounts.length;
  let donePoints = 0;
  {
    const warm = new Int32Array(4096);
    let p = layCycle(warm, tlbChaseOrder(64, o.seed), "packed", page, offsets);
    for (let i = 0; i < 200; i++) p = chase(warm, p, 1024);
    keepAlive(p);
  }
  const curves: TlbReachCurve[] = [];
  for (const layout of layouts) {
    const region: MappedRegion = mmapRegion({ sizeBytes: bufferBytes + HUGE_PAGE_BYTES });
    try {
      const base = BigInt(Deno.UnsafePointer.value(region.pointer));
      const skew = Number(
        (BigInt(HUGE_PAGE_BYTES) - (base % BigInt(HUGE_PAGE_BYTES))) %
          BigInt(HUGE_PAGE_BYTES),
      );
      if (layout === "huge-pages") {
        try {
          madviseRegion(region, MADV_HUGEPAGE);
          huge.advised = true;
        } catch (e) {
          huge.refusal = `madvise(MADV_HUGEPAGE) refused: ${(e as Error).message}`;
        }
      } else {
        try {
          madviseRegion(region, MADV_NOHUGEPAGE);
        } catch {
          // A kernel without transparent huge pages uses base pages anyway.
        }
      }
      const buf = new Int32Array(
        Deno.UnsafePointerView.getArrayBuffer(region.pointer, region.sizeBytes),
        skew,
        bufferBytes / 4,
      );
      if (layout === "huge-pages") {
        for (let i = 0; i < buf.length; i += page / 4) buf[i] = 0; // fault every page in now
        huge.hugeBytes = hugeBytesOf(o.procRoot, base + BigInt(skew), bufferBytes);
      }
      const curve: TlbReachCurve = {
        layout,
        label: LAYOUT_LABELS[layout],
        nsPerAccess: [],
        samples: [],
      };
      for (let i = 0; i < pageCounts.length; i++) {
        const left = totalPoints - donePoints;
        const pointDeadline = nowMs() + Math.max(0, deadline - nowMs()) / left;
        let p = layCycle(buf, orders[i], layout, page, offsets);
        p = chase(buf, p, steps); // untimed: fault in and warm the caches
        const runs: number[] = [];
        while (runs.length < o.maxRunsPerPoint) {
          const t0 = nowMs();
          p = chase(buf, p, steps);
          const t1 = nowMs();
          runs.push(((t1 - t0) * 1e6) / steps);
          if (runs.length >= 3 && t1 >= pointDeadline) break;
        }
        keepAlive(p);
        curve.samples.push(runs);
        curve.nsPerAccess.push(minOf(runs));
        donePoints++;
        await sink.update(donePoints / totalPoints, `${layout}, ${pageCounts[i]} pages`);
      }
      curves.push(curve);
    } finally {
      munmapRegion(region);
    }
  }
  const elapsedMs = nowMs() - started;
  await sink.finish(`${totalPoints} points in ${(elapsedMs / 1000).toFixed(1)} s`);
  const result: TlbReachResult = {
    pageCounts,
    pageSizeBytes: page,
    curves,
    huge,
    cpuinfoTlb: readCpuinfoTlb(o.procRoot),
    stepsPerRun: steps,
    seed: o.seed,
    budgetMs: o.budgetMs,
    elapsedMs,
    kernelRelease: Deno.osRelease(),
    environment: environment(),
  };
  return withTlbDisplay(result);
}

function withTlbDisplay(result: TlbReachResult): TlbReachResult {
  return attachKeyValueDisplay(result, "TLB reach, measured by a page-per-step chase", () => [
    ["pages chased", `${result.pageCounts[0]} to ${result.pageCounts.at(-1)}`],
    ["huge pages", describeHugeOutcome(result.huge)],
    [
      "TLB size from the processor",
      result.cpuinfoTlb
        ? `${result.cpuinfoTlb.entries} entries of ${
          formatBytes(result.cpuinfoTlb.pageBytes)
        } (${result.cpuinfoTlb.source})`
        : "not reported",
    ],
    ["time", `${(result.elapsedMs / 1000).toFixed(1)} s of a ${result.budgetMs} ms budget`],
  ], () => {
    const headers = ["pages", ...result.curves.map((c) => `${c.label} (min ns/step)`)];
    const rows = result.pageCounts.map((n, i) => [
      String(n),
      ...result.curves.map((c) => formatNs(c.nsPerAccess[i])),
    ]);
    return {
      html: htmlTable(headers, rows.map((r) => r.map(escapeHtml))),
      text: textTable(headers, rows),
    };
  });
}

/** The part of a measured curve the analysis needs: its layout and its times. */
export interface TlbCurveData {
  /** How the nodes were laid out. */
  layout: TlbLayout;
  /** Minimum ns per step at each page count. */
  nsPerAccess: readonly number[];
}

/** The part of a result the analysis needs: page counts and curves. */
export interface TlbCurvesData {
  /** Pages spanned by each chase, ascending. */
  pageCounts: readonly number[];
  /** The measured curves. */
  curves: readonly TlbCurveData[];
}

/** One step of a curve, from {@linkcode tlbReachSteps}. */
export interface TlbStep {
  /** The curve's layout. */
  layout: TlbLayout;
  /** The last page count of the faster plateau. */
  afterPages: number;
  /** The first page count of the slower plateau. */
  beforePages: number;
  /** ns per step on the faster plateau. */
  fromNs: number;
  /** ns per step on the slower plateau. */
  toNs: number;
  /** toNs / fromNs. */
  ratio: number;
  /** The packed control's ns at `beforePages` over its ns at `afterPages`. */
  packedRatio: number;
  /**
   * Where the step comes from: `"tlb"` when the packed control stays flat
   * across it, `"mostly-tlb"` when the control rises but the step is at least
   * three times larger, `"shared"` when the data caches rise about as much.
   */
  cause: "tlb" | "mostly-tlb" | "shared";
  /** True unless `cause` is `"shared"`: the step shows a cost the data caches alone do not have. */
  fromTlb: boolean;
}

const StepsShape = z.object({
  pageCounts: z.array(z.number().int().positive()).min(1),
  curves: z.array(z.object({
    layout: z.enum(["small-pages", "huge-pages", "packed"]),
    nsPerAccess: z.array(z.number().positive().finite()),
  })).min(1),
}).refine((r) => r.curves.every((c) => c.nsPerAccess.length === r.pageCounts.length), {
  path: ["curves"],
  message: "every curve needs one nsPerAccess value per page count",
});

function checkResult(what: string, result: unknown): z.infer<typeof StepsShape> {
  const r = StepsShape.safeParse(result);
  if (!r.success) {
    throw new TypeError(`Cannot ${what}: invalid result: ${z.prettifyError(r.error)}`, {
      cause: r.error,
    });
  }
  return r.data;
}

/**
 * Find the steps of a curve (plateaus and jumps, as lesson 01 finds cache
 * levels) and say for each whether the packed control stays flat across it.
 *
 * @param result A {@linkcode TlbReachResult} (or its `pageCounts` and `curves`).
 * @param layout Which curve (default `"small-pages"`).
 * @returns The steps from the fewest pages up (empty when the curve is flat or absent).
 * @throws {TypeError} If the result is malformed.
 *
 * @example A step at 64 pages that the packed control does not have
 * ```ts
 * import { tlbReachSteps } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const pageCounts = [16, 32, 64, 128, 256, 512];
 * const steps = tlbReachSteps({ pageCounts, curves: [
 *   { layout: "small-pages", nsPerAccess: [2, 2, 2.1, 4.2, 4.3, 4.4] },
 *   { layout: "packed", nsPerAccess: [2, 2, 2, 2.1, 2.1, 2.2] },
 * ] });
 * assert.equal(steps.length, 1);
 * assert.deepEqual([steps[0].afterPages, steps[0].beforePages, steps[0].cause], [64, 128, "tlb"]);
 * ```
 */
export function tlbReachSteps(
  result: TlbCurvesData,
  layout: TlbLayout = "small-pages",
): TlbStep[] {
  const r = checkResult("find TLB steps", result);
  const curve = r.curves.find((c) => c.layout === layout);
  if (!curve) return [];
  const packed = r.curves.find((c) => c.layout === "packed");
  const levels = estimateLevels({ sizesBytes: r.pageCounts, nsPerAccess: curve.nsPerAccess });
  const nsAt = (c: { nsPerAccess: number[] }, pages: number) =>
    c.nsPerAccess[r.pageCounts.indexOf(pages)];
  return levels.jumps.map((j, i) => {
    const packedRatio = packed ? nsAt(packed, j.beforeBytes) / nsAt(packed, j.afterBytes) : NaN;
    const cause = !Number.isFinite(packedRatio)
      ? "shared"
      : packedRatio < PACKED_FLAT_RATIO
      ? "tlb"
      : j.ratio >= MOSTLY_TLB_FACTOR * packedRatio
      ? "mostly-tlb"
      : "shared";
    return {
      layout,
      afterPages: j.afterBytes,
      beforePages: j.beforeBytes,
      fromNs: levels.plateaus[i].latencyNs,
      toNs: levels.plateaus[i + 1].latencyNs,
      ratio: j.ratio,
      packedRatio,
      cause,
      fromTlb: cause !== "shared",
    };
  });
}

/**
 * Say in words what happened to the huge pages, from the outcome alone.
 *
 * @param huge The `huge` field of a {@linkcode TlbReachResult}.
 * @returns One sentence.
 *
 * @example Switched off
 * ```ts
 * import { describeHugeOutcome } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const s = describeHugeOutcome({ thpMode: "never", thpSource: "/sys/kernel/mm/transparent_hugepage/enabled", advised: false, refusal: "x", hugeBytes: null, bufferBytes: 2 ** 26 });
 * assert.match(s, /switched off/);
 * ```
 */
export function describeHugeOutcome(huge: HugePageOutcome): string {
  if (huge.thpMode === null) {
    return `This kernel offers no transparent huge pages (${huge.thpSource}), so MADV_HUGEPAGE could not be tried.`;
  }
  if (huge.thpMode === "never") {
    return `Transparent huge pages are switched off here (${huge.thpSource} says never), so MADV_HUGEPAGE could not be tried.`;
  }
  if (!huge.advised) {
    return `Huge pages were not measured: ${huge.refusal ?? "madvise was not called"}.`;
  }
  const mode = `mode ${huge.thpMode}, read from ${huge.thpSource}`;
  if (huge.hugeBytes === null) {
    return `The kernel accepted MADV_HUGEPAGE (${mode}), but /proc/self/smaps could not be read to see whether it used huge pages.`;
  }
  if (huge.hugeBytes === 0) {
    return `The kernel accepted MADV_HUGEPAGE (${mode}) but backed none of the ${
      formatBytes(huge.bufferBytes)
    } buffer with huge pages (AnonHugePages 0 in /proc/self/smaps), so that curve ran on 4 KiB pages too.`;
  }
  const share = Math.round((100 * huge.hugeBytes) / huge.bufferBytes);
  return `The kernel backed ${formatBytes(huge.hugeBytes)} of the ${
    formatBytes(huge.bufferBytes)
  } buffer (${share}%) with 2 MiB pages after MADV_HUGEPAGE (${mode}; AnonHugePages in /proc/self/smaps).`;
}

/**
 * The reading of a TLB-reach result, in sentences generated from its numbers:
 * the steps of the 4 KiB curve and whether the packed control has them, the
 * TLB size the processor reports (when it does), and what huge pages changed.
 *
 * @param result A {@linkcode TlbReachResult}.
 * @returns A paragraph of plain text.
 * @throws {TypeError} If the result is malformed.
 *
 * @example A recorded run with one TLB step and no huge pages
 * ```ts
 * import { describeTlbReach } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const text = describeTlbReach({
 *   pageCounts: [16, 32, 64, 128, 256],
 *   curves: [
 *     { layout: "small-pages", nsPerAccess: [2, 2, 2, 4, 4.1] },
 *     { layout: "packed", nsPerAccess: [2, 2, 2, 2, 2.1] },
 *   ],
 *   huge: { thpMode: "never", thpSource: "/sys/kernel/mm/transparent_hugepage/enabled", advised: false, refusal: "off", hugeBytes: null, bufferBytes: 2 ** 20 },
 *   cpuinfoTlb: null,
 * });
 * assert.match(text, /between 64 and 128 pages/);
 * assert.match(text, /switched off/);
 * ```
 */
export function describeTlbReach(
  result: TlbCurvesData & Pick<TlbReachResult, "huge" | "cpuinfoTlb">,
): string {
  const r = checkResult("describe TLB reach", result);
  const steps = tlbReachSteps(r, "small-pages");
  const tlbSteps = steps.filter((s) => s.fromTlb);
  const parts: string[] = [];
  const ns = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
  if (steps.length === 0) {
    parts.push(
      `With 4 KiB pages the time per step stayed on one level from ${r.pageCounts[0]} to ${
        r.pageCounts.at(-1)
      } pages: no step showed in this range.`,
    );
  } else {
    parts.push(
      `With 4 KiB pages the time per step rose in ${steps.length} step${
        steps.length === 1 ? "" : "s"
      }: ${
        steps.map((s) =>
          `from ${ns(s.fromNs)} to ${
            ns(s.toNs)
          } ns between ${s.afterPages} and ${s.beforePages} pages` +
          (Number.isFinite(s.packedRatio)
            ? s.cause === "tlb"
              ? " (the packed control stayed flat there: a TLB step)"
              : s.cause === "mostly-tlb"
              ? ` (the packed control rose only ×${
                s.packedRatio.toFixed(1)
              } there: mostly a TLB step)`
              : ` (the packed control rose ×${
                s.packedRatio.toFixed(1)
              } there too: the data caches share in it)`
            : "")
        ).join("; ")
      }.`,
    );
    parts.push(
      tlbSteps.length > 0
        ? `So about ${
          tlbSteps[0].afterPages
        } pages fit the first translation level this chase could find${
          tlbSteps.length > 1
            ? `, and about ${tlbSteps[1].afterPages} the next (${
              formatBytes(tlbSteps[1].afterPages * 4096)
            } of 4 KiB pages)`
            : ""
        }.`
        : "No step came from the TLB alone: the data caches moved at the same places.",
    );
  }
  if (result.cpuinfoTlb) {
    parts.push(
      `The processor reports ${result.cpuinfoTlb.entries} entries for ${
        formatBytes(result.cpuinfoTlb.pageBytes)
      } pages (${result.cpuinfoTlb.source}; on AMD processors that is the second-level TLB).`,
    );
  }
  parts.push(describeHugeOutcome(result.huge));
  const hugeCurve = r.curves.find((c) => c.layout === "huge-pages");
  const small = r.curves.find((c) => c.layout === "small-pages");
  if (hugeCurve && small && result.huge.hugeBytes !== null && result.huge.hugeBytes > 0) {
    const last = r.pageCounts.length - 1;
    const ratio = small.nsPerAccess[last] / hugeCurve.nsPerAccess[last];
    const hugeFirst = tlbReachSteps(r, "huge-pages").find((s) => s.fromTlb);
    const first = tlbSteps[0];
    const farEnd = `At ${r.pageCounts[last]} pages a step took ${
      ns(hugeCurve.nsPerAccess[last])
    } ns with huge pages against ${ns(small.nsPerAccess[last])} ns with 4 KiB pages (×${
      ratio.toFixed(1)
    }).`;
    let moved: string;
    if (!first) moved = "";
    else if (!hugeFirst || hugeFirst.afterPages >= first.afterPages * 4) {
      moved = hugeFirst
        ? ` The first step moved from ${first.afterPages} to ${hugeFirst.afterPages} pages: each 2 MiB entry covers 512 of them.`
        : ` The first step, at ${first.afterPages} pages with 4 KiB pages, is gone: each 2 MiB entry covers 512 of them.`;
    } else {
      moved =
        ` Yet the first step did not move out (after ${hugeFirst.afterPages} pages with huge pages, ${first.afterPages} without), as if the translations were still cached 4 KiB at a time (inside a virtual machine, the host's own page size also caps what one TLB entry can cover).`;
    }
    parts.push(farEnd + moved);
  }
  return parts.join(" ");
}

/** A TLB geometry read from measured steps, for the simulator. */
export interface TlbGeometry {
  /** Entries of the first level: the last page count before its step. */
  firstLevelEntries: number;
  /** Entries of the second level, or null when no second TLB step was measured. */
  secondLevelEntries: number | null;
}

/**
 * The TLB geometry a result implies: the page count just before each of the
 * first two TLB-only steps of the 4 KiB curve.
 *
 * @param result A {@linkcode TlbReachResult}.
 * @returns The geometry, or null when no TLB-only step was measured.
 *
 * @example Two steps
 * ```ts
 * import { tlbGeometryFromSteps } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const pageCounts = [16, 32, 64, 128, 256, 1024, 2048, 4096];
 * const g = tlbGeometryFromSteps({ pageCounts, curves: [
 *   { layout: "small-pages", nsPerAccess: [2, 2, 2, 4, 4, 4.2, 20, 21] },
 *   { layout: "packed", nsPerAccess: [2, 2, 2, 2, 2, 2, 2.1, 2.1] },
 * ] });
 * assert.deepEqual(g, { firstLevelEntries: 64, secondLevelEntries: 1024 });
 * ```
 */
export function tlbGeometryFromSteps(
  result: TlbCurvesData,
): TlbGeometry | null {
  const steps = tlbReachSteps(result).filter((s) => s.fromTlb);
  if (steps.length === 0) return null;
  return {
    firstLevelEntries: steps[0].afterPages,
    secondLevelEntries: steps[1]?.afterPages ?? null,
  };
}

/** One page count of {@linkcode simulateTlbReach}. */
export interface SimulatedTlbPoint {
  /** Pages in the chase. */
  pages: number;
  /** Hit rate of the first level on the second pass of the cycle. */
  firstLevelHitRate: number;
  /** Hit rate of the second level on the first level's misses (null without a second level). */
  secondLevelHitRate: number | null;
}

/**
 * Run the probe's own chase order (two passes of each cycle) through a
 * simulated two-level TLB (fully associative, LRU) of the given geometry and
 * report the hit rates of the second pass, so the simulator sees the pages
 * the hardware saw.
 *
 * @param pageCounts The page counts of a result.
 * @param geometry Entries per level (e.g. from {@linkcode tlbGeometryFromSteps}).
 * @param seed The result's seed (the cycles use `seed + index`).
 * @returns One point per page count.
 *
 * @example A 64-entry first level holds a cycle of 64 pages, not of 65
 * ```ts
 * import { simulateTlbReach } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const pts = simulateTlbReach([64, 65], { firstLevelEntries: 64, secondLevelEntries: null }, 1);
 * assert.deepEqual(pts.map((p) => p.firstLevelHitRate), [1, 0]);
 * ```
 */
export function simulateTlbReach(
  pageCounts: readonly number[],
  geometry: TlbGeometry,
  seed: number,
): SimulatedTlbPoint[] {
  return pageCounts.map((pages, i) => {
    const order = tlbChaseOrder(pages, seed + i);
    const l1 = new Tlb({ entries: geometry.firstLevelEntries });
    const l2 = geometry.secondLevelEntries === null
      ? null
      : new Tlb({ entries: geometry.secondLevelEntries });
    let l1Hits = 0, l2Hits = 0, l2Lookups = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (const vpn of order) {
        const hit1 = l1.lookup(vpn);
        const hit2 = !hit1 && l2 ? l2.lookup(vpn) : false;
        if (pass === 1) {
          if (hit1) l1Hits++;
          else if (l2) {
            l2Lookups++;
            if (hit2) l2Hits++;
          }
        }
      }
    }
    return {
      pages,
      firstLevelHitRate: l1Hits / pages,
      secondLevelHitRate: l2 === null ? null : l2Lookups === 0 ? 1 : l2Hits / l2Lookups,
    };
  });
}

/**
 * One sentence on what the simulated TLB and the measurement agree on, and
 * where they differ, from the numbers.
 *
 * @param result A {@linkcode TlbReachResult}.
 * @param simulated The points of {@linkcode simulateTlbReach} for its page counts.
 * @param geometry The geometry the simulation used.
 * @returns The sentence.
 *
 * @example The simulated first level runs out where the real step is
 * ```ts
 * import { describeTlbAgreement } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const result = { pageCounts: [32, 64, 128], curves: [
 *   { layout: "small-pages" as const, nsPerAccess: [2, 2, 4] },
 *   { layout: "packed" as const, nsPerAccess: [2, 2, 2] },
 * ] };
 * const sim = [
 *   { pages: 32, firstLevelHitRate: 1, secondLevelHitRate: null },
 *   { pages: 64, firstLevelHitRate: 1, secondLevelHitRate: null },
 *   { pages: 128, firstLevelHitRate: 0, secondLevelHitRate: null },
 * ];
 * const s = describeTlbAgreement(result, sim, { firstLevelEntries: 64, secondLevelEntries: null });
 * assert.match(s, /first misses at 128 pages/);
 * ```
 */
export function describeTlbAgreement(
  result: TlbCurvesData,
  simulated: readonly SimulatedTlbPoint[],
  geometry: TlbGeometry,
): string {
  const r = checkResult("compare TLB reach", result);
  const small = r.curves.find((c) => c.layout === "small-pages");
  const firstMiss = simulated.find((p) => p.firstLevelHitRate < 1);
  const secondMiss = simulated.find((p) =>
    p.secondLevelHitRate !== null && p.secondLevelHitRate < 1
  );
  if (!small || !firstMiss) {
    return `The simulated TLB (${geometry.firstLevelEntries} entries) never missed over these page counts.`;
  }
  const at = (pages: number) => small.nsPerAccess[r.pageCounts.indexOf(pages)];
  const before = r.pageCounts[r.pageCounts.indexOf(firstMiss.pages) - 1];
  const parts = [
    `The simulated TLB, given the sizes read from the steps (${geometry.firstLevelEntries}${
      geometry.secondLevelEntries === null ? "" : ` and ${geometry.secondLevelEntries}`
    } entries, LRU), first misses at ${firstMiss.pages} pages, where the real time per step went from ${
      before === undefined ? "?" : at(before).toFixed(1)
    } to ${
      at(firstMiss.pages).toFixed(1)
    } ns: they agree on where, by construction, and the simulation says why (an LRU TLB one entry short of a cycle misses on every step).`,
  ];
  if (secondMiss) {
    const last = r.pageCounts.length - 1;
    const growth = small.nsPerAccess[last] / at(secondMiss.pages);
    parts.push(
      `Past ${geometry.secondLevelEntries} pages both simulated levels miss on every step, a count that cannot grow any more; the real cost per step ${
        growth > 1.2
          ? `kept growing, from ${
            at(secondMiss.pages).toFixed(1)
          } ns at ${secondMiss.pages} pages to ${small.nsPerAccess[last].toFixed(1)} ns at ${
            r.pageCounts[last]
          } (×${
            growth.toFixed(1)
          }): a miss costs a page-table walk, and the walk's own reads find the caches less and less often as the tables grow`
          : `stayed about level too (${
            at(secondMiss.pages).toFixed(1)
          } ns at ${secondMiss.pages} pages, ${small.nsPerAccess[last].toFixed(1)} ns at ${
            r.pageCounts[last]
          })`
      }.`,
    );
  }
  return parts.join(" ");
}
