/**
 * Exercises, the in-notebook check, practice problems, release and the
 * grader's pure parts: checked on small cases, without processes.
 */
import assert from "node:assert/strict";
import fc from "../_fc.ts";
import {
  asData,
  check,
  decodeValue,
  defineExercise,
  emptyChildReport,
  encodeValue,
  exerciseCells,
  getExercise,
  gradingPlan,
  isSetupCell,
  judgeJob,
  listExercises,
  parseNotebook,
  planSubmission,
  practice,
  readChildLine,
  registerExercises,
  releaseNotebook,
  stubSolutions,
} from "memgarden";

const REPO = new URL("../../", import.meta.url).pathname;
const welcomeText = Deno.readTextFileSync(`${REPO}notebooks/00-welcome.ipynb`);

const one = { name: "is 1", fn: (n: number) => assert.equal(n, 1) };
const base = { id: "test-one", title: "One", lesson: "99-test", points: 2, expects: "one" };

Deno.test("defineExercise: bad definitions name the field, the rule and the value", () => {
  assert.throws(
    () => defineExercise({ ...base, tests: [] }),
    /"test-one": .*an exercise needs at least one test\n\s*→ at tests/,
  );
  assert.throws(
    () => defineExercise({ ...base, tests: [one, one] }),
    /test names must be unique: "is 1" appears twice/,
  );
  assert.throws(
    () => defineExercise({ ...base, tests: [{ ...one, points: 1 }] }),
    /points[\s\S]*received 2, tests sum to 1/,
  );
  assert.throws(
    () => defineExercise({ ...base, tests: [{ ...one, points: 2 }, { ...one, name: "b" }] }),
    /every test or to none/,
  );
  assert.throws(() => defineExercise({ ...base, expects: "not a name", tests: [one] }), /expects/);
  assert.throws(() => defineExercise({ ...base, lesson: "welcome", tests: [one] }), /lesson/);
});

Deno.test("registry: ids are unique, lookups name the unknown id", () => {
  const ex = defineExercise({ ...base, tests: [one] });
  registerExercises(ex);
  registerExercises(ex); // the same exercise again is harmless
  assert.throws(
    () => registerExercises(defineExercise({ ...base, tests: [one] })),
    /id must be unique: received test-one/,
  );
  assert.throws(
    () => getExercise("nope"),
    /no exercise has id nope: known ids are .*welcome-page-count/,
  );
  assert.deepEqual(
    listExercises("00-welcome").filter((e) => e.id.startsWith("welcome-")).map((e) => e.id),
    ["welcome-page-count", "welcome-page-of", "welcome-align-up"],
  );
});

