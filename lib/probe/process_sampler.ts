/**
 * A `top` for one child process: start a command, read its resident set,
 * page faults and CPU time from `/proc/<pid>/stat` every few milliseconds,
 * and return the samples over time with the environment.
 *
 * What `/proc/<pid>/stat` says (proc(5)): field 10 `minflt` and 12 `majflt`
 * are the page faults the process has taken so far (minor: the page was in
 * memory and only needed mapping; major: it had to be read from disk), 14
 * `utime` and 15 `stime` its CPU time in clock ticks (`sysconf(_SC_CLK_TCK)`,
 * 100 a second on Linux), 24 `rss` its resident pages. A sample is a
 * snapshot; the CPU share between two samples is the CPU time gained over
 * the wall time passed, so 100% is one core busy.
 *
 * Children are never left behind. The command runs under coreutils'
 * `timeout -s KILL`, so even if the notebook cell that started it is
 * interrupted (the kernel stops JavaScript without running `finally`
 * blocks) the child dies when its time bound expires; a normal end, an
 * error or an abort signal kills it at once and waits for it (the zombie is
 * reaped). {@linkcode strayChildren} lists children started here that are
 * still running, and {@linkcode killStrayChildren} ends them.
 *
 * @module
 */
import { z } from "zod";
import { environment, type ProbeEnvironment } from "./machine.ts";
import { libc, pageSizeBytes } from "./libc.ts";

/** The kernel's PF_EXITING task flag (field 9 of /proc/<pid>/stat): the process is exiting. */
const PF_EXITING = 0x4;

/** `_SC_CLK_TCK` on Linux: clock ticks per second, the unit of utime and stime. */
const SC_CLK_TCK = 2;

/** The longest a sampled child may run. */
export const MAX_SAMPLE_DURATION_MS = 60_000;
/** The shortest interval between samples. */
export const MIN_SAMPLE_INTERVAL_MS = 5;
/** The most samples one run keeps. */
export const MAX_SAMPLES = 20_000;

/** One reading of the child's counters. */
export interface ProcessSample {
  /** Milliseconds since the child started. */
  tMs: number;
  /** Resident set size in bytes (`rss` × page size). */
  rssBytes: number;
  /** Minor page faults so far. */
  minorFaults: number;
  /** Major page faults so far. */
  majorFaults: number;
  /** CPU time in user mode so far, ms. */
  userMs: number;
  /** CPU time in kernel mode so far, ms. */
  systemMs: number;
  /** CPU share since the previous sample, in percent of one core (null for the first). */
  cpuPercent: number | null;
}

/** A sampled run. */
export interface ProcessTrace {
  /** The command and its arguments as run (without the timeout wrapper). */
  command: string[];
  /** The sampled process id. */
  pid: number;
  /** The samples, in time order. */
  samples: ProcessSample[];
  /** Exit code, or `null` if killed by a signal. */
  exitCode: number | null;
  /** The signal that ended it (e.g. `"SIGKILL"` at the time bound), or `null`. */
  signal: string | null;
  /** Why the run ended. */
  ended: "exited" | "time bound" | "aborted";
  /** Wall time from start to end, ms. */
  elapsedMs: number;
  /** Bytes of a page and ticks of CPU time per second used to convert (and where they came from). */
  units: { pageBytes: number; ticksPerSecond: number; source: "sysconf" | "default" };
  /** The child's standard output (first 64 KiB). */
  stdout: string;
  /** The environment of the measurement. */
  env: ProbeEnvironment;
}

const Options = z.strictObject({
  intervalMs: z.number().min(MIN_SAMPLE_INTERVAL_MS).max(10_000).default(20),
  maxDurationMs: z.number().int().min(50).max(MAX_SAMPLE_DURATION_MS).default(10_000),
  signal: z.instanceof(AbortSignal).optional(),
  env: z.record(z.string(), z.string()).optional(),
  onSample: z.custom<(s: ProcessSample) => void>((f) => typeof f === "function").optional(),
});

