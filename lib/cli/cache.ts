/**
 * `deno task sim cache`: CS:APP Cache Lab's `csim`, flag- and
 * output-compatible (`-s -E -b -t [-v] [-h]`, LRU, `M` = load then store,
 * `I` ignored, `hits:H misses:M evictions:E`), plus `--json`, `--policy`,
 * `--write-back` / `--write-through`, and `--config FILE.json` for
 * multi-level hierarchies. Traces ending in `.gz` are gunzipped while
 * streaming and a trace is never held in memory whole: `-v` prints each batch
 * of records as it is simulated. What a run may hold is bounded: the cache's
 * lines (2^26 in all, 2^24 with the 3C split), the step log of one batch, the
 * lines the 3C split remembers (about 25 M, else a clear error), one chunk of
 * the trace.
 *
 * @module
 */
// Start-up loads only what a run needs: a plain csim run (the common case) imports the
// scanner and one cache level; zod, the hierarchy simulator and the JSON loader are
// imported on first use by the other runs (see `generalRun`).
import type { z as Zod } from "zod";
import type { CacheHierarchyConfig, CacheResult, CacheStep } from "../cache/simulator.ts";
import type { TraceStreamStats } from "../trace/stream.ts";
import { OP_IFETCH, OP_LETTERS } from "../trace/trace.ts";
import type { SimCommand } from "./main.ts";

const USAGE = `Usage: deno task sim cache [-hv] -s <num> -E <num> -b <num> -t <file>
       deno task sim cache --config <file.json> -t <file> [--json]
Options:
  -h                Print this help message.
  -v                Optional verbose flag.
  -s <num>          Number of set index bits.
  -E <num>          Number of lines per set.
  -b <num>          Number of block offset bits.
  -t <file>         Trace file (lackey format; .gz is gunzipped; .din is Dinero din).
  --policy <name>   Replacement: lru (default, as csim), fifo, random, plru.
  --seed <num>      Seed of the random policy (default 0).
  --write-back      Write-back, write-allocate (default, as csim).
  --write-through   Write-through, write-allocate.
  --config <file>   A JSON hierarchy (levels, instructionL1, memoryLatencyCycles, ...);
                    prints each level's counts (split into compulsory, capacity and
                    conflict misses unless "classifyMisses": false) and the AMAT.
  --json            Print one JSON document.

Examples:
  deno task sim cache -s 4 -E 1 -b 4 -t data/traces/cachelab_mini.trace
  deno task sim cache -v -s 8 -E 2 -b 4 -t data/traces/sum.trace.gz`;

const VALUE_FLAGS: Record<string, string> = {
  "-s": "s",
  "-E": "E",
  "-b": "b",
  "-t": "trace",
  "--policy": "policy",
  "--seed": "seed",
  "--config": "config",
};
const BOOL_FLAGS: Record<string, string> = {
  "-h": "help",
  "--help": "help",
  "-v": "verbose",
  "--json": "json",
  "--write-back": "writeBack",
  "--write-through": "writeThrough",
};

/** Parse getopt-style flags (`-s 4`, `-s4`, `-vs 4`, `--policy lru`, `--policy=lru`). */
function parseFlags(args: readonly string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg : arg.slice(0, eq);
      if (BOOL_FLAGS[name]) {
        out[BOOL_FLAGS[name]] = true;
      } else if (VALUE_FLAGS[name]) {
        const v = eq < 0 ? args[++i] : arg.slice(eq + 1);
        if (v === undefined) {
          throw new TypeError(`Cannot parse flags: ${name} needs a value: received nothing`);
        }
        out[VALUE_FLAGS[name]] = v;
      } else {
        throw new TypeError(`Cannot parse flags: unknown option: received "${name}"`);
      }
      continue;
    }
    if (!arg.startsWith("-") || arg.length < 2) {
      throw new TypeError(`Cannot parse flags: unexpected argument: received "${arg}"`);
    }
    for (let j = 1; j < arg.length; j++) {
      const name = "-" + arg[j];
      if (BOOL_FLAGS[name]) {
        out[BOOL_FLAGS[name]] = true;
      } else if (VALUE_FLAGS[name]) {
        const rest = arg.slice(j + 1);
        const v = rest !== "" ? rest : args[++i];
        if (v === undefined) {
          throw new TypeError(`Cannot parse flags: ${name} needs a value: received nothing`);
        }
        out[VALUE_FLAGS[name]] = v;
        break;
      } else {
        throw new TypeError(`Cannot parse flags: unknown option: received "${name}"`);
      }
    }
  }
  return out;
}

