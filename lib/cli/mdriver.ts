/**
 * `deno task sim mdriver [--list L] [--fit F] [--align 8|16] [--json] TRACE...`:
 * CS:APP Malloc Lab's driver for our simulated allocator. Each trace is run
 * once with mdriver's checks (payloads aligned, inside the heap, never
 * overlapping, realloc keeps the contents, heap invariants at the end), then
 * timed without checks (the fastest of several runs, at least 50 ms in
 * all). It prints, per trace, valid, util (Malloc Lab's utilization as a
 * fraction), ops, secs and Kops, and a total line; `--json` prints
 * `[{"trace","valid","util","ops","secs","kops"}]`.
 *
 * @module
 */
import { parseMallocTrace, runMallocTrace, type TraceRun } from "../heap/mod.ts";
import type { HeapConfigInput } from "../heap/mod.ts";
import type { SimCommand } from "./main.ts";

/** One row of mdriver's report. */
export interface MdriverRow {
  /** The trace file. */
  trace: string;
  /** True if every check passed. */
  valid: boolean;
  /** Utilization, a fraction (0 when invalid). */
  util: number;
  /** Operations in the trace. */
  ops: number;
  /** Seconds for one run without checks (the fastest run). */
  secs: number;
  /** Thousands of operations per second. */
  kops: number;
}

/** The largest trace file read, in bytes. */
export const MAX_TRACE_FILE_BYTES = 64 << 20;

const LISTS = ["implicit", "explicit", "segregated"];
const FITS = ["first", "next", "best", "worst"];

/** Parsed flags of `sim mdriver`. */
export interface MdriverFlags {
  /** Heap settings. */
  config: HeapConfigInput;
  /** Trace files. */
  traces: string[];
  /** Print JSON. */
  json: boolean;
  /** Print help. */
  help: boolean;
}

/**
 * Parse `sim mdriver`'s flags.
 *
 * @param args The arguments.
 * @returns Heap settings, trace paths, `json`, `help`.
 * @throws {TypeError} For an unknown flag or a missing value.
 * @throws {RangeError} For a value outside the allowed ones, naming the flag.
 *
 * @example
 * ```ts
 * import { parseMdriverFlags } from "memgarden/cli/mdriver.ts";
 * import assert from "node:assert/strict";
 *
 * const f = parseMdriverFlags(["--list", "segregated", "--fit=best", "a.rep"]);
 * assert.deepEqual(f.config, { list: "segregated", fit: "best", alignment: 8 });
 * assert.throws(() => parseMdriverFlags(["--fit", "good"]), /--fit must be one of first, next, best, worst: received "good"/);
 * ```
 */
export function parseMdriverFlags(args: readonly string[]): MdriverFlags {
  const out: MdriverFlags = {
    config: { list: "implicit", fit: "first", alignment: 8 },
    traces: [],
    json: false,
    help: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--json") out.json = true;
    else if (arg === "--help" || arg === "-h") out.help = true;
    else if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      if (!["--list", "--fit", "--align"].includes(name)) {
        throw new TypeError(`Cannot parse flags: unknown option: received "${name}"`);
      }
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) {
        throw new TypeError(`Cannot parse flags: ${name} requires a value: received nothing`);
      }
      const allowed = name === "--list" ? LISTS : name === "--fit" ? FITS : ["8", "16"];
      if (!allowed.includes(value)) {
        throw new RangeError(
          `Invalid ${name}: ${name} must be one of ${allowed.join(", ")}: received "${value}"`,
        );
      }
      if (name === "--list") out.config.list = value as HeapConfigInput["list"];
      else if (name === "--fit") out.config.fit = value as HeapConfigInput["fit"];
      else out.config.alignment = Number(value) as 8 | 16;
    } else if (arg.startsWith("-") && arg !== "-") {
      throw new TypeError(`Cannot parse flags: unknown option: received "${arg}"`);
    } else out.traces.push(arg);
  }
  return out;
}

function readTrace(path: string): string {
  let size: number;
  try {
    const info = Deno.statSync(path);
    if (info.isDirectory) {
      throw new TypeError(`Cannot read trace "${path}": must be a file: received a directory`);
    }
    size = info.size;
  } catch (e) {
    if (e instanceof TypeError) throw e;
    const reason = e instanceof Deno.errors.NotFound ? "no such file" : String(e);
    throw new TypeError(`Cannot read trace "${path}": ${reason}`, { cause: e });
  }
  if (size > MAX_TRACE_FILE_BYTES) {
    throw new RangeError(
      `Cannot read trace "${path}": must be at most ${MAX_TRACE_FILE_BYTES} bytes: received ${size} bytes`,
    );
  }
  return Deno.readTextFileSync(path);
}

/**
 * Run traces and time them.
 *
 * @param traces Trace names and texts.
 * @param config Heap settings.
 * @param now A clock in milliseconds (default `performance.now`).
 * @returns One row per trace.
 * @throws {SyntaxError} For a malformed trace, naming its line.
 *
 * @example
 * ```ts
 * import { runMdriver } from "memgarden/cli/mdriver.ts";
 * import assert from "node:assert/strict";
 *
 * const [row] = runMdriver([{ name: "t", text: "0\n1\n2\n1\na 0 24\nf 0\n" }], {});
 * assert.equal(row.valid, true);
 * assert.equal(row.util, 24 / 48);
 * ```
 */
