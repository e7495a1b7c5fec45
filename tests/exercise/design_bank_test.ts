/**
 * Lesson 10's exercises: a correct answer earns every point, and each
 * typical wrong answer fails with a message that says what to fix.
 */
import assert from "node:assert/strict";
import { check, encodeRecord, gradingPlan, listExercises } from "memgarden";

import {
  designEncodeIntoHidden,
  designLazyOrdersHidden,
  designSharedUpdateHidden,
} from "memgarden/exercise/hidden/mod.ts";

// The instructor's reference answers are correct answers.
const encodeInto = designEncodeIntoHidden.reference;
const bigOrders = designLazyOrdersHidden.reference;
const setIn = designSharedUpdateHidden.reference;

Deno.test("correct answers earn full marks", async () => {
  for (
    const [id, answer] of [
      ["design-encode-into", encodeInto],
      ["design-lazy-orders", bigOrders],
      ["design-shared-update", setIn],
    ] as const
  ) {
    const r = await check(id, answer);
    assert.equal(r.passed, true, `${id}: ${JSON.stringify(r)}`);
    assert.equal(r.score, r.maxScore);
  }
});

Deno.test("encode-into: a copy into the buffer that forgets the checksum fails", async () => {
  const partial = (id: number, score: number, out: Uint8Array) => {
    out.set(encodeRecord(id, score).subarray(0, 7));
    return out;
  };
  const r = await check("design-encode-into", partial);
  assert.equal(r.passed, false);
  assert.ok(r.score < r.maxScore);
});

Deno.test("lazy-orders: an array-returning version fails on the counts and the endless stream", async () => {
  const arrays = (orders: Iterable<{ id: number; total: number }>, min: number) =>
    Array.from(orders).filter((o) => o.total >= min).map((o) => o.id);
  const r = await check("design-lazy-orders", arrays);
  assert.equal(r.passed, false);
  const text = JSON.stringify(r);
  assert.match(text, /were enough/);
  assert.match(text, /is it lazy/);
});

Deno.test("shared-update: mutating in place and copying everything both fail with the reason", async () => {
  const mutate = (tree: unknown, path: (string | number)[], value: unknown) => {
    let node = tree as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
    node[path[path.length - 1]] = value;
    return tree;
  };
  const r1 = await check("design-shared-update", mutate);
  assert.equal(r1.score, 0);
  const deepCopy = (tree: unknown, path: (string | number)[], value: unknown) =>
    setIn(structuredClone(tree), path, value);
  const r2 = await check("design-shared-update", deepCopy);
  assert.equal(r2.passed, false);
  assert.match(JSON.stringify(r2), /share it instead of copying it/);
});

Deno.test("hidden tests: worth the exercise's points, and the reference answers pass them and the visible ones", () => {
  const answers: Record<string, unknown> = {
    "design-encode-into": encodeInto,
    "design-lazy-orders": bigOrders,
    "design-shared-update": setIn,
  };
  for (const ex of listExercises("10-efficient-design")) {
    const plan = gradingPlan(ex);
    assert.equal(plan.source, "hidden", ex.id);
    const sum = plan.tests.reduce((s, t) => s + t.points, 0);
    assert.ok(Math.abs(sum - ex.points) < 1e-9, `${ex.id}: ${sum} vs ${ex.points}`);
    for (const t of plan.tests) {
      const got = t.calls.map((args) =>
        JSON.parse(
          JSON.stringify(ex.run(answers[ex.id] as never, ...(structuredClone(args) as unknown[]))),
        )
      );
      if (t.judge) t.judge(got, t.calls, t.expected);
      else {assert.deepEqual(
          got,
          JSON.parse(JSON.stringify(t.want ?? t.expected)),
          `${ex.id}: ${t.name}`,
        );}
    }
  }
});
