import { createPrng, createX86_64PageTable, simulatePaging, simulateTlb, Tlb } from "memgarden";
import { pagingCli } from "memgarden/cli/paging.ts";
import { tablesCli } from "memgarden/cli/tables.ts";
import { translateCli } from "memgarden/cli/translate.ts";

// 10 million references over 20,000 pages with locality (80% of references
// go to a hot set of 8,000 pages), 10,000 frames. Built outside fn.
const COUNT = 10_000_000;
const prng = createPrng(2024);
const references = new Int32Array(COUNT);
for (let i = 0; i < COUNT; i++) {
  references[i] = prng.float() < 0.8 ? prng.int(0, 7_999) : prng.int(0, 19_999);
}
let sink = 0;

for (const policy of ["fifo", "lru", "opt", "unopt", "rand", "clock"]) {
  Deno.bench({
    group: "paging 10M refs, 10k frames",
    name: policy,
    n: 3,
    warmup: 1,
    fn() {
      sink += simulatePaging({ frames: 10_000, policy, references }).misses;
    },
  });
}

// Translation and TLB: 1 million virtual addresses over 4,096 mapped pages of
// a 48-bit address space (random pages, sequential offsets within each).
const ADDRS = 1_000_000;
const x86 = createX86_64PageTable();
const mapped = Array.from({ length: 4_096 }, () => prng.int(0, 2 ** 36 - 1));
mapped.forEach((vpn, i) => x86.map(vpn, i));
const vaddrs = Array.from(
  { length: ADDRS },
  (_, i) => mapped[prng.int(0, 4_095)] * 4096 + (i % 4096),
);
const vpns = vaddrs.map((va) => Math.floor(va / 4096));

Deno.bench({
  group: "translation 1M addresses",
  name: "x86-64 four-level walk (with step log)",
  n: 3,
  warmup: 1,
  fn() {
    for (let i = 0; i < ADDRS; i++) sink += x86.translate(vaddrs[i]).steps.length;
  },
});

for (const [entries, ways] of [[64, 4], [1536, 12]]) {
  Deno.bench({
    group: "TLB 1M lookups",
    name: `${entries} entries, ${ways}-way`,
    n: 5,
    warmup: 1,
    fn() {
      const tlb = new Tlb({ entries, ways });
      for (let i = 0; i < ADDRS; i++) sink += tlb.lookup(vpns[i]) ? 1 : 0;
    },
  });
}

Deno.bench({
  group: "TLB 1M lookups",
  name: "simulateTlb, 64 entries, 4-way",
  n: 5,
  warmup: 1,
  fn() {
    sink += simulateTlb({ entries: 64, ways: 4, references: vpns }).hits;
  },
});

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});

// The OSTEP command lines at their largest allowed problems (the MAX_* limits in
// lib/cli/): the worst a student's run can cost in time, with memory bounded.
const OSTEP_RUNS: [string, () => { stdout: string }][] = [
  [
    "paging -n 1000000 -m 100 -C 50 -p LRU -c -N",
    () => pagingCli(["-n", "1000000", "-m", "100", "-C", "50", "-p", "LRU", "-c", "-N"]),
  ],
  [
    "paging -n 125000 -C 4 -c (a trace of 500,000 cells)",
    () => pagingCli(["-n", "125000", "-m", "20", "-C", "4", "-c"]),
  ],
  [
    "translate -a 64k -p 256k -P 1 -n 10000 -c (2^16 entries)",
    () => translateCli(["-a", "64k", "-p", "256k", "-P", "1", "-n", "10000", "-c"]),
  ],
  ["tables -n 10000 -c", () => tablesCli(["-n", "10000", "-c"])],
];
for (const [name, run] of OSTEP_RUNS) {
  Deno.bench({
    group: "OSTEP command lines at their limits",
    name,
    n: 3,
    warmup: 1,
    fn() {
      sink += run().stdout.length;
    },
  });
}
