/**
 * `deno task sim malloc`: OSTEP's vm-freespace/malloc.py, flag- and
 * output-compatible (same settings lines, same random problem for a seed,
 * same answers with `-c`, byte for byte against recorded runs of the
 * current script), plus `--json`.
 *
 * Where the Python script stops with an exception (a bad policy, `-P 0`, a
 * malformed `-A` item, freeing the index of a failed allocation), the same
 * standard output is printed, the exception goes to standard error, and the
 * exit status is 1, as Python's. Flags that are not integers, `-n`
 * beyond {@linkcode MAX_MALLOC_OPS}, and a run whose free lists could exceed
 * {@linkcode MAX_MALLOC_LIST_ENTRIES} entries in all (each operation keeps,
 * and `-c` prints, the whole free list) are usage errors (status 2) before
 * any output, so a run's memory and output stay bounded.
 *
 * @module
 */
import {
  type OstepFreeEntry,
  type OstepMallocEvent,
  type OstepMallocSettings,
  OstepScriptError,
  runOstepMalloc,
} from "../heap/mod.ts";
import type { SimCommand } from "./main.ts";
import {
  type CliOutput,
  intInRange,
  isUsageError,
  ostepHelp,
  type OstepOption,
  parseOstepFlags,
  USAGE_EXIT,
} from "./_ostep.ts";
import { writeStdoutSync } from "./_process.ts";

const OPTIONS: OstepOption[] = [
  { short: "-s", long: "--seed", dest: "seed", type: "int", default: 0, help: "the random seed" },
  {
    short: "-S",
    long: "--size",
    dest: "heapSize",
    type: "int",
    default: 100,
    help: "size of the heap",
  },
  {
    short: "-b",
    long: "--baseAddr",
    dest: "baseAddr",
    type: "int",
    default: 1000,
    help: "base address of heap",
  },
  {
    short: "-H",
    long: "--headerSize",
    dest: "headerSize",
    type: "int",
    default: 0,
    help: "size of the header",
  },
  {
    short: "-a",
    long: "--alignment",
    dest: "alignment",
    type: "int",
    default: -1,
    help: "align allocated units to size; -1->no align",
  },
  {
    short: "-p",
    long: "--policy",
    dest: "policy",
    type: "string",
    default: "BEST",
    help: "list search (BEST, WORST, FIRST)",
  },
  {
    short: "-l",
    long: "--listOrder",
    dest: "order",
    type: "string",
    default: "ADDRSORT",
    help: "list order (ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT, INSERT-BACK)",
  },
  {
    short: "-C",
    long: "--coalesce",
    dest: "coalesce",
    type: "flag",
    default: false,
    help: "coalesce the free list?",
  },
  {
    short: "-n",
    long: "--numOps",
    dest: "opsNum",
    type: "int",
    default: 10,
    help: "number of random ops to generate",
  },
  {
    short: "-r",
    long: "--range",
    dest: "opsRange",
    type: "int",
    default: 10,
    help: "max alloc size",
  },
  {
    short: "-P",
    long: "--percentAlloc",
    dest: "opsPAlloc",
    type: "int",
    default: 50,
    help: "percent of ops that are allocs",
  },
  {
    short: "-A",
    long: "--allocList",
    dest: "opsList",
    type: "string",
    default: "",
    help: "instead of random, list of ops (+10,-0,etc)",
  },
  {
    short: "-c",
    long: "--compute",
    dest: "solve",
    type: "flag",
    default: false,
    help: "compute answers for me",
  },
];

/** The most random operations a run may ask for (`-n`). */
export const MAX_MALLOC_OPS = 100_000;
/**
 * The most free-list entries a run may keep in all: each operation keeps a copy
 * of the free list (`-c` prints it), which holds at most min(-S, operations)
 * entries, so operations × min(-S, operations) must stay under this (about
 * 200 MB and 1 s at the default heap of 100; `-n 1000000` took 3.9 GB and 81 s,
 * then failed).
 */
export const MAX_MALLOC_LIST_ENTRIES = 2_000_000;
/** The largest magnitude of the other integer flags, so that every address stays exact. */
const MAX_INT = 2 ** 50;

const pyBool = (b: boolean) => (b ? "True" : "False");
const dump = (list: OstepFreeEntry[]) =>
  `Free List [ Size ${list.length} ]: ${
    list.map((e) => `[ addr:${e.addr} sz:${e.size} ]`).join("")
  }`;

function formatEvents(
  events: readonly OstepMallocEvent[],
  solve: boolean,
  listMode: boolean,
): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.kind === "invalid-free") {
      out.push("Invalid Free: Skipping");
      continue;
    }
    if (e.kind === "free-unknown") {
      out.push(`Free(ptr[${e.index}])`);
      continue;
    }
    if (e.kind === "alloc") {
      out.push(
        `ptr[${e.index}] = Alloc(${e.size})` +
          (solve ? ` returned ${e.shownAddr} (searched ${e.searched} elements)` : " returned ?"),
      );
    } else {
      out.push(`Free(ptr[${e.index}])`, solve ? `returned ${e.rc}` : "returned ?");
    }
    out.push(solve ? dump(e.freeList) : listMode ? "List?" : "List? ", "");
  }
  return out;
}

