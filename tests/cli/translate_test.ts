import assert from "node:assert/strict";
import {
  MAX_TRANSLATE_ADDRESSES,
  MAX_TRANSLATE_PAGES,
  ostepSize,
  translateCli,
} from "memgarden/cli/translate.ts";
import { optparseInt } from "memgarden/cli/_ostep.ts";
import { main } from "memgarden/cli/main.ts";
import { assertMatchesUpstream, fuzzCommandLine, runSim } from "./_ostep_fixtures.ts";

Deno.test("translate prints byte for byte what the current paging-linear-translate.py prints (84 recorded runs)", () => {
  assertMatchesUpstream("paging-linear-translate.json", translateCli, 80);
});

Deno.test("translate rejects bad parameters naming the flag, the rule and the value", () => {
  const cases: [string[], RegExp][] = [
    [
      ["-P", "3k", "-a", "12k"],
      /Invalid -P \(page size\): must be a power of two: received 3072/,
    ],
    [["-a", "12k"], /Invalid -a \(address space size\): must be a power of two: received 12288/],
    [
      ["-a", "64k", "-p", "64k"],
      /Invalid -p \(physical memory size\): must be greater than the address space size \(65536\) for this simulation: received 65536/,
    ],
    [
      ["-a", "16k", "-P", "32k"],
      /Invalid -a \(address space size\): must be a multiple of the page size \(32768\): received 16384/,
    ],
    [
      ["-p", "1g", "-a", "16k"],
      /Invalid -p \(physical memory size\): must be less than 1g: received 1073741824/,
    ],
    [["-P", "0"], /Invalid -P \(page size\): must be at least 1 byte: received 0/],
    [
      ["-a", "sixteen"],
      /Invalid -a \(address space size\): must be a size like 16k, 1m or 4096: received "sixteen"/,
    ],
    [["-s", "x"], /Invalid -s \(seed\): must be an integer: received "x"/],
    [
      ["-A", "-5", "-c"],
      /^Invalid -A \(addresses\): must be between 0 and 9007199254740991 \(each address\): received -5$/,
    ],
    [
      ["-u", "200"],
      /^Invalid -u \(used\): must be between 0 and 100 \(a percentage\): received 200$/,
    ],
    [
      ["-u", "-1"],
      /^Invalid -u \(used\): must be between 0 and 100 \(a percentage\): received -1$/,
    ],
    [
      ["-n", "1000000000"],
      /^Invalid -n \(numaddrs\): must be between 0 and 10000 \(this simulator's limit on addresses\): received 1000000000$/,
    ],
    [["-n", "-3"], /^Invalid -n \(numaddrs\): must be between 0 and 10000 .*: received -3$/],
    [
      ["-a", "512m", "-p", "1000m", "-P", "1"],
      /^Invalid -a \(address space size\): the page table has one line per page, so -a \/ -P may be at most 65536 pages \(this simulator's limit\): received 536870912 pages \(512m \/ 1\)$/,
    ],
    [
      ["-a", ""],
      /^Invalid -a \(address space size\): must be a size like 16k, 1m or 4096: received ""$/,
    ],
    [["-c", "x"], /^Cannot parse flags: positional arguments are not accepted: received "x"$/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => translateCli(args), (e: Error) => message.test(e.message), args.join(" "));
  }
});

Deno.test("translate reports an address beyond the address space as a segmentation fault", () => {
  const out = translateCli(["-A", "16384,100", "-c"]).stdout;
  assert.ok(
    out.includes(
      "VA 0x00004000 (decimal:    16384) -->  Segmentation fault (VPN 4 beyond the 4-page address space)",
    ),
  );
  assert.ok(
    out.includes("VA 0x00000064 (decimal:      100) --> 0000c064 (decimal    49252) [VPN 0]"),
  );
});

Deno.test("translate --json holds the same table and answers only with -c", () => {
  const doc = JSON.parse(translateCli(["-s", "1", "--json"]).stdout);
  assert.deepEqual(doc.pageTable, [null, 12, null, null]);
  assert.deepEqual(doc.virtualAddresses, [7364, 10675, 12922, 1537, 464]);
  assert.equal(doc.translations, undefined);
  const solved = JSON.parse(translateCli(["-s", "1", "-c", "--json"]).stdout);
  assert.deepEqual(
    solved.translations.map((t: { physicalAddress: number | null }) => t.physicalAddress),
    [52420, null, null, null, null],
  );
});

Deno.test("optparseInt and ostepSize follow Python's rules", () => {
  assert.equal(optparseInt("0X1f", "-s"), 31n);
  assert.equal(optparseInt("0", "-s"), 0n);
  assert.equal(optparseInt("0b", "-s"), 0n);
  assert.equal(
    optparseInt("123456789012345678901234567890", "-s"),
    123456789012345678901234567890n,
  );
  assert.throws(() => optparseInt("08", "-s (seed)"), /must be an integer: received "08"/);
  assert.throws(() => optparseInt("-0x10", "-s (seed)"), /must be an integer: received "-0x10"/);
  assert.equal(ostepSize("2g", "-p"), 2n * 1024n ** 3n);
  assert.equal(ostepSize("1_000", "-a"), 1000n);
});

Deno.test("translate runs the largest allowed problem: 2^16 page-table entries, 10000 addresses", () => {
  const out = translateCli([
    "-a",
    "64k",
    "-p",
    "256k",
    "-P",
    "1",
    "-n",
    String(MAX_TRANSLATE_ADDRESSES),
    "-c",
  ]).stdout;
  const lines = out.split("\n");
  assert.equal(lines.filter((l) => /^ {2}0x[08]0/.test(l)).length, MAX_TRANSLATE_PAGES);
  assert.equal(lines.filter((l) => l.startsWith("  VA ")).length, MAX_TRANSLATE_ADDRESSES);
});

Deno.test("sim translate exits 2 with one line on stderr for -u 200 and a huge -n", async () => {
  for (const args of [["-u", "200"], ["-u", "-1"], ["-n", "1000000000"]]) {
    const r = await runSim(["translate", ...args]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.length, 1);
    assert.match(r.stderr[0], new RegExp(`^Invalid ${args[0]} `));
  }
});

Deno.test("translate command line: random argv runs or is a one-line usage error (fast-check)", () => {
  fuzzCommandLine(
    [
      "-A",
      "-s",
      "-a",
      "-p",
      "-P",
      "-n",
      "-u",
      "-v",
      "--asize",
      "--physmem=",
      "--used",
      "--numaddrs",
    ],
    translateCli,
  );
});

Deno.test("sim translate and sim tables are registered", async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    assert.equal(await main(["--help"]), 0);
  } finally {
    console.log = log;
  }
  assert.match(lines.join("\n"), /translate +linear page table/);
  assert.match(lines.join("\n"), /tables +two-level page table/);
});
