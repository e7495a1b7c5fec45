/**
 * `sim cache` end to end, as a user times it: the real command run as a
 * subprocess (Deno start-up, reading, gunzip, parsing, simulating, printing),
 * on a real trace of at least 4 M data accesses, one 32 KiB 8-way LRU level
 * with 64-byte lines (`-s 6 -E 8 -b 6`). Reports accesses/s (by wall time, and
 * by CPU time, which a busy machine disturbs less) and the peak RSS of each
 * command, and Dinero IV's on the same references (din format) when
 * a `dineroIV` binary is found (`$DINERO`, or on the PATH); it is never
 * shipped with the course. The same cache with the 3C miss split is timed too
 * (`sim cache --config` beside Dinero IV's `-l1-dccc`), after checking that
 * both split the misses the same way.
 *
 * The trace: `valgrind --tool=lackey --trace-mem=yes ls -la /usr/bin`, data
 * lines only, recorded at start when valgrind is installed; otherwise the
 * recorded traces in `data/traces` repeated (each copy shifted to new
 * addresses) until they hold 4 M data accesses. Written to a temporary folder
 * as plain lackey, gzip lackey and din, and removed at the end.
 *
 * Run with `deno bench -A --frozen bench/cache_e2e_bench.ts` (set `CACHE_E2E_BEFORE` to
 * the folder of an older checkout to time its command beside this one).
 */
import { formatDin, formatLackey, OP_IFETCH, readTraceFile, TraceBuilder } from "memgarden";
import { dineroSplit } from "../tools/record_dinero.ts";

const MIN_ACCESSES = 4_000_000;
const root = new URL("../", import.meta.url).pathname;
const tmp = await Deno.makeTempDir({ prefix: "cache-e2e-" });
globalThis.addEventListener("unload", () => Deno.removeSync(tmp, { recursive: true }));

async function which(name: string): Promise<string | null> {
  const out = await new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "piped" })
    .output().catch(() => null);
  const path = out?.success ? new TextDecoder().decode(out.stdout).trim() : "";
  return path === "" ? null : path;
}

/** The data lines of a lackey log (valgrind's `==` banner and `I` fetches dropped). */
function dataLines(text: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(" ") && /^ [LSM] /.test(l));
}

let lines: string[] = [];
let source = "";
if (await which("valgrind")) {
  const log = `${tmp}/lackey.log`;
  const ok = await new Deno.Command("valgrind", {
    args: ["--tool=lackey", "--trace-mem=yes", `--log-file=${log}`, "ls", "-la", "/usr/bin"],
    stdout: "null",
    stderr: "null",
  }).output();
  if (ok.success) {
    lines = dataLines(await Deno.readTextFile(log));
    source = "valgrind lackey of `ls -la /usr/bin`, recorded now";
  }
  await Deno.remove(log).catch(() => {});
}
const countAccesses = (ls: string[]) => ls.reduce((n, l) => n + (l[1] === "M" ? 2 : 1), 0);
if (countAccesses(lines) < MIN_ACCESSES) {
  // Fallback: the recorded traces of data/traces, repeated at shifted addresses.
  const names = ["sum", "transpose_naive", "transpose_blocked", "list_walk"];
  const traces = await Promise.all(
    names.map((n) => readTraceFile(`${root}data/traces/${n}.trace.gz`)),
  );
  const b = new TraceBuilder(1 << 20);
  let accesses = 0;
  for (let copy = 0; accesses < MIN_ACCESSES; copy++) {
    for (const t of traces) {
      for (let i = 0; i < t.length; i++) {
        if (t.ops[i] === OP_IFETCH) continue;
        b.push(t.ops[i], t.addresses[i] + copy * 2 ** 32, t.sizes[i]);
        accesses += t.ops[i] === 3 ? 2 : 1;
      }
    }
  }
  lines = formatLackey(b.build()).split("\n").filter((l) => l !== "");
  source = `data/traces (${names.join(", ")}) repeated at shifted addresses`;
}
const accesses = countAccesses(lines);
const lackeyPath = `${tmp}/trace.trace`;
await Deno.writeTextFile(lackeyPath, lines.join("\n") + "\n");
lines = [];
const gzPath = `${lackeyPath}.gz`;
await new Deno.Command("sh", { args: ["-c", `gzip -6 -k "${lackeyPath}"`] }).output();
const dinPath = `${tmp}/trace.din`;
await Deno.writeTextFile(dinPath, formatDin(await readTraceFile(lackeyPath)));
const sizeMb = (p: string) => (Deno.statSync(p).size / 1e6).toFixed(1);
console.log(
  `trace: ${source}; ${accesses} data accesses (M counted twice); ${sizeMb(lackeyPath)} MB text, ${
    sizeMb(gzPath)
  } MB gzip, ${sizeMb(dinPath)} MB din`,
);

