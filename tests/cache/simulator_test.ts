import assert from "node:assert/strict";
import fc from "../_fc.ts";
import {
  amat,
  CacheSimulator,
  createPrng,
  createTrace,
  matrixTrace,
  resolveReplacement,
  simulateCache,
  stridedTrace,
} from "memgarden";
import { type RefConfig, referenceCache } from "./_reference.ts";

type Op = "L" | "S" | "M";
const ops = (list: [Op, number][]) => createTrace(list.map(([op, address]) => ({ op, address })));

function split(list: { op: Op; address: number }[]) {
  return list.flatMap(({ op, address }) =>
    op === "M"
      ? [{ write: false, address }, { write: true, address }]
      : [{ write: op === "S", address }]
  );
}

const accessArb = (lineBytesMax: number) =>
  fc.record({
    op: fc.constantFrom<Op>("L", "S", "M"),
    // Small addresses collide often; a few huge ones check wide addresses.
    address: fc.oneof(
      { weight: 9, arbitrary: fc.integer({ min: 0, max: 64 * lineBytesMax }) },
      { weight: 1, arbitrary: fc.integer({ min: 2 ** 47, max: 2 ** 47 + 4096 }) },
    ),
  });

for (const policy of ["lru", "fifo", "random", "plru"] as const) {
  Deno.test(`${policy}: the simulator agrees with the naive reference model on random traces`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }), // log2 sets
        policy === "plru" ? fc.constantFrom(1, 2, 4, 8) : fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 4 }), // log2 line bytes
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        fc.array(accessArb(16), { maxLength: 300 }),
        (s, ways, b, writeBack, writeAllocate, seed, list) => {
          const sets = 2 ** s, lineBytes = 2 ** b;
          const trace = createTrace(list);
          const got = simulateCache({
            levels: [{
              sets,
              ways,
              lineBytes,
              policy,
              seed,
              writePolicy: writeBack ? "write-back" : "write-through",
              writeAllocate,
            }],
            accessMode: "csim",
            classifyMisses: false,
          }, trace).levels[0];
          const want = referenceCache(split(list), {
            sets,
            ways,
            lineBytes,
            policy,
            writeBack,
            writeAllocate,
            seed,
          });
          assert.deepEqual(
            {
              hits: got.hits,
              misses: got.misses,
              evictions: got.evictions,
              dirtyWritebacks: got.dirtyWritebacks,
              writesForwarded: got.writesForwarded,
            },
            want,
          );
        },
      ),
      { numRuns: 150 },
    );
  });
}

Deno.test("3C classification: misses always split into compulsory + capacity + conflict", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(accessArb(8), { maxLength: 200 }),
      (s, ways, list) => {
        const l = simulateCache({ sets: 2 ** s, ways, lineBytes: 8 }, createTrace(list)).levels[0];
        assert.equal(l.compulsory! + l.capacity! + l.conflict!, l.misses);
        // Compulsory misses are exactly the distinct lines touched.
        assert.equal(l.compulsory, new Set(list.map((a) => Math.floor(a.address / 8))).size);
      },
    ),
  );
});

Deno.test("3C textbook case: ping-pong in a direct-mapped cache is all conflict misses", () => {
  // 4 sets x 1 way x 16 B = 64 B. Lines 0x000 and 0x040 both map to set 0.
  const t = ops([["L", 0x000], ["L", 0x040], ["L", 0x000], ["L", 0x040], ["L", 0x000]]);
  const l = simulateCache({ sets: 4, ways: 1, lineBytes: 16 }, t).levels[0];
  assert.deepEqual([l.hits, l.misses, l.compulsory, l.capacity, l.conflict], [0, 5, 2, 0, 3]);
  // Two ways remove the conflict: only the two compulsory misses remain.
  const l2 = simulateCache({ sets: 2, ways: 2, lineBytes: 16 }, t).levels[0];
  assert.deepEqual([l2.hits, l2.misses, l2.conflict], [3, 2, 0]);
});

