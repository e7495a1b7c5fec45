/**
 * `deno task sim paging`: OSTEP's vm-beyondphys-policy/paging-policy.py,
 * flag- and output-compatible (same settings lines, same generated problem
 * for a seed, same trace with `-c`, checked byte for byte against recorded
 * runs of the current script), plus `--json`.
 *
 * Unlike the Python script, which accepts anything and may then crash or
 * run out of memory, bad input is refused before any output with one line
 * naming the flag (or file), the rule and the value. The limits below keep
 * every run's memory bounded.
 *
 * @module
 */
import { MersenneTwister } from "../random/mersenne.ts";
import { resolvePagePolicy, simulatePaging } from "../vm/mod.ts";
import {
  type CliOutput,
  intInRange,
  ostepCommand,
  ostepHelp,
  type OstepOption,
  parseOstepFlags,
  pythonFixed,
  pythonInt,
  readTextCapped,
  shownText,
} from "./_ostep.ts";

/** The most references a run may simulate (generated with -n, listed with -a or read with -f). */
export const MAX_PAGING_REFERENCES = 1_000_000;
/** The most frames (-C) a run may have. */
export const MAX_PAGING_FRAMES = 1_000_000;
/** A trace prints up to -C pages on each of its lines: -n × -C may be at most this. */
export const MAX_PAGING_TRACE_CELLS = 500_000;
/** The largest -f file read, in bytes. */
export const MAX_PAGING_FILE_BYTES = 16 * 1024 * 1024;

const OPTIONS: OstepOption[] = [
  {
    short: "-a",
    long: "--addresses",
    dest: "addresses",
    type: "string",
    default: "-1",
    help: "comma-separated pages to access; -1 means randomly generate",
  },
  {
    short: "-f",
    long: "--addressfile",
    dest: "addressfile",
    type: "string",
    default: "",
    help: "a file with one page number per line",
  },
  {
    short: "-n",
    long: "--numaddrs",
    dest: "numaddrs",
    type: "string",
    default: "10",
    help: `if -a is -1, how many pages to generate (at most ${MAX_PAGING_REFERENCES})`,
  },
  {
    short: "-p",
    long: "--policy",
    dest: "policy",
    type: "string",
    default: "FIFO",
    help: "FIFO, LRU, MRU, OPT, UNOPT, RAND, CLOCK",
  },
  {
    short: "-b",
    long: "--clockbits",
    dest: "clockbits",
    type: "int",
    default: 2,
    help: "for CLOCK, how many clock bits to use",
  },
  {
    short: "-C",
    long: "--cachesize",
    dest: "cachesize",
    type: "string",
    default: "3",
    help: `size of the page cache, in pages (at most ${MAX_PAGING_FRAMES})`,
  },
  {
    short: "-m",
    long: "--maxpage",
    dest: "maxpage",
    type: "string",
    default: "10",
    help: "max page number when generating",
  },
  { short: "-s", long: "--seed", dest: "seed", type: "string", default: "0", help: "random seed" },
  {
    short: "-N",
    long: "--notrace",
    dest: "notrace",
    type: "flag",
    help: "do not print a detailed trace",
  },
  { short: "-c", long: "--compute", dest: "solve", type: "flag", help: "compute answers for me" },
];

const HELP = ostepHelp(
  "deno task sim paging [options]   (OSTEP vm-beyondphys-policy/paging-policy.py)",
  OPTIONS,
);

const fmtList = (xs: number[]) => `[${xs.join(", ")}]`;
const policyNames = "FIFO, LRU, MRU, OPT, UNOPT, RAND, CLOCK";

/** Python's `for line in open(path)`: universal newlines, no empty last line. */
function fileReferences(text: string, path: string): number[] {
  const what = `Cannot read -f (addressfile) "${path}"`;
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines.length > MAX_PAGING_REFERENCES) {
    throw new RangeError(
      `${what}: must hold at most ${MAX_PAGING_REFERENCES} page numbers: received ${lines.length} lines`,
    );
  }
  return lines.map((line, i) => {
    const rule = "must be a page number (a non-negative integer)";
    let n: bigint;
    try {
      n = pythonInt(line, `line ${i + 1}`);
    } catch (e) {
      throw new SyntaxError(`${what}: line ${i + 1} ${rule}: received ${shownText(line)}`, {
        cause: e,
      });
    }
    if (n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER)) {
      const shown = String(n).length > 80 ? shownText(String(n)) : String(n);
      throw new RangeError(`${what}: line ${i + 1} ${rule} below 2^53: received ${shown}`);
    }
    return Number(n);
  });
}

/**
 * Run the paging model on `args` without touching the console: pure apart
 * from `readFile` (used for `-f`).
 *
 * @param args Command-line arguments as for OSTEP's paging-policy.py.
 * @param readFile Reads the `-f` file (the command passes a size-capped reader).
 * @returns The output text and exit status; bad input throws a TypeError,
 *   RangeError or SyntaxError naming the flag or file, the rule and the value.
 *
 * @example Belady's string with FIFO and three frames
 * ```ts
 * import { pagingCli } from "memgarden/cli/paging.ts";
 * import assert from "node:assert/strict";
 *
 * const out = pagingCli(["-a", "1,2,3,4,1,2,5,1,2,3,4,5", "-C", "3", "-c", "-N"]);
 * assert.ok(out.stdout.includes("FINALSTATS hits 3   misses 9   hitrate 25.00"));
 * assert.throws(() => pagingCli(["-m", "-5", "-c"]), /Invalid -m \(maxpage\): must be between 0 and 9007199254740992 .*: received -5/);
 * ```
 */
