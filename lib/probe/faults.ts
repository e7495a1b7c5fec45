/**
 * Real page faults on this machine: minor faults when fresh anonymous memory
 * is first touched (writes allocate a page each, reads map the shared zero
 * page), residency seen through `mincore` before and after touching and after
 * `madvise(MADV_DONTNEED)`, and major faults when a file mapping is read after
 * its pages were dropped from the page cache.
 *
 * Every probe maps at most a few MiB, unmaps and deletes what it created in a
 * `finally` block, and returns raw counts with the environment. Fault counts
 * come from `getrusage(RUSAGE_THREAD)` (the JavaScript thread only) and, for
 * comparison, `node:process` `resourceUsage()` (the whole process).
 *
 * @module
 */
import { resourceUsage } from "node:process";
import { z } from "zod";
import { createEvictableFile } from "./_evictable_file.ts";
import { attachKeyValueDisplay } from "./_kv_display.ts";
import { formatBytes } from "./_format.ts";
import {
  getRusage,
  LINUX,
  madviseRegion,
  mincorePages,
  mmapRegion,
  munmapRegion,
  pageSizeBytes,
} from "./libc.ts";
import { regionBytes } from "./_region_bytes.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";
import { parseProcStatus } from "./maps.ts";

/** How a fresh buffer is touched: one access per page. */
export type TouchKind = "write" | "read" | "read-then-write";

const TouchOptionsSchema = z.strictObject({
  pageCount: z.number().int().min(1).max(65536).default(256),
  touch: z.enum(["write", "read", "read-then-write"]).default("write"),
});

/** Options for {@linkcode measureTouchFaults}. */
export interface TouchFaultsOptions {
  /** Pages in the fresh buffer, 1..65536 (default 256). */
  pageCount?: number;
  /** How each page is touched (default `"write"`). */
  touch?: TouchKind;
}

/** Result of {@linkcode measureTouchFaults}. */
export interface TouchFaultsResult {
  /** How each page was touched. */
  touch: TouchKind;
  /** Pages touched. */
  pageCount: number;
  /** The kernel's page size. */
  pageSizeBytes: number;
  /** Minor faults on the JavaScript thread during the touches (getrusage RUSAGE_THREAD). */
  minorFaults: number;
  /** Major faults on the JavaScript thread during the touches. */
  majorFaults: number;
  /** `minorFaults / pageCount`. */
  minorFaultsPerPage: number;
  /** Minor faults of the whole process (node:process resourceUsage), including other threads. */
  processMinorFaults: number;
  /** Pages resident according to mincore before touching (0 for fresh memory). */
  residentBefore: number;
  /** Pages resident according to mincore after touching (the zero page does not count). */
  residentAfter: number;
  /** VmRSS before touching, bytes (null if /proc is unreadable). */
  rssBeforeBytes: number | null;
  /** VmRSS after touching, bytes. */
  rssAfterBytes: number | null;
  /** RssAnon after minus before, bytes. */
  rssAnonDeltaBytes: number | null;
  /** Kernel release (`Deno.osRelease()`). */
  kernelRelease: string;
  /** Where and when this was measured. */
  environment: ProbeEnvironment;
}

function parseOptions<S extends z.ZodType>(schema: S, what: string, options: unknown): z.output<S> {
  const r = schema.safeParse(options ?? {});
  if (!r.success) {
    throw new TypeError(`Cannot ${what}: invalid options: ${z.prettifyError(r.error)}`, {
      cause: r.error,
    });
  }
  return r.data;
}

function readStatus(): { rss: number | null; anon: number | null } {
  try {
    const s = parseProcStatus(Deno.readTextFileSync("/proc/self/status"));
    return { rss: s.vmRssBytes, anon: s.rssAnonBytes };
  } catch {
    return { rss: null, anon: null };
  }
}

