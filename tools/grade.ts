/**
 * Grade submitted notebooks:
 *
 *   deno task grade SUBMISSION... [--out DIR] [--time-limit S] [--memory MIB]
 *                   [--jobs N] [--lesson NN-topic] [--unsafe]
 *
 * SUBMISSION is an `.ipynb` file or a folder searched for them. For each
 * submission and each exercise of its lesson, the exercise cell (with the
 * notebook's set-up imports) becomes a module. A child process loads it in
 * a sandbox and only computes: it receives the calls of the exercise's tests
 * (the instructor's hidden tests, `lib/exercise/hidden/`) over a pipe and
 * answers with data. This process judges the answers against the reference
 * answers it computed itself and gives points from its own bank.
 *
 * The sandbox is bubblewrap (`bwrap`) around a Deno process with no
 * permissions: the child sees only the Deno binary, a module cache the
 * grader filled with the library alone, the library without its hidden
 * tests, `deno.json`, `deno.lock` and its own temporary folder; no network,
 * its own PID space, no other file (Deno's permissions alone do not stop an
 * `import ... with { type: "text" }` from reading any file). Without a
 * working sandbox the grader refuses to grade unless given `--unsafe`, and
 * then says so in every report.
 *
 * Limits per exercise: CPU time for the student's code (default 10 s,
 * counted once the child has loaded Deno and the library, so a busy machine
 * does not eat into it; real time is capped at ten times that, at least a
 * minute, for code that waits without computing), V8 heap
 * `--max-old-space-size` and `prlimit --data` on the whole process (default
 * 256 MiB of heap, 1 GiB in all). Up to `--jobs` children at once (default:
 * the core count). Submissions over 8 MiB score 0 without being read.
 *
 * Output: a score table on the terminal, `DIR/report.json` and a
 * Gradescope-style `DIR/<name>/results.json` per submission (default DIR:
 * out/grade). Nothing the child prints reaches them: only its answers, as
 * judged, and the grader's own messages. Submissions are only read. Exit
 * status: 0 when grading worked (even when students score 0), 1 when the
 * grader itself failed, 2 on a usage error.
 *
 * @module
 */
import {
  childRequest,
  emptyChildReport,
  type ExerciseGrade,
  type GradeJob,
  gradescopeResults,
  gradingPlan,
  judgeJob,
  listExercises,
  planSubmission,
  readChildLine,
  scoreTable,
  type SubmissionGrade,
} from "memgarden";
import "memgarden/exercise/hidden/mod.ts";
import { basename, dirname, join, relative, resolve } from "node:path";

const REPO = resolve(new URL("..", import.meta.url).pathname);
const CHILD = `${REPO}/lib/exercise/_child.ts`;
const HIDDEN = `${REPO}/lib/exercise/hidden`;
const PRLIMIT = "/usr/bin/prlimit";
const BWRAP = "/usr/bin/bwrap";
/** Submissions larger than this score 0 without being read. */
export const SUBMISSION_CAP_BYTES = 8 * 1024 * 1024;
/** How long Deno may take to start and load the library before the student's code runs. */
const STARTUP_LIMIT_MS = 120_000;
/** How often a running child's CPU time is read. */
const CPU_POLL_MS = 100;
/** The longest result line read from a child; longer answers count as missing. */
const LINE_CAP_CHARS = 1 << 20;
/** All result lines kept from one child, in characters. */
const RESULTS_CAP_CHARS = 16 << 20;
/** The text said in every report of a run without a sandbox. */
export const UNSAFE_WARNING =
  "UNSAFE: graded without a sandbox (--unsafe): the students' code could read any file this user can read";

/** A usage error (bad flags or paths): exit status 2. */
export class UsageError extends Error {}
/** `-h`/`--help` on a task's command line: the usage is the output (stdout, exit status 0). */
export class HelpRequested extends Error {}

/** A flag's value in an error message: what was typed, or `nothing` when the value is missing. */
function shown(v: string | undefined): string {
  return v === undefined ? "nothing" : v.trim() === "" ? JSON.stringify(v) : v;
}