/** The schema of the settings `sim cache` runs with, built on first use (zod loads lazily). */
function cacheCliSettings(z: typeof Zod) {
  const IntFlag = (max: number) =>
    z.string().regex(/^\d+$/, "must be a non-negative integer").transform(Number).pipe(
      z.number().max(max, `must be at most ${max}`),
    );
  return z.object({
    s: IntFlag(30).optional(),
    E: IntFlag(65536).pipe(z.number().min(1, "must be at least 1")).optional(),
    b: IntFlag(30).optional(),
    trace: z.string({ error: "is required (-t <file>)" }).min(1, "must not be empty"),
    verbose: z.literal(true).optional(),
    json: z.literal(true).optional(),
    policy: z.string().refine(
      (p) => ["lru", "fifo", "random", "plru"].includes(p.toLowerCase()),
      "must be one of lru, fifo, random, plru",
    ).default("lru"),
    seed: z.string().regex(/^-?\d+$/, "must be an integer").transform(Number).pipe(
      z.number().refine(Number.isSafeInteger, "must be an integer from -(2^53 - 1) to 2^53 - 1"),
    ).default(0),
    writeBack: z.literal(true).optional(),
    writeThrough: z.literal(true).optional(),
    config: z.string().optional(),
  }).superRefine((o, ctx) => {
    if (o.config === undefined) {
      for (const k of ["s", "E", "b"] as const) {
        if (o[k] === undefined) {
          ctx.addIssue({ code: "custom", path: [k], message: "is required without --config" });
        }
      }
    }
    if (
      o.config === undefined && o.s !== undefined && o.E !== undefined && 2 ** o.s * o.E > 2 ** 26
    ) {
      // Checked here so that the message names the flags (the simulator names its own fields).
      ctx.addIssue({
        code: "custom",
        path: ["E"],
        message:
          `times the 2^${o.s} sets of -s ${o.s} must be at most 2^26 lines (about 600 MB of tags)`,
      });
    }
    if (o.writeBack && o.writeThrough) {
      ctx.addIssue({
        code: "custom",
        path: ["writeThrough"],
        message: "cannot be combined with --write-back",
      });
    }
  });
}

/**
 * The plain csim form (`-s -E -b -t` and nothing else, every value in range), which runs
 * on the fused path; anything else goes through the general path and its checks.
 */
function plainCsim(flags: Record<string, string | true>): [number, number, number] | null {
  const keys = Object.keys(flags);
  if (keys.length !== 4 || !["s", "E", "b", "trace"].every((k) => typeof flags[k] === "string")) {
    return null;
  }
  const [s, E, b] = (["s", "E", "b"] as const).map((k) =>
    /^\d{1,6}$/.test(flags[k] as string) ? Number(flags[k]) : -1
  );
  const ok = s >= 0 && s <= 30 && E >= 1 && E <= 65536 && b >= 0 && b <= 30 &&
    2 ** s * E <= 2 ** 26 && flags.trace !== "";
  return ok ? [s, E, b] : null;
}

