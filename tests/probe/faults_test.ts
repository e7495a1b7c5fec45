import assert from "node:assert/strict";
import { measureMajorFaults, measureResidency, measureTouchFaults } from "memgarden";
import { probeLeftovers } from "./_leftovers.ts";

Deno.test("writing 1000 fresh pages costs about one minor fault per page and makes all resident", () => {
  const r = measureTouchFaults({ pageCount: 1000, touch: "write" });
  assert.equal(r.residentBefore, 0);
  assert.equal(r.residentAfter, 1000, "mincore is exact: every written page is resident");
  // Other work on the JS thread (V8 allocations) adds a few faults: allow +10% and slack.
  assert.ok(
    r.minorFaults >= 1000 && r.minorFaults <= 1100 + 20,
    `expected ~1000 minor faults, got ${r.minorFaults}`,
  );
  assert.ok(r.processMinorFaults >= r.minorFaults * 0.9);
  assert.equal(r.majorFaults, 0);
  // 1000 pages of anonymous memory became resident: RssAnon grew by about 4 MB.
  assert.ok(r.rssAnonDeltaBytes! >= 0.9 * 1000 * r.pageSizeBytes, `${r.rssAnonDeltaBytes}`);
});

Deno.test("reading 1000 fresh pages faults once per page but maps the zero page: RSS barely moves", () => {
  const r = measureTouchFaults({ pageCount: 1000, touch: "read" });
  assert.ok(
    r.minorFaults >= 1000 && r.minorFaults <= 1100 + 20,
    `expected ~1000 minor faults, got ${r.minorFaults}`,
  );
  assert.ok(
    r.rssAnonDeltaBytes! < 0.1 * 1000 * r.pageSizeBytes,
    `RssAnon grew by ${r.rssAnonDeltaBytes} bytes`,
  );
});

Deno.test("read then write faults about twice per page (zero page, then copy on write)", () => {
  const r = measureTouchFaults({ pageCount: 500, touch: "read-then-write" });
  assert.ok(r.minorFaults >= 1000 && r.minorFaults <= 1100 + 20, `got ${r.minorFaults}`);
  assert.equal(r.residentAfter, 500);
  assert.ok(r.minorFaultsPerPage > 1.9 && r.minorFaultsPerPage < 2.3);
});

Deno.test("mincore counts are exact before, after writing every third page, and after MADV_DONTNEED", () => {
  const r = measureResidency({ pageCount: 256, touchEvery: 3 });
  assert.equal(r.touchedPages, 86);
  assert.equal(r.residentBefore, 0);
  assert.equal(r.residentAfterTouch, 86);
  assert.equal(r.residentAfterDontneed, 0);
  assert.equal(r.mapAfterTouch, "#..".repeat(86).slice(0, 256));
  assert.ok(r.minorFaults >= 86 && r.minorFaults <= 86 * 1.1 + 20);
});

Deno.test("reading 256 evicted file pages costs exactly one major fault each; a second pass none", () => {
  const before = probeLeftovers();
  const r = measureMajorFaults({ pageCount: 256 });
  assert.equal(r.evictable, true, r.note);
  assert.equal(r.residentBefore, 0);
  assert.equal(r.majorFaults, 256);
  assert.equal(r.residentAfter, 256);
  assert.equal(r.secondPassMajorFaults, 0);
  assert.deepEqual(probeLeftovers(), before, "the temporary file is removed");
});

Deno.test("the largest major-fault pass (16384 pages) still faults once per page once V8 optimizes it", () => {
  // Before the touched byte was checked, the optimized loop dropped unused
  // reads: about 11,000 faults of 16384.
  const r = measureMajorFaults({ pageCount: 16384 });
  assert.equal(r.evictable, true, r.note);
  assert.equal(r.majorFaults, 16384);
  assert.equal(r.residentAfter, 16384);
  assert.equal(r.secondPassMajorFaults, 0);
});

Deno.test("results are JSON-friendly and display as HTML", () => {
  const r = measureResidency({ pageCount: 4 });
  const json = JSON.parse(JSON.stringify(r));
  assert.equal(json.pageCount, 4);
  assert.equal(json.environment.deno, Deno.version.deno);
  const d = (r as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.match(d["text/html"], /<table/);
  assert.match(d["text/plain"], /resident after writes\s+4/);
});

Deno.test("bad options name the field, the rule and the value", () => {
  assert.throws(() => measureTouchFaults({ pageCount: 0 }), (e: unknown) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /Cannot measure touch faults: invalid options/);
    assert.match(e.message, /pageCount/);
    assert.match(e.message, />=1/);
    return true;
  });
  assert.throws(() => measureTouchFaults({ touch: "poke" as "read" }), /touch/);
  assert.throws(() => measureResidency({ pageCount: 1e6 }), /pageCount/);
  assert.throws(() => measureMajorFaults({ pageCount: 2.5 }), /pageCount/);
});

Deno.test("on tmpfs pages cannot leave memory: the result says so instead of faking counts", () => {
  const r = measureMajorFaults({ pageCount: 4, dir: "/dev/shm" });
  assert.equal(r.fsType, "tmpfs");
  assert.equal(r.evictable, false);
  assert.match(r.note, /4 of 4 pages stayed in memory \(filesystem tmpfs\)/);
  assert.equal(r.majorFaults, 0, "tmpfs pages are already in memory");
});
