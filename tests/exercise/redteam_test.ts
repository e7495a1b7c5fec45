/**
 * The grader against a clever student, beyond `attack_test.ts` (which covers
 * tampering with the library, assert and JSON, forged lines under a wrong
 * marker, an early exit, reading files, odd names and huge files):
 *
 * - answers that carry no knowledge (NaN, null, empty arrays, ...) never
 *   pass a test with points: found `tools-cpu-share` (NaN passed a hidden
 *   test worth 2 points), `leaks-lru` and `design-encode-into` (an empty or
 *   shortened list of results passed, which a student gets by patching
 *   `Array.prototype.map` in its own process, where the bank's `run` runs);
 * - `safety-fix-borrow` kept "the program's meaning" by a regular expression
 *   on its text, so `// x.push(4);` in a comment scored 4/4, and deleting the
 *   push scored 3/4: now read from the parsed program, and required for the
 *   checker's points;
 * - a notebook that adds another lesson's exercises (or names two lessons)
 *   to raise its share of points is not graded without `--lesson`;
 * - forged result lines under the real marker (stolen by patching
 *   `TextEncoder.prototype.encode`) are only answers, judged as such;
 * - a huge wrong answer is judged in linear time (node:assert's diff was
 *   quadratic: one answer could hold the grader for hours), and a judge's
 *   own message is no longer followed by a diff that showed the answer;
 * - printing "out of memory" to stderr and exiting is reported as an exit;
 * - lying objects (Proxies, getters, `toJSON`, `valueOf`, polluted
 *   prototypes), lying clocks, floods of unterminated output, and every
 *   door out of the sandbox (network, processes, FFI, imports, writes,
 *   directory listings, the environment; a Worker cannot even start, which
 *   was reported as "out of memory" and now says so);
 * - symbolic links among the submissions, names that collide, and names or
 *   error messages with line breaks or terminal escapes that forged rows of
 *   the score table (now shown as `\uXXXX`).
 *
 * One sandboxed grading run serves every end-to-end case; each hostile
 * notebook keeps only the one exercise cell it attacks, so each costs one
 * child process.
 */
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import {
  asData,
  emptyChildReport,
  encodeValue,
  getExercise,
  getHiddenTests,
  gradingPlan,
  judgeJob,
  judgeResults,
  listExercises,
  planSubmission,
  runExerciseTests,
  scoreTable,
  type SubmissionGrade,
} from "memgarden";
import "memgarden/exercise/hidden/mod.ts";
import { collectSubmissions, gradeSubmissions, writeReports } from "../../tools/grade.ts";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const NOTEBOOKS = `${REPO}/notebooks`;

interface Cell {
  id: string;
  cell_type: string;
  source: string | string[];
  metadata: { tags?: string[] };
}

/** A lesson notebook with only one exercise cell left, its source replaced. */
function single(lesson: string, exerciseId: string, source: string): string {
  const nb = JSON.parse(Deno.readTextFileSync(`${NOTEBOOKS}/${lesson}.ipynb`));
  const isExercise = (c: Cell) => (c.metadata.tags ?? []).some((t) => t.startsWith("exercise:"));
  nb.cells = nb.cells.filter((c: Cell) =>
    !isExercise(c) || (c.metadata.tags ?? []).includes(`exercise:${exerciseId}`)
  );
  const cell = nb.cells.find((c: Cell) => isExercise(c));
  assert.ok(cell, `${lesson} has a cell tagged exercise:${exerciseId}`);
  cell.source = source;
  return JSON.stringify(nb, null, 1);
}

/** The cell tagged `exercise:<id>` in a source lesson. */
function sourceCell(lesson: string, exerciseId: string): Cell {
  const nb = JSON.parse(Deno.readTextFileSync(`${NOTEBOOKS}/${lesson}.ipynb`));
  const cell = nb.cells.find((c: Cell) =>
    (c.metadata.tags ?? []).includes(`exercise:${exerciseId}`)
  );
  assert.ok(cell, exerciseId);
  return cell;
}

