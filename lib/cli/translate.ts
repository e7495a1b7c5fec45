/**
 * `deno task sim translate`: OSTEP's vm-paging/paging-linear-translate.py,
 * flag- and output-compatible (same settings lines, same generated page table
 * and addresses for a seed, same answers with `-c`, checked byte for byte
 * against recorded runs of the current script), plus `--json`.
 *
 * Where the Python script prints an error after its settings (exit 1), or
 * crashes (an address beyond the address space), this model refuses bad
 * input before any output with one line naming the flag, the rule and the
 * value (exit 2), and answers an out-of-range address with a segmentation
 * fault. The limits below keep every run's memory bounded.
 *
 * @module
 */
import { MersenneTwister } from "../random/mersenne.ts";
import { createLinearPageTable, translateLinear } from "../vm/mod.ts";
import {
  type CliOutput,
  intInRange,
  jsonInt,
  ostepCommand,
  ostepHelp,
  type OstepOption,
  parseOstepFlags,
  pythonInt,
} from "./_ostep.ts";

/** The most virtual addresses a run may translate (-n, or listed with -A). */
export const MAX_TRANSLATE_ADDRESSES = 10_000;
/** The most page-table entries (-a / -P) a run may print. */
export const MAX_TRANSLATE_PAGES = 1 << 16;

const OPTIONS: OstepOption[] = [
  {
    short: "-A",
    long: "--addresses",
    dest: "addresses",
    type: "string",
    default: "-1",
    help: "comma-separated virtual addresses; -1 means randomly generate",
  },
  { short: "-s", long: "--seed", dest: "seed", type: "int", default: 0, help: "random seed" },
  {
    short: "-a",
    long: "--asize",
    dest: "asize",
    type: "string",
    default: "16k",
    label: "-a (address space size)",
    help: `address space size, e.g. 16, 64k, 32m (at most ${MAX_TRANSLATE_PAGES} pages)`,
  },
  {
    short: "-p",
    long: "--physmem",
    dest: "psize",
    type: "string",
    default: "64k",
    label: "-p (physical memory size)",
    help: "physical memory size, e.g. 16, 64k",
  },
  {
    short: "-P",
    long: "--pagesize",
    dest: "pagesize",
    type: "string",
    default: "4k",
    label: "-P (page size)",
    help: "page size, e.g. 4k, 8k",
  },
  {
    short: "-n",
    long: "--numaddrs",
    dest: "num",
    type: "int",
    default: 5,
    help: `number of virtual addresses to generate (at most ${MAX_TRANSLATE_ADDRESSES})`,
  },
  {
    short: "-u",
    long: "--used",
    dest: "used",
    type: "int",
    default: 50,
    help: "percent of the virtual address space that is used",
  },
  {
    short: "-v",
    dest: "verbose",
    type: "flag",
    help: "verbose mode: print the VPN by each page-table entry",
  },
  { short: "-c", dest: "solve", type: "flag", help: "compute answers for me" },
];

const HELP = ostepHelp(
  "deno task sim translate [options]   (OSTEP vm-paging/paging-linear-translate.py)",
  OPTIONS,
);

/**
 * OSTEP's size notation: a number with an optional `k`, `m` or `g` suffix (powers of 1024).
 *
 * @param text The size, e.g. "16k".
 * @param field The flag, for the error message.
 * @returns The size in bytes (any size, as a bigint).
 *
 * @example Sizes
 * ```ts
 * import { ostepSize } from "memgarden/cli/translate.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(["16k", "1M", "512"].map((t) => ostepSize(t, "-a")), [16384n, 1048576n, 512n]);
 * assert.throws(() => ostepSize("", "-a (address space size)"), /must be a size like 16k, 1m or 4096: received ""/);
 * ```
 */
