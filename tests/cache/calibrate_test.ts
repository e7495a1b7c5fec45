import assert from "node:assert/strict";
import fc from "../_fc.ts";
import {
  CacheSimulator,
  calibrateHierarchy,
  calibrationTable,
  estimateLevels,
  predictChaseLatency,
  tryCalibrateHierarchy,
} from "memgarden";

const K = 1024;
const M = K * K;
const CACHES = [
  { level: 1, type: "Data" as const, sizeBytes: 48 * K, ways: 12, lineBytes: 64 },
  { level: 1, type: "Instruction" as const, sizeBytes: 32 * K, ways: 8, lineBytes: 64 },
  { level: 2, type: "Unified" as const, sizeBytes: M, ways: 16, lineBytes: 64 },
  { level: 3, type: "Unified" as const, sizeBytes: 32 * M, ways: 16, lineBytes: 64 },
];
const FOUR = [
  { fromBytes: 4 * K, toBytes: 45 * K, latencyNs: 1.5 },
  { fromBytes: 64 * K, toBytes: 724 * K, latencyNs: 4 },
  { fromBytes: 2 * M, toBytes: 16 * M, latencyNs: 12 },
  { fromBytes: 46 * M, toBytes: 64 * M, latencyNs: 100 },
];

Deno.test("calibrate: each plateau becomes the matching OS cache, costs are differences", () => {
  const m = calibrateHierarchy({ plateaus: FOUR, caches: CACHES });
  assert.deepEqual(m.levels.map((l) => [l.name, l.sizeBytes, l.ways, l.costNs]), [
    ["L1", 48 * K, 12, 1.5],
    ["L2", M, 16, 2.5],
    ["L3", 32 * M, 16, 8],
  ]);
  assert.equal(m.memoryCostNs, 88);
  assert.equal(m.memoryMeasuredNs, 100);
  assert.deepEqual(m.notes, []);
  assert.ok(m.levels.every((l) => l.geometryFrom === "caches"));
  new CacheSimulator(m.config); // a valid configuration
});

Deno.test("calibrate: a cache without a plateau is left out, and the notes say so", () => {
  const plateaus = [FOUR[0], FOUR[1], { fromBytes: 3 * M, toBytes: 64 * M, latencyNs: 147 }];
  const m = calibrateHierarchy({ plateaus, caches: CACHES });
  assert.deepEqual(m.levels.map((l) => l.name), ["L1", "L2"]);
  assert.equal(m.memoryCostNs, 143);
  assert.equal(m.notes.length, 1);
  assert.match(m.notes[0], /L3 \(33554432 bytes\) shows no plateau/);
});

Deno.test("calibrate: without caches, sizes come from the plateaus; a plateau faster than the one above is left out", () => {
  const m = calibrateHierarchy({
    plateaus: [
      { fromBytes: 4 * K, toBytes: 40 * K, latencyNs: 2 },
      { fromBytes: 64 * K, toBytes: 700 * K, latencyNs: 1.8 },
      { fromBytes: 4 * M, toBytes: 8 * M, latencyNs: 90 },
    ],
  });
  assert.deepEqual(m.levels.map((l) => [l.name, l.sizeBytes, l.ways, l.geometryFrom, l.costNs]), [
    ["L1", 32 * K, 8, "plateau", 2],
  ]);
  assert.equal(m.memoryCostNs, 88);
  assert.ok(
    m.notes.some((n) =>
      /plateau 2 \(1\.80 ns\) is out of order with plateau 1 \(2\.00 ns\)/.test(n)
    ),
    m.notes.join("\n"),
  );
});

Deno.test("calibrate: a slow first plateau with few sizes is dropped, not the rising ones after it", () => {
  // Measured here on a loaded machine: 8-11 KiB read slower than 16-32 KiB.
  const m = calibrateHierarchy({
    plateaus: [
      { fromBytes: 8 * K, toBytes: 11.3 * K, latencyNs: 5.26, points: 2 },
      { fromBytes: 16 * K, toBytes: 32 * K, latencyNs: 3.28, points: 3 },
      { fromBytes: 64 * K, toBytes: 256 * K, latencyNs: 4.55, points: 6 },
      { fromBytes: 2 * M, toBytes: 5.66 * M, latencyNs: 174, points: 4 },
      { fromBytes: 16 * M, toBytes: 64 * M, latencyNs: 1065, points: 3 },
    ],
    caches: CACHES,
  });
  assert.deepEqual(m.levels.map((l) => [l.name, l.measuredNs]), [["L1", 3.28], ["L2", 4.55]]);
  // Two RAM plateaus: the one with more sizes gives memory its speed.
  assert.equal(m.memoryMeasuredNs, 174);
  assert.ok(m.notes.some((n) => /all are RAM; the model uses plateau 4 \(174\.00 ns\)/.test(n)));
  assert.match(m.notes[0], /plateau 1 \(5\.26 ns\) is out of order with plateau 2 \(3\.28 ns\)/);
});

