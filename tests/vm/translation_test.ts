import assert from "node:assert/strict";
import fc from "../_fc.ts";
import {
  createLinearPageTable,
  createMultiLevelPageTable,
  createOstepTwoLevelMemory,
  createX86_64PageTable,
  ostepMemoryDump,
  pageGeometry,
  splitVirtualAddress,
  translateLinear,
  translateOstepTwoLevel,
} from "memgarden";

Deno.test("page geometry: OSTEP's 16 KB space with 4 KB pages, and bad sizes", () => {
  assert.deepEqual(pageGeometry({ addressSpaceBytes: 16 * 1024, pageBytes: 4096 }), {
    addressSpaceBytes: 16384,
    pageBytes: 4096,
    pageCount: 4,
    offsetBits: 12,
    vpnBits: 2,
  });
  assert.throws(
    () => pageGeometry({ addressSpaceBytes: 12288, pageBytes: 4096 }),
    /addressSpaceBytes must be a power of two: received 12288/,
  );
  assert.throws(
    () => pageGeometry({ addressSpaceBytes: 4096, pageBytes: 8192 }),
    /pageBytes must not exceed addressSpaceBytes \(4096\): received 8192/,
  );
  assert.throws(
    () => pageGeometry({ addressSpaceBytes: 4096, pageBytes: -1 } as never),
    (e: Error) => e instanceof TypeError && /pageBytes/.test(e.message),
  );
  assert.deepEqual(splitVirtualAddress(2 ** 47 + 5, 4096), { vpn: 2 ** 35, offset: 5 });
});

Deno.test("linear table: OSTEP -s 1 worked case (VPN 1 -> PFN 12)", () => {
  const t = createLinearPageTable({
    addressSpaceBytes: 16384,
    pageBytes: 4096,
    entries: [null, 12, null, null],
  });
  const ok = translateLinear(t, 0x1cc4);
  assert.deepEqual(
    [ok.ok, ok.vpn, ok.offset, ok.pfn, ok.physicalAddress],
    [true, 1, 0xcc4, 12, 0xccc4],
  );
  assert.deepEqual(ok.steps, [{
    level: 0,
    name: "PTE",
    index: 1,
    entryAddress: 4,
    entryValue: 0x8000000c,
    valid: true,
  }]);
  const bad = translateLinear(t, 0x29b3);
  assert.deepEqual([bad.ok, bad.fault, bad.reason, bad.vpn, bad.faultLevel], [
    false,
    "segfault",
    "invalid",
    2,
    0,
  ]);
  const out = translateLinear(t, 0x4000);
  assert.deepEqual([out.fault, out.reason, out.vpn, out.steps.length], [
    "segfault",
    "out-of-bounds",
    null,
    0,
  ]);
  assert.throws(() => translateLinear(t, -1), /virtualAddress must be a non-negative safe integer/);
  assert.throws(
    () =>
      createLinearPageTable({
        addressSpaceBytes: 16384,
        pageBytes: 4096,
        entries: [20],
        physicalPageCount: 16,
      }),
    /entries\[0\] must be a frame below physicalPageCount 16: received 20/,
  );
  const bundle = (ok as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.match(bundle["text/plain"], /VA 0x1cc4 -> PA 0xccc4/);
  assert.match(bundle["text/html"], /<table>/);
  assert.deepEqual(JSON.parse(JSON.stringify(ok)).physicalAddress, 0xccc4);
});

Deno.test("x86-64 four-level walk: 9+9+9+9+12 bits, one table per level, entry addresses", () => {
  const table = createX86_64PageTable(10);
  const va = 0x0000_7f12_3456_7abc;
  const vpn = Math.floor(va / 4096);
  table.map(vpn, 0x1234);
  const t = table.translate(va);
  assert.equal(t.physicalAddress, 0x1234 * 4096 + 0xabc);
  const idx = [
    (va / 2 ** 39) & 511,
    (va / 2 ** 30) & 511,
    (va / 2 ** 21) & 511,
    (va / 2 ** 12) & 511,
  ];
  assert.deepEqual(t.steps.map((s) => s.index), idx);
  assert.deepEqual(t.steps.map((s) => s.entryAddress), [
    10 * 4096 + idx[0] * 8,
    11 * 4096 + idx[1] * 8,
    12 * 4096 + idx[2] * 8,
    13 * 4096 + idx[3] * 8,
  ]);
  assert.deepEqual(t.steps.map((s) => s.entryValue), [
    11 * 4096 + 1,
    12 * 4096 + 1,
    13 * 4096 + 1,
    0x1234 * 4096 + 1,
  ]);
  assert.equal(table.tablePageCount, 4);
  // A neighbour in the same 2 MiB region reuses all tables; a far page allocates three more.
  table.map(vpn + 1, 7);
  assert.equal(table.tablePageCount, 4);
  table.map(0, 8);
  assert.equal(table.tablePageCount, 7);
  // The highest canonical user address translates, 2^48 is out of bounds.
  table.map(2 ** 36 - 1, 9);
  assert.equal(table.translate(2 ** 48 - 1).physicalAddress, 9 * 4096 + 4095);
  assert.equal(table.translate(2 ** 48).reason, "out-of-bounds");
  // Missing mid-level table: the walk stops at the first invalid entry.
  const miss = table.translate(2 ** 40);
  assert.deepEqual([miss.reason, miss.faultLevel, miss.steps.length], ["invalid", 0, 1]);
});

Deno.test("multi-level table rejects tables that do not fit in a page and bad mappings", () => {
  assert.throws(
    () => createMultiLevelPageTable({ levelBits: [10, 10], offsetBits: 12, entryBytes: 8 }),
    /levelBits\[0\] must give a table that fits in one page \(2\^bits \* entryBytes <= 4096\): received 10/,
  );
  assert.throws(
    () => createMultiLevelPageTable({ levelBits: [], offsetBits: 12 }),
    (e: Error) => e instanceof TypeError && /levelBits/.test(e.message),
  );
  const t = createMultiLevelPageTable({ levelBits: [10, 10], offsetBits: 12, entryBytes: 4 });
  assert.throws(
    () => t.map(2 ** 20, 1),
    /vpn must be an integer in \[0, 1048576\): received 1048576/,
  );
  assert.throws(() => t.map(1, -1), /pfn must be a non-negative integer/);
});

Deno.test("property: a multi-level walk agrees with a linear table on random mappings", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 4, max: 6 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 1000 })), { maxLength: 40 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
      (levelBits, offsetBits, maps, probes) => {
        const vpnBits = levelBits.reduce((a, b) => a + b, 0);
        const pages = 2 ** vpnBits;
        const pageBytes = 2 ** offsetBits;
        const entryBytes = 2 ** Math.max(0, offsetBits - Math.max(...levelBits));
        const multi = createMultiLevelPageTable({
          levelBits,
          offsetBits,
          entryBytes,
          rootFrame: 5000,
        });
        const entries: (number | null)[] = new Array(pages).fill(null);
        for (const [v, pfn] of maps) {
          multi.map(v % pages, pfn);
          entries[v % pages] = pfn;
        }
        const linear = createLinearPageTable({
          addressSpaceBytes: pages * pageBytes,
          pageBytes,
          entries,
        });
        for (const p of probes) {
          const va = p % (2 * pages * pageBytes); // half of them out of bounds
          const a = multi.translate(va);
          const b = translateLinear(linear, va);
          assert.deepEqual(
            [a.ok, a.physicalAddress, a.reason, a.vpn, a.offset],
            [b.ok, b.physicalAddress, b.reason, b.vpn, b.offset],
          );
          if (a.ok) assert.equal(a.steps.length, levelBits.length);
        }
      },
    ),
  );
});