export function runMdriver(
  traces: readonly { name: string; text: string }[],
  config: HeapConfigInput,
  now: () => number = () => performance.now(),
): MdriverRow[] {
  return traces.map(({ name, text }) => {
    const trace = parseMallocTrace(text, name);
    const checked: TraceRun = runMallocTrace(trace, config);
    let best = Infinity, spent = 0, runs = 0;
    while (runs < 3 || (spent < 50 && runs < 1000)) {
      const t0 = now();
      runMallocTrace(trace, config, { check: false });
      const dt = now() - t0;
      best = Math.min(best, dt);
      spent += dt;
      runs++;
    }
    const secs = best / 1000;
    return {
      trace: name,
      valid: checked.valid,
      util: checked.utilization,
      ops: trace.ops.length,
      secs,
      kops: secs > 0 ? trace.ops.length / secs / 1000 : 0,
      ...(checked.valid ? {} : { problems: checked.problems }),
    };
  });
}

/**
 * Format rows as mdriver's table.
 *
 * @param rows The rows.
 * @param config The settings, for the title line.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatMdriver } from "memgarden/cli/mdriver.ts";
 * import assert from "node:assert/strict";
 *
 * const text = formatMdriver([{ trace: "a.rep", valid: true, util: 0.5, ops: 10, secs: 0.001, kops: 10 }], {});
 * assert.match(text, /a\.rep\s+yes\s+0\.500\s+10/);
 * ```
 */
export function formatMdriver(rows: readonly MdriverRow[], config: HeapConfigInput): string {
  const lines = [
    `Results for the simulated allocator (list ${config.list ?? "implicit"}, fit ${
      config.fit ?? "first"
    }, alignment ${config.alignment ?? 8}):`,
    `${"trace".padEnd(24)} valid   util       ops      secs      Kops`,
  ];
  for (const r of rows) {
    lines.push(
      `${r.trace.padEnd(24)} ${(r.valid ? "yes" : "no").padStart(5)}  ${
        r.util.toFixed(3).padStart(5)
      }  ${String(r.ops).padStart(8)}  ${r.secs.toFixed(6)}  ${r.kops.toFixed(0).padStart(8)}`,
    );
    for (const p of (r as MdriverRow & { problems?: string[] }).problems ?? []) {
      lines.push(`    ${p}`);
    }
  }
  const ops = rows.reduce((s, r) => s + r.ops, 0);
  const secs = rows.reduce((s, r) => s + r.secs, 0);
  const util = rows.length ? rows.reduce((s, r) => s + r.util, 0) / rows.length : 0;
  lines.push(
    `${"Total (mean util)".padEnd(24)} ${
      (rows.every((r) => r.valid) ? "yes" : "no").padStart(5)
    }  ${util.toFixed(3).padStart(5)}  ${String(ops).padStart(8)}  ${secs.toFixed(6)}  ${
      (secs > 0 ? ops / secs / 1000 : 0).toFixed(0).padStart(8)
    }`,
  );
  return lines.join("\n") + "\n";
}

const HELP = `Usage: deno task sim mdriver [--list L] [--fit F] [--align 8|16] [--json] TRACE...

Runs CS:APP Malloc Lab traces through the simulated allocator and reports, per trace,
whether every check passed, utilization (peak payload / final heap size), and throughput.

Options:
  --list implicit|explicit|segregated   where free blocks are kept (default implicit)
  --fit first|next|best|worst           how a free block is chosen (default first)
  --align 8|16                          payload alignment (default 8)
  --json                                print [{"trace","valid","util","ops","secs","kops"}]

Sample traces (generated, seeded): data/malloc-traces/*.rep
`;

/** The `mdriver` command for `deno task sim`. */
export const command: SimCommand = {
  summary: "Malloc Lab driver: [--list L] [--fit F] [--json] TRACE... (validity, util, Kops)",
  run(args: string[]): Promise<number> {
    try {
      const flags = parseMdriverFlags(args);
      if (flags.help) {
        console.log(HELP);
        return Promise.resolve(0);
      }
      if (flags.traces.length === 0) {
        throw new TypeError("Cannot run mdriver: give at least one TRACE file: received none");
      }
      const texts = flags.traces.map((name) => ({ name, text: readTrace(name) }));
      const rows = runMdriver(texts, flags.config);
      const text = flags.json
        ? JSON.stringify(
          rows.map(({ trace, valid, util, ops, secs, kops }) => ({
            trace,
            valid,
            util,
            ops,
            secs,
            kops,
          })),
        ) + "\n"
        : formatMdriver(rows, flags.config);
      Deno.stdout.writeSync(new TextEncoder().encode(text));
      return Promise.resolve(rows.every((r) => r.valid) ? 0 : 1);
    } catch (e) {
      if (!(e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError)) throw e;
      console.error(e.message);
      return Promise.resolve(2);
    }
  },
};
