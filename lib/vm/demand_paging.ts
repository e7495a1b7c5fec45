/**
 * Demand paging for several processes sharing a few frames and a swap area:
 * fault kinds (minor: zero-fill on first touch, or a page-cache page already
 * in memory; major: brought in from swap or read from a file; invalid: a
 * segmentation fault), a cost model in nanoseconds, overcommit (reserving
 * more than memory holds is free; only touching too much fails, as an
 * out-of-memory result), eviction through any {@linkcode PagePolicy}, and
 * isolation (the same virtual page in two processes lives in two frames).
 *
 * @module
 */
import { z } from "zod";
import { MersenneTwister } from "../random/mersenne.ts";
import { parseOrThrow } from "./_parse.ts";
import { htmlTable, withDisplay } from "./_display.ts";
import { type PagePolicy, type ResidentPages, resolvePagePolicy } from "./page_policy.ts";

/** Why a page could not be brought in: nothing resident may leave. */
const NO_FREE_FRAME = "no frame can be freed: every resident page is anonymous and swap is full";

/** What one access cost, by kind. */
export type FaultKind = "hit" | "minor" | "major" | "invalid" | "oom";

/** Costs in nanoseconds (defaults: a DRAM hit, a kernel minor fault, an SSD read). */
export const FaultCostsNs = z.object({
  /** An access whose page is mapped (default 100). */
  hitNs: z.number().min(0).default(100),
  /** A minor fault: zero-fill or page-cache mapping (default 1,000). */
  minorFaultNs: z.number().min(0).default(1_000),
  /** A major fault: swap-in or file read (default 100,000, an SSD). */
  majorFaultNs: z.number().min(0).default(100_000),
  /** An invalid access: the kernel delivers SIGSEGV (default 2,000). */
  invalidFaultNs: z.number().min(0).default(2_000),
  /** Writing an evicted anonymous page to swap (default 100,000). */
  swapOutNs: z.number().min(0).default(100_000),
});
/** Costs in nanoseconds per kind. */
export type FaultCostsNs = z.input<typeof FaultCostsNs>;

const FileMapping = z.object({
  /** A file name (pages of the same file are shared through the page cache). */
  file: z.string().min(1),
  /** First virtual page of the mapping. */
  startPage: z.number().int().min(0),
  /** Pages mapped (file pages 0..pageCount-1); the mapping is read-only. */
  pageCount: z.number().int().positive(),
});

/** Options of {@linkcode simulateDemandPaging}. */
export const DemandPagingOptions = z.object({
  /** Physical frames. */
  frames: z.number().int().positive(),
  /** Swap slots for anonymous pages (default 0: no swap). */
  swapPages: z.number().int().min(0).default(0),
  /** Replacement policy (name or object; must not need the future). Default "lru". */
  policy: z.custom<string | PagePolicy>(
    (v) => typeof v === "string" || (typeof v === "object" && v !== null),
    { message: "must be a policy name or object" },
  ).default("lru"),
  /** Processes: each reserves anonymous pages [0, reservedPages) and may map files read-only. */
  processes: z.array(z.object({
    pid: z.number().int().min(0),
    reservedPages: z.number().int().min(0),
    files: z.array(FileMapping).default([]),
  })).min(1),
  /** File pages already in the page cache at the start (e.g. read recently). */
  pageCache: z.array(z.object({ file: z.string().min(1), page: z.number().int().min(0) }))
    .default([]),
  /** The accesses, in order. A write stores `value` (default 1) in the page. */
  accesses: z.array(z.object({
    pid: z.number().int().min(0),
    page: z.number().int().min(0),
    write: z.boolean().default(false),
    value: z.number().default(1),
  })),
  /** Costs per kind. */
  costs: FaultCostsNs.default({
    hitNs: 100,
    minorFaultNs: 1_000,
    majorFaultNs: 100_000,
    invalidFaultNs: 2_000,
    swapOutNs: 100_000,
  }),
  /** Seed for RAND and CLOCK (Python-compatible Mersenne Twister). */
  seed: z.number().int().default(0),
  /** Record one step per access. */
  steps: z.boolean().default(false),
});
/** Options of {@linkcode simulateDemandPaging}. */
export type DemandPagingOptions = z.input<typeof DemandPagingOptions>;

/** One access of a demand-paging run. */
export interface DemandPagingStep {
  /** Index of the access. */
  time: number;
  /** The process. */
  pid: number;
  /** The virtual page. */
  page: number;
  /** Whether it wrote. */
  write: boolean;
  /** What happened. */
  kind: FaultKind;
  /** Where the page came from: "zero-fill", "page-cache", "swap", "file", or null (hit, invalid, oom). */
  source: "zero-fill" | "page-cache" | "swap" | "file" | null;
  /** The frame used, or null. */
  frame: number | null;
  /** The value read (after the write for a write), or null. */
  value: number | null;
  /** What was evicted to make room: `"pid 1 page 3"`, `"file a.txt page 2"`, or null. */
  evicted: string | null;
  /** A human-readable reason for invalid and oom results. */
  reason: string | null;
  /** Cost of this access in ns (including a swap-out it caused). */
  costNs: number;
}

