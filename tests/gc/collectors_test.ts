// Worked cases, computed by hand from the algorithms as The Garbage Collection
// Handbook (Jones, Hosking, Moss) presents them: reference counting and its
// cycle leak and trial deletion (ch. 5), mark-sweep (ch. 2), sliding
// compaction in the Lisp 2 style (ch. 3), Cheney's copying (ch. 4),
// generational collection with a remembered set (ch. 9).
import assert from "node:assert/strict";
import { createGcCollector, type GcCollectorName, runGcWorkload } from "memgarden";

const run = (collector: GcCollectorName, heapBytes: number, text: string, promotionAge?: number) =>
  runGcWorkload(text, { collector, heapBytes, promotionAge });

const CYCLE = `
new a 16 1
new b 16 1
new c 16 1
root a
set a 0 b
set b 0 c
set c 0 b     # b and c form a cycle
unroot a      # a's count drops to 0: freed at once; b keeps a count of 1 from c
gc
`;

Deno.test("rc frees a at once but leaks the b-c cycle", () => {
  const r = run("rc", 256, CYCLE);
  assert.equal(r.collections.length, 1);
  const [c] = r.collections;
  assert.equal(c.kind, "rc");
  assert.equal(c.op, 10);
  assert.deepEqual(c.freedIds, ["a"]);
  assert.deepEqual(c.survivorIds, ["b", "c"]);
  assert.deepEqual(r.final.liveIds, ["b", "c"]);
});

Deno.test("rc-cycles: trial deletion frees the garbage cycle", () => {
  const r = run("rc-cycles", 256, CYCLE);
  const [c] = r.collections;
  assert.equal(c.kind, "full");
  assert.deepEqual(c.freedIds, ["a", "b", "c"]);
  assert.deepEqual(c.survivorIds, []);
});

Deno.test("rc-cycles: a cycle that a live object still points to is kept", () => {
  // r -> b, and a <-> b. Unrooting a makes a a candidate; trial deletion
  // subtracts the cycle's internal counts, b keeps 1 from r, so both go black.
  const r = run(
    "rc-cycles",
    256,
    "new r 8 1\nnew a 8 1\nnew b 8 1\nroot r\nroot a\nset r 0 b\nset a 0 b\nset b 0 a\nunroot a\ngc\n",
  );
  assert.deepEqual(r.collections[0].survivorIds, ["r", "a", "b"]);
  assert.deepEqual(r.collections[0].freedIds, []);
  // The counts are restored: unhooking r frees the pair at the next collection.
  const rc = createGcCollector("rc-cycles", { heapBytes: 256 });
  for (const id of ["r", "a", "b"]) rc.allocate(id, 8, 1);
  rc.addRoot("r");
  rc.setField("r", 0, "b");
  rc.setField("a", 0, "b");
  rc.setField("b", 0, "a");
  rc.collect();
  assert.equal(rc.object("b").referenceCount, 2);
  assert.equal(rc.object("a").referenceCount, 1);
  rc.setField("r", 0, null);
  assert.deepEqual(rc.collect().freedIds, ["a", "b"]);
});

Deno.test("rc: a new object nothing referenced is freed at the next collection point", () => {
  const r = run("rc", 256, "new a 8 0\nnew b 8 0\nroot b\ngc\n");
  assert.deepEqual(r.collections[0].freedIds, ["a"]);
  assert.deepEqual(r.final.liveIds, ["b"]);
});

const FRAGMENTS = "new a 16 0\nnew b 16 0\nnew c 16 0\nnew d 16 0\nroot a\nroot c\nnew e 32 0\n";