function byId(grade: SubmissionGrade, id: string) {
  const e = grade.exercises.find((x) => x.id === id);
  assert.ok(e, `${grade.name} has no grade for ${id}`);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Answers that need no knowledge of the right one, for every test of every exercise.

const mapLeaves = (v: unknown, f: (x: unknown) => unknown): unknown =>
  Array.isArray(v)
    ? v.map((x) => mapLeaves(x, f))
    : v !== null && typeof v === "object"
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapLeaves(x, f)]))
    : f(v);
const mapArrays = (v: unknown, f: (a: unknown[]) => unknown[]): unknown =>
  Array.isArray(v)
    ? f(v.map((x) => mapArrays(x, f)))
    : v !== null && typeof v === "object"
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapArrays(x, f)]))
    : v;

/** Junk built from the right answer's shape only (what a student knows from the prompt). */
function junk(right: unknown): [string, unknown][] {
  return [
    ["NaN", NaN],
    ["null", null],
    ["undefined", undefined],
    ["[]", []],
    ["{}", {}],
    ['""', ""],
    ["0", 0],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ["true", true],
    ["every number NaN", mapLeaves(right, (x) => typeof x === "number" ? NaN : x)],
    ["every number Infinity", mapLeaves(right, (x) => typeof x === "number" ? Infinity : x)],
    ["every leaf null", mapLeaves(right, () => null)],
    ["every leaf undefined", mapLeaves(right, () => undefined)],
    ["every string empty", mapLeaves(right, (x) => typeof x === "string" ? "" : x)],
    ["every array empty", mapArrays(right, () => [])],
    ["every array halved", mapArrays(right, (a) => a.slice(0, Math.floor(a.length / 2)))],
  ];
}

Deno.test("judges: no answer built without knowing the right one (NaN, null, empty or halved lists...) passes a test with points, and judging changes no shared plan", () => {
  const holes: string[] = [];
  let judged = 0;
  // The plans are shared by every submission of a run: no judging may change them.
  const snapshot = () =>
    JSON.stringify(encodeValue(
      listExercises().map((ex) => [
        gradingPlan(ex).tests.map((t) => [t.calls, t.expected, t.want]),
        ex.tests.map((t) => [t.calls, t.want]),
      ]),
    ));
  const before = snapshot();
  for (const ex of listExercises()) {
    const hidden = getHiddenTests(ex.id);
    assert.ok(hidden, `${ex.id} has hidden tests`);
    const tests = [
      ...gradingPlan(ex).tests.map((t) => ({ ...t, kind: "hidden" })),
      ...ex.tests.filter((t) => t.calls).map((t) => ({ ...t, calls: t.calls!, kind: "visible" })),
    ];
    for (const t of tests) {
      if (t.points === 0) continue;
      const right = t.kind === "hidden" && "expected" in t && t.expected ? t.expected : t.want ??
        t.calls.map((c) => asData(ex.run(hidden.reference, ...(asData(c) as unknown[]))));
      const kinds = new Map<string, unknown[]>();
      t.calls.forEach((_, i) => {
        for (const [kind, value] of junk(right[i])) {
          kinds.set(kind, [...(kinds.get(kind) ?? []), value]);
        }
      });
      for (const [kind, answers] of kinds) {
        const results = asData(answers) as unknown[]; // as the grader decodes them
        if (isDeepStrictEqual(results, right)) continue; // the junk happens to be right
        judged++;
        try {
          judgeResults(t, results, t.kind === "hidden" && "expected" in t ? t.expected : undefined);
          holes.push(`${t.kind} ${ex.id} "${t.name}" (${t.points} points): ${kind}`);
        } catch {
          // rejected, as it should be
        }
      }
    }
  }
  assert.ok(judged > 500, `judged ${judged} junk answers`);
  assert.deepEqual(holes, [], "junk that passed");
  assert.ok(snapshot() === before, "judging junk changed the calls or expected results");
});

