/**
 * Facts about the machine the course runs on: CPU model, caches (from
 * `/sys`), RAM and swap (from `/proc/meminfo`), the page size, and the
 * software environment. Reading is separate from parsing: the `parse*`
 * functions take text and return data, so they can be tested on fixtures.
 *
 * @module
 */

import { z } from "zod";
import { escapeHtml, formatBytes, htmlTable, textTable } from "./_format.ts";
import { readSysconf } from "./libc.ts";
import { MIN_MEMORY_LATENCY_NS } from "../cache/calibrate.ts";

/** The software environment a measurement was taken in. */
export interface ProbeEnvironment {
  /** Deno version, e.g. `2.9.6`. */
  deno: string;
  /** V8 version. */
  v8: string;
  /** TypeScript version. */
  typescript: string;
  /** Operating system (`Deno.build.os`). */
  os: string;
  /** CPU architecture (`Deno.build.arch`). */
  arch: string;
  /** When the environment was read, ISO 8601. */
  date: string;
  /** Host name, or `null` when it cannot be read. */
  hostname: string | null;
}

/** Where a machine fact came from. */
export type FactSource = "/sys" | "/proc" | "sysconf" | "measured" | "Deno";

/**
 * One CPU cache, as `/sys/devices/system/cpu/cpu0/cache/indexN/` describes
 * it, as glibc's `sysconf` reports it, or as a latency curve's plateau
 * suggests (`source` says which).
 */
export interface CacheFact {
  /** Cache level (1, 2, 3, ...), or `null` when unreadable. */
  level: number | null;
  /** What the cache holds. */
  type: "Data" | "Instruction" | "Unified" | null;
  /** Capacity in bytes. */
  sizeBytes: number | null;
  /** Associativity (ways per set). */
  ways: number | null;
  /** Line (block) size in bytes. */
  lineBytes: number | null;
  /** Number of sets. */
  sets: number | null;
  /** Logical CPUs sharing this cache (only `/sys` says). */
  sharedWith: number[] | null;
  /** Where the geometry came from. */
  source: "/sys" | "sysconf" | "measured";
}

/** A value a source reported that the course does not believe, and why. */
export interface ImplausibleFact {
  /** What the value claims to be, e.g. `"L3"`. */
  fact: string;
  /** The value reported, in bytes. */
  value: number;
  /** Who reported it. */
  source: FactSource;
  /** Why it is not used, in plain words. */
  reason: string;
}

/** Where each of the scalar facts came from (`null` when unknown). */
export interface MachineFactSources {
  /** `/proc` (cpuinfo), `sysconf` or `Deno` (navigator.hardwareConcurrency). */
  logicalCpus: FactSource | null;
  /** `/proc` (meminfo) or `sysconf` (physical pages × page size). */
  totalRamBytes: FactSource | null;
  /** `/proc` (meminfo). */
  swapTotalBytes: FactSource | null;
  /** `/proc` (smaps) or `sysconf`. */
  pageSizeBytes: FactSource | null;
}

/** Values of glibc's `sysconf`, keyed by the names `getconf -a` prints; `null` for unknown. */
export type SysconfValues = Readonly<Record<string, number | null>>;

/** Everything {@linkcode machineFacts} found out, with `null` for what it could not read. */
export interface MachineFacts {
  /** CPU model name from `/proc/cpuinfo`. */
  cpuModel: string | null;
  /** Number of logical CPUs. */
  logicalCpus: number | null;
  /**
   * Caches of CPU 0 that passed the plausibility checks, L1 first, each with
   * its source: `/sys` where it lists caches, else `sysconf`, else (after
   * {@linkcode withMeasuredCaches}) the measured plateaus.
   */
  caches: CacheFact[];
  /** Total RAM in bytes (`MemTotal`). */
  totalRamBytes: number | null;
  /** RAM available for new work in bytes (`MemAvailable`). */
  availableRamBytes: number | null;
  /** Swap space in bytes (`SwapTotal`). */
  swapTotalBytes: number | null;
  /** Kernel page size in bytes (`KernelPageSize` in `/proc/self/smaps`). */
  pageSizeBytes: number | null;
  /** Where each scalar fact came from. */
  sources: MachineFactSources;
  /** Values a source reported that failed a plausibility check, with the reason; not used. */
  implausible: ImplausibleFact[];
  /** Software environment. */
  environment: ProbeEnvironment;
  /** What could not be read, one sentence each. */
  warnings: string[];
}

/**
 * Read the software environment: Deno, V8 and TypeScript versions, OS,
 * architecture, date and host name. Probes stamp their results with it.
 *
 * @returns A plain {@linkcode ProbeEnvironment}.
 *
 * @example Stamp a result
 * ```ts
 * import { environment } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const env = environment();
 * assert.equal(env.deno, Deno.version.deno);
 * assert.ok(!Number.isNaN(Date.parse(env.date)));
 * ```
 */
export function environment(): ProbeEnvironment {
  let hostname: string | null = null;
  try {
    hostname = Deno.hostname();
  } catch {
    hostname = null;
  }
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    os: Deno.build.os,
    arch: Deno.build.arch,
    date: new Date().toISOString(),
    hostname,
  };
}

/**
 * Parse `/proc/cpuinfo` text: the first `model name` and the number of
 * `processor` entries.
 *
 * @param text The file's contents.
 * @returns The model (or `null`) and the logical CPU count (or `null` when no
 * `processor` line is present).
 *
 * @example Two processors
 * ```ts
 * import { parseCpuinfo } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const text = "processor\t: 0\nmodel name\t: AMD EPYC\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\n";
 * assert.deepEqual(parseCpuinfo(text), { cpuModel: "AMD EPYC", logicalCpus: 2 });
 * ```
 */
