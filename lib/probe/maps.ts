/**
 * The process's own virtual address space: `/proc/self/maps` parsed into
 * classified regions (text, data, bss, heap, stack, libraries, vdso, file
 * mappings) and the `Vm*` / `Rss*` counters of `/proc/self/status`.
 *
 * Parsing is pure (it takes text); {@linkcode readMemoryMap} does the
 * reading. Addresses are kept as `0x` hex strings so that none loses
 * precision above 2^53; sizes are numbers of bytes.
 *
 * @module
 */
import { z } from "zod";
import { escapeHtml, formatBytes, htmlTable, textTable } from "./_format.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";

/** What a region of the address space holds. */
export type RegionKind =
  | "text"
  | "data"
  | "bss"
  | "heap"
  | "stack"
  | "library"
  | "vdso"
  | "file"
  | "anonymous";

/** All region kinds, in the order summaries list them. */
export const REGION_KINDS: readonly RegionKind[] = [
  "text",
  "data",
  "bss",
  "heap",
  "stack",
  "library",
  "vdso",
  "file",
  "anonymous",
];

/** One line of `/proc/self/maps`. */
export interface MapRegion {
  /** Start address, `0x` hex (inclusive). */
  start: string;
  /** End address, `0x` hex (exclusive). */
  end: string;
  /** `end - start` in bytes. */
  sizeBytes: number;
  /** Permissions, e.g. `r-xp` (p private, s shared). */
  perms: string;
  /** Offset into the mapped file in bytes. */
  offset: number;
  /** Device `major:minor`, hex. */
  dev: string;
  /** Inode of the mapped file (0 for anonymous memory). */
  inode: number;
  /** Path or pseudo-name such as `[heap]`; empty for anonymous memory. */
  path: string;
  /** The classification of this region. */
  kind: RegionKind;
}

/** Count and total size of the regions of one kind. */
export interface RegionSummary {
  /** The kind. */
  kind: RegionKind;
  /** Number of regions. */
  count: number;
  /** Sum of their sizes in bytes. */
  totalBytes: number;
}

/** Memory counters from `/proc/self/status`, in bytes (`null` when absent). */
export interface ProcStatus {
  /** Peak virtual size. */
  vmPeakBytes: number | null;
  /** Virtual size: everything mapped. */
  vmSizeBytes: number | null;
  /** Peak resident set. */
  vmHwmBytes: number | null;
  /** Resident set: pages actually in RAM. */
  vmRssBytes: number | null;
  /** Resident anonymous memory. */
  rssAnonBytes: number | null;
  /** Resident file-backed memory. */
  rssFileBytes: number | null;
  /** Resident shared memory. */
  rssShmemBytes: number | null;
  /** Private data + heap + anonymous mappings (virtual). */
  vmDataBytes: number | null;
  /** Main stack (virtual). */
  vmStkBytes: number | null;
  /** Executable text (virtual). */
  vmExeBytes: number | null;
  /** Shared libraries (virtual). */
  vmLibBytes: number | null;
  /** Page tables. */
  vmPteBytes: number | null;
  /** Swapped out. */
  vmSwapBytes: number | null;
  /** Every `kB` field of the file, converted to bytes, by its original name. */
  raw: Record<string, number>;
}

/** The process's address space: regions, a per-kind summary and the status counters. */
export interface MemoryMap {
  /** Regions in address order. */
  regions: MapRegion[];
  /** One entry per kind present, in {@linkcode REGION_KINDS} order. */
  summary: RegionSummary[];
  /** Counters from `/proc/self/status` (null when no status text was given). */
  status: ProcStatus | null;
  /** The executable path used to tell text/data/bss from other file mappings. */
  executablePath: string | null;
  /** Where and when the map was read (null for parsed text). */
  environment: ProbeEnvironment | null;
}

