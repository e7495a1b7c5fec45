/**
 * Grade submitted notebooks:
 *
 *   deno task grade SUBMISSION... [--out DIR] [--time-limit S] [--memory MIB]
 *                   [--jobs N] [--lesson NN-topic]
 *
 * SUBMISSION is an `.ipynb` file or a folder searched for them. For each
 * submission and each exercise of its lesson, the exercise cell (with the
 * notebook's set-up imports) becomes a module, and the exercise's tests run
 * against it with `deno test` in a separate process with no permissions, a
 * time limit on the CPU time the student's code uses (counted from when the
 * process has loaded Deno and the library, so a busy machine does not eat
 * into it; default 10 s, with ten times that, at least a minute, of real time
 * for code that waits without computing) and a memory limit (V8
 * heap `--max-old-space-size`, and `prlimit --data` on the whole process:
 * default 256 MiB of heap, 1 GiB in all). Up to `--jobs` processes run at
 * once (default: the core count).
 *
 * Output: a score table on the terminal, `DIR/report.json` (per submission,
 * exercise and test: pass/fail, message, points) and a Gradescope-style
 * `DIR/<submission>/results.json` (default DIR: out/grade). Submissions are
 * only read, never written. Exit status: 0 when grading worked (even when
 * students score 0), 1 when the grader itself failed, 2 on a usage error.
 *
 * @module
 */
import {
  type ExerciseGrade,
  exerciseGrade,
  type GradeJob,
  graderTestSource,
  gradescopeResults,
  parseGraderOutput,
  planSubmission,
  scoreTable,
  type SubmissionGrade,
} from "memgarden";
import { basename, join, relative, resolve } from "node:path";

const REPO = new URL("..", import.meta.url).pathname;
const PRLIMIT = "/usr/bin/prlimit";
const OUTPUT_CAP_CHARS = 1 << 20;
/** How long Deno may take to start and load the library before the student's code runs. */
const STARTUP_LIMIT_MS = 120_000;
/** How often a running process's CPU time is read. */
const CPU_POLL_MS = 50;
/**
 * Real time allowed after start-up, for code that waits without computing: ten times the
 * CPU time limit and at least a minute, so that a busy machine never trips it first.
 */
function wallLimitMs(cpuLimitMs: number): number {
  return Math.max(60_000, 10 * cpuLimitMs);
}

/**
 * CPU seconds (user + system) used so far by a process and its descendants, from
 * `/proc/<pid>/stat` (in clock ticks of 1/100 s); null once the process is gone.
 */
