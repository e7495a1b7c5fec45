import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { createMemcheck } from "memgarden";

Deno.test("memcheck: overflow into the red zone, use after free, invalid and double free", () => {
  const mc = createMemcheck();
  const p = mc.malloc(10, "read_name")!;
  assert.equal(mc.write(p, new Uint8Array(10), "copy"), null);
  const over = mc.write(p, new Uint8Array(11), "copy")!;
  assert.equal(over.kind, "heap-buffer-overflow");
  assert.match(
    over.message,
    /Invalid write of size 11 at copy: 0 bytes after a block of size 10 alloc'd at read_name \(1 bytes past its end\)/,
  );
  assert.equal(mc.read(p - 1, 1, "peek").error?.kind, "heap-buffer-overflow");
  assert.equal(mc.free(p + 2, "oops")?.kind, "invalid-free");
  assert.equal(mc.free(p, "done"), null);
  const uaf = mc.read(p, 4, "later").error!;
  assert.equal(uaf.kind, "use-after-free");
  assert.match(uaf.message, /free'd at done \(alloc'd at read_name\)/);
  assert.deepEqual([...mc.heap.bytes.subarray(p, p + 10)], new Array(10).fill(0xdd)); // poisoned
  assert.equal(mc.free(p, "again")?.kind, "double-free");
  assert.equal(mc.read(1 << 20, 1).error?.kind, "invalid-access");
  assert.equal(mc.errors.length, 6);
});

Deno.test("memcheck: the four leak categories of Valgrind", () => {
  const mc = createMemcheck();
  const kept = mc.malloc(8, "global_table")!; // a root points at its start: still reachable
  const inner = mc.malloc(16, "table_entry")!; // pointed to from kept: still reachable
  mc.storePointer(kept, inner);
  const middle = mc.malloc(32, "interior")!; // a root points into its middle: possibly lost
  const head = mc.malloc(8, "list_head")!; // nothing points at it: definitely lost
  const tail = mc.malloc(24, "list_node")!; // only the lost head points at it: indirectly lost
  mc.storePointer(head, tail);
  const r = mc.leakReport([kept, middle + 8]);
  assert.deepEqual(r.summary, {
    "definitely lost": { bytes: 8, blocks: 1 },
    "indirectly lost": { bytes: 24, blocks: 1 },
    "possibly lost": { bytes: 32, blocks: 1 },
    "still reachable": { bytes: 24, blocks: 2 },
  });
  assert.ok(r.text.includes("==1==     in use at exit: 88 bytes in 5 blocks"), r.text);
  assert.ok(
    r.text.includes(
      "==1== 8 bytes in 1 blocks are definitely lost in loss record 1 of 3\n==1==    at malloc\n==1==    by list_head",
    ),
    r.text,
  );
  assert.ok(r.text.includes("==1==    still reachable: 24 bytes in 2 blocks"), r.text);
});

Deno.test("memcheck: legal programs report nothing, and freed blocks leave quarantine for reuse", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 40 }),
      fc.constantFrom({}, {
        footers: "free" as const,
        placeHighBelowBytes: 100,
        growFraction: 1 / 16,
        reallocBackward: true,
      }),
      (sizes, lab) => {
        const mc = createMemcheck({ quarantineBytes: 256, ...lab });
        const ps = sizes.map((n) => mc.malloc(n, "f")!);
        ps.forEach((p, i) => mc.write(p, new Uint8Array(sizes[i]).fill(7)));
        ps.forEach((p, i) =>
          assert.deepEqual([...mc.read(p, sizes[i]).bytes], new Array(sizes[i]).fill(7))
        );
        ps.forEach((p) => mc.free(p, "g"));
        assert.deepEqual(mc.errors, []);
        assert.equal(mc.leakReport([]).summary["definitely lost"].blocks, 0);
        const s = mc.heap.stats();
        assert.ok(
          s.payloadBytes - 32 * s.allocatedBlocks <= 256,
          "only the quarantine stays allocated",
        );
        assert.deepEqual(mc.heap.check(), []);
      },
    ),
    { numRuns: 100 },
  );
  assert.throws(
    () => createMemcheck({ redZoneBytes: 3 }),
    /redZoneBytes must be a non-negative multiple of 8/,
  );
});
