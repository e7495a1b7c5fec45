import assert from "node:assert/strict";
import {
  type PagePolicy,
  planFromPagePolicy,
  replayOnKernel,
  simulatePaging,
  validateReplayPlan,
} from "memgarden";

const BELADY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

Deno.test("plans from built-in policies miss exactly where the simulator misses", () => {
  for (const policy of ["fifo", "lru", "opt", "clock", "rand"]) {
    for (const frames of [1, 3, 4]) {
      const sim = simulatePaging({ references: BELADY, frames, policy, steps: true });
      const plan = planFromPagePolicy({ references: BELADY, frames, policy });
      assert.equal(plan.name, sim.policy);
      assert.equal(plan.misses, sim.misses, `${policy} with ${frames} frames`);
      assert.deepEqual(plan.steps.map((s) => s.hit), sim.steps!.map((s) => s.hit));
      assert.deepEqual(plan.steps.map((s) => s.evict), sim.steps!.map((s) => s.victim));
      assert.deepEqual(validateReplayPlan(plan), plan);
    }
  }
});

Deno.test("a student's policy object becomes a plan too, and the seed is passed on", () => {
  const newestOut: PagePolicy = {
    name: "evict the newest",
    chooseVictim() {
      return this.last;
    },
    onInsert(page) {
      this.last = page;
    },
    last: -1,
  } as PagePolicy & { last: number };
  const plan = planFromPagePolicy({ references: BELADY, frames: 3, policy: newestOut });
  assert.equal(plan.name, "evict the newest");
  assert.equal(
    plan.misses,
    simulatePaging({ references: BELADY, frames: 3, policy: newestOut }).misses,
  );
  const a = planFromPagePolicy({ references: BELADY, frames: 2, policy: "rand", seed: 7 });
  const b = simulatePaging({ references: BELADY, frames: 2, policy: "rand", seed: 7 });
  assert.equal(a.misses, b.misses);
});

Deno.test("bad options are rejected with the field and the value", () => {
  assert.throws(
    () => planFromPagePolicy({ references: [], frames: 3, policy: "fifo" }),
    /Cannot build plan from policy: .*references must not be empty/s,
  );
  assert.throws(
    () => planFromPagePolicy({ references: [1], frames: 0, policy: "fifo" }),
    /frames must be at least 1/,
  );
  assert.throws(
    () => planFromPagePolicy({ references: [1], frames: 1, policy: "lfu" }),
    /policy must be one of .*: received "lfu"/,
  );
  assert.throws(
    () => planFromPagePolicy({ references: [5000], frames: 1, policy: "fifo" }),
    TypeError,
  );
});

Deno.test("the kernel follows an LRU plan built from the simulator, fault for fault", () => {
  const plan = planFromPagePolicy({ references: BELADY, frames: 3, policy: "lru" });
  const r = replayOnKernel(plan);
  assert.equal(r.exact, true, r.note);
  assert.equal(r.kernelMajorFaults, 10);
  assert.deepEqual(r.mismatchedSteps, []);
});
