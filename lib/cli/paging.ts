/**
 * `deno task sim paging`: OSTEP's vm-beyondphys-policy/paging-policy.py,
 * flag- and output-compatible (same settings lines, same generated problem
 * for a seed, same trace with `-c`), plus `--json`.
 *
 * @module
 */
import { z } from "zod";
import { MersenneTwister } from "../random/mersenne.ts";
import { resolvePagePolicy, simulatePaging } from "../vm/mod.ts";
import type { SimCommand } from "./main.ts";

/** One option of an optparse-style command line. */
export interface OstepOption {
  /** Short flag, e.g. "-s". */
  short: string;
  /** Long flag, e.g. "--seed". */
  long?: string;
  /** Key in the parsed result. */
  dest: string;
  /** True for flags without a value. */
  flag?: boolean;
}

/**
 * Parse a command line the way Python's optparse does (`-s 5`, `-s5`,
 * `--seed 5`, `--seed=5`, bundled flags `-cN`), plus `--json`.
 *
 * @param args The arguments.
 * @param options The accepted options.
 * @returns Values by `dest` (strings, or `true` for flags), with `json`.
 *
 * @example Short, bundled and long forms
 * ```ts
 * import { parseOstepFlags } from "memgarden/cli/paging.ts";
 * import assert from "node:assert/strict";
 *
 * const opts = [{ short: "-s", long: "--seed", dest: "seed" }, { short: "-c", dest: "solve", flag: true }];
 * assert.deepEqual(parseOstepFlags(["-s5", "-c"], opts), { seed: "5", solve: true });
 * ```
 */
export function parseOstepFlags(
  args: readonly string[],
  options: readonly OstepOption[],
): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--json") {
      out.json = true;
      continue;
    }
    if (arg.startsWith("--")) {
      const [name, inline] = arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
      const opt = options.find((o) => o.long === name);
      if (!opt) throw new TypeError(`Cannot parse flags: unknown option: received "${name}"`);
      if (opt.flag) out[opt.dest] = true;
      else {
        const value = inline ?? args[++i];
        if (value === undefined) {
          throw new TypeError(`Cannot parse flags: ${name} requires a value: received nothing`);
        }
        out[opt.dest] = value;
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const name = "-" + arg[j];
        const opt = options.find((o) => o.short === name);
        if (!opt) throw new TypeError(`Cannot parse flags: unknown option: received "${name}"`);
        if (opt.flag) {
          out[opt.dest] = true;
          continue;
        }
        const rest = arg.slice(j + 1);
        const value = rest !== "" ? rest : args[++i];
        if (value === undefined) {
          throw new TypeError(`Cannot parse flags: ${name} requires a value: received nothing`);
        }
        out[opt.dest] = value;
        break;
      }
      continue;
    }
    throw new TypeError(`Cannot parse flags: unexpected argument: received "${arg}"`);
  }
  return out;
}

/**
 * Python's `int(text)` for decimal text (sign, surrounding spaces, underscores).
 *
 * @param text The text.
 * @param field The flag name for the error message.
 * @returns The integer as a bigint.
 *
 * @example Like Python's int()
 * ```ts
 * import { pythonInt } from "memgarden/cli/paging.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pythonInt(" -1_000 ", "seed"), -1000n);
 * ```
 */
export function pythonInt(text: string, field: string): bigint {
  const t = text.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(t)) {
    throw new TypeError(`Invalid ${field}: must be an integer: received "${text}"`);
  }
  return BigInt(t.replace(/_/g, ""));
}

/**
 * Python's `'%.Nf' % x`: round half to even on the exact binary value.
 *
 * @param x The number.
 * @param digits Digits after the point.
 * @returns The formatted text.
 *
 * @example Ties go to even, as in Python
 * ```ts
 * import { pythonFixed } from "memgarden/cli/paging.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pythonFixed(3.125, 2), "3.12");
 * assert.equal(pythonFixed(8.3333, 2), "8.33");
 * ```
 */
export function pythonFixed(x: number, digits: number): string {
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf(".");
  const kept = exact.slice(0, point + 1 + digits);
  const rest = exact.slice(point + 1 + digits);
  const first = rest[0] ?? "0";
  const tail = rest.slice(1);
  let up = first > "5" || (first === "5" && /[1-9]/.test(tail));
  if (first === "5" && !/[1-9]/.test(tail)) {
    const last = kept.replace(".", "").slice(-1);
    up = Number(last) % 2 === 1;
  }
  let digitsOnly = kept.replace(".", "");
  if (up) digitsOnly = (BigInt(digitsOnly) + 1n).toString().padStart(digitsOnly.length, "0");
  const intLen = digitsOnly.length - digits;
  const text = digits > 0
    ? `${digitsOnly.slice(0, intLen)}.${digitsOnly.slice(intLen)}`
    : digitsOnly;
  return (x < 0 && /[1-9]/.test(text) ? "-" : "") + text;
}

