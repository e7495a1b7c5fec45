/**
 * Real page faults on this machine: minor faults when fresh anonymous memory
 * is first touched, residency seen through `mincore` before and after touching
 * and after `madvise(MADV_DONTNEED)`, and major faults when a file mapping is
 * read after its pages were dropped from the page cache.
 *
 * What a *read* of fresh memory gets depends on the kernel, and both answers
 * are seen on machines of the kind the course runs on:
 *
 * - the **shared zero page**: the read faults once and the page-table entry
 *   points at one read-only page of zeros shared by every process, so RSS
 *   barely moves; the first write faults again to get a private frame
 *   (read-then-write: two faults per page);
 * - a **private zeroed page**: the read faults once and gets its own frame,
 *   filled with zeros, so anonymous RSS grows by a page per page read; a
 *   later write finds the page already there (read-then-write: one fault).
 *
 * {@linkcode zeroPageBehaviour} measures which one this kernel does and says
 * so with the numbers it is based on; {@linkcode classifyZeroPage} is the
 * rule, pure, and {@linkcode readFaultSample} takes the `/proc` root as an
 * argument so that recorded snapshots of other machines can be classified too.
 *
 * Every probe maps at most a few MiB, asks for small pages
 * (`MADV_NOHUGEPAGE`, so that counts are per base page whatever the
 * transparent-huge-page setting), unmaps and deletes what it created in a
 * `finally` block, and returns raw counts with the environment. Fault counts
 * come from `getrusage(RUSAGE_THREAD)` or `/proc/thread-self/stat` (the
 * JavaScript thread only) and, for comparison, `node:process`
 * `resourceUsage()` (the whole process).
 *
 * @module
 */
import { resourceUsage } from "node:process";
import { z } from "zod";
import { createEvictableFile } from "./_evictable_file.ts";
import { attachKeyValueDisplay } from "./_kv_display.ts";
import { escapeHtml, formatBytes } from "./_format.ts";
import {
  getRusage,
  LINUX,
  madviseRegion,
  type MappedRegion,
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
  procRoot: z.string().min(1).default("/proc"),
});