Deno.test("3C textbook case: sweeping more lines than the cache holds gives capacity misses", () => {
  // 8 lines of 16 B, fully associative LRU; sweep 9 lines twice: 9 compulsory, then 9 capacity.
  const t = stridedTrace({ count: 9, strideBytes: 16, repeat: 2 });
  const l = simulateCache({ sets: 1, ways: 8, lineBytes: 16 }, t).levels[0];
  assert.deepEqual([l.misses, l.compulsory, l.capacity, l.conflict], [18, 9, 9, 0]);
  // Direct-mapped 8 sets: same sweep, same counts: line 8 evicts line 0 each lap.
  const d = simulateCache({ sets: 8, ways: 1, lineBytes: 16 }, t).levels[0];
  assert.deepEqual([d.misses, d.compulsory], [11, 9]);
  // second lap: line 0 (evicted by 8) misses, lines 1..7 hit, line 8 (evicted by 0) misses.
  assert.deepEqual([d.capacity! + d.conflict!, d.hits], [2, 7]);
});

Deno.test("row-major traversal uses every byte of a line, column-major wastes them", () => {
  const cache = { sizeBytes: 4096, ways: 4, lineBytes: 64 };
  const row = simulateCache(cache, matrixTrace({ rows: 128, cols: 128, order: "row" })).levels[0];
  const col = simulateCache(cache, matrixTrace({ rows: 128, cols: 128, order: "column" }))
    .levels[0];
  assert.equal(row.misses, (128 * 128) / 16); // one miss per 16 ints
  assert.equal(col.misses, 128 * 128); // 128 rows x 64 B = 8 KiB > 4 KiB: every access misses
  assert.equal(row.compulsory, col.compulsory);
});

Deno.test("accesses that straddle a line touch both lines, except in csim mode", () => {
  const t = createTrace([{ op: "L", address: 14, sizeBytes: 4 }]);
  const lines = simulateCache({ sets: 4, ways: 1, lineBytes: 16 }, t);
  assert.equal(lines.accesses, 2);
  assert.equal(lines.levels[0].misses, 2);
  assert.match(lines.warnings.join(), /1 accesses straddle a line boundary/);
  const csim = simulateCache({
    levels: [{ sets: 4, ways: 1, lineBytes: 16 }],
    accessMode: "csim",
  }, t);
  assert.equal(csim.levels[0].misses, 1);
});

Deno.test("write-back holds dirty lines until eviction; write-through forwards every write", () => {
  // 1 set, 1 way, 16 B: store to A, store to A, load B (evicts dirty A), load A (evicts clean B).
  const t = ops([["S", 0x00], ["S", 0x04], ["L", 0x10], ["L", 0x00]]);
  const wb = simulateCache({ sets: 1, ways: 1, lineBytes: 16 }, t);
  assert.deepEqual(
    [wb.levels[0].evictions, wb.levels[0].dirtyWritebacks, wb.memoryWrites, wb.memoryReads],
    [2, 1, 1, 3],
  );
  const wt = simulateCache({ sets: 1, ways: 1, lineBytes: 16, writePolicy: "write-through" }, t);
  assert.deepEqual(
    [wt.levels[0].dirtyWritebacks, wt.levels[0].writesForwarded, wt.memoryWrites],
    [0, 2, 2],
  );
  const nwa = simulateCache({
    sets: 1,
    ways: 1,
    lineBytes: 16,
    writePolicy: "write-through",
    writeAllocate: false,
  }, t);
  // Both stores miss and go to memory without allocating; the loads then miss and fill.
  assert.deepEqual([nwa.levels[0].misses, nwa.levels[0].hits, nwa.memoryReads], [4, 0, 2]);
});