const OPTIONS: OstepOption[] = [
  { short: "-a", long: "--addresses", dest: "addresses" },
  { short: "-f", long: "--addressfile", dest: "addressfile" },
  { short: "-n", long: "--numaddrs", dest: "numaddrs" },
  { short: "-p", long: "--policy", dest: "policy" },
  { short: "-b", long: "--clockbits", dest: "clockbits" },
  { short: "-C", long: "--cachesize", dest: "cachesize" },
  { short: "-m", long: "--maxpage", dest: "maxpage" },
  { short: "-s", long: "--seed", dest: "seed" },
  { short: "-N", long: "--notrace", dest: "notrace", flag: true },
  { short: "-c", long: "--compute", dest: "solve", flag: true },
  { short: "-h", long: "--help", dest: "help", flag: true },
];

/** The settings of a `paging` run, after validation. */
export const PagingCliSettings = z.object({
  addresses: z.string().default("-1"),
  addressfile: z.string().default(""),
  numaddrs: z.string().default("10"),
  policy: z.string().default("FIFO"),
  clockbits: z.string().default("2"),
  cachesize: z.string().default("3"),
  maxpage: z.string().default("10"),
  seed: z.string().default("0"),
  notrace: z.boolean().default(false),
  solve: z.boolean().default(false),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

/** What a CLI run produced. */
export interface CliOutput {
  /** Text for standard output. */
  stdout: string;
  /** Exit status. */
  status: number;
}

const fmtList = (xs: number[]) => `[${xs.join(", ")}]`;

/**
 * Run the paging model on `args` without touching the console: pure apart
 * from `readFile` (used for `-f`).
 *
 * @param args Command-line arguments as for OSTEP's paging-policy.py.
 * @param readFile Reads the `-f` file (the command passes `Deno.readTextFileSync`).
 * @returns The output text and exit status.
 *
 * @example Belady's string with FIFO and three frames
 * ```ts
 * import { pagingCli } from "memgarden/cli/paging.ts";
 * import assert from "node:assert/strict";
 *
 * const out = pagingCli(["-a", "1,2,3,4,1,2,5,1,2,3,4,5", "-C", "3", "-c", "-N"]);
 * assert.ok(out.stdout.includes("FINALSTATS hits 3   misses 9   hitrate 25.00"));
 * ```
 */
export function pagingCli(
  args: readonly string[],
  readFile: (path: string) => string = () => {
    throw new TypeError("Cannot read -f file: no file reader given");
  },
): CliOutput {
  const raw = parseOstepFlags(args, OPTIONS);
  const parsed = PagingCliSettings.safeParse(raw);
  if (!parsed.success) {
    throw new TypeError(`Invalid flags: ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  }
  const o = parsed.data;
  if (o.help) return { stdout: HELP, status: 0 };
  const numaddrs = Number(pythonInt(o.numaddrs, "-n (numaddrs)"));
  const cachesize = Number(pythonInt(o.cachesize, "-C (cachesize)"));
  const seed = pythonInt(o.seed, "-s (seed)");
  const maxpage = Number(pythonInt(o.maxpage, "-m (maxpage)"));
  const clockbits = Number(pythonInt(o.clockbits, "-b (clockbits)"));
  if (cachesize < 1) {
    throw new RangeError(`Invalid -C (cachesize): must be at least 1: received ${cachesize}`);
  }
  const mt = new MersenneTwister(seed);
  let refs: number[];
  if (o.addressfile !== "") {
    refs = readFile(o.addressfile).split("\n").map((line, i) => ({ line, i }))
      .filter(({ line }, idx, all) => !(idx === all.length - 1 && line === ""))
      .map(({ line, i }) => {
        try {
          return Number(pythonInt(line, `line ${i + 1} of ${o.addressfile}`));
        } catch (e) {
          throw new SyntaxError(
            `Cannot read ${o.addressfile}: line ${i + 1} must be a page number: received "${line}"`,
            { cause: e },
          );
        }
      });
  } else if (o.addresses === "-1") {
    refs = Array.from({ length: Math.max(0, numaddrs) }, () => Math.trunc(maxpage * mt.random()));
  } else {
    refs = o.addresses.split(",").map((s) => Number(pythonInt(s, "-a (addresses)")));
  }
  const lines = [
    `ARG addresses ${o.addresses}`,
    `ARG addressfile ${o.addressfile}`,
    `ARG numaddrs ${o.numaddrs}`,
    `ARG policy ${o.policy}`,
    `ARG clockbits ${o.clockbits}`,
    `ARG cachesize ${o.cachesize}`,
    `ARG maxpage ${o.maxpage}`,
    `ARG seed ${o.seed}`,
    `ARG notrace ${o.notrace ? "True" : "False"}`,
    "",
  ];
  const settings = {
    addresses: o.addresses,
    addressfile: o.addressfile,
    numaddrs,
    policy: o.policy,
    clockbits,
    cachesize,
    maxpage,
    seed: o.seed,
    notrace: o.notrace,
  };
  if (!o.solve) {
    if (o.json) {
      return {
        stdout: JSON.stringify({ model: "paging", settings, references: refs }, null, 2) + "\n",
        status: 0,
      };
    }
    lines.push(
      `Assuming a replacement policy of ${o.policy}, and a cache of size ${cachesize} pages,`,
      "figure out whether each of the following page references hit or miss",
      "in the page cache.",
      "",
    );
    for (const n of refs) lines.push(`Access: ${n}  Hit/Miss?  State of Memory?`);
    lines.push("", "");
    return { stdout: lines.join("\n"), status: 0 };
  }
  if (refs.length === 0) {
    throw new RangeError("Invalid reference string: it must not be empty: received 0 references");
  }
  const policy = resolvePagePolicy(o.policy);
  const result = simulatePaging({
    frames: cachesize,
    policy,
    references: refs,
    steps: true,
    random: () => mt.random(),
    clockBits: clockbits,
  });
  if (o.json) {
    return {
      stdout: JSON.stringify({ model: "paging", settings, references: refs, result }, null, 2) +
        "\n",
      status: 0,
    };
  }
  if (!o.notrace) lines.push("Solving...", "");
  const [left, right] = result.labels;
  if (!o.notrace) {
    for (const s of result.steps!) {
      lines.push(
        `Access: ${s.page}  ${s.hit ? "HIT " : "MISS"} ${left} -> ${
          fmtList(s.resident).padStart(12)
        } <- ${right} Replaced:${s.victim ?? "-"} [Hits:${s.hits} Misses:${s.misses}]`,
      );
    }
  }
  lines.push(
    "",
    `FINALSTATS hits ${result.hits}   misses ${result.misses}   hitrate ${
      pythonFixed((100 * result.hits) / (result.hits + result.misses), 2)
    }`,
    "",
    "",
  );
  return { stdout: lines.join("\n"), status: 0 };
}

const HELP = `Usage: deno task sim paging [options]   (OSTEP paging-policy.py)

Options:
  -a ADDRESSES, --addresses=ADDRESSES  comma-separated pages to access; -1 means randomly generate
  -f FILE, --addressfile=FILE          a file with one page number per line
  -n NUM, --numaddrs=NUM               if -a is -1, how many pages to generate (default 10)
  -p POLICY, --policy=POLICY           FIFO, LRU, OPT, UNOPT, RAND, CLOCK (default FIFO)
  -b BITS, --clockbits=BITS            for CLOCK, how many clock bits to use (default 2)
  -C SIZE, --cachesize=SIZE            size of the page cache, in pages (default 3)
  -m MAX, --maxpage=MAX                max page number when generating (default 10)
  -s SEED, --seed=SEED                 random number seed (default 0)
  -N, --notrace                        do not print a detailed trace
  -c, --compute                        compute answers for me
  --json                               print one JSON document instead
`;

/** The `paging` command for `deno task sim`. */
export const command: SimCommand = {
  summary:
    "page replacement (OSTEP paging-policy.py): -p POLICY -C FRAMES -a REFS | -s SEED -n N [-c]",
  run(args: string[]): Promise<number> {
    try {
      const out = pagingCli(args, (path) => Deno.readTextFileSync(path));
      Deno.stdout.writeSync(new TextEncoder().encode(out.stdout));
      return Promise.resolve(out.status);
    } catch (e) {
      console.error(e instanceof Error ? e.message : String(e));
      return Promise.resolve(2);
    }
  },
};
