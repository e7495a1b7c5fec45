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

/** Options for {@linkcode readMemoryMap}. */
export interface ReadMemoryMapOptions {
  /** Where procfs is mounted (default `"/proc"`), or a folder with recorded `self/maps` and `self/status`. */
  procRoot?: string;
}

/**
 * Read this process's `/proc/self/maps` and `/proc/self/status` (needs `-A`).
 *
 * @param options Where procfs is mounted (default `"/proc"`).
 * @returns The process's memory map, stamped with the environment.
 * @throws {Error} If the files cannot be read, naming the folder.
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
export function readMemoryMap(options: ReadMemoryMapOptions = {}): MemoryMap {
  const procRoot = z.string().min(1).safeParse(options?.procRoot ?? "/proc");
  if (!procRoot.success) {
    throw new TypeError(
      `Cannot read memory map: procRoot must be a non-empty string: received ${
        JSON.stringify(options?.procRoot)
      }`,
      { cause: procRoot.error },
    );
  }
  const root = procRoot.data;
  let mapsText: string, statusText: string;
  try {
    mapsText = Deno.readTextFileSync(`${root}/self/maps`);
    statusText = Deno.readTextFileSync(`${root}/self/status`);
  } catch (cause) {
    throw new Error(
      `Cannot read memory map: reading ${root}/self needs --allow-read (or -A): ${
        (cause as Error).message
      }`,
      { cause },
    );
  }
  const live = root === "/proc";
  const m = memoryMapFromText(
    mapsText,
    statusText,
    live ? { executablePath: Deno.execPath() } : {},
  );
  m.environment = live ? environment() : null;
  return m;
}

/**
 * Say in words what a permissions field of `/proc/<pid>/maps` allows, e.g.
 * `r-xp` is "readable and executable, not writable; private (copy-on-write)".
 *
 * @param perms Four characters: `r` or `-`, `w` or `-`, `x` or `-`, `p` or `s`.
 * @returns The description.
 * @throws {SyntaxError} If `perms` is not of that form.
 *
 * @example The legacy vsyscall page of a modern kernel
 * ```ts
 * import { describePermissions } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describePermissions("--xp"), "executable only: not readable, not writable; private");
 * assert.equal(describePermissions("---p"), "no access at all (reserved addresses); private");
 * ```
 */
export function describePermissions(perms: string): string {
  const m = /^([r-])([w-])([x-])([ps])$/.exec(perms);
  if (!m) {
    throw new SyntaxError(
      `Cannot describe permissions: perms must be four characters like "r-xp": received ${
        JSON.stringify(perms)
      }`,
    );
  }
  const [, r, w, x, s] = m;
  const sharing = s === "s" ? "shared" : "private";
  const can = [r === "r" && "readable", w === "w" && "writable", x === "x" && "executable"]
    .filter((v): v is string => typeof v === "string");
  const cannot = [r !== "r" && "readable", w !== "w" && "writable", x !== "x" && "executable"]
    .filter((v): v is string => typeof v === "string");
  if (can.length === 0) return `no access at all (reserved addresses); ${sharing}`;
  const list = (words: string[]) =>
    words.length === 1 ? words[0] : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
  const allowed = can.length === 1 ? `${can[0]} only` : list(can);
  return cannot.length
    ? `${allowed}: ${cannot.map((c) => `not ${c}`).join(", ")}; ${sharing}`
    : `${allowed}; ${sharing}`;
}

/** The first address of the kernel's half on x86-64 with 4-level tables (user addresses stop below 2^47). */
const USER_TOP = 2n ** 47n;

/**
 * Describe the regions of a map that lie in the kernel's half of the address
 * space (at or above 2^47): on x86-64 usually the legacy `[vsyscall]` page,
 * whose permissions depend on how the kernel was configured and booted. The
 * words come from the permissions the map shows, so they hold on any kernel.
 *
 * @param regions Regions from {@linkcode parseMaps} or {@linkcode readMemoryMap}.
 * @returns One or two sentences (Markdown, with code spans).
 *
 * @example An execute-only vsyscall page
 * ```ts
 * import { describeKernelHalf, parseMaps } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = parseMaps("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n");
 * assert.match(describeKernelHalf(r), /`--xp`: executable only: not readable, not writable/);
 * assert.match(describeKernelHalf(r), /reading it is a segmentation fault/);
 * ```
 */
