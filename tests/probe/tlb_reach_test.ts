import assert from "node:assert/strict";
import {
  describeHugeOutcome,
  describeTlbAgreement,
  describeTlbReach,
  type HugePageOutcome,
  measureTlbReach,
  parseCpuinfoTlb,
  readThpMode,
  simulateTlbReach,
  tlbChaseOrder,
  tlbGeometryFromSteps,
  type TlbReachResult,
  tlbReachSteps,
} from "memgarden";
import fc from "../_fc.ts";
import { TLB_RECORDED_THIS_MACHINE } from "./_tlb_fixture.ts";

const THIS_MACHINE = TLB_RECORDED_THIS_MACHINE;

function at(r: TlbReachResult, layout: string, pages: number): number {
  const c = r.curves.find((x) => x.layout === layout)!;
  return c.nsPerAccess[r.pageCounts.indexOf(pages)];
}

Deno.test("measured: a chase over 8192 pages pays for translations that the packed control does not", async () => {
  const r = await measureTlbReach({ pageCounts: [16, 32, 8192], budgetMs: 1200 });
  const small = at(r, "small-pages", 8192) / at(r, "small-pages", 16);
  const packed = at(r, "packed", 8192) / at(r, "packed", 16);
  assert.ok(small > 2, `4 KiB pages: 8192 pages should cost over twice 16 pages: ×${small}`);
  assert.ok(
    small > 1.5 * packed,
    `the rise (×${small}) must exceed the packed control's (×${packed})`,
  );
  const huge = r.curves.find((c) => c.layout === "huge-pages");
  if (r.huge.thpMode === null || r.huge.thpMode === "never") {
    assert.equal(huge, undefined, "no huge-page curve when the kernel does not allow them");
    assert.match(describeHugeOutcome(r.huge), /could not be tried/);
  } else {
    assert.ok(huge, "a huge-page curve when the kernel allows madvise");
    if (r.huge.hugeBytes !== null && r.huge.hugeBytes >= r.huge.bufferBytes / 2) {
      assert.ok(
        at(r, "huge-pages", 8192) < at(r, "small-pages", 8192),
        "huge pages make the longest chase cheaper",
      );
    }
  }
  assert.equal(r.curves.every((c) => c.samples.every((s) => s.length >= 3)), true);
});

