/**
 * A child process's memory read the way `ps` and `top` read it, and a leak
 * watched until a safe cap.
 *
 * - {@linkcode measureChildMemory} starts a Deno child that allocates
 *   `elements` numbers (8 bytes each: 10 million make 80 MB), touches them,
 *   reports what V8 says it allocated, and waits. While it waits, this
 *   process reads `/proc/<pid>/status` (`VmRSS`, `RssAnon`, `RssFile`,
 *   `VmSize`, in kB) and `/proc/<pid>/statm` (the same in pages), and runs
 *   the real `ps -o rss=,vsz=` and `top -b -n 1` on it when they are
 *   installed (both read the same files: `ps` reports `VmRSS` in KiB, `top`
 *   reports it as RES). A second child that allocates nothing gives the
 *   runtime's own footprint, so the growth can be compared with what was
 *   allocated.
 * - {@linkcode watchLeak} runs a child that keeps 1 MiB more every tick
 *   (written, so resident) and samples its RSS from `/proc` with
 *   `sampleProcess`; when the RSS reaches the cap it aborts, which kills
 *   the child.
 *
 * Children are never left behind: each measured child exits by itself when
 * its standard input closes (this process ended) or its own time bound
 * expires, this process kills it (SIGKILL) in a `finally` and waits for it,
 * and the leak runs under `sampleProcess`, which wraps it in coreutils'
 * `timeout -s KILL` so it dies at its bound even if the notebook cell that
 * started it is interrupted.
 *
 * @module
 */
import { z } from "zod";
import { formatBytes } from "./_format.ts";
import { attachKeyValueDisplay } from "./_kv_display.ts";
import { pageSizeBytes } from "./libc.ts";
import { environment, type ProbeEnvironment } from "./machine.ts";
import { parseProcStatus, type ProcStatus } from "./maps.ts";
import { type ProcessSample, type ProcessTrace, sampleProcess } from "./process_sampler.ts";
import { theilSenSlope } from "./leak_detector.ts";

/** The most numbers {@linkcode measureChildMemory} lets a child hold (256 MiB of 8-byte numbers). */
export const CHILD_MEMORY_MAX_ELEMENTS = 32 * 2 ** 20;
/** A child of {@linkcode measureChildMemory} exits by itself after this long. */
export const CHILD_MEMORY_TIMEOUT_MS = 15_000;
/** The highest resident set {@linkcode watchLeak} lets its child reach. */
export const LEAK_MAX_CAP_BYTES = 512 * 2 ** 20;
/** The longest {@linkcode watchLeak} runs. */
export const LEAK_MAX_DURATION_MS = 30_000;

/** `/proc/<pid>/statm` in bytes. */
export interface ProcStatm {
  /** Total program size (the virtual address space). */
  sizeBytes: number;
  /** Resident set. */
  residentBytes: number;
  /** Resident pages backed by a file or shared. */
  sharedBytes: number;
  /** Program code. */
  textBytes: number;
  /** Data and stack (virtual, not necessarily resident). */
  dataBytes: number;
}

/**
 * Read a `/proc/<pid>/statm` line (seven counts of pages).
 *
 * @param text The file's contents.
 * @param pageBytes The page size.
 * @returns The counts in bytes.
 * @throws {SyntaxError} If the text is not seven numbers.
 *
 * @example Pages to bytes
 * ```ts
 * import { parseProcStatm } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const s = parseProcStatm("1000 300 100 10 0 500 0\n", 4096);
 * assert.equal(s.residentBytes, 300 * 4096);
 * assert.equal(s.dataBytes, 500 * 4096);
 * ```
 */
export function parseProcStatm(text: string, pageBytes: number): ProcStatm {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length !== 7 || f.some((x) => !Number.isInteger(x) || x < 0)) {
    throw new SyntaxError(
      `Cannot parse /proc/<pid>/statm: expected 7 page counts: received "${text.slice(0, 80)}"`,
    );
  }
  return {
    sizeBytes: f[0] * pageBytes,
    residentBytes: f[1] * pageBytes,
    sharedBytes: f[2] * pageBytes,
    textBytes: f[3] * pageBytes,
    dataBytes: f[5] * pageBytes,
  };
}