Deno.test("check: right, wrong, missing, not implemented, renamed", async () => {
  const right = await check("welcome-page-of", (a: number, p: number) => ({
    page: Math.floor(a / p),
    offset: a % p,
  }));
  assert.equal(right.passed, true);
  assert.equal(right.score, 4);

  // The 32-bit trap: correct below 4 GiB, wrong above.
  const bitwise = await check(
    "welcome-page-of",
    (a: number) => ({ page: a >> 12, offset: a & 0xfff }),
  );
  assert.equal(bitwise.score, 2, JSON.stringify(bitwise.tests));
  const failed = bitwise.tests.filter((t) => !t.passed).map((t) => t.name);
  assert.ok(failed.some((n) => /above 4 GiB/.test(n)), failed.join());
  assert.ok(bitwise.tests.every((t) => t.passed || /expected .*, received /.test(t.message)));

  const stub = await check("welcome-align-up", () => {
    throw new Error("not implemented yet: welcome-align-up");
  });
  assert.equal(stub.score, 0);
  assert.ok(
    stub.tests.every((t) =>
      /^not implemented yet: welcome-align-up: write your solution/.test(t.message)
    ),
  );
  const text = (stub as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.match(text["text/plain"], /0\/3 points/);
  assert.match(text["text/html"], /not implemented yet/);

  const missing = await check("welcome-page-count", undefined);
  assert.match(
    missing.tests[0].message,
    /pageCount is not defined: the cell tagged exercise:welcome-page-count must define pageCount/,
  );

  const odd = await check("welcome-page-count", () => {
    throw "a string";
  });
  assert.match(odd.tests[0].message, /threw a non-error value: a string/);
  await assert.rejects(
    () => check("no-such-exercise", () => 1),
    /no exercise has id no-such-exercise/,
  );
});

Deno.test("check: a time limit per test stops awaiting answers and flags slow synchronous ones", async () => {
  registerExercises(defineExercise<() => Promise<number>>({
    id: "test-async",
    title: "Async",
    lesson: "99-test",
    points: 1,
    expects: "answer",
    tests: [{ name: "resolves to 1", fn: async (f) => assert.equal(await f(), 1) }],
  }));
  const never = await check("test-async", () => new Promise(() => {}), { timeLimitMs: 30 });
  assert.equal(never.score, 0);
  assert.match(never.tests[0].message, /time limit exceeded: the test took over 30 ms/);
  const slow = await check("welcome-page-count", (n: number, p = 4096) => {
    const until = performance.now() + 40;
    while (performance.now() < until) { /* busy */ }
    return Math.ceil(n / p);
  }, { timeLimitMs: 20 });
  assert.equal(slow.score, 0);
  assert.match(slow.tests[0].message, /time limit exceeded: the test took \d+ ms, over 20 ms/);
});

Deno.test("practice: same seed same problem, answers only on request and consistent with the question", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (seed) => {
      const p = practice("welcome-addresses", { seed });
      const again = practice("welcome-addresses", { seed, answers: true });
      assert.equal(p.question, again.question);
      assert.equal(p.answers, null);
      assert.deepEqual(p.reveal().answers, again.answers);
      const view = (x: object) =>
        (x as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();
      assert.match(view(p)["text/plain"], /Answers hidden/);
      assert.ok(!view(p)["text/html"].includes(again.answers![0]));
      assert.ok(view(again)["text/html"].includes(again.answers![0].replace("×", "×")));
      // Recompute every answer from the question's own numbers.
      const pageBytes = Number(/\((\d+) = 0x/.exec(p.question)![1]);
      const addresses = [...p.question.matchAll(/of address (0x[0-9a-f]+)/g)].map((m) =>
        Number(m[1])
      );
      addresses.forEach((a, i) => {
        const expected = `page 0x${Math.floor(a / pageBytes).toString(16)}, offset 0x${
          (a % pageBytes).toString(16)
        }`;
        assert.ok(again.answers![i].startsWith(expected), `${again.answers![i]} vs ${expected}`);
      });
      const size = Number(/buffer of (\d+) bytes/.exec(p.question)![1]);
      assert.ok(again.answers![3].startsWith(`${Math.ceil(size / pageBytes)} pages`));
      const [, addr, align] = /Align address (\d+) up to a multiple of (\d+)/.exec(p.question)!.map(
        Number,
      );
      assert.ok(again.answers![4].startsWith(`${Math.ceil(addr / align) * align} `));
    }),
    { numRuns: 200 },
  );
  const questions = new Set(
    [1, 2, 3, 4, 5].map((seed) => practice("welcome-addresses", { seed }).question),
  );
  assert.equal(questions.size, 5, "different seeds give different problems");
  assert.throws(
    () => practice("welcome-addresses", { seed: 1.5 }),
    /seed[\s\S]*must be an integer/,
  );
  assert.throws(() => practice("nope", { seed: 1 }), /no generator has id nope/);
});

const SRC = [
  "function f(a: number): number {",
  "  const x = a;",
  "  // BEGIN SOLUTION",
  "  return x + 1;",
  "  // END SOLUTION",
  "}",
  "function g(): number {",
  "    // BEGIN SOLUTION",
  "    return 2;",
  "    // END SOLUTION",
  "}",
].join("\n");

