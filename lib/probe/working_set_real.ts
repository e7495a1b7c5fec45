/**
 * A real working set: the pages a running child process references, read
 * from the kernel interval by interval while the child moves through phases.
 *
 * Every page-table entry has an _accessed_ bit that the processor sets when
 * the page is used. Writing `1` to `/proc/PID/clear_refs` clears those bits
 * for a process (and flushes its TLB, so the next use sets them again), and
 * the `Referenced` line of `/proc/PID/smaps` then counts the pages used
 * since. {@linkcode measureRealWorkingSet} starts a child Deno process with a
 * buffer of its own, sends it a reference string (pages of that buffer), and
 * drives it one interval of Δ references at a time: the child writes one
 * byte to the page of each reference, and between intervals the parent reads
 * the buffer's `Referenced` and `Rss` and clears the bits again. The
 * referenced count after each interval is the real W(t, Δ) at the interval's
 * last reference t; the simulator's `workingSetSizes(references, Δ)` at the
 * same t is the same set computed on paper, so the two can be compared
 * number for number ({@linkcode compareRealWorkingSet}).
 *
 * The child is paused between intervals (it waits for the parent's next
 * line), so time here is counted in references, as in the simulator, not in
 * seconds. Where `clear_refs` cannot be written (another user's process, or a
 * kernel without it), the probe still reports the resident pages and says
 * why the referenced ones are missing.
 *
 * Bounds: at most {@linkcode REAL_WS_MAX_PAGES} pages (16 MiB) and
 * {@linkcode REAL_WS_MAX_REFERENCES} references; a deadline on every answer;
 * the child is killed and reaped in a `finally` block.
 *
 * @module
 */
import { z } from "zod";
import { attachKeyValueDisplay } from "./_kv_display.ts";
import { LineChild } from "./_line_child.ts";
import { parseSmaps } from "./_smaps.ts";
import { pageSizeBytes } from "./libc.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";

/** The most pages the child's buffer may have. */
export const REAL_WS_MAX_PAGES = 4096;
/** The most references one run may replay. */
export const REAL_WS_MAX_REFERENCES = 200_000;
/** The most intervals (samples) one run may take. */
export const REAL_WS_MAX_INTERVALS = 2000;
const ANSWER_MS = 15_000;

const OptionsSchema = z.strictObject({
  references: z.array(z.number().int().min(0).max(REAL_WS_MAX_PAGES - 1)).min(1).max(
    REAL_WS_MAX_REFERENCES,
  ),
  intervalRefs: z.number().int().min(1),
  procRoot: z.string().min(1).default("/proc"),
  timeoutMs: z.number().int().min(100).max(60_000).default(ANSWER_MS),
}).refine((o) => Math.ceil(o.references.length / o.intervalRefs) <= REAL_WS_MAX_INTERVALS, {
  path: ["intervalRefs"],
  message: `references / intervalRefs must give at most ${REAL_WS_MAX_INTERVALS} intervals`,
});

/** Options of {@linkcode measureRealWorkingSet}. */
export interface RealWorkingSetOptions {
  /** The reference string: pages 0..4095 of the child's buffer. */
  references: readonly number[];
  /** Δ: references per interval (one sample after each). */
  intervalRefs: number;
  /** Where procfs is mounted (default `/proc`). */
  procRoot?: string;
  /** Deadline for each answer of the child, ms (default 15000). */
  timeoutMs?: number;
}

/** One sample, taken after an interval. */
export interface RealWorkingSetSample {
  /** Interval number, from 0. */
  interval: number;
  /** Index of the interval's last reference (the t of W(t, Δ)). */
  t: number;
  /** Pages of the buffer referenced during the interval, or null when unreadable. */
  referencedPages: number | null;
  /** Pages of the buffer resident after the interval, or null when unreadable. */
  residentPages: number | null;
}

/** Result of {@linkcode measureRealWorkingSet}. */
export interface RealWorkingSetResult {
  /** References replayed. */
  referenceCount: number;
  /** Δ, references per interval. */
  intervalRefs: number;
  /** Pages in the child's buffer (largest page referenced + 1). */
  pageCount: number;
  /** The kernel's page size. */
  pageSizeBytes: number;
  /** `"referenced"` when clear_refs worked, `"resident-only"` when it could not be written. */
  method: "referenced" | "resident-only";
  /** Why the referenced pages are missing, or null. */
  reason: string | null;
  /** One sample per interval. */
  samples: RealWorkingSetSample[];
  /** The child's process id (gone by now). */
  pid: number;
  /** Wall time, ms. */
  elapsedMs: number;
  /** Kernel release. */
  kernelRelease: string;
  /** Where and when this was measured. */
  environment: ProbeEnvironment;
}

