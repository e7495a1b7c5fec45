// Every collector against a naive reachability model, on random graphs and mutations.
import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { createGcCollector, GC_COLLECTOR_NAMES, type GcCollectorName } from "memgarden";
import { ReferenceGraph, sorted } from "./_reference.ts";

type AbstractOp =
  | { k: "new"; size: number; fields: number }
  | { k: "set"; src: number; field: number; tgt: number | null }
  | { k: "root"; i: number }
  | { k: "unroot"; i: number }
  | { k: "gc" };

const opArb: fc.Arbitrary<AbstractOp> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant("new" as const),
      size: fc.integer({ min: 8, max: 48 }),
      fields: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant("set" as const),
      src: fc.nat(),
      field: fc.nat(),
      tgt: fc.option(fc.nat(), { nil: null }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant("root" as const), i: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("unroot" as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("gc" as const) }) },
);

const NON_FRAGMENTING = new Set<GcCollectorName>(["mark-compact", "copying"]);

/** Run abstract ops on a collector and the reference side by side, checking after every op. */
function check(
  name: GcCollectorName,
  heapBytes: number,
  promotionAge: number,
  ops: AbstractOp[],
): void {
  const gc = createGcCollector(name, { heapBytes, promotionAge, heapMaps: false });
  const ref = new ReferenceGraph();
  let next = 0;
  const sizes = new Map<string, number>();
  const ctx = () => `${name}, heap ${heapBytes}, op ${gc.op}`;
  ops.forEach((op, n) => {
    gc.op = n + 1;
    const live = [...ref.objects.keys()];
    const records = [];
    switch (op.k) {
      case "new": {
        const id = `o${next++}`;
        const size = Math.max(op.size, 8 * op.fields);
        const reachableBytes = [...ref.reachable()].reduce(
          (s, x) => s + ref.objects.get(x)!.sizeBytes,
          0,
        );
        const a = gc.allocate(id, size, op.fields);
        records.push(...a.collections);
        if (NON_FRAGMENTING.has(name)) {
          assert.equal(
            a.ok,
            reachableBytes + size <= gc.capacityBytes,
            `${ctx()}: ${reachableBytes} reachable + ${size} against ${gc.capacityBytes}`,
          );
        }
        if (a.ok) ref.add(id, size, op.fields);
        sizes.set(id, size);
        break;
      }
      case "set": {
        const withFields = live.filter((x) => ref.objects.get(x)!.fields.length > 0);
        if (withFields.length === 0) return;
        const src = withFields[op.src % withFields.length];
        const field = op.field % ref.objects.get(src)!.fields.length;
        const tgt = op.tgt === null ? null : live[op.tgt % live.length];
        gc.setField(src, field, tgt);
        ref.set(src, field, tgt);
        break;
      }
      case "root":
        if (live.length === 0) return;
        gc.addRoot(live[op.i % live.length]);
        ref.root(live[op.i % live.length]);
        break;
      case "unroot": {
        const rooted = [...ref.roots.keys()];
        if (rooted.length === 0) return;
        gc.removeRoot(rooted[op.i % rooted.length]);
        ref.unroot(rooted[op.i % rooted.length]);
        break;
      }
      case "gc":
        records.push(gc.collect());
        break;
    }
    // Whatever the collector freed (in a record or by counting) was unreachable.
    const reachable = ref.reachable();
    const now = new Set(gc.liveIds());
    for (const id of ref.objects.keys()) {
      if (!now.has(id)) {
        assert.ok(!reachable.has(id), `${ctx()}: freed ${id}, which is reachable`);
        ref.remove(id);
      }
    }
    assert.deepEqual(sorted(now), sorted(ref.objects.keys()), `${ctx()}: unknown objects`);
    // A full collection keeps exactly the reachable objects; plain RC keeps what cycles hold too.
    for (const r of records) {
      if (r.kind === "full") {
        assert.deepEqual(sorted(r.survivorIds), sorted(reachable), `${ctx()}: full collection`);
      }
      if (r.kind === "rc" && r.trigger === "gc") {
        assert.deepEqual(sorted(r.survivorIds), sorted(ref.rcKeeps()), `${ctx()}: rc`);
      }
      const held = r.survivorIds.reduce((sum, id) => sum + sizes.get(id)!, 0);
      assert.equal(r.occupancyAfterBytes, held, `${ctx()}: occupancy after`);
    }
    // Objects keep their size and their pointers, wherever they moved.
    let bytes = 0;
    for (const [id, o] of ref.objects) {
      const v = gc.object(id);
      assert.equal(v.sizeBytes, o.sizeBytes);
      assert.deepEqual(v.fields, o.fields, `${ctx()}: fields of ${id}`);
      assert.equal(v.rootCount, ref.roots.get(id) ?? 0);
      bytes += o.sizeBytes;
    }
    assert.equal(gc.occupancyBytes(), bytes);
    // The heap map tiles the heap: blocks in order, no overlap, no gap.
    const map = gc.heapMap();
    let at = 0;
    for (const b of map.blocks) {
      assert.equal(b.address, at, `${ctx()}: heap map at ${at}`);
      at += b.sizeBytes;
      if (b.id !== null) {
        assert.equal(b.status, reachable.has(b.id) ? "live" : "garbage");
        assert.equal(b.address, gc.object(b.id).address);
      }
    }
    assert.equal(at, heapBytes);
    assert.deepEqual(
      sorted(map.blocks.filter((b) => b.id !== null).map((b) => b.id!)),
      sorted(ref.objects.keys()),
    );
  });
}

for (const name of GC_COLLECTOR_NAMES) {
  // The generational collector's write barrier matters only when an old object
  // gets a pointer to a young one that nothing else holds: small heaps and more
  // runs make that common enough to catch a missing barrier.
  const generational = name === "generational";
  Deno.test(`${name} agrees with the naive reachability model on random mutators`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 96, max: generational ? 256 : 640 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        (heapBytes, age, ops) => check(name, heapBytes, age, ops),
      ),
      { numRuns: generational ? 600 : 150 },
    );
  });
}

Deno.test("rc-cycles frees every garbage cycle that plain rc keeps", () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), (ops) => {
      // The same mutator on a heap big enough that nothing runs out.
      check("rc", 1 << 20, 2, ops);
      check("rc-cycles", 1 << 20, 2, ops);
    }),
    { numRuns: 100 },
  );
});
