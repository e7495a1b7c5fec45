/**
 * `deno task sim tables`: OSTEP's vm-smalltables/paging-multilevel-translate.py,
 * flag- and output-compatible (same memory dump, PDBR and addresses for a
 * seed, same walk with `-c`), plus `--json`.
 *
 * @module
 */
import { MersenneTwister } from "../random/mersenne.ts";
import { createOstepTwoLevelMemory, ostepMemoryDump, translateOstepTwoLevel } from "../vm/mod.ts";
import type { SimCommand } from "./main.ts";
import { type CliOutput, type OstepOption, parseOstepFlags } from "./paging.ts";
import { optparseInt } from "./translate.ts";

const OPTIONS: OstepOption[] = [
  { short: "-s", long: "--seed", dest: "seed" },
  { short: "-a", long: "--allocated", dest: "allocated" },
  { short: "-n", long: "--addresses", dest: "num" },
  { short: "-c", long: "--solve", dest: "solve", flag: true },
  { short: "-h", long: "--help", dest: "help", flag: true },
];

const hex = (n: number, width = 0) => n.toString(16).padStart(width, "0");

/**
 * Run the two-level page-table model on `args` without touching the console.
 *
 * @param args Command-line arguments as for OSTEP's paging-multilevel-translate.py.
 * @returns The output text and exit status; bad parameters throw an error naming flag, rule and value.
 *
 * @example Seed 0 with answers
 * ```ts
 * import { tablesCli } from "memgarden/cli/tables.ts";
 * import assert from "node:assert/strict";
 *
 * const out = tablesCli(["-s", "0", "-c"]).stdout;
 * assert.ok(out.includes("Virtual Address 611c:\n  --> pde index:0x18 [decimal 24] pde contents:0xa1"));
 * assert.throws(() => tablesCli(["-a", "2000"]), /Invalid -a \(allocated\): must be between 0 and 1024: received 2000/);
 * ```
 */
export function tablesCli(args: readonly string[]): CliOutput {
  const raw = parseOstepFlags(args, OPTIONS);
  if (raw.help) return { stdout: HELP, status: 0 };
  const str = (k: string, d: string) => (typeof raw[k] === "string" ? raw[k] as string : d);
  const seed = optparseInt(str("seed", "0"), "-s (seed)");
  const allocated = optparseInt(str("allocated", "64"), "-a (allocated)");
  const num = optparseInt(str("num", "10"), "-n (addresses)");
  const solve = raw.solve === true;
  if (allocated < 0 || allocated > 1024) {
    throw new RangeError(
      `Invalid -a (allocated): must be between 0 and 1024: received ${allocated}`,
    );
  }
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
  if (json(raw)) {
    const doc = {
      model: "tables",
      settings: { seed, allocated, num },
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
    out.push(`Virtual Address ${hex(t.virtualAddress, 4)}:`);
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
        `      --> Translates to Physical Address 0x${hex(t.physicalAddress!, 3)} --> Value: ${
          hex(machine.memory[t.physicalAddress!], 2)
        }`,
      );
    } else if (t.faultLevel === 0) out.push("      --> Fault (page directory entry not valid)");
    else out.push("      --> Fault (page table entry not valid)");
  }
  out.push("");
  return { stdout: out.join("\n") + "\n", status: 0 };
}

const json = (raw: Record<string, string | true>) => raw.json === true;

const HELP = `Usage: deno task sim tables [options]   (OSTEP paging-multilevel-translate.py)

Options:
  -s SEED, --seed=SEED                 random number seed (default 0)
  -a ALLOCATED, --allocated=ALLOCATED  number of virtual pages allocated (default 64)
  -n NUM, --addresses=NUM              number of virtual addresses to generate (default 10)
  -c, --solve                          compute answers for me
  --json                               print one JSON document instead
`;

/** The `tables` command for `deno task sim`. */
export const command: SimCommand = {
  summary: "two-level page table (OSTEP paging-multilevel-translate.py): -s SEED -a N -n N [-c]",
  run(args: string[]): Promise<number> {
    try {
      const out = tablesCli(args);
      Deno.stdout.writeSync(new TextEncoder().encode(out.stdout));
      return Promise.resolve(out.status);
    } catch (e) {
      console.error(e instanceof Error ? e.message : String(e));
      return Promise.resolve(2);
    }
  },
};