/** GNU time, when installed, gives each command's CPU time and peak RSS from the kernel. */
const gnuTime = (() => {
  try {
    return Deno.statSync("/usr/bin/time").isFile ? "/usr/bin/time" : null;
  } catch {
    return null;
  }
})();

/**
 * Run a command (stdin from a file when given), with its peak RSS and CPU time: from GNU
 * time when installed, else the peak polled from /proc/PID/status (VmHWM) and no CPU time.
 */
async function run(cmd: string, args: string[], stdin?: string) {
  const report = `${tmp}/time.txt`;
  const [file, argv] = gnuTime
    ? [gnuTime, ["-o", report, "-f", "%M %U %S", cmd, ...args]]
    : [cmd, args];
  const child = new Deno.Command(file, {
    args: argv,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peakKiB = 0;
  let cpuMs = NaN;
  const poll = gnuTime ? 0 : setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${child.pid}/status`));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch { /* exited */ }
  }, 5);
  const piping = stdin
    ? Deno.open(stdin).then((f) => f.readable.pipeTo(child.stdin))
    : Promise.resolve();
  const [out] = await Promise.all([child.output(), piping]);
  clearInterval(poll);
  if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
  if (gnuTime) {
    const [kib, user, sys] = Deno.readTextFileSync(report).trim().split("\n").at(-1)!.split(" ")
      .map(Number);
    peakKiB = kib;
    cpuMs = (user + sys) * 1000;
  }
  return { stdout: new TextDecoder().decode(out.stdout), peakKiB, cpuMs };
}

const deno = Deno.execPath();
const sim = (trace: string, ...more: string[]) => [
  "run",
  "-A",
  "--frozen",
  `${root}lib/cli/main.ts`,
  "cache",
  "-s",
  "6",
  "-E",
  "8",
  "-b",
  "6",
  "-t",
  trace,
  ...more,
];
// The same cache with the 3C miss split, as a --config file (one level, csim's access mode).
const configPath = `${tmp}/l1-3c.json`;
await Deno.writeTextFile(
  configPath,
  JSON.stringify({
    levels: [{ name: "L1", sizeBytes: 32768, ways: 8, lineBytes: 64, policy: "lru" }],
    accessMode: "csim",
    classifyMisses: true,
  }),
);
const sim3c = (trace: string) => [
  "run",
  "-A",
  "--frozen",
  `${root}lib/cli/main.ts`,
  "cache",
  "--config",
  configPath,
  "-t",
  trace,
  "--json",
];
/** A command to time; `split` marks the runs that classify misses (3C). */
const commands: { name: string; cmd: string; args: string[]; stdin?: string; split?: true }[] = [
  { name: "sim cache, lackey text", cmd: deno, args: sim(lackeyPath) },
  { name: "sim cache, lackey gzip", cmd: deno, args: sim(gzPath) },
  { name: "sim cache, din text", cmd: deno, args: sim(dinPath) },
  {
    name: "sim cache --policy lru (general path: zod, CacheSimulator)",
    cmd: deno,
    args: sim(lackeyPath, "--policy", "lru"),
  },
];
// To compare with an earlier version of the course, point CACHE_E2E_BEFORE at a checkout of it.
const before = Deno.env.get("CACHE_E2E_BEFORE");
if (before) {
  for (const [label, trace] of [["lackey text", lackeyPath], ["lackey gzip", gzPath]]) {
    const args = sim(trace);
    args[3] = `${before}/lib/cli/main.ts`;
    commands.push({ name: `before (${before}), ${label}`, cmd: deno, args });
  }
}
const dinero = Deno.env.get("DINERO") ?? await which("dineroIV");
const dineroArgs = "-l1-dsize 32k -l1-dbsize 64 -l1-dassoc 8 -l1-drepl l -informat d".split(" ");
if (dinero) {
  commands.push({
    name: "Dinero IV (C), din text on stdin",
    cmd: dinero,
    args: dineroArgs,
    stdin: dinPath,
  });
}
commands.push({
  name: "sim cache --config, 3C split, din text",
  cmd: deno,
  args: sim3c(dinPath),
  split: true,
});
if (dinero) {
  commands.push({
    name: "Dinero IV (C), 3C split (-l1-dccc), din text on stdin",
    cmd: dinero,
    args: [...dineroArgs, "-l1-dccc"],
    stdin: dinPath,
    split: true,
  });
}

/** Misses by kind, from sim cache --json or from Dinero IV's report. */
function split(stdout: string, fromDinero: boolean): string {
  const c = fromDinero ? dineroSplit(stdout) : JSON.parse(stdout).levels[0];
  return `misses:${c.misses} compulsory:${c.compulsory} capacity:${c.capacity} conflict:${c.conflict}`;
}

// Every command must agree before any is timed.
const first = await run(deno, sim(lackeyPath));
let split3c = "";
for (const c of commands) {
  const { stdout } = await run(c.cmd, c.args, c.stdin);
  if (c.split) {
    const got = split(stdout, c.cmd !== deno);
    split3c ||= got;
    if (got !== split3c || !got.startsWith(/misses:\d+/.exec(first.stdout)![0] + " ")) {
      throw new Error(
        `${c.name} split the misses as ${got}, expected ${split3c} (${first.stdout.trim()})`,
      );
    }
    continue;
  }
  if (c.cmd === deno && stdout.trim() !== first.stdout.trim()) {
    throw new Error(`${c.name} printed ${stdout.trim()}, expected ${first.stdout.trim()}`);
  }
  if (c.cmd !== deno) {
    const misses = /Demand Misses\s+(\d+)/.exec(stdout)?.[1];
    if (`misses:${misses}` !== /misses:\d+/.exec(first.stdout)?.[0]) {
      throw new Error(`Dinero IV counted ${misses} misses; sim cache says ${first.stdout.trim()}`);
    }
  }
}
console.log(`all commands agree: ${first.stdout.trim()}; 3C: ${split3c}`);

const peaks = new Map<string, number>();
const times = new Map<string, number[]>();
const cpu = new Map<string, number[]>();
for (const c of commands) {
  Deno.bench({
    group: `end to end, ${accesses} accesses`,
    name: c.name,
    baseline: c.name === commands[0].name,
    n: 5,
    warmup: 1,
    async fn(t) {
      t.start();
      const started = performance.now();
      const { peakKiB, cpuMs } = await run(c.cmd, c.args, c.stdin);
      t.end();
      peaks.set(c.name, Math.max(peaks.get(c.name) ?? 0, peakKiB));
      cpu.set(c.name, [...(cpu.get(c.name) ?? []), cpuMs]);
      times.set(c.name, [...(times.get(c.name) ?? []), performance.now() - started]);
    },
  });
}

globalThis.addEventListener("unload", () => {
  for (const c of commands) {
    const ms = Math.min(...(times.get(c.name) ?? [Infinity]));
    const cpuMs = Math.min(...(cpu.get(c.name) ?? [NaN]));
    const rate = (t: number) => `${(accesses / t / 1e3).toFixed(1)} M accesses/s`;
    console.log(
      `${c.name}: best ${ms.toFixed(0)} ms wall (${rate(ms)}), best ${cpuMs.toFixed(0)} ms CPU (${
        rate(cpuMs)
      }), peak RSS ${((peaks.get(c.name) ?? 0) / 1024).toFixed(0)} MiB`,
    );
  }
});
