/**
 * `deno task sim translate`: OSTEP's vm-paging/paging-linear-translate.py,
 * flag- and output-compatible (same settings lines, same generated page table
 * and addresses for a seed, same answers with `-c`), plus `--json`.
 *
 * @module
 */
import { MersenneTwister } from "../random/mersenne.ts";
import { createLinearPageTable, translateLinear } from "../vm/mod.ts";
import type { SimCommand } from "./main.ts";
import { type CliOutput, type OstepOption, parseOstepFlags, pythonInt } from "./paging.ts";

/**
 * Python optparse's `type="int"`: `0x` hex, `0b` binary, a leading `0` octal, else decimal.
 *
 * @param text The flag's text.
 * @param field The flag, for the error message (e.g. "-s (seed)").
 * @returns The integer.
 *
 * @example Like optparse
 * ```ts
 * import { optparseInt } from "memgarden/cli/translate.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(["10", "0x10", "010", "0b10", "-3"].map((t) => optparseInt(t, "-s")), [10, 16, 8, 2, -3]);
 * assert.throws(() => optparseInt("ten", "-s (seed)"), /Invalid -s \(seed\): must be an integer: received "ten"/);
 * ```
 */
export function optparseInt(text: string, field: string): number {
  const lower = text.slice(0, 2).toLowerCase();
  let radix = 10;
  let body = text;
  if (lower === "0x") radix = 16;
  else if (lower === "0b") {
    radix = 2;
    body = text.slice(2) || "0";
  } else if (text.startsWith("0")) radix = 8;
  const t = body.trim().replace(/^([+-]?)0[xob]/i, (_, s) => (radix === 10 ? "!" : s));
  const digits = radix === 16
    ? "[0-9a-fA-F]"
    : radix === 8
    ? "[0-7]"
    : radix === 2
    ? "[01]"
    : "\\d";
  const re = new RegExp(`^[+-]?${digits}+(_${digits}+)*$`);
  if (!re.test(t)) {
    throw new TypeError(`Invalid ${field}: must be an integer: received "${text}"`);
  }
  const negative = t.startsWith("-");
  const clean = t.replace(/^[+-]/, "").replace(/_/g, "");
  const prefix = radix === 16 ? "0x" : radix === 8 ? "0o" : radix === 2 ? "0b" : "";
  const value = Number(BigInt(prefix + clean)) * (negative ? -1 : 1);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Invalid ${field}: must be a safe integer: received "${text}"`);
  }
  return value;
}

/**
 * OSTEP's size notation: a number with an optional `k`, `m` or `g` suffix (powers of 1024).
 *
 * @param text The size, e.g. "16k".
 * @param field The flag, for the error message.
 * @returns The size in bytes.
 *
 * @example Sizes
 * ```ts
 * import { ostepSize } from "memgarden/cli/translate.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(["16k", "1M", "512"].map((t) => ostepSize(t, "-a")), [16384, 1048576, 512]);
 * ```
 */
export function ostepSize(text: string, field: string): number {
  const last = text.slice(-1).toLowerCase();
  const scale = last === "k" ? 1024 : last === "m" ? 1024 ** 2 : last === "g" ? 1024 ** 3 : 1;
  const digits = scale === 1 ? text : text.slice(0, -1);
  let n: bigint;
  try {
    n = pythonInt(digits, field);
  } catch (e) {
    throw new TypeError(
      `Invalid ${field}: must be a size like 16k, 1m or 4096: received "${text}"`,
      { cause: e },
    );
  }
  return Number(n) * scale;
}

const OPTIONS: OstepOption[] = [
  { short: "-A", long: "--addresses", dest: "addresses" },
  { short: "-s", long: "--seed", dest: "seed" },
  { short: "-a", long: "--asize", dest: "asize" },
  { short: "-p", long: "--physmem", dest: "psize" },
  { short: "-P", long: "--pagesize", dest: "pagesize" },
  { short: "-n", long: "--numaddrs", dest: "num" },
  { short: "-u", long: "--used", dest: "used" },
  { short: "-v", dest: "verbose", flag: true },
  { short: "-c", dest: "solve", flag: true },
  { short: "-h", long: "--help", dest: "help", flag: true },
];

const hex8 = (n: number) => n.toString(16).padStart(8, "0");
const pyBool = (b: boolean) => (b ? "True" : "False");

/**
 * Run the linear-translation model on `args` without touching the console.
 *
 * @param args Command-line arguments as for OSTEP's paging-linear-translate.py.
 * @returns The output text and exit status; bad parameters throw a RangeError naming flag, rule and value.
 *
 * @example Seed 1 with answers
 * ```ts
 * import { translateCli } from "memgarden/cli/translate.ts";
 * import assert from "node:assert/strict";
 *
 * const out = translateCli(["-s", "1", "-c"]).stdout;
 * assert.ok(out.includes("VA 0x00001cc4 (decimal:     7364) --> 0000ccc4 (decimal    52420) [VPN 1]"));
 * assert.throws(() => translateCli(["-P", "3k", "-a", "12k"]), /Invalid -P \(page size\): must be a power of two: received 3072/);
 * ```
 */
export function translateCli(args: readonly string[]): CliOutput {
  const raw = parseOstepFlags(args, OPTIONS);
  if (raw.help) return { stdout: HELP, status: 0 };
  const str = (k: string, d: string) => (typeof raw[k] === "string" ? raw[k] as string : d);
  const seed = optparseInt(str("seed", "0"), "-s (seed)");
  const num = optparseInt(str("num", "5"), "-n (numaddrs)");
  const usedPct = optparseInt(str("used", "50"), "-u (used)");
  const asizeText = str("asize", "16k");
  const psizeText = str("psize", "64k");
  const pagesizeText = str("pagesize", "4k");
  const addresses = str("addresses", "-1");
  const verbose = raw.verbose === true;
  const solve = raw.solve === true;
  const json = raw.json === true;
  const out = [
    `ARG seed ${seed}`,
    `ARG address space size ${asizeText}`,
    `ARG phys mem size ${psizeText}`,
    `ARG page size ${pagesizeText}`,
    `ARG verbose ${pyBool(verbose)}`,
    `ARG addresses ${addresses}`,
    "",
  ];
  const mt = new MersenneTwister(seed);
  const asize = ostepSize(asizeText, "-a (address space size)");
  const psize = ostepSize(psizeText, "-p (physical memory size)");
  const pagesize = ostepSize(pagesizeText, "-P (page size)");
  const fail = (field: string, rule: string, value: number) => {
    throw new RangeError(`Invalid ${field}: ${rule}: received ${value}`);
  };
  const isPow2 = (n: number) => 2 ** Math.trunc(Math.log(n) / Math.log(2)) === n;
  if (psize <= 1) fail("-p (physical memory size)", "must be greater than 1 byte", psize);
  if (asize < 1) fail("-a (address space size)", "must be at least 1 byte", asize);
  if (psize <= asize) {
    fail(
      "-p (physical memory size)",
      `must be greater than the address space size (${asize}) for this simulation`,
      psize,
    );
  }
  if (psize >= 1024 ** 3) fail("-p (physical memory size)", "must be less than 1g", psize);
  if (asize >= 1024 ** 3) fail("-a (address space size)", "must be less than 1g", asize);
  if (pagesize < 1) fail("-P (page size)", "must be at least 1 byte", pagesize);
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
  const usedFrames = new Uint8Array(pages);
  const entries: (number | null)[] = [];
  out.push(
    "",
    "The format of the page table is simple:",
    "The high-order (left-most) bit is the VALID bit.",
    "  If the bit is 1, the rest of the entry is the PFN.",
    "  If the bit is 0, the page is not valid.",
    "Use verbose mode (-v) if you want to print the VPN # by",
    "each entry of the page table.",
    "",
    "Page Table (from entry 0 down to the max size)",
  );
  for (let v = 0; v < vpages; v++) {
    const lead = verbose ? `  [${String(v).padStart(8)}]  ` : "  ";
    for (;;) {
      if (mt.random() * 100.0 > 100.0 - usedPct) {
        const u = Math.trunc(pages * mt.random());
        if (usedFrames[u] === 0) {
          usedFrames[u] = 1;
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
  let vaddrs: number[];
  if (addresses === "-1") {
    vaddrs = [];
    for (let i = 0; i < num; i++) vaddrs.push(Math.trunc(asize * mt.random()));
  } else {
    vaddrs = addresses.split(",").map((s) => {
      const n = Number(pythonInt(s, "-A (addresses)"));
      if (n < 0) fail("-A (addresses)", "each address must be non-negative", n);
      return n;
    });
  }
  const translations = vaddrs.map((va) => translateLinear(table, va));
  if (json) {
    const doc = {
      model: "translate",
      settings: {
        seed,
        addressSpaceBytes: asize,
        physicalBytes: psize,
        pageBytes: pagesize,
        usedPercent: usedPct,
        addresses,
      },
      pageTable: table.entries,
      virtualAddresses: vaddrs,
      ...(solve ? { translations } : {}),
    };
    return { stdout: JSON.stringify(doc, null, 2) + "\n", status: 0 };
  }
  out.push("Virtual Address Trace");
  for (const t of translations) {
    const va = t.virtualAddress;
    const head = `  VA 0x${hex8(va)} (decimal: ${String(va).padStart(8)}) -->`;
    if (!solve) out.push(`${head} PA or invalid address?`);
    else if (t.ok) {
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

const HELP = `Usage: deno task sim translate [options]   (OSTEP paging-linear-translate.py)

Options:
  -A ADDRESSES, --addresses=ADDRESSES  comma-separated virtual addresses; -1 means randomly generate
  -s SEED, --seed=SEED                 random number seed (default 0)
  -a ASIZE, --asize=ASIZE              address space size, e.g. 16, 64k, 32m (default 16k)
  -p PSIZE, --physmem=PSIZE            physical memory size, e.g. 16, 64k (default 64k)
  -P PAGESIZE, --pagesize=PAGESIZE     page size, e.g. 4k, 8k (default 4k)
  -n NUM, --numaddrs=NUM               number of virtual addresses to generate (default 5)
  -u USED, --used=USED                 percent of virtual address space that is used (default 50)
  -v                                   verbose mode: print the VPN by each page-table entry
  -c                                   compute answers for me
  --json                               print one JSON document instead
`;

/** The `translate` command for `deno task sim`. */
export const command: SimCommand = {
  summary: "linear page table (OSTEP paging-linear-translate.py): -s SEED -a ASIZE -P PAGE [-c]",
  run(args: string[]): Promise<number> {
    try {
      const out = translateCli(args);
      Deno.stdout.writeSync(new TextEncoder().encode(out.stdout));
      return Promise.resolve(out.status);
    } catch (e) {
      console.error(e instanceof Error ? e.message : String(e));
      return Promise.resolve(2);
    }
  },
};