Deno.test("hierarchy: simulated AMAT equals the formula with the simulated local miss rates", () => {
  fc.assert(
    fc.property(fc.array(accessArb(64), { minLength: 1, maxLength: 400 }), (list) => {
      const loads = list.map((a) => ({ op: "L" as const, address: a.address }));
      const r = simulateCache({
        levels: [
          { sets: 2, ways: 2, lineBytes: 16, latencyCycles: 1 },
          { sets: 4, ways: 4, lineBytes: 32, latencyCycles: 10 },
        ],
        memoryLatencyCycles: 100,
      }, createTrace(loads));
      const formula = amat(
        r.levels.map((l) => ({ latencyCycles: l.latencyCycles, missRate: l.missRate })),
        100,
      );
      assert.ok(Math.abs(r.amatCycles - formula) < 1e-9, `${r.amatCycles} vs ${formula}`);
      assert.equal(r.levels[1].reads, r.levels[0].misses);
      assert.equal(r.memoryReads, r.levels[1].misses);
    }),
  );
});

Deno.test("hierarchy: dirty L1 victims are written back into L2, not counted as L2 demand", () => {
  const t = ops([["S", 0x00], ["L", 0x10]]); // L1 = 1 line: the load evicts the dirty store
  const r = simulateCache({
    levels: [{ sets: 1, ways: 1, lineBytes: 16 }, { sets: 4, ways: 2, lineBytes: 16 }],
  }, t);
  const [l1, l2] = r.levels;
  assert.deepEqual([l1.misses, l1.dirtyWritebacks], [2, 1]);
  assert.deepEqual([l2.reads, l2.writes, l2.misses, l2.receivedWrites], [2, 0, 2, 1]);
  assert.equal(r.memoryWrites, 0); // the write-back hit in L2 and made that line dirty there
});

Deno.test("split L1: instruction fetches go to L1i, data to L1d, both share L2", () => {
  const t = createTrace([
    { op: "I", address: 0x400000, sizeBytes: 4 },
    { op: "I", address: 0x400004, sizeBytes: 4 },
    { op: "L", address: 0x1000, sizeBytes: 8 },
    { op: "S", address: 0x1008, sizeBytes: 8 },
  ]);
  const r = simulateCache({
    instructionL1: { sets: 2, ways: 1, lineBytes: 32 },
    levels: [{ sets: 2, ways: 1, lineBytes: 32 }, { sets: 8, ways: 2, lineBytes: 64 }],
  }, t);
  assert.deepEqual(r.levels.map((l) => [l.name, l.hits, l.misses]), [
    ["L1i", 1, 1],
    ["L1", 1, 1],
    ["L2", 0, 2],
  ]);
});

