/**
 * The grader against a hostile student: every trick of the grading-security
 * issue, graded for real in the bubblewrap sandbox beside a good submission.
 * Each trick scores 0 on its exercise, nothing the student's process reads
 * (a canary file, the source notebook, the hidden tests, the grader, the
 * environment) reaches any output, the good submission gets full marks and
 * no `results.json` carries more than its maximum. Also: bad flags, bad
 * names, huge files and `--out` folders that overlap the sources, each a
 * clear error before anything runs.
 */
import assert from "node:assert/strict";
import { scoreTable } from "memgarden";
import {
  gradeSubmissions,
  parseArgs,
  prepareSandbox,
  UNSAFE_WARNING,
  writeReports,
} from "../../tools/grade.ts";
import { writeStudentEdition } from "../../tools/release.ts";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const SOURCE = `${REPO}/notebooks/00-welcome.ipynb`;
const LIMITS = { timeLimitMs: 2000, heapMiB: 128, dataMiB: 1024 };

/** The source notebook with one exercise cell's source replaced. */
function variant(cellId: string, source: string): string {
  const nb = JSON.parse(Deno.readTextFileSync(SOURCE));
  const cell = nb.cells.find((c: { id: string }) => c.id === cellId);
  assert.ok(cell, cellId);
  cell.source = source;
  return JSON.stringify(nb, null, 1);
}

const UNSOLVED_PAGE_OF =
  'function pageOf(address: number, pageBytes: number): { page: number; offset: number } {\n  throw new Error("not implemented yet: welcome-page-of");\n}';