/** Grader settings. */
export interface GradeOptions {
  /** CPU time limit for the student's code per exercise, in milliseconds (default 10,000). */
  timeLimitMs?: number;
  /** V8 heap limit per child in MiB (default 256). */
  heapMiB?: number;
  /**
   * Limit on the child's data (heap, buffers) in MiB (default: 1024, or four
   * times the heap limit when that is larger, so `--memory` alone can raise both).
   */
  dataMiB?: number;
  /** Children at once (default: the core count). */
  jobs?: number;
  /** Grade against these lessons instead of guessing from tags and names. */
  lessons?: string[];
  /** Grade without a sandbox (every report then says so). */
  unsafe?: boolean;
  /** The bubblewrap binary (default /usr/bin/bwrap; tests point it elsewhere). */
  bwrap?: string;
}

/** Everything one grading run produced. */
export interface GradeRun {
  /** One grade per submission, in input order. */
  grades: SubmissionGrade[];
  /** The settings used. */
  settings: {
    timeLimitMs: number;
    heapMiB: number;
    dataMiB: number | null;
    jobs: number;
    sandbox: string;
  };
  /** Said in every report: the UNSAFE warning, or "". */
  warning: string;
}

/**
 * Find the submissions: files as given, folders searched for `.ipynb` files
 * (checkpoints and symbolic links skipped). Each gets a short unique name.
 *
 * @param args Files and folders.
 * @returns Paths and names, in order.
 */
export async function collectSubmissions(
  args: string[],
): Promise<{ path: string; name: string }[]> {
  const found: { path: string; name: string }[] = [];
  for (const arg of args) {
    const info = await Deno.stat(arg).catch(() => null);
    if (!info) throw new UsageError(`Cannot grade: no such file or folder: ${arg}`);
    if (info.isFile) {
      found.push({ path: arg, name: basename(arg) });
      continue;
    }
    const walk = async (dir: string, depth: number) => {
      if (depth > 16) return;
      const entries = [];
      for await (const e of Deno.readDir(dir)) entries.push(e);
      entries.sort((a, b) => a.name < b.name ? -1 : 1);
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory && e.name !== ".ipynb_checkpoints") await walk(p, depth + 1);
        else if (e.isFile && e.name.endsWith(".ipynb")) {
          found.push({ path: p, name: relative(arg, p) });
        }
      }
    };
    await walk(arg, 0);
  }
  const seen = new Map<string, number>();
  for (const f of found) seen.set(f.name, (seen.get(f.name) ?? 0) + 1);
  for (const f of found) if (seen.get(f.name)! > 1) f.name = f.path;
  return found;
}

/**
 * Read a child's stdout line by line: lines starting with the result marker
 * go to `onRecord`; everything else (the student's own printing) is drained
 * and dropped, and so are result lines over {@linkcode LINE_CAP_CHARS}.
 */
async function readRecords(
  stream: ReadableStream<Uint8Array>,
  marker: string,
  onRecord: (text: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  let dropping = false; // inside a line too long to keep
  let kept = 0;
  const line = (text: string) => {
    if (!text.startsWith(marker) || kept > RESULTS_CAP_CHARS) return;
    kept += text.length;
    onRecord(text.slice(marker.length));
  };
  for await (const chunk of stream) {
    const text = decoder.decode(chunk, { stream: true });
    let from = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
      if (!dropping) line(pending + text.slice(from, nl));
      dropping = false;
      pending = "";
      from = nl + 1;
    }
    if (!dropping) {
      pending += text.slice(from);
      if (pending.length > LINE_CAP_CHARS) {
        pending = "";
        dropping = true;
      }
    }
  }
  if (!dropping && pending) line(pending);
}

/**
 * Drain a stream, noting only whether it reported running out of memory, and whether V8
 * could not reserve a new isolate's code range (a Worker, under `prlimit --data`).
 */
