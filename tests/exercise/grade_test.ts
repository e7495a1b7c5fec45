/**
 * Release and grading end to end: real notebooks, real `deno test`
 * processes, fixture submissions made here from the source notebook, small
 * time limits so the suite stays quick.
 */
import assert from "node:assert/strict";
import { getExercise, gradingPlan, parseNotebook, type SubmissionGrade } from "memgarden";
import { collectSubmissions, gradeSubmissions, writeReports } from "../../tools/grade.ts";
import { lessonNotebooks, releaseNotebooks } from "../../tools/release.ts";
import { checkNotebook } from "../../tools/nbcheck.ts";

const REPO = new URL("../../", import.meta.url).pathname;
const SOURCE = `${REPO}notebooks/00-welcome.ipynb`;
const LIMITS = { timeLimitMs: 2000, heapMiB: 128, dataMiB: 1024 };

async function sha(path: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function withTemp(fn: (dir: string) => Promise<void>, inside?: string) {
  if (inside) await Deno.mkdir(inside, { recursive: true });
  const dir = await Deno.makeTempDir({ prefix: "memgarden-grade-test-", dir: inside });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The source notebook with one exercise cell's source replaced (or the cell removed). */
function variant(cellId: string, source: string | null): string {
  const nb = JSON.parse(Deno.readTextFileSync(SOURCE));
  const i = nb.cells.findIndex((c: { id: string }) => c.id === cellId);
  assert.ok(i >= 0, cellId);
  if (source === null) nb.cells.splice(i, 1);
  else nb.cells[i].source = source;
  return JSON.stringify(nb, null, 1);
}

function byId(grade: SubmissionGrade, id: string) {
  const e = grade.exercises.find((x) => x.id === id);
  assert.ok(e, `${grade.name} has no grade for ${id}`);
  return e;
}

Deno.test("release: every lesson, byte-identical twice, type-checks, never touches notebooks/", async () => {
  await withTemp(async (dir) => {
    const sources = lessonNotebooks();
    const before = await Promise.all(sources.map(sha));
    const first = await releaseNotebooks(sources, `${dir}/a`);
    const second = await releaseNotebooks(sources, `${dir}/b`);
    assert.equal(first.length, sources.length);
    for (let i = 0; i < first.length; i++) {
      assert.equal(
        await sha(first[i]),
        await sha(second[i]),
        `${first[i]} differs between releases`,
      );
    }
    assert.deepEqual(await Promise.all(sources.map(sha)), before, "sources unchanged");
    const welcome = first.find((p) => p.endsWith("00-welcome.ipynb"))!;
    const check = await checkNotebook(welcome);
    assert.ok(check.ok, check.report);
    await assert.rejects(
      () => releaseNotebooks(sources, `${REPO}notebooks`),
      /--out must not overlap the course's notebooks\/ folder/,
    );
    await assert.rejects(
      () => releaseNotebooks(sources, `${REPO}notebooks/sub`),
      /--out must not overlap the course's notebooks\/ folder/,
    );
  });
});

Deno.test("grade: every source lesson grades 100%, its release 0 with 'not implemented yet'", async () => {
  const lessons = await lessonNotebooks();
  assert.ok(lessons.length >= 4, `lessons: ${lessons.join(", ")}`);
  await withTemp(async (dir) => {
    const released = await releaseNotebooks(lessons, dir);
    const submissions = lessons.flatMap((path, i) => {
      const name = path.split("/").pop()!;
      return [
        { path, name: `source-${name}` },
        { path: released[i], name: `released-${name}` },
      ];
    });
    const run = await gradeSubmissions(submissions, LIMITS);
    const oldFormat: string[] = [];
    for (let i = 0; i < lessons.length; i++) {
      const [source, student] = [run.grades[2 * i], run.grades[2 * i + 1]];
      assert.ok(source.maxScore > 0, `${source.name} has graded exercises`);
      assert.equal(student.score, 0, student.name);
      assert.equal(student.maxScore, source.maxScore);
      for (const e of source.exercises) {
        if (gradingPlan(getExercise(e.id)).tests.some((t) => t.legacy)) {
          // An exercise still in the old format cannot be graded outside the student's code:
          // it must say so, and the lead converts it.
          oldFormat.push(e.id);
          assert.ok(e.tests.some((t) => /old format/.test(t.message)), e.id);
          continue;
        }
        assert.equal(e.score, e.maxScore, `${source.name} ${e.id}: ${JSON.stringify(e)}`);
        assert.ok(e.tests.every((t) => t.passed), `${source.name} ${e.id}`);
      }
      for (const e of student.exercises) {
        // Tests worth points all fail on the stub; a zero-point shape check may pass.
        for (const t of e.tests.filter((t) => t.maxPoints > 0 && !/old format/.test(t.message))) {
          assert.match(t.message, new RegExp(`^not implemented yet: ${e.id}`), student.name);
        }
      }
    }
    if (oldFormat.length) {
      console.warn(`exercises still in the old format: ${oldFormat.join(", ")}`);
    }
    // The four lessons the grader's format was designed with are fully converted.
    for (
      const id of ["welcome-page-of", "hierarchy-split-address", "vm-translate", "paging-beat-fifo"]
    ) {
      assert.ok(!oldFormat.includes(id), id);
    }
  });
});

Deno.test("grade: each broken submission gets its own clear message and the others are graded normally", async () => {
  await withTemp(async (dir) => {
    const fixtures: Record<string, string> = {
      "notjson-00-welcome.ipynb": "{ this is not json",
      "v3-00-welcome.ipynb": JSON.stringify({
        nbformat: 3,
        nbformat_minor: 0,
        metadata: {},
        worksheets: [],
      }),
      "missing-cell-00-welcome.ipynb": variant("exercise-2", null),
      "renamed-00-welcome.ipynb": variant(
        "exercise-1",
        "function pageCounter(sizeBytes: number, pageBytes = 4096): number {\n  return Math.ceil(sizeBytes / pageBytes);\n}",
      ),
      "syntax-00-welcome.ipynb": variant(
        "exercise-3",
        "function alignUp(address: number, alignment: number): number {\n  return Math.ceil(address / alignment) * * alignment;\n}",
      ),
      "loop-00-welcome.ipynb": variant(
        "exercise-2",
        "function pageOf(address: number, pageBytes: number): { page: number; offset: number } {\n  while (true) { /* forever */ }\n}",
      ),
      "heap-00-welcome.ipynb": variant(
        "exercise-3",
        "function alignUp(address: number, alignment: number): number {\n  const keep: number[][] = [];\n  while (true) keep.push(new Array(100_000).fill(1.5));\n}",
      ),
      "buffers-00-welcome.ipynb": variant(
        "exercise-1",
        "function pageCount(sizeBytes: number, pageBytes = 4096): number {\n  const keep: Uint8Array[] = [];\n  while (true) keep.push(new Uint8Array(64 * 1024 * 1024));\n}",
      ),
      "toplevel-throw-00-welcome.ipynb": variant(
        "exercise-3",
        'function alignUp(address: number, alignment: number): number {\n  return address;\n}\nthrow new Error("oops at load");',
      ),
      "chatty-00-welcome.ipynb": variant(
        "exercise-1",
        'function pageCount(sizeBytes: number, pageBytes = 4096): number {\n  console.log("x".repeat(300_000));\n  return Math.ceil(sizeBytes / pageBytes);\n}',
      ),
      "wrong-00-welcome.ipynb": variant(
        "exercise-1",
        "function pageCount(sizeBytes: number, pageBytes = 4096): number {\n  return Math.floor(sizeBytes / pageBytes);\n}",
      ),
    };
    for (const [name, text] of Object.entries(fixtures)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    const submissions = await collectSubmissions([dir]);
    assert.equal(submissions.length, Object.keys(fixtures).length);
    const hashes = await Promise.all(submissions.map((s) => sha(s.path)));
    const run = await gradeSubmissions(submissions, LIMITS);
    assert.deepEqual(
      await Promise.all(submissions.map((s) => sha(s.path))),
      hashes,
      "submissions unchanged",
    );
    const g = Object.fromEntries(run.grades.map((x) => [x.name, x]));

    for (const name of ["notjson-00-welcome.ipynb", "v3-00-welcome.ipynb"]) {
      assert.equal(g[name].score, 0);
      assert.equal(g[name].maxScore, 10, "the lesson is known from the file name");
    }
    assert.match(g["notjson-00-welcome.ipynb"].message, /invalid JSON at line 1/);
    assert.match(g["v3-00-welcome.ipynb"].message, /nbformat must be 4/);
    assert.match(
      byId(g["v3-00-welcome.ipynb"], "welcome-page-of").tests[0].message,
      /not graded: Cannot read/,
    );

    const expectations: [string, string, RegExp, number][] = [
      [
        "missing-cell-00-welcome.ipynb",
        "welcome-page-of",
        /no code cell tagged exercise:welcome-page-of/,
        6,
      ],
      [
        "renamed-00-welcome.ipynb",
        "welcome-page-count",
        /pageCount is not defined: .*was it renamed/,
        7,
      ],
      [
        "syntax-00-welcome.ipynb",
        "welcome-align-up",
        /does not run: .*the exercise cell, line 2/,
        7,
      ],
      [
        "loop-00-welcome.ipynb",
        "welcome-page-of",
        /time limit exceeded: the tests were stopped after 2 s of CPU time/,
        6,
      ],
      [
        "heap-00-welcome.ipynb",
        "welcome-align-up",
        /out of memory: the tests were stopped at the limit of 128 MiB/,
        7,
      ],
      ["buffers-00-welcome.ipynb", "welcome-page-count", /memory/, 7],
      ["toplevel-throw-00-welcome.ipynb", "welcome-align-up", /does not run: .*oops at load/, 7],
    ];
    for (const [name, id, message, otherPoints] of expectations) {
      const e = byId(g[name], id);
      assert.equal(e.score, 0, `${name} ${id}`);
      for (const t of e.tests) {
        assert.match(t.message, message, `${name} ${id}: ${t.name}: ${t.message}`);
      }
      for (const other of g[name].exercises.filter((x) => x.id !== id)) {
        assert.equal(other.score, other.maxScore, `${name}: ${other.id} is graded normally`);
      }
      assert.equal(g[name].score, otherPoints, name);
    }
    // Megabytes of printing push the result lines past the output cap: still graded in full.
    assert.equal(
      g["chatty-00-welcome.ipynb"].score,
      10,
      JSON.stringify(g["chatty-00-welcome.ipynb"]),
    );

    const wrong = byId(g["wrong-00-welcome.ipynb"], "welcome-page-count");
    assert.ok(wrong.score > 0 && wrong.score < wrong.maxScore, `partial credit: ${wrong.score}`);
    assert.ok(wrong.tests.some((t) => !t.passed && /expected \d+, received \d+/.test(t.message)));

    const files = await writeReports(run, `${dir}/out`);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/out/report.json`));
    assert.equal(report.submissions.length, submissions.length);
    assert.equal(files.length, submissions.length + 1);
    const gs = JSON.parse(await Deno.readTextFile(`${dir}/out/loop-00-welcome/results.json`));
    assert.equal(gs.score, 6);
    assert.equal(
      gs.tests.length,
      report.submissions[0].exercises.flatMap((e: { tests: unknown[] }) => e.tests).length,
    );
    for (const t of gs.tests) {
      assert.deepEqual(Object.keys(t).sort(), ["max_score", "name", "output", "score", "status"]);
    }
  });
});

Deno.test("grade CLI: exit 0 when students score 0, 2 on usage errors, never writes over a submission", async () => {
  await withTemp(async (dir) => {
    const [released] = await releaseNotebooks([SOURCE], dir);
    const cli = (...args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-check", `${REPO}tools/grade.ts`, ...args],
        stdout: "piped",
        stderr: "piped",
      }).output();
    const before = await sha(released);
    const ok = await cli(released, "--out", `${dir}/out`, "--time-limit", "5");
    const stdout = new TextDecoder().decode(ok.stdout);
    assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
    assert.match(stdout, /00-welcome\.ipynb\s+0\/10\s+0\/3\s+0\/4\s+0\/3/);
    assert.match(stdout, /not implemented yet: welcome-page-count/);
    assert.equal(await sha(released), before);
    const results = JSON.parse(await Deno.readTextFile(`${dir}/out/00-welcome/results.json`));
    assert.equal(results.score, 0);

    const none = await cli();
    assert.equal(none.code, 2);
    assert.match(new TextDecoder().decode(none.stderr), /no submissions given/);
    const missing = await cli(`${dir}/nope.ipynb`);
    assert.equal(missing.code, 2);
    assert.match(new TextDecoder().decode(missing.stderr), /no such file or folder: .*nope\.ipynb/);
    const flag = await cli(released, "--time-limit", "soon");
    assert.equal(flag.code, 2);
    assert.match(
      new TextDecoder().decode(flag.stderr),
      /--time-limit must be a number from 0.1 to 600: received soon/,
    );

    // A submission that happens to be called report.json in the output folder is not overwritten:
    // an --out that overlaps the submissions is refused before anything is graded.
    await Deno.mkdir(`${dir}/clash`);
    await Deno.copyFile(released, `${dir}/clash/report.json`);
    const clash = await cli(
      `${dir}/clash/report.json`,
      "--lesson",
      "00-welcome",
      "--out",
      `${dir}/clash`,
    );
    assert.equal(clash.code, 2);
    assert.match(
      new TextDecoder().decode(clash.stderr),
      /--out must not overlap the submissions/,
    );
    assert.equal(await sha(`${dir}/clash/report.json`), before);
  });
});

Deno.test("the released lesson runs through the kernel: every check shows failures, nothing throws", async () => {
  await withTemp(async (dir) => {
    const [released] = await releaseNotebooks([SOURCE], `${dir}/rel`);
    const out = await new Deno.Command("/usr/bin/python3", {
      args: [`${REPO}tools/nbrun.py`, "--out", `${dir}/run`, released],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const nb = parseNotebook(await Deno.readTextFile(`${dir}/run/00-welcome.ipynb`), "executed");
    const checks = nb.cells.filter((c) => String(c.source).startsWith("await check("));
    assert.equal(checks.length, 3);
    for (const c of checks) {
      const text = JSON.stringify(c.outputs);
      assert.match(text, /0\/\d+ points/);
      assert.match(text, /not implemented yet/);
      assert.doesNotMatch(text, /"output_type":"error"/);
    }
    // The kernel finds deno.json (and so "memgarden") by walking up from the notebook's folder:
    // released copies run inside a checkout of the course, here under out/.
  }, `${REPO}out`);
});

Deno.test("grade: --memory above 256 MiB raises the whole-process limit with the heap", async () => {
  const run = await gradeSubmissions([], { heapMiB: 512 });
  assert.equal(run.settings.heapMiB, 512);
  const hasPrlimit = await Deno.stat("/usr/bin/prlimit").then(() => true, () => false);
  assert.equal(run.settings.dataMiB, hasPrlimit ? 2048 : null);
  const small = await gradeSubmissions([], { heapMiB: 64 });
  assert.equal(small.settings.dataMiB, hasPrlimit ? 1024 : null);
});

/** Run `fn` while two CPU-bound processes (busy loops) compete with it for the 2 cores. */
async function underLoad(fn: () => Promise<void>): Promise<void> {
  const busy = [0, 1].map(() =>
    new Deno.Command(Deno.execPath(), {
      args: ["eval", "for (;;) {}"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn()
  );
  try {
    await fn();
  } finally {
    for (const b of busy) {
      try {
        b.kill("SIGKILL");
      } catch {
        // already gone
      }
      await b.status;
    }
  }
}

Deno.test("grade under load: a correct submission gets full marks beside two busy loops, a loop still stops", async () => {
  await underLoad(() =>
    withTemp(async (dir) => {
      const loop = `${dir}/loop-00-welcome.ipynb`;
      await Deno.writeTextFile(
        loop,
        variant(
          "exercise-2",
          "function pageOf(address: number, pageBytes: number): { page: number; offset: number } {\n  while (true) { /* forever */ }\n}",
        ),
      );
      const run = await gradeSubmissions([
        { path: SOURCE, name: "good-00-welcome.ipynb" },
        { path: loop, name: "loop-00-welcome.ipynb" },
      ], LIMITS);
      const [good, looping] = run.grades;
      assert.equal(good.score, good.maxScore, JSON.stringify(good));
      assert.equal(good.maxScore, 10);
      const stuck = byId(looping, "welcome-page-of");
      assert.equal(stuck.score, 0);
      assert.match(
        stuck.message,
        /time limit exceeded: the tests were stopped after 2 s of CPU time/,
      );
      assert.equal(looping.score, 6, "the other exercises are graded normally");
    })
  );
});