export function describeKernelHalf(regions: readonly MapRegion[]): string {
  const high = regions.filter((r) => BigInt(r.start) >= USER_TOP);
  if (high.length === 0) {
    return "No region of this process lies in the kernel's half of the address space: this kernel " +
      "maps no legacy `[vsyscall]` page (x86-64 kernels can be built or booted without it, and " +
      "other processors never had one).";
  }
  return high.map((r) => {
    const name = r.path || "(anonymous)";
    const readable = r.perms[0] === "r";
    const what = r.path === "[vsyscall]"
      ? " It is a legacy page from before the vDSO: old programs jump into it to ask for the time " +
        "without a system call, and the kernel handles those jumps" +
        (readable
          ? "; its code can also be read."
          : "; reading it is a segmentation fault, so an attacker cannot read known bytes at a known address there.")
      : "";
    return `The region \`${name}\` at ${r.start} (${
      formatBytes(r.sizeBytes)
    }) lies in the kernel's half of the address space, and its permissions are \`${r.perms}\`: ${
      describePermissions(r.perms)
    }.${what}`;
  }).join(" ");
}

/**
 * Compare a process's virtual size with its resident size and the machine's
 * RAM, and name its largest no-access (`---p`) reservation, in a sentence
 * whose numbers are the map's own.
 *
 * @param map A memory map with its status counters.
 * @param ramBytes The machine's RAM, or null if unknown.
 * @returns The sentence (Markdown), or a note that the counters are missing.
 *
 * @example Virtual far above resident
 * ```ts
 * import { describeVirtualSize, memoryMapFromText } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const m = memoryMapFromText(
 *   "1000-401000 ---p 00000000 00:00 0\n",
 *   "VmSize:\t16777216 kB\nVmRSS:\t262144 kB\n",
 * );
 * assert.match(describeVirtualSize(m, 2 ** 34), /VmSize \(16 GiB\) is 64 times VmRSS \(256 MiB\)/);
 * assert.match(describeVirtualSize(m, 2 ** 34), /as large as the machine's RAM/);
 * ```
 */
export function describeVirtualSize(map: MemoryMap, ramBytes: number | null): string {
  const vm = map.status?.vmSizeBytes ?? null;
  const rss = map.status?.vmRssBytes ?? null;
  if (vm === null || rss === null || rss === 0) {
    return "The status counters VmSize and VmRSS could not be read here, so the two sizes cannot be compared.";
  }
  const ratio = vm / rss;
  const times = ratio >= 10 ? Math.round(ratio).toLocaleString("en-US") : ratio.toFixed(1);
  const ram = ramBytes === null
    ? ""
    : vm >= ramBytes
    ? ` and ${vm >= 1.05 * ramBytes ? "larger than" : "as large as"} the machine's RAM (${
      formatBytes(ramBytes)
    })`
    : ` and ${Math.round((100 * vm) / ramBytes)}% of the machine's RAM (${formatBytes(ramBytes)})`;
  const reserved = map.regions.filter((r) => r.perms.startsWith("---"));
  const biggest = reserved.reduce<MapRegion | null>(
    (b, r) => (b === null || r.sizeBytes > b.sizeBytes ? r : b),
    null,
  );
  const reservation = biggest
    ? ` The largest of its ${reserved.length} no-access (\`---p\`) regions reserves ${
      formatBytes(biggest.sizeBytes)
    } of addresses at ${biggest.start} and costs no RAM at all.`
    : "";
  return `VmSize (${formatBytes(vm)}) is ${times} times VmRSS (${
    formatBytes(rss)
  })${ram}.${reservation}`;
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