Deno.test("OSTEP two-level machine: seed 0 memory, PDBR and walks as paging-multilevel-translate.py", () => {
  const m = createOstepTwoLevelMemory({ seed: 0 });
  assert.equal(m.pdbr, 108);
  const dump = ostepMemoryDump(m).split("\n");
  // Lines printed by the Python original for -s 0.
  assert.equal(
    dump[0],
    "page   0:1b1d05051d0b19001e00121c1909190c0f0b0a1218151700100a061c06050514",
  );
  assert.equal(
    dump[126],
    "page 126:7f7f7f7f7f7f7f7f8ce6cf7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f967f7f7f7f7f",
  );
  const t = translateOstepTwoLevel(m, 0x3da8);
  assert.deepEqual(
    t.steps.map((s) => [s.name, s.index, s.entryValue, s.valid]),
    [["PDE", 0xf, 0xd6, true], ["PTE", 0xd, 0x7f, false]],
  );
  assert.deepEqual([t.reason, t.faultLevel], ["invalid", 1]);
  const ok = translateOstepTwoLevel(m, 0x17f5);
  assert.deepEqual([ok.physicalAddress, m.memory[ok.physicalAddress!]], [0x9d5, 0x1c]);
  assert.equal(translateOstepTwoLevel(m, 0x8000).reason, "out-of-bounds");
  // Every allocated page translates; the walk through the machine agrees with a multi-level table.
  for (const vp of m.allocatedPages) assert.ok(translateOstepTwoLevel(m, vp << 5).ok);
  assert.throws(
    () => createOstepTwoLevelMemory({ seed: 1, allocated: 100 }),
    /must fit in 128 physical pages: received allocated 100/,
  );
});