Deno.test("stubSolutions: every block becomes an indented stub, the rest is kept", () => {
  assert.equal(
    stubSolutions(SRC, "demo", "x.ipynb, cell 1"),
    [
      "function f(a: number): number {",
      "  const x = a;",
      "  // Write your answer here, then run the check cell below.",
      '  throw new Error("not implemented yet: demo");',
      "}",
      "function g(): number {",
      "    // Write your answer here, then run the check cell below.",
      '    throw new Error("not implemented yet: demo");',
      "}",
    ].join("\n"),
  );
  assert.throws(
    () => stubSolutions("// BEGIN SOLUTION\nx", "demo", "x.ipynb, cell 1"),
    /x\.ipynb, cell 1 \(exercise:demo\): line 1: \/\/ BEGIN SOLUTION is never closed/,
  );
  assert.throws(
    () => stubSolutions("x\n// END SOLUTION", "demo", "x.ipynb, cell 1"),
    /line 2: \/\/ END SOLUTION without a \/\/ BEGIN SOLUTION/,
  );
  assert.throws(
    () => stubSolutions("// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION", "d", "x"),
    /line 2: \/\/ BEGIN SOLUTION inside an open solution block begun at line 1/,
  );
});

function editCell(text: string, id: string, edit: (cell: Record<string, unknown>) => void): string {
  const nb = JSON.parse(text);
  const cell = nb.cells.find((c: { id?: string }) => c.id === id);
  assert.ok(cell, `no cell ${id}`);
  edit(cell);
  return JSON.stringify(nb);
}

Deno.test("releaseNotebook: stubs, cleared outputs, everything else intact, repeatable", () => {
  const executed = editCell(welcomeText, "exercise-1-check", (c) => {
    c.outputs = [{ output_type: "stream", name: "stdout", text: ["hi\n"] }];
    c.execution_count = 9;
  });
  const released = releaseNotebook(executed, "00-welcome.ipynb");
  assert.equal(releaseNotebook(executed, "00-welcome.ipynb"), released);
  assert.equal(released, releaseNotebook(welcomeText, "00-welcome.ipynb"));
  const source = parseNotebook(welcomeText, "source");
  // The instructor-only note is left out; every other cell keeps its place.
  const notes = source.cells.filter((c) => (c.metadata?.tags ?? []).includes("instructor-only"));
  assert.equal(notes.length, 1, "the welcome lesson has its instructor-only note");
  const before = { ...source, cells: source.cells.filter((c) => !notes.includes(c)) };
  const after = parseNotebook(released, "released");
  assert.equal(after.cells.length, before.cells.length);
  assert.ok(!released.includes("Instructor's copy"));
  const exerciseIndexes = new Set(exerciseCells(before).map((c) => c.index));
  assert.equal(exerciseIndexes.size, 3);
  after.cells.forEach((cell, i) => {
    if (exerciseIndexes.has(i)) {
      assert.doesNotMatch(String(cell.source), /SOLUTION|Math\.(ceil|floor)/);
      assert.match(JSON.stringify(cell.source), /not implemented yet: welcome-/);
    } else {
      assert.deepEqual(cell, before.cells[i], `cell ${i} must be unchanged`);
    }
    if (cell.cell_type === "code") {
      assert.deepEqual(cell.outputs, []);
      assert.equal(cell.execution_count, null);
    }
  });
  assert.deepEqual(after.metadata, before.metadata);
});

Deno.test("releaseNotebook: a broken source names the notebook, the cell and the exercise", () => {
  const noMarkers = editCell(welcomeText, "exercise-2", (c) => {
    c.source = [
      "function pageOf(a: number, p: number) {\n",
      "  return { page: 0, offset: 0 };\n",
      "}",
    ];
  });
  assert.throws(
    () => releaseNotebook(noMarkers, "00-welcome.ipynb"),
    /Cannot release 00-welcome\.ipynb, cell \d+ \(id exercise-2\) \(exercise:welcome-page-of\): .*no \/\/ BEGIN SOLUTION found/,
  );
  const untagged = editCell(welcomeText, "exercise-2", (c) => {
    c.metadata = {};
  });
  assert.throws(
    () => releaseNotebook(untagged, "00-welcome.ipynb"),
    /id exercise-2\): it has solution markers but no exercise:<id> tag/,
  );
  const unknown = editCell(welcomeText, "exercise-2", (c) => {
    c.metadata = { tags: ["exercise:no-such-id"] };
  });
  assert.throws(
    () => releaseNotebook(unknown, "00-welcome.ipynb"),
    /id exercise-2\): .*no exercise has id no-such-id/,
  );
  assert.throws(() => releaseNotebook("{", "bad.ipynb"), /bad\.ipynb: invalid JSON/);
});