async function watchErrors(
  stream: ReadableStream<Uint8Array>,
): Promise<{ oom: boolean; isolate: boolean }> {
  const decoder = new TextDecoder();
  let oom = false;
  let isolate = false;
  let tail = "";
  for await (const chunk of stream) {
    const text = tail + decoder.decode(chunk, { stream: true });
    if (/out of memory|Reached heap limit|allocation failed/i.test(text)) oom = true;
    if (/virtual memory for CodeRange/.test(text)) isolate = true;
    tail = text.slice(-64);
  }
  return { oom, isolate };
}

/** CPU seconds (user + system) of some processes, from `/proc/<pid>/stat`; null when all are gone. */
function cpuSeconds(pids: number[]): number | null {
  let ticks = 0;
  let alive = false;
  for (const pid of pids) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      // After the command name in parentheses: state, then utime and stime are fields 12 and 13.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (f[0] !== "Z") alive = true;
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // exited
    }
  }
  return alive ? ticks / 100 : null;
}

/** A process and all its descendants, found through every process's parent in /proc. */
function processTree(pid: number): number[] {
  const parent = new Map<number, number[]>();
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(ppid, [...(parent.get(ppid) ?? []), Number(e.name)]);
    } catch {
      // exited meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length && tree.length < 64; i++) {
    tree.push(...(parent.get(tree[i]) ?? []));
  }
  return tree;
}

/**
 * Real time allowed after start-up, for code that waits without computing: ten times the
 * CPU time limit and at least a minute, so that a busy machine never trips it first.
 */
function wallLimitMs(cpuLimitMs: number): number {
  return Math.max(60_000, 10 * cpuLimitMs);
}

/** Where things live, for building the sandbox. */
interface SandboxPaths {
  /** The module cache the children read (filled by a trusted warm-up), or null without a sandbox. */
  cacheDir: string | null;
  /** Deno's own npm package cache. */
  npmCache: string;
  /** Deno's own cache folder (used as is without a sandbox). */
  denoDir: string;
  /** The bubblewrap binary. */
  bwrap?: string;
}

/** Deno's cache folders, as `deno info` reports them. */
async function denoCaches(): Promise<{ denoDir: string; npmCache: string }> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const parsed = JSON.parse(new TextDecoder().decode(info.stdout) || "{}");
  return { denoDir: String(parsed.denoDir ?? ""), npmCache: String(parsed.npmCache ?? "") };
}

