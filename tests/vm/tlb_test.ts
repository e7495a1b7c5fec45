import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { simulateTlb, Tlb, type TlbReference } from "memgarden";

Deno.test("OSTEP's array example: 10 ints from VA 100 on 16-byte pages hit 70%", () => {
  const references = Array.from({ length: 10 }, (_, i) => Math.floor((100 + 4 * i) / 16));
  const r = simulateTlb({ entries: 16, references, steps: true });
  assert.deepEqual(
    r.steps!.map((s) => (s.hit ? "h" : "m")).join(""),
    "mhhmhhhmhh",
  );
  assert.equal(r.hitRate, 0.7);
  // Running the loop again: every page is cached (temporal locality).
  assert.equal(simulateTlb({ entries: 16, references: [...references, ...references] }).hits, 17);
});

Deno.test("LRU within a set: a direct-mapped TLB thrashes on two conflicting pages", () => {
  const r = simulateTlb({ entries: 4, ways: 1, references: [0, 4, 0, 4, 0, 4] });
  assert.deepEqual([r.hits, r.misses, r.evictions], [0, 6, 5]);
  const two = simulateTlb({ entries: 4, ways: 2, references: [0, 4, 0, 4, 0, 4] });
  assert.deepEqual([two.hits, two.misses], [4, 2]);
  // LRU, not FIFO: touching 0 again keeps it over 4 when 8 arrives.
  const lru = simulateTlb({ entries: 2, references: [0, 4, 0, 8, 0], steps: true });
  assert.deepEqual(lru.steps!.map((s) => s.hit), [false, false, true, false, true]);
});

Deno.test("context switches: flush empties the TLB, ASIDs keep entries apart", () => {
  const references: TlbReference[] = [
    { asid: 1, vpn: 5 },
    { asid: 2, vpn: 5 },
    { asid: 1, vpn: 5 },
    { asid: 2, vpn: 5 },
  ];
  const flush = simulateTlb({ entries: 4, contextSwitch: "flush", references });
  assert.deepEqual([flush.hits, flush.contextSwitches, flush.flushes], [0, 3, 3]);
  const asid = simulateTlb({ entries: 4, contextSwitch: "asid", references });
  assert.deepEqual([asid.hits, asid.contextSwitches, asid.flushes], [2, 3, 0]);
  // With ASIDs the same VPN of two processes is two entries, never shared.
  const tlb = new Tlb({ entries: 1, contextSwitch: "asid" });
  tlb.switchTo(1);
  tlb.lookup(5);
  tlb.switchTo(2);
  assert.equal(tlb.lookup(5), false);
  const shown = (asid as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.match(shown["text/plain"], /2 hits, 2 misses, hit rate 50.0%, 3 context switches/);
});

Deno.test("bad TLB options and references name the field", () => {
  assert.throws(
    () => new Tlb({ entries: 0 }),
    (e: Error) => e instanceof TypeError && /entries/.test(e.message),
  );
  assert.throws(
    () => new Tlb({ entries: 4, contextSwitch: "nothing" as "flush" }),
    (e: Error) => e instanceof TypeError && /contextSwitch/.test(e.message),
  );
  assert.throws(
    () => new Tlb({ entries: 4 }).lookup(-1),
    /vpn must be a non-negative safe integer: received -1/,
  );
  assert.throws(
    () => new Tlb({ entries: 4 }).switchTo(1.5),
    /asid must be a non-negative safe integer: received 1.5/,
  );
});

/** Naive reference: each set is an array of "asid:vpn" keys, most recent last. */
function naive(
  entries: number,
  ways: number,
  mode: "flush" | "asid",
  refs: { asid: number; vpn: number }[],
) {
  const sets = Array.from({ length: entries / ways }, () => [] as string[]);
  let current = refs[0]?.asid ?? 0;
  return refs.map(({ asid, vpn }) => {
    if (asid !== current) {
      current = asid;
      if (mode === "flush") sets.forEach((s) => (s.length = 0));
    }
    const set = sets[vpn % sets.length];
    const key = `${asid}:${vpn}`;
    const i = set.indexOf(key);
    if (i >= 0) {
      set.push(...set.splice(i, 1));
      return true;
    }
    if (set.length === ways) set.shift();
    set.push(key);
    return false;
  });
}

Deno.test("property: the TLB agrees with a naive LRU model, per set, with flush or ASIDs", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 3 }),
      fc.constantFrom("flush" as const, "asid" as const),
      fc.array(
        fc.record({ asid: fc.integer({ min: 0, max: 2 }), vpn: fc.integer({ min: 0, max: 20 }) }),
        {
          maxLength: 120,
        },
      ),
      (setBits, wayBits, mode, refs) => {
        const ways = 2 ** wayBits;
        const entries = ways * 2 ** setBits;
        const r = simulateTlb({
          entries,
          ways,
          contextSwitch: mode,
          references: refs,
          steps: true,
        });
        const expected = naive(entries, ways, mode, refs);
        assert.deepEqual(r.steps!.map((s) => s.hit), expected);
        assert.equal(r.hits, expected.filter(Boolean).length);
        assert.equal(r.hits + r.misses, refs.length);
      },
    ),
  );
});