/** Options of {@linkcode sampleProcess}. */
export type SampleProcessOptions = z.input<typeof Options>;

/** Running children: the `timeout` wrapper, and the process it runs once known. */
const live = new Map<number, { wrapper: Deno.ChildProcess; target: number | null }>();

/**
 * Kill the wrapper and everything it started. `timeout` (run without
 * `--foreground`) makes itself a process-group leader, so the group, whose id
 * is the wrapper's pid, holds the command and its children.
 */
function killTree(entry: { wrapper: Deno.ChildProcess; target: number | null }): void {
  try {
    Deno.kill(-entry.wrapper.pid, "SIGKILL");
  } catch { /* group gone, or not a group leader yet: the steps below still apply */ }
  if (entry.target !== null) {
    try {
      Deno.kill(entry.target, "SIGKILL");
    } catch { /* gone */ }
  }
  for (const sig of ["SIGTERM", "SIGKILL"] as const) {
    try {
      entry.wrapper.kill(sig);
    } catch { /* gone */ }
  }
}

/**
 * Parse one `/proc/<pid>/stat` line (the command name may hold spaces and
 * parentheses; fields are counted after its last `)`).
 *
 * @param text The file's contents.
 * @returns The raw fields: state, flags, parent pid, faults, CPU ticks, resident pages.
 * @throws {SyntaxError} If the text is not a stat line.
 *
 * @example A stat line
 * ```ts
 * import { parseProcStat } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const line = "42 (my (odd) cmd) S 1 42 42 0 -1 4194304 150 0 2 0 7 3 0 0 20 0 1 0 100 9000000 300 18446744073709551615";
 * assert.deepEqual(parseProcStat(line), {
 *   state: "S", flags: 4194304, ppid: 1, minorFaults: 150, majorFaults: 2, utimeTicks: 7, stimeTicks: 3, rssPages: 300,
 * });
 * ```
 */
export function parseProcStat(text: string): {
  state: string;
  flags: number;
  ppid: number;
  minorFaults: number;
  majorFaults: number;
  utimeTicks: number;
  stimeTicks: number;
  rssPages: number;
} {
  const close = text.lastIndexOf(")");
  const f = text.slice(close + 2).trim().split(/\s+/);
  // f[0] is field 3 (state); field k is f[k - 3].
  if (close < 0 || f.length < 22) {
    throw new SyntaxError(
      `Cannot parse /proc/<pid>/stat: expected 24+ fields: received "${text.slice(0, 80)}"`,
    );
  }
  const n = (k: number) => Number(f[k - 3]);
  return {
    state: f[0],
    flags: n(9),
    ppid: n(4),
    minorFaults: n(10),
    majorFaults: n(12),
    utimeTicks: n(14),
    stimeTicks: n(15),
    rssPages: n(24),
  };
}

/** Child processes started by {@linkcode sampleProcess} that are still running (their pids). */
export function strayChildren(): number[] {
  return [...live.keys()];
}

/**
 * Kill every child a sampler started that is still running (e.g. after an
 * interrupted cell), and wait for each.
 *
 * @returns How many were killed.
 *
 * @example Nothing to kill
 * ```ts
 * import { killStrayChildren } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await killStrayChildren(), 0);
 * ```
 */
export async function killStrayChildren(): Promise<number> {
  const all = [...live.values()];
  for (const c of all) killTree(c);
  await Promise.all(all.map((c) => c.wrapper.status.catch(() => null)));
  live.clear();
  return all.length;
}

let unloadHooked = false;

function units(): ProcessTrace["units"] {
  try {
    const ticks = Number(libc().sysconf(SC_CLK_TCK));
    if (ticks > 0) return { pageBytes: pageSizeBytes(), ticksPerSecond: ticks, source: "sysconf" };
  } catch { /* no FFI permission: fall through */ }
  return { pageBytes: 4096, ticksPerSecond: 100, source: "default" };
}