export function pagingCli(
  args: readonly string[],
  readFile: (path: string) => string = () => {
    throw new TypeError("Cannot read -f (addressfile): no file reader given");
  },
): CliOutput {
  const o = parseOstepFlags(args, OPTIONS);
  if (o.help) return { stdout: HELP, status: 0 };
  const text = (k: string) => o[k] as string;
  const solve = o.solve === true;
  const notrace = o.notrace === true;
  const numaddrs = intInRange(
    pythonInt(text("numaddrs"), "-n (numaddrs)"),
    "-n (numaddrs)",
    0,
    MAX_PAGING_REFERENCES,
    "this simulator's limit on references",
  );
  const cachesize = intInRange(
    pythonInt(text("cachesize"), "-C (cachesize)"),
    "-C (cachesize)",
    1,
    MAX_PAGING_FRAMES,
  );
  const seed = pythonInt(text("seed"), "-s (seed)");
  const maxpage = intInRange(
    pythonInt(text("maxpage"), "-m (maxpage)"),
    "-m (maxpage)",
    0,
    2 ** 53,
    "pages are numbered from 0",
  );
  const clockbits = intInRange(o.clockbits as bigint, "-b (clockbits)", 0, 2 ** 31 - 1);
  const policyName = text("policy");
  let policy;
  try {
    policy = resolvePagePolicy(policyName);
  } catch (e) {
    throw new RangeError(
      `Invalid -p (policy): must be one of ${policyNames}: received "${policyName}"`,
      {
        cause: e,
      },
    );
  }
  const addresses = text("addresses");
  const addressfile = text("addressfile");

  let refs: ArrayLike<number> | undefined;
  let count = numaddrs;
  let source = "-n (numaddrs)";
  if (addressfile !== "") {
    source = `-f (addressfile) "${addressfile}"`;
    refs = fileReferences(readFile(addressfile), addressfile);
  } else if (addresses !== "-1") {
    source = "-a (addresses)";
    const items = addresses.split(",");
    if (items.length > MAX_PAGING_REFERENCES) {
      throw new RangeError(
        `Invalid -a (addresses): must list at most ${MAX_PAGING_REFERENCES} pages: received ${items.length}`,
      );
    }
    refs = items.map((s) => {
      const n = pythonInt(s, "-a (addresses)");
      return intInRange(n, "-a (addresses)", 0, Number.MAX_SAFE_INTEGER, "each page number");
    });
  }
  if (refs) count = refs.length;
  if (solve && count === 0) {
    throw new RangeError(
      `Invalid ${source}: -c needs at least one reference (the hit rate of none is undefined): received 0`,
    );
  }
  const trace = solve && !notrace;
  if (trace && count * cachesize > MAX_PAGING_TRACE_CELLS) {
    throw new RangeError(
      `Invalid ${source}: a trace prints up to -C pages per reference, so references × -C must be at most ${MAX_PAGING_TRACE_CELLS} (add -N to print only the totals): received ${count} × ${cachesize}`,
    );
  }
  const mt = new MersenneTwister(seed);
  if (!refs) {
    const generated = new Float64Array(numaddrs);
    for (let i = 0; i < numaddrs; i++) generated[i] = Math.trunc(maxpage * mt.random());
    refs = generated;
  }

  const settings = {
    addresses,
    addressfile,
    numaddrs,
    policy: policyName,
    clockbits,
    cachesize,
    maxpage,
    seed: text("seed"),
    notrace,
  };
  const lines = [
    `ARG addresses ${addresses}`,
    `ARG addressfile ${addressfile}`,
    `ARG numaddrs ${text("numaddrs")}`,
    `ARG policy ${policyName}`,
    `ARG clockbits ${clockbits}`,
    `ARG cachesize ${text("cachesize")}`,
    `ARG maxpage ${text("maxpage")}`,
    `ARG seed ${text("seed")}`,
    `ARG notrace ${notrace ? "True" : "False"}`,
    "",
  ];
  if (!solve) {
    if (o.json) {
      const doc = { model: "paging", settings, references: Array.from(refs) };
      return { stdout: JSON.stringify(doc, null, 2) + "\n", status: 0 };
    }
    lines.push(
      `Assuming a replacement policy of ${policyName}, and a cache of size ${cachesize} pages,`,
      "figure out whether each of the following page references hit or miss",
      "in the page cache.",
      "",
    );
    for (let i = 0; i < refs.length; i++) {
      lines.push(`Access: ${refs[i]}  Hit/Miss?  State of Memory?`);
    }
    lines.push("", "");
    return { stdout: lines.join("\n"), status: 0 };
  }
  if (trace && !o.json) lines.push("Solving...", "");
  const [left, right] = [policy.labels?.[0] ?? "Left ", policy.labels?.[1] ?? "Right"];
  const result = simulatePaging({
    frames: cachesize,
    policy,
    references: refs,
    steps: trace && o.json === true,
    random: () => mt.random(),
    clockBits: clockbits,
    ...(trace && !o.json
      ? {
        onStep: (s) =>
          lines.push(
            `Access: ${s.page}  ${s.hit ? "HIT " : "MISS"} ${left} -> ${
              fmtList(s.resident).padStart(12)
            } <- ${right} Replaced:${s.victim ?? "-"} [Hits:${s.hits} Misses:${s.misses}]`,
          ),
      }
      : {}),
  });
  if (o.json) {
    const doc = { model: "paging", settings, references: Array.from(refs), result };
    return { stdout: JSON.stringify(doc, null, 2) + "\n", status: 0 };
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

/** The `paging` command for `deno task sim`. */
export const command = ostepCommand(
  "page replacement (OSTEP paging-policy.py): -p POLICY -C FRAMES -a REFS | -s SEED -n N [-c]",
  (args) =>
    pagingCli(
      args,
      (path) => readTextCapped(path, "-f (addressfile)", MAX_PAGING_FILE_BYTES),
    ),
);