Deno.test("judging: a huge wrong answer fails in linear time, not after a diff quadratic in its size", () => {
  // Before judge_assert.ts, node:assert built a line diff of the two values even with a message:
  // 20,000 strings where 50,000 ids were expected, or 4,000 records where 200 were, held the
  // grader (and every submission after it) for minutes to hours in one comparison.
  const cases: [string, () => unknown][] = [
    ["gc-implement-mark", () => Array.from({ length: 20_000 }, (_, i) => `x${i}`)],
    ["design-encode-into", () => ({
      sameBuffer: true,
      bytes: Array.from({ length: 4000 }, (_, i) => [i, 1, 2, 3, 4, 5, 6, 7]),
    })],
    ["leaks-lru", () => Array.from({ length: 20_000 }, (_, i) => `v${i}`)],
    ["welcome-page-count", () => "line\n".repeat(100_000)],
  ];
  for (const [id, answer] of cases) {
    const ex = getExercise(id);
    const plan = gradingPlan(ex);
    const report = emptyChildReport();
    let i = 0;
    for (const t of plan.tests) {
      for (const _ of t.calls) report.answers.set(i++, { ok: answer() });
    }
    const started = performance.now();
    const grade = judgeJob(ex, plan, report, "");
    const seconds = (performance.now() - started) / 1000;
    assert.equal(grade.score, 0, id);
    assert.ok(grade.tests.every((t) => t.message.length > 0 && t.message.length < 2000), id);
    assert.ok(seconds < 20, `${id}: judged in ${seconds.toFixed(1)} s`);
  }
});

