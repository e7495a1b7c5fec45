import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { MersenneTwister, simulatePaging } from "memgarden";

/** OSTEP's CLOCK, naively: a Python-like list, `memory[k]` by index, `pop(k)` to evict. */
function naiveClock(frames: number, bits: number, refs: number[], seed: number) {
  const mt = new MersenneTwister(seed);
  const memory: number[] = [];
  const ref = new Map<number, number>();
  let hits = 0;
  const victims: (number | null)[] = [];
  for (const page of refs) {
    if (memory.includes(page)) {
      hits++;
      ref.set(page, Math.min(bits, ref.get(page)! + 1));
      victims.push(null);
      continue;
    }
    let victim: number | null = null;
    if (memory.length === frames) {
      for (;;) {
        const k = Math.trunc(mt.random() * memory.length);
        const r = ref.get(memory[k])!;
        if (r >= 1) ref.set(memory[k], r - 1);
        else {
          victim = memory.splice(k, 1)[0];
          break;
        }
      }
    }
    memory.push(page);
    ref.set(page, 1);
    victims.push(victim);
  }
  return { hits, victims, memory };
}

Deno.test("property: fast CLOCK (order-statistics tree) evicts exactly like the naive list", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 0, max: 3 }),
      fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 600 }),
      fc.integer({ min: 0, max: 1000 }),
      (frames, bits, refs, seed) => {
        const fast = simulatePaging({
          frames,
          policy: "clock",
          references: refs,
          clockBits: bits,
          seed,
          steps: true,
        });
        const slow = naiveClock(frames, bits, refs, seed);
        assert.equal(fast.hits, slow.hits);
        assert.deepEqual(fast.steps!.map((s) => s.victim), slow.victims);
        assert.deepEqual(fast.steps!.at(-1)!.resident, slow.memory);
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("fast CLOCK survives many slot compactions (long string, few frames)", () => {
  const mt = new MersenneTwister(9);
  const refs = Array.from({ length: 20_000 }, () => Math.trunc(mt.random() * 300));
  for (const frames of [3, 50, 200]) {
    const fast = simulatePaging({ frames, policy: "clock", references: refs, seed: 4 });
    assert.equal(fast.hits, naiveClock(frames, 2, refs, 4).hits);
  }
});