/**
 * Count the page faults caused by touching each page of a fresh anonymous
 * mapping once (a write, a read, or a read then a write).
 *
 * Writes cost about one minor fault per page and make every page resident;
 * reads map the shared zero page (still a fault per page) but RSS barely
 * moves; a read then a write faults twice per page.
 *
 * @param options Page count (default 256, at most 65536) and touch kind.
 * @returns Fault counts, residency and RSS before and after.
 * @throws {TypeError} If an option is out of shape or range.
 *
 * @example Writing 16 fresh pages makes them all resident
 * ```ts
 * import { measureTouchFaults } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = measureTouchFaults({ pageCount: 16, touch: "write" });
 * assert.equal(r.residentBefore, 0);
 * assert.equal(r.residentAfter, 16);
 * ```
 */
export function measureTouchFaults(options: TouchFaultsOptions = {}): TouchFaultsResult {
  const { pageCount, touch } = parseOptions(TouchOptionsSchema, "measure touch faults", options);
  const page = pageSizeBytes();
  const region = mmapRegion({ sizeBytes: pageCount * page });
  try {
    const bytes = regionBytes(region);
    warmUp(page);
    const residentBefore = count(mincorePages(region));
    const before = readStatus();
    const procBefore = resourceUsage();
    const t0 = getRusage("thread");
    let sum = 0;
    if (touch === "read" || touch === "read-then-write") sum += readPages(bytes, page, pageCount);
    if (touch === "write" || touch === "read-then-write") writePages(bytes, page, pageCount, 1);
    const t1 = getRusage("thread");
    if (sum !== 0) throw new Error(`Fresh anonymous memory must read as zero: received sum ${sum}`);
    const procAfter = resourceUsage();
    const after = readStatus();
    const residentAfter = count(mincorePages(region));
    const minorFaults = t1.minorFaults - t0.minorFaults;
    const result: TouchFaultsResult = {
      touch,
      pageCount,
      pageSizeBytes: page,
      minorFaults,
      majorFaults: t1.majorFaults - t0.majorFaults,
      minorFaultsPerPage: minorFaults / pageCount,
      processMinorFaults: procAfter.minorPageFault - procBefore.minorPageFault,
      residentBefore,
      residentAfter,
      rssBeforeBytes: before.rss,
      rssAfterBytes: after.rss,
      rssAnonDeltaBytes: before.anon === null || after.anon === null
        ? null
        : after.anon - before.anon,
      kernelRelease: Deno.osRelease(),
      environment: environment(),
    };
    return attachKeyValueDisplay(result, `Touching ${pageCount} fresh pages (${touch})`, () => [
      ["minor faults (JS thread)", String(result.minorFaults)],
      ["minor faults per page", result.minorFaultsPerPage.toFixed(3)],
      ["minor faults (whole process)", String(result.processMinorFaults)],
      ["major faults", String(result.majorFaults)],
      ["resident pages before / after", `${residentBefore} / ${residentAfter}`],
      ["RssAnon change", formatBytes(result.rssAnonDeltaBytes)],
      ["VmRSS before / after", `${formatBytes(before.rss)} / ${formatBytes(after.rss)}`],
    ]);
  } finally {
    munmapRegion(region);
  }
}

function readPages(bytes: Uint8Array, page: number, pageCount: number, stride = 1): number {
  let sum = 0;
  for (let i = 0; i < pageCount; i += stride) sum += bytes[i * page];
  return sum;
}

function writePages(bytes: Uint8Array, page: number, pageCount: number, stride: number): number {
  let n = 0;
  for (let i = 0; i < pageCount; i += stride, n++) bytes[i * page] = 1;
  return n;
}

/** Run the touch loops once on a small scratch mapping so that compiling them adds no faults later. */
function warmUp(page: number): void {
  const scratch = mmapRegion({ sizeBytes: 4 * page });
  try {
    const b = regionBytes(scratch);
    for (let k = 0; k < 200; k++) {
      readPages(b, page, 4);
      writePages(b, page, 4, 1 + (k % 2));
    }
  } finally {
    munmapRegion(scratch);
  }
}