Deno.test("step log records tag, set, offset, outcome and the evicted line, and displays", () => {
  const r = simulateCache({
    levels: [{ sets: 2, ways: 1, lineBytes: 16 }],
    stepLimit: 3,
  }, ops([["L", 0x12], ["L", 0x32], ["L", 0x14], ["L", 0x00]]));
  assert.deepEqual(r.steps, [
    {
      index: 0,
      level: "L1",
      kind: "read",
      address: 0x12,
      tag: 0,
      set: 1,
      offset: 2,
      outcome: "compulsory",
      evicted: null,
    },
    {
      index: 1,
      level: "L1",
      kind: "read",
      address: 0x32,
      tag: 1,
      set: 1,
      offset: 2,
      outcome: "compulsory",
      evicted: { tag: 0, address: 0x10, dirty: false },
    },
    {
      index: 2,
      level: "L1",
      kind: "read",
      address: 0x14,
      tag: 0,
      set: 1,
      offset: 4,
      outcome: "conflict",
      evicted: { tag: 1, address: 0x30, dirty: false },
    },
  ]);
  assert.equal(r.stepsTruncated, true);
  // A log that holds every access exactly is not truncated.
  const whole = simulateCache(
    { levels: [{ sets: 2, ways: 1, lineBytes: 16 }], stepLimit: 2 },
    ops([["L", 0x12], ["L", 0x32]]),
  );
  assert.deepEqual([whole.steps?.length, whole.stepsTruncated], [2, false]);
  const bundle = (r as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.match(bundle["text/html"], /<td>conflict<\/td>/);
  const named = simulateCache(
    { name: "L1 <fast>", sets: 1, ways: 1, lineBytes: 16 },
    ops([["L", 0]]),
  );
  const namedHtml = (named as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]()["text/html"];
  assert.match(namedHtml, /<td>L1 &lt;fast&gt;<\/td>/);
  assert.match(bundle["text/plain"], /hits:0 misses:4/);
  assert.deepEqual(JSON.parse(JSON.stringify(r)).levels[0].misses, 4);
});

Deno.test("a user-supplied replacement policy is used as given", () => {
  let victims = 0;
  const lastWay = {
    name: "last-way",
    create: (_sets: number, ways: number) => ({
      touch() {},
      fill() {},
      victim: () => {
        victims++;
        return ways - 1;
      },
    }),
  };
  // 1 set x 2 ways; A B C: C evicts B (the last way); then A hits.
  const r = simulateCache(
    { sets: 1, ways: 2, lineBytes: 16, policy: lastWay },
    ops([["L", 0x00], ["L", 0x10], ["L", 0x20], ["L", 0x00]]),
  );
  assert.deepEqual([r.levels[0].hits, r.levels[0].policy, victims], [1, "last-way", 1]);
  assert.equal(resolveReplacement(lastWay), lastWay);
});

Deno.test("running in batches equals running at once", () => {
  const t = matrixTrace({ rows: 32, cols: 48, order: "column" });
  const half = {
    length: t.length / 2,
    ops: t.ops.subarray(0, t.length / 2),
    addresses: t.addresses.subarray(0, t.length / 2),
    sizes: t.sizes.subarray(0, t.length / 2),
  };
  const rest = {
    length: t.length / 2,
    ops: t.ops.subarray(t.length / 2),
    addresses: t.addresses.subarray(t.length / 2),
    sizes: t.sizes.subarray(t.length / 2),
  };
  const cfg = { sizeBytes: 1024, ways: 2, lineBytes: 32 };
  const sim = new CacheSimulator(cfg);
  sim.run(half).run(rest);
  assert.deepEqual(sim.result().levels, simulateCache(cfg, t).levels);
});

Deno.test("the fast single-level loop and the general hierarchy path agree", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("lru", "fifo", "random", "plru"),
      fc.constantFrom(1, 2, 4),
      fc.boolean(),
      fc.boolean(),
      fc.array(
        fc.record({
          op: fc.constantFrom<"L" | "S" | "M" | "I">("L", "S", "M", "I"),
          address: fc.integer({ min: 0, max: 1024 }),
          sizeBytes: fc.integer({ min: 1, max: 24 }),
        }),
        { maxLength: 300 },
      ),
      (policy, ways, writeBack, writeAllocate, list) => {
        const l1 = {
          sets: 4,
          ways,
          lineBytes: 16,
          policy,
          seed: 9,
          writePolicy: writeBack ? "write-back" as const : "write-through" as const,
          writeAllocate,
        };
        const trace = createTrace(list);
        const fast = simulateCache({ levels: [l1] }, trace); // one level: the fast loop
        const logged = simulateCache({ levels: [l1], stepLimit: 1 }, trace); // step log: general path
        const below = simulateCache({ levels: [l1, { sets: 64, ways: 4, lineBytes: 16 }] }, trace);
        // Without the 3C split, misses take the fast loop's inline path too.
        const plain = simulateCache({ levels: [l1], classifyMisses: false }, trace);
        const plainLogged = simulateCache(
          { levels: [l1], classifyMisses: false, stepLimit: 1 },
          trace,
        );
        assert.deepEqual(plainLogged.levels, plain.levels);
        assert.deepEqual(
          [plainLogged.accesses, plainLogged.memoryReads, plainLogged.memoryWrites],
          [plain.accesses, plain.memoryReads, plain.memoryWrites],
        );
        assert.deepEqual(
          { ...plain.levels[0], compulsory: 0, capacity: 0, conflict: 0 },
          { ...fast.levels[0], compulsory: 0, capacity: 0, conflict: 0 },
        );
        assert.deepEqual(logged.levels, fast.levels);
        assert.deepEqual(below.levels[0], fast.levels[0]); // L1 does not depend on what lies below
        assert.deepEqual(
          [logged.accesses, logged.memoryReads, logged.memoryWrites, logged.amatCycles],
          [fast.accesses, fast.memoryReads, fast.memoryWrites, fast.amatCycles],
        );
      },
    ),
    { numRuns: 150 },
  );
});