/** Totals of a demand-paging run (plain data). */
export interface DemandPagingResult {
  /** The policy's name. */
  policy: string;
  /** Frames of memory. */
  frames: number;
  /** Swap slots. */
  swapPages: number;
  /** Accesses simulated. */
  accessCount: number;
  /** Accesses by kind. */
  counts: Record<FaultKind, number>;
  /** Time by kind, in ns (`swapOut` for write-backs to swap). */
  timeNs: Record<FaultKind | "swapOut", number>;
  /** Sum of `timeNs`. */
  totalNs: number;
  /** Anonymous pages written to swap. */
  swapOuts: number;
  /** Most swap slots in use at once. */
  peakSwapUsed: number;
  /** Distinct anonymous pages touched (resident or in swap) at the end. */
  touchedAnonPages: number;
  /** Anonymous pages reserved by all processes. */
  reservedPages: number;
  /** reservedPages / (frames + swapPages): above 1 means overcommitted. */
  overcommitRatio: number;
  /** Per-access steps when `steps: true`. */
  steps?: DemandPagingStep[];
  /** Teaching warnings. */
  warnings: string[];
}

interface Owner {
  anon: boolean;
  pid: number;
  page: number;
  file: string;
}

/**
 * Simulate demand paging of several processes over shared frames and swap.
 * Every event (hit, minor, major, invalid, out of memory) is a result. When
 * swap is full an anonymous page cannot be evicted, so the policy's
 * anonymous choices are skipped (and reinserted) until a file page is found.
 *
 * @param options Frames, swap, policy, processes (reservations and file
 *   mappings), the initial page cache, the accesses and the cost model.
 * @returns Counts and time by kind, swap use, overcommit and optional steps.
 *
 * @example Two processes, same virtual page, different frames
 * ```ts
 * import { simulateDemandPaging } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = simulateDemandPaging({
 *   frames: 4,
 *   processes: [{ pid: 1, reservedPages: 8 }, { pid: 2, reservedPages: 8 }],
 *   accesses: [
 *     { pid: 1, page: 0, write: true, value: 42 },
 *     { pid: 2, page: 0 },
 *     { pid: 1, page: 0 },
 *     { pid: 2, page: 9 },
 *   ],
 *   steps: true,
 * });
 * assert.deepEqual(r.steps!.map((s) => [s.kind, s.value]), [["minor", 42], ["minor", 0], ["hit", 42], ["invalid", null]]);
 * assert.notEqual(r.steps![0].frame, r.steps![1].frame);
 * ```
 */