function processTreeCpuSeconds(pid: number): number | null {
  let ticks = 0;
  let found = false;
  const visit = (p: number, depth: number) => {
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${p}/stat`);
    } catch {
      return; // already exited
    }
    // Fields after the command name (which may hold spaces) in parentheses: utime is the
    // 14th field, stime the 15th, cutime and cstime (reaped children) the 16th and 17th.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (depth === 0) found = f[0] !== "Z"; // a zombie has finished computing
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    if (depth > 8) return;
    try {
      for (const t of Deno.readDirSync(`/proc/${p}/task`)) {
        const kids = Deno.readTextFileSync(`/proc/${p}/task/${t.name}/children`).trim();
        for (const k of kids ? kids.split(" ") : []) visit(Number(k), depth + 1);
      }
    } catch {
      // exited meanwhile
    }
  };
  visit(pid, 0);
  return found ? ticks / 100 : null;
}

/** A usage error (bad flags or paths): exit status 2. */
export class UsageError extends Error {}

/** Grader settings. */
export interface GradeOptions {
  /** CPU time limit for the student's code per exercise process, in milliseconds (default 10,000). */
  timeLimitMs?: number;
  /** V8 heap limit per process in MiB (default 256). */
  heapMiB?: number;
  /**
   * Limit on the process's data (heap, buffers) in MiB (default: 1024, or four
   * times the heap limit when that is larger, so `--memory` alone can raise both).
   */
  dataMiB?: number;
  /** Processes at once (default: the core count). */
  jobs?: number;
  /** Grade against these lessons instead of guessing from tags and names. */
  lessons?: string[];
}

/** Everything one grading run produced. */
export interface GradeRun {
  /** One grade per submission, in input order. */
  grades: SubmissionGrade[];
  /** The settings used. */
  settings: { timeLimitMs: number; heapMiB: number; dataMiB: number | null; jobs: number };
}

/**
 * Find the submissions: files as given, folders searched for `.ipynb` files
 * (checkpoints skipped). Each gets a short unique name.
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
    const walk = async (dir: string) => {
      const entries = [];
      for await (const e of Deno.readDir(dir)) entries.push(e);
      entries.sort((a, b) => a.name < b.name ? -1 : 1);
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory && e.name !== ".ipynb_checkpoints") await walk(p);
        else if (e.isFile && e.name.endsWith(".ipynb")) {
          found.push({ path: p, name: relative(arg, p) });
        }
      }
    };
    await walk(arg);
  }
  const seen = new Map<string, number>();
  for (const f of found) seen.set(f.name, (seen.get(f.name) ?? 0) + 1);
  for (const f of found) if (seen.get(f.name)! > 1) f.name = f.path;
  return found;
}

async function readCapped(
  stream: ReadableStream<Uint8Array>,
  keep = "",
  onLine?: (line: string) => void,
): Promise<string> {
  // Keep the first OUTPUT_CAP_CHARS characters for messages, drain the rest so the child
  // never blocks on a full pipe, and past the cap still keep whole lines containing `keep`
  // (the run's result markers), so a submission that prints a lot is still graded.
  const decoder = new TextDecoder();
  let head = "";
  let pending = ""; // the current, unfinished line
  let consumed = 0; // characters in complete lines so far
  const kept: string[] = [];
  const scan = (line: string) => {
    onLine?.(line);
    const end = consumed + line.length + 1;
    if (keep && end > OUTPUT_CAP_CHARS && line.includes(keep)) kept.push(line);
    consumed = end;
  };
  for await (const chunk of stream) {
    const text = decoder.decode(chunk, { stream: true });
    if (head.length < OUTPUT_CAP_CHARS) head += text.slice(0, OUTPUT_CAP_CHARS - head.length);
    let from = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
      scan(pending + text.slice(from, nl));
      pending = "";
      from = nl + 1;
    }
    pending += text.slice(from);
    if (pending.length > 65_536 && !pending.includes(keep || "\u0000")) {
      consumed += pending.length; // an endless line without a marker: not worth keeping
      pending = "";
    }
  }
  if (pending) scan(pending);
  return kept.length ? `${head}\n${kept.join("\n")}\n` : head;
}

/**
 * The error that stopped the student module from loading (a syntax error, a
 * throw at the top of the cell), with its position mapped back to the cell.
 */
function loadError(output: string, cellFirstLine: number): string {
  // deno-lint-ignore no-control-regex
  const lines = output.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const start = lines.findIndex((l) => /^error: /.test(l) && !/^error: Test failed/.test(l));
  if (start < 0) return "";
  const message = lines[start].replace(/^error: (\(in promise\) )?/, "");
  let where = "";
  for (const l of lines.slice(start + 1, start + 12)) {
    const m = /file:\/\/\S*?\/student\.ts:(\d+):(\d+)/.exec(l);
    if (m) {
      const line = Number(m[1]) - cellFirstLine + 1;
      where = line >= 1
        ? ` (the exercise cell, line ${line}, column ${m[2]})`
        : " (in a set-up cell: check its imports)";
      break;
    }
  }
  return message + where;
}

async function runJob(job: GradeJob, s: GradeRun["settings"]): Promise<ExerciseGrade> {
  const ex = job.exercise;
  if (job.studentModule === null) return exerciseGrade(ex, [], job.message);
  const dir = await Deno.makeTempDir({ prefix: "memgarden-grade-" });
  try {
    const nonce = crypto.randomUUID().replaceAll("-", "");
    await Deno.writeTextFile(`${dir}/student.ts`, job.studentModule);
    await Deno.writeTextFile(
      `${dir}/grade_test.ts`,
      // In the process, each test's own limit is only a guard for awaits that never end: the
      // grader limits CPU time from outside.
      graderTestSource(ex.id, nonce, wallLimitMs(s.timeLimitMs)),
    );
    const denoArgs = [
      "test",
      "--no-check",
      "--no-prompt",
      "--frozen",
      "--config",
      `${REPO}deno.json`,
      `--v8-flags=--max-old-space-size=${s.heapMiB}`,
      "grade_test.ts",
    ];
    const child = new Deno.Command(
      s.dataMiB === null ? Deno.execPath() : PRLIMIT,
      {
        args: s.dataMiB === null
          ? denoArgs
          : [`--data=${s.dataMiB * 1024 * 1024}`, Deno.execPath(), ...denoArgs],
        cwd: dir,
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      },
    ).spawn();
    // Two clocks: Deno's start-up (loading the library, which a busy machine slows down) is
    // the grader's own time and gets a generous limit; the time limit proper starts when the
    // test process says it is ready, just before it imports the student's code.
    let timedOut = "" as "" | "startup" | "tests" | "wall";
    const kill = (why: "startup" | "tests" | "wall") => {
      timedOut = why;
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    };
    let timer = setTimeout(() => kill("startup"), STARTUP_LIMIT_MS);
    const ready = `@@${nonce} ready`;
    let started = false;
    let cpuAtReady = 0;
    let cpuUsed = 0;
    let poll: ReturnType<typeof setInterval> | undefined;
    const [stdout, stderr, status] = await Promise.all([
      readCapped(child.stdout, nonce, (line) => {
        if (line !== ready || timedOut || started) return; // only the first counts
        started = true;
        clearTimeout(timer);
        // The limit is on CPU time, which a busy machine does not inflate; real time gets
        // a backstop of three times the limit for code that waits without computing.
        cpuAtReady = processTreeCpuSeconds(child.pid) ?? 0;
        poll = setInterval(() => {
          const now = processTreeCpuSeconds(child.pid);
          if (now === null || timedOut) return;
          cpuUsed = now - cpuAtReady;
          if (cpuUsed * 1000 > s.timeLimitMs) kill("tests");
        }, CPU_POLL_MS);
        timer = setTimeout(() => kill("wall"), wallLimitMs(s.timeLimitMs));
      }),
      readCapped(child.stderr),
      child.status,
    ]);
    clearTimeout(timer);
    clearInterval(poll);
    const outcomes = parseGraderOutput(stdout, nonce);
    let reason = "";
    if (outcomes.length < ex.tests.length) {
      const oom = /out of memory|Reached heap limit|allocation failed/i.test(stderr) ||
        status.signal === "SIGTRAP" || status.signal === "SIGABRT" || status.code === 133 ||
        status.code === 134;
      if (timedOut === "startup") {
        reason = `not graded: the test process did not start within ${
          STARTUP_LIMIT_MS / 1000
        } s (the machine is overloaded; none of the submission's code ran): grade it again`;
      } else if (timedOut === "tests") {
        reason = `time limit exceeded: the tests were stopped after ${
          s.timeLimitMs / 1000
        } s of CPU time (an infinite loop?)`;
      } else if (timedOut === "wall") {
        reason = `time limit exceeded: the tests were stopped after ${
          wallLimitMs(s.timeLimitMs) / 1000
        } s of real time, ${cpuUsed.toFixed(1)} s of it computing (an await that never ends?)`;
      } else if (oom) {
        reason = `out of memory: the tests were stopped at the limit of ${s.heapMiB} MiB of heap${
          s.dataMiB === null ? "" : ` and ${s.dataMiB} MiB in all`
        } (unbounded allocation?)`;
      } else {
        const load = loadError(`${stderr}\n${stdout}`, job.cellFirstLine);
        reason = load
          ? `the exercise cell does not run: ${load}`
          : `the test process ended unexpectedly (exit code ${status.code}${
            status.signal ? `, signal ${status.signal}` : ""
          }): ${stderr.trim().split("\n").at(-1) ?? ""}`;
      }
    }
    return exerciseGrade(ex, outcomes, reason);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Grade submissions (read only) and return their grades.
 *
 * @param submissions Paths and names from {@linkcode collectSubmissions}.
 * @param options Limits and parallelism.
 * @returns The grades and the settings used.
 */
export async function gradeSubmissions(
  submissions: { path: string; name: string }[],
  options: GradeOptions = {},
): Promise<GradeRun> {
  const prlimit = await Deno.stat(PRLIMIT).then(() => true, () => false);
  const settings = {
    timeLimitMs: options.timeLimitMs ?? 10_000,
    heapMiB: options.heapMiB ?? 256,
    dataMiB: prlimit ? options.dataMiB ?? Math.max(1024, 4 * (options.heapMiB ?? 256)) : null,
    jobs: Math.max(1, options.jobs ?? navigator.hardwareConcurrency ?? 2),
  };
  const plans = await Promise.all(submissions.map(async (s) => {
    const bytes = await Deno.readFile(s.path);
    const text = new TextDecoder().decode(bytes);
    return {
      ...s,
      sha256: await sha256(bytes),
      plan: planSubmission(text, s.name, options.lessons),
    };
  }));
  const tasks = plans.flatMap((p, i) => p.plan.jobs.map((job, j) => ({ i, j, job })));
  const results: ExerciseGrade[][] = plans.map((p) => new Array(p.plan.jobs.length));
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const t = tasks[next++];
      results[t.i][t.j] = await runJob(t.job, settings);
    }
  };
  await Promise.all(Array.from({ length: settings.jobs }, worker));
  const round = (n: number) => Math.round(n * 100) / 100;
  const grades = plans.map((p, i): SubmissionGrade => ({
    name: p.name,
    path: p.path,
    sha256: p.sha256,
    score: round(results[i].reduce((s, e) => s + e.score, 0)),
    maxScore: round(results[i].reduce((s, e) => s + e.maxScore, 0)),
    message: p.plan.message,
    exercises: results[i],
  }));
  return { grades, settings };
}