export function parseCpuinfo(
  text: string,
): { cpuModel: string | null; logicalCpus: number | null } {
  let cpuModel: string | null = null;
  let count = 0;
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === "processor") count++;
    else if (key === "model name" && cpuModel === null) cpuModel = value;
  }
  return { cpuModel, logicalCpus: count > 0 ? count : null };
}

/**
 * Parse `/proc/meminfo` text into bytes.
 *
 * @param text The file's contents (values in `kB`, meaning KiB).
 * @returns Total, available and swap bytes; `null` for each missing field.
 * @throws {SyntaxError} When a present field has no number (names the line).
 *
 * @example Values are KiB
 * ```ts
 * import { parseMeminfo } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const m = parseMeminfo("MemTotal:  2048 kB\nMemAvailable: 1024 kB\nSwapTotal: 0 kB\n");
 * assert.deepEqual(m, { totalRamBytes: 2097152, availableRamBytes: 1048576, swapTotalBytes: 0 });
 * ```
 */
export function parseMeminfo(text: string): {
  totalRamBytes: number | null;
  availableRamBytes: number | null;
  swapTotalBytes: number | null;
} {
  const fields = new Map<string, number>();
  text.split("\n").forEach((line, i) => {
    const m = /^(\w+):\s*(.*)$/.exec(line.trim());
    if (!m || !["MemTotal", "MemAvailable", "SwapTotal"].includes(m[1])) return;
    const v = /^(\d+)\s*(kB)?$/.exec(m[2].trim());
    if (!v) {
      throw new SyntaxError(
        `Cannot parse meminfo: line ${i + 1}: ${m[1]} must be a number of kB: received "${m[2]}"`,
      );
    }
    fields.set(m[1], Number(v[1]) * (v[2] ? 1024 : 1));
  });
  return {
    totalRamBytes: fields.get("MemTotal") ?? null,
    availableRamBytes: fields.get("MemAvailable") ?? null,
    swapTotalBytes: fields.get("SwapTotal") ?? null,
  };
}

/**
 * Parse a CPU list as written by the kernel, e.g. `0-3,8,10-11`.
 *
 * @param text The list.
 * @returns The CPU numbers in ascending order.
 * @throws {SyntaxError} When the text is not a CPU list.
 *
 * @example Ranges and singles
 * ```ts
 * import { parseCpuList } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseCpuList("0-2,5"), [0, 1, 2, 5]);
 * ```
 */
export function parseCpuList(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const cpus: number[] = [];
  for (const part of trimmed.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
      throw new SyntaxError(
        `Cannot parse CPU list: each part must be N or N-M with N <= M: received "${text}"`,
      );
    }
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi; c++) cpus.push(c);
  }
  return cpus.sort((a, b) => a - b);
}

function parseSize(text: string): number | null {
  const m = /^(\d+)\s*([KMG]?)B?$/i.exec(text.trim());
  if (!m) return null;
  const scale = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase()] ?? 1;
  return Number(m[1]) * scale;
}

function parseCount(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text.trim())) return null;
  return Number(text.trim());
}

/**
 * Parse the files of one `/sys/devices/system/cpu/cpuN/cache/indexM/`
 * directory (file name to contents). Missing or malformed files give `null`.
 *
 * @param files Contents keyed by file name: `level`, `type`, `size`,
 * `ways_of_associativity`, `coherency_line_size`, `number_of_sets`,
 * `shared_cpu_list`.
 * @returns One {@linkcode CacheFact}.
 *
 * @example A Zen 4 L2
 * ```ts
 * import { parseCacheIndex } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const l2 = parseCacheIndex({
 *   level: "2\n", type: "Unified\n", size: "1024K\n", ways_of_associativity: "16\n",
 *   coherency_line_size: "64\n", number_of_sets: "1024\n", shared_cpu_list: "0\n",
 * });
 * assert.equal(l2.sizeBytes, 1024 * 1024);
 * assert.equal(l2.sets! * l2.ways! * l2.lineBytes!, l2.sizeBytes);
 * assert.equal(l2.source, "/sys");
 * ```
 */
export function parseCacheIndex(files: Readonly<Record<string, string | undefined>>): CacheFact {
  const type = files.type?.trim();
  let sharedWith: number[] | null = null;
  if (files.shared_cpu_list !== undefined) {
    try {
      sharedWith = parseCpuList(files.shared_cpu_list);
    } catch {
      sharedWith = null;
    }
  }
  return {
    level: parseCount(files.level),
    type: type === "Data" || type === "Instruction" || type === "Unified" ? type : null,
    sizeBytes: files.size === undefined ? null : parseSize(files.size),
    ways: parseCount(files.ways_of_associativity),
    lineBytes: parseCount(files.coherency_line_size),
    sets: parseCount(files.number_of_sets),
    sharedWith,
    source: "/sys",
  };
}

/**
 * Find the kernel page size in `/proc/self/smaps` text (its first
 * `KernelPageSize` line).
 *
 * @param text The file's contents.
 * @returns The page size in bytes, or `null` when no such line exists.
 *
 * @example 4 KiB pages
 * ```ts
 * import { parseKernelPageSize } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseKernelPageSize("Size: 8 kB\nKernelPageSize:        4 kB\n"), 4096);
 * ```
 */