/** Naive 3C reference: a set-associative LRU cache beside a fully associative LRU of as many lines. */
function reference3C(
  sets: number,
  ways: number,
  lineBytes: number,
  list: { op: Op; address: number }[],
) {
  const cache: number[][] = Array.from({ length: sets }, () => []);
  const fa: number[] = [];
  const seen = new Set<number>();
  const out = { misses: 0, compulsory: 0, capacity: 0, conflict: 0 };
  const touch = (lines: number[], line: number, max: number): boolean => {
    const at = lines.indexOf(line);
    if (at >= 0) lines.splice(at, 1);
    lines.unshift(line);
    if (lines.length > max) lines.pop();
    return at >= 0;
  };
  for (const a of list) {
    const line = Math.floor(a.address / lineBytes);
    for (let k = 0; k < (a.op === "M" ? 2 : 1); k++) {
      const hit = touch(cache[line % sets], line, ways);
      const faHit = touch(fa, line, sets * ways);
      if (hit) continue;
      out.misses++;
      if (!seen.has(line)) out.compulsory++;
      else if (!faHit) out.capacity++;
      else out.conflict++;
      seen.add(line);
    }
  }
  return out;
}

Deno.test("3C classification equals a naive reference (set-associative LRU beside fully associative LRU)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(accessArb(8), { maxLength: 300 }),
      (s, ways, list) => {
        // One-byte accesses: each touches one line, as in the reference.
        const l = simulateCache({ sets: 2 ** s, ways, lineBytes: 8 }, createTrace(list)).levels[0];
        const want = reference3C(2 ** s, ways, 8, list);
        assert.deepEqual(
          {
            misses: l.misses,
            compulsory: l.compulsory,
            capacity: l.capacity,
            conflict: l.conflict,
          },
          want,
        );
      },
    ),
    { numRuns: 300 },
  );
});

/**
 * Naive 3C beside any replacement and write policy: the reference cache says hit or miss; a
 * plain-array fully associative LRU of as many lines is used by every access (a write that
 * does not allocate does not enter it); a miss is compulsory the first time its line misses.
 */
function reference3CAnyPolicy(list: { op: Op; address: number }[], c: RefConfig) {
  const accesses = split(list);
  const hitEach: boolean[] = [];
  referenceCache(accesses, c, hitEach);
  const fa: number[] = [];
  const missed = new Set<number>();
  const out = { misses: 0, compulsory: 0, capacity: 0, conflict: 0 };
  accesses.forEach(({ write, address }, i) => {
    const line = Math.floor(address / c.lineBytes);
    const at = fa.indexOf(line);
    if (at >= 0) fa.splice(at, 1);
    if (at >= 0 || !write || c.writeAllocate) fa.unshift(line);
    if (fa.length > c.sets * c.ways) fa.pop();
    if (hitEach[i]) return;
    out.misses++;
    if (!missed.has(line)) out.compulsory++;
    else if (at < 0) out.capacity++;
    else out.conflict++;
    missed.add(line);
  });
  return out;
}