/** The bubblewrap arguments that show a child only what it needs; `cacheWritable` for the warm-up. */
function bwrapArgs(paths: SandboxPaths, jobDir: string, cacheWritable: boolean): string[] {
  const args = [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--uid",
    "65534",
    "--gid",
    "65534",
    "--hostname",
    "sandbox",
  ];
  for (const dir of ["/usr/lib", "/usr/lib64"]) {
    if (exists(dir)) args.push("--ro-bind", dir, dir);
  }
  for (const link of ["/lib", "/lib64"]) {
    const target = readLink(link);
    if (target !== null) args.push("--symlink", target, link);
    else if (exists(link)) args.push("--ro-bind", link, link);
  }
  const deno = Deno.execPath();
  const cache = paths.cacheDir!;
  args.push(
    "--ro-bind",
    deno,
    deno,
    cacheWritable ? "--bind" : "--ro-bind",
    cache,
    cache,
    "--ro-bind",
    paths.npmCache,
    `${cache}/npm`,
    "--ro-bind",
    `${REPO}/lib`,
    `${REPO}/lib`,
    "--tmpfs",
    HIDDEN,
    "--ro-bind",
    `${REPO}/deno.json`,
    `${REPO}/deno.json`,
    "--ro-bind",
    `${REPO}/deno.lock`,
    `${REPO}/deno.lock`,
    "--bind",
    jobDir,
    jobDir,
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--clearenv",
    "--setenv",
    "DENO_DIR",
    cache,
    "--setenv",
    "NO_COLOR",
    "1",
    "--setenv",
    "HOME",
    jobDir,
    "--chdir",
    jobDir,
  );
  return args;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function readLink(path: string): string | null {
  try {
    return Deno.lstatSync(path).isSymlink ? Deno.readLinkSync(path) : null;
  } catch {
    return null;
  }
}

/** The command that runs the child: Deno with no permissions, in the sandbox unless `paths.cacheDir` is null. */
function childCommand(
  paths: SandboxPaths,
  jobDir: string,
  heapMiB: number,
  dataMiB: number | null,
  cacheWritable = false,
): { cmd: string; args: string[]; env: Record<string, string> } {
  const deno = [
    Deno.execPath(),
    "run",
    "--no-check",
    "--frozen",
    "--cached-only",
    "--no-prompt",
    // The one permission: reading the student's own module (a computed dynamic import needs it).
    `--allow-read=${jobDir}/student.ts`,
    "--config",
    `${REPO}/deno.json`,
    `--v8-flags=--max-old-space-size=${heapMiB}`,
    CHILD,
  ];
  const inner = paths.cacheDir === null
    ? deno
    : [paths.bwrap ?? BWRAP, ...bwrapArgs(paths, jobDir, cacheWritable), ...deno];
  const all = dataMiB === null ? inner : [PRLIMIT, `--data=${dataMiB * 1024 * 1024}`, ...inner];
  const env: Record<string, string> = { NO_COLOR: "1" };
  if (paths.cacheDir === null) env.DENO_DIR = paths.denoDir;
  return { cmd: all[0], args: all.slice(1), env };
}

/**
 * Whether bubblewrap can start the sandbox here, and the paths it needs. The
 * warm-up runs the child with an empty request in the sandbox (the library
 * only, no student code) so its module cache is filled once, then kept
 * read-only for every student.
 *
 * @param bwrap The bubblewrap binary.
 * @returns The paths, or why there is no sandbox.
 */
export async function prepareSandbox(
  bwrap = BWRAP,
): Promise<{ paths: SandboxPaths } | { why: string }> {
  if (!exists(bwrap)) {
    return { why: `${bwrap} is not installed (Debian: apt-get install bubblewrap)` };
  }
  const { denoDir, npmCache } = await denoCaches();
  if (!npmCache || !exists(npmCache)) {
    return { why: "Deno's npm cache was not found: run ./garden setup" };
  }
  const cacheDir = await Deno.makeTempDir({ prefix: "memgarden-grade-cache-" });
  await Deno.mkdir(`${cacheDir}/npm`);
  await Deno.chmod(cacheDir, 0o777); // the sandbox's user (nobody) fills it during the warm-up
  const jobDir = await Deno.makeTempDir({ prefix: "memgarden-grade-warm-" });
  try {
    const paths = { cacheDir, npmCache, denoDir, bwrap };
    const c = childCommand(paths, jobDir, 256, null, true);
    const out = await new Deno.Command(c.cmd, {
      args: c.args,
      env: c.env,
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      await Deno.remove(cacheDir, { recursive: true }).catch(() => {});
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-2).join(" ");
      return { why: `bubblewrap could not start the sandbox (exit code ${out.code}): ${err}` };
    }
    await Deno.chmod(cacheDir, 0o755);
    return { paths };
  } finally {
    await Deno.remove(jobDir, { recursive: true }).catch(() => {});
  }
}

/** Map `@@line L:C` markers (positions in the student module) back to the exercise cell. */
function mapLines(message: string, cellFirstLine: number): string {
  return message.replace(/ @@line (\d+):(\d+)/g, (_, l, c) => {
    const line = Number(l) - cellFirstLine + 1;
    return line >= 1
      ? ` (the exercise cell, line ${line}, column ${c})`
      : " (in a set-up cell: check its imports)";
  });
}

async function runJob(
  job: GradeJob,
  s: GradeRun["settings"],
  paths: SandboxPaths,
): Promise<ExerciseGrade> {
  const ex = job.exercise;
  const plan = gradingPlan(ex);
  if (job.studentModule === null) return judgeJob(ex, plan, emptyChildReport(), job.message);
  if (plan.tests.every((t) => t.legacy)) {
    return judgeJob(ex, plan, emptyChildReport(), "");
  }
  const dir = await Deno.makeTempDir({ prefix: "memgarden-grade-" });
  await Deno.chmod(dir, 0o755);
  try {
    const nonce = crypto.randomUUID().replaceAll("-", "");
    const studentPath = `${dir}/student.ts`;
    await Deno.writeTextFile(studentPath, job.studentModule);
    const request = childRequest(ex.id, `file://${studentPath}`, nonce, plan.tests);
    const callCount = plan.tests.reduce((n, t) => n + t.calls.length, 0);
    const c = childCommand(paths, dir, s.heapMiB, s.dataMiB);
    const child = new Deno.Command(c.cmd, {
      args: c.args,
      env: c.env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const report = emptyChildReport();
    // Two clocks: Deno's start-up (loading the library, which a busy machine slows down) is
    // the grader's own time and gets a generous limit; the time limit proper is on the CPU
    // time the child uses after it says it is ready, just before it imports the student's code.
    let timedOut = "" as "" | "startup" | "cpu" | "wall";
    let finished = false;
    const kill = () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    };
    let timer = setTimeout(() => {
      timedOut = "startup";
      kill();
    }, STARTUP_LIMIT_MS);
    let poll: ReturnType<typeof setInterval> | undefined;
    let pids: number[] = [];
    let cpuAtReady = 0;
    let cpuUsed = 0;
    const onRecord = (text: string) => {
      const wasReady = report.ready;
      readChildLine(report, text, callCount);
      if (report.ready && !wasReady) {
        clearTimeout(timer);
        pids = processTree(child.pid);
        cpuAtReady = cpuSeconds(pids) ?? 0;
        poll = setInterval(() => {
          const now = cpuSeconds(pids);
          if (now === null || timedOut || finished) return;
          cpuUsed = now - cpuAtReady;
          if (cpuUsed * 1000 > s.timeLimitMs) {
            timedOut = "cpu";
            kill();
          }
        }, CPU_POLL_MS);
        timer = setTimeout(() => {
          timedOut = "wall";
          kill();
        }, wallLimitMs(s.timeLimitMs));
      }
      if (report.done && !finished) {
        finished = true; // every answer is in: whatever the student's code left running is stopped
        kill();
      }
    };
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(request)).catch(() => {});
    await writer.close().catch(() => {});
    const [, { oom, isolate }, status] = await Promise.all([
      readRecords(child.stdout, `@@${nonce} `, onRecord),
      watchErrors(child.stderr),
      child.status,
    ]);
    clearTimeout(timer);
    clearInterval(poll);
    let reason = "";
    if (!report.done) {
      if (timedOut === "startup") {
        reason = `not graded: the child process did not start within ${
          STARTUP_LIMIT_MS / 1000
        } s (the machine is overloaded; none of the submission's code ran): grade it again`;
      } else if (timedOut === "cpu") {
        reason = `time limit exceeded: the tests were stopped after ${
          s.timeLimitMs / 1000
        } s of CPU time (an infinite loop?)`;
      } else if (timedOut === "wall") {
        reason = `time limit exceeded: the tests were stopped after ${
          wallLimitMs(s.timeLimitMs) / 1000
        } s of real time, ${cpuUsed.toFixed(1)} s of it computing (an await that never ends?)`;
      } else if (isolate && report.ready && (status.signal !== null || status.code >= 128)) {
        reason = `a Worker could not start: under the grader's limit of ${
          s.dataMiB ?? "?"
        } MiB of memory V8 cannot reserve a new isolate, so an exercise cell must not create Workers`;
      } else if (
        // The stderr text counts only with a crash: a student can print "out of memory" and exit.
        (oom && (status.signal !== null || status.code >= 128)) ||
        status.signal === "SIGTRAP" || status.signal === "SIGABRT" ||
        status.code === 133 || status.code === 134
      ) {
        reason = `out of memory: the tests were stopped at the limit of ${s.heapMiB} MiB of heap${
          s.dataMiB === null ? "" : ` and ${s.dataMiB} MiB in all`
        } (unbounded allocation?)`;
      } else if (report.loadError) {
        reason = `the exercise cell does not run: ${mapLines(report.loadError, job.cellFirstLine)}`;
      } else if (!report.ready) {
        reason =
          `not graded: the child process failed before running any student code (exit code ${status.code}): ${
            paths.cacheDir ? "is the sandbox working?" : "is Deno set up?"
          }`;
      } else {
        reason = `the process ended before answering every call (exit code ${status.code}${
          status.signal ? `, signal ${status.signal}` : ""
        }): did the exercise cell call Deno.exit or crash?`;
      }
    }
    const grade = judgeJob(ex, plan, report, reason);
    for (const t of grade.tests) t.message = mapLines(t.message, job.cellFirstLine);
    return grade;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Read a file only when it is within the size cap; otherwise say how big it is. */
async function readCapped(path: string): Promise<{ bytes: Uint8Array } | { tooBig: number }> {
  const file = await Deno.open(path, { read: true });
  try {
    const size = (await file.stat()).size;
    if (size > SUBMISSION_CAP_BYTES) return { tooBig: size };
    const bytes = new Uint8Array(size);
    let n = 0;
    while (n < size) {
      const got = await file.read(bytes.subarray(n));
      if (got === null) break;
      n += got;
    }
    return { bytes: bytes.subarray(0, n) };
  } finally {
    file.close();
  }
}

/**
 * Grade submissions (read only) and return their grades.
 *
 * @param submissions Paths and names from {@linkcode collectSubmissions}.
 * @param options Limits, parallelism, and `unsafe` to grade without a sandbox.
 * @returns The grades and the settings used; throws a {@linkcode UsageError} when there is no sandbox and `unsafe` is not set.
 */
export async function gradeSubmissions(
  submissions: { path: string; name: string }[],
  options: GradeOptions = {},
): Promise<GradeRun> {
  const prlimit = exists(PRLIMIT);
  let paths: SandboxPaths = { cacheDir: null, ...await denoCaches() };
  let sandbox = "none (--unsafe)";
  if (!options.unsafe) {
    const prepared = await prepareSandbox(options.bwrap);
    if ("why" in prepared) {
      throw new UsageError(
        `Cannot grade: no sandbox: ${prepared.why}. Install bubblewrap (./garden setup does), or pass --unsafe to grade without one (every report will say so)`,
      );
    }
    paths = prepared.paths;
    sandbox = "bubblewrap";
  }
  const settings = {
    timeLimitMs: options.timeLimitMs ?? 10_000,
    heapMiB: options.heapMiB ?? 256,
    dataMiB: prlimit ? options.dataMiB ?? Math.max(1024, 4 * (options.heapMiB ?? 256)) : null,
    jobs: Math.max(1, options.jobs ?? navigator.hardwareConcurrency ?? 2),
    sandbox,
  };
  try {
    const plans = await Promise.all(submissions.map(async (s) => {
      const read = await readCapped(s.path);
      if ("tooBig" in read) {
        const plan = planSubmission("", s.name, options.lessons);
        const message = `${s.name}: the file is ${
          (read.tooBig / 2 ** 20).toFixed(1)
        } MiB, over the limit of ${SUBMISSION_CAP_BYTES / 2 ** 20} MiB: not read, not graded`;
        for (const j of plan.jobs) {
          j.studentModule = null;
          j.message = `not graded: ${message}`;
        }
        return { ...s, sha256: "", plan: { ...plan, message } };
      }
      const text = new TextDecoder().decode(read.bytes);
      return {
        ...s,
        sha256: await sha256(read.bytes),
        plan: planSubmission(text, s.name, options.lessons),
      };
    }));
    const tasks = plans.flatMap((p, i) => p.plan.jobs.map((job, j) => ({ i, j, job })));
    const results: ExerciseGrade[][] = plans.map((p) => new Array(p.plan.jobs.length));
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) {
        const t = tasks[next++];
        results[t.i][t.j] = await runJob(t.job, settings, paths);
      }
    };
    await Promise.all(Array.from({ length: settings.jobs }, worker));
    const round = (n: number) => Math.round(n * 100) / 100;
    const warning = options.unsafe ? UNSAFE_WARNING : "";
    const grades = plans.map((p, i): SubmissionGrade => ({
      name: p.name,
      path: p.path,
      sha256: p.sha256,
      score: round(results[i].reduce((s, e) => s + e.score, 0)),
      maxScore: round(results[i].reduce((s, e) => s + e.maxScore, 0)),
      message: [warning, p.plan.message].filter(Boolean).join("\n"),
      exercises: results[i],
    }));
    return { grades, settings, warning };
  } finally {
    if (paths.cacheDir) await Deno.remove(paths.cacheDir, { recursive: true }).catch(() => {});
  }
}

const RESERVED = new Set(["report.json", ".", ".."]);

/**
 * A folder name for a submission's `results.json`: only letters, digits, `.`,
 * `_` and `-`, no leading dot, at most 80 characters, never `report.json`,
 * and unique (case-insensitively) among those already taken.
 *
 * @param name The submission's name.
 * @param taken Names already given (lower case); the new one is added.
 * @returns The folder name.
 */
export function safeName(name: string, taken: Set<string>): string {
  const base = name.replace(/\.ipynb$/, "").replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "")
    .slice(0, 80) || "submission";
  let candidate = base;
  for (
    let n = 2;
    taken.has(candidate.toLowerCase()) || RESERVED.has(candidate.toLowerCase());
    n++
  ) {
    candidate = `${base}-${n}`;
  }
  taken.add(candidate.toLowerCase());
  return candidate;
}