function count(flags: readonly boolean[]): number {
  let n = 0;
  for (const f of flags) if (f) n++;
  return n;
}

const ResidencyOptionsSchema = z.strictObject({
  pageCount: z.number().int().min(1).max(65536).default(256),
  touchEvery: z.number().int().min(1).default(1),
});

/** Options for {@linkcode measureResidency}. */
export interface ResidencyOptions {
  /** Pages in the anonymous mapping, 1..65536 (default 256). */
  pageCount?: number;
  /** Write to every n-th page only (default 1: every page). */
  touchEvery?: number;
}

/** Result of {@linkcode measureResidency}: mincore counts at three moments. */
export interface ResidencyResult {
  /** Pages in the mapping. */
  pageCount: number;
  /** The kernel's page size. */
  pageSizeBytes: number;
  /** Pages written (`ceil(pageCount / touchEvery)`). */
  touchedPages: number;
  /** Resident pages right after mmap (fresh memory: 0). */
  residentBefore: number;
  /** Resident pages after the writes. */
  residentAfterTouch: number;
  /** Resident pages after `madvise(MADV_DONTNEED)` on the whole mapping. */
  residentAfterDontneed: number;
  /** mincore after the writes, one character per page: `#` resident, `.` not. */
  mapAfterTouch: string;
  /** Minor faults on the JavaScript thread during the writes. */
  minorFaults: number;
  /** Where and when this was measured. */
  environment: ProbeEnvironment;
}

/**
 * Map fresh anonymous memory, write to every n-th page, and watch residency
 * with `mincore`: before, after the writes, and after `MADV_DONTNEED`.
 *
 * @param options Page count (default 256) and stride of the writes.
 * @returns Resident-page counts (exact: the kernel reports them page by page).
 * @throws {TypeError} If an option is out of shape or range.
 *
 * @example Every other page
 * ```ts
 * import { measureResidency } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = measureResidency({ pageCount: 8, touchEvery: 2 });
 * assert.equal(r.mapAfterTouch, "#.#.#.#.");
 * assert.equal(r.residentAfterDontneed, 0);
 * ```
 */
export function measureResidency(options: ResidencyOptions = {}): ResidencyResult {
  const { pageCount, touchEvery } = parseOptions(
    ResidencyOptionsSchema,
    "measure residency",
    options,
  );
  const page = pageSizeBytes();
  const region = mmapRegion({ sizeBytes: pageCount * page });
  try {
    const bytes = regionBytes(region);
    warmUp(page);
    const residentBefore = count(mincorePages(region));
    const t0 = getRusage("thread");
    const touchedPages = writePages(bytes, page, pageCount, touchEvery);
    const t1 = getRusage("thread");
    const after = mincorePages(region);
    madviseRegion(region, LINUX.MADV_DONTNEED);
    const residentAfterDontneed = count(mincorePages(region));
    const result: ResidencyResult = {
      pageCount,
      pageSizeBytes: page,
      touchedPages,
      residentBefore,
      residentAfterTouch: count(after),
      residentAfterDontneed,
      mapAfterTouch: after.map((b) => (b ? "#" : ".")).join(""),
      minorFaults: t1.minorFaults - t0.minorFaults,
      environment: environment(),
    };
    return attachKeyValueDisplay(result, `Residency of ${pageCount} anonymous pages`, () => [
      ["pages written", String(touchedPages)],
      ["resident after mmap", String(residentBefore)],
      ["resident after writes", String(result.residentAfterTouch)],
      ["resident after MADV_DONTNEED", String(residentAfterDontneed)],
      ["minor faults during writes", String(result.minorFaults)],
      ["map after writes", result.mapAfterTouch.slice(0, 256) + (pageCount > 256 ? "…" : "")],
    ]);
  } finally {
    munmapRegion(region);
  }
}

const MajorOptionsSchema = z.strictObject({
  pageCount: z.number().int().min(1).max(16384).default(256),
  dir: z.string().min(1).optional(),
});