Deno.test("mark-sweep: 32 free bytes in two 16-byte holes cannot hold a 32-byte object", () => {
  const r = run("mark-sweep", 64, FRAGMENTS);
  assert.equal(r.collections.length, 1);
  const [c] = r.collections;
  assert.equal(c.trigger, "allocation");
  assert.deepEqual(c.freedIds, ["b", "d"]);
  assert.equal(c.freeBytesAfter, 32);
  assert.equal(c.largestFreeBytesAfter, 16);
  // 2 marked + 0 pointers + 4 swept.
  assert.equal(c.pauseUnits, 6);
  assert.equal(r.outOfMemory?.line, 7);
  assert.match(r.outOfMemory!.reason, /fragmented/);
});

Deno.test("mark-compact: sliding removes the holes, so the same allocation succeeds", () => {
  const r = run("mark-compact", 64, FRAGMENTS);
  assert.equal(r.outOfMemory, null);
  const gc = createGcCollector("mark-compact", { heapBytes: 64 });
  for (const id of ["a", "b", "c", "d"]) gc.allocate(id, 16, 0);
  gc.addRoot("a");
  gc.addRoot("c");
  gc.collect();
  assert.equal(gc.object("a").address, 0);
  assert.equal(gc.object("c").address, 16);
});

Deno.test("mark-compact: survivors slide to the bottom in address order", () => {
  const gc = createGcCollector("mark-compact", { heapBytes: 128 });
  const sizes: [string, number][] = [["A", 16], ["B", 16], ["C", 32], ["D", 8], ["E", 16]];
  for (const [id, size] of sizes) gc.allocate(id, size, 0);
  assert.deepEqual(["A", "B", "C", "D", "E"].map((id) => gc.object(id).address), [
    0,
    16,
    32,
    64,
    72,
  ]);
  for (const id of ["A", "C", "E"]) gc.addRoot(id);
  const c = gc.collect();
  assert.deepEqual(["A", "C", "E"].map((id) => gc.object(id).address), [0, 16, 48]);
  assert.deepEqual(c.freedIds, ["B", "D"]);
  assert.equal(c.bytesCopied, 48); // C moved 32 bytes down, E 16; A stayed
  // 3 marked + 3 passes over 5 objects + 48 / 8 words.
  assert.equal(c.pauseUnits, 3 + 15 + 6);
});

Deno.test("copying: Cheney copies breadth first and leaves garbage behind", () => {
  // Allocated in reverse so the copy order cannot be the allocation order.
  const r = runGcWorkload(
    `new G 8 0
new E 8 0
new D 8 0
new C 16 1
new B 16 1
new A 16 2
set A 0 B
set A 1 C
set B 0 D
set C 0 E
root A
gc`,
    { collector: "copying", heapBytes: 256 },
  );
  const [c] = r.collections;
  assert.deepEqual(c.freedIds, ["G"]);
  assert.equal(c.bytesCopied, 64);
  assert.equal(c.objectsTraced, 5);
  assert.equal(c.pointersScanned, 4);
  assert.equal(c.pauseUnits, 5 + 4 + 8);
  const gc = createGcCollector("copying", { heapBytes: 256 });
  for (
    const [id, size, f] of [["G", 8, 0], ["E", 8, 0], ["D", 8, 0], ["C", 16, 1], ["B", 16, 1], [
      "A",
      16,
      2,
    ]] as const
  ) {
    gc.allocate(id, size, f);
  }
  gc.setField("A", 0, "B");
  gc.setField("A", 1, "C");
  gc.setField("B", 0, "D");
  gc.setField("C", 0, "E");
  gc.addRoot("A");
  gc.collect();
  // To-space starts at 128: A, then its children B and C, then D and E.
  assert.deepEqual(["A", "B", "C", "D", "E"].map((id) => gc.object(id).address), [
    128,
    144,
    160,
    176,
    184,
  ]);
  assert.deepEqual(gc.object("A").fields, ["B", "C"]);
});

Deno.test("copying: live data larger than a semispace is out of memory", () => {
  const r = run("copying", 64, "new a 16 0\nroot a\nnew b 16 0\nroot b\nnew c 8 0\n");
  assert.equal(r.collections.length, 1);
  assert.deepEqual(r.collections[0].freedIds, []);
  assert.equal(r.outOfMemory?.id, "c");
  assert.equal(r.outOfMemory?.line, 5);
  assert.equal(r.final.occupancyBytes, 32);
});

