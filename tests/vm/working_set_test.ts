import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { thrashingCurve, workingSetAt, workingSetCurve, workingSetSizes } from "memgarden";

Deno.test("W(t, Δ) on a textbook string with a phase change", () => {
  // Denning-style string: a loop over {1,2,3}, then a loop over {4,5}.
  const refs = [1, 2, 3, 1, 2, 3, 1, 4, 5, 4, 5, 4, 5];
  assert.deepEqual(workingSetSizes(refs, 4), [1, 2, 3, 3, 3, 3, 3, 4, 4, 3, 2, 2, 2]);
  assert.deepEqual(workingSetAt(refs, 8, 4), [1, 3, 4, 5]);
  assert.deepEqual(workingSetSizes([], 3), []);
  assert.throws(() => workingSetSizes(refs, 0), /delta must be a positive integer: received 0/);
  assert.throws(
    () => workingSetSizes([1, -2], 2),
    /references\[1\] must be a non-negative integer: received -2/,
  );
  assert.throws(
    () => workingSetAt(refs, 13, 2),
    /t must index the references \(0..12\): received 13/,
  );
});

Deno.test("property: W(t, Δ) equals the distinct pages of a naive window scan", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 200 }),
      fc.integer({ min: 1, max: 30 }),
      (refs, delta) => {
        const got = workingSetSizes(refs, delta);
        refs.forEach((_, t) => {
          const window = new Set(refs.slice(Math.max(0, t - delta + 1), t + 1));
          assert.equal(got[t], window.size);
          assert.equal(workingSetAt(refs, t, delta).length, window.size);
        });
        // Monotone in Δ.
        const wider = workingSetSizes(refs, delta + 1);
        got.forEach((s, t) => assert.ok(wider[t] >= s));
      },
    ),
  );
});

Deno.test("working-set curve grows with Δ and stops at the number of distinct pages", () => {
  const refs = Array.from({ length: 400 }, (_, i) => i % 8);
  const curve = workingSetCurve(refs, [1, 2, 4, 8, 16, 400]);
  const sizes = curve.map((p) => p.meanSize);
  for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] >= sizes[i - 1]);
  assert.equal(sizes[0], 1);
  assert.ok(sizes[5] <= 8 && sizes[5] > 7.8);
});

Deno.test("thrashing: only cold faults while the total working set fits, collapse past the knee", () => {
  const r = thrashingCurve({
    frames: 64,
    processCounts: [1, 2, 4, 5, 8],
    workingSetPages: 16,
    referencesPerProcess: 5_000,
  });
  assert.equal(r.kneeProcesses, 5);
  const [p1, p2, p4, p5, p8] = r.points;
  assert.deepEqual([p1.faults, p2.faults, p4.faults], [16, 32, 64]);
  assert.equal(
    p4.cpuUtilisation,
    (p4.references - 64) * 1000 / ((p4.references - 64) * 1000 + 64 * 100_000),
  );
  assert.ok(p4.cpuUtilisation > 0.7);
  assert.ok(p5.cpuUtilisation < 0.2, `past the knee utilisation collapses: ${p5.cpuUtilisation}`);
  assert.ok(p8.cpuUtilisation < p5.cpuUtilisation);
  assert.ok(p8.faultRate > p5.faultRate);
  assert.deepEqual(JSON.parse(JSON.stringify(r)).points.length, 5);
  assert.throws(
    () => thrashingCurve({ frames: 0, processCounts: [1], workingSetPages: 1 }),
    (e: Error) => e instanceof TypeError && /frames/.test(e.message),
  );
});

Deno.test("property: below the knee every policy takes exactly the cold faults", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 10 }),
      fc.constantFrom("fifo", "lru", "clock", "rand"),
      (n, ws, policy) => {
        const r = thrashingCurve({
          frames: 40,
          processCounts: [n],
          workingSetPages: ws,
          referencesPerProcess: 300,
          policy,
        });
        assert.equal(r.points[0].faults, n * ws);
      },
    ),
    { numRuns: 40 },
  );
});