/** Options for {@linkcode measureMajorFaults}. */
export interface MajorFaultsOptions {
  /** Pages in the temporary file, 1..16384 (default 256). */
  pageCount?: number;
  /** Parent directory for the temporary file; default: a disk-backed temp directory. */
  dir?: string;
}

/** Result of {@linkcode measureMajorFaults}. */
export interface MajorFaultsResult {
  /** Pages in the file, each read once per pass. */
  pageCount: number;
  /** The kernel's page size. */
  pageSizeBytes: number;
  /** Pages of the file in the page cache before the first pass (0 when eviction worked). */
  residentBefore: number;
  /** Major faults on the JavaScript thread in the first pass (cold cache). */
  majorFaults: number;
  /** Minor faults on the JavaScript thread in the first pass. */
  minorFaults: number;
  /** Major faults in a second pass over the same pages (warm cache: expected 0). */
  secondPassMajorFaults: number;
  /** Pages in the page cache after the first pass. */
  residentAfter: number;
  /** Filesystem of the temporary file (e.g. `ext4`; `tmpfs` cannot drop pages). */
  fsType: string | null;
  /** True if the file's pages could all be dropped, so counts are meaningful. */
  evictable: boolean;
  /** A sentence on how to read the result. */
  note: string;
  /** Where and when this was measured. */
  environment: ProbeEnvironment;
}

/**
 * Produce major faults safely: write a temp file, fsync it, map it with
 * readahead disabled, drop its pages from the page cache, then read one byte
 * per page (expected: one major fault per page), then read them again
 * (expected: none). The file is deleted afterwards.
 *
 * @param options Page count (default 256, at most 16384) and parent directory.
 * @returns Fault counts of both passes, residency, and the filesystem used.
 * @throws {TypeError} If an option is out of shape or range.
 *
 * @example Eight pages, eight major faults
 * ```ts
 * import { measureMajorFaults } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = measureMajorFaults({ pageCount: 8 });
 * if (r.evictable) assert.equal(r.majorFaults, 8);
 * assert.equal(r.secondPassMajorFaults, 0);
 * ```
 */
export function measureMajorFaults(options: MajorFaultsOptions = {}): MajorFaultsResult {
  const { pageCount, dir } = parseOptions(MajorOptionsSchema, "measure major faults", options);
  const file = createEvictableFile(pageCount, dir);
  try {
    const left = file.evictAll();
    const residentBefore = count(file.resident());
    const t0 = getRusage("thread");
    for (let i = 0; i < pageCount; i++) file.touch(i);
    const t1 = getRusage("thread");
    const residentAfter = count(file.resident());
    for (let i = 0; i < pageCount; i++) file.touch(i);
    const t2 = getRusage("thread");
    const evictable = left === 0;
    const result: MajorFaultsResult = {
      pageCount,
      pageSizeBytes: file.pageSizeBytes,
      residentBefore,
      majorFaults: t1.majorFaults - t0.majorFaults,
      minorFaults: t1.minorFaults - t0.minorFaults,
      secondPassMajorFaults: t2.majorFaults - t1.majorFaults,
      residentAfter,
      fsType: file.fsType,
      evictable,
      note: evictable
        ? "All pages were dropped from the page cache first, so each first read is a major fault"
        : `${left} of ${pageCount} pages stayed in memory (filesystem ${file.fsType}): ` +
          "major-fault counts are not meaningful here",
      environment: environment(),
    };
    return attachKeyValueDisplay(
      result,
      `Major faults reading ${pageCount} evicted file pages`,
      () => [
        ["filesystem", String(result.fsType)],
        ["resident before first pass", String(residentBefore)],
        ["major faults, first pass", String(result.majorFaults)],
        ["minor faults, first pass", String(result.minorFaults)],
        ["major faults, second pass", String(result.secondPassMajorFaults)],
        ["resident after first pass", String(residentAfter)],
        ["note", result.note],
      ],
    );
  } finally {
    file.close();
  }
}
