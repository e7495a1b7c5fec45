import assert from "node:assert/strict";
import fc from "fast-check";
import { LineMap, LineSet, MAX_DISTINCT_LINES } from "memgarden/cache/_line_table.ts";

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

Deno.test("LineMap agrees with Map under a bounded working set with deletions", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.boolean()), { maxLength: 2000 }),
      fc.integer({ min: 1, max: 40 }),
      (ops, capacity) => {
        const mine = new LineMap(capacity);
        const ref = new Map<number, number>();
        let next = 0;
        for (const [k, del] of ops) {
          const key = k * 4096 + 2 ** 40; // clustered keys make long probe runs
          assert.equal(mine.get(key), ref.get(key) ?? -1);
          if (ref.has(key)) {
            if (del) {
              mine.delete(key);
              ref.delete(key);
            }
          } else if (ref.size < capacity) {
            mine.set(key, next);
            ref.set(key, next++);
          }
        }
        for (const [key, v] of ref) assert.equal(mine.get(key), v);
      },
    ),
    { numRuns: 200 },
  );
});