Deno.test("generational: the write barrier keeps a young object only an old one points to", () => {
  const text = (age: number) => `
new o 16 1
root o
gc            # major: o survives and, at promotion age ${age}, moves to the old generation
new y 16 0
set o 0 y     # an old-to-young pointer: the barrier remembers o
new g1 48 0   # fills the 64-byte nursery
new g2 16 0   # no room: a minor collection
`;
  const r = runGcWorkload(text(1), { collector: "generational", heapBytes: 512, promotionAge: 1 });
  assert.equal(r.collections.length, 2);
  const minor = r.collections[1];
  assert.equal(minor.kind, "minor");
  assert.equal(minor.op, 8);
  assert.deepEqual(minor.freedIds, ["g1"]);
  assert.equal(minor.bytesPromoted, 16); // y, reached only through the remembered set
  assert.equal(minor.rememberedSetSize, 0); // o now points to an old object
  assert.equal(r.totals.mutatorOverheadUnits, 1);

  const gc = createGcCollector("generational", { heapBytes: 512, promotionAge: 2 });
  gc.allocate("o", 16, 1);
  gc.addRoot("o");
  gc.collect();
  gc.collect(); // age 2: promoted
  assert.equal(gc.object("o").space, "old");
  gc.allocate("y", 16, 0);
  gc.setField("o", 0, "y");
  gc.allocate("g1", 48, 0);
  const a = gc.allocate("g2", 16, 0);
  assert.equal(a.collections[0].kind, "minor");
  assert.equal(gc.object("y").space, "young"); // survived once, not old enough yet
  assert.equal(a.collections[0].rememberedSetSize, 1);
});

Deno.test("a collector refuses to name a freed object, with the line that freed it", () => {
  const r = run("mark-sweep", 16, "new a 16 0\nnew b 16 0\nroot a\n");
  assert.equal(r.error?.line, 3);
  assert.match(r.error!.message, /Cannot root a: a was freed at line 2/);
  assert.equal(r.opsRun, 3);
});

Deno.test("collector misuse is a clear error", () => {
  const gc = createGcCollector("mark-sweep", { heapBytes: 64 });
  assert.throws(() => gc.allocate("a", 8, 2), /size must hold the pointer fields/);
  gc.allocate("a", 8, 1);
  assert.throws(() => gc.allocate("a", 8, 1), /ids must be unique/);
  assert.throws(() => gc.setField("a", 1, null), /field must be from 0 to 0/);
  assert.throws(() => gc.setField("a", 0, "zz"), /no object is named "zz"/);
  assert.throws(() => gc.removeRoot("a"), /it is not a root/);
  assert.throws(
    () => createGcCollector("nope" as GcCollectorName, { heapBytes: 64 }),
    /name must be one of rc, rc-cycles/,
  );
  assert.throws(() => createGcCollector("copying", { heapBytes: 4 }), /heapBytes/);
  assert.throws(
    () => createGcCollector("generational", { heapBytes: 64, nurseryBytes: 32 }),
    /nurseryBytes/,
  );
});

Deno.test("heap maps before and after compaction show the garbage go and the holes close", () => {
  const r = runGcWorkload(FRAGMENTS.replace("new e 32 0\n", "gc\n"), {
    collector: "mark-compact",
    heapBytes: 64,
    heapMaps: true,
  });
  const [c] = r.collections;
  assert.deepEqual(
    c.heapBefore!.blocks.map((b) => `${b.id}:${b.status}`),
    ["a:live", "b:garbage", "c:live", "d:garbage"],
  );
  assert.deepEqual(
    c.heapAfter!.blocks.map((b) => `${b.id}:${b.address}:${b.status}`),
    ["a:0:live", "c:16:live", "null:32:free"],
  );
});