Deno.test("judging: every bank and hidden test judges through judge_assert.ts, never node:assert directly", () => {
  const dirs = [`${REPO}/lib/exercise/bank`, `${REPO}/lib/exercise/hidden`];
  const files = dirs.flatMap((d) => [...Deno.readDirSync(d)].map((e) => `${d}/${e.name}`))
    .concat(`${REPO}/lib/exercise/exercise.ts`);
  for (const f of files.filter((f) => f.endsWith(".ts"))) {
    const code = Deno.readTextFileSync(f).split("\n").filter((l) => !/^\s*(\*|\/\/)/.test(l));
    assert.ok(
      !code.some((l) => /from "node:assert/.test(l)),
      `${f} imports node:assert: import assert from "../judge_assert.ts" instead`,
    );
  }
});

Deno.test("judging: safety-fix-borrow's 'keeps the meaning' reads the program, not its text: a statement in a comment or a dead branch does not count", () => {
  const ex = getExercise("safety-fix-borrow");
  const plan = gradingPlan(ex);
  const grade = (program: string) => {
    const report = emptyChildReport();
    let i = 0;
    for (const t of plan.tests) for (const _ of t.calls) report.answers.set(i++, { ok: program });
    return judgeJob(ex, plan, report, "");
  };
  const meaning = (program: string) =>
    grade(program).tests.find((t) => /pushes 4 onto x and prints y/.test(t.name))!;
  const head = "fn main() {\n    let mut x = vec![1, 2, 3];\n    let y = &x;\n";
  // Before: the first four kept "the meaning" (a regular expression on the text) and scored 4/4;
  // the last, the push deleted, scored 3/4 (a valid program that the checker accepts).
  const cheats = [
    `${head}    println!("{:?}", y);\n}\n`,
    `${head}    println!("{:?}", y);\n    // x.push(4);\n}\n`,
    `${head}    println!("{:?}", y);\n}\n// x.push(4);\n`,
    `${head}    println!("{:?}", y);\n    if false {\n        x.push(4);\n    }\n}\n`,
    `${head}    /* println!("{:?}", y); */\n    x.push(4);\n}\n`,
  ];
  for (const cheat of cheats) {
    const t = meaning(cheat);
    assert.equal(t.passed, false, cheat);
    assert.match(t.message, /must still (call x\.push\(4\)|print y)/);
    assert.ok(grade(cheat).score <= 1, `${cheat}: only "a program of the subset" may pass`);
  }
  // Honest fixes keep full marks: printing first, or ending the borrow in a block.
  for (
    const fix of [
      `${head}    println!("{:?}", y);\n    x.push(4);\n}\n`,
      `fn main() {\n    let mut x = vec![1, 2, 3];\n    {\n        let y = &x;\n        println!("{:?}", y);\n    }\n    x.push(4);\n}\n`,
    ]
  ) {
    const g = grade(fix);
    assert.equal(g.score, g.maxScore, JSON.stringify(g.tests));
  }
});

Deno.test("checks: a judge's own message is not followed by a diff that gives the answer away", async () => {
  // gc-rc-leak's judge says "list every object a cycle keeps alive, and only those"; Deno's
  // node:assert appended a diff listing the expected objects, and the hidden test asks the same.
  const ex = getExercise("gc-rc-leak");
  const right = asData(ex.run(getHiddenTests(ex.id)!.reference)) as string[];
  assert.ok(right.length > 0);
  for (const o of await runExerciseTests(ex, () => ["x"])) {
    assert.equal(o.passed, false);
    assert.doesNotMatch(o.message, /actual - expected/);
    for (const id of right) assert.ok(!o.message.includes(`'${id}'`), o.message);
  }
});

// ---------------------------------------------------------------------------------------------
// Planning: one lesson per notebook.

Deno.test("planning: a notebook naming two lessons is not graded without --lesson (with it, the other lesson's cells are ignored); outputs, markdown cells and deep JSON fool nothing", () => {
  const welcome = Deno.readTextFileSync(`${NOTEBOOKS}/00-welcome.ipynb`);
  const nb = JSON.parse(welcome);
  nb.cells.push(sourceCell("09-debugging-tools", "tools-cpu-share"));
  const padded = JSON.stringify(nb);

  const refused = planSubmission(padded, "alice-00-welcome.ipynb");
  assert.match(
    refused.message,
    /names several lessons \(00-welcome, 09-debugging-tools\) .*grade it with --lesson/,
  );
  assert.ok(refused.jobs.length > 3 && refused.jobs.every((j) => j.studentModule === null));
  assert.ok(refused.jobs.every((j) => /^not graded: .*several lessons/.test(j.message)));

  const forced = planSubmission(padded, "alice-00-welcome.ipynb", ["00-welcome"]);
  assert.equal(forced.message, "");
  assert.deepEqual(forced.jobs.map((j) => j.exercise.lesson), Array(3).fill("00-welcome"));

  // The file name is evidence too: a second lesson in the name is refused the same way.
  const named = planSubmission(welcome, "bob-00-welcome-09-debugging-tools.ipynb");
  assert.match(named.message, /names several lessons \(00-welcome, 09-debugging-tools\)/);
  // And a check call in a markdown cell counts (a lesson never mentions another's checks).
  const md = JSON.parse(welcome);
  md.cells.push({
    cell_type: "markdown",
    id: "x",
    metadata: {},
    source: 'await check("tools-cpu-share", cpuShare)',
  });
  assert.match(
    planSubmission(JSON.stringify(md), "carol.ipynb").message,
    /names several lessons/,
  );
  // Outputs pre-filled with a pass are never read; an exercise tag on a markdown or raw cell
  // holding code does not make it an answer; JSON nested millions deep is a message, not a crash.
  const filled = JSON.parse(welcome);
  const cell = filled.cells.find((c: Cell) =>
    (c.metadata.tags ?? []).includes("exercise:welcome-page-of")
  );
  cell.source = "// forged\nconst pageOf = undefined;";
  cell.outputs = [{ output_type: "stream", name: "stdout", text: ["welcome-page-of 4/4 passed"] }];
  filled.cells.push({
    cell_type: "markdown",
    id: "md",
    metadata: { tags: ["exercise:welcome-align-up"] },
    source: "function alignUp(a: number, n: number) { return a; }",
  });
  filled.cells = filled.cells.filter((c: Cell) =>
    !(c.cell_type === "code" && (c.metadata.tags ?? []).includes("exercise:welcome-align-up"))
  );
  const filledPlan = planSubmission(JSON.stringify(filled), "dave-00-welcome.ipynb");
  const pageOf = filledPlan.jobs.find((j) => j.exercise.id === "welcome-page-of")!;
  assert.match(pageOf.studentModule!, /forged/);
  assert.doesNotMatch(pageOf.studentModule!, /passed/);
  const alignUp = filledPlan.jobs.find((j) => j.exercise.id === "welcome-align-up")!;
  assert.equal(alignUp.studentModule, null);
  assert.match(alignUp.message, /no code cell tagged exercise:welcome-align-up/);
  const deep = planSubmission("[".repeat(4_000_000), "erin-00-welcome.ipynb");
  assert.match(deep.message, /Cannot read erin-00-welcome\.ipynb: invalid JSON/);
  assert.ok(deep.jobs.length === 3 && deep.jobs.every((j) => j.studentModule === null));

  // Every lesson as it ships names exactly its own lesson.
  for (const f of Deno.readDirSync(NOTEBOOKS)) {
    if (!f.name.endsWith(".ipynb")) continue;
    const text = Deno.readTextFileSync(`${NOTEBOOKS}/${f.name}`);
    const plan = planSubmission(text, f.name);
    assert.doesNotMatch(plan.message, /several lessons/, f.name);
  }
});

Deno.test("score table: a file name or an error message with line breaks or escape sequences cannot forge or hide a row", () => {
  // A student names the file, and writes the message its code throws (the child keeps its first
  // line, with any carriage return or escape sequence in it).
  const name = "x\nmallory-00-welcome.ipynb  10/10  3/3  4/4  3/3\x1b[1A\r.ipynb";
  const message = "call threw Error: \x1b[2K\r\x1b[3Amallory  10/10\u2028\u0085x";
  const text = scoreTable([{
    name,
    path: name,
    sha256: "",
    score: 0,
    maxScore: 4,
    message: "",
    exercises: [{
      id: "welcome-page-of",
      title: "",
      score: 0,
      maxScore: 4,
      message: "",
      tests: [{ name: "t", passed: false, message, points: 0, maxPoints: 4 }],
    }],
  }]);
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
  const lines = text.trimEnd().split("\n");
  assert.equal(lines.length, 4, text); // the header, one row, a blank line, one note
  assert.ok(lines.every((l) => !l.startsWith("mallory")), text);
  assert.match(lines[1], /^x\\u000amallory.*\\u001b\[1A\\u000d\.ipynb\s+0\/4\s+0\/4$/);
});

// ---------------------------------------------------------------------------------------------
// Files: symbolic links and colliding names.

Deno.test("submissions: symbolic links (to a file, to the lessons, to a folder) are skipped; colliding names get separate results", async () => {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-redteam-files-" });
  try {
    const subs = `${dir}/subs`;
    await Deno.mkdir(`${subs}/a`, { recursive: true });
    await Deno.writeTextFile(`${dir}/canary.txt`, "secret");
    await Deno.symlink(`${dir}/canary.txt`, `${subs}/evil-00-welcome.ipynb`);
    await Deno.symlink(`${NOTEBOOKS}/00-welcome.ipynb`, `${subs}/solutions-00-welcome.ipynb`);
    await Deno.symlink(NOTEBOOKS, `${subs}/lessons`);
    const welcome = Deno.readTextFileSync(`${NOTEBOOKS}/00-welcome.ipynb`);
    for (const name of ["a/b.ipynb", "a_b.ipynb", "A_b.ipynb", "a_b-2.ipynb"]) {
      await Deno.writeTextFile(`${subs}/${name}`, welcome);
    }
    const found = await collectSubmissions([subs]);
    assert.deepEqual(found.map((f) => f.name).sort(), [
      "A_b.ipynb",
      "a/b.ipynb",
      "a_b-2.ipynb",
      "a_b.ipynb",
    ]);
    // Each gets its own results.json (told apart here by a distinct score).
    const grades: SubmissionGrade[] = found.map((f, i) => ({
      name: f.name,
      path: f.path,
      sha256: "",
      score: i,
      maxScore: 10,
      message: "",
      exercises: [],
    }));
    const files = await writeReports({
      grades,
      settings: { timeLimitMs: 1, heapMiB: 1, dataMiB: null, jobs: 1, sandbox: "test" },
      warning: "",
    }, `${dir}/out`);
    const results = files.filter((f) => f.endsWith("results.json"));
    assert.equal(new Set(results.map((f) => f.toLowerCase())).size, 4);
    assert.deepEqual(
      results.map((f) => JSON.parse(Deno.readTextFileSync(f)).score).sort(),
      [0, 1, 2, 3],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// End to end, in the sandbox.

const PATCH_MAP = (test: string) =>
  `const realMap = Array.prototype.map;\n(Array.prototype as any).map = function (this: unknown[], f: any, t?: unknown) {\n  return ${test} ? [] : realMap.call(this, f, t);\n};`;

/**
 * Probes of every door out of the sandbox: "D" when refused, "A" when it worked. (A Worker is
 * tried on its own: under the grader's `prlimit --data` V8 cannot reserve a new isolate's code
 * range, so `new Worker` ends the child, and the grader says so.)
 */
function escapeCell(dir: string, port: number): string {
  return `let probed: Promise<string> | undefined;
async function probe(): Promise<string> {
  const tries: (() => unknown)[] = [
    () => Deno.readTextFileSync(${JSON.stringify(`${dir}/canary.txt`)}),
    () => import(${JSON.stringify(dir)} + "/canary.txt", { with: { type: "text" } }),
    () => [...Deno.readDirSync("/tmp")],
    () => Deno.env.toObject(),
    () => Deno.writeTextFileSync(${JSON.stringify(`${dir}/written.txt`)}, "x"),
    () => Deno.writeTextFileSync("written.txt", "x"),
    () => fetch("http://127.0.0.1:${port}/"),
    () => Deno.connect({ hostname: "127.0.0.1", port: ${port} }),
    () => new Deno.Command("/bin/sh", { args: ["-c", "echo hi"] }).outputSync(),
    () => Deno.dlopen("libc.so.6", {}),
    () => import("http://127.0.0.1:${port}/x.ts"),
    () => import("npm:left-pad@1.3.0"),
  ];
  let out = "";
  for (const t of tries) {
    try {
      await t();
      out += "A";
    } catch {
      out += "D";
    }
  }
  return out;
}
async function pageCount(sizeBytes: number, pageBytes = 4096): Promise<any> {
  return await (probed ??= probe());
}`;
}

Deno.test("sandbox: junk answers, an extra lesson, stolen markers, a fake out-of-memory, lying objects and clocks, floods and escapes: no score rises, nothing leaks or is written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-redteam-" });
  const secret = `canary-${crypto.randomUUID()}`;
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    hits++;
    return new Response(`export default "${secret}";`);
  });
  try {
    await Deno.writeTextFile(`${dir}/canary.txt`, secret);
    const W = "00-welcome";
    const stubPageOf =
      "function pageOf(address: number, pageBytes: number): { page: number; offset: number } {\n  return { page: -1, offset: -1 };\n}";
    const submissions: Record<string, string> = {
      // Holes found: junk that passed a judge (each scored points before the fix).
      "nan-09-debugging-tools.ipynb": single(
        "09-debugging-tools",
        "tools-cpu-share",
        "function cpuShare(before: unknown, after: unknown, ticksPerSecond: number): number {\n  return NaN;\n}",
      ),
      "prefix-06-memory-leaks.ipynb": single(
        "06-memory-leaks",
        "leaks-lru",
        `${
          PATCH_MAP("this.length >= 100")
        }\nfunction createLru(capacity: number) {\n  return { get: (k: string) => undefined, set(k: string, v: unknown) {}, size: () => 0 };\n}`,
      ),
      "empty-10-efficient-design.ipynb": single(
        "10-efficient-design",
        "design-encode-into",
        `${
          PATCH_MAP("this.length === 4 && Array.isArray(this[0])")
        }\nfunction encodeInto(id: number, score: number, out: Uint8Array): Uint8Array {\n  return out;\n}`,
      ),
      // Another lesson's solved exercise added to raise the share of points.
      "multi-00-welcome.ipynb": (() => {
        const nb = JSON.parse(Deno.readTextFileSync(`${NOTEBOOKS}/${W}.ipynb`));
        nb.cells.push(sourceCell("09-debugging-tools", "tools-cpu-share"));
        return JSON.stringify(nb);
      })(),
      // The real marker, stolen from the child's own encoder: forged lines are only answers.
      "nonce-00-welcome.ipynb": single(
        W,
        "welcome-page-of",
        `${stubPageOf}
const realEncode = TextEncoder.prototype.encode;
let stolen = "";
TextEncoder.prototype.encode = function (this: TextEncoder, s?: string) {
  const m = /^\\n@@(\\w+) /.exec(s ?? "");
  if (m && !stolen) {
    stolen = m[1];
    const lines = [\`@@\${stolen} "ready"\`];
    for (let i = 0; i < 500; i++) {
      lines.push(\`@@\${stolen} {"i":\${i},"ok":{"page":-7,"offset":-7},"passed":true,"points":1000,"score":1000}\`);
    }
    lines.push(\`@@\${stolen} {"done":true,"score":1000}\`);
    Deno.stdout.writeSync(realEncode.call(this, "\\n" + lines.join("\\n") + "\\n"));
  }
  return realEncode.call(this, s);
};`,
      ),
      // "out of memory" printed to stderr, then a clean exit while loading.
      "oomspoof-00-welcome.ipynb": single(
        W,
        "welcome-align-up",
        'function alignUp(address: number, alignment: number): number {\n  return address;\n}\nconsole.error("<--- Last few GCs --->\\nFatal JavaScript out of memory: Reached heap limit");\nDeno.exit(0);',
      ),
      // Objects that try to equal anything, and polluted prototypes in the child.
      "liar-00-welcome.ipynb": single(
        W,
        "welcome-page-of",
        `const liar: any = new Proxy(function () {}, {
  get: (_t, k) => k === Symbol.toPrimitive ? () => 18 : k === "toJSON" ? () => ({ page: 18, offset: 837 }) : liar,
  has: () => true,
  ownKeys: () => ["page", "offset", "prototype"],
  getOwnPropertyDescriptor: (_t, k) => k === "prototype" ? Reflect.getOwnPropertyDescriptor(function () {}, "prototype") : ({ value: liar, enumerable: true, configurable: true }),
  getPrototypeOf: () => Object.prototype,
});
(Object.prototype as any).passed = true;
(Object.prototype as any).points = 1000;
Object.defineProperty(Object, Symbol.hasInstance, { value: () => true });
Number.isNaN = () => false;
Object.is = () => true;
function pageOf(address: number, pageBytes: number): any {
  return {
    get page() { return liar; },
    offset: NaN,
    valueOf: () => 18,
    [Symbol.toPrimitive]: () => 18,
    toJSON: () => ({ page: Math.floor(address / pageBytes), offset: address % pageBytes }),
  };
}`,
      ),
      // Lying clocks and timers do not stop the grader's CPU clock.
      "clock-00-welcome.ipynb": single(
        W,
        "welcome-align-up",
        `const lie = (f: () => void) => { try { f(); } catch { /* read-only */ } };
lie(() => { (performance as any).now = () => 0; });
lie(() => { Date.now = () => 0; });
lie(() => { (globalThis as any).setTimeout = () => 0; });
lie(() => { (globalThis as any).setInterval = () => 0; });
lie(() => { (globalThis as any).queueMicrotask = () => {}; });
lie(() => { (Deno as any).exit = () => {}; });
function alignUp(address: number, alignment: number): number {
  for (;;) { /* forever */ }
}`,
      ),
      // Megabytes of output with no line end, on stdout and stderr, around right answers.
      "flood-00-welcome.ipynb": single(
        W,
        "welcome-page-count",
        `let first = true;
function pageCount(sizeBytes: number, pageBytes = 4096): number {
  const size = first ? 3 << 20 : 10_000;
  first = false;
  Deno.stdout.writeSync(new TextEncoder().encode("@".repeat(size)));
  Deno.stderr.writeSync(new TextEncoder().encode("E".repeat(size)));
  return Math.ceil(sizeBytes / pageBytes);
}`,
      ),
      // A Worker that would read a file: it cannot even start in the grader's memory limit.
      "worker-00-welcome.ipynb": single(
        W,
        "welcome-page-of",
        `new Worker(URL.createObjectURL(new Blob([
  "postMessage(Deno.readTextFileSync(" + ${
          JSON.stringify(JSON.stringify(`${dir}/canary.txt`))
        } + "))",
], { type: "text/javascript" })), { type: "module" });
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000); // the worker starts meanwhile
${stubPageOf}`,
      ),
      // Every door out: files, the environment, network, processes, FFI, imports.
      "escape-00-welcome.ipynb": single(W, "welcome-page-count", escapeCell(dir, server.addr.port)),
    };
    const paths = [];
    for (const [name, text] of Object.entries(submissions)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
      paths.push({ path: `${dir}/${name}`, name });
    }
    const before = new Map(paths.map((p) => [p.path, Deno.readTextFileSync(p.path)]));
    const run = await gradeSubmissions(paths, { timeLimitMs: 2000, heapMiB: 128 });
    assert.equal(run.settings.sandbox, "bubblewrap");
    const g = Object.fromEntries(run.grades.map((x) => [x.name, x]));
    const all = JSON.stringify(run.grades);

    // Junk answers: no points from the tests they used to pass.
    const cpu = byId(g["nan-09-debugging-tools.ipynb"], "tools-cpu-share");
    assert.equal(cpu.score, 0, JSON.stringify(cpu.tests));
    assert.match(cpu.tests.at(-1)!.message, /expected [\d.]+: received null/); // NaN, as JSON
    const lru = byId(g["prefix-06-memory-leaks.ipynb"], "leaks-lru");
    assert.equal(lru.score, 0, JSON.stringify(lru.tests));
    assert.ok(lru.tests.some((t) => /one result per operation/.test(t.message)));
    const encode = byId(g["empty-10-efficient-design.ipynb"], "design-encode-into");
    assert.equal(encode.score, 0, JSON.stringify(encode.tests));
    assert.ok(encode.tests.some((t) => /one result per record/.test(t.message)));

    // Another lesson's exercise: not graded, said why.
    const multi = g["multi-00-welcome.ipynb"];
    assert.equal(multi.score, 0);
    assert.match(multi.message, /names several lessons \(00-welcome, 09-debugging-tools\)/);

    // Forged lines under the stolen marker were judged as the answers they carry.
    const nonce = byId(g["nonce-00-welcome.ipynb"], "welcome-page-of");
    assert.equal(nonce.score, 0);
    for (const t of nonce.tests) assert.match(t.message, /received \{"page":-7,"offset":-7\}/);
    const forged = emptyChildReport();
    for (let i = 0; i < 500; i++) forged.answers.set(i, { ok: { page: -7, offset: -7 } });
    const ex = getExercise("welcome-page-of");
    assert.deepEqual(nonce, judgeJob(ex, gradingPlan(ex), forged, ""));

    const spoof = byId(g["oomspoof-00-welcome.ipynb"], "welcome-align-up");
    assert.equal(spoof.score, 0);
    assert.match(spoof.message, /ended before answering every call \(exit code 0\).*Deno\.exit/);
    assert.doesNotMatch(spoof.message, /memory/);

    const liar = byId(g["liar-00-welcome.ipynb"], "welcome-page-of");
    assert.equal(liar.score, 0, JSON.stringify(liar.tests));

    const clock = byId(g["clock-00-welcome.ipynb"], "welcome-align-up");
    assert.equal(clock.score, 0);
    assert.match(
      clock.message,
      /time limit exceeded: the tests were stopped after 2 s of CPU time/,
    );

    const worker = byId(g["worker-00-welcome.ipynb"], "welcome-page-of");
    assert.equal(worker.score, 0);
    assert.match(worker.message, /a Worker could not start: .*must not create Workers/);

    const flood = byId(g["flood-00-welcome.ipynb"], "welcome-page-count");
    assert.equal(flood.score, flood.maxScore, JSON.stringify(flood.tests));

    const escape = byId(g["escape-00-welcome.ipynb"], "welcome-page-count");
    assert.equal(escape.score, 0);
    for (const t of escape.tests) assert.match(t.message, /received "D{12}"/, t.message);
    assert.equal(hits, 0, "the sandbox reached the grader's network");
    assert.ok(!all.includes(secret), "the canary leaked");
    assert.equal(await Deno.stat(`${dir}/written.txt`).catch(() => null), null);

    // Nothing above its maximum; the submissions are unchanged.
    for (const grade of run.grades) {
      assert.ok(grade.score <= grade.maxScore, grade.name);
      for (const e of grade.exercises) assert.ok(e.score <= e.maxScore, `${grade.name} ${e.id}`);
    }
    for (const [path, text] of before) assert.equal(Deno.readTextFileSync(path), text, path);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
