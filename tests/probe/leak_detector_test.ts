import assert from "node:assert/strict";
import {
  detectLeak,
  detectLeakInChild,
  LEAK_SCENARIOS,
  theilSenSlope,
  v8GcAvailable,
} from "memgarden";
import { runWithGc } from "./_gc_child.ts";

Deno.test("theilSenSlope ignores one step and a sawtooth, follows steady growth", () => {
  assert.equal(theilSenSlope([]), 0);
  assert.equal(theilSenSlope([[0, 5]]), 0);
  assert.equal(theilSenSlope([[0, 0], [10, 50], [20, 100], [30, 150]]), 5);
  assert.equal(theilSenSlope([[1, 0], [2, 100], [3, 100], [4, 100], [5, 100]]), 0);
  const saw = [[1, 10], [2, 20], [3, 10], [4, 20], [5, 10], [6, 20]] as const;
  assert.ok(Math.abs(theilSenSlope(saw)) < 1);
  // One wild point among steady growth does not move it much.
  assert.equal(theilSenSlope([[0, 0], [1, 3], [2, 6], [3, 900], [4, 12], [5, 15]]), 3);
});

/** Two CPU-bound processes that stop by themselves after a minute; the caller kills them sooner. */
function startBurners(): Deno.ChildProcess[] {
  return [0, 1].map(() =>
    new Deno.Command(Deno.execPath(), {
      args: ["eval", "const end = Date.now() + 60000; let x = 0; while (Date.now() < end) x++;"],
      stdout: "null",
      stderr: "null",
    }).spawn()
  );
}

// Fewer, shorter rounds than the defaults, so the whole bench fits in a few seconds.
const QUICK = { rounds: 4, iterationsPerRound: 500, warmupIterations: 100, idleMs: 20 };

Deno.test("detectLeak gives the right verdict on 15 functions, twice, beside two busy processes", async () => {
  const names = LEAK_SCENARIOS.map((s) => s.name);
  assert.ok(names.length >= 12);
  const burners = startBurners();
  try {
    const passes = await Promise.all([
      detectLeakInChild(names, QUICK),
      detectLeakInChild(names, QUICK),
    ]);
    for (const reports of passes) {
      assert.equal(reports.length, names.length);
      reports.forEach((r, i) => {
        const s = LEAK_SCENARIOS[i];
        assert.equal(
          r.leaking,
          s.leaks,
          `${s.name}: expected ${s.leaks ? "a leak" : "no leak"}, got ${r.reason}`,
        );
        if (s.leaks) {
          assert.ok(r.bytesPerIteration > 50, `${s.name}: ${r.bytesPerIteration} B per call`);
        }
        assert.equal(r.samples[0].phase, "baseline");
        assert.equal(r.samples.at(-1)!.phase, "idle");
        assert.equal(r.iterations, QUICK.rounds * QUICK.iterationsPerRound);
      });
    }
  } finally {
    for (const b of burners) {
      try {
        b.kill("SIGKILL");
      } catch { /* already gone */ }
      await b.status;
    }
  }
});

Deno.test("a fast leak stops at the memory cap and is reported as leaking", async () => {
  const r = await runWithGc(`
import { detectLeak } from "memgarden/probe/leak_detector.ts";
const kept: Uint8Array[] = [];
const report = await detectLeak(() => { kept.push(new Uint8Array(256 * 1024)); }, {
  maxGrowthBytes: 16 * 1024 * 1024, iterationsPerRound: 1000, warmupIterations: 0,
});
console.log(JSON.stringify({ ...report, keptCount: kept.length }));
`) as { leaking: boolean; stoppedEarly: string; keptCount: number; iterations: number };
  assert.equal(r.leaking, true);
  assert.equal(r.stoppedEarly, "memory cap");
  // 16 MiB of 256 KiB buffers is 64 of them; the cheap check runs every 16 calls.
  assert.ok(r.keptCount < 200, `${r.keptCount} buffers were allocated before stopping`);
});

Deno.test("detectLeak refuses bad input and says when gc() is missing", async () => {
  await assert.rejects(() => detectLeak(42 as unknown as () => void), /fn must be a function/);
  await assert.rejects(() => detectLeak(() => {}, { rounds: 1 }), /rounds/);
  if (!v8GcAvailable()) {
    await assert.rejects(() => detectLeak(() => {}), /detectLeak needs V8's gc\(\)/);
  }
  await assert.rejects(() => detectLeakInChild(["no-such"]), /name must be one of unbounded-cache/);
});