export function parseKernelPageSize(text: string): number | null {
  const m = /^KernelPageSize:\s*(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

const CACHE_FILES = [
  "level",
  "type",
  "size",
  "ways_of_associativity",
  "coherency_line_size",
  "number_of_sets",
  "shared_cpu_list",
] as const;

function readText(path: string, warnings: string[]): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    warnings.push(`Could not read ${path}: ${error instanceof Error ? error.message : error}`);
    return null;
  }
}

/** Read only the first `maxBytes` of a file (smaps is long and costly to generate). */
function readHead(path: string, maxBytes: number, warnings: string[]): string | null {
  let file: Deno.FsFile | null = null;
  try {
    file = Deno.openSync(path, { read: true });
    const buf = new Uint8Array(maxBytes);
    let filled = 0;
    while (filled < maxBytes) {
      const n = file.readSync(buf.subarray(filled));
      if (n === null || n === 0) break;
      filled += n;
    }
    return new TextDecoder().decode(buf.subarray(0, filled));
  } catch (error) {
    warnings.push(`Could not read ${path}: ${error instanceof Error ? error.message : error}`);
    return null;
  } finally {
    file?.close();
  }
}

function readCaches(root: string, warnings: string[]): CacheFact[] | null {
  const dir = `${root}/sys/devices/system/cpu/cpu0/cache`;
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => /^index\d+$/.test(n));
  } catch (error) {
    warnings.push(
      `Could not list ${dir}: ${
        error instanceof Error ? error.message : error
      }; cache sizes come from sysconf or a measurement instead`,
    );
    return null;
  }
  names.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  return names.map((name) => {
    const files: Record<string, string | undefined> = {};
    for (const f of CACHE_FILES) {
      try {
        files[f] = Deno.readTextFileSync(`${dir}/${name}/${f}`);
      } catch {
        warnings.push(`Could not read ${dir}/${name}/${f}; field left null`);
      }
    }
    return parseCacheIndex(files);
  });
}

/**
 * Parse the output of `getconf -a` (or any `NAME value` lines) into
 * sysconf values: an empty, zero or negative value means unknown (`null`).
 * Recorded machines keep this text so tests can replay their sysconf.
 *
 * @param text `getconf` output, one `NAME value` per line.
 * @returns The numeric values keyed by name.
 * @throws {SyntaxError} When a value is not an integer (names the line).
 *
 * @example A machine without an L1i associativity
 * ```ts
 * import { parseGetconf } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const v = parseGetconf("LEVEL1_DCACHE_SIZE   49152\nLEVEL1_ICACHE_ASSOC\nLEVEL3_CACHE_ASSOC 0\n");
 * assert.deepEqual(v, { LEVEL1_DCACHE_SIZE: 49152, LEVEL1_ICACHE_ASSOC: null, LEVEL3_CACHE_ASSOC: null });
 * ```
 */
export function parseGetconf(text: string): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  text.split("\n").forEach((line, i) => {
    const m = /^(\S+)\s*(.*)$/.exec(line.trim());
    if (!m) return;
    const raw = m[2].trim();
    if (raw !== "" && !/^-?\d+$/.test(raw)) {
      throw new SyntaxError(
        `Cannot parse getconf output: line ${i + 1}: ${m[1]} must be an integer: received "${raw}"`,
      );
    }
    const v = raw === "" ? 0 : Number(raw);
    values[m[1]] = v > 0 ? v : null;
  });
  return values;
}

/**
 * The caches glibc's sysconf reports (L1d, L1i, L2, L3, L4), as
 * {@linkcode CacheFact}s with source `sysconf`. Levels with no size are
 * left out; an associativity of 0 (unknown) becomes `null`.
 *
 * @param values Sysconf values keyed by their `getconf` names.
 * @returns The caches, L1d first.
 *
 * @example Machine B's L1d
 * ```ts
 * import { cachesFromSysconf } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const [l1d] = cachesFromSysconf({
 *   LEVEL1_DCACHE_SIZE: 49152, LEVEL1_DCACHE_ASSOC: 12, LEVEL1_DCACHE_LINESIZE: 64,
 * });
 * assert.deepEqual([l1d.level, l1d.type, l1d.sets, l1d.source], [1, "Data", 64, "sysconf"]);
 * ```
 */
export function cachesFromSysconf(values: SysconfValues): CacheFact[] {
  const entries = [
    [1, "Data", "LEVEL1_DCACHE"],
    [1, "Instruction", "LEVEL1_ICACHE"],
    [2, "Unified", "LEVEL2_CACHE"],
    [3, "Unified", "LEVEL3_CACHE"],
    [4, "Unified", "LEVEL4_CACHE"],
  ] as const;
  const get = (name: string) => {
    const v = values[name];
    return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
  };
  const caches: CacheFact[] = [];
  for (const [level, type, prefix] of entries) {
    const sizeBytes = get(`${prefix}_SIZE`);
    if (sizeBytes === null) continue;
    const ways = get(`${prefix}_ASSOC`), lineBytes = get(`${prefix}_LINESIZE`);
    const sets = ways && lineBytes && Number.isInteger(sizeBytes / (ways * lineBytes))
      ? sizeBytes / (ways * lineBytes)
      : null;
    caches.push({
      level,
      type,
      sizeBytes,
      ways,
      lineBytes,
      sets,
      sharedWith: null,
      source: "sysconf",
    });
  }
  return caches;
}

