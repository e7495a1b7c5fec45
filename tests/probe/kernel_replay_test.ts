import assert from "node:assert/strict";
import {
  createPrng,
  planFromPolicy,
  planFromVictims,
  replayOnKernel,
  validateReplayPlan,
  type VictimPlanner,
} from "memgarden";
import { probeLeftovers } from "./_leftovers.ts";

// Tiny reference planners, written here so the probe is tested independently of lib/vm.
const fifo: VictimPlanner = (refs, frames) => {
  const queue: number[] = [];
  const victims: (number | null)[] = [];
  let misses = 0;
  for (const p of refs) {
    let v: number | null = null;
    if (!queue.includes(p)) {
      misses++;
      if (queue.length === frames) v = queue.shift()!;
      queue.push(p);
    }
    victims.push(v);
  }
  return { victims, misses };
};

const lru: VictimPlanner = (refs, frames) => {
  const order: number[] = []; // least recently used first
  const victims: (number | null)[] = [];
  let misses = 0;
  for (const p of refs) {
    let v: number | null = null;
    const at = order.indexOf(p);
    if (at >= 0) order.splice(at, 1);
    else {
      misses++;
      if (order.length === frames) v = order.shift()!;
    }
    order.push(p);
    victims.push(v);
  }
  return { victims, misses };
};

const BELADY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

Deno.test("the planners reproduce the textbook counts, including Belady's anomaly", () => {
  assert.equal(planFromPolicy(BELADY, 3, fifo, "FIFO").misses, 9);
  assert.equal(planFromPolicy(BELADY, 4, fifo, "FIFO").misses, 10);
  assert.equal(planFromPolicy(BELADY, 3, lru, "LRU").misses, 10);
  assert.equal(planFromPolicy(BELADY, 4, lru, "LRU").misses, 8);
});

for (const [name, planner] of [["FIFO", fifo], ["LRU", lru]] as const) {
  for (const frames of [3, 4]) {
    Deno.test(`${name} with ${frames} frames on Belady's string: kernel major faults = simulated misses`, () => {
      const plan = planFromPolicy(BELADY, frames, planner, name);
      const r = replayOnKernel(plan);
      assert.equal(r.exact, true, r.note);
      assert.equal(r.kernelMajorFaults, plan.misses);
      assert.equal(r.match, true);
      assert.deepEqual(r.mismatchedSteps, []);
      assert.deepEqual(
        r.steps.map((s) => s.kernelMajorFaults),
        plan.steps.map((s) => (s.hit ? 0 : 1)),
      );
      assert.equal(r.pageCount, 6);
    });
  }
}

Deno.test("a seeded random string of 200 references over 20 pages replays exactly for FIFO and LRU", () => {
  const prng = createPrng(2024);
  const refs = Array.from({ length: 200 }, () => prng.int(0, 19));
  for (const [name, planner] of [["FIFO", fifo], ["LRU", lru]] as const) {
    const plan = planFromPolicy(refs, 8, planner, name);
    assert.ok(plan.misses > 20 && plan.misses < 200, `${name} misses ${plan.misses}`);
    const r = replayOnKernel(plan);
    assert.equal(r.exact, true, r.note);
    assert.equal(r.kernelMajorFaults, plan.misses, `${name}: ${r.note}`);
    assert.deepEqual(r.mismatchedSteps, []);
    assert.equal(r.evictionFailures, 0);
  }
});

Deno.test("a replay of 12,000 references stays exact after V8 optimizes the replay loop", () => {
  // Before the touched byte was checked, an optimized loop dropped the unused
  // read after about 2,000 references: mincore showed the page evicted, yet
  // the kernel counted no fault because the page was never read.
  const prng = createPrng(7);
  const refs = Array.from({ length: 12_000 }, () => prng.int(0, 31));
  const plan = planFromPolicy(refs, 8, fifo, "FIFO");
  assert.ok(plan.misses > 6_000, `FIFO misses ${plan.misses}`);
  const started = performance.now();
  const r = replayOnKernel(plan);
  assert.equal(r.exact, true, r.note);
  assert.deepEqual(r.mismatchedSteps, [], r.note);
  assert.equal(r.kernelMajorFaults, plan.misses);
  assert.ok(performance.now() - started < 10_000, "the replay is bounded to a few seconds");
});

Deno.test("the replay result is JSON-friendly, displays as HTML, and leaves no temp files", () => {
  const before = probeLeftovers();
  const plan = planFromVictims([0, 1, 0], 1, [null, 0, 1], { name: "one frame", pageCount: 4 });
  const r = replayOnKernel(plan);
  assert.equal(r.pageCount, 4);
  assert.equal(r.kernelMajorFaults, 3);
  const json = JSON.parse(JSON.stringify(r));
  assert.deepEqual(json.steps[1], {
    index: 1,
    page: 1,
    simulatedMiss: true,
    evicted: 0,
    kernelMajorFaults: 1,
  });
  const d = (r as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.match(d["text/html"], /kernel major faults/);
  assert.match(d["text/plain"], /simulated misses\s+3/);
  assert.deepEqual(probeLeftovers(), before);
});

Deno.test("impossible plans are rejected with the step, the rule and the value", () => {
  assert.throws(
    () => planFromVictims([0, 1], 1, [null, 5]),
    /step 1 \(page 1\): all 1 frames are full, so evict must be a resident page \(0\): received 5/,
  );
  assert.throws(
    () => planFromVictims([0, 1], 2, [null, 0]),
    /step 1 \(page 1\): a free frame remains, so evict must be null: received 0/,
  );
  assert.throws(() => planFromVictims([0, 1], 2, [null]), /one entry per reference \(2\)/);
  assert.throws(() => planFromVictims([0, -1], 2, [null, null]), TypeError);
  assert.throws(() => planFromVictims([0], 0, [null]), /frames/);
  assert.throws(
    () =>
      validateReplayPlan({
        name: "x",
        frames: 2,
        steps: [{ page: 0, hit: false, evict: null }, { page: 0, hit: false, evict: null }],
      }),
    /step 1 \(page 0\): page 0 is resident, so hit must be true/,
  );
  assert.throws(
    () =>
      validateReplayPlan({
        name: "x",
        frames: 1,
        pageCount: 1,
        steps: [{ page: 3, hit: false, evict: null }],
      }),
    /pageCount must exceed the largest page 3: received 1/,
  );
  const liar: VictimPlanner = (refs, frames) => ({ ...fifo(refs, frames), misses: 1 });
  assert.throws(
    () => planFromPolicy(BELADY, 3, liar, "liar"),
    /liar reports 1 misses but its victims give 9/,
  );
  assert.throws(() => replayOnKernel(planFromVictims([0], 1, [null]), { dir: "" }), /dir/);
});

Deno.test("a replay on tmpfs is reported as not exact", () => {
  const r = replayOnKernel(planFromPolicy(BELADY, 3, fifo, "FIFO"), { dir: "/dev/shm" });
  assert.equal(r.fsType, "tmpfs");
  assert.equal(r.exact, false);
  assert.match(r.note, /could not all be dropped from memory \(filesystem tmpfs/);
  assert.equal(r.kernelMajorFaults, 0);
});