/**
 * Read `top -b -n 1` output: the RES column of the line of `pid`, in bytes
 * (top prints KiB, or a number with a unit letter such as `81.2m` or `1.1g`).
 *
 * @param text top's batch output.
 * @param pid The process.
 * @returns RES in bytes, or null if the process or the column is missing.
 *
 * @example A RES in KiB, and one with a unit
 * ```ts
 * import { parseTopRes } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const head = "  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n";
 * assert.equal(parseTopRes(head + " 4242 root      20   0  1.2g  120340  40000 S   0.0   1.0   0:00.39 deno\n", 4242), 120340 * 1024);
 * assert.equal(parseTopRes(head + " 7 me 20 0 3.1g 1.5g 9m S 0 2 0:01 x\n", 7), 1.5 * 2 ** 30);
 * assert.equal(parseTopRes(head, 7), null);
 * ```
 */
export function parseTopRes(text: string, pid: number): number | null {
  const lines = text.split("\n");
  const header = lines.find((l) => /\bPID\b/.test(l) && /\bRES\b/.test(l));
  if (!header) return null;
  const col = header.trim().split(/\s+/).indexOf("RES");
  const row = lines.find((l) => l.trim().split(/\s+/)[0] === String(pid));
  if (!row) return null;
  const m = /^(\d+(?:\.\d+)?)([kmgtp]?)$/i.exec(row.trim().split(/\s+/)[col] ?? "");
  if (!m) return null;
  const unit = { "": 1, k: 1, m: 2 ** 10, g: 2 ** 20, t: 2 ** 30, p: 2 ** 40 }[m[2].toLowerCase()]!;
  return Math.round(Number(m[1]) * unit * 1024);
}

/** What one child showed. */
export interface ChildMemoryReading {
  pid: number;
  /** Numbers it was asked to hold, and what that is at 8 bytes each. */
  elements: number;
  requestedBytes: number;
  /** V8's own view inside the child: heap used and external memory gained while allocating. */
  heapGainBytes: number;
  externalGainBytes: number;
  /** `/proc/<pid>/status` and `/proc/<pid>/statm`. */
  status: ProcStatus;
  statm: ProcStatm | null;
  /** `ps -o rss=` in bytes (null if ps is missing or failed). */
  psRssBytes: number | null;
  /** `top`'s RES in bytes (null if top is missing or failed). */
  topResBytes: number | null;
}

/** The result of {@linkcode measureChildMemory}. */
export interface ChildMemoryResult {
  /** How the numbers were held: a JS array of numbers, a written Float64Array, or one never written. */
  kind: ChildMemoryKind;
  /** The child holding the numbers, and one holding nothing (the runtime alone). */
  holding: ChildMemoryReading;
  baseline: ChildMemoryReading;
  /** VmRSS of the holding child minus the baseline's, bytes (null if unreadable). */
  rssGrowthBytes: number | null;
  environment: ProbeEnvironment;
}

/** How a child holds its numbers. */
export type ChildMemoryKind = "js-array" | "float64-written" | "float64-untouched";

const ChildOptions = z.strictObject({
  elements: z.number().int().min(0).max(CHILD_MEMORY_MAX_ELEMENTS).default(10_000_000),
  kind: z.enum(["js-array", "float64-written", "float64-untouched"]).default("js-array"),
});

function childScript(elements: number, kind: ChildMemoryKind): string {
  return `
import v8 from "node:v8";
setTimeout(() => Deno.exit(3), ${CHILD_MEMORY_TIMEOUT_MS});
const h0 = v8.getHeapStatistics();
let held;
if (${JSON.stringify(kind)} === "js-array") held = new Array(${elements}).fill(0);
else {
  held = new Float64Array(${elements});
  if (${JSON.stringify(kind)} === "float64-written") held.fill(1);
}
const h1 = v8.getHeapStatistics();
console.log("READY " + JSON.stringify({ heap: h1.used_heap_size - h0.used_heap_size, external: h1.external_memory - h0.external_memory, n: held.length }));
for await (const _ of Deno.stdin.readable) { /* wait until the parent closes stdin */ }
Deno.exit(0);
`;
}

async function runTool(cmd: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "null",
      stdin: "null",
      env: { COLUMNS: "200" },
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout) : null;
  } catch {
    return null;
  }
}