/**
 * The largest cache size the course believes for each level. Above it, a
 * value is taken for an error: no L1 data cache holds 1 MiB, no private L2
 * 64 MiB, and no single CPU die's L3 more than 256 MiB (the largest, with
 * stacked cache, hold about 100 MiB per die); hypervisors that fill CPUID
 * in by hand report such sizes (machine B's "508 MiB L3").
 */
export const MAX_PLAUSIBLE_CACHE_BYTES: Readonly<Record<number, number>> = {
  1: 1024 * 1024,
  2: 64 * 1024 * 1024,
  3: 256 * 1024 * 1024,
  4: 256 * 1024 * 1024,
};

/** Result of {@linkcode checkCachePlausibility}. */
export interface CachePlausibility {
  /** The caches that passed, in their original order. */
  caches: CacheFact[];
  /** The values that failed, with the reason. */
  implausible: ImplausibleFact[];
}

/**
 * Keep only caches whose geometry is believable: a line size that is a
 * power of two from 16 to 512 bytes, a size within
 * {@linkcode MAX_PLAUSIBLE_CACHE_BYTES} for its level and below the RAM,
 * and (for data and unified caches) larger than every level below it.
 *
 * @param caches The caches one source reported.
 * @param totalRamBytes The machine's RAM, or `null` when unknown (that check is then skipped).
 * @returns The caches kept and the ones flagged, each with its reason.
 *
 * @example Machine B's sysconf: the 508 MiB L3 is flagged, L1d and L2 kept
 * ```ts
 * import { cachesFromSysconf, checkCachePlausibility } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const { caches, implausible } = checkCachePlausibility(cachesFromSysconf({
 *   LEVEL1_DCACHE_SIZE: 49152, LEVEL2_CACHE_SIZE: 1048576, LEVEL3_CACHE_SIZE: 532676608,
 * }), 24 * 1024 ** 3);
 * assert.deepEqual(caches.map((c) => c.level), [1, 2]);
 * assert.equal(implausible[0].fact, "L3");
 * assert.match(implausible[0].reason, /more than 256 MiB/);
 * ```
 */