Deno.test("calibrate: latencies of the model's levels always rise, memory last (property)", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          kib: fc.integer({ min: 1, max: 1 << 17 }),
          ns: fc.double({ min: 0.5, max: 500, noNaN: true }),
        }),
        { minLength: 2, maxLength: 8 },
      ),
      fc.boolean(),
      (raw, withCaches) => {
        const sorted = [...raw].sort((a, b) => a.kib - b.kib);
        const plateaus = sorted.map((r) => ({
          fromBytes: r.kib * K,
          toBytes: r.kib * K * 2,
          latencyNs: r.ns,
        }));
        const attempt = tryCalibrateHierarchy({ plateaus, caches: withCaches ? CACHES : [] });
        if (attempt.model === null) return;
        const costs = [...attempt.model.levels.map((l) => l.costNs), attempt.model.memoryCostNs];
        assert.ok(costs.every((c) => c > 0), JSON.stringify(costs));
        const measured = [
          ...attempt.model.levels.map((l) => l.measuredNs),
          attempt.model.memoryMeasuredNs,
        ];
        for (let i = 1; i < measured.length; i++) assert.ok(measured[i] > measured[i - 1]);
        assert.ok(plateaus.some((p) => p.latencyNs === attempt.model!.memoryMeasuredNs));
      },
    ),
  );
});

Deno.test("calibrate: machine B's curve, with RAM split in two plateaus, names RAM as memory, not L5", () => {
  const curve = JSON.parse(
    Deno.readTextFileSync(new URL("../probe/fixtures/machine-b/latency.json", import.meta.url)),
  );
  const { plateaus } = estimateLevels(curve);
  assert.equal(plateaus.length, 6);
  // sysconf's L1d and L2 (its 508 MiB L3 is not believed), plus the measured L3.
  const caches = [
    { level: 1, type: "Data" as const, sizeBytes: 48 * K, ways: 12, lineBytes: 64 },
    { level: 2, type: "Unified" as const, sizeBytes: M, ways: 8, lineBytes: 64 },
    { level: 3, type: "Unified" as const, sizeBytes: 8 * M, ways: null, lineBytes: null },
  ];
  const m = calibrateHierarchy({ plateaus, caches });
  assert.deepEqual(m.levels.map((l) => l.name), ["L1", "L2", "L3"]);
  assert.equal(m.memoryMeasuredNs, 475);
  assert.ok(
    m.notes.some((n) =>
      /plateaus 5, 6 start beyond the last-level cache or are slower than 60 ns: all are RAM/.test(
        n,
      )
    ),
    m.notes.join("\n"),
  );
  const table = calibrationTable(m).text;
  assert.doesNotMatch(table, /L4|L5/);
  assert.match(table, /RAM\s+all\s+475\.00/);
  // Without any cache list, the plateaus are the only guide: RAM's first plateau (121 ns) is
  // too slow for a cache, so it is RAM too, not an "L5".
  const bare = calibrateHierarchy({ plateaus });
  assert.deepEqual(bare.levels.map((l) => l.name), ["L1", "L2", "L3", "L4"]);
  assert.equal(bare.memoryMeasuredNs, 475);
  assert.doesNotMatch(calibrationTable(bare).text, /L5/);
  // sysconf's L1d and L2 alone (machine B before measuring): the 14 ns plateau beyond L2 is
  // an unreported L3, not RAM.
  const partial = calibrateHierarchy({ plateaus, caches: caches.slice(0, 2) });
  assert.deepEqual(partial.levels.map((l) => [l.name, l.geometryFrom]), [
    ["L1", "caches"],
    ["L2", "caches"],
    ["L3", "plateau"],
  ]);
  assert.equal(partial.memoryMeasuredNs, 475);
});

