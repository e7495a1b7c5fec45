/**
 * `deno task sim tables`: OSTEP's vm-smalltables/paging-multilevel-translate.py,
 * flag- and output-compatible with its current version (same memory dump,
 * PDBR and addresses for a seed, same walk with `-c`, with the `0x` that
 * upstream commit 6996ef0 "added 0x where relevant" put before the address
 * and the value; checked byte for byte against recorded runs), plus `--json`.
 * Bad input is refused before any output with one line naming the flag, the
 * rule and the value.
 *
 * @module
 */
import { MersenneTwister } from "../random/mersenne.ts";
import { createOstepTwoLevelMemory, ostepMemoryDump, translateOstepTwoLevel } from "../vm/mod.ts";
import {
  type CliOutput,
  intInRange,
  jsonInt,
  ostepCommand,
  ostepHelp,
  type OstepOption,
  parseOstepFlags,
} from "./_ostep.ts";

/** The most virtual addresses a run may generate (-n). */
export const MAX_TABLES_ADDRESSES = 10_000;

const OPTIONS: OstepOption[] = [
  { short: "-s", long: "--seed", dest: "seed", type: "int", default: 0, help: "random seed" },
  {
    short: "-a",
    long: "--allocated",
    dest: "allocated",
    type: "int",
    default: 64,
    help: "number of virtual pages allocated",
  },
  {
    short: "-n",
    long: "--addresses",
    dest: "num",
    type: "int",
    default: 10,
    help: `number of virtual addresses to generate (at most ${MAX_TABLES_ADDRESSES})`,
  },
  { short: "-c", long: "--solve", dest: "solve", type: "flag", help: "compute answers for me" },
];

const HELP = ostepHelp(
  "deno task sim tables [options]   (OSTEP vm-smalltables/paging-multilevel-translate.py)",
  OPTIONS,
);

const hex = (n: number, width = 0) => n.toString(16).padStart(width, "0");

/**
 * Run the two-level page-table model on `args` without touching the console.
 *
 * @param args Command-line arguments as for OSTEP's paging-multilevel-translate.py.
 * @returns The output text and exit status; bad input throws a TypeError or
 *   RangeError naming the flag, the rule and the value.
 *
 * @example Seed 0 with answers
 * ```ts
 * import { tablesCli } from "memgarden/cli/tables.ts";
 * import assert from "node:assert/strict";
 *
 * const out = tablesCli(["-s", "0", "-c"]).stdout;
 * assert.ok(out.includes("Virtual Address 0x611c:\n  --> pde index:0x18 [decimal 24] pde contents:0xa1"));
 * assert.ok(out.includes("--> Translates to Physical Address 0x6bc --> Value: 0x08"));
 * assert.throws(() => tablesCli(["-a", "2000"]), /Invalid -a \(allocated\): must be between 0 and 1024: received 2000/);
 * ```
 */
export function tablesCli(args: readonly string[]): CliOutput {
  const o = parseOstepFlags(args, OPTIONS);
  if (o.help) return { stdout: HELP, status: 0 };
  const seed = o.seed as bigint;
  const allocated = intInRange(o.allocated as bigint, "-a (allocated)", 0, 1024);
  const num = intInRange(
    o.num as bigint,
    "-n (addresses)",
    0,
    MAX_TABLES_ADDRESSES,
    "this simulator's limit on addresses",
  );
  const solve = o.solve === true;
  const mt = new MersenneTwister(seed);
  let machine;
  try {
    machine = createOstepTwoLevelMemory({ allocated, random: mt });
  } catch (e) {
    throw new RangeError(
      `Invalid -a (allocated): the pages and their page tables must fit in 128 physical pages: received ${allocated}`,
      { cause: e },
    );
  }
  const vaddrs: number[] = [];
  for (let i = 0; i < num; i++) {
    if (mt.random() * 100 > 50.0 || i >= machine.allocatedPages.length) {
      vaddrs.push(Math.trunc(mt.random() * 1024 * 32));
    } else {
      vaddrs.push((machine.allocatedPages[i] << 5) | Math.trunc(mt.random() * 32));
    }
  }
  const translations = vaddrs.map((va) => translateOstepTwoLevel(machine, va));
  if (o.json) {
    const doc = {
      model: "tables",
      settings: { seed: jsonInt(seed), allocated, num },
      pdbr: machine.pdbr,
      memory: machine.memory,
      allocatedPages: machine.allocatedPages,
      virtualAddresses: vaddrs,
      ...(solve ? { translations } : {}),
    };
    return { stdout: JSON.stringify(doc) + "\n", status: 0 };
  }
  const out = [
    `ARG seed ${seed}`,
    `ARG allocated ${allocated}`,
    `ARG num ${num}`,
    "",
    ostepMemoryDump(machine),
    "",
    `PDBR: ${machine.pdbr}  (decimal) [This means the page directory is held in this page]`,
    "",
  ];
  for (const t of translations) {
    if (!solve) {
      out.push(
        `Virtual Address ${
          hex(t.virtualAddress, 4)
        }: Translates To What Physical Address (And Fetches what Value)? Or Fault?`,
      );
      continue;
    }
    out.push(`Virtual Address 0x${hex(t.virtualAddress, 4)}:`);
    for (const s of t.steps) {
      const pfn = s.entryValue & 0x7f;
      const kind = s.level === 0 ? "pde" : "pte";
      out.push(
        `${s.level === 0 ? "  " : "    "}--> ${kind} index:0x${
          hex(s.index)
        } [decimal ${s.index}] ${kind} contents:0x${hex(s.entryValue)} (valid ${
          s.valid ? 1 : 0
        }, pfn 0x${hex(pfn, 2)} [decimal ${pfn}])`,
      );
    }
    if (t.ok) {
      out.push(
        `      --> Translates to Physical Address 0x${hex(t.physicalAddress!, 3)} --> Value: 0x${
          hex(machine.memory[t.physicalAddress!], 2)
        }`,
      );
    } else if (t.faultLevel === 0) out.push("      --> Fault (page directory entry not valid)");
    else out.push("      --> Fault (page table entry not valid)");
  }
  out.push("");
  return { stdout: out.join("\n") + "\n", status: 0 };
}

/** The `tables` command for `deno task sim`. */
export const command = ostepCommand(
  "two-level page table (OSTEP paging-multilevel-translate.py): -s SEED -a N -n N [-c]",
  tablesCli,
);
