import assert from "node:assert/strict";
import fc from "../_fc.ts";
import {
  formatGcWorkload,
  GC_COLLECTOR_NAMES,
  type GcOp,
  generateGcWorkload,
  parseGcWorkload,
  runGcWorkload,
} from "memgarden";

Deno.test("parseGcWorkload reads every operation with its line, skipping comments", () => {
  const ops = parseGcWorkload(
    "# header\n\nnew o1 24 2   # two fields\nroot o1\nset o1 1 null\r\nset o1 0 o1\nunroot o1\ngc\n",
  );
  assert.deepEqual(ops, [
    { op: "new", id: "o1", sizeBytes: 24, fieldCount: 2, line: 3 },
    { op: "root", id: "o1", line: 4 },
    { op: "set", id: "o1", field: 1, target: null, line: 5 },
    { op: "set", id: "o1", field: 0, target: "o1", line: 6 },
    { op: "unroot", id: "o1", line: 7 },
    { op: "gc", line: 8 },
  ]);
});

Deno.test("a malformed line is a SyntaxError naming the line, the rule and the text", () => {
  const cases: [string, RegExp][] = [
    ["new a 16", /line 1: new takes ID SIZE FIELDS: received "new a 16"/],
    ["gc\nnew a -1 0", /line 2: SIZE must be a whole number: received "new a -1 0"/],
    ["new a 0 0", /line 1: SIZE must be from 1 to/],
    ["new a 8 2", /line 1: SIZE must hold the 2 pointer fields \(8 bytes each, 16 bytes\)/],
    ["new a 8 1.5", /FIELDS must be a whole number/],
    ["\n\nset a x b", /line 3: FIELD must be a whole number/],
    ["set a 0", /set takes ID FIELD TARGET/],
    ["root", /line 1: root takes one ID/],
    ["unroot a b", /unroot takes one ID/],
    ["gc now", /gc takes nothing/],
    ["free a", /line 1: an operation must be one of new, set, root, unroot, gc: received "free a"/],
    ["new null 8 0", /"null" cannot name an object/],
    ["root null", /"null" cannot name an object/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseGcWorkload(text), (e: Error) => {
      assert.ok(e instanceof SyntaxError, `${text}: ${e}`);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("fuzz: any text either parses or fails with a SyntaxError naming a line", () => {
  const token = fc.constantFrom(
    "new",
    "set",
    "root",
    "unroot",
    "gc",
    "null",
    "o1",
    "0",
    "8",
    "-3",
    "#",
    "x y",
  );
  const line = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.array(token, { maxLength: 5 }).map((t) => t.join(" ")),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
      const text = lines.join("\n");
      try {
        const ops = parseGcWorkload(text);
        for (const o of ops) assert.ok(o.line >= 1 && o.line <= lines.length);
      } catch (e) {
        assert.ok(e instanceof SyntaxError, String(e));
        const n = Number(/line (\d+):/.exec(e.message)?.[1]);
        assert.ok(n >= 1 && n <= lines.length, e.message);
      }
    }),
    { numRuns: 500 },
  );
});

Deno.test("formatGcWorkload and parseGcWorkload round-trip generated workloads", () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 1, max: 60 }), (seed, objectCount) => {
      const ops = generateGcWorkload({ seed, objectCount, gcEvery: 7 });
      assert.deepEqual(parseGcWorkload(formatGcWorkload(ops)), ops);
    }),
    { numRuns: 50 },
  );
});

Deno.test("generated workloads are valid for every collector and tunable", () => {
  const ops = generateGcWorkload({ seed: 3, objectCount: 400, gcEvery: 50 });
  assert.deepEqual(generateGcWorkload({ seed: 3, objectCount: 400, gcEvery: 50 }), ops);
  assert.notDeepEqual(generateGcWorkload({ seed: 4, objectCount: 400, gcEvery: 50 }), ops);
  for (const collector of GC_COLLECTOR_NAMES) {
    const r = runGcWorkload(ops, { collector, heapBytes: 1 << 16 });
    assert.equal(r.error, null, collector);
    assert.equal(r.outOfMemory, null, collector);
    assert.equal(r.collections.filter((c) => c.trigger === "gc").length, 8, collector);
  }
  // Longer lifetimes keep more data alive; more stores per allocation lower the allocation rate.
  const peak = (meanLifetime: number) =>
    runGcWorkload(generateGcWorkload({ seed: 3, objectCount: 400, meanLifetime, gcEvery: 5 }), {
      collector: "rc-cycles",
      heapBytes: 1 << 20,
    }).totals.peakOccupancyBytes;
  assert.ok(peak(40) > 2 * peak(2));
  const share = (storesPerAllocation: number) => {
    const w: GcOp[] = generateGcWorkload({ seed: 3, objectCount: 400, storesPerAllocation });
    return w.filter((o) => o.op === "new").length / w.length;
  };
  assert.ok(share(4) < share(0.5));
  assert.throws(
    () => generateGcWorkload({ seed: 1, objectCount: 10, minSizeBytes: 64, maxSizeBytes: 16 }),
    /maxSizeBytes must be at least minSizeBytes/,
  );
});

Deno.test("a runaway line is cut in the error, with its length", () => {
  const line = "new " + "x".repeat(100_000);
  assert.throws(
    () => parseGcWorkload(line),
    (e: Error) =>
      e instanceof SyntaxError &&
      /^Cannot parse workload: line 1: .*\.\.\. \(100004 characters\)$/.test(e.message) &&
      e.message.length < 300,
  );
});

Deno.test("memory stays bounded: a run whose records would list too many ids stops with an error", () => {
  const text = "new a 16 0\nnew b 16 0\nroot a\nroot b\n" + "gc\n".repeat(100);
  const full = runGcWorkload(text, { collector: "mark-sweep", heapBytes: 1024 });
  assert.equal(full.error, null);
  assert.equal(full.collections.length, 100);
  // Each collection lists two survivors: the 6th takes the total past 10.
  const r = runGcWorkload(text, { collector: "mark-sweep", heapBytes: 1024, maxRecordedIds: 10 });
  assert.equal(r.collections.length, 6);
  assert.equal(r.error?.line, 10);
  assert.match(r.error!.message, /listed 12 object ids so far .* more than the 10 a run keeps/);
  assert.throws(
    () => runGcWorkload(text, { collector: "mark-sweep", heapBytes: 1024, maxRecordedIds: 0 }),
    /maxRecordedIds/,
  );
});