async function readOneChild(elements: number, kind: ChildMemoryKind): Promise<ChildMemoryReading> {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", childScript(elements, kind)],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => {
    try {
      proc.kill("SIGKILL");
    } catch { /* gone */ }
  }, CHILD_MEMORY_TIMEOUT_MS + 2000);
  const stderrText = new Response(proc.stderr).text().catch(() => "");
  const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let buffered = "";
    let ready: { heap: number; external: number } | null = null;
    while (ready === null) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const m = /READY (\{.*\})/.exec(buffered);
      if (m) ready = JSON.parse(m[1]);
    }
    if (ready === null) {
      throw new Error(
        `Cannot measure child memory: the child ended before it was ready: ${
          (await stderrText).trim().split("\n").slice(-2).join(" | ")
        }`,
      );
    }
    const pid = proc.pid;
    const status = parseProcStatus(await Deno.readTextFile(`/proc/${pid}/status`));
    let statm: ProcStatm | null = null;
    try {
      statm = parseProcStatm(await Deno.readTextFile(`/proc/${pid}/statm`), pageSizeBytes());
    } catch { /* FFI or file missing: status has the same numbers */ }
    const ps = await runTool("ps", ["-o", "rss=", "-p", String(pid)]);
    const top = await runTool("top", ["-b", "-n", "1", "-p", String(pid)]);
    const psKiB = ps === null ? NaN : Number(ps.trim());
    return {
      pid,
      elements,
      requestedBytes: elements * 8,
      heapGainBytes: ready.heap,
      externalGainBytes: ready.external,
      status,
      statm,
      psRssBytes: Number.isFinite(psKiB) ? psKiB * 1024 : null,
      topResBytes: top === null ? null : parseTopRes(top, pid),
    };
  } finally {
    clearTimeout(timer);
    try {
      proc.stdin.close();
    } catch { /* closed */ }
    try {
      proc.kill("SIGKILL");
    } catch { /* already gone */ }
    await reader.cancel().catch(() => {});
    await proc.status;
    await stderrText;
  }
}

/**
 * Start a child that holds `elements` numbers, read its memory the way `ps`
 * and `top` do, and compare with a child that holds nothing. Both children
 * are killed and reaped before this returns.
 *
 * @param options `elements` (0 to 32 Mi, default 10 million: 80 MB of
 *   8-byte numbers) and `kind`: `"js-array"` (default), `"float64-written"`
 *   or `"float64-untouched"` (allocated, never written).
 * @returns Both readings, and the RSS growth.
 * @throws {TypeError} For a bad option, naming it.
 * @throws {Error} If a child cannot start.
 *
 * @example Writing 64 MB of numbers shows in the RSS (two runtimes differ by a few MB, so not exactly)
 * ```ts
 * import { measureChildMemory } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await measureChildMemory({ elements: 8_000_000, kind: "float64-written" });
 * assert.ok(r.rssGrowthBytes !== null && r.rssGrowthBytes > 0.6 * 64e6);
 * ```
 */
export async function measureChildMemory(
  options: { elements?: number; kind?: ChildMemoryKind } = {},
): Promise<ChildMemoryResult> {
  const parsed = ChildOptions.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot measure child memory: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const { elements, kind } = parsed.data;
  const baseline = await readOneChild(0, kind);
  const holding = await readOneChild(elements, kind);
  const a = holding.status.vmRssBytes, b = baseline.status.vmRssBytes;
  const result: ChildMemoryResult = {
    kind,
    holding,
    baseline,
    rssGrowthBytes: a === null || b === null ? null : a - b,
    environment: environment(),
  };
  const show = (x: number | null) => (x === null ? "not available" : formatBytes(x));
  return attachKeyValueDisplay(
    result,
    `A child holding ${elements.toLocaleString("en")} numbers (${kind})`,
    () => [
      ["asked for (8 B a number)", formatBytes(holding.requestedBytes)],
      [
        "V8 heap gained / external gained",
        `${show(holding.heapGainBytes)} / ${show(holding.externalGainBytes)}`,
      ],
      [
        "VmRSS (status) holding / empty",
        `${show(holding.status.vmRssBytes)} / ${show(baseline.status.vmRssBytes)}`,
      ],
      [
        "RssAnon holding / empty",
        `${show(holding.status.rssAnonBytes)} / ${show(baseline.status.rssAnonBytes)}`,
      ],
      ["resident (statm)", show(holding.statm?.residentBytes ?? null)],
      ["ps RSS", show(holding.psRssBytes)],
      ["top RES", show(holding.topResBytes)],
      ["VmSize (virtual)", show(holding.status.vmSizeBytes)],
      ["RSS growth over the empty child", show(result.rssGrowthBytes)],
    ],
  );
}

