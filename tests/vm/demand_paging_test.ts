import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { simulateDemandPaging, simulatePaging } from "memgarden";

Deno.test("fault kinds: zero-fill, page cache, file read, swap-in, segfault, with costs", () => {
  const r = simulateDemandPaging({
    frames: 2,
    swapPages: 4,
    policy: "fifo",
    processes: [
      { pid: 1, reservedPages: 4, files: [{ file: "lib.so", startPage: 10, pageCount: 2 }] },
      { pid: 2, reservedPages: 4, files: [{ file: "lib.so", startPage: 20, pageCount: 2 }] },
    ],
    pageCache: [{ file: "lib.so", page: 0 }],
    accesses: [
      { pid: 1, page: 10 }, // page-cache page: minor
      { pid: 2, page: 20 }, // same file page, other process: minor
      { pid: 1, page: 10 }, // hit
      { pid: 1, page: 0, write: true, value: 7 }, // zero-fill minor (free frame)
      { pid: 1, page: 11 }, // file page 1 not cached: major, evicts lib.so page 0 (FIFO)
      { pid: 1, page: 1 }, // zero-fill, evicts pid 1 page 0 to swap
      { pid: 1, page: 0 }, // major from swap, value kept
      { pid: 1, page: 4 }, // outside reservation: invalid
      { pid: 1, page: 10, write: true }, // write to read-only mapping: invalid
      { pid: 3, page: 0 }, // no such process
    ],
    costs: { hitNs: 1, minorFaultNs: 10, majorFaultNs: 1000, invalidFaultNs: 5, swapOutNs: 500 },
    steps: true,
  });
  assert.deepEqual(
    r.steps!.map((s) => [s.kind, s.source, s.evicted]),
    [
      ["minor", "page-cache", null],
      ["minor", "page-cache", null],
      ["hit", null, null],
      ["minor", "zero-fill", null],
      ["major", "file", "file lib.so page 0"],
      ["minor", "zero-fill", "pid 1 page 0"],
      ["major", "swap", "file lib.so page 1"],
      ["invalid", null, null],
      ["invalid", null, null],
      ["invalid", null, null],
    ],
  );
  assert.equal(r.steps![6].value, 7);
  assert.match(r.steps![8].reason!, /write to the read-only mapping of lib.so/);
  assert.deepEqual(r.counts, { hit: 1, minor: 4, major: 2, invalid: 3, oom: 0 });
  assert.deepEqual(r.timeNs, { hit: 1, minor: 40, major: 2000, invalid: 15, oom: 0, swapOut: 500 });
  assert.equal(r.totalNs, 2556);
  assert.equal(r.steps![5].costNs, 10 + 500);
  assert.equal(r.swapOuts, 1);
  assert.equal(r.peakSwapUsed, 1);
  const text = (r as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]()["text/plain"];
  assert.match(text, /FIFO, 2 frames \+ 4 swap: 1 hits, 4 minor, 2 major, 3 invalid/);
});

Deno.test("overcommit: reserving far more than memory is fine; touching too much is an OOM result", () => {
  const accesses = Array.from({ length: 8 }, (_, i) => ({ pid: 1, page: i * 100, write: true }));
  const r = simulateDemandPaging({
    frames: 3,
    swapPages: 2,
    processes: [{ pid: 1, reservedPages: 1_000_000 }],
    accesses,
    steps: true,
  });
  assert.deepEqual(r.steps!.map((s) => s.kind), [
    "minor",
    "minor",
    "minor",
    "minor",
    "minor",
    "oom",
    "oom",
    "oom",
  ]);
  assert.equal(r.touchedAnonPages, 5);
  assert.equal(r.overcommitRatio, 200_000);
  assert.match(
    r.steps![5].reason!,
    /touched anonymous pages would exceed frames \+ swap \(3 \+ 2\)/,
  );
  const ok = simulateDemandPaging({
    frames: 3,
    swapPages: 2,
    processes: [{ pid: 1, reservedPages: 1_000_000 }],
    accesses: accesses.slice(0, 5),
  });
  assert.equal(ok.counts.oom, 0);
  assert.match(ok.warnings[0], /reserving is free, only touching pages uses memory/);
});

Deno.test("isolation: the same virtual page in two processes never shares a frame or a value", () => {
  const r = simulateDemandPaging({
    frames: 2,
    swapPages: 2,
    processes: [{ pid: 1, reservedPages: 1 }, { pid: 2, reservedPages: 1 }],
    accesses: [
      { pid: 1, page: 0, write: true, value: 111 },
      { pid: 2, page: 0, write: true, value: 222 },
      { pid: 1, page: 0 },
      { pid: 2, page: 0 },
    ],
    steps: true,
  });
  const [a, b, c, d] = r.steps!;
  assert.notEqual(a.frame, b.frame);
  assert.deepEqual([c.value, d.value], [111, 222]);
});