Deno.test("3C split equals a naive reference with every policy, write-through and no-write-allocate, on both paths", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("lru", "fifo", "random", "plru"),
      fc.integer({ min: 0, max: 3 }), // log2 sets
      fc.constantFrom(1, 2, 4),
      fc.boolean(),
      fc.boolean(),
      fc.integer(),
      fc.array(accessArb(8), { maxLength: 400, size: "max" }),
      (policy, s, ways, writeBack, writeAllocate, seed, list) => {
        const c: RefConfig = {
          sets: 2 ** s,
          ways,
          lineBytes: 8,
          policy,
          writeBack,
          writeAllocate,
          seed,
        };
        const level = {
          sets: c.sets,
          ways,
          lineBytes: 8,
          policy,
          seed,
          writePolicy: writeBack ? "write-back" as const : "write-through" as const,
          writeAllocate,
        };
        const want = reference3CAnyPolicy(list, c);
        const trace = createTrace(list); // one-byte accesses: one line each
        for (
          const got of [
            simulateCache({ levels: [level] }, trace).levels[0], // the fast loop
            simulateCache({ levels: [level], stepLimit: 1 }, trace).levels[0], // general path
            simulateCache({ levels: [level, { sets: 16, ways: 2, lineBytes: 8 }] }, trace)
              .levels[0],
          ]
        ) {
          const { misses, compulsory, capacity, conflict } = got;
          assert.deepEqual({ misses, compulsory, capacity, conflict }, want);
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("hierarchies: the level-by-level batch loop and the general path agree on every count", () => {
  const levelArb = fc.record({
    sets: fc.constantFrom(1, 2, 4, 8),
    ways: fc.constantFrom(1, 2, 4),
    lineBytes: fc.constantFrom(8, 16, 32),
    policy: fc.constantFrom("lru", "fifo", "random", "plru"),
    writePolicy: fc.constantFrom("write-back" as const, "write-through" as const),
    writeAllocate: fc.boolean(),
    latencyCycles: fc.integer({ min: 1, max: 20 }),
    seed: fc.integer(),
  });
  fc.assert(
    fc.property(
      fc.array(levelArb, { minLength: 2, maxLength: 3 }),
      fc.boolean(),
      fc.constantFrom("lines" as const, "csim" as const),
      fc.array(
        fc.record({
          op: fc.constantFrom<"L" | "S" | "M" | "I">("L", "S", "M", "I"),
          address: fc.oneof(
            { weight: 9, arbitrary: fc.integer({ min: 0, max: 2048 }) },
            { weight: 1, arbitrary: fc.integer({ min: 2 ** 47, max: 2 ** 47 + 4096 }) },
          ),
          sizeBytes: fc.integer({ min: 1, max: 40 }), // some straddle lines
        }),
        { maxLength: 400, size: "max" },
      ),
      (levels, classifyMisses, accessMode, list) => {
        const trace = createTrace(list);
        const config = { levels, classifyMisses, accessMode };
        const batched = simulateCache(config, trace);
        const general = simulateCache({ ...config, stepLimit: 1 }, trace); // the step log forces it
        assert.deepEqual(batched.levels, general.levels);
        assert.deepEqual(
          [batched.accesses, batched.memoryReads, batched.memoryWrites, batched.amatCycles],
          [general.accesses, general.memoryReads, general.memoryWrites, general.amatCycles],
        );
        assert.deepEqual(batched.warnings, general.warnings);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("hierarchies: a trace longer than one batch gives the counts of the general path", () => {
  // 50,000 records: the batch loop hands L2 its input in several batches.
  const prng = createPrng(3);
  const list = Array.from({ length: 50_000 }, () => ({
    op: prng.float() < 0.3 ? "S" as const : "L" as const,
    address: prng.int(0, 1 << 16),
  }));
  const trace = createTrace(list);
  const config = {
    levels: [
      { sets: 16, ways: 2, lineBytes: 32 },
      { sets: 64, ways: 4, lineBytes: 64, writePolicy: "write-through" as const },
      { sets: 256, ways: 8, lineBytes: 64, writeAllocate: false },
    ],
  };
  const batched = simulateCache(config, trace);
  const general = simulateCache({ ...config, stepLimit: 1 }, trace);
  assert.deepEqual(batched.levels, general.levels);
  assert.deepEqual(
    [batched.accesses, batched.memoryReads, batched.memoryWrites, batched.amatCycles],
    [general.accesses, general.memoryReads, general.memoryWrites, general.amatCycles],
  );
  assert.ok(batched.levels[2].misses > 1000 && batched.levels[2].compulsory! > 0);
});