function readStat(pid: number) {
  try {
    return parseProcStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return null;
  }
}

/** The child of the `timeout` wrapper: the process actually running the command. */
function findChild(parent: number): number | null {
  try {
    const kids = Deno.readTextFileSync(`/proc/${parent}/task/${parent}/children`).trim();
    if (kids) return Number(kids.split(/\s+/)[0]);
  } catch { /* kernel without children files: scan */ }
  try {
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      const s = readStat(Number(e.name));
      if (s && s.ppid === parent) return Number(e.name);
    }
  } catch { /* no /proc */ }
  return null;
}

/**
 * Run a command as a child process and sample its RSS, page faults and CPU
 * time from `/proc` until it exits, its time bound expires, or `signal`
 * aborts. The child is always killed and reaped before this returns.
 *
 * @param command The program and its arguments, e.g. `["sleep", "1"]`.
 * @param options `intervalMs` (default 20), `maxDurationMs` (default 10 s,
 *   at most 60 s: the child is killed then), `signal`, `env`, `onSample`
 *   (called with each sample, e.g. to chart live).
 * @returns The samples and how the run ended, with the environment.
 * @throws {TypeError} If an option is invalid (naming it) or the command is empty.
 *
 * @example A child that allocates 64 MiB shows it in its RSS
 * ```ts
 * import { sampleProcess } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = await sampleProcess(["sh", "-c", "sleep 0.2"], { intervalMs: 20, maxDurationMs: 5000 });
 * assert.equal(t.ended, "exited");
 * assert.ok(t.samples.length >= 1);
 * ```
 */