Deno.test("attacks: tampering scores 0, reading files or the environment leaks nothing, a good submission beside them scores full marks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-attack-test-" });
  const secret = `canary-${crypto.randomUUID()}`;
  const envSecret = `env-${crypto.randomUUID()}`;
  Deno.env.set("MEMGARDEN_TEST_SECRET", envSecret);
  try {
    await Deno.writeTextFile(`${dir}/canary.txt`, secret);
    const targets = [
      `${dir}/canary.txt`,
      `${REPO}/notebooks/00-welcome.ipynb`,
      `${REPO}/lib/exercise/hidden/welcome.ts`,
      `${REPO}/tools/grade.ts`,
      "/proc/1/environ",
      "/proc/self/environ",
    ];
    const attacks: Record<string, string> = {
      // 1. Tampering with the library's tests, assertions, JSON and output in the student's process.
      "noop-tests":
        `import { getExercise } from "memgarden";\nfor (const t of getExercise("welcome-page-of").tests as any[]) { try { t.fn = () => {}; t.judge = () => {}; t.points = 1000; } catch { /* frozen */ } }\n(getExercise("welcome-page-of") as any).points = 1000;\n${UNSOLVED_PAGE_OF}`,
      "patch-json":
        `JSON.stringify = () => '{"i":0,"ok":{"page":18,"offset":837},"passed":true,"points":1000}';\nJSON.parse = () => ({ passed: true, points: 1000 });\n${UNSOLVED_PAGE_OF}`,
      "patch-assert":
        `import assert from "node:assert/strict";\n(assert as any).equal = () => {};\n(assert as any).deepStrictEqual = () => {};\n(assert as any).deepEqual = () => {};\n${UNSOLVED_PAGE_OF}`,
      "forge-stdout":
        `const real = Deno.stdout.writeSync.bind(Deno.stdout);\nconst enc = new TextEncoder();\nfor (let n = 0; n < 200; n++) real(enc.encode(\`\\n@@0 {"i":\${n},"ok":1}\\n{"name":"x","passed":true,"points":1000}\\n\`));\n(Deno.stdout as any).writeSync = (b: Uint8Array) => real(enc.encode(new TextDecoder().decode(b).replace(/"error":"[^"]*"/, '"ok":{"page":1,"offset":0}')));\n${UNSOLVED_PAGE_OF}`,
      "exit-early": `queueMicrotask(() => Deno.exit(0));\n${UNSOLVED_PAGE_OF}`,
      // 2. Reading files the grader can read, by every route, and the environment.
      "read-static":
        `import leaked from "${dir}/canary.txt" with { type: "text" };\nfunction pageOf(address: number, pageBytes: number): { page: number; offset: number } {\n  return { page: leaked as unknown as number, offset: 0 };\n}`,
      "read-dynamic": `async function pageOf(address: number, pageBytes: number): Promise<any> {
  const out: string[] = [];
  for (const f of ${JSON.stringify(targets)}) {
    try { out.push(String((await import(f, { with: { type: "text" } })).default).slice(0, 24)); } catch (e) { out.push("no"); }
    try { out.push(String(await eval(\`import("\${f}", { with: { type: "text" } })\`).then((m: any) => m.default)).slice(0, 24)); } catch (e) { out.push("no"); }
    try { out.push(Deno.readTextFileSync(f).slice(0, 24)); } catch { out.push("no"); }
  }
  try { out.push(JSON.stringify(Deno.env.toObject()).slice(0, 24)); } catch { out.push("no"); }
  return { page: out.join("|"), offset: 0 };
}`,
    };
    const good = { path: `${dir}/good-00-welcome.ipynb`, name: "good-00-welcome.ipynb" };
    await Deno.copyFile(SOURCE, good.path);
    const submissions = [good];
    for (const [name, cell] of Object.entries(attacks)) {
      const path = `${dir}/${name}-00-welcome.ipynb`;
      await Deno.writeTextFile(path, variant("exercise-2", cell));
      submissions.push({ path, name: `${name}-00-welcome.ipynb` });
    }
    // 3. Names and sizes: "..ipynb", "report.json.ipynb", and a 2 GB (sparse) file.
    for (const odd of ["..ipynb", "report.json.ipynb"]) {
      await Deno.copyFile(SOURCE, `${dir}/${odd}`);
      submissions.push({ path: `${dir}/${odd}`, name: odd });
    }
    const huge = `${dir}/huge-00-welcome.ipynb`;
    const file = await Deno.open(huge, { write: true, create: true });
    await file.truncate(2 * 1024 ** 3);
    file.close();
    submissions.push({ path: huge, name: "huge-00-welcome.ipynb" });

    const run = await gradeSubmissions(submissions, { ...LIMITS, lessons: ["00-welcome"] });
    assert.equal(run.settings.sandbox, "bubblewrap");
    const g = Object.fromEntries(run.grades.map((x) => [x.name, x]));
    assert.equal(g["good-00-welcome.ipynb"].score, 10, JSON.stringify(g["good-00-welcome.ipynb"]));
    for (const name of Object.keys(attacks)) {
      const grade = g[`${name}-00-welcome.ipynb`];
      const pageOf = grade.exercises.find((e) => e.id === "welcome-page-of")!;
      assert.equal(pageOf.score, 0, `${name}: ${JSON.stringify(pageOf.tests.slice(0, 2))}`);
      assert.equal(grade.score, 6, `${name}: the other exercises are graded normally`);
      assert.ok(grade.score <= grade.maxScore && grade.maxScore === 10, name);
    }
    assert.match(
      g["read-static-00-welcome.ipynb"].exercises[1].message,
      /does not run: .*(Module not found|Requires read access)/,
    );
    assert.equal(g["..ipynb"].score, 10);
    assert.equal(g["report.json.ipynb"].score, 10);
    assert.equal(g["huge-00-welcome.ipynb"].score, 0);
    assert.match(
      g["huge-00-welcome.ipynb"].message,
      /2048\.0 MiB, over the limit of 8 MiB: not read/,
    );

    const out = `${dir}/out`;
    const files = await writeReports(run, out);
    const texts = [scoreTable(run.grades), ...files.map((f) => Deno.readTextFileSync(f))];
    for (const f of files) {
      assert.ok(f.startsWith(`${out}/`), `${f} is inside --out`);
      if (f.endsWith("results.json")) {
        const r = JSON.parse(Deno.readTextFileSync(f));
        assert.ok(r.score <= r.max_score, `${f}: ${r.score} > ${r.max_score}`);
        for (const t of r.tests) assert.ok(t.score <= t.max_score, `${f}: ${t.name}`);
      }
    }
    const solutionLine =
      "return { page: Math.floor(address / pageBytes), offset: address % pageBytes };";
    for (const text of texts) {
      assert.ok(!text.includes(secret), "the canary file's content leaked");
      assert.ok(!text.includes(envSecret), "the grader's environment leaked");
      assert.ok(
        !text.includes("BEGIN SOLUTION") && !text.includes(solutionLine),
        "a solution leaked",
      );
      assert.ok(!text.includes("defineHiddenTests"), "the hidden tests leaked");
      assert.ok(!text.includes("Grade submitted notebooks"), "the grader's source leaked");
    }
    // The dynamic reader ran (it answered), and every read came back empty-handed.
    const dynamic = JSON.stringify(g["read-dynamic-00-welcome.ipynb"]);
    assert.match(dynamic, /received \{\\"page\\":\\"no\|no\|no\|/);
  } finally {
    Deno.env.delete("MEMGARDEN_TEST_SECRET");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Deno's trap, exactly: a text import in the start-up module graph reads a file under --deny-read; one loaded later by a computed path is checked", async () => {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-trap-test-" });
  try {
    const secret = `canary-${crypto.randomUUID()}`;
    await Deno.writeTextFile(`${dir}/canary.txt`, secret);
    const code = [
      `import s from "${dir}/canary.txt" with { type: "text" };`,
      `const p = "${dir}/" + "canary.txt";`,
      `const d = (await import(p, { with: { type: "text" } })).default;`,
      `console.log(s === d ? s : "different");`,
    ].join("\n");
    await Deno.writeTextFile(`${dir}/trap.ts`, code);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--deny-read", `${dir}/trap.ts`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(out.stdout).trim(), secret, "Deno 2.9 still reads it");
    // Only modules Deno loads later, through a computed path, are checked: from a module loaded
    // as the grader's child loads the student's (read access to that one file only), the same
    // import is refused. The sandbox is the boundary that does not depend on this distinction.
    await Deno.writeTextFile(
      `${dir}/student.ts`,
      `export const leak = async () => (await import("${dir}/" + "canary.txt", { with: { type: "text" } })).default;`,
    );
    await Deno.writeTextFile(
      `${dir}/child.ts`,
      `const m = await import("${dir}/" + "student.ts");\nconsole.log(await m.leak());`,
    );
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", `--allow-read=${dir}/student.ts`, `${dir}/child.ts`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.doesNotMatch(new TextDecoder().decode(child.stdout), new RegExp(secret));
    assert.match(new TextDecoder().decode(child.stderr), /Requires read access to .*canary\.txt/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("no sandbox: the grader refuses unless --unsafe, and then every report says so", async () => {
  const missing = await prepareSandbox("/nonexistent/bwrap");
  assert.ok("why" in missing && /not installed/.test(missing.why));
  await assert.rejects(
    () =>
      gradeSubmissions([{ path: SOURCE, name: "a-00-welcome.ipynb" }], {
        bwrap: "/nonexistent/bwrap",
      }),
    /no sandbox: .*pass --unsafe/,
  );
  const dir = await Deno.makeTempDir({ prefix: "memgarden-unsafe-test-" });
  try {
    const run = await gradeSubmissions([{ path: SOURCE, name: "a-00-welcome.ipynb" }], {
      ...LIMITS,
      unsafe: true,
      bwrap: "/nonexistent/bwrap",
    });
    assert.equal(run.grades[0].score, 10);
    assert.equal(run.settings.sandbox, "none (--unsafe)");
    const files = await writeReports(run, dir);
    for (const f of files) {
      assert.match(Deno.readTextFileSync(f), /UNSAFE: graded without a sandbox/);
    }
    assert.match(scoreTable(run.grades), /UNSAFE/);
    assert.ok(UNSAFE_WARNING.startsWith("UNSAFE"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("grade flags: out-of-range values, unknown lessons and overlapping --out are usage errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-flags-test-" });
  try {
    const sub = `${dir}/a-00-welcome.ipynb`;
    await Deno.copyFile(SOURCE, sub);
    const bad: [string[], RegExp][] = [
      [
        ["--time-limit", "3000000"],
        /--time-limit must be a number from 0\.1 to 600: received 3000000/,
      ],
      [["--time-limit", ""], /--time-limit must be a number/],
      [["--memory", "100.5"], /--memory must be a whole number from 64 to 8192: received 100\.5/],
      [["--memory", "1e15"], /--memory must be a whole number from 64 to 8192: received 1e15/],
      [["--jobs", "1e9"], /--jobs must be a whole number from 1 to 64: received 1e9/],
      [["--jobs", "0"], /--jobs must be a whole number from 1 to 64/],
      [["--lesson", "99-nope"], /--lesson must be a lesson with exercises .*received 99-nope/],
      [["--out", sub], /--out must be a folder: received .*a-00-welcome\.ipynb, which is a file/],
      [["--out", dir], /--out must not overlap the submissions/],
      [
        ["--out", `${REPO}/notebooks/graded`],
        /--out must not overlap the course's notebooks\/ folder/,
      ],
      [["--out", REPO], /--out must not be the course's own folder/],
      [["--frobnicate"], /unknown flag --frobnicate/],
    ];
    for (const [flags, message] of bad) {
      assert.throws(() => parseArgs([sub, ...flags]), message, flags.join(" "));
    }
    // A symbolic link that leads into the sources is seen through.
    await Deno.symlink(`${REPO}/notebooks`, `${dir}/link`);
    assert.throws(
      () => parseArgs([sub, "--out", `${dir}/link/x`]),
      /overlap the course's notebooks/,
    );
    const ok = parseArgs([sub, "--out", `${dir}/results`, "--time-limit", "2.5", "--jobs", "2"]);
    assert.equal(ok.options.timeLimitMs, 2500);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("release: --out through a symbolic link at notebooks/ is refused and the sources stay", async () => {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-release-link-test-" });
  try {
    const before = Deno.readTextFileSync(SOURCE);
    await Deno.symlink(`${REPO}/notebooks`, `${dir}/link`);
    await assert.rejects(
      () => writeStudentEdition(`${dir}/link`),
      /overlap the course's notebooks\/ folder/,
    );
    await assert.rejects(
      () => writeStudentEdition(`${dir}/link/sub`),
      /overlap the course's notebooks/,
    );
    await assert.rejects(() => writeStudentEdition(REPO), /must not be the course's folder/);
    await Deno.writeTextFile(`${dir}/mine.txt`, "a user's file");
    await assert.rejects(
      () => writeStudentEdition(dir),
      /new or empty folder, or an earlier student edition/,
    );
    assert.equal(Deno.readTextFileSync(SOURCE), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