export function simulateDemandPaging(options: DemandPagingOptions): DemandPagingResult {
  const o = parseOrThrow(DemandPagingOptions, options, "Cannot simulate demand paging");
  const policy = resolvePagePolicy(o.policy);
  if (policy.needsFuture) {
    throw new RangeError(
      `Cannot simulate demand paging: policy must work online (without the future): received ${policy.name}`,
    );
  }
  const procs = new Map<number, (typeof o.processes)[number]>();
  for (const p of o.processes) {
    if (procs.has(p.pid)) {
      throw new RangeError(
        `Cannot simulate demand paging: processes must have distinct pids: received ${p.pid} twice`,
      );
    }
    for (const f of p.files) {
      if (f.startPage < p.reservedPages) {
        throw new RangeError(
          `Cannot simulate demand paging: files of pid ${p.pid} must start at or above its reserved pages (${p.reservedPages}): received startPage ${f.startPage}`,
        );
      }
    }
    procs.set(p.pid, p);
  }
  if (o.pageCache.length > o.frames) {
    throw new RangeError(
      `Cannot simulate demand paging: pageCache must fit in ${o.frames} frames: received ${o.pageCache.length} pages`,
    );
  }
  const costs = o.costs as Required<z.infer<typeof FaultCostsNs>>;
  const mt = new MersenneTwister(o.seed);
  policy.init?.({
    frames: o.frames,
    references: [],
    random: () => mt.random(),
    clockBits: 2,
  });

  // Keys: one policy "page" number per anonymous (pid, page) or file (file, page).
  const keyOf = new Map<string, number>();
  const owners: Owner[] = [];
  const key = (name: string, owner: Owner) => {
    let k = keyOf.get(name);
    if (k === undefined) {
      k = owners.length;
      keyOf.set(name, k);
      owners.push(owner);
    }
    return k;
  };
  const anonKey = (pid: number, page: number) =>
    key(`a${pid}:${page}`, { anon: true, pid, page, file: "" });
  const fileKey = (file: string, page: number) =>
    key(`f${file}:${page}`, { anon: false, pid: -1, page, file });

  const frameOf = new Map<number, number>(); // key -> frame
  const frameValue = new Float64Array(o.frames);
  const freeFrames: number[] = [];
  for (let f = o.frames - 1; f >= 0; f--) freeFrames.push(f);
  const swap = new Map<number, number>(); // key -> value
  const touchedAnon = new Set<number>();
  const mappedFile = new Set<string>(); // `${pid}:${key}` file pages in a process's page table
  const resident: ResidentPages = {
    get size() {
      return frameOf.size;
    },
    has: (k) => frameOf.has(k),
    pages: () => [...frameOf.keys()],
  };
  const counts: Record<FaultKind, number> = { hit: 0, minor: 0, major: 0, invalid: 0, oom: 0 };
  const timeNs: Record<FaultKind | "swapOut", number> = {
    hit: 0,
    minor: 0,
    major: 0,
    invalid: 0,
    oom: 0,
    swapOut: 0,
  };
  let swapOuts = 0, peakSwap = 0, now = 0;
  const describe = (k: number) => {
    const w = owners[k];
    return w.anon ? `pid ${w.pid} page ${w.page}` : `file ${w.file} page ${w.page}`;
  };

  /** Free a frame (evicting if needed); null when nothing can be evicted. */
  const takeFrame = (): { frame: number; evicted: string | null; costNs: number } | null => {
    const free = freeFrames.pop();
    if (free !== undefined) return { frame: free, evicted: null, costNs: 0 };
    const skipped: number[] = [];
    let victim = -1;
    for (let tries = 0; tries < o.frames; tries++) {
      const v = policy.chooseVictim(resident, now, { references: [], nextUse: () => 0 });
      if (!frameOf.has(v)) {
        throw new RangeError(
          `Cannot simulate demand paging: ${policy.name}.chooseVictim must return a resident page: received ${v} at time ${now}`,
        );
      }
      policy.onEvict?.(v, now);
      if (owners[v].anon && swap.size >= o.swapPages) {
        skipped.push(v);
        continue;
      }
      victim = v;
      break;
    }
    for (const s of skipped) policy.onInsert?.(s, now);
    if (victim < 0) return null;
    const frame = frameOf.get(victim)!;
    frameOf.delete(victim);
    let costNs = 0;
    const w = owners[victim];
    if (w.anon) {
      swap.set(victim, frameValue[frame]);
      peakSwap = Math.max(peakSwap, swap.size);
      swapOuts++;
      costNs = costs.swapOutNs;
      timeNs.swapOut += costNs;
    } else {
      for (const pid of procs.keys()) mappedFile.delete(`${pid}:${victim}`);
    }
    return { frame, evicted: describe(victim), costNs };
  };
  const place = (k: number, value: number) => {
    const got = takeFrame();
    if (got === null) return null;
    frameOf.set(k, got.frame);
    frameValue[got.frame] = value;
    policy.onInsert?.(k, now);
    return got;
  };

  for (const entry of o.pageCache) {
    const k = fileKey(entry.file, entry.page);
    if (!frameOf.has(k)) place(k, fileContent(entry.file, entry.page));
  }

  const wantSteps = o.steps;
  const steps: DemandPagingStep[] = [];
  o.accesses.forEach((a, t) => {
    now = t;
    const proc = procs.get(a.pid);
    let kind: FaultKind = "hit";
    let source: DemandPagingStep["source"] = null;
    let frame: number | null = null;
    let value: number | null = null;
    let evicted: string | null = null;
    let reason: string | null = null;
    let extraNs = 0;
    const fileMap = proc?.files.find((f) =>
      a.page >= f.startPage && a.page < f.startPage + f.pageCount
    );
    if (proc === undefined) {
      kind = "invalid";
      reason = `no process with pid ${a.pid}`;
    } else if (a.page < proc.reservedPages) {
      const k = anonKey(a.pid, a.page);
      if (frameOf.has(k)) {
        policy.onHit?.(k, t);
      } else if (swap.has(k)) {
        const stored = swap.get(k)!;
        swap.delete(k);
        const got = place(k, stored);
        if (got === null) {
          swap.set(k, stored);
          kind = "oom";
          reason = NO_FREE_FRAME;
        } else {
          kind = "major";
          source = "swap";
          evicted = got.evicted;
          extraNs = got.costNs;
        }
      } else if (touchedAnon.size >= o.frames + o.swapPages) {
        kind = "oom";
        reason =
          `touched anonymous pages would exceed frames + swap (${o.frames} + ${o.swapPages})`;
      } else {
        const got = place(k, 0);
        if (got === null) {
          kind = "oom";
          reason = NO_FREE_FRAME;
        } else {
          touchedAnon.add(k);
          kind = "minor";
          source = "zero-fill";
          evicted = got.evicted;
          extraNs = got.costNs;
        }
      }
      if (kind !== "oom") {
        frame = frameOf.get(k)!;
        if (a.write) frameValue[frame] = a.value;
        value = frameValue[frame];
      }
    } else if (fileMap !== undefined) {
      if (a.write) {
        kind = "invalid";
        reason = `write to the read-only mapping of ${fileMap.file}`;
      } else {
        const filePage = a.page - fileMap.startPage;
        const k = fileKey(fileMap.file, filePage);
        const mapKey = `${a.pid}:${k}`;
        if (frameOf.has(k) && mappedFile.has(mapKey)) {
          policy.onHit?.(k, t);
        } else if (frameOf.has(k)) {
          kind = "minor";
          source = "page-cache";
          policy.onHit?.(k, t);
          mappedFile.add(mapKey);
        } else {
          const got = place(k, fileContent(fileMap.file, filePage));
          if (got === null) {
            kind = "oom";
            reason = NO_FREE_FRAME;
          } else {
            kind = "major";
            source = "file";
            evicted = got.evicted;
            extraNs = got.costNs;
            mappedFile.add(mapKey);
          }
        }
        if (kind !== "oom") {
          frame = frameOf.get(k)!;
          value = frameValue[frame];
        }
      }
    } else {
      kind = "invalid";
      reason = `page ${a.page} is outside every mapping of pid ${a.pid}`;
    }
    counts[kind]++;
    const base = kind === "hit"
      ? costs.hitNs
      : kind === "minor"
      ? costs.minorFaultNs
      : kind === "major"
      ? costs.majorFaultNs
      : kind === "invalid"
      ? costs.invalidFaultNs
      : 0;
    timeNs[kind] += base;
    if (wantSteps) {
      steps.push({
        time: t,
        pid: a.pid,
        page: a.page,
        write: a.write,
        kind,
        source,
        frame,
        value,
        evicted,
        reason,
        costNs: base + extraNs,
      });
    }
  });

  const reservedPages = o.processes.reduce((s, p) => s + p.reservedPages, 0);
  const warnings: string[] = [];
  const overcommitRatio = reservedPages / (o.frames + o.swapPages);
  if (overcommitRatio > 1 && counts.oom === 0) {
    warnings.push(
      `Reserved ${reservedPages} pages with only ${
        o.frames + o.swapPages
      } frames + swap, yet nothing failed: reserving is free, only touching pages uses memory (overcommit)`,
    );
  }
  const result: DemandPagingResult = {
    policy: policy.name,
    frames: o.frames,
    swapPages: o.swapPages,
    accessCount: o.accesses.length,
    counts,
    timeNs,
    totalNs: Object.values(timeNs).reduce((s, x) => s + x, 0),
    swapOuts,
    peakSwapUsed: peakSwap,
    touchedAnonPages: touchedAnon.size,
    reservedPages,
    overcommitRatio,
    warnings,
  };
  if (wantSteps) result.steps = steps;
  return withDisplay(result, renderDemand);
}