function readRegion(procRoot: string, pid: number, start: bigint, page: number) {
  try {
    const e = parseSmaps(Deno.readTextFileSync(`${procRoot}/${pid}/smaps`)).find((x) =>
      x.start === start
    );
    if (!e) return { referenced: null, resident: null };
    const pages = (name: string) =>
      e.fields[name] === undefined ? null : Math.round(e.fields[name] / page);
    return { referenced: pages("Referenced"), resident: pages("Rss") };
  } catch {
    return { referenced: null, resident: null };
  }
}

function clearRefs(procRoot: string, pid: number): string | null {
  try {
    Deno.writeTextFileSync(`${procRoot}/${pid}/clear_refs`, "1");
    return null;
  } catch (e) {
    return `${procRoot}/${pid}/clear_refs could not be written (${(e as Error).name})`;
  }
}

/**
 * Replay a reference string in a child process, one interval at a time, and
 * read the pages it referenced (and the pages resident) after each interval.
 *
 * @param options The references, Δ, the /proc root and a deadline.
 * @returns One sample per interval, the method used, and the environment.
 * @throws {TypeError} If an option is out of shape or range, naming it.
 * @throws {Error} If the child cannot start or does not answer in time (it is reaped first).
 *
 * @example Two intervals: 3 pages, then 1
 * ```ts
 * import { measureRealWorkingSet } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await measureRealWorkingSet({ references: [0, 1, 2, 0, 5, 5, 5, 5], intervalRefs: 4 });
 * if (r.method === "referenced") assert.deepEqual(r.samples.map((s) => s.referencedPages), [3, 1]);
 * assert.deepEqual(r.samples.map((s) => s.residentPages), [3, 4]);
 * ```
 */
export async function measureRealWorkingSet(
  options: RealWorkingSetOptions,
): Promise<RealWorkingSetResult> {
  const parsed = OptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new TypeError(
      `Cannot measure a real working set: invalid options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const o = parsed.data;
  const page = pageSizeBytes();
  const pageCount = Math.max(...o.references) + 1;
  const intervals = Math.ceil(o.references.length / o.intervalRefs);
  const script = new URL("./_working_set_child.ts", import.meta.url).pathname;
  const started = performance.now();
  const what = "measure a real working set";
  const child = new LineChild(Deno.execPath(), [
    "run",
    "--quiet",
    "--no-check",
    "--allow-ffi",
    "--allow-read",
    "--v8-flags=--max-old-space-size=128",
    script,
  ]);
  try {
    await child.send(
      JSON.stringify({ pageCount, references: o.references, intervalRefs: o.intervalRefs }),
    );
    const hello = JSON.parse(await child.nextLine(o.timeoutMs, what)) as {
      start?: string;
      error?: string;
    };
    if (!hello.start) throw new Error(`Cannot ${what}: ${hello.error ?? "the child failed"}`);
    const start = BigInt(hello.start);
    const reason = clearRefs(o.procRoot, child.pid);
    const samples: RealWorkingSetSample[] = [];
    for (let k = 0; k < intervals; k++) {
      await child.send("next");
      const line = await child.nextLine(o.timeoutMs, what);
      if ((JSON.parse(line) as { done?: number }).done !== k) {
        throw new Error(`Cannot ${what}: the child answered ${line} to interval ${k}`);
      }
      const seen = readRegion(o.procRoot, child.pid, start, page);
      if (reason === null) clearRefs(o.procRoot, child.pid);
      samples.push({
        interval: k,
        t: Math.min(o.references.length, (k + 1) * o.intervalRefs) - 1,
        referencedPages: reason === null ? seen.referenced : null,
        residentPages: seen.resident,
      });
    }
    await child.send("exit");
    const result: RealWorkingSetResult = {
      referenceCount: o.references.length,
      intervalRefs: o.intervalRefs,
      pageCount,
      pageSizeBytes: page,
      method: reason === null ? "referenced" : "resident-only",
      reason,
      samples,
      pid: child.pid,
      elapsedMs: performance.now() - started,
      kernelRelease: Deno.osRelease(),
      environment: environment(),
    };
    return attachKeyValueDisplay(
      result,
      `A child process's working set, ${intervals} intervals of Δ = ${o.intervalRefs} references`,
      () => [
        [
          "method",
          result.method === "referenced"
            ? "Referenced in smaps, after clear_refs"
            : `resident pages only: ${reason}`,
        ],
        [
          "referenced pages per interval",
          samples.map((s) => s.referencedPages ?? "?").join(" "),
        ],
        ["resident pages after each", samples.map((s) => s.residentPages ?? "?").join(" ")],
        ["time", `${result.elapsedMs.toFixed(0)} ms`],
      ],
    );
  } finally {
    await child.close();
  }
}

