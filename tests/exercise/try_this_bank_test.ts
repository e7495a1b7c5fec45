/** Lesson 11's exercises: correct answers earn every point (visible and hidden), typical mistakes do not. */
import assert from "node:assert/strict";
import { check, gradingPlan, listExercises } from "memgarden";

const residentBytes = (text: string) => {
  const m = /^VmRSS:\s*(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
};
const ticksUntilCap = (samples: number[], cap: number) => {
  const last = samples[samples.length - 1];
  if (last >= cap) return 0;
  if (samples.length < 2) return null;
  const growth = (last - samples[0]) / (samples.length - 1);
  return growth > 0 ? Math.ceil((cap - last) / growth) : null;
};
const answers: Record<string, unknown> = {
  "try-resident-bytes": residentBytes,
  "try-ticks-until-cap": ticksUntilCap,
};

Deno.test("correct answers pass the visible tests and the hidden ones", async () => {
  await import("memgarden/exercise/hidden/mod.ts");
  for (const ex of listExercises("11-try-this")) {
    const r = await check(ex.id, answers[ex.id] as never);
    assert.equal(r.passed, true, ex.id);
    const plan = gradingPlan(ex);
    assert.equal(plan.source, "hidden");
    assert.ok(Math.abs(plan.tests.reduce((s, t) => s + t.points, 0) - ex.points) < 1e-9);
    for (const t of plan.tests) {
      const got = t.calls.map((args) => ex.run(answers[ex.id] as never, ...(args as unknown[])));
      if (t.judge) t.judge(got, t.calls, t.expected);
      else assert.deepEqual(got, t.want ?? t.expected, `${ex.id}: ${t.name}`);
    }
  }
});

Deno.test("kB read as bytes, or the peak instead of the current RSS, fail", async () => {
  const asBytes = (t: string) => Number(/VmRSS:\s*(\d+)/.exec(t)?.[1] ?? NaN);
  assert.equal((await check("try-resident-bytes", asBytes)).passed, false);
  const peak = (t: string) => Number(/VmHWM:\s*(\d+)/.exec(t)?.[1] ?? 0) * 1024;
  assert.equal((await check("try-resident-bytes", peak)).passed, false);
});