/** csim on the fused path: read, parse and simulate chunk by chunk, nothing held. */
async function fastCsim(
  [s, E, b]: [number, number, number],
  trace: string,
  emit: (line: string) => void,
): Promise<CacheCliOutput> {
  const [{ CsimCounter }, { scanTraceFile }] = await Promise.all([
    import("../cache/csim_counter.ts"),
    import("../io/trace_file.ts"),
  ]);
  const counter = new CsimCounter(s, E, b);
  try {
    await scanTraceFile(trace, (batch) => {
      counter.run(batch);
    });
  } catch (e) {
    return { stdout: [], stderr: [oneLine(e)], status: 1 };
  }
  const { hits, misses, evictions } = counter.counts();
  emit(`hits:${hits} misses:${misses} evictions:${evictions}`);
  return { stdout: [], stderr: [], status: 0 };
}

/** Records per batch when `-v` prints every access: bounds the step log a batch can fill. */
const VERBOSE_BATCH = 4096;
/** Largest `--config` file read (a hierarchy is a few hundred bytes of JSON). */
const MAX_CONFIG_BYTES = 1 << 20;

/** The words csim prints after a record (` hit`, ` miss eviction`, ...), from the data L1's steps. */
function verboseWords(steps: readonly CacheStep[], level: string): Map<number, string> {
  const words = new Map<number, string>();
  for (const s of steps) {
    if (s.level !== level) continue;
    const w = s.outcome === "hit" ? " hit" : s.evicted ? " miss eviction" : " miss";
    words.set(s.index, (words.get(s.index) ?? "") + w);
  }
  return words;
}

/** Output of one run: what to print on stdout and stderr, and the exit status. */
export interface CacheCliOutput {
  /** Lines for standard output (empty when {@linkcode CacheCliOptions.write} took them). */
  stdout: string[];
  /** Lines for standard error. */
  stderr: string[];
  /** Exit status: 0 ok, 1 bad input file or a run that could not finish, 2 usage error. */
  status: number;
}

/** How {@linkcode cacheCli} hands out its output. */
export interface CacheCliOptions {
  /**
   * Receives each line for standard output as soon as it is ready, instead of
   * `stdout` collecting them: `-v` then streams, holding one batch of lines at a time.
   * Return `false` to stop the run early (the reader went away); the status is then 0.
   */
  write?: (line: string) => boolean | void;
  /**
   * Counters of the trace stream, filled in by a `-v` run (which streams batches of
   * records through `streamTraceFile`); other runs scan the file without them.
   */
  stats?: TraceStreamStats;
}

function usageError(message: string): CacheCliOutput {
  return { stdout: [], stderr: [message, USAGE], status: 2 };
}

/** One line: the first line of an error's message (zod details stay in `cause`). */
function oneLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split("\n")[0];
}

/**
 * Run `sim cache` on an argument list without touching the console (for tests and notebooks).
 *
 * @param args The arguments after `cache`.
 * @param options Where output lines go (collected in `stdout` by default) and stream counters.
 * @returns Lines for stdout and stderr, and the exit status (0 ok, 1 bad input file, 2 usage error).
 *
 * @example csim on a three-line trace
 * ```ts
 * import { cacheCli } from "memgarden/cli/cache.ts";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".trace" });
 * await Deno.writeTextFile(path, " L 10,1\n M 20,1\n L 10,1\n");
 * const out = await cacheCli(["-s", "0", "-E", "1", "-b", "4", "-t", path]);
 * assert.deepEqual(out.stdout, ["hits:1 misses:3 evictions:2"]);
 * await Deno.remove(path);
 * ```
 */