const LINE =
  /^([0-9a-f]+)-([0-9a-f]+)\s+([r-][w-][x-][ps])\s+([0-9a-f]+)\s+([0-9a-f]+:[0-9a-f]+)\s+(\d+)(?:\s+(.*))?$/i;

const OptionsSchema = z.strictObject({
  executablePath: z.string().min(1).nullable().optional(),
});

/** Options for {@linkcode parseMaps}. */
export interface ParseMapsOptions {
  /** Path of the program's executable; default: inferred from the first file mapping. */
  executablePath?: string | null;
}

function checkText(what: string, text: unknown): string {
  const r = z.string().safeParse(text);
  if (!r.success) {
    throw new TypeError(`Cannot parse ${what}: text must be a string: received ${typeof text}`, {
      cause: r.error,
    });
  }
  return r.data;
}

/**
 * Parse the text of `/proc/<pid>/maps` into classified regions.
 *
 * @param text The file's contents.
 * @param options Optional executable path (otherwise inferred).
 * @returns The regions in file order.
 * @throws {SyntaxError} If a line is malformed, naming the line number.
 *
 * @example A heap and a stack
 * ```ts
 * import { parseMaps } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const text = "55d0000-55d2000 rw-p 00000000 00:00 0 [heap]\n" +
 *   "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n";
 * const [heap, vsyscall] = parseMaps(text);
 * assert.equal(heap.kind, "heap");
 * assert.equal(heap.sizeBytes, 0x2000);
 * assert.equal(vsyscall.start, "0xffffffffff600000");
 * ```
 */
export function parseMaps(text: string, options: ParseMapsOptions = {}): MapRegion[] {
  const body = checkText("maps", text);
  const opts = OptionsSchema.safeParse(options);
  if (!opts.success) {
    throw new TypeError(`Cannot parse maps: invalid options: ${z.prettifyError(opts.error)}`, {
      cause: opts.error,
    });
  }
  const lines = body.split("\n");
  const raw: Omit<MapRegion, "kind">[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const m = LINE.exec(line.trimEnd());
    if (!m) {
      throw new SyntaxError(
        `Cannot parse maps: line ${
          i + 1
        } must look like "start-end perms offset dev inode [path]": received ${
          JSON.stringify(line)
        }`,
      );
    }
    const start = BigInt("0x" + m[1]);
    const end = BigInt("0x" + m[2]);
    if (end < start) {
      throw new SyntaxError(
        `Cannot parse maps: line ${i + 1} must have end >= start: received ${m[1]}-${m[2]}`,
      );
    }
    raw.push({
      start: "0x" + start.toString(16),
      end: "0x" + end.toString(16),
      sizeBytes: Number(end - start),
      perms: m[3],
      offset: Number(BigInt("0x" + m[4])),
      dev: m[5],
      inode: Number(m[6]),
      path: (m[7] ?? "").trim(),
    });
  });
  const exe = opts.data.executablePath ?? inferExecutable(raw);
  const out: MapRegion[] = [];
  for (const r of raw) {
    const prev = out.at(-1);
    out.push({ ...r, kind: classify(r, exe, prev) });
  }
  return out;
}

function inferExecutable(regions: readonly Omit<MapRegion, "kind">[]): string | null {
  const first = regions.find((r) => r.path.startsWith("/") && r.inode !== 0);
  return first && !isLibrary(first.path) ? first.path : null;
}

function isLibrary(path: string): boolean {
  const base = path.replace(/ \(deleted\)$/, "").split("/").at(-1) ?? "";
  return /\.so(\.|$)/.test(base);
}