/** Options for {@linkcode measureTouchFaults}. */
export interface TouchFaultsOptions {
  /** Pages in the fresh buffer, 1..65536 (default 256). */
  pageCount?: number;
  /** How each page is touched (default `"write"`). */
  touch?: TouchKind;
  /** Where procfs is mounted (default `"/proc"`); `self/status` is read below it. */
  procRoot?: string;
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
  /**
   * Pages resident according to mincore after touching. mincore reports a
   * page whose entry is present, so a page mapped to the shared zero page
   * counts too: compare `rssAnonDeltaBytes` to tell the two apart.
   */
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

function readStatus(procRoot: string): { rss: number | null; anon: number | null } {
  try {
    const s = parseProcStatus(Deno.readTextFileSync(`${procRoot}/self/status`));
    return { rss: s.vmRssBytes, anon: s.rssAnonBytes };
  } catch {
    return { rss: null, anon: null };
  }
}

/**
 * Count the page faults caused by touching each page of a fresh anonymous
 * mapping once (a write, a read, or a read then a write).
 *
 * Writes cost about one minor fault per page and make every page resident.
 * Reads cost a fault per page too; whether RSS grows depends on the kernel
 * (the shared zero page: RSS barely moves and a read then a write faults
 * twice per page; a private zeroed page: RSS grows a page per read and a read
 * then a write faults once). {@linkcode zeroPageBehaviour} tells which.
 *
 * @param options Page count (default 256, at most 65536), touch kind, and
 *   where procfs is mounted.
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
  const { pageCount, touch, procRoot } = parseOptions(
    TouchOptionsSchema,
    "measure touch faults",
    options,
  );
  const page = pageSizeBytes();
  const region = mmapSmallPages(pageCount * page);
  try {
    const bytes = regionBytes(region);
    warmUp(page);
    const residentBefore = count(mincorePages(region));
    const before = readStatus(procRoot);
    const procBefore = resourceUsage();
    const t0 = getRusage("thread");
    let sum = 0;
    if (touch === "read" || touch === "read-then-write") sum += readPages(bytes, page, pageCount);
    if (touch === "write" || touch === "read-then-write") writePages(bytes, page, pageCount, 1);
    const t1 = getRusage("thread");
    if (sum !== 0) throw new Error(`Fresh anonymous memory must read as zero: received sum ${sum}`);
    const procAfter = resourceUsage();
    const after = readStatus(procRoot);
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

/** MADV_NOHUGEPAGE (the same value on x86-64 and aarch64). */
const MADV_NOHUGEPAGE = 15;

/**
 * Map fresh anonymous memory and ask for base pages only, so that a touch
 * faults in one page, not a 2 MiB (or multi-size) huge page. Kernels built
 * without transparent huge pages refuse the advice: they use base pages anyway.
 */
function mmapSmallPages(sizeBytes: number): MappedRegion {
  const region = mmapRegion({ sizeBytes });
  try {
    madviseRegion(region, MADV_NOHUGEPAGE);
  } catch {
    // No THP in this kernel: every page is a base page already.
  }
  return region;
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
  const region = mmapSmallPages(pageCount * page);
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

/** What a read fault on fresh anonymous memory maps, as measured (see the module doc). */
export type ZeroPageBehaviour = "shared-zero-page" | "private-zeroed-page" | "unclear";

/** Fault counters of the calling thread and the process's anonymous RSS at one moment, from `/proc`. */
export interface FaultSample {
  /** Minor faults of the calling thread so far (`thread-self/stat`, field 10). */
  minorFaults: number;
  /** Major faults of the calling thread so far (`thread-self/stat`, field 12). */
  majorFaults: number;
  /** Resident anonymous memory of the process (`self/status`, `RssAnon`), bytes; null if absent. */
  rssAnonBytes: number | null;
}

/**
 * Read the calling thread's fault counters (`<procRoot>/thread-self/stat`)
 * and the process's anonymous RSS (`<procRoot>/self/status`).
 *
 * @param procRoot Where procfs is mounted (default `"/proc"`), or a folder
 *   holding recorded copies of those two files.
 * @returns The counters at this moment.
 * @throws {Error} If `thread-self/stat` cannot be read, naming the path.
 * @throws {SyntaxError} If `thread-self/stat` is not in the kernel's format, naming the path.
 *
 * @example Counters only grow
 * ```ts
 * import { readFaultSample } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const a = readFaultSample();
 * new Uint8Array(1 << 20).fill(1);
 * const b = readFaultSample();
 * assert.ok(b.minorFaults >= a.minorFaults);
 * assert.ok(a.rssAnonBytes !== null && a.rssAnonBytes > 0);
 * ```
 */
export function readFaultSample(procRoot = "/proc"): FaultSample {
  const rssAnonBytes = readStatus(procRoot).anon;
  return { ...readThreadFaults(procRoot), rssAnonBytes };
}

function readThreadFaults(procRoot: string): { minorFaults: number; majorFaults: number } {
  const statPath = `${procRoot}/thread-self/stat`;
  let stat: string;
  try {
    stat = Deno.readTextFileSync(statPath);
  } catch (cause) {
    throw new Error(`Cannot read fault sample: ${statPath}: ${(cause as Error).message}`, {
      cause,
    });
  }
  // Fields after the command name, which may itself hold spaces and ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).trim().split(/\s+/);
  const minorFaults = Number(fields[7]);
  const majorFaults = Number(fields[9]);
  if (
    fields.length < 10 || !Number.isSafeInteger(minorFaults) || !Number.isSafeInteger(majorFaults)
  ) {
    throw new SyntaxError(
      `Cannot read fault sample: ${statPath} line 1 must hold minflt and majflt in fields 10 and 12: received ${
        JSON.stringify(stat.slice(0, 120))
      }`,
    );
  }
  return { minorFaults, majorFaults };
}

/** The numbers {@linkcode classifyZeroPage} decides on. */
export interface ZeroPageEvidence {
  /** Pages touched in each of the two runs. */
  pageCount: number;
  /** The kernel's page size. */
  pageSizeBytes: number;
  /** Minor faults while reading every page of a fresh mapping once. */
  readMinorFaults: number;
  /** RssAnon after the reads minus before, bytes (null if it could not be read). */
  readRssAnonDeltaBytes: number | null;
  /** Minor faults while reading and then writing every page of another fresh mapping. */
  readThenWriteMinorFaults: number;
}

/** A classification and why. */
export interface ZeroPageVerdict {
  /** Which behaviour the numbers show, or `"unclear"` if they fit neither. */
  behaviour: ZeroPageBehaviour;
  /** The rule that decided, with the numbers, in a sentence. */
  reason: string;
}

/** Tolerances of {@linkcode classifyZeroPage}: per page touched. */
export const ZERO_PAGE_RULES = {
  /** A read (and a private page's read-then-write) costs about one fault per page. */
  oneFault: [0.9, 1.3],
  /** The shared zero page's read-then-write costs about two faults per page. */
  twoFaults: [1.8, 2.5],
  /** Below this share of a page of RssAnon per page read, reads allocated nothing. */
  noRssBelow: 0.25,
  /** Anonymous RSS per page read, in pages, for a private zeroed page. */
  onePage: [0.75, 1.5],
} as const;

const within = (x: number, [lo, hi]: readonly [number, number]) => x >= lo && x <= hi;

/**
 * Decide from measured numbers whether reading fresh anonymous memory maps
 * the shared zero page or a private zeroed page. Pure: no measurement.
 *
 * Shared zero page: about 1 fault per page read, anonymous RSS below a
 * quarter page per page read, and about 2 faults per page for a read then a
 * write. Private zeroed page: about 1 fault per page read, about one page of
 * anonymous RSS per page read, and about 1 fault per page for a read then a
 * write. Anything else is `"unclear"` (see {@linkcode ZERO_PAGE_RULES}).
 *
 * @param evidence Fault counts and the RSS change of the two runs.
 * @returns The behaviour and the reason.
 * @throws {RangeError} If `pageCount` or `pageSizeBytes` is not a positive integer.
 *
 * @example Two faults per page for a read then a write: the shared zero page
 * ```ts
 * import { classifyZeroPage } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const v = classifyZeroPage({
 *   pageCount: 1000, pageSizeBytes: 4096,
 *   readMinorFaults: 1000, readRssAnonDeltaBytes: 8192, readThenWriteMinorFaults: 2001,
 * });
 * assert.equal(v.behaviour, "shared-zero-page");
 * ```
 */
export function classifyZeroPage(evidence: ZeroPageEvidence): ZeroPageVerdict {
  const { pageCount, pageSizeBytes: pageBytes } = evidence;
  for (const [name, v] of [["pageCount", pageCount], ["pageSizeBytes", pageBytes]] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(
        `Cannot classify zero-page behaviour: ${name} must be a positive integer: received ${v}`,
      );
    }
  }
  const read = evidence.readMinorFaults / pageCount;
  const rtw = evidence.readThenWriteMinorFaults / pageCount;
  const rss = evidence.readRssAnonDeltaBytes === null
    ? null
    : evidence.readRssAnonDeltaBytes / (pageCount * pageBytes);
  const numbers = `a read cost ${read.toFixed(2)} faults per page, anonymous RSS grew by ${
    rss === null ? "an unknown amount" : `${rss.toFixed(2)} pages`
  } per page read, and a read then a write cost ${rtw.toFixed(2)} faults per page`;
  const R = ZERO_PAGE_RULES;
  if (!within(read, R.oneFault)) {
    return {
      behaviour: "unclear",
      reason: `${numbers}: a read should cost about 1 fault per page`,
    };
  }
  if (rss === null) {
    return {
      behaviour: "unclear",
      reason: `${numbers}: without RssAnon the two cannot be told apart`,
    };
  }
  if (rss < R.noRssBelow && within(rtw, R.twoFaults)) {
    return {
      behaviour: "shared-zero-page",
      reason: `${numbers}: reads allocated no memory and each write faulted again`,
    };
  }
  if (within(rss, R.onePage) && within(rtw, R.oneFault)) {
    return {
      behaviour: "private-zeroed-page",
      reason: `${numbers}: each read allocated a page and the writes found it there`,
    };
  }
  return {
    behaviour: "unclear",
    reason:
      `${numbers}: this fits neither the shared zero page (RSS ~0, ~2 faults) nor a private zeroed page (RSS ~1 page, ~1 fault)`,
  };
}

/** Samples around the two runs of the zero-page experiment, as read by {@linkcode readFaultSample}. */
export interface ZeroPageSamples {
  /** Pages touched in each run. */
  pageCount: number;
  /** The kernel's page size. */
  pageSizeBytes: number;
  /** Before and after reading every page of a fresh mapping. */
  read: { before: FaultSample; after: FaultSample };
  /** Before and after reading, then writing, every page of another fresh mapping. */
  readThenWrite: { before: FaultSample; after: FaultSample };
  /** The kernel release the samples come from. */
  kernelRelease: string;
  /** `"measured"` just now on this machine, or `"recorded"` elsewhere (a fixture). */
  source: "measured" | "recorded";
}

/** Result of {@linkcode zeroPageBehaviour}: the verdict, its evidence and where it came from. */
export interface ZeroPageResult extends ZeroPageEvidence, ZeroPageVerdict {
  /** `"measured"` on this machine, or `"recorded"` (classified from a fixture). */
  source: "measured" | "recorded";
  /** `readMinorFaults / pageCount`. */
  readFaultsPerPage: number;
  /** Anonymous RSS gained per page read, in pages (null if RssAnon could not be read). */
  readRssAnonPagesPerPage: number | null;
  /** `readThenWriteMinorFaults / pageCount`. */
  readThenWriteFaultsPerPage: number;
  /** Kernel release. */
  kernelRelease: string;
  /** One line for logs, e.g. `zero page: shared (measured: read 1.00 fault/page, ...)`. */
  summary: string;
  /** Where and when it was measured (null for recorded samples). */
  environment: ProbeEnvironment | null;
}

const SUMMARY_WORDS: Record<ZeroPageBehaviour, string> = {
  "shared-zero-page": "shared",
  "private-zeroed-page": "private",
  "unclear": "unclear",
};

const SHORT_NAMES: Record<ZeroPageBehaviour, string> = {
  "shared-zero-page": "shared zero page",
  "private-zeroed-page": "private zeroed page",
  "unclear": "unclear",
};

const SampleSchema = z.strictObject({
  minorFaults: z.number().int().min(0),
  majorFaults: z.number().int().min(0),
  rssAnonBytes: z.number().int().min(0).nullable(),
});
const SamplesSchema = z.strictObject({
  pageCount: z.number().int().min(1),
  pageSizeBytes: z.number().int().min(1),
  read: z.strictObject({ before: SampleSchema, after: SampleSchema }),
  readThenWrite: z.strictObject({ before: SampleSchema, after: SampleSchema }),
  kernelRelease: z.string(),
  source: z.enum(["measured", "recorded"]),
});

/**
 * Classify samples taken around the two runs (live, or recorded on another
 * machine) into a {@linkcode ZeroPageResult} with a rich display.
 *
 * @param samples The samples, the page count and size, the kernel and the source.
 * @returns The verdict with its numbers.
 * @throws {TypeError} If the samples are out of shape, naming the field.
 *
 * @example A kernel whose reads allocate a page each
 * ```ts
 * import { zeroPageFromSamples } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const at = (minorFaults: number, kib: number) => ({ minorFaults, majorFaults: 0, rssAnonBytes: kib * 1024 });
 * const r = zeroPageFromSamples({
 *   pageCount: 100, pageSizeBytes: 4096, kernelRelease: "6.18", source: "recorded",
 *   read: { before: at(500, 1000), after: at(600, 1400) },
 *   readThenWrite: { before: at(600, 1400), after: at(700, 1800) },
 * });
 * assert.equal(r.behaviour, "private-zeroed-page");
 * assert.equal(r.readThenWriteFaultsPerPage, 1);
 * ```
 */
export function zeroPageFromSamples(samples: ZeroPageSamples): ZeroPageResult {
  const s = parseOptions(SamplesSchema, "classify zero-page samples", samples);
  const delta = (run: { before: FaultSample; after: FaultSample }) =>
    run.after.minorFaults - run.before.minorFaults;
  const rssDelta = s.read.after.rssAnonBytes === null || s.read.before.rssAnonBytes === null
    ? null
    : s.read.after.rssAnonBytes - s.read.before.rssAnonBytes;
  const evidence: ZeroPageEvidence = {
    pageCount: s.pageCount,
    pageSizeBytes: s.pageSizeBytes,
    readMinorFaults: delta(s.read),
    readRssAnonDeltaBytes: rssDelta,
    readThenWriteMinorFaults: delta(s.readThenWrite),
  };
  const verdict = classifyZeroPage(evidence);
  const readFaultsPerPage = evidence.readMinorFaults / s.pageCount;
  const rssPages = rssDelta === null ? null : rssDelta / (s.pageCount * s.pageSizeBytes);
  const rtw = evidence.readThenWriteMinorFaults / s.pageCount;
  const result: ZeroPageResult = {
    ...evidence,
    ...verdict,
    source: s.source,
    readFaultsPerPage,
    readRssAnonPagesPerPage: rssPages,
    readThenWriteFaultsPerPage: rtw,
    kernelRelease: s.kernelRelease,
    summary: `zero page: ${
      SUMMARY_WORDS[verdict.behaviour]
    } (${s.source} on kernel ${s.kernelRelease}: read ${
      readFaultsPerPage.toFixed(2)
    } faults/page, RssAnon +${
      rssPages === null ? "?" : rssPages.toFixed(2)
    } pages/page, read-then-write ${rtw.toFixed(2)} faults/page)`,
    environment: s.source === "measured" ? environment() : null,
  };
  return attachKeyValueDisplay(
    result,
    `What a read of fresh memory maps: ${SHORT_NAMES[verdict.behaviour]} (${s.source})`,
    () => [
      ["kernel", result.kernelRelease],
      ["pages per run", String(result.pageCount)],
      ["minor faults per page, read", readFaultsPerPage.toFixed(2)],
      ["RssAnon gained per page read", rssPages === null ? "—" : `${rssPages.toFixed(2)} pages`],
      ["minor faults per page, read then write", rtw.toFixed(2)],
      ["behaviour", SHORT_NAMES[verdict.behaviour]],
    ],
    () => ({
      html: `<p>${escapeHtml(describeZeroPage(result))}</p>`,
      text: describeZeroPage(result),
    }),
  );
}

/**
 * Say in a sentence or two what a read of fresh memory mapped, with the
 * numbers, for a lesson or a caption. The words follow the verdict, so the
 * sentence holds on a machine of either kind.
 *
 * @param result A result of {@linkcode zeroPageBehaviour} or {@linkcode zeroPageFromSamples}.
 * @returns The sentence.
 *
 * @example The shared zero page, in words
 * ```ts
 * import { describeZeroPage, zeroPageFromSamples } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const at = (minorFaults: number, kib: number) => ({ minorFaults, majorFaults: 0, rssAnonBytes: kib * 1024 });
 * const r = zeroPageFromSamples({
 *   pageCount: 100, pageSizeBytes: 4096, kernelRelease: "6.1", source: "recorded",
 *   read: { before: at(0, 1000), after: at(100, 1000) },
 *   readThenWrite: { before: at(100, 1000), after: at(300, 1400) },
 * });
 * assert.match(describeZeroPage(r), /shared zero page/);
 * assert.match(describeZeroPage(r), /2\.00 faults per page/);
 * ```
 */
export function describeZeroPage(result: ZeroPageResult): string {
  const where = result.source === "measured"
    ? `On this machine (kernel ${result.kernelRelease})`
    : `On the recorded machine (kernel ${result.kernelRelease})`;
  const read = result.readFaultsPerPage.toFixed(2);
  const rtw = result.readThenWriteFaultsPerPage.toFixed(2);
  const pages = `${result.pageCount.toLocaleString("en-US")} pages read`;
  const grew = result.readRssAnonDeltaBytes === null
    ? "an unknown amount"
    : result.readRssAnonDeltaBytes < 0
    ? `−${formatBytes(-result.readRssAnonDeltaBytes)}`
    : formatBytes(result.readRssAnonDeltaBytes);
  switch (result.behaviour) {
    case "shared-zero-page":
      return `${where} a read of fresh memory mapped the shared zero page: it cost ${read} faults per page, anonymous RSS grew by only ${grew} for ${pages}, and a read then a write cost ${rtw} faults per page, because the first write faults again to copy the zero page into a frame of its own.`;
    case "private-zeroed-page":
      return `${where} a read of fresh memory got a private zeroed page at once: it cost ${read} faults per page, anonymous RSS grew by ${grew} for ${pages} (a page each), and a read then a write cost only ${rtw} faults per page, because the write found its page already there.`;
    default:
      return `${where} the numbers fit neither behaviour (${result.reason}). Another busy program or a kernel setting can cause this; rerun the measurement.`;
  }
}

const ZeroPageOptionsSchema = z.strictObject({
  pageCount: z.number().int().min(64).max(65536).default(1024),
  procRoot: z.string().min(1).default("/proc"),
});

/** Options for {@linkcode zeroPageBehaviour}. */
export interface ZeroPageOptions {
  /** Pages in each of the two fresh mappings, 64..65536 (default 1024: 4 MiB with 4 KiB pages). */
  pageCount?: number;
  /** Where procfs is mounted (default `"/proc"`). */
  procRoot?: string;
}

/**
 * Measure what this kernel maps on a read fault of fresh anonymous memory:
 * read every page of one fresh mapping, then read and write every page of
 * another, counting this thread's minor faults and the process's RssAnon
 * around each run (from `/proc`), and classify the numbers with
 * {@linkcode classifyZeroPage}. Takes a few milliseconds; both mappings are
 * unmapped afterwards.
 *
 * @param options Pages per run (default 1024) and where procfs is mounted.
 * @returns The behaviour (`"shared-zero-page"`, `"private-zeroed-page"` or
 *   `"unclear"`), the numbers it rests on, a one-line `summary`, and a display.
 * @throws {TypeError} If an option is out of shape or range.
 *
 * @example This kernel shows one of the two behaviours
 * ```ts
 * import { zeroPageBehaviour } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = zeroPageBehaviour({ pageCount: 512 });
 * assert.equal(r.source, "measured");
 * assert.match(r.summary, /^zero page: /);
 * assert.ok(r.readFaultsPerPage > 0.9);
 * ```
 */
export function zeroPageBehaviour(options: ZeroPageOptions = {}): ZeroPageResult {
  const { pageCount, procRoot } = parseOptions(
    ZeroPageOptionsSchema,
    "measure zero-page behaviour",
    options,
  );
  const page = pageSizeBytes();
  warmUp(page);
  const run = (write: boolean) => {
    const region = mmapSmallPages(pageCount * page);
    try {
      const bytes = regionBytes(region);
      // RssAnon outside the fault counts on both sides, so reading it adds no faults.
      const before = readFaultSample(procRoot);
      const sum = readPages(bytes, page, pageCount);
      if (write) writePages(bytes, page, pageCount, 1);
      const faults = readThreadFaults(procRoot);
      const after = { ...faults, rssAnonBytes: readStatus(procRoot).anon };
      if (sum !== 0) {
        throw new Error(`Fresh anonymous memory must read as zero: received sum ${sum}`);
      }
      return { before, after };
    } finally {
      munmapRegion(region);
    }
  };
  return zeroPageFromSamples({
    pageCount,
    pageSizeBytes: page,
    read: run(false),
    readThenWrite: run(true),
    kernelRelease: Deno.osRelease(),
    source: "measured",
  });
}