export function checkCachePlausibility(
  caches: readonly CacheFact[],
  totalRamBytes: number | null,
): CachePlausibility {
  const implausible: ImplausibleFact[] = [];
  const kept: CacheFact[] = [];
  const reasonFor = (c: CacheFact): string | null => {
    const size = c.sizeBytes;
    if (size === null) return null;
    if (
      c.lineBytes !== null &&
      !(c.lineBytes >= 16 && c.lineBytes <= 512 && isPowerOfTwo(c.lineBytes))
    ) {
      return `a line of ${c.lineBytes} bytes: lines are a power of two from 16 to 512 bytes`;
    }
    const max = c.level === null ? null : MAX_PLAUSIBLE_CACHE_BYTES[c.level] ?? null;
    if (max !== null && size > max) {
      return `more than ${formatBytes(max)}, larger than any L${c.level} built so far`;
    }
    if (totalRamBytes !== null && size >= totalRamBytes) {
      return `not smaller than the RAM (${formatBytes(totalRamBytes)})`;
    }
    if (c.type !== "Instruction" && c.level !== null) {
      const below = kept.filter((k) =>
        k.type !== "Instruction" && k.level !== null && k.level < c.level! && k.sizeBytes !== null
      );
      const bigger = below.find((k) => k.sizeBytes! >= size);
      if (bigger) {
        return `not larger than L${bigger.level} (${
          formatBytes(bigger.sizeBytes)
        }): each level is larger than the one before`;
      }
    }
    return null;
  };
  const ordered = [...caches].sort((a, b) => (a.level ?? 99) - (b.level ?? 99));
  const rejected = new Set<CacheFact>();
  for (const c of ordered) {
    const reason = reasonFor(c);
    if (reason === null) kept.push(c);
    else {
      rejected.add(c);
      implausible.push({ fact: cacheName(c), value: c.sizeBytes!, source: c.source, reason });
    }
  }
  return { caches: caches.filter((c) => !rejected.has(c)), implausible };
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

const cacheKey = (c: CacheFact) => `${c.level}:${c.type === "Instruction" ? "i" : "d"}`;

/** Options of {@linkcode machineFacts}. */
export interface MachineFactsOptions {
  /** A directory to read `proc/` and `sys/` from instead of `/` (for fixtures; default `/`). */
  root?: string;
  /**
   * Where sysconf values come from: `"libc"` calls glibc through FFI, `"none"`
   * skips them, or pass recorded values (see {@linkcode parseGetconf}).
   * Default: `"libc"` when `root` is `/`, else `"none"` (a fixture tree must
   * not be mixed with this machine's CPUID).
   */
  sysconf?: "libc" | "none" | SysconfValues;
}

const MachineFactsOptionsSchema = z.object({
  root: z.string().min(1).default("/"),
  sysconf: z.union([
    z.literal("libc"),
    z.literal("none"),
    z.record(z.string(), z.number().nullable()),
  ]).optional(),
});

/**
 * Read this machine's facts from `/proc`, `/sys` and glibc's sysconf (needs
 * `-A`). Each fact says where it came from: cache geometry from `/sys` when
 * it lists the caches, else from sysconf level by level; page size from
 * `/proc/self/smaps`, else sysconf; RAM and swap from `/proc/meminfo` (RAM
 * falls back to sysconf). A value that fails
 * {@linkcode checkCachePlausibility} is listed in `implausible` and not
 * used. Anything that cannot be read becomes `null` plus a sentence in
 * `warnings`; this function never throws for a missing file.
 *
 * @param options `root` (default `/`) and `sysconf` (see {@linkcode MachineFactsOptions}).
 * @returns A {@linkcode MachineFacts} with a rich notebook display.
 * @throws {TypeError} When an option is malformed.
 *
 * @example What machine is this?
 * ```ts
 * import { machineFacts } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const facts = machineFacts();
 * assert.equal(facts.environment.deno, Deno.version.deno);
 * assert.ok(facts.caches.every((c) => c.source === "/sys" || c.source === "sysconf"));
 * ```
 */
export function machineFacts(options: MachineFactsOptions = {}): MachineFacts {
  const parsed = MachineFactsOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(
      `Cannot read machine facts: invalid options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const root = parsed.data.root.replace(/\/+$/, "");
  const warnings: string[] = [];
  const sysconf = readSysconfOption(
    parsed.data.sysconf ?? (root === "" ? "libc" : "none"),
    warnings,
  );
  const sources: MachineFactSources = {
    logicalCpus: null,
    totalRamBytes: null,
    swapTotalBytes: null,
    pageSizeBytes: null,
  };
  const cpuinfo = readText(`${root}/proc/cpuinfo`, warnings);
  const cpu = cpuinfo === null ? { cpuModel: null, logicalCpus: null } : parseCpuinfo(cpuinfo);
  if (cpuinfo !== null && cpu.cpuModel === null) {
    warnings.push('No "model name" line in /proc/cpuinfo; cpuModel left null');
  }
  let logicalCpus = cpu.logicalCpus;
  if (logicalCpus !== null) sources.logicalCpus = "/proc";
  else if (sysconf._NPROCESSORS_ONLN) {
    logicalCpus = sysconf._NPROCESSORS_ONLN;
    sources.logicalCpus = "sysconf";
  } else if (root === "") {
    try {
      logicalCpus = navigator.hardwareConcurrency ?? null;
      if (logicalCpus !== null) sources.logicalCpus = "Deno";
    } catch {
      logicalCpus = null;
    }
  }
  const meminfo = readText(`${root}/proc/meminfo`, warnings);
  let mem = { totalRamBytes: null, availableRamBytes: null, swapTotalBytes: null } as ReturnType<
    typeof parseMeminfo
  >;
  if (meminfo !== null) {
    try {
      mem = parseMeminfo(meminfo);
    } catch (error) {
      warnings.push(`Could not parse /proc/meminfo: ${(error as Error).message}`);
    }
  }
  if (mem.totalRamBytes !== null) sources.totalRamBytes = "/proc";
  if (mem.swapTotalBytes !== null) sources.swapTotalBytes = "/proc";
  const smaps = readHead(`${root}/proc/self/smaps`, 16384, warnings);
  let pageSizeBytes = smaps === null ? null : parseKernelPageSize(smaps);
  if (smaps !== null && pageSizeBytes === null) {
    warnings.push("No KernelPageSize line in /proc/self/smaps; pageSizeBytes left null");
  }
  if (pageSizeBytes !== null) sources.pageSizeBytes = "/proc";
  else if (sysconf.PAGESIZE) {
    pageSizeBytes = sysconf.PAGESIZE;
    sources.pageSizeBytes = "sysconf";
  }
  if (mem.totalRamBytes === null && sysconf._PHYS_PAGES && pageSizeBytes) {
    mem = { ...mem, totalRamBytes: sysconf._PHYS_PAGES * pageSizeBytes };
    sources.totalRamBytes = "sysconf";
  }
  // Caches: /sys where it lists them; sysconf fills each level /sys lacks or got wrong.
  const fromSys = checkCachePlausibility(readCaches(root, warnings) ?? [], mem.totalRamBytes);
  const fromSysconf = checkCachePlausibility(cachesFromSysconf(sysconf), mem.totalRamBytes);
  const have = new Set(fromSys.caches.filter((c) => c.sizeBytes !== null).map(cacheKey));
  const fill = fromSysconf.caches.filter((c) => !have.has(cacheKey(c)));
  const caches = [...fromSys.caches, ...fill].sort((a, b) =>
    (a.level ?? 99) - (b.level ?? 99) ||
    (a.type === "Instruction" ? 1 : 0) - (b.type === "Instruction" ? 1 : 0)
  );
  // A sysconf value that /sys made unnecessary is not worth a flag.
  const implausible = [
    ...fromSys.implausible,
    ...fromSysconf.implausible.filter((f) =>
      !fromSys.caches.some((c) => cacheName(c) === f.fact && c.sizeBytes !== null)
    ),
  ];
  const facts: MachineFacts = {
    cpuModel: cpu.cpuModel,
    logicalCpus,
    caches,
    ...mem,
    pageSizeBytes,
    sources,
    implausible,
    environment: environment(),
    warnings,
  };
  return withMachineDisplay(facts);
}

function readSysconfOption(
  option: "libc" | "none" | SysconfValues,
  warnings: string[],
): SysconfValues {
  if (option === "none") return {};
  if (option !== "libc") return option;
  try {
    return readSysconf();
  } catch (error) {
    warnings.push(`Could not call sysconf: ${(error as Error).message}`);
    return {};
  }
}

/** A plateau of a measured latency curve, as `estimateLevels` gives it. */
export interface MeasuredPlateau {
  /** Smallest working set on the plateau, in bytes. */
  fromBytes: number;
  /** Largest working set on the plateau, in bytes. */
  toBytes: number;
  /** Time per load on the plateau, in ns. */
  latencyNs: number;
}

/**
 * Fill the cache levels that neither `/sys` nor sysconf gave (or gave
 * implausibly) from a measured latency curve's plateaus, the last fallback.
 * The last plateau is RAM, and so is every plateau slower than
 * {@linkcode MIN_MEMORY_LATENCY_NS}; each other plateau that starts beyond the
 * largest known cache becomes the next level, with its largest working set
 * as the size (a lower bound of what this program can use of it) and source
 * `measured`. Ways and line size stay unknown. With no known cache at all,
 * the plateaus become L1, L2, ... in order.
 *
 * @param facts Facts from {@linkcode machineFacts}.
 * @param plateaus Plateaus of the latency curve, fastest first (the last is RAM).
 * @returns New facts with the measured levels added (the input is not changed).
 *
 * @example Machine B: sysconf gives L1d and L2, the plateaus give L3
 * ```ts
 * import { withMeasuredCaches } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const KiB = 1024, MiB = 1024 * KiB;
 * const facts = {
 *   caches: [
 *     { level: 1, type: "Data" as const, sizeBytes: 48 * KiB, ways: 12, lineBytes: 64, sets: 64, sharedWith: null, source: "sysconf" as const },
 *     { level: 2, type: "Unified" as const, sizeBytes: MiB, ways: 8, lineBytes: 64, sets: 2048, sharedWith: null, source: "sysconf" as const },
 *   ],
 * };
 * const out = withMeasuredCaches(facts, [
 *   { fromBytes: 4 * KiB, toBytes: 45 * KiB, latencyNs: 1.4 },
 *   { fromBytes: 64 * KiB, toBytes: 512 * KiB, latencyNs: 4.5 },
 *   { fromBytes: 1.5 * MiB, toBytes: 8 * MiB, latencyNs: 14 },
 *   { fromBytes: 16 * MiB, toBytes: 22 * MiB, latencyNs: 121 },
 *   { fromBytes: 45 * MiB, toBytes: 64 * MiB, latencyNs: 480 },
 * ]);
 * assert.deepEqual(out.caches.map((c) => [c.level, c.sizeBytes, c.source]), [
 *   [1, 48 * KiB, "sysconf"], [2, MiB, "sysconf"], [3, 8 * MiB, "measured"],
 * ]);
 * ```
 */
export function withMeasuredCaches<T extends Pick<MachineFacts, "caches">>(
  facts: T,
  plateaus: readonly MeasuredPlateau[],
): T {
  const known = facts.caches.filter((c) =>
    c.type !== "Instruction" && c.level !== null && c.sizeBytes !== null
  );
  const largest = known.reduce((m, c) => Math.max(m, c.sizeBytes!), 0);
  let level = known.reduce((m, c) => Math.max(m, c.level!), 0);
  const measured: CacheFact[] = [];
  for (const p of plateaus.slice(0, -1)) {
    if (p.fromBytes <= largest || !(p.toBytes > 0) || p.latencyNs >= MIN_MEMORY_LATENCY_NS) {
      continue;
    }
    level++;
    measured.push({
      level,
      type: level === 1 ? "Data" : "Unified",
      sizeBytes: p.toBytes,
      ways: null,
      lineBytes: null,
      sets: null,
      sharedWith: null,
      source: "measured",
    });
  }
  const out = { ...facts, caches: [...facts.caches, ...measured] };
  const display = (facts as Record<symbol, unknown>)[Symbol.for("Jupyter.display")];
  return display && "environment" in out
    ? withMachineDisplay(out as unknown as MachineFacts) as unknown as T
    : out;
}

/**
 * The data or unified cache of a level, if the facts know it.
 *
 * @param facts Machine facts (or anything with `caches`).
 * @param level 1, 2, 3...
 * @returns The cache, or `undefined`.
 *
 * @example L1 means the data cache, not the instruction cache
 * ```ts
 * import { dataCache } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const caches = [
 *   { level: 1, type: "Instruction" as const, sizeBytes: 32768, ways: 8, lineBytes: 64, sets: 64, sharedWith: null, source: "/sys" as const },
 *   { level: 1, type: "Data" as const, sizeBytes: 49152, ways: 12, lineBytes: 64, sets: 64, sharedWith: null, source: "/sys" as const },
 * ];
 * assert.equal(dataCache({ caches }, 1)?.sizeBytes, 49152);
 * assert.equal(dataCache({ caches }, 2), undefined);
 * ```
 */
export function dataCache(
  facts: Pick<MachineFacts, "caches">,
  level: number,
): CacheFact | undefined {
  return facts.caches.find((c) =>
    c.level === level && c.type !== "Instruction" && c.sizeBytes !== null
  );
}

/** A cache geometry a simulator can take, with where it came from. */
export interface SimulableGeometry {
  /** Capacity in bytes. */
  sizeBytes: number;
  /** Lines per set. */
  ways: number;
  /** Bytes per line. */
  lineBytes: number;
  /** Where the geometry came from. */
  source: CacheFact["source"];
}

/**
 * The geometry of a level's data cache when it is fully known and a
 * set-associative simulator can model it: size, ways and line size known,
 * and a power-of-two number of sets. Otherwise `undefined`, so a lesson can
 * fall back to a typical cache and say so.
 *
 * @param facts Machine facts (or anything with `caches`).
 * @param level 1, 2, 3...
 * @returns The geometry with its source, or `undefined`.
 *
 * @example Machine B's L1d from sysconf; an L3 without ways is not simulable
 * ```ts
 * import { simulableGeometry } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const caches = [
 *   { level: 1, type: "Data" as const, sizeBytes: 49152, ways: 12, lineBytes: 64, sets: 64, sharedWith: null, source: "sysconf" as const },
 *   { level: 3, type: "Unified" as const, sizeBytes: 8 << 20, ways: null, lineBytes: null, sets: null, sharedWith: null, source: "measured" as const },
 * ];
 * assert.deepEqual(simulableGeometry({ caches }, 1), { sizeBytes: 49152, ways: 12, lineBytes: 64, source: "sysconf" });
 * assert.equal(simulableGeometry({ caches }, 3), undefined);
 * ```
 */
export function simulableGeometry(
  facts: Pick<MachineFacts, "caches">,
  level: number,
): SimulableGeometry | undefined {
  const c = dataCache(facts, level);
  if (!c || c.ways === null || c.lineBytes === null) return undefined;
  const sets = c.sizeBytes! / (c.ways * c.lineBytes);
  if (!isPowerOfTwo(sets) || !isPowerOfTwo(c.lineBytes)) return undefined;
  return { sizeBytes: c.sizeBytes!, ways: c.ways, lineBytes: c.lineBytes, source: c.source };
}

/**
 * One line naming the machine and each fact with its source, for the top of
 * a test log or a notebook: unknown and implausible values say so.
 *
 * @param facts Facts from {@linkcode machineFacts}.
 * @returns E.g. `machine: AMD EPYC, 2 CPUs, L1d 48 KiB (sysconf), L2 1 MiB (sysconf),
 * L3 unknown (sysconf 508 MiB implausible), page 4 KiB (/proc), RAM 23.5 GiB (/proc), swap none (/proc)`.
 *
 * @example No facts at all
 * ```ts
 * import { machineSummary } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const line = machineSummary({
 *   cpuModel: null, logicalCpus: null, caches: [], totalRamBytes: null, swapTotalBytes: null,
 *   pageSizeBytes: null, implausible: [],
 *   sources: { logicalCpus: null, totalRamBytes: null, swapTotalBytes: null, pageSizeBytes: null },
 * });
 * assert.equal(line, "machine: unknown CPU, ? CPUs, caches unknown, page unknown, RAM unknown, swap unknown");
 * ```
 */
export function machineSummary(
  facts: Pick<
    MachineFacts,
    | "cpuModel"
    | "logicalCpus"
    | "caches"
    | "totalRamBytes"
    | "swapTotalBytes"
    | "pageSizeBytes"
    | "implausible"
    | "sources"
  >,
): string {
  const parts = [
    `machine: ${facts.cpuModel ?? "unknown CPU"}`,
    `${facts.logicalCpus ?? "?"} CPUs`,
  ];
  const levels = new Set<string>();
  for (const c of facts.caches) {
    if (c.type === "Instruction" || c.sizeBytes === null) continue;
    levels.add(cacheName(c));
    parts.push(`${cacheName(c)} ${formatBytes(c.sizeBytes)} (${c.source})`);
  }
  for (const f of facts.implausible) {
    if (levels.has(f.fact)) continue;
    parts.push(`${f.fact} unknown (${f.source} ${formatBytes(f.value)} implausible)`);
  }
  if (levels.size === 0 && facts.implausible.length === 0) parts.push("caches unknown");
  const withSource = (label: string, v: number | null, src: FactSource | null, none = false) =>
    v === null
      ? `${label} unknown`
      : `${label} ${none && v === 0 ? "none" : formatBytes(v)} (${src})`;
  parts.push(withSource("page", facts.pageSizeBytes, facts.sources.pageSizeBytes));
  parts.push(withSource("RAM", facts.totalRamBytes, facts.sources.totalRamBytes));
  parts.push(withSource("swap", facts.swapTotalBytes, facts.sources.swapTotalBytes, true));
  return parts.join(", ");
}

/**
 * Sentences about this machine's caches and RAM for a lesson, generated
 * from the facts: what is known and from where, what is missing or was not
 * believed, and how the largest cache compares with RAM.
 *
 * @param facts Facts from {@linkcode machineFacts}.
 * @returns A short paragraph in Markdown.
 *
 * @example No caches known
 * ```ts
 * import { describeMachineMemory } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const text = describeMachineMemory({
 *   caches: [], totalRamBytes: 2 ** 34, swapTotalBytes: 0, pageSizeBytes: 4096, implausible: [],
 *   sources: { logicalCpus: null, totalRamBytes: "/proc", swapTotalBytes: "/proc", pageSizeBytes: "/proc" },
 * });
 * assert.match(text, /did not say how large its caches are/);
 * assert.match(text, /no swap/);
 * ```
 */
export function describeMachineMemory(
  facts: Pick<
    MachineFacts,
    "caches" | "totalRamBytes" | "swapTotalBytes" | "pageSizeBytes" | "implausible" | "sources"
  >,
): string {
  const data = facts.caches.filter((c) => c.type !== "Instruction" && c.sizeBytes !== null);
  const out: string[] = [];
  if (data.length === 0) {
    out.push(
      "This machine did not say how large its caches are (neither `/sys` nor sysconf gave a believable size); lesson 01 measures them instead.",
    );
  } else {
    const bySource = new Map<string, string[]>();
    for (const c of data) {
      const list = bySource.get(c.source) ?? [];
      list.push(`${cacheName(c)} ${formatBytes(c.sizeBytes)}`);
      bySource.set(c.source, list);
    }
    const from = [...bySource].map(([src, list]) =>
      `${list.join(", ")} (${src === "measured" ? "measured" : `from ${"`"}${src}${"`"}`})`
    );
    out.push(`This machine's data caches: ${from.join("; ")}.`);
    const largest = data.reduce((a, b) => (b.sizeBytes! > a.sizeBytes! ? b : a));
    if (facts.totalRamBytes !== null) {
      const ratio = facts.totalRamBytes / largest.sizeBytes!;
      out.push(
        `The largest known, ${cacheName(largest)}, holds ${
          formatBytes(largest.sizeBytes)
        }, about 1/${Math.round(ratio).toLocaleString("en-US")} of the ${
          formatBytes(facts.totalRamBytes)
        } of RAM.`,
      );
    }
  }
  for (const f of facts.implausible) {
    out.push(
      `${f.source === "sysconf" ? "glibc's sysconf" : f.source} also reported an ${f.fact} of ${
        formatBytes(f.value)
      }, which the course does not use: ${f.reason}.`,
    );
  }
  const lines = [...new Set(data.map((c) => c.lineBytes).filter((l) => l !== null))];
  if (lines.length === 1) {
    out.push(`Memory moves between RAM and the caches in ${lines[0]}-byte lines.`);
  } else if (lines.length === 0) {
    out.push("The line size is unknown here; 64 bytes is by far the most common.");
  }
  if (facts.pageSizeBytes !== null) {
    out.push(
      `The operating system hands out memory in pages of ${
        formatBytes(facts.pageSizeBytes)
      } (from \`${facts.sources.pageSizeBytes}\`).`,
    );
  }
  if (facts.swapTotalBytes === 0) {
    out.push("There is no swap: when RAM runs out, nothing can be moved to disk (lesson 07).");
  } else if (facts.swapTotalBytes !== null) {
    out.push(
      `There is ${
        formatBytes(facts.swapTotalBytes)
      } of swap, disk space to move pages to when RAM runs out (lesson 07).`,
    );
  } else out.push("Whether there is swap could not be read.");
  return out.join(" ");
}

function cacheName(c: Pick<CacheFact, "level" | "type">): string {
  const t = c.type === "Data" ? "d" : c.type === "Instruction" ? "i" : "";
  return c.level === null ? "cache" : `L${c.level}${t}`;
}

function withMachineDisplay(facts: MachineFacts): MachineFacts {
  Object.defineProperty(facts, Symbol.for("Jupyter.display"), {
    enumerable: false,
    configurable: true,
    value: () => {
      const src = (s: FactSource | null) => (s === null ? "" : ` (${s})`);
      const rows: [string, string][] = [
        ["CPU", facts.cpuModel ?? "—"],
        ["Logical CPUs", `${facts.logicalCpus ?? "—"}${src(facts.sources.logicalCpus)}`],
        ["RAM", `${formatBytes(facts.totalRamBytes)}${src(facts.sources.totalRamBytes)}`],
        ["RAM available", formatBytes(facts.availableRamBytes)],
        ["Swap", `${formatBytes(facts.swapTotalBytes)}${src(facts.sources.swapTotalBytes)}`],
        ["Page size", `${formatBytes(facts.pageSizeBytes)}${src(facts.sources.pageSizeBytes)}`],
        ["Deno / V8", `${facts.environment.deno} / ${facts.environment.v8}`],
        ["OS / arch", `${facts.environment.os} / ${facts.environment.arch}`],
        ["Date", facts.environment.date],
      ];
      const cacheHeaders = ["cache", "size", "ways", "line", "sets", "shared with CPUs", "source"];
      const cacheRows = facts.caches.map((c) => [
        cacheName(c),
        formatBytes(c.sizeBytes),
        String(c.ways ?? "—"),
        c.lineBytes === null ? "—" : `${c.lineBytes} B`,
        String(c.sets ?? "—"),
        c.sharedWith === null ? "—" : c.sharedWith.join(", "),
        c.source,
      ]);
      const flagged = facts.implausible.map((f) =>
        `${f.source} reported ${f.fact} = ${formatBytes(f.value)}: not used: ${f.reason}`
      );
      const list = (title: string, items: string[]) =>
        items.length === 0
          ? ""
          : `<p><b>${title}</b></p><ul>${
            items.map((w) => `<li>${escapeHtml(w)}</li>`).join("")
          }</ul>`;
      const cacheHtml = cacheRows.length === 0
        ? "<p>No cache sizes known (no <code>/sys</code> cache list and no believable sysconf value).</p>"
        : htmlTable(cacheHeaders, cacheRows.map((r) => r.map(escapeHtml)));
      const html = `<div><h4>This machine</h4>${
        htmlTable(["", ""], rows.map(([k, v]) => [`<b>${escapeHtml(k)}</b>`, escapeHtml(v)]))
      }<h4>Caches (CPU 0)</h4>${cacheHtml}${list("Implausible values, not used:", flagged)}${
        list("Could not read:", facts.warnings)
      }</div>`;
      const text = [
        textTable(["fact", "value"], rows),
        "",
        cacheRows.length === 0 ? "caches: unknown" : textTable(cacheHeaders, cacheRows),
        ...flagged.map((w) => `implausible: ${w}`),
        ...facts.warnings.map((w) => `warning: ${w}`),
      ].join("\n");
      return { "text/html": html, "text/plain": text };
    },
  });
  return facts;
}