function safeName(name: string, taken: Set<string>): string {
  const base = name.replace(/\.ipynb$/, "").replace(/[^A-Za-z0-9._-]+/g, "_") || "submission";
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}-${n}`;
  taken.add(candidate);
  return candidate;
}

/**
 * Write `report.json` and one Gradescope `results.json` per submission.
 *
 * @param run The grading run.
 * @param outDir The folder (created when missing).
 * @returns The files written.
 */
export async function writeReports(run: GradeRun, outDir: string): Promise<string[]> {
  const taken = new Set<string>();
  const files: [string, unknown][] = [[join(outDir, "report.json"), {
    grader: "memgarden",
    settings: run.settings,
    submissions: run.grades,
  }]];
  for (const g of run.grades) {
    files.push([join(outDir, safeName(g.name, taken), "results.json"), gradescopeResults(g)]);
  }
  const inputs = new Set(run.grades.map((g) => resolve(g.path)));
  for (const [path] of files) {
    if (inputs.has(resolve(path))) {
      throw new UsageError(`Cannot write ${path}: it is a submission: choose another --out`);
    }
  }
  for (const [path, data] of files) {
    await Deno.mkdir(resolve(path, ".."), { recursive: true });
    await Deno.writeTextFile(path, JSON.stringify(data, null, 2) + "\n");
  }
  return files.map(([p]) => p);
}

/** Where the user ran the command: `deno task` runs in the repo, but keeps the caller's folder in INIT_CWD. */
function fromCaller(path: string): string {
  return resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), path);
}

function parseArgs(args: string[]): { out: string; inputs: string[]; options: GradeOptions } {
  const usage =
    "Usage: deno task grade SUBMISSION... [--out DIR] [--time-limit S] [--memory MIB] [--jobs N] [--lesson NN-topic]";
  let out = `${REPO}out/grade`;
  const inputs: string[] = [];
  const options: GradeOptions = {};
  const number = (flag: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min) {
      throw new UsageError(
        `Cannot grade: ${flag} must be a number of at least ${min}: received ${v}`,
      );
    }
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--out") {
      if (!args[i + 1]) throw new UsageError("Cannot grade: --out needs a folder");
      out = fromCaller(args[++i]);
    } else if (a === "--time-limit") options.timeLimitMs = number(a, args[++i], 0.1) * 1000;
    else if (a === "--memory") options.heapMiB = number(a, args[++i], 16);
    else if (a === "--jobs") options.jobs = Math.floor(number(a, args[++i], 1));
    else if (a === "--lesson") {
      if (!args[i + 1]) throw new UsageError("Cannot grade: --lesson needs a lesson name");
      (options.lessons ??= []).push(args[++i]);
    } else if (a === "-h" || a === "--help") throw new UsageError(usage);
    else if (a.startsWith("-")) throw new UsageError(`Cannot grade: unknown flag ${a}\n${usage}`);
    else inputs.push(fromCaller(a));
  }
  if (inputs.length === 0) throw new UsageError(`Cannot grade: no submissions given\n${usage}`);
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
    console.log(scoreTable(run.grades));
    const files = await writeReports(run, out);
    console.log(
      `graded ${submissions.length} submission(s) in ${seconds} s; wrote ${files[0]} and ${
        files.length - 1
      } results.json`,
    );
  } catch (err) {
    console.error(err instanceof UsageError ? err.message : (err as Error).stack);
    Deno.exit(err instanceof UsageError ? 2 : 1);
  }
}