function classify(
  r: Omit<MapRegion, "kind">,
  exe: string | null,
  prev: MapRegion | undefined,
): RegionKind {
  const p = r.path;
  if (p === "[heap]") return "heap";
  if (p === "[stack]" || p.startsWith("[stack:")) return "stack";
  if (p === "[vdso]" || p === "[vsyscall]" || p.startsWith("[vvar")) return "vdso";
  if (p === "") {
    // The bss is the anonymous mapping right after the executable's data.
    if (prev && (prev.kind === "data" || prev.kind === "bss") && prev.end === r.start) {
      return prev.kind === "data" ? "bss" : "anonymous";
    }
    return "anonymous";
  }
  if (p.startsWith("[")) return "anonymous"; // [anon:name], [anon_shmem:...]
  if (exe !== null && p === exe) return r.perms[2] === "x" ? "text" : "data";
  if (isLibrary(p)) return "library";
  return "file";
}

/**
 * Parse the memory counters (`Vm*`, `Rss*`) of `/proc/<pid>/status`.
 *
 * @param text The file's contents.
 * @returns The counters in bytes; fields missing from the text are `null`.
 * @throws {SyntaxError} If a `Vm*`/`Rss*` line is not `Name: <n> kB`, naming the line number.
 *
 * @example Two counters
 * ```ts
 * import { parseProcStatus } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const s = parseProcStatus("Name:\tdeno\nVmSize:\t  100 kB\nVmRSS:\t 8 kB\n");
 * assert.equal(s.vmSizeBytes, 102400);
 * assert.equal(s.vmRssBytes, 8192);
 * assert.equal(s.vmSwapBytes, null);
 * ```
 */
export function parseProcStatus(text: string): ProcStatus {
  const body = checkText("status", text);
  const raw: Record<string, number> = {};
  body.split("\n").forEach((line, i) => {
    const colon = line.indexOf(":");
    if (colon < 0) return;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    const m = /^(\d+) kB$/.exec(value);
    if (m) raw[key] = Number(m[1]) * 1024;
    else if (/^(Vm|Rss)/.test(key)) {
      throw new SyntaxError(
        `Cannot parse status: line ${i + 1} (${key}) must be "<number> kB": received ${
          JSON.stringify(value)
        }`,
      );
    }
  });
  const get = (k: string) => raw[k] ?? null;
  return {
    vmPeakBytes: get("VmPeak"),
    vmSizeBytes: get("VmSize"),
    vmHwmBytes: get("VmHWM"),
    vmRssBytes: get("VmRSS"),
    rssAnonBytes: get("RssAnon"),
    rssFileBytes: get("RssFile"),
    rssShmemBytes: get("RssShmem"),
    vmDataBytes: get("VmData"),
    vmStkBytes: get("VmStk"),
    vmExeBytes: get("VmExe"),
    vmLibBytes: get("VmLib"),
    vmPteBytes: get("VmPTE"),
    vmSwapBytes: get("VmSwap"),
    raw,
  };
}

/**
 * Count regions and total their sizes per kind.
 *
 * @param regions Regions from {@linkcode parseMaps}.
 * @returns One entry per kind present, in {@linkcode REGION_KINDS} order.
 *
 * @example Two anonymous regions
 * ```ts
 * import { parseMaps, summarizeRegions } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = parseMaps("1000-3000 rw-p 00000000 00:00 0\n8000-9000 rw-p 00000000 00:00 0\n");
 * assert.deepEqual(summarizeRegions(r), [{ kind: "anonymous", count: 2, totalBytes: 0x3000 }]);
 * ```
 */
export function summarizeRegions(regions: readonly MapRegion[]): RegionSummary[] {
  const by = new Map<RegionKind, RegionSummary>();
  for (const r of regions) {
    const s = by.get(r.kind) ?? { kind: r.kind, count: 0, totalBytes: 0 };
    s.count++;
    s.totalBytes += r.sizeBytes;
    by.set(r.kind, s);
  }
  return REGION_KINDS.filter((k) => by.has(k)).map((k) => by.get(k)!);
}

