import assert from "node:assert/strict";
import fc from "../_fc.ts";
import {
  beladyAnomalies,
  MersenneTwister,
  type PagePolicy,
  pagingFaultCurve,
  resolvePagePolicy,
  simulatePaging,
} from "memgarden";

/** A naive model written straight from OSTEP's description: a list, linear scans. */
function naive(policy: string, frames: number, refs: number[], seed = 0, clockBits = 2) {
  const mt = new MersenneTwister(seed);
  const memory: number[] = [];
  const ref = new Map<number, number>();
  let misses = 0;
  const victims: number[] = [];
  refs.forEach((n, t) => {
    const idx = memory.indexOf(n);
    if (idx >= 0) {
      if (policy === "LRU" || policy === "MRU") memory.push(...memory.splice(idx, 1));
    } else {
      misses++;
      if (memory.length === frames) {
        let v: number;
        if (policy === "FIFO" || policy === "LRU") v = memory.shift()!;
        else if (policy === "MRU") v = memory.pop()!;
        else if (policy === "RAND") v = memory.splice(Math.trunc(mt.random() * frames), 1)[0];
        else if (policy === "CLOCK") {
          for (;;) {
            const k = Math.trunc(mt.random() * frames);
            const r = ref.get(memory[k])!;
            if (r >= 1) ref.set(memory[k], r - 1);
            else {
              v = memory.splice(k, 1)[0];
              ref.delete(v);
              break;
            }
          }
        } else {
          const when = memory.map((p) => {
            const i = refs.indexOf(p, t + 1);
            return i < 0 ? refs.length : i;
          });
          let pick = 0;
          for (let i = 0; i < when.length; i++) {
            if (policy === "OPT" ? when[i] >= when[pick] : when[i] < when[pick]) pick = i;
          }
          v = memory.splice(pick, 1)[0];
        }
        victims.push(v!);
      }
      memory.push(n);
    }
    ref.set(n, Math.min((ref.get(n) ?? 0) + 1, ref.has(n) ? clockBits : Infinity));
  });
  return { misses, victims };
}

const refsArb = fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 80 });

Deno.test("Belady's anomaly: FIFO on 1,2,3,4,1,2,5,1,2,3,4,5 faults 9 times with 3 frames, 10 with 4", () => {
  const refs = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
  const curve = pagingFaultCurve(refs, "fifo", [3, 4]);
  assert.deepEqual(curve, [{ frames: 3, misses: 9 }, { frames: 4, misses: 10 }]);
  assert.equal(beladyAnomalies(curve).length, 1);
  assert.deepEqual(beladyAnomalies(pagingFaultCurve(refs, "lru", [1, 2, 3, 4, 5, 6])), []);
});

Deno.test("OSTEP chapter 22 example: 0,1,2,0,1,3,0,3,1,2,1 with 3 frames", () => {
  // OSTEP Figures 22.1, 22.2, 22.5: OPT 6 hits (evicting 2, then 3), FIFO 4 hits, LRU 6 hits.
  const references = [0, 1, 2, 0, 1, 3, 0, 3, 1, 2, 1];
  const hits = (policy: string) => simulatePaging({ frames: 3, policy, references }).hits;
  assert.equal(hits("opt"), 6);
  assert.equal(hits("fifo"), 4);
  assert.equal(hits("lru"), 6);
  const opt = simulatePaging({ frames: 3, policy: "opt", references, steps: true });
  assert.deepEqual(opt.steps!.filter((s) => s.victim !== null).map((s) => s.victim), [2, 3]);
});

Deno.test("every built-in policy agrees with the naive list model on random strings", () => {
  fc.assert(
    fc.property(refsArb, fc.integer({ min: 1, max: 6 }), fc.nat(1000), (refs, frames, seed) => {
      for (const p of ["FIFO", "LRU", "MRU", "OPT", "UNOPT", "RAND", "CLOCK"]) {
        const seen: unknown[] = [];
        const r = simulatePaging({
          frames,
          policy: p,
          references: refs,
          seed,
          steps: true,
          onStep: (s) => seen.push(s),
        });
        assert.deepEqual(seen, r.steps, `${p}: onStep sees every step`);
        const want = naive(p, frames, refs, seed);
        assert.equal(r.misses, want.misses, p);
        assert.deepEqual(
          r.steps!.filter((s) => s.victim !== null).map((s) => s.victim),
          want.victims,
          p,
        );
        assert.equal(r.hits + r.misses, refs.length);
      }
    }),
  );
});

