import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { createPrng } from "memgarden";
import {
  CAPACITY,
  COMPULSORY,
  CONFLICT,
  LineSet,
  MAX_DISTINCT_LINES,
  ShadowLru,
} from "memgarden/cache/_line_table.ts";

// Line numbers as the simulator makes them: small, near 2^32, and up to 2^53 / 2.
const line = fc.oneof(
  fc.integer({ min: 0, max: 200 }),
  fc.integer({ min: 2 ** 32 - 100, max: 2 ** 32 + 100 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).map((n) => Math.floor(n / 2)),
);

Deno.test("LineSet agrees with Set on random lines, through growth", () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 3000 }), (lines) => {
      const mine = new LineSet();
      const ref = new Set<number>();
      for (const l of lines) {
        assert.equal(mine.add(l), !ref.has(l));
        ref.add(l);
      }
      assert.equal(mine.size, ref.size);
      assert.ok(mine.slots * 3 >= mine.size * 4, "load above 3/4");
    }),
    { numRuns: 100 },
  );
});

Deno.test("LineSet says what ran out and how to avoid it when full; memory stays at its cap", () => {
  const set = new LineSet(5000);
  for (let i = 0; i < 5000; i++) set.add(i * 64);
  assert.equal(set.add(0), false); // known lines still answer
  assert.throws(
    () => set.add(5000 * 64),
    /^Error: Cannot classify misses: the trace touched more than 5000 distinct lines, the most the 3C split remembers .*turn the split off \(classifyMisses: false\)/,
  );
  // Counted, not measured: the table never grew past 4/3 of the cap.
  assert.ok(set.slots <= 8192, `slots ${set.slots}`);
  // The default cap: 25 M lines (more than V8's Set allows, 2^24) in 2^25 slots, 256 MiB.
  assert.ok(MAX_DISTINCT_LINES > 2 ** 24 && MAX_DISTINCT_LINES * 4 / 3 <= 2 ** 25);
});

/** A plain-array fully associative LRU (most recent first) and the set of lines missed. */
class NaiveShadow {
  lru: number[] = [];
  missed = new Set<number>();
  constructor(readonly capacity: number) {}
  /** Use `line`; returns whether it was held. */
  use(line: number, allocate: boolean): boolean {
    const at = this.lru.indexOf(line);
    if (at >= 0) this.lru.splice(at, 1);
    if (at >= 0 || allocate) this.lru.unshift(line);
    if (this.lru.length > this.capacity) this.lru.pop();
    return at >= 0;
  }
}

Deno.test("ShadowLru agrees with a plain-array LRU and a Set, whatever hints it is given", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.array(
        fc.record({
          line: fc.oneof(
            { weight: 6, arbitrary: fc.integer({ min: 0, max: 30 }) }, // reuse: hits, evictions
            { weight: 1, arbitrary: line }, // mostly new lines, some near and past 2^32
          ),
          missed: fc.boolean(), // the level missed (else hit)
          allocate: fc.boolean(), // false: a write that does not allocate
          hint: fc.oneof(fc.constant(-1), fc.nat()), // -1: the slot last returned for the line
        }),
        { maxLength: 600, size: "max" },
      ),
      (capacity, uses) => {
        const mine = new ShadowLru(capacity);
        const ref = new NaiveShadow(capacity);
        const lastSlot = new Map<number, number>();
        for (const u of uses) {
          const held = ref.use(u.line, u.allocate);
          let slot: number;
          if (u.missed) {
            const got = mine.miss(u.line, u.allocate);
            slot = got >> 2;
            const kind = !ref.missed.has(u.line) ? COMPULSORY : held ? CONFLICT : CAPACITY;
            assert.equal(got & 3, kind);
            ref.missed.add(u.line);
          } else {
            const hint = u.hint < 0 ? lastSlot.get(u.line) ?? capacity : u.hint % (capacity + 1);
            slot = mine.hit(u.line, hint, u.allocate);
          }
          if (ref.lru.includes(u.line)) assert.equal(mine.lines[slot], u.line);
          else assert.equal(slot, capacity);
          lastSlot.set(u.line, slot);
          // The shadow holds exactly the naive LRU's lines.
          const heldLines = [...mine.lines.subarray(0, capacity)].filter((l) => l >= 0);
          assert.deepEqual(heldLines.sort((a, b) => a - b), ref.lru.slice().sort((a, b) => a - b));
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("ShadowLru through many distinct lines: the table grows, slots and flags survive", () => {
  const capacity = 64;
  const mine = new ShadowLru(capacity);
  const ref = new NaiveShadow(capacity);
  const prng = createPrng(7);
  // 60,000 uses over 20,000 lines (wide and narrow), the line table growing many times.
  for (let i = 0; i < 60_000; i++) {
    const l = prng.float() < 0.5 ? prng.int(0, 20_000) : 2 ** 40 + prng.int(0, 200) * 4096;
    const allocate = prng.float() < 0.9;
    const held = ref.use(l, allocate);
    const kind = !ref.missed.has(l) ? COMPULSORY : held ? CONFLICT : CAPACITY;
    ref.missed.add(l);
    assert.equal(mine.miss(l, allocate) & 3, kind, `use ${i}`);
  }
  assert.equal(mine.known.size, ref.missed.size);
});

Deno.test("ShadowLru keeps the line table's cap and its message", () => {
  const mine = new ShadowLru(4, 100);
  for (let i = 0; i < 100; i++) mine.miss(i, true);
  assert.equal(mine.miss(5, true) & 3, CAPACITY); // known lines still answer
  assert.throws(
    () => mine.miss(100, true),
    /^Error: Cannot classify misses: .* 100 distinct lines/,
  );
});