/**
 * Run the malloc model on `args` without touching the console.
 *
 * @param args Command-line arguments as for OSTEP's malloc.py.
 * @returns Standard output, standard error (the Python exception where the
 *   script would stop with one) and the exit status (0, or 1 after such an exception).
 * @throws {TypeError} For an unknown flag or a value that is not an integer (a usage error).
 * @throws {RangeError} For `-n` above {@linkcode MAX_MALLOC_OPS}, another integer beyond 2^50,
 *   or operations × min(-S, operations) above {@linkcode MAX_MALLOC_LIST_ENTRIES}.
 *
 * @example OSTEP's first question with answers
 * ```ts
 * import { mallocCli } from "memgarden/cli/malloc.ts";
 * import assert from "node:assert/strict";
 *
 * const out = mallocCli(["-n", "10", "-H", "0", "-p", "BEST", "-s", "0", "-c"]);
 * assert.ok(out.stdout.includes("ptr[0] = Alloc(3) returned 1000 (searched 1 elements)"));
 * ```
 */
export function mallocCli(args: readonly string[]): CliOutput & { stderr: string } {
  const raw = parseOstepFlags(args, OPTIONS);
  if (raw.help) {
    const usage = "deno task sim malloc [options]   (OSTEP malloc.py)";
    return { stdout: ostepHelp(usage, OPTIONS), stderr: "", status: 0 };
  }
  const int = (dest: string, label: string, max = MAX_INT) =>
    intInRange(raw[dest] as bigint, label, -MAX_INT, max);
  const settings: OstepMallocSettings = {
    seed: int("seed", "-s (seed)"),
    heapSize: int("heapSize", "-S (size)"),
    baseAddr: int("baseAddr", "-b (baseAddr)"),
    headerSize: int("headerSize", "-H (headerSize)"),
    alignment: int("alignment", "-a (alignment)"),
    policy: raw.policy as string,
    order: raw.order as string,
    coalesce: raw.coalesce === true,
    opsNum: int("opsNum", "-n (numOps)", MAX_MALLOC_OPS),
    opsRange: int("opsRange", "-r (range)"),
    opsPAlloc: int("opsPAlloc", "-P (percentAlloc)"),
    opsList: raw.opsList as string,
  };
  const listed = settings.opsList !== "";
  const ops = Math.max(0, listed ? settings.opsList.split(",").length : settings.opsNum);
  const longest = Math.max(1, Math.min(settings.heapSize, ops));
  if (ops * longest > MAX_MALLOC_LIST_ENTRIES) {
    const [flag, n] = listed ? ["-A (allocList)", "the operations"] : ["-n (numOps)", "-n"];
    throw new RangeError(
      `Invalid ${flag}: each operation keeps (and -c prints) the free list, up to min(-S, ${n}) entries, so ${n} × min(-S, ${n}) must be at most ${MAX_MALLOC_LIST_ENTRIES}: received ${ops} × ${longest}`,
    );
  }
  const solve = raw.solve === true;
  let run;
  try {
    run = runOstepMalloc(settings);
  } catch (e) {
    // the script checks its policy and list order before printing anything
    if (e instanceof OstepScriptError) return { stdout: "", stderr: e.message + "\n", status: 1 };
    throw e;
  }
  const stderr = run.crash ? run.crash + "\n" : "";
  const status = run.crash ? 1 : 0;
  if (raw.json) {
    const doc = { model: "malloc", settings, solve, events: run.events, crash: run.crash };
    return { stdout: JSON.stringify(doc, null, 2) + "\n", stderr, status };
  }
  const s = settings;
  const lines = [
    `seed ${s.seed}`,
    `size ${s.heapSize}`,
    `baseAddr ${s.baseAddr}`,
    `headerSize ${s.headerSize}`,
    `alignment ${s.alignment}`,
    `policy ${s.policy}`,
    `listOrder ${s.order}`,
    `coalesce ${pyBool(s.coalesce)}`,
    `numOps ${s.opsNum}`,
    `range ${s.opsRange}`,
    `percentAlloc ${s.opsPAlloc}`,
    `allocList ${s.opsList}`,
    `compute ${pyBool(solve)}`,
    "",
    ...formatEvents(run.events, solve, s.opsList !== ""),
  ];
  return { stdout: lines.join("\n") + "\n", stderr, status };
}

/** The `malloc` command for `deno task sim`. */
export const command: SimCommand = {
  summary:
    "free-list allocator (OSTEP malloc.py): -S SIZE -p BEST|WORST|FIRST -l ORDER -C -A OPS | -s SEED [-c]",
  run(args: string[]): Promise<number> {
    let out;
    try {
      out = mallocCli(args);
    } catch (e) {
      if (!isUsageError(e)) throw e;
      console.error(e.message);
      return Promise.resolve(USAGE_EXIT);
    }
    // All of it, however many pieces the pipe takes; a reader that went away (| head) ends it.
    writeStdoutSync(new TextEncoder().encode(out.stdout));
    if (out.stderr) Deno.stderr.writeSync(new TextEncoder().encode(out.stderr));
    return Promise.resolve(out.status);
  },
};