/** One interval of {@linkcode compareRealWorkingSet}. */
export interface WorkingSetComparisonRow {
  /** The interval's last reference. */
  t: number;
  /** W(t, Δ) from the simulator. */
  simulatedPages: number;
  /** Pages the kernel saw referenced (null when unavailable). */
  realPages: number | null;
  /** Pages resident in the child. */
  residentPages: number | null;
}

/** The comparison of a real working set with the simulated one. */
export interface WorkingSetComparison {
  /** One row per interval. */
  rows: WorkingSetComparisonRow[];
  /** Intervals where real and simulated are equal. */
  equal: number;
  /** Intervals with a real count. */
  compared: number;
  /** The largest |real - simulated|, in pages (0 when none compared). */
  maxDifference: number;
  /** A paragraph generated from the numbers. */
  sentence: string;
}

/**
 * Compare a real working set with the simulator's W(t, Δ) at the end of each
 * interval, and say what agrees and what differs.
 *
 * @param result A {@linkcode RealWorkingSetResult}.
 * @param simulatedSizes `workingSetSizes(references, result.intervalRefs)` for the same references.
 * @returns Rows, counts and a sentence.
 * @throws {RangeError} If the simulated sizes do not cover every reference.
 *
 * @example Equal in both intervals
 * ```ts
 * import { compareRealWorkingSet } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = compareRealWorkingSet({
 *   intervalRefs: 4, referenceCount: 8, method: "referenced", reason: null,
 *   samples: [{ interval: 0, t: 3, referencedPages: 3, residentPages: 3 }, { interval: 1, t: 7, referencedPages: 1, residentPages: 4 }],
 * }, [1, 2, 3, 3, 3, 3, 2, 1]);
 * assert.equal(c.equal, 2);
 * assert.match(c.sentence, /In all 2 intervals/);
 * ```
 */
export function compareRealWorkingSet(
  result: Pick<
    RealWorkingSetResult,
    "intervalRefs" | "referenceCount" | "method" | "reason" | "samples"
  >,
  simulatedSizes: readonly number[],
): WorkingSetComparison {
  if (!Array.isArray(simulatedSizes) || simulatedSizes.length !== result.referenceCount) {
    throw new RangeError(
      `Cannot compare working sets: simulatedSizes must have one size per reference (${result.referenceCount}): received ${
        Array.isArray(simulatedSizes) ? simulatedSizes.length : typeof simulatedSizes
      }`,
    );
  }
  const rows = result.samples.map((s) => ({
    t: s.t,
    simulatedPages: simulatedSizes[s.t],
    realPages: s.referencedPages,
    residentPages: s.residentPages,
  }));
  const withReal = rows.filter((r) => r.realPages !== null);
  const diffs = withReal.map((r) => Math.abs(r.realPages! - r.simulatedPages));
  const equal = diffs.filter((d) => d === 0).length;
  const maxDifference = diffs.length ? Math.max(...diffs) : 0;
  const parts: string[] = [];
  const d = result.intervalRefs;
  if (withReal.length === 0) {
    parts.push(
      `The kernel's referenced pages could not be read here (${
        result.reason ?? "smaps gave no Referenced line"
      }), so only the resident pages are shown.`,
    );
  } else if (equal === withReal.length) {
    parts.push(
      `In all ${withReal.length} intervals the pages the kernel saw referenced equal the simulated W(t, Δ = ${d}) exactly.`,
    );
  } else {
    parts.push(
      `In ${equal} of ${withReal.length} intervals the pages the kernel saw referenced equal the simulated W(t, Δ = ${d}); elsewhere they differ by at most ${maxDifference} page${
        maxDifference === 1 ? "" : "s"
      } (the accessed bits are also cleared by the kernel's own page aging, and set by its own reads).`,
    );
  }
  const resident = rows.map((r) => r.residentPages).filter((x): x is number => x !== null);
  if (resident.length > 1) {
    const neverFell = resident.every((x, i) => i === 0 || x >= resident[i - 1]);
    const peakReal = withReal.length ? Math.max(...withReal.map((r) => r.realPages!)) : null;
    parts.push(
      neverFell
        ? `Resident pages only grew, from ${resident[0]} to ${
          resident.at(-1)
        }: a page stays in RAM after its phase ends${
          peakReal !== null && resident.at(-1)! > peakReal
            ? `, so RSS (${
              resident.at(-1)
            } pages) overstates what the program uses at any one time (at most ${peakReal})`
            : ""
        }.`
        : `Resident pages went from ${resident[0]} to ${
          resident.at(-1)
        }, falling at some point: the kernel reclaimed some of the child's pages.`,
    );
  }
  return { rows, equal, compared: withReal.length, maxDifference, sentence: parts.join(" ") };
}