Deno.test("calibrate: fewer than two plateaus or a bad latency is refused", () => {
  assert.throws(
    () => calibrateHierarchy({ plateaus: [FOUR[0]] }),
    /Cannot calibrate hierarchy: plateaus must hold at least two plateaus .*: received 1/,
  );
  assert.throws(
    () => calibrateHierarchy({ plateaus: [FOUR[0], { ...FOUR[1], latencyNs: NaN }] }),
    RangeError,
  );
});

Deno.test("predict: a chase inside a level costs that level's plateau, exactly", () => {
  const m = calibrateHierarchy({ plateaus: FOUR, caches: CACHES });
  const p = predictChaseLatency(m, [16 * K, 256 * K]);
  assert.ok(Math.abs(p.predictedNs[0] - 1.5) < 1e-9);
  assert.ok(Math.abs(p.predictedNs[1] - 4) < 1e-9);
  assert.deepEqual(p.servedByNames, ["L1", "L2", "L3", "memory"]);
  assert.deepEqual(p.servedBy[0], [1, 0, 0, 0]);
  assert.deepEqual(p.servedBy[1], [0, 1, 0, 0]);
});

Deno.test("predict: time per load never falls as the working set grows, and is deterministic", () => {
  const m = calibrateHierarchy({ plateaus: [FOUR[0], FOUR[1], FOUR[3]], caches: CACHES });
  const sizes = [8 * K, 32 * K, 64 * K, 512 * K, 2 * M, 4 * M];
  const p = predictChaseLatency(m, sizes, { sampleSteps: 4096 });
  for (let i = 1; i < sizes.length; i++) {
    assert.ok(p.predictedNs[i] >= p.predictedNs[i - 1] - 1e-9, `at ${sizes[i]}`);
  }
  assert.ok(p.predictedNs.at(-1)! > 90);
  for (const f of p.servedBy) assert.ok(Math.abs(f.reduce((a, b) => a + b) - 1) < 1e-9);
  assert.deepEqual(predictChaseLatency(m, sizes, { sampleSteps: 4096 }), p);
  assert.throws(() => predictChaseLatency(m, [64]), /at least two 64-byte lines: received 64/);
});

Deno.test("calibrate: two plateaus inside L1 make one level, at the speed of the longer one", () => {
  const m = calibrateHierarchy({
    plateaus: [
      { fromBytes: 4 * K, toBytes: 8 * K, latencyNs: 1.46, points: 3 },
      { fromBytes: 11 * K, toBytes: 45 * K, latencyNs: 2.11, points: 5 },
      { fromBytes: 64 * K, toBytes: 512 * K, latencyNs: 3.84, points: 7 },
      { fromBytes: M, toBytes: 5.66 * M, latencyNs: 10.8, points: 6 },
      { fromBytes: 8 * M, toBytes: 64 * M, latencyNs: 141, points: 7 },
    ],
    caches: CACHES,
  });
  assert.deepEqual(m.levels.map((l) => [l.name, l.measuredNs]), [
    ["L1", 2.11],
    ["L2", 3.84],
    ["L3", 10.8],
  ]);
  assert.equal(m.notes.length, 1);
  assert.match(m.notes[0], /plateaus 1 and 2 \(1\.46 ns, 2\.11 ns\) all fit L1/);
});

Deno.test("try calibrate: too few plateaus give no model and a reason, not a throw", () => {
  for (const plateaus of [[], [FOUR[0]]]) {
    const a = tryCalibrateHierarchy({ plateaus, caches: CACHES });
    assert.equal(a.model, null);
    assert.equal(
      a.reason,
      `the latency curve was too noisy to calibrate: a model needs at least two plateaus of rising latency (a cache and memory): found ${plateaus.length}`,
    );
  }
  const ok = tryCalibrateHierarchy({ plateaus: FOUR, caches: CACHES });
  assert.equal(ok.reason, null);
  assert.deepEqual(ok.model, calibrateHierarchy({ plateaus: FOUR, caches: CACHES }));
  assert.throws(
    () => tryCalibrateHierarchy({ plateaus: [FOUR[0], { ...FOUR[1], latencyNs: -1 }] }),
    /plateaus\.1\.latencyNs must be a positive number: received -1/,
  );
});