Deno.test("swap full: anonymous pages cannot be evicted, file pages are dropped instead", () => {
  const r = simulateDemandPaging({
    frames: 2,
    swapPages: 0,
    policy: "fifo",
    processes: [{ pid: 1, reservedPages: 2, files: [{ file: "f", startPage: 5, pageCount: 3 }] }],
    accesses: [
      { pid: 1, page: 0 },
      { pid: 1, page: 5 },
      { pid: 1, page: 6 },
      { pid: 1, page: 1 }, // FIFO would pick anon page 0, but swap is full: the file page goes
      { pid: 1, page: 7 }, // every frame is anonymous now and swap is full
    ],
    steps: true,
  });
  assert.deepEqual(r.steps!.map((s) => [s.kind, s.evicted]), [
    ["minor", null],
    ["major", null],
    ["major", "file f page 0"],
    ["minor", "file f page 1"],
    ["oom", null],
  ]);
});

Deno.test("bad options name the field and rule", () => {
  assert.throws(
    () =>
      simulateDemandPaging({ frames: 0, processes: [{ pid: 1, reservedPages: 1 }], accesses: [] }),
    (e: Error) => e instanceof TypeError && /frames/.test(e.message),
  );
  assert.throws(
    () =>
      simulateDemandPaging({
        frames: 1,
        processes: [{ pid: 1, reservedPages: 1 }, { pid: 1, reservedPages: 2 }],
        accesses: [],
      }),
    /processes must have distinct pids: received 1 twice/,
  );
  assert.throws(
    () =>
      simulateDemandPaging({
        frames: 1,
        policy: "opt",
        processes: [{ pid: 1, reservedPages: 1 }],
        accesses: [],
      }),
    /policy must work online \(without the future\): received OPT/,
  );
  assert.throws(
    () =>
      simulateDemandPaging({
        frames: 1,
        processes: [{
          pid: 1,
          reservedPages: 4,
          files: [{ file: "f", startPage: 2, pageCount: 1 }],
        }],
        accesses: [],
      }),
    /files of pid 1 must start at or above its reserved pages \(4\): received startPage 2/,
  );
});

/** Naive reference: a list of resident keys, a swap set, a value map. FIFO or LRU. */
function naive(
  frames: number,
  policy: "fifo" | "lru",
  accesses: { pid: number; page: number; write: boolean; value: number }[],
) {
  const resident: string[] = [];
  const touched = new Set<string>();
  const values = new Map<string, number>();
  return accesses.map((a) => {
    const k = `${a.pid}:${a.page}`;
    let kind: string;
    const i = resident.indexOf(k);
    if (i >= 0) {
      kind = "hit";
      if (policy === "lru") resident.push(...resident.splice(i, 1));
    } else {
      kind = touched.has(k) ? "major" : "minor";
      touched.add(k);
      if (resident.length === frames) resident.shift();
      resident.push(k);
    }
    if (a.write) values.set(k, a.value);
    return [kind, values.get(k) ?? 0];
  });
}

Deno.test("property: kinds and values agree with a naive model; faults equal simulatePaging misses", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.constantFrom("fifo" as const, "lru" as const),
      fc.array(
        fc.record({
          pid: fc.integer({ min: 1, max: 3 }),
          page: fc.integer({ min: 0, max: 5 }),
          write: fc.boolean(),
          value: fc.integer({ min: 1, max: 99 }),
        }),
        { minLength: 1, maxLength: 60 },
      ),
      (frames, policy, accesses) => {
        const r = simulateDemandPaging({
          frames,
          swapPages: 18,
          policy,
          processes: [1, 2, 3].map((pid) => ({ pid, reservedPages: 6 })),
          accesses,
          steps: true,
        });
        assert.deepEqual(r.steps!.map((s) => [s.kind, s.value]), naive(frames, policy, accesses));
        const refs = accesses.map((a) => a.pid * 6 + a.page);
        const misses = simulatePaging({ frames, policy, references: refs }).misses;
        assert.equal(r.counts.minor + r.counts.major, misses);
      },
    ),
  );
});

Deno.test("property: the first OOM is the (frames + swap + 1)-th distinct anonymous page", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 4 }),
      fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 40 }),
      (frames, swapPages, pages) => {
        const r = simulateDemandPaging({
          frames,
          swapPages,
          policy: "clock",
          processes: [{ pid: 1, reservedPages: 13 }],
          accesses: pages.map((page) => ({ pid: 1, page })),
          steps: true,
        });
        const seen = new Set<number>();
        pages.forEach((p, t) => {
          const fresh = !seen.has(p);
          if (fresh && seen.size < frames + swapPages) seen.add(p);
          const oom = fresh && !seen.has(p);
          assert.equal(r.steps![t].kind === "oom", oom);
        });
      },
    ),
  );
});
