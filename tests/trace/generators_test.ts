import assert from "node:assert/strict";
import fc from "../_fc.ts";
import {
  matrixTrace,
  pointerChaseTrace,
  randomTrace,
  sequentialTrace,
  stridedTrace,
  TraceRecorder,
} from "memgarden";

Deno.test("strided and sequential traces", () => {
  const t = stridedTrace({
    count: 4,
    startAddress: 100,
    strideBytes: 32,
    elementBytes: 8,
    op: "S",
  });
  assert.deepEqual([...t.addresses], [100, 132, 164, 196]);
  assert.deepEqual([...t.ops], [1, 1, 1, 1]);
  assert.deepEqual([...t.sizes], [8, 8, 8, 8]);
  assert.deepEqual([...sequentialTrace({ count: 3 }).addresses], [0, 4, 8]);
  assert.equal(stridedTrace({ count: 0, strideBytes: 8 }).length, 0);
});

Deno.test("matrix traversal: both orders visit every element exactly once", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), (rows, cols) => {
      const r = matrixTrace({ rows, cols, order: "row", elementBytes: 8 });
      const c = matrixTrace({ rows, cols, order: "column", elementBytes: 8 });
      assert.deepEqual(
        [...r.addresses].sort((a, b) => a - b),
        [...c.addresses].sort((a, b) => a - b),
      );
      assert.equal(new Set(r.addresses).size, rows * cols);
      if (rows > 1) assert.equal(c.addresses[1] - c.addresses[0], cols * 8);
    }),
  );
});

Deno.test("random traces are seeded, aligned, in range, with about the asked store fraction", () => {
  const t = randomTrace({
    seed: 5,
    count: 20000,
    rangeBytes: 1 << 16,
    startAddress: 1 << 20,
    elementBytes: 8,
    storeFraction: 0.25,
  });
  assert.ok(t.addresses.every((a) => a >= 1 << 20 && a < (1 << 20) + (1 << 16) && a % 8 === 0));
  const stores = t.ops.reduce((s, op) => s + (op === 1 ? 1 : 0), 0);
  assert.ok(Math.abs(stores / 20000 - 0.25) < 0.02, `store fraction ${stores / 20000}`);
  assert.notDeepEqual(
    t.addresses,
    randomTrace({
      seed: 6,
      count: 20000,
      rangeBytes: 1 << 16,
      startAddress: 1 << 20,
      elementBytes: 8,
    }).addresses,
  );
});

Deno.test("pointer chase is one cycle through every node", () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 1, max: 200 }), (seed, nodes) => {
      const t = pointerChaseTrace({ seed, nodes, steps: 2 * nodes, nodeBytes: 128 });
      const lap = [...t.addresses.subarray(0, nodes)];
      assert.equal(new Set(lap).size, nodes);
      assert.deepEqual([...t.addresses.subarray(nodes)], lap);
    }),
  );
});

Deno.test("generator options are validated with the field, rule and value", () => {
  assert.throws(
    () => stridedTrace({ count: -1 }),
    /^RangeError: Cannot generate strided trace: count must be at least 0: received -1$/,
  );
  assert.throws(
    () => randomTrace({ seed: 1, count: 1, rangeBytes: 2, elementBytes: 4 }),
    /rangeBytes must hold at least one element of 4 bytes: received 2/,
  );
  assert.throws(
    () => matrixTrace({ rows: 2, cols: 2, order: "diagonal" as "row" }),
    /order must be "row" or "column": received "diagonal"/,
  );
  assert.throws(
    () => pointerChaseTrace({ seed: 1, nodes: 0, steps: 1 }),
    /nodes must be at least 1: received 0/,
  );
  assert.throws(() => stridedTrace({ count: "3" as unknown as number }), TypeError);
});

Deno.test("recorder: a loop over a wrapped array records its loads and stores", () => {
  const rec = new TraceRecorder();
  const a = rec.wrap(new Float64Array(4));
  const b = rec.wrap(new Int16Array(2));
  for (let i = 0; i < a.length; i++) a[i] = i; // 4 stores
  b[1] += 3; // load + store
  assert.equal(a.reduce((s, x) => s + x, 0), 6); // methods are not recorded
  assert.equal(b[1], 3); // 1 load
  const t = rec.trace();
  assert.deepEqual([...t.ops], [1, 1, 1, 1, 0, 1, 0]);
  const base = t.addresses[0];
  assert.equal(base, 0x1000_0000);
  assert.deepEqual([...t.addresses.subarray(0, 4)], [base, base + 8, base + 16, base + 24]);
  assert.ok(t.addresses[4] >= base + 32 && t.addresses[4] % 2 === 0); // b is placed after a
  assert.deepEqual([...t.sizes], [8, 8, 8, 8, 2, 2, 2]);
  assert.throws(
    () => rec.wrap(new Uint8Array(1), { baseAddress: -1 }),
    /baseAddress must be a non-negative safe integer/,
  );
  assert.throws(
    () => rec.load(-8),
    /^RangeError: Cannot record load: address must be a non-negative safe integer: received -8$/,
  );
  assert.throws(
    () => rec.store(0x40, 70000),
    /^RangeError: Cannot record store: sizeBytes must be an integer in \[1, 65535\]: received 70000$/,
  );
  assert.equal(rec.trace().length, 7); // nothing was recorded by the refused calls
});

Deno.test("a generator asked for more accesses than memory should hold says so with the value", () => {
  assert.throws(
    () => sequentialTrace({ count: 1e12, elementBytes: 8 }),
    /Cannot build trace: accesses must be at most 134217728 in memory \(stream longer traces\): received 1000000000000/,
  );
  assert.throws(
    () => randomTrace({ seed: 1, count: 2 ** 40, rangeBytes: 4096 }),
    /accesses must be at most 134217728/,
  );
});
