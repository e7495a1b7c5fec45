import assert from "node:assert/strict";
import { optparseInt, ostepSize, translateCli } from "memgarden/cli/translate.ts";
import { main } from "memgarden/cli/main.ts";

// Expected outputs were produced by running OSTEP's vm-paging/paging-linear-translate.py
// (ostep-homework, kept in /tmp, never committed) under /usr/bin/python3 3.11.
const CASES: [string[], string][] = [
  [
    ["-s", "1"],
    "ARG seed 1\nARG address space size 16k\nARG phys mem size 64k\nARG page size 4k\nARG verbose False\nARG addresses -1\n\n\nThe format of the page table is simple:\nThe high-order (left-most) bit is the VALID bit.\n  If the bit is 1, the rest of the entry is the PFN.\n  If the bit is 0, the page is not valid.\nUse verbose mode (-v) if you want to print the VPN # by\neach entry of the page table.\n\nPage Table (from entry 0 down to the max size)\n  0x00000000\n  0x8000000c\n  0x00000000\n  0x00000000\n\nVirtual Address Trace\n  VA 0x00001cc4 (decimal:     7364) --> PA or invalid address?\n  VA 0x000029b3 (decimal:    10675) --> PA or invalid address?\n  VA 0x0000327a (decimal:    12922) --> PA or invalid address?\n  VA 0x00000601 (decimal:     1537) --> PA or invalid address?\n  VA 0x000001d0 (decimal:      464) --> PA or invalid address?\n\nFor each virtual address, write down the physical address it translates to\nOR write down that it is an out-of-bounds address (e.g., segfault).\n\n",
  ],
  [
    ["-s", "1", "-c"],
    "ARG seed 1\nARG address space size 16k\nARG phys mem size 64k\nARG page size 4k\nARG verbose False\nARG addresses -1\n\n\nThe format of the page table is simple:\nThe high-order (left-most) bit is the VALID bit.\n  If the bit is 1, the rest of the entry is the PFN.\n  If the bit is 0, the page is not valid.\nUse verbose mode (-v) if you want to print the VPN # by\neach entry of the page table.\n\nPage Table (from entry 0 down to the max size)\n  0x00000000\n  0x8000000c\n  0x00000000\n  0x00000000\n\nVirtual Address Trace\n  VA 0x00001cc4 (decimal:     7364) --> 0000ccc4 (decimal    52420) [VPN 1]\n  VA 0x000029b3 (decimal:    10675) -->  Invalid (VPN 2 not valid)\n  VA 0x0000327a (decimal:    12922) -->  Invalid (VPN 3 not valid)\n  VA 0x00000601 (decimal:     1537) -->  Invalid (VPN 0 not valid)\n  VA 0x000001d0 (decimal:      464) -->  Invalid (VPN 0 not valid)\n\n",
  ],
  [
    ["-s", "2", "-c", "-v"],
    "ARG seed 2\nARG address space size 16k\nARG phys mem size 64k\nARG page size 4k\nARG verbose True\nARG addresses -1\n\n\nThe format of the page table is simple:\nThe high-order (left-most) bit is the VALID bit.\n  If the bit is 1, the rest of the entry is the PFN.\n  If the bit is 0, the page is not valid.\nUse verbose mode (-v) if you want to print the VPN # by\neach entry of the page table.\n\nPage Table (from entry 0 down to the max size)\n  [       0]  0x8000000f\n  [       1]  0x00000000\n  [       2]  0x00000000\n  [       3]  0x8000000b\n\nVirtual Address Trace\n  VA 0x00002adc (decimal:    10972) -->  Invalid (VPN 2 not valid)\n  VA 0x000013b8 (decimal:     5048) -->  Invalid (VPN 1 not valid)\n  VA 0x000026c7 (decimal:     9927) -->  Invalid (VPN 2 not valid)\n  VA 0x000026d5 (decimal:     9941) -->  Invalid (VPN 2 not valid)\n  VA 0x00002532 (decimal:     9522) -->  Invalid (VPN 2 not valid)\n\n",
  ],
  [
    ["-s", "3", "-a", "32k", "-p", "1m", "-P", "2k", "-u", "75", "-n", "8", "-c"],
    "ARG seed 3\nARG address space size 32k\nARG phys mem size 1m\nARG page size 2k\nARG verbose False\nARG addresses -1\n\n\nThe format of the page table is simple:\nThe high-order (left-most) bit is the VALID bit.\n  If the bit is 1, the rest of the entry is the PFN.\n  If the bit is 0, the page is not valid.\nUse verbose mode (-v) if you want to print the VPN # by\neach entry of the page table.\n\nPage Table (from entry 0 down to the max size)\n  0x00000000\n  0x800000bd\n  0x80000140\n  0x00000000\n  0x00000000\n  0x80000084\n  0x00000000\n  0x800000f0\n  0x800000f3\n  0x8000004d\n  0x800001bc\n  0x8000017b\n  0x80000020\n  0x8000012e\n  0x8000000f\n  0x800000f2\n\nVirtual Address Trace\n  VA 0x00005c02 (decimal:    23554) --> 000bdc02 (decimal   777218) [VPN 11]\n  VA 0x0000707c (decimal:    28796) --> 0000787c (decimal    30844) [VPN 14]\n  VA 0x00005b68 (decimal:    23400) --> 000bdb68 (decimal   777064) [VPN 11]\n  VA 0x000075e6 (decimal:    30182) --> 00007de6 (decimal    32230) [VPN 14]\n  VA 0x0000328e (decimal:    12942) -->  Invalid (VPN 6 not valid)\n  VA 0x00006684 (decimal:    26244) --> 00010684 (decimal    67204) [VPN 12]\n  VA 0x000038e9 (decimal:    14569) --> 000780e9 (decimal   491753) [VPN 7]\n  VA 0x000077c1 (decimal:    30657) --> 00007fc1 (decimal    32705) [VPN 14]\n\n",
  ],
  [
    ["-s", "4", "-P", "1k", "-a", "8k", "-p", "32k", "-v", "-u", "100", "-c"],
    "ARG seed 4\nARG address space size 8k\nARG phys mem size 32k\nARG page size 1k\nARG verbose True\nARG addresses -1\n\n\nThe format of the page table is simple:\nThe high-order (left-most) bit is the VALID bit.\n  If the bit is 1, the rest of the entry is the PFN.\n  If the bit is 0, the page is not valid.\nUse verbose mode (-v) if you want to print the VPN # by\neach entry of the page table.\n\nPage Table (from entry 0 down to the max size)\n  [       0]  0x80000003\n  [       1]  0x80000004\n  [       2]  0x8000000c\n  [       3]  0x80000019\n  [       4]  0x80000007\n  [       5]  0x80000008\n  [       6]  0x8000001d\n  [       7]  0x80000006\n\nVirtual Address Trace\n  VA 0x000009ea (decimal:     2538) --> 000031ea (decimal    12778) [VPN 2]\n  VA 0x00001410 (decimal:     5136) --> 00002010 (decimal     8208) [VPN 5]\n  VA 0x0000176b (decimal:     5995) --> 0000236b (decimal     9067) [VPN 5]\n  VA 0x00001b59 (decimal:     7001) --> 00007759 (decimal    30553) [VPN 6]\n  VA 0x00001c29 (decimal:     7209) --> 00001829 (decimal     6185) [VPN 7]\n\n",
  ],
  [
    ["-A", "100,5000,16383", "-c", "-v"],
    "ARG seed 0\nARG address space size 16k\nARG phys mem size 64k\nARG page size 4k\nARG verbose True\nARG addresses 100,5000,16383\n\n\nThe format of the page table is simple:\nThe high-order (left-most) bit is the VALID bit.\n  If the bit is 1, the rest of the entry is the PFN.\n  If the bit is 0, the page is not valid.\nUse verbose mode (-v) if you want to print the VPN # by\neach entry of the page table.\n\nPage Table (from entry 0 down to the max size)\n  [       0]  0x8000000c\n  [       1]  0x00000000\n  [       2]  0x00000000\n  [       3]  0x80000006\n\nVirtual Address Trace\n  VA 0x00000064 (decimal:      100) --> 0000c064 (decimal    49252) [VPN 0]\n  VA 0x00001388 (decimal:     5000) -->  Invalid (VPN 1 not valid)\n  VA 0x00003fff (decimal:    16383) --> 00006fff (decimal    28671) [VPN 3]\n\n",
  ],
  [
    ["-s", "0x10", "-n", "12", "-c"],
    "ARG seed 16\nARG address space size 16k\nARG phys mem size 64k\nARG page size 4k\nARG verbose False\nARG addresses -1\n\n\nThe format of the page table is simple:\nThe high-order (left-most) bit is the VALID bit.\n  If the bit is 1, the rest of the entry is the PFN.\n  If the bit is 0, the page is not valid.\nUse verbose mode (-v) if you want to print the VPN # by\neach entry of the page table.\n\nPage Table (from entry 0 down to the max size)\n  0x00000000\n  0x00000000\n  0x00000000\n  0x00000000\n\nVirtual Address Trace\n  VA 0x00001a35 (decimal:     6709) -->  Invalid (VPN 1 not valid)\n  VA 0x00002a17 (decimal:    10775) -->  Invalid (VPN 2 not valid)\n  VA 0x00001091 (decimal:     4241) -->  Invalid (VPN 1 not valid)\n  VA 0x000028a3 (decimal:    10403) -->  Invalid (VPN 2 not valid)\n  VA 0x000000a5 (decimal:      165) -->  Invalid (VPN 0 not valid)\n  VA 0x00001354 (decimal:     4948) -->  Invalid (VPN 1 not valid)\n  VA 0x00001571 (decimal:     5489) -->  Invalid (VPN 1 not valid)\n  VA 0x00000915 (decimal:     2325) -->  Invalid (VPN 0 not valid)\n  VA 0x00002f94 (decimal:    12180) -->  Invalid (VPN 2 not valid)\n  VA 0x000013d8 (decimal:     5080) -->  Invalid (VPN 1 not valid)\n  VA 0x00003282 (decimal:    12930) -->  Invalid (VPN 3 not valid)\n  VA 0x00003d32 (decimal:    15666) -->  Invalid (VPN 3 not valid)\n\n",
  ],
  [
    ["-s", "010", "-a", "64", "-p", "128", "-P", "8", "-u", "90", "-c", "-v"],
    "ARG seed 8\nARG address space size 64\nARG phys mem size 128\nARG page size 8\nARG verbose True\nARG addresses -1\n\n\nThe format of the page table is simple:\nThe high-order (left-most) bit is the VALID bit.\n  If the bit is 1, the rest of the entry is the PFN.\n  If the bit is 0, the page is not valid.\nUse verbose mode (-v) if you want to print the VPN # by\neach entry of the page table.\n\nPage Table (from entry 0 down to the max size)\n  [       0]  0x8000000f\n  [       1]  0x8000000b\n  [       2]  0x00000000\n  [       3]  0x8000000a\n  [       4]  0x80000007\n  [       5]  0x80000003\n  [       6]  0x80000001\n  [       7]  0x80000000\n\nVirtual Address Trace\n  VA 0x00000011 (decimal:       17) -->  Invalid (VPN 2 not valid)\n  VA 0x0000001a (decimal:       26) --> 00000052 (decimal       82) [VPN 3]\n  VA 0x00000039 (decimal:       57) --> 00000001 (decimal        1) [VPN 7]\n  VA 0x00000018 (decimal:       24) --> 00000050 (decimal       80) [VPN 3]\n  VA 0x00000007 (decimal:        7) --> 0000007f (decimal      127) [VPN 0]\n\n",
  ],
  [
    ["-s", "5", "-a", "16m", "-p", "256m", "-P", "1m", "-n", "10", "-u", "30"],
    "ARG seed 5\nARG address space size 16m\nARG phys mem size 256m\nARG page size 1m\nARG verbose False\nARG addresses -1\n\n\nThe format of the page table is simple:\nThe high-order (left-most) bit is the VALID bit.\n  If the bit is 1, the rest of the entry is the PFN.\n  If the bit is 0, the page is not valid.\nUse verbose mode (-v) if you want to print the VPN # by\neach entry of the page table.\n\nPage Table (from entry 0 down to the max size)\n  0x00000000\n  0x800000cb\n  0x800000bd\n  0x80000007\n  0x00000000\n  0x800000a6\n  0x8000001c\n  0x00000000\n  0x00000000\n  0x00000000\n  0x00000000\n  0x00000000\n  0x00000000\n  0x00000000\n  0x800000c4\n  0x00000000\n\nVirtual Address Trace\n  VA 0x00cc11d3 (decimal: 13373907) --> PA or invalid address?\n  VA 0x00238642 (decimal:  2328130) --> PA or invalid address?\n  VA 0x009e115e (decimal: 10359134) --> PA or invalid address?\n  VA 0x00206f5c (decimal:  2125660) --> PA or invalid address?\n  VA 0x00007451 (decimal:    29777) --> PA or invalid address?\n  VA 0x00df1461 (decimal: 14619745) --> PA or invalid address?\n  VA 0x00359eee (decimal:  3514094) --> PA or invalid address?\n  VA 0x003729c6 (decimal:  3615174) --> PA or invalid address?\n  VA 0x00fb7ff3 (decimal: 16482291) --> PA or invalid address?\n  VA 0x00df561d (decimal: 14636573) --> PA or invalid address?\n\nFor each virtual address, write down the physical address it translates to\nOR write down that it is an out-of-bounds address (e.g., segfault).\n\n",
  ],
];

for (const [args, expected] of CASES) {
  Deno.test(`translate ${args.join(" ")} prints exactly what OSTEP's paging-linear-translate.py prints`, () => {
    const got = translateCli(args);
    assert.equal(got.status, 0);
    assert.equal(got.stdout, expected);
  });
}

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
      /Invalid -A \(addresses\): each address must be non-negative: received -5/,
    ],
  ];
  for (const [args, message] of cases) assert.throws(() => translateCli(args), message);
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
  assert.equal(optparseInt("0X1f", "-s"), 31);
  assert.equal(optparseInt("0", "-s"), 0);
  assert.throws(() => optparseInt("08", "-s (seed)"), /must be an integer: received "08"/);
  assert.equal(ostepSize("2g", "-p"), 2 * 1024 ** 3);
  assert.equal(ostepSize("1_000", "-a"), 1000);
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