/** The (made-up, deterministic) contents of a file page: file pages are read-only. */
function fileContent(file: string, page: number): number {
  let h = page + 1;
  for (let i = 0; i < file.length; i++) h = (h * 31 + file.charCodeAt(i)) % 1_000_003;
  return h;
}

function renderDemand(r: DemandPagingResult): { html: string; text: string } {
  const c = r.counts;
  const text =
    `${r.policy}, ${r.frames} frames + ${r.swapPages} swap: ${c.hit} hits, ${c.minor} minor, ${c.major} major, ${c.invalid} invalid, ${c.oom} out of memory; ${r.totalNs} ns`;
  const rows = (r.steps ?? []).slice(0, 200).map((s) => [
    s.time,
    s.pid,
    s.page,
    s.write ? "W" : "R",
    s.kind,
    s.source ?? "",
    s.frame ?? "-",
    s.value ?? "-",
    s.evicted ?? s.reason ?? "",
    s.costNs,
  ]);
  const table = rows.length
    ? htmlTable(
      ["t", "pid", "page", "", "kind", "from", "frame", "value", "evicted / reason", "ns"],
      rows,
    )
    : "";
  const warn = r.warnings.map((w) => `<p><em>${w}</em></p>`).join("");
  return { html: `<p>${text}</p>${warn}${table}`, text };
}