export async function sampleProcess(
  command: string[],
  options: SampleProcessOptions = {},
): Promise<ProcessTrace> {
  const parsed = Options.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(`Cannot sample process: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  if (
    !Array.isArray(command) || command.length === 0 || command.some((c) => typeof c !== "string")
  ) {
    throw new TypeError(
      `Cannot sample process: command must be a non-empty array of strings: received ${
        JSON.stringify(command)
      }`,
    );
  }
  if (!unloadHooked) {
    unloadHooked = true;
    globalThis.addEventListener("unload", () => {
      for (const c of live.values()) killTree(c);
    });
  }
  await killStrayChildren();
  const u = units();
  const boundS = Math.ceil(o.maxDurationMs / 1000);
  const child = new Deno.Command("timeout", {
    args: ["-s", "KILL", `${boundS}s`, ...command],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
    env: o.env,
  }).spawn();
  const entry = { wrapper: child, target: null as number | null };
  live.set(child.pid, entry);
  const t0 = performance.now();
  const samples: ProcessSample[] = [];
  let ended: ProcessTrace["ended"] = "exited";
  let done = false;
  const status = child.status.then((s) => {
    done = true;
    return s;
  });
  const chunks: Uint8Array[] = [];
  let kept = 0;
  const stdoutDone = (async () => {
    for await (const c of child.stdout) {
      if (kept < 65536) {
        chunks.push(c);
        kept += c.length;
      }
    }
  })().catch(() => {});
  let pid: number | null = null;
  let st: Deno.CommandStatus;
  const onAbort = () => {
    ended = "aborted";
    killTree(entry);
  };
  o.signal?.addEventListener("abort", onAbort);
  try {
    while (!done) {
      if (o.signal?.aborted) {
        onAbort();
        break;
      }
      const now = performance.now() - t0;
      if (now > o.maxDurationMs) {
        ended = "time bound";
        killTree(entry);
        break;
      }
      pid ??= findChild(child.pid);
      entry.target = pid;
      const s = pid === null ? null : readStat(pid);
      // A process that is exiting (PF_EXITING) is tearing its memory down, and a zombie has none:
      // such readings describe the exit, not the program.
      const exiting = s !== null &&
        (s.state === "Z" || s.state === "X" || (s.flags & PF_EXITING) !== 0);
      // No resident page at all: the child is between fork and exec, not running the command yet.
      if (s && !exiting && s.rssPages > 0 && samples.length < MAX_SAMPLES) {
        const userMs = (s.utimeTicks * 1000) / u.ticksPerSecond;
        const systemMs = (s.stimeTicks * 1000) / u.ticksPerSecond;
        const prev = samples[samples.length - 1];
        const sample: ProcessSample = {
          tMs: now,
          rssBytes: s.rssPages * u.pageBytes,
          minorFaults: s.minorFaults,
          majorFaults: s.majorFaults,
          userMs,
          systemMs,
          cpuPercent: prev && now > prev.tMs
            ? (100 * (userMs + systemMs - prev.userMs - prev.systemMs)) / (now - prev.tMs)
            : null,
        };
        samples.push(sample);
        o.onSample?.(sample);
      }
      await new Promise((r) => setTimeout(r, o.intervalMs));
    }
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    if (!done) killTree(entry);
    st = await status;
    // A grandchild that escaped would hold the pipe open: wait for it only briefly.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([stdoutDone, new Promise((r) => timer = setTimeout(r, 1000))]);
    clearTimeout(timer);
    live.delete(child.pid);
  }
  if (ended === "exited" && st.signal === "SIGKILL") ended = "time bound";
  if (ended === "exited" && st.code === 137 && (performance.now() - t0) >= boundS * 1000) {
    ended = "time bound";
  }
  const bytes = new Uint8Array(kept);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c.subarray(0, Math.min(c.length, kept - at)), at);
    at += c.length;
    if (at >= kept) break;
  }
  return {
    command,
    pid: pid ?? child.pid,
    samples,
    exitCode: st.signal ? null : st.code,
    signal: st.signal,
    ended,
    elapsedMs: performance.now() - t0,
    units: u,
    stdout: new TextDecoder().decode(bytes),
    env: environment(),
  };
}

/**
 * A child workload for the sampler: a Deno script that allocates `stepMiB`
 * of memory `steps` times, touching every page, pausing `pauseMs` between
 * steps, keeping (`leak: true`) or dropping each block, then forces a
 * garbage collection and idles for `idleMs` (default 300) before it exits.
 *
 * @param options The shape of the workload.
 * @returns The command line to pass to {@linkcode sampleProcess}.
 *
 * @example A leaking workload's command
 * ```ts
 * import { allocationWorkload } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const cmd = allocationWorkload({ stepMiB: 8, steps: 4, pauseMs: 50, leak: true });
 * assert.equal(cmd[1], "eval");
 * ```
 */
export function allocationWorkload(
  options: { stepMiB: number; steps: number; pauseMs: number; leak: boolean; idleMs?: number },
): string[] {
  const o = z.strictObject({
    stepMiB: z.number().int().min(1).max(256),
    steps: z.number().int().min(1).max(64),
    pauseMs: z.number().int().min(0).max(5000),
    leak: z.boolean(),
    idleMs: z.number().int().min(0).max(10_000).default(300),
  }).safeParse(options);
  if (!o.success) {
    throw new TypeError(`Cannot build workload: ${z.prettifyError(o.error)}`, { cause: o.error });
  }
  const { stepMiB, steps, pauseMs, leak, idleMs } = o.data;
  const script = `
const kept = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let i = 0; i < ${steps}; i++) {
  const b = new Uint8Array(${stepMiB} * 1048576);
  for (let p = 0; p < b.length; p += 4096) b[p] = 1;
  if (${leak}) kept.push(b);
  await sleep(${pauseMs});
}
globalThis.gc?.(); // collect what is garbage, as the baseline-exercise-idle-compare pattern does
await sleep(${idleMs});
console.log(kept.length);
Deno.exit(0); // exit at once: tearing the isolate down first would free the memory while sampled
`;
  return [Deno.execPath(), "eval", "--v8-flags=--expose-gc", script];
}