Deno.test("OPT never misses more than any other policy", () => {
  fc.assert(
    fc.property(refsArb, fc.integer({ min: 1, max: 6 }), fc.nat(), (refs, frames, seed) => {
      const opt = simulatePaging({ frames, policy: "opt", references: refs }).misses;
      for (const p of ["fifo", "lru", "unopt", "rand", "clock"]) {
        assert.ok(opt <= simulatePaging({ frames, policy: p, references: refs, seed }).misses, p);
      }
    }),
  );
});

Deno.test("LRU is a stack algorithm: misses never rise with more frames", () => {
  fc.assert(
    fc.property(refsArb, (refs) => {
      const curve = pagingFaultCurve(refs, "lru", [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(beladyAnomalies(curve), []);
    }),
  );
});

Deno.test("a student's plain object plugs in (MRU written by hand)", () => {
  const order: number[] = [];
  const mru: PagePolicy = {
    name: "MRU",
    onHit(page) {
      order.splice(order.indexOf(page), 1);
      order.push(page);
    },
    onInsert(page) {
      order.push(page);
    },
    chooseVictim: () => order.pop()!,
  };
  const r = simulatePaging({ frames: 2, policy: mru, references: [1, 2, 3, 1, 2, 3], steps: true });
  assert.deepEqual(r.steps!.map((s) => s.victim), [null, null, 2, null, 1, null]);
  assert.equal(r.policy, "MRU");
  const future: PagePolicy = {
    name: "my-opt",
    chooseVictim: (resident, _t, f) =>
      resident.pages().reduce((a, b) => (f.nextUse(a) >= f.nextUse(b) ? a : b)),
  };
  const refs = [0, 1, 2, 0, 1, 3, 0, 3, 1, 2, 1];
  assert.equal(
    simulatePaging({ frames: 3, policy: future, references: refs }).misses,
    simulatePaging({ frames: 3, policy: "opt", references: refs }).misses,
  );
});

Deno.test("results are JSON-friendly and display in notebooks", () => {
  const r = simulatePaging({ frames: 2, policy: "lru", references: [1, 2, 1, 3], steps: true });
  assert.deepEqual(JSON.parse(JSON.stringify(r)).steps[3].resident, [1, 3]);
  const bundle = (r as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.match(bundle["text/plain"], /LRU, 2 frames: 1 hits, 3 misses/);
  assert.match(bundle["text/html"], /<table>/);
  const cold = simulatePaging({ frames: 5, policy: "fifo", references: [1, 2] });
  assert.match(cold.warnings[0], /every miss is a cold/);
});

Deno.test("bad parameters give clear errors naming field, rule and value", () => {
  assert.throws(
    () => simulatePaging({ frames: 3, policy: "lru", references: [] }),
    /references must not be empty: received 0/,
  );
  assert.throws(() => simulatePaging({ frames: 0, policy: "lru", references: [1] }), /frames/);
  assert.throws(
    () => simulatePaging({ frames: 1, policy: "lru", references: [1, -2] }),
    /references\[1\] must be a non-negative integer: received -2/,
  );
  assert.throws(
    () => resolvePagePolicy("belady"),
    /must be one of fifo, lru, mru, opt, unopt, rand, clock: received "belady"/,
  );
  assert.throws(
    () => resolvePagePolicy({ name: "x" } as unknown as PagePolicy),
    /chooseVictim must be a function/,
  );
  const liar: PagePolicy = { name: "liar", chooseVictim: () => 99 };
  assert.throws(
    () => simulatePaging({ frames: 1, policy: liar, references: [1, 2] }),
    /liar.chooseVictim must return a resident page: received 99 at time 1/,
  );
  // Not page numbers at all: these used to slip past the check and corrupt the frames.
  for (const bad of [-1, 1.5, "1" as unknown as number]) {
    const odd: PagePolicy = { name: "odd", chooseVictim: () => bad };
    assert.throws(
      () => simulatePaging({ frames: 1, policy: odd, references: [1, 2] }),
      new RegExp(`odd.chooseVictim must return a resident page: received ${bad} at time 1`),
    );
  }
});