Deno.test("measured: THP switched off (a recorded sysfs) means no huge-page curve, and says so", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "memgarden-test-thp-" });
  try {
    Deno.mkdirSync(`${dir}/kernel/mm/transparent_hugepage`, { recursive: true });
    Deno.writeTextFileSync(
      `${dir}/kernel/mm/transparent_hugepage/enabled`,
      "always madvise [never]\n",
    );
    const r = await measureTlbReach({ pageCounts: [8, 16], budgetMs: 60, sysRoot: dir });
    assert.deepEqual(r.curves.map((c) => c.layout), ["small-pages", "packed"]);
    assert.equal(r.huge.thpMode, "never");
    assert.match(describeTlbReach(r), /switched off here .* says never/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readThpMode reads each mode and names a missing or odd file", () => {
  const dir = Deno.makeTempDirSync({ prefix: "memgarden-test-thp-" });
  try {
    const path = `${dir}/kernel/mm/transparent_hugepage`;
    Deno.mkdirSync(path, { recursive: true });
    for (const mode of ["always", "madvise", "never"] as const) {
      const words = ["always", "madvise", "never"].map((w) => (w === mode ? `[${w}]` : w));
      Deno.writeTextFileSync(`${path}/enabled`, words.join(" ") + "\n");
      assert.equal(readThpMode(dir).mode, mode);
    }
    Deno.writeTextFileSync(`${path}/enabled`, "garbage\n");
    assert.equal(readThpMode(dir).mode, null);
    assert.match(readThpMode(dir).source, /unreadable: "garbage"/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assert.match(readThpMode("/nonexistent").source, /not found/);
});

Deno.test("bad options name the field", async () => {
  await assert.rejects(() => measureTlbReach({ maxPages: 1 << 20 }), /maxPages/);
  await assert.rejects(
    () => measureTlbReach({ minPages: 64, maxPages: 32 }),
    /maxPages must be at least minPages/,
  );
  await assert.rejects(() => measureTlbReach({ budgetMs: -1 }), /budgetMs/);
  assert.throws(() => tlbChaseOrder(1, 1), /pages must be an integer from 2/);
});

Deno.test("recorded on this machine: the steps, the sentence and the simulated geometry", () => {
  const steps = tlbReachSteps(THIS_MACHINE);
  const tlb = steps.filter((s) => s.fromTlb);
  assert.ok(tlb.length >= 2, "at least two steps the packed control does not share");
  assert.ok(tlb[0].afterPages >= 32 && tlb[0].afterPages <= 91, `first step ${tlb[0].afterPages}`);
  const text = describeTlbReach(THIS_MACHINE);
  assert.match(text, /a TLB step/);
  assert.match(text, /2560 entries for 4 KiB pages/);
  assert.match(text, /backed 64 MiB of the 64 MiB buffer \(100%\) with 2 MiB pages/);
  assert.match(
    text,
    /the first step did not move out/,
    "on this VM huge pages did not move the first step",
  );
  const g = tlbGeometryFromSteps(THIS_MACHINE)!;
  assert.equal(g.firstLevelEntries, tlb[0].afterPages);
  // Up to twice the larger level (as the lesson does): beyond it an LRU TLB misses every step anyway.
  const upTo = 2 * (g.secondLevelEntries ?? g.firstLevelEntries);
  const sim = simulateTlbReach(
    THIS_MACHINE.pageCounts.filter((n) => n <= upTo),
    g,
    THIS_MACHINE.seed,
  );
  const agree = describeTlbAgreement(THIS_MACHINE, sim, g);
  assert.match(agree, /they agree on where, by construction/);
  assert.match(agree, /kept growing/);
});

Deno.test("constructed paths: a flat curve, a shared step, huge pages refused or not granted", () => {
  const pageCounts = [16, 32, 64, 128, 256, 512];
  const huge = (o: Partial<HugePageOutcome>): HugePageOutcome => ({
    thpMode: "madvise",
    thpSource: "/sys/kernel/mm/transparent_hugepage/enabled",
    advised: true,
    refusal: null,
    hugeBytes: 0,
    bufferBytes: 2 ** 21,
    ...o,
  });
  const flat = {
    pageCounts,
    curves: [
      { layout: "small-pages" as const, nsPerAccess: [2, 2, 2, 2.1, 2, 2] },
      { layout: "packed" as const, nsPerAccess: [2, 2, 2, 2, 2, 2] },
    ],
    huge: huge({ thpMode: null, thpSource: "/sys/... not found", advised: false }),
    cpuinfoTlb: null,
  };
  assert.match(describeTlbReach(flat), /no step showed in this range/);
  assert.match(describeTlbReach(flat), /offers no transparent huge pages/);
  assert.equal(tlbGeometryFromSteps(flat), null);
  const shared = {
    ...flat,
    curves: [
      { layout: "small-pages" as const, nsPerAccess: [2, 2, 2, 5, 5, 5] },
      { layout: "packed" as const, nsPerAccess: [2, 2, 2, 4.5, 4.6, 4.6] },
    ],
    huge: huge({}),
  };
  assert.equal(tlbReachSteps(shared)[0].cause, "shared");
  assert.match(describeTlbReach(shared), /No step came from the TLB alone/);
  assert.match(describeTlbReach(shared), /backed none of the 2 MiB buffer/);
  assert.match(
    describeHugeOutcome(
      huge({ advised: false, refusal: "madvise(MADV_HUGEPAGE) refused: EINVAL" }),
    ),
    /not measured: madvise\(MADV_HUGEPAGE\) refused/,
  );
  const moved = {
    ...flat,
    curves: [
      { layout: "small-pages" as const, nsPerAccess: [2, 2, 4, 4, 4, 4] },
      { layout: "huge-pages" as const, nsPerAccess: [2, 2, 2, 2, 2, 2] },
      { layout: "packed" as const, nsPerAccess: [2, 2, 2, 2, 2, 2] },
    ],
    huge: huge({ hugeBytes: 2 ** 21 }),
  };
  assert.match(describeTlbReach(moved), /is gone: each 2 MiB entry covers 512/);
});

Deno.test("simulateTlbReach equals the LRU rule on a cycle: hits iff the cycle fits", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 300 }),
      fc.integer({ min: 1, max: 300 }),
      fc.integer(),
      (pages, entries, seed) => {
        const [p] = simulateTlbReach([pages], {
          firstLevelEntries: entries,
          secondLevelEntries: null,
        }, seed);
        assert.equal(p.firstLevelHitRate, pages <= entries ? 1 : 0);
        const [q] = simulateTlbReach(
          [pages],
          { firstLevelEntries: 1, secondLevelEntries: entries },
          seed,
        );
        assert.equal(q.secondLevelHitRate, pages <= entries ? 1 : 0);
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("parseCpuinfoTlb reads AMD's line and ignores others", () => {
  assert.deepEqual(parseCpuinfoTlb("TLB size\t: 3072 4K pages\n")?.entries, 3072);
  assert.equal(parseCpuinfoTlb("TLB size\t: 8 2M pages\n")?.pageBytes, 2 * 1024 * 1024);
  assert.equal(parseCpuinfoTlb(""), null);
});
