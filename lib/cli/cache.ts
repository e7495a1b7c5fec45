/**
 * `deno task sim cache`: CS:APP Cache Lab's `csim`, flag- and
 * output-compatible (`-s -E -b -t [-v] [-h]`, LRU, `M` = load then store,
 * `I` ignored, `hits:H misses:M evictions:E`), plus `--json`, `--policy`,
 * `--write-back` / `--write-through`, and `--config FILE.json` for
 * multi-level hierarchies. Traces ending in `.gz` are gunzipped while
 * streaming; without `-v` a trace is never held in memory whole.
 *
 * @module
 */
import { z } from "zod";
import { CacheHierarchyConfig, type CacheResult, CacheSimulator } from "../cache/mod.ts";
import { loadJsonData, readTraceFile, streamTraceFile } from "../io/mod.ts";
import { OP_IFETCH, OP_LETTERS } from "../trace/mod.ts";
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
  --config <file>   A JSON hierarchy (levels, instructionL1, memoryLatencyCycles, ...).
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

const IntFlag = (max: number) =>
  z.string().regex(/^\d+$/, "must be a non-negative integer").transform(Number).pipe(
    z.number().max(max, `must be at most ${max}`),
  );

/** The settings `sim cache` runs with, after its flags are checked. */
export const CacheCliSettings = z.object({
  s: IntFlag(30).optional(),
  E: IntFlag(65536).pipe(z.number().min(1, "must be at least 1")).optional(),
  b: IntFlag(30).optional(),
  trace: z.string({ error: "is required (-t <file>)" }).min(1, "must not be empty"),
  verbose: z.literal(true).optional(),
  json: z.literal(true).optional(),
  policy: z.string().default("lru"),
  seed: z.string().regex(/^-?\d+$/, "must be an integer").transform(Number).default(0),
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
  if (o.writeBack && o.writeThrough) {
    ctx.addIssue({
      code: "custom",
      path: ["writeThrough"],
      message: "cannot be combined with --write-back",
    });
  }
});

function verboseLines(
  result: CacheResult,
  trace: Awaited<ReturnType<typeof readTraceFile>>,
  dataLevel: number,
) {
  // Data accesses enter at the data L1, which follows the instruction L1 when there is one.
  const words = new Map<number, string>();
  for (const s of result.steps ?? []) {
    if (s.level !== result.levels[dataLevel].name) continue;
    const w = s.outcome === "hit" ? " hit" : s.evicted ? " miss eviction" : " miss";
    words.set(s.index, (words.get(s.index) ?? "") + w);
  }
  const lines: string[] = [];
  for (let i = 0; i < trace.length; i++) {
    if (trace.ops[i] === OP_IFETCH) continue;
    lines.push(
      `${OP_LETTERS[trace.ops[i]]} ${trace.addresses[i].toString(16)},${trace.sizes[i]}${
        words.get(i) ?? ""
      }`,
    );
  }
  return lines;
}

/** Output of one run: what to print on stdout and stderr, and the exit status. */
export interface CacheCliOutput {
  /** Lines for standard output. */
  stdout: string[];
  /** Lines for standard error. */
  stderr: string[];
  /** Exit status: 0 ok, 1 bad input file, 2 usage error. */
  status: number;
}

/**
 * Run `sim cache` on an argument list without touching the console (for tests and notebooks).
 *
 * @param args The arguments after `cache`.
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
export async function cacheCli(args: readonly string[]): Promise<CacheCliOutput> {
  let flags: Record<string, string | true>;
  try {
    flags = parseFlags(args);
  } catch (e) {
    return { stdout: [], stderr: [(e as Error).message, USAGE], status: 2 };
  }
  if (flags.help) return { stdout: [USAGE], stderr: [], status: 0 };
  if (flags.config !== undefined) {
    // The hierarchy file sets the geometry and policies; these flags would be ignored.
    const flag = ["-s", "-E", "-b", "--policy", "--seed", "--write-back", "--write-through"]
      .find((f) => flags[VALUE_FLAGS[f] ?? BOOL_FLAGS[f]] !== undefined);
    if (flag !== undefined) {
      const got = flags[VALUE_FLAGS[flag] ?? BOOL_FLAGS[flag]];
      return {
        stdout: [],
        stderr: [
          `Cannot run sim cache: ${flag} cannot be combined with --config (the file sets the cache): received ${
            got === true ? flag : JSON.stringify(got)
          }`,
          USAGE,
        ],
        status: 2,
      };
    }
  }
  const parsed = CacheCliSettings.safeParse(flags);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0] ?? "flags");
    const flag = Object.entries({ ...VALUE_FLAGS, ...BOOL_FLAGS }).find(([, d]) => d === field)
      ?.[0] ?? field;
    const got = flags[field];
    return {
      stdout: [],
      stderr: [
        `Cannot run sim cache: ${flag} ${issue.message}: received ${
          got === undefined ? "nothing" : JSON.stringify(got)
        }`,
        USAGE,
      ],
      status: 2,
    };
  }
  const o = parsed.data;
  try {
    const config = o.config !== undefined ? await loadJsonData(o.config, CacheHierarchyConfig) : {
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
    let result: CacheResult;
    let lines: string[] = [];
    if (o.verbose) {
      const trace = await readTraceFile(o.trace);
      const sim = new CacheSimulator({ ...config, stepLimit: Number.MAX_SAFE_INTEGER });
      result = sim.run(trace).result();
      lines = verboseLines(
        result,
        trace,
        "instructionL1" in config && config.instructionL1 ? 1 : 0,
      );
    } else {
      const sim = new CacheSimulator(config);
      for await (const batch of streamTraceFile(o.trace)) sim.run(batch);
      result = sim.result();
    }
    const l1 = result.levels[0];
    if (o.json) {
      const doc = o.config !== undefined ? { ...result, steps: undefined } : {
        settings: {
          s: o.s,
          E: o.E,
          b: o.b,
          trace: o.trace,
          policy: l1.policy,
          writePolicy: l1.writePolicy,
        },
        hits: l1.hits,
        misses: l1.misses,
        evictions: l1.evictions,
        dirtyWritebacks: l1.dirtyWritebacks,
        ...(o.verbose ? { lines } : {}),
      };
      return { stdout: [JSON.stringify(doc)], stderr: [], status: 0 };
    }
    if (o.config !== undefined) {
      const out = [...lines];
      for (const l of result.levels) {
        out.push(`${l.name} hits:${l.hits} misses:${l.misses} evictions:${l.evictions}`);
      }
      out.push(`AMAT:${result.amatCycles.toFixed(3)} cycles`);
      return { stdout: out, stderr: result.warnings.map((w) => `warning: ${w}`), status: 0 };
    }
    return {
      stdout: [...lines, `hits:${l1.hits} misses:${l1.misses} evictions:${l1.evictions}`],
      stderr: [],
      status: 0,
    };
  } catch (e) {
    const err = e as Error;
    const usage = err instanceof RangeError || err instanceof TypeError;
    return { stdout: [], stderr: [err.message], status: usage ? 2 : 1 };
  }
}

/** The `cache` model for `deno task sim`. */
export const command: SimCommand = {
  summary: "CS:APP csim: -s S -E E -b B -t TRACE [-v], plus --policy, --config, --json",
  async run(args) {
    const out = await cacheCli(args);
    for (const line of out.stdout) console.log(line);
    for (const line of out.stderr) console.error(line);
    return out.status;
  },
};