export function ostepSize(text: string, field: string): bigint {
  const last = text.slice(-1).toLowerCase();
  const scale = last === "k" ? 1024n : last === "m" ? 1024n ** 2n : last === "g" ? 1024n ** 3n : 1n;
  const digits = scale === 1n ? text : text.slice(0, -1);
  try {
    return pythonInt(digits, field) * scale;
  } catch (e) {
    throw new TypeError(
      `Invalid ${field}: must be a size like 16k, 1m or 4096: received "${text}"`,
      { cause: e },
    );
  }
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");
const pyBool = (b: boolean) => (b ? "True" : "False");
const GIB = 1024n ** 3n;

/**
 * Run the linear-translation model on `args` without touching the console.
 *
 * @param args Command-line arguments as for OSTEP's paging-linear-translate.py.
 * @returns The output text and exit status; bad input throws a TypeError or
 *   RangeError naming the flag, the rule and the value.
 *
 * @example Seed 1 with answers
 * ```ts
 * import { translateCli } from "memgarden/cli/translate.ts";
 * import assert from "node:assert/strict";
 *
 * const out = translateCli(["-s", "1", "-c"]).stdout;
 * assert.ok(out.includes("VA 0x00001cc4 (decimal:     7364) --> 0000ccc4 (decimal    52420) [VPN 1]"));
 * assert.throws(() => translateCli(["-P", "3k", "-a", "12k"]), /Invalid -P \(page size\): must be a power of two: received 3072/);
 * assert.throws(() => translateCli(["-u", "200"]), /Invalid -u \(used\): must be between 0 and 100 \(a percentage\): received 200/);
 * ```
 */
export function translateCli(args: readonly string[]): CliOutput {
  const o = parseOstepFlags(args, OPTIONS);
  if (o.help) return { stdout: HELP, status: 0 };
  const seed = o.seed as bigint;
  const num = intInRange(
    o.num as bigint,
    "-n (numaddrs)",
    0,
    MAX_TRANSLATE_ADDRESSES,
    "this simulator's limit on addresses",
  );
  const usedPct = intInRange(o.used as bigint, "-u (used)", 0, 100, "a percentage");
  const asizeText = o.asize as string;
  const psizeText = o.psize as string;
  const pagesizeText = o.pagesize as string;
  const addresses = o.addresses as string;
  const verbose = o.verbose === true;
  const solve = o.solve === true;

  const bigA = ostepSize(asizeText, "-a (address space size)");
  const bigP = ostepSize(psizeText, "-p (physical memory size)");
  const bigPage = ostepSize(pagesizeText, "-P (page size)");
  const fail = (field: string, rule: string, value: bigint | number | string): never => {
    throw new RangeError(`Invalid ${field}: ${rule}: received ${value}`);
  };
  // The Python script's checks, in its order, except that a page size that is not a power
  // of two is named first (it is the cause of the other errors it brings).
  if (bigP <= 1n) fail("-p (physical memory size)", "must be greater than 1 byte", bigP);
  if (bigA < 1n) fail("-a (address space size)", "must be at least 1 byte", bigA);
  if (bigP <= bigA) {
    fail(
      "-p (physical memory size)",
      `must be greater than the address space size (${bigA}) for this simulation`,
      bigP,
    );
  }
  if (bigP >= GIB) fail("-p (physical memory size)", "must be less than 1g", bigP);
  if (bigA >= GIB) fail("-a (address space size)", "must be less than 1g", bigA);
  if (bigPage < 1n) fail("-P (page size)", "must be at least 1 byte", bigPage);
  const [asize, psize, pagesize] = [Number(bigA), Number(bigP), Number(bigPage)];
  const isPow2 = (n: number) => (n & (n - 1)) === 0;
  if (!isPow2(pagesize)) fail("-P (page size)", "must be a power of two", pagesize);
  if (asize % pagesize !== 0) {
    fail("-a (address space size)", `must be a multiple of the page size (${pagesize})`, asize);
  }
  if (psize % pagesize !== 0) {
    fail("-p (physical memory size)", `must be a multiple of the page size (${pagesize})`, psize);
  }
  if (!isPow2(asize)) fail("-a (address space size)", "must be a power of two", asize);
  const pages = psize / pagesize;
  const vpages = asize / pagesize;
  if (vpages > MAX_TRANSLATE_PAGES) {
    fail(
      "-a (address space size)",
      `the page table has one line per page, so -a / -P may be at most ${MAX_TRANSLATE_PAGES} pages (this simulator's limit)`,
      `${vpages} pages (${asizeText} / ${pagesizeText})`,
    );
  }
  let listed: number[] | undefined;
  if (addresses !== "-1") {
    const items = addresses.split(",");
    if (items.length > MAX_TRANSLATE_ADDRESSES) {
      fail(
        "-A (addresses)",
        `must list at most ${MAX_TRANSLATE_ADDRESSES} addresses`,
        items.length,
      );
    }
    listed = items.map((s) =>
      intInRange(
        pythonInt(s, "-A (addresses)"),
        "-A (addresses)",
        0,
        Number.MAX_SAFE_INTEGER,
        "each address",
      )
    );
  }

  const out = [
    `ARG seed ${seed}`,
    `ARG address space size ${asizeText}`,
    `ARG phys mem size ${psizeText}`,
    `ARG page size ${pagesizeText}`,
    `ARG verbose ${pyBool(verbose)}`,
    `ARG addresses ${addresses}`,
    "",
    "",
    "The format of the page table is simple:",
    "The high-order (left-most) bit is the VALID bit.",
    "  If the bit is 1, the rest of the entry is the PFN.",
    "  If the bit is 0, the page is not valid.",
    "Use verbose mode (-v) if you want to print the VPN # by",
    "each entry of the page table.",
    "",
    "Page Table (from entry 0 down to the max size)",
  ];
  const mt = new MersenneTwister(seed);
  // At most `vpages` frames are ever used: a set, not one byte per physical frame.
  const usedFrames = new Set<number>();
  const entries: (number | null)[] = [];
  for (let v = 0; v < vpages; v++) {
    const lead = verbose ? `  [${String(v).padStart(8)}]  ` : "  ";
    for (;;) {
      if (mt.random() * 100.0 > 100.0 - usedPct) {
        const u = Math.trunc(pages * mt.random());
        if (!usedFrames.has(u)) {
          usedFrames.add(u);
          out.push(`${lead}0x${hex8(0x80000000 + u)}`);
          entries.push(u);
          break;
        }
      } else {
        out.push(`${lead}0x${hex8(0)}`);
        entries.push(null);
        break;
      }
    }
  }
  out.push("");
  const table = createLinearPageTable({
    addressSpaceBytes: asize,
    pageBytes: pagesize,
    entries,
    physicalPageCount: pages,
  });
  let vaddrs = listed;
  if (!vaddrs) {
    vaddrs = [];
    for (let i = 0; i < num; i++) vaddrs.push(Math.trunc(asize * mt.random()));
  }
  if (o.json) {
    const doc = {
      model: "translate",
      settings: {
        seed: jsonInt(seed),
        addressSpaceBytes: asize,
        physicalBytes: psize,
        pageBytes: pagesize,
        usedPercent: usedPct,
        addresses,
      },
      pageTable: table.entries,
      virtualAddresses: vaddrs,
      ...(solve ? { translations: vaddrs.map((va) => translateLinear(table, va)) } : {}),
    };
    return { stdout: JSON.stringify(doc, null, 2) + "\n", status: 0 };
  }
  out.push("Virtual Address Trace");
  for (const va of vaddrs) {
    const head = `  VA 0x${hex8(va)} (decimal: ${String(va).padStart(8)}) -->`;
    if (!solve) {
      out.push(`${head} PA or invalid address?`);
      continue;
    }
    const t = translateLinear(table, va);
    if (t.ok) {
      const pa = t.physicalAddress!;
      out.push(`${head} ${hex8(pa)} (decimal ${String(pa).padStart(8)}) [VPN ${t.vpn}]`);
    } else if (t.reason === "invalid") out.push(`${head}  Invalid (VPN ${t.vpn} not valid)`);
    else {
      out.push(
        `${head}  Segmentation fault (VPN ${
          Math.floor(va / pagesize)
        } beyond the ${vpages}-page address space)`,
      );
    }
  }
  out.push("");
  if (!solve) {
    out.push(
      "For each virtual address, write down the physical address it translates to",
      "OR write down that it is an out-of-bounds address (e.g., segfault).",
      "",
    );
  }
  return { stdout: out.join("\n") + "\n", status: 0 };
}

/** The `translate` command for `deno task sim`. */
export const command = ostepCommand(
  "linear page table (OSTEP paging-linear-translate.py): -s SEED -a ASIZE -P PAGE [-c]",
  translateCli,
);