/**
 * Write `report.json` and one Gradescope `results.json` per submission,
 * every file inside `outDir`.
 *
 * @param run The grading run.
 * @param outDir The folder (created when missing).
 * @returns The files written.
 */
export async function writeReports(run: GradeRun, outDir: string): Promise<string[]> {
  const out = resolve(outDir);
  const taken = new Set<string>();
  const files: [string, unknown][] = [[join(out, "report.json"), {
    grader: "memgarden",
    ...(run.warning ? { warning: run.warning } : {}),
    settings: run.settings,
    submissions: run.grades,
  }]];
  for (const g of run.grades) {
    const results = gradescopeResults(g);
    if (run.warning && !results.output.includes(run.warning)) {
      results.output = [run.warning, results.output].filter(Boolean).join("\n");
    }
    files.push([join(out, safeName(g.name, taken), "results.json"), results]);
  }
  const inputs = new Set(run.grades.map((g) => resolve(g.path)));
  for (const [path] of files) {
    if (!path.startsWith(out + "/")) {
      throw new Error(`Cannot write ${path}: it is outside ${out}`);
    }
    if (inputs.has(resolve(path))) {
      throw new UsageError(`Cannot write ${path}: it is a submission: choose another --out`);
    }
  }
  for (const [path, data] of files) {
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, JSON.stringify(data, null, 2) + "\n");
  }
  return files.map(([p]) => p);
}