export async function cacheCli(
  args: readonly string[],
  options: CacheCliOptions = {},
): Promise<CacheCliOutput> {
  let flags: Record<string, string | true>;
  try {
    flags = parseFlags(args);
  } catch (e) {
    return usageError(oneLine(e));
  }
  const stdout: string[] = [];
  let stopped = false;
  const emit = (line: string): void => {
    if (options.write) {
      if (options.write(line) === false) stopped = true;
    } else stdout.push(line);
  };
  if (flags.help) {
    emit(USAGE);
    return { stdout, stderr: [], status: 0 };
  }
  if (flags.config !== undefined) {
    // The hierarchy file sets the geometry and policies; these flags would be ignored.
    const flag = ["-s", "-E", "-b", "--policy", "--seed", "--write-back", "--write-through"]
      .find((f) => flags[VALUE_FLAGS[f] ?? BOOL_FLAGS[f]] !== undefined);
    if (flag !== undefined) {
      const got = flags[VALUE_FLAGS[flag] ?? BOOL_FLAGS[flag]];
      return usageError(
        `Cannot run sim cache: ${flag} cannot be combined with --config (the file sets the cache): received ${
          got === true ? flag : JSON.stringify(got)
        }`,
      );
    }
  }
  const plain = plainCsim(flags);
  if (plain !== null) {
    const out = await fastCsim(plain, flags.trace as string, emit);
    return { ...out, stdout };
  }
  const [
    { z },
    { CacheSimulator, MAX_STEP_LOG },
    { loadJsonData },
    { scanTraceFile, streamTraceFile },
  ] = await Promise.all([
    import("zod"),
    import("../cache/simulator.ts"),
    import("../io/data_file.ts"),
    import("../io/trace_file.ts"),
  ]);
  const parsed = cacheCliSettings(z).safeParse(flags);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0] ?? "flags");
    const flag = Object.entries({ ...VALUE_FLAGS, ...BOOL_FLAGS }).find(([, d]) => d === field)
      ?.[0] ?? field;
    const got = flags[field];
    return usageError(
      `Cannot run sim cache: ${flag} ${issue.message}: received ${
        got === undefined ? "nothing" : JSON.stringify(got)
      }`,
    );
  }
  const o = parsed.data;

  // The cache: from --config (a file: unreadable is status 1, a bad hierarchy status 2) or flags.
  let config: unknown;
  if (o.config !== undefined) {
    try {
      const info = await Deno.stat(o.config).catch(() => null);
      if (info?.isFile && info.size > MAX_CONFIG_BYTES) {
        throw new RangeError(
          `Cannot read ${o.config}: a --config file must be at most ${MAX_CONFIG_BYTES} bytes: received ${info.size} bytes`,
        );
      }
      config = await loadJsonData(o.config, z.unknown());
    } catch (e) {
      const message = oneLine(e);
      return {
        stdout: [],
        stderr: [message.includes(o.config) ? message : `--config ${o.config}: ${message}`],
        status: 1,
      };
    }
  } else {
    config = {
      levels: [{
        name: "L1",
        sets: 2 ** o.s!,
        ways: o.E!,
        lineBytes: 2 ** o.b!,
        policy: o.policy,
        seed: o.seed,
        writePolicy: o.writeThrough ? "write-through" as const : "write-back" as const,
      }],
      accessMode: "csim" as const,
      classifyMisses: false,
    };
  }
  let sim: InstanceType<typeof CacheSimulator>;
  let dataL1 = 0;
  try {
    const base = config as CacheHierarchyConfig;
    const verboseConfig = o.verbose ? { ...base, stepLimit: MAX_STEP_LOG } : base;
    sim = new CacheSimulator(
      typeof base === "object" && base !== null && !Array.isArray(base) ? verboseConfig : base,
    );
    dataL1 = typeof base === "object" && base !== null && base.instructionL1 ? 1 : 0;
  } catch (e) {
    const message = oneLine(e);
    // A bad hierarchy in the file: one line naming the file and the field (no usage text).
    if (o.config !== undefined) {
      return { stdout: [], stderr: [`${o.config}: ${message}`], status: 2 };
    }
    return usageError(message);
  }

  // The run: problems with the trace, or limits reached while simulating, are status 1.
  let result: CacheResult;
  const settings = (r: CacheResult) => ({
    s: o.s,
    E: o.E,
    b: o.b,
    trace: o.trace,
    policy: r.levels[0].policy,
    writePolicy: r.levels[0].writePolicy,
  });
  // `-v --json` (csim form) streams its one JSON document too: the lines array is written
  // element by element, and the counts close the document.
  const jsonLines = o.verbose && o.json && o.config === undefined;
  let jsonCount = 0;
  try {
    if (o.verbose) {
      const levelName = sim.result().levels[dataL1].name;
      if (jsonLines) emit(`{"settings":${JSON.stringify(settings(sim.result()))},"lines":[`);
      for await (
        const batch of streamTraceFile(o.trace, { batchSize: VERBOSE_BATCH, stats: options.stats })
      ) {
        const first = sim.result().records;
        sim.run(batch);
        const { steps, dropped } = sim.drainSteps();
        if (dropped) {
          throw new RangeError(
            `Cannot print -v: ${batch.length} records made more than ${MAX_STEP_LOG} steps (accesses that straddle many lines?); run without -v`,
          );
        }
        const words = verboseWords(steps, levelName);
        for (let i = 0; i < batch.length && !stopped; i++) {
          if (batch.ops[i] === OP_IFETCH) continue;
          const line = `${OP_LETTERS[batch.ops[i]]} ${batch.addresses[i].toString(16)},${
            batch.sizes[i]
          }${words.get(first + i) ?? ""}`;
          if (jsonLines) emit((jsonCount++ === 0 ? "" : ",") + JSON.stringify(line));
          else if (!o.json) emit(line);
        }
        if (stopped) return { stdout, stderr: [], status: 0 };
      }
    } else {
      // Each batch is simulated before the scanner reuses it: the same fused reading as csim's.
      await scanTraceFile(o.trace, (batch) => {
        sim.run(batch);
      });
    }
    result = sim.result();
  } catch (e) {
    return { stdout, stderr: [oneLine(e)], status: 1 };
  }
  const l1 = result.levels[0];
  if (o.json) {
    const counts = {
      hits: l1.hits,
      misses: l1.misses,
      evictions: l1.evictions,
      dirtyWritebacks: l1.dirtyWritebacks,
    };
    if (jsonLines) emit(`],${JSON.stringify(counts).slice(1)}`);
    else {
      emit(JSON.stringify(
        o.config !== undefined
          ? { ...result, steps: undefined }
          : { settings: settings(result), ...counts },
      ));
    }
    return { stdout, stderr: [], status: 0 };
  }
  if (o.config !== undefined) {
    for (const l of result.levels) {
      // With the 3C split on (classifyMisses, the default) the misses are split by kind too.
      const split = l.compulsory === null
        ? ""
        : ` compulsory:${l.compulsory} capacity:${l.capacity} conflict:${l.conflict}`;
      emit(`${l.name} hits:${l.hits} misses:${l.misses} evictions:${l.evictions}${split}`);
    }
    emit(`AMAT:${result.amatCycles.toFixed(3)} cycles`);
    return { stdout, stderr: result.warnings.map((w) => `warning: ${w}`), status: 0 };
  }
  emit(`hits:${l1.hits} misses:${l1.misses} evictions:${l1.evictions}`);
  return { stdout, stderr: [], status: 0 };
}

/** Buffers stdout lines and writes them in large pieces; notices a closed pipe. */
function stdoutWriter(): { write: (line: string) => boolean; flush: () => boolean } {
  const encoder = new TextEncoder();
  let buffered: string[] = [];
  let size = 0;
  let open = true;
  const flush = (): boolean => {
    if (!open || buffered.length === 0) return open;
    const bytes = encoder.encode(buffered.join("\n") + "\n");
    buffered = [];
    size = 0;
    try {
      for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
    } catch (e) {
      if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
      open = false;
    }
    return open;
  };
  return {
    write(line) {
      buffered.push(line);
      size += line.length;
      return size < 65536 || flush();
    },
    flush,
  };
}

/** The `cache` model for `deno task sim`. */
export const command: SimCommand = {
  summary: "CS:APP csim: -s S -E E -b B -t TRACE [-v], plus --policy, --config, --json",
  async run(args) {
    const writer = stdoutWriter();
    const out = await cacheCli(args, { write: writer.write });
    writer.flush();
    for (const line of out.stderr) console.error(line);
    return out.status;
  },
};
