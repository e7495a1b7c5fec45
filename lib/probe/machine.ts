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

/** One CPU cache as described by `/sys/devices/system/cpu/cpu0/cache/indexN/`. */
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
  /** Logical CPUs sharing this cache. */
  sharedWith: number[] | null;
}

/** Everything {@linkcode machineFacts} found out, with `null` for what it could not read. */
export interface MachineFacts {
  /** CPU model name from `/proc/cpuinfo`. */
  cpuModel: string | null;
  /** Number of logical CPUs. */
  logicalCpus: number | null;
  /** Caches of CPU 0, in `/sys` index order. */
  caches: CacheFact[];
  /** Total RAM in bytes (`MemTotal`). */
  totalRamBytes: number | null;
  /** RAM available for new work in bytes (`MemAvailable`). */
  availableRamBytes: number | null;
  /** Swap space in bytes (`SwapTotal`). */
  swapTotalBytes: number | null;
  /** Kernel page size in bytes (`KernelPageSize` in `/proc/self/smaps`). */
  pageSizeBytes: number | null;
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

function readCaches(root: string, warnings: string[]): CacheFact[] {
  const dir = `${root}/sys/devices/system/cpu/cpu0/cache`;
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => /^index\d+$/.test(n));
  } catch (error) {
    warnings.push(
      `Could not list ${dir}: ${error instanceof Error ? error.message : error}; caches unknown`,
    );
    return [];
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
 * Read this machine's facts from `/proc` and `/sys` (needs `-A`). Anything
 * that cannot be read becomes `null` plus a sentence in `warnings`; this
 * function never throws for a missing file.
 *
 * @param options `root`: a directory to read `proc/` and `sys/` from instead
 * of `/` (for fixtures and tests; default `/`).
 * @returns A {@linkcode MachineFacts} with a rich notebook display.
 * @throws {TypeError} When `root` is not a non-empty string.
 *
 * @example What machine is this?
 * ```ts
 * import { machineFacts } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const facts = machineFacts();
 * assert.equal(facts.environment.deno, Deno.version.deno);
 * assert.ok(Array.isArray(facts.caches) && Array.isArray(facts.warnings));
 * ```
 */
export function machineFacts(options: { root?: string } = {}): MachineFacts {
  const parsed = z.object({ root: z.string().min(1).default("/") }).safeParse(options);
  if (!parsed.success) {
    throw new TypeError(
      `Cannot read machine facts: invalid options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const root = parsed.data.root.replace(/\/+$/, "");
  const warnings: string[] = [];
  const cpuinfo = readText(`${root}/proc/cpuinfo`, warnings);
  const cpu = cpuinfo === null ? { cpuModel: null, logicalCpus: null } : parseCpuinfo(cpuinfo);
  if (cpuinfo !== null && cpu.cpuModel === null) {
    warnings.push('No "model name" line in /proc/cpuinfo; cpuModel left null');
  }
  let logicalCpus = cpu.logicalCpus;
  if (logicalCpus === null) {
    try {
      logicalCpus = navigator.hardwareConcurrency ?? null;
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
  const smaps = readHead(`${root}/proc/self/smaps`, 16384, warnings);
  const pageSizeBytes = smaps === null ? null : parseKernelPageSize(smaps);
  if (smaps !== null && pageSizeBytes === null) {
    warnings.push("No KernelPageSize line in /proc/self/smaps; pageSizeBytes left null");
  }
  const facts: MachineFacts = {
    cpuModel: cpu.cpuModel,
    logicalCpus,
    caches: readCaches(root, warnings),
    ...mem,
    pageSizeBytes,
    environment: environment(),
    warnings,
  };
  return withMachineDisplay(facts);
}

function cacheName(c: CacheFact): string {
  const t = c.type === "Data" ? "d" : c.type === "Instruction" ? "i" : "";
  return c.level === null ? "cache" : `L${c.level}${t}`;
}

function withMachineDisplay(facts: MachineFacts): MachineFacts {
  Object.defineProperty(facts, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => {
      const rows: [string, string][] = [
        ["CPU", facts.cpuModel ?? "—"],
        ["Logical CPUs", String(facts.logicalCpus ?? "—")],
        ["RAM", formatBytes(facts.totalRamBytes)],
        ["RAM available", formatBytes(facts.availableRamBytes)],
        ["Swap", formatBytes(facts.swapTotalBytes)],
        ["Page size", formatBytes(facts.pageSizeBytes)],
        ["Deno / V8", `${facts.environment.deno} / ${facts.environment.v8}`],
        ["OS / arch", `${facts.environment.os} / ${facts.environment.arch}`],
        ["Date", facts.environment.date],
      ];
      const cacheHeaders = ["cache", "size", "ways", "line", "sets", "shared with CPUs"];
      const cacheRows = facts.caches.map((c) => [
        cacheName(c),
        formatBytes(c.sizeBytes),
        String(c.ways ?? "—"),
        c.lineBytes === null ? "—" : `${c.lineBytes} B`,
        String(c.sets ?? "—"),
        c.sharedWith === null ? "—" : c.sharedWith.join(", "),
      ]);
      const warn = facts.warnings.length === 0
        ? ""
        : `<p><b>Could not read:</b></p><ul>${
          facts.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")
        }</ul>`;
      const html = `<div><h4>This machine</h4>${
        htmlTable(["", ""], rows.map(([k, v]) => [`<b>${escapeHtml(k)}</b>`, escapeHtml(v)]))
      }<h4>Caches (CPU 0)</h4>${
        htmlTable(cacheHeaders, cacheRows.map((r) => r.map(escapeHtml)))
      }${warn}</div>`;
      const text = [
        textTable(["fact", "value"], rows),
        "",
        textTable(cacheHeaders, cacheRows),
        ...facts.warnings.map((w) => `warning: ${w}`),
      ].join("\n");
      return { "text/html": html, "text/plain": text };
    },
  });
  return facts;
}