Deno.test("planSubmission: set-up imports, the expected name, missing cells, unknown lessons", () => {
  const plan = planSubmission(welcomeText, "whatever.ipynb");
  assert.equal(plan.message, "");
  assert.deepEqual(plan.jobs.map((j) => j.exercise.id), [
    "welcome-page-count",
    "welcome-page-of",
    "welcome-align-up",
  ]);
  const code = plan.jobs[0].studentModule!;
  assert.match(code, /^import \{\n(\s+\w+,\n)*\s+check,/m, "the set-up cell is included");
  assert.doesNotMatch(code, /machineFacts\(\)/, "cells that run things are not included");
  assert.match(code, /function pageCount\(/);
  assert.match(code, /export const __memgardenAnswer = typeof pageCount === "undefined"/);
  assert.equal(
    code.split("\n")[plan.jobs[0].cellFirstLine - 1],
    "function pageCount(sizeBytes: number, pageBytes = 4096): number {",
  );

  const noCell = planSubmission(
    editCell(welcomeText, "exercise-2", (c) => {
      c.metadata = {};
    }),
    "x.ipynb",
  );
  assert.equal(noCell.jobs[1].studentModule, null);
  assert.match(noCell.jobs[1].message, /no code cell tagged exercise:welcome-page-of/);

  const nothing = planSubmission(
    '{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[]}',
    "empty.ipynb",
  );
  assert.equal(nothing.jobs.length, 0);
  assert.match(
    nothing.message,
    /empty\.ipynb: no exercises found: expected code cells tagged exercise:<id>/,
  );
  const forced = planSubmission('{"nbformat":3}', "old.ipynb", ["00-welcome"]);
  assert.equal(forced.jobs.length, 3);
  assert.match(forced.jobs[0].message, /not graded: Cannot read old\.ipynb/);
});

Deno.test("judging: answers are data, points come from the grader's plan, never above the maximum", () => {
  const ex = getExercise("welcome-align-up");
  const plan = gradingPlan(ex);
  const calls = plan.tests.flatMap((t) => t.calls);
  const reference = (a: number, n: number) => Math.ceil(a / n) * n;
  const full = emptyChildReport();
  calls.forEach((args, i) => full.answers.set(i, { ok: reference(...(args as [number, number])) }));
  const all = judgeJob(ex, plan, full, "");
  assert.equal(all.score, all.maxScore);
  assert.equal(all.maxScore, ex.points);

  // Forged, out-of-range, duplicate and truncated lines change nothing the grader counts.
  const forged = emptyChildReport();
  for (
    const text of [
      '{"i":0,"ok":16}',
      '{"i":0,"ok":999}', // a second answer to the same call is ignored
      `{"i":${calls.length},"ok":1}`,
      '{"i":-1,"ok":1}',
      '{"name":"x","passed":true,"points":1000}',
      '{"score":1000}',
      '{"i":1,"ok":',
    ]
  ) {
    readChildLine(forged, text, calls.length);
  }
  assert.equal(forged.answers.size, 1);
  const some = judgeJob(ex, plan, forged, "stopped");
  assert.ok(some.score < some.maxScore);
  assert.equal(some.message, "stopped");
  assert.ok(some.tests.every((t) => t.points <= t.maxPoints));

  // A call that threw fails its test with the error; "not implemented yet" says where to write.
  const stub = emptyChildReport();
  calls.forEach((_, i) =>
    stub.answers.set(i, { error: "Error: not implemented yet: welcome-align-up" })
  );
  const g = judgeJob(ex, plan, stub, "");
  assert.equal(g.score, 0);
  assert.match(g.tests[0].message, /^not implemented yet: welcome-align-up: write your solution/);

  const missing = emptyChildReport();
  missing.missing = true;
  assert.match(judgeJob(ex, plan, missing, "").tests[0].message, /alignUp is not defined/);
});

Deno.test("wire: every value round-trips, and decoding never builds anything but plain data", () => {
  fc.assert(
    fc.property(
      fc.jsonValue(),
      fc.constantFrom(NaN, -0, Infinity, -Infinity, undefined, 5n),
      (v, odd) => {
        const value = [v, odd, { $tag: v }];
        assert.deepEqual(decodeValue(JSON.parse(JSON.stringify(encodeValue(value)))), value);
      },
    ),
  );
  const evil = decodeValue(JSON.parse('{"__proto__":{"polluted":1},"constructor":{"$num":"NaN"}}'));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(evil), Object.prototype);
  assert.deepEqual(asData(new Map()), { $unsupported: "an instance of Map" });
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.deepEqual(asData(cyclic), [{ $unsupported: "a cycle" }]);
});

Deno.test("isSetupCell: imports only, linear on a megabyte of import lines", () => {
  assert.equal(isSetupCell('import { a } from "memgarden";\n// note\nimport "./x.ts";'), true);
  assert.equal(isSetupCell('import s from "/etc/hostname" with { type: "text" };'), true);
  assert.equal(isSetupCell('import { a } from "memgarden";\nconsole.log(a);'), false);
  assert.equal(isSetupCell('const m = await import("memgarden");'), false);
  assert.equal(isSetupCell("// only a comment"), false);
  // The old regular expression took 21 s on this; a linear scan takes milliseconds. Compared
  // with a tenth of the input, the time must grow about tenfold, not a hundredfold.
  const line = "import { aaaaaaaa, bbbbbbbbb } ";
  const time = (n: number) => {
    const text = line.repeat(n);
    let best = Infinity;
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      isSetupCell(text);
      best = Math.min(best, performance.now() - t);
    }
    return best;
  };
  const small = time(30_000);
  const large = time(300_000);
  assert.ok(large < 30 * Math.max(small, 0.05), `${small} ms then ${large} ms`);
  // The whole plan of a submission whose set-up cell is a megabyte of imports, end to end.
  const plan = (lines: number) => {
    const nb = JSON.parse(welcomeText);
    nb.cells.unshift({
      cell_type: "code",
      metadata: {},
      outputs: [],
      execution_count: null,
      source: 'import { check } from "memgarden";\n'.repeat(lines),
    });
    const text = JSON.stringify(nb);
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      planSubmission(text, "big-00-welcome.ipynb");
      best = Math.min(best, performance.now() - t);
    }
    return best;
  };
  const tenth = plan(3_000);
  const whole = plan(30_000); // about 1 MB
  assert.ok(whole < 30 * Math.max(tenth, 0.5), `${tenth} ms then ${whole} ms`);
});

Deno.test("hidden tests: every exercise of the four converted lessons has them, worth its points", async () => {
  await import("memgarden/exercise/hidden/mod.ts");
  for (
    const lesson of [
      "00-welcome",
      "01-memory-hierarchy",
      "02-virtual-memory",
      "07-page-faults-and-swapping",
    ]
  ) {
    for (const ex of listExercises(lesson)) {
      const plan = gradingPlan(ex);
      assert.equal(plan.source, "hidden", ex.id);
      const sum = plan.tests.reduce((s, t) => s + t.points, 0);
      assert.ok(Math.abs(sum - ex.points) < 1e-9, `${ex.id}: ${sum} vs ${ex.points}`);
      const calls = (tests: readonly { calls?: readonly unknown[] }[]) =>
        tests.reduce((n, t) => n + (t.calls?.length ?? 0), 0);
      assert.ok(
        calls(plan.tests) >= calls(ex.tests),
        `${ex.id}: the grade covers the visible cases`,
      );
      assert.ok(ex.tests.every((t) => t.calls !== undefined), `${ex.id} is in the new format`);
    }
  }
});