/**
 * Build a {@linkcode MemoryMap} from maps text (and optionally status text), with a rich view.
 *
 * @param mapsText Contents of `/proc/<pid>/maps`.
 * @param statusText Contents of `/proc/<pid>/status`, or omitted.
 * @param options Optional executable path.
 * @returns Regions, summary and status; displays as an HTML table in Jupyter.
 * @throws {SyntaxError} If a line is malformed.
 *
 * @example From text
 * ```ts
 * import { memoryMapFromText } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const m = memoryMapFromText("1000-2000 rw-p 00000000 00:00 0 [heap]\n", "VmRSS:\t4 kB\n");
 * assert.equal(m.summary[0].kind, "heap");
 * assert.equal(m.status?.vmRssBytes, 4096);
 * ```
 */
export function memoryMapFromText(
  mapsText: string,
  statusText?: string,
  options: ParseMapsOptions = {},
): MemoryMap {
  const regions = parseMaps(mapsText, options);
  const exe = options.executablePath ?? inferExecutable(regions);
  return withDisplay({
    regions,
    summary: summarizeRegions(regions),
    status: statusText === undefined ? null : parseProcStatus(statusText),
    executablePath: exe,
    environment: null,
  });
}

/**
 * Read this process's `/proc/self/maps` and `/proc/self/status` (needs `-A`).
 *
 * @returns The process's memory map, stamped with the environment.
 *
 * @example This process has a stack and some text
 * ```ts
 * import { readMemoryMap } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const m = readMemoryMap();
 * assert.ok(m.regions.some((r) => r.kind === "stack"));
 * assert.ok(m.regions.some((r) => r.kind === "text"));
 * ```
 */
export function readMemoryMap(): MemoryMap {
  let mapsText: string, statusText: string;
  try {
    mapsText = Deno.readTextFileSync("/proc/self/maps");
    statusText = Deno.readTextFileSync("/proc/self/status");
  } catch (cause) {
    throw new Error(
      `Cannot read memory map: reading /proc/self needs --allow-read (or -A): ${
        (cause as Error).message
      }`,
      { cause },
    );
  }
  const m = memoryMapFromText(mapsText, statusText, { executablePath: Deno.execPath() });
  m.environment = environment();
  return m;
}

const STATUS_ROWS: [keyof ProcStatus, string][] = [
  ["vmSizeBytes", "VmSize (virtual)"],
  ["vmRssBytes", "VmRSS (resident)"],
  ["rssAnonBytes", "RssAnon"],
  ["rssFileBytes", "RssFile"],
  ["vmDataBytes", "VmData"],
  ["vmStkBytes", "VmStk"],
  ["vmExeBytes", "VmExe"],
  ["vmLibBytes", "VmLib"],
  ["vmPteBytes", "VmPTE"],
];

function withDisplay(m: MemoryMap): MemoryMap {
  Object.defineProperty(m, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => {
      const sumRows = m.summary.map((s) => [s.kind, String(s.count), formatBytes(s.totalBytes)]);
      const statusRows = m.status
        ? STATUS_ROWS.map(([k, label]) => [label, formatBytes(m.status![k] as number | null)])
        : [];
      const regionRows = m.regions.map((r) => [
        `${r.start}-${r.end}`,
        r.perms,
        formatBytes(r.sizeBytes),
        r.kind,
        r.path,
      ]);
      const html = `<div><b>Address space: ${m.regions.length} regions</b>` +
        htmlTable(["kind", "regions", "total"], sumRows.map((r) => r.map(escapeHtml))) +
        (statusRows.length
          ? htmlTable(["counter", "value"], statusRows.map((r) => r.map(escapeHtml)))
          : "") +
        `<details><summary>all regions</summary>${
          htmlTable(
            ["range", "perms", "size", "kind", "path"],
            regionRows.map((r) => r.map(escapeHtml)),
          )
        }</details></div>`;
      const text = `Address space: ${m.regions.length} regions\n` +
        textTable(["kind", "regions", "total"], sumRows) +
        (statusRows.length ? "\n\n" + textTable(["counter", "value"], statusRows) : "");
      return { "text/html": html, "text/plain": text };
    },
  });
  return m;
}
