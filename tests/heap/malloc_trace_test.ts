import assert from "node:assert/strict";
import fc from "../_fc.ts";
import {
  formatMallocTrace,
  generateMallocTrace,
  parseMallocTrace,
  runMallocTrace,
  TRACE_SHAPES,
} from "memgarden";

Deno.test("trace parser: header, operations, and errors that name the line", () => {
  const t = parseMallocTrace("20000\n3\n5\n1\na 0 10\na 1 20\nr 0 30\nf 1\nf 0\n");
  assert.equal(t.suggestedHeapBytes, 20000);
  assert.deepEqual(t.ops[2], { op: "r", id: 0, size: 30 });
  assert.throws(
    () => parseMallocTrace("0\n1\n1\n1\na 5 8\n", "x.rep"),
    /x.rep line 5: the id must be below the header's 1/,
  );
  assert.throws(
    () => parseMallocTrace("0\n1\n2\n1\na 0 8\n", "x.rep"),
    /header says 2 operations: received 1/,
  );
  assert.throws(
    () => parseMallocTrace("0\n1\n", "x.rep"),
    /line 3: number of operations must be a non-negative integer/,
  );
  assert.throws(() => parseMallocTrace("0\n1\n1\n1\na 0\n"), /needs a size/);
  assert.throws(() => parseMallocTrace("0\n1\n1\n1\nf 0 3\n"), /a free must be "f ID"/);
});

Deno.test("generated traces are well formed, seeded, and round-trip through the text format", () => {
  for (const shape of TRACE_SHAPES) {
    const t = generateMallocTrace(shape, { seed: 5, ops: 500 });
    assert.deepEqual(parseMallocTrace(formatMallocTrace(t)), t);
    const live = new Set<number>();
    for (const o of t.ops) {
      if (o.op === "a") {
        assert.ok(!live.has(o.id));
        live.add(o.id);
      } else {
        assert.ok(live.has(o.id), `${shape}: id ${o.id} used before allocation`);
        if (o.op === "f") live.delete(o.id);
      }
    }
    assert.equal(live.size, 0, `${shape} frees everything`);
  }
  assert.throws(() => generateMallocTrace("nope" as "random"), /shape must be one of/);
});

/** The Malloc Lab techniques, all on (sim mdriver's default). */
const LAB = {
  footers: "free",
  placeHighBelowBytes: 100,
  growFraction: 1 / 16,
  reallocBackward: true,
} as const;

Deno.test("mdriver's checks pass on every list and fit, and utilization is Malloc Lab's", () => {
  for (const shape of TRACE_SHAPES) {
    const t = generateMallocTrace(shape, { seed: 2, ops: 600 });
    for (const list of ["implicit", "explicit", "segregated"] as const) {
      for (
        const [fit, lab] of (["first", "next", "best", "worst"] as const).flatMap((f) =>
          [[f, {}], [f, LAB]] as const
        )
      ) {
        const r = runMallocTrace(t, { list, fit, ...lab });
        assert.equal(
          r.valid,
          true,
          `${shape} ${list} ${fit} ${JSON.stringify(lab)}: ${r.problems[0]}`,
        );
        assert.ok(r.utilization > 0.2 && r.utilization <= 1);
        assert.equal(r.utilization, r.peakPayloadBytes / r.heapBytes);
      }
    }
  }
});

Deno.test("the driver catches a trace the heap cannot serve, and names the operation", () => {
  const t = parseMallocTrace("0\n1\n1\n1\na 0 5000\n");
  const r = runMallocTrace(t, { maxBytes: 1024 });
  assert.equal(r.valid, false);
  assert.equal(r.utilization, 0);
  assert.match(r.problems[0], /operation 0 \(line 5\): malloc\(5000\) failed: out of memory/);
});

Deno.test("random traces: the driver's independent checks always agree the heap is valid", () => {
  const op = fc.record({
    kind: fc.constantFrom("a", "f", "r"),
    pick: fc.nat(),
    size: fc.integer({ min: 1, max: 400 }),
  });
  fc.assert(
    fc.property(
      fc.array(op, { maxLength: 80 }),
      fc.constantFrom("implicit", "explicit", "segregated") as fc.Arbitrary<"implicit">,
      fc.constantFrom({}, LAB),
      fc.constantFrom("immediate", "deferred") as fc.Arbitrary<"immediate">,
      (raw, list, lab, coalesce) => {
        const live: number[] = [];
        let next = 0;
        const ops = [];
        for (const o of raw) {
          if (o.kind === "a" || live.length === 0) {
            ops.push({ op: "a" as const, id: next, size: o.size });
            live.push(next++);
          } else if (o.kind === "f") {
            ops.push({
              op: "f" as const,
              id: live.splice(o.pick % live.length, 1)[0],
            });
          } else ops.push({ op: "r" as const, id: live[o.pick % live.length], size: o.size });
        }
        const r = runMallocTrace({
          suggestedHeapBytes: 0,
          idCount: next,
          opCount: ops.length,
          weight: 1,
          ops,
        }, { list, coalesce, ...lab });
        assert.deepEqual(r.problems, []);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("the shipped traces in data/ are the generators' output", () => {
  for (const shape of TRACE_SHAPES) {
    const text = Deno.readTextFileSync(
      new URL(`../../data/malloc-traces/${shape}.rep`, import.meta.url),
    );
    assert.equal(text, formatMallocTrace(generateMallocTrace(shape, { seed: 1, ops: 2000 })));
  }
});