/**
 * A sentence on what {@linkcode measureChildMemory} found, from the numbers:
 * how the RSS growth compares with the bytes asked for, and whether `ps`
 * agreed with `/proc`.
 *
 * @param result A result (live or recorded).
 * @returns Markdown text.
 *
 * @example Growth close to the request
 * ```ts
 * import { describeChildMemory } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const reading = (rss: number) => ({ pid: 1, elements: 1e7, requestedBytes: 8e7, heapGainBytes: 8e7, externalGainBytes: 0,
 *   status: { vmRssBytes: rss }, statm: null, psRssBytes: rss, topResBytes: null });
 * const text = describeChildMemory({ kind: "js-array", holding: reading(1.2e8), baseline: reading(4e7), rssGrowthBytes: 8e7 } as never);
 * assert.match(text, /grew by 76.3 MiB, 100% of the 76.3 MiB/);
 * assert.match(text, /ps reported the same RSS/);
 * ```
 */
export function describeChildMemory(result: ChildMemoryResult): string {
  const h = result.holding;
  if (result.rssGrowthBytes === null) {
    return "This machine did not let the course read the child's /proc/<pid>/status, so its RSS is unknown here.";
  }
  const share = h.requestedBytes > 0 ? result.rssGrowthBytes / h.requestedBytes : 0;
  const verdict = share > 0.9 && share < 1.25
    ? "so the RSS counts the numbers, plus a little the runtime needed to hold them"
    : share >= 1.25
    ? "more than was asked for: the runtime took extra room to build or grow what holds the numbers"
    : share < 0.1
    ? "almost none of it: memory that is allocated but never written has no page of RAM behind it yet"
    : "only part of it: some of the pages were never touched, or the numbers are stored more compactly than 8 bytes each";
  const ps = h.psRssBytes === null
    ? "ps could not be run here"
    : Math.abs(h.psRssBytes - (h.status.vmRssBytes ?? 0)) <= 64 * 1024
    ? "ps reported the same RSS as /proc/<pid>/status, because it reads it from there"
    : `ps reported ${formatBytes(h.psRssBytes)}, a moment apart from the status file's ${
      formatBytes(h.status.vmRssBytes)
    }`;
  if (result.rssGrowthBytes <= 0) {
    return `The child's resident set did not grow over the empty child's (it was ${
      formatBytes(-result.rssGrowthBytes)
    } smaller) although it asked for ${
      formatBytes(h.requestedBytes)
    }: memory that is allocated but never written has no page of RAM behind it yet; ${ps}.`;
  }
  return `The child's resident set grew by ${formatBytes(result.rssGrowthBytes)}, ${
    (100 * share).toFixed(0)
  }% of the ${formatBytes(h.requestedBytes)} it asked for, ${verdict}; ${ps}.`;
}

/** The result of {@linkcode watchLeak}. */
export interface LeakWatch {
  /** Bytes kept per tick, and the tick length. */
  stepBytes: number;
  tickMs: number;
  /** The resident-set cap at which the child was stopped. */
  capBytes: number;
  /** True if the cap stopped it (false: its own bound or the time bound did). */
  stoppedAtCap: boolean;
  /** Growth of the RSS per tick over the leaking part, bytes (median of slopes; null with too few samples). */
  growthPerTickBytes: number | null;
  /** The sampled run. */
  trace: ProcessTrace;
  environment: ProbeEnvironment;
}