/** Where the user ran the command: `deno task` runs in the repo, but keeps the caller's folder in INIT_CWD. */
function fromCaller(path: string): string {
  return resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), path);
}

/**
 * A path's real location: the real path of its nearest existing ancestor,
 * with the rest appended (so a folder that does not exist yet still
 * resolves through the symbolic links above it).
 *
 * @param path An absolute path.
 * @returns Its real location.
 */
export function realLocation(path: string): string {
  const rest: string[] = [];
  let p = resolve(path);
  for (;;) {
    try {
      return join(Deno.realPathSync(p), ...rest.reverse());
    } catch {
      const up = dirname(p);
      if (up === p) return join(p, ...rest.reverse());
      rest.push(basename(p));
      p = up;
    }
  }
}

/** Whether two real paths are the same or one lies inside the other. */
export function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(b.endsWith("/") ? b : b + "/") ||
    b.startsWith(a.endsWith("/") ? a : a + "/");
}

/**
 * Read and check the command line; every problem is a {@linkcode UsageError}
 * naming the flag, the rule and the value, before anything is graded.
 *
 * @param args The arguments.
 * @returns The output folder, the inputs and the options.
 */
export function parseArgs(
  args: string[],
): { out: string; inputs: string[]; options: GradeOptions } {
  const usage =
    "Usage: deno task grade SUBMISSION... [--out DIR] [--time-limit S] [--memory MIB] [--jobs N] [--lesson NN-topic] [--unsafe]";
  let out = `${REPO}/out/grade`;
  const inputs: string[] = [];
  const options: GradeOptions = {};
  const number = (flag: string, v: string | undefined, min: number, max: number, int: boolean) => {
    // Decimal only: Number() would also read "0x10", "0b1" and " 5 ".
    const n = v === undefined || !/^(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(v) ? NaN : Number(v);
    if (!Number.isFinite(n) || n < min || n > max || (int && !Number.isInteger(n))) {
      throw new UsageError(
        `Cannot grade: ${flag} must be ${
          int ? "a whole number" : "a number"
        } from ${min} to ${max}: received ${shown(v)}\n${usage}`,
      );
    }
    return n;
  };
  const lessons = new Set(listExercises().map((e) => e.lesson));
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--out") {
      const v = args[++i];
      if (!v || v.startsWith("-")) {
        throw new UsageError(`Cannot grade: --out needs a folder: received ${shown(v)}\n${usage}`);
      }
      out = fromCaller(v);
    } else if (a === "--time-limit") {
      options.timeLimitMs = number(a, args[++i], 0.1, 600, false) * 1000;
    } else if (a === "--memory") options.heapMiB = number(a, args[++i], 64, 8192, true);
    else if (a === "--jobs") options.jobs = number(a, args[++i], 1, 64, true);
    else if (a === "--lesson") {
      const v = args[++i];
      if (!v || !lessons.has(v)) {
        throw new UsageError(
          `Cannot grade: --lesson must be a lesson with exercises (${
            [...lessons].sort().join(", ")
          }): received ${shown(v)}`,
        );
      }
      (options.lessons ??= []).push(v);
    } else if (a === "--unsafe") options.unsafe = true;
    else if (a === "-h" || a === "--help") throw new HelpRequested(usage);
    else if (a.startsWith("-")) throw new UsageError(`Cannot grade: unknown flag ${a}\n${usage}`);
    else inputs.push(fromCaller(a));
  }
  if (inputs.length === 0) throw new UsageError(`Cannot grade: no submissions given\n${usage}`);
  const outInfo = (() => {
    try {
      return Deno.statSync(out);
    } catch {
      return null;
    }
  })();
  if (outInfo && !outInfo.isDirectory) {
    throw new UsageError(`Cannot grade: --out must be a folder: received ${out}, which is a file`);
  }
  const realOut = realLocation(out);
  for (const input of inputs) {
    if (exists(input) && overlaps(realOut, realLocation(input))) {
      throw new UsageError(
        `Cannot grade: --out must not overlap the submissions: ${out} and ${input} overlap`,
      );
    }
  }
  if (realOut === realLocation(REPO)) {
    throw new UsageError(
      `Cannot grade: --out must not be the course's own folder: received ${out}`,
    );
  }
  for (const source of ["notebooks", "lib", "tools", "tests", "data", ".git"]) {
    if (overlaps(realOut, realLocation(`${REPO}/${source}`))) {
      throw new UsageError(
        `Cannot grade: --out must not overlap the course's ${source}/ folder: received ${out}`,
      );
    }
  }
  return { out, inputs, options };
}

if (import.meta.main) {
  try {
    const { out, inputs, options } = parseArgs(Deno.args);
    const submissions = await collectSubmissions(inputs);
    if (submissions.length === 0) {
      throw new UsageError(`Cannot grade: no .ipynb files in ${inputs.join(", ")}`);
    }
    const started = performance.now();
    const run = await gradeSubmissions(submissions, options);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (run.warning) console.log(`${run.warning}\n`);
    console.log(scoreTable(run.grades));
    const files = await writeReports(run, out);
    console.log(
      `graded ${submissions.length} submission(s) in ${seconds} s in the ${run.settings.sandbox} sandbox; wrote ${
        files[0]
      } and ${files.length - 1} results.json`,
    );
    if (run.warning) console.log(run.warning);
  } catch (err) {
    if (err instanceof HelpRequested) {
      console.log(err.message);
      Deno.exit(0);
    }
    console.error(err instanceof UsageError ? err.message : (err as Error).stack);
    Deno.exit(err instanceof UsageError ? 2 : 1);
  }
}
