/**
 * The persistent vector against a plain array model: random sequences of
 * pushes and updates, every old version checked again at the end, and the
 * node counts of worked cases.
 */
import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { PERSISTENT_VECTOR_MAX_LENGTH, PersistentVector, vectorSharing } from "memgarden";

type Op = { kind: "push"; value: number } | { kind: "set"; at: number; value: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), value: fc.integer() }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer() }),
);

Deno.test("every version equals the array model, before and after later updates", () => {
  fc.assert(
    fc.property(fc.nat({ max: 1100 }), fc.array(op, { maxLength: 80 }), (start, ops) => {
      const init = Array.from({ length: start }, (_, i) => i);
      let v = PersistentVector.from(init);
      let model = init.slice();
      const versions: [PersistentVector<number>, number[]][] = [[v, model]];
      for (const o of ops) {
        if (o.kind === "push") {
          v = v.push(o.value);
          model = [...model, o.value];
        } else if (model.length > 0) {
          const at = o.at % model.length;
          v = v.set(at, o.value);
          model = model.slice();
          model[at] = o.value;
        }
        versions.push([v, model]);
        assert.equal(v.size, model.length);
      }
      for (const [ver, arr] of versions) {
        assert.deepEqual(ver.toArray(), arr);
        for (let i = 0; i < arr.length; i += 7) assert.equal(ver.get(i), arr[i]);
      }
    }),
    { numRuns: 150 },
  );
});

Deno.test("pushing one at a time gives the same vector as building at once, across level boundaries", () => {
  for (const n of [0, 1, 31, 32, 33, 1023, 1024, 1025, 32 * 1024 + 1]) {
    let v = PersistentVector.empty<number>();
    for (let i = 0; i < n; i++) v = v.push(i);
    const w = PersistentVector.from(Array.from({ length: n }, (_, i) => i));
    assert.equal(v.size, n);
    assert.equal(v.depth(), w.depth(), `depth at ${n}`);
    assert.deepEqual(v.toArray(), w.toArray());
  }
});

Deno.test("sharing: an update copies exactly one node per level", () => {
  for (const [n, depth] of [[32, 1], [1024, 2], [32768, 3], [40000, 4]] as const) {
    const a = PersistentVector.from(new Array(n).fill(0));
    assert.equal(a.depth(), depth);
    const one = vectorSharing([a]);
    const two = vectorSharing([a, a.set(n - 1, 1)]);
    assert.equal(two.nodes - one.nodes, depth, `n = ${n}`);
    assert.ok(two.slots - one.slots <= depth * 32);
  }
});

Deno.test("sharing: N versions hold at most n + N × 32 × depth slots; copies hold N × n", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5000 }),
      fc.array(fc.nat(), { maxLength: 60 }),
      (n, at) => {
        let v = PersistentVector.from(new Array(n).fill(0));
        const vs = [v];
        for (const [k, i] of at.entries()) vs.push(v = v.set(i % n, k + 1));
        const s = vectorSharing(vs);
        const leaves = Math.ceil(n / 32);
        assert.equal(s.copySlots, n * vs.length);
        assert.ok(s.slots >= n + leaves - (leaves === 1 ? 1 : 0));
        assert.ok(s.slots <= n + 2 * leaves + at.length * 32 * v.depth());
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("bad indexes are range errors naming the rule and the value", () => {
  const v = PersistentVector.from([1, 2, 3]);
  assert.throws(
    () => v.get(3),
    /Cannot read a persistent vector: index must be an integer from 0 to 2: received 3/,
  );
  assert.throws(() => v.set(-1, 0), /received -1/);
  assert.throws(() => v.get(1.5), /received 1.5/);
  assert.throws(() => PersistentVector.empty().get(0), RangeError);
  assert.equal(PERSISTENT_VECTOR_MAX_LENGTH, 2 ** 30);
});