const LeakOptions = z.strictObject({
  stepMiB: z.number().int().min(1).max(16).default(1),
  tickMs: z.number().int().min(10).max(1000).default(40),
  capMiB: z.number().min(16).max(LEAK_MAX_CAP_BYTES / 2 ** 20).default(128),
  maxDurationMs: z.number().int().min(500).max(LEAK_MAX_DURATION_MS).default(15_000),
  onSample: z.custom<(s: ProcessSample) => void | Promise<void>>((f) => typeof f === "function")
    .optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

/** Options of {@linkcode watchLeak}. */
export type WatchLeakOptions = z.input<typeof LeakOptions>;

/**
 * Run a child that keeps `stepMiB` more every tick, sample its RSS, and
 * kill it when the RSS reaches `capMiB`. The child is always killed and
 * reaped, also when `onSample` throws or `signal` aborts.
 *
 * @param options `stepMiB` (1–16, default 1), `tickMs` (10–1000, default
 *   40), `capMiB` (16–512, default 128), `maxDurationMs` (default 15 s, at
 *   most 30 s), `onSample` (e.g. to chart live), `signal`.
 * @returns The trace, whether the cap stopped it, and the growth per tick.
 * @throws {TypeError} For a bad option, naming it.
 *
 * @example Stopped at the cap
 * ```ts
 * import { watchLeak } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const w = await watchLeak({ stepMiB: 4, tickMs: 20, capMiB: 120 });
 * assert.equal(w.stoppedAtCap, true);
 * ```
 */
export async function watchLeak(options: WatchLeakOptions = {}): Promise<LeakWatch> {
  const parsed = LeakOptions.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot watch a leak: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  const capBytes = o.capMiB * 2 ** 20;
  const stepBytes = o.stepMiB * 2 ** 20;
  // The child stops on its own after enough ticks to pass the cap twice over.
  const maxTicks = Math.ceil((2 * capBytes) / stepBytes);
  const script = `
const kept = [];
let ticks = 0;
const id = setInterval(() => {
  const block = new Uint8Array(${stepBytes});
  for (let p = 0; p < block.length; p += 4096) block[p] = 1;
  kept.push(block);
  if (++ticks >= ${maxTicks}) { clearInterval(id); Deno.exit(4); }
}, ${o.tickMs});
`;
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  o.signal?.addEventListener("abort", onOuterAbort);
  let stoppedAtCap = false;
  let callbackError: unknown = null;
  const pending: Promise<void>[] = [];
  let trace: ProcessTrace;
  try {
    trace = await sampleProcess([Deno.execPath(), "eval", "--quiet", script], {
      intervalMs: Math.max(10, Math.min(o.tickMs, 100)),
      maxDurationMs: o.maxDurationMs,
      signal: abort.signal,
      onSample: (s) => {
        if (s.rssBytes >= capBytes && !stoppedAtCap) {
          stoppedAtCap = true;
          abort.abort();
        }
        try {
          const r = o.onSample?.(s);
          if (r instanceof Promise) pending.push(r.catch((e) => void (callbackError ??= e)));
        } catch (e) {
          callbackError ??= e;
          abort.abort();
        }
      },
    });
  } finally {
    o.signal?.removeEventListener("abort", onOuterAbort);
  }
  await Promise.all(pending);
  if (callbackError !== null) throw callbackError;
  // The leak's slope (Theil-Sen, robust to the runtime's start-up jump): the last two thirds of the samples.
  const s = trace.samples;
  const leaking = s.slice(Math.floor(s.length / 3)).map((x) => [x.tMs, x.rssBytes] as const);
  const perMs = leaking.length >= 3 ? theilSenSlope(leaking) : null;
  const result: LeakWatch = {
    stepBytes,
    tickMs: o.tickMs,
    capBytes,
    stoppedAtCap,
    growthPerTickBytes: perMs === null ? null : perMs * o.tickMs,
    trace,
    environment: environment(),
  };
  return attachKeyValueDisplay(result, "A leaking child, watched", () => [
    ["kept per tick", `${formatBytes(stepBytes)} every ${o.tickMs} ms`],
    ["RSS growth per tick (measured)", formatBytes(result.growthPerTickBytes)],
    ["cap", formatBytes(capBytes)],
    [
      "stopped by",
      stoppedAtCap
        ? "the cap (killed)"
        : trace.ended === "time bound"
        ? "the time bound"
        : "its own end",
    ],
    ["samples", String(s.length)],
    ["last RSS", formatBytes(s.length ? s[s.length - 1].rssBytes : null)],
  ]);
}
