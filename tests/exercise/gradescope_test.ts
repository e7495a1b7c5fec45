/**
 * Running a class: the Gradescope autograder bundle and the class image.
 *
 * The bundle is built, unpacked (fflate) into temporary folders laid out as
 * Gradescope's `/autograder`, set up with its own `setup.sh` (with this
 * machine's Deno in place of npm's, and apt skipped because bubblewrap and
 * prlimit are present) and run with its own `run_autograder` against a good,
 * a partial and a hostile submission, in the grader's bubblewrap sandbox.
 * The zip is grepped for every solution line of the source lessons.
 *
 * Not run here: Gradescope itself, apt and npm inside `setup.sh` (no
 * network needed), and the image build (`docker build` needs a Docker
 * engine, which CI does not have): the Dockerfile's shape is checked by
 * parsing it, and its entry point script is run on a temporary home folder.
 */
import assert from "node:assert/strict";
import { unzipSync } from "fflate";
import { getHiddenTests, listExercises, releaseNotebook } from "memgarden";
import "memgarden/exercise/hidden/mod.ts";
import { prepareSandbox } from "../../tools/grade.ts";
import { lessonNotebooks } from "../../tools/release.ts";
import {
  DENO_VERSION,
  type GradescopeResults,
  parseGradescopeArgs,
  runAutograder,
  VISIBILITIES,
  writeBundle,
} from "../../tools/gradescope.ts";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const LESSON = "00-welcome";
const SOURCE = `${REPO}/notebooks/${LESSON}.ipynb`;

/** The Unix mode of each zip entry, from the central directory. */
function zipModes(zip: Uint8Array): Map<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  assert.ok(end >= 0, "the zip has an end of central directory record");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const modes = new Map<string, number>();
  for (let n = 0; n < count; n++) {
    assert.equal(view.getUint32(at, true), 0x02014b50, "a central directory entry");
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    modes.set(name, (view.getUint32(at + 38, true) >>> 16) & 0o777);
    at += 46 + skip;
  }
  return modes;
}

/** Unpack the bundle as Gradescope does: its files in ROOT/source, with their modes. */
async function unpack(zip: Uint8Array, root: string): Promise<void> {
  const modes = zipModes(zip);
  for (const [name, data] of Object.entries(unzipSync(zip))) {
    assert.ok(!name.startsWith("/") && !name.split("/").includes(".."), name);
    const path = `${root}/source/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(path, data, { mode: modes.get(name) ?? 0o644 });
  }
  await Deno.mkdir(`${root}/submission`, { recursive: true });
}

/** Run one of the bundle's scripts with the root taken from AUTOGRADER_ROOT. */
async function script(root: string, name: string): Promise<string> {
  const out = await new Deno.Command(`${root}/source/${name}`, {
    env: { AUTOGRADER_ROOT: root, MEMGARDEN_DENO: Deno.execPath() },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `${name} failed (${out.code}):\n${text}`);
  return text;
}

/** The source lesson with some exercise cells replaced (by id of the exercise). */
function notebook(replace: Record<string, string>, solved: string[]): string {
  const source = JSON.parse(Deno.readTextFileSync(SOURCE));
  const released = JSON.parse(releaseNotebook(Deno.readTextFileSync(SOURCE), `${LESSON}.ipynb`));
  // Cells are matched by id: the release leaves out the instructor-only note.
  const byId = new Map(
    source.cells.map((c: { id: string; source: string | string[] }) => [c.id, c.source]),
  );
  released.cells.forEach(
    (cell: { id: string; source: string | string[]; metadata: { tags?: string[] } }) => {
      const tag = (cell.metadata.tags ?? []).find((t) => t.startsWith("exercise:"));
      const id = tag?.slice("exercise:".length);
      if (!id) return;
      if (solved.includes(id)) cell.source = byId.get(cell.id) as string | string[];
      if (id in replace) cell.source = replace[id];
    },
  );
  return JSON.stringify(released, null, 1);
}

/** Every solution block of every source lesson, as its trimmed lines. */
function solutionLines(): { where: string; lines: string[] }[] {
  const blocks: { where: string; lines: string[] }[] = [];
  for (const path of lessonNotebooks()) {
    for (const cell of JSON.parse(Deno.readTextFileSync(path)).cells) {
      const src: string = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
      let open: string[] | null = null;
      for (const line of src.split("\n")) {
        if (/\/\/ BEGIN SOLUTION/.test(line)) open = [];
        else if (/\/\/ END SOLUTION/.test(line)) {
          blocks.push({ where: `${path.split("/").pop()} ${cell.id}`, lines: open ?? [] });
          open = null;
        } else if (open) open.push(line.trim());
      }
    }
  }
  return blocks;
}

function checkResults(r: GradescopeResults, what: string): void {
  assert.ok(r.score >= 0 && r.score <= r.max_score, `${what}: ${r.score}/${r.max_score}`);
  assert.equal(r.stdout_visibility, "hidden", what);
  for (const t of r.tests) {
    assert.ok(
      t.score >= 0 && t.score <= t.max_score,
      `${what} ${t.name}: ${t.score}/${t.max_score}`,
    );
    assert.ok((VISIBILITIES as readonly string[]).includes(t.visibility), t.visibility);
    assert.ok(["passed", "failed"].includes(t.status), t.status);
  }
}

const exercisePoints = (id: string) => listExercises(LESSON).find((e) => e.id === id)!.points;
const lessonPoints = listExercises(LESSON).reduce((s, e) => s + e.points, 0);

Deno.test("gradescope: the bundle, unpacked as /autograder, sets itself up and grades good, partial and hostile submissions in the sandbox", async () => {
  const sandbox = await prepareSandbox();
  assert.ok(
    !("why" in sandbox),
    `the grader's sandbox must work here: ${"why" in sandbox ? sandbox.why : ""}`,
  );
  const tmp = await Deno.makeTempDir({ prefix: "memgarden-gradescope-test-" });
  try {
    const zipPath = `${tmp}/autograder.zip`;
    await writeBundle(
      {
        lesson: LESSON,
        hiddenVisibility: "after_due_date",
        allowUnsafe: false,
        denoVersion: DENO_VERSION,
      },
      zipPath,
    );
    const zip = Deno.readFileSync(zipPath);
    const modes = zipModes(zip);
    assert.equal(modes.get("setup.sh"), 0o755);
    assert.equal(modes.get("run_autograder"), 0o755);

    const canary = `canary-${crypto.randomUUID()}`;
    const hiddenMarker = "0x00_5eed"; // the seed in lib/exercise/hidden/welcome.ts
    assert.ok(
      Deno.readTextFileSync(`${REPO}/lib/exercise/hidden/welcome.ts`).includes(hiddenMarker),
    );
    const submissions: Record<string, (root: string) => string> = {
      good: () => Deno.readTextFileSync(SOURCE),
      partial: () => notebook({}, ["welcome-page-count"]),
      hostile: (root) =>
        notebook({
          // Tampering with the library's tests and JSON in the student's own process.
          "welcome-page-count":
            `import { getExercise } from "memgarden";\nfor (const t of getExercise("welcome-page-count").tests as any[]) { try { t.points = 1000; t.fn = () => {}; } catch { /* frozen */ } }\nJSON.stringify = () => '{"score":1000}';\nfunction pageCount(sizeBytes: number, pageBytes = 4096): number {\n  throw new Error("not implemented yet: welcome-page-count");\n}`,
          // Reading the hidden tests, a canary and the results file, and writing results.json.
          "welcome-page-of": `function pageOf(address: number, pageBytes: number): any {
  const out: string[] = [];
  for (const f of ${
            JSON.stringify([
              `${root}/source/course/lib/exercise/hidden/welcome.ts`,
              `${root}/source/canary.txt`,
              `${root}/source/course/gradescope.json`,
            ])
          }) {
    try { out.push(Deno.readTextFileSync(f)); } catch { out.push("no"); }
  }
  try { Deno.writeTextFileSync(${
            JSON.stringify(`${root}/results/results.json`)
          }, '{"score":1000}'); } catch { out.push("no write"); }
  return { page: out.join("|"), offset: 0 };
}`,
        }, ["welcome-align-up"]),
    };
    const roots = Object.keys(submissions).map((k) => ({ kind: k, root: `${tmp}/${k}` }));
    for (const { root } of roots) await unpack(zip, root);
    // Gradescope builds the image once; each folder here stands for one such image.
    await Promise.all(roots.map(async ({ kind, root }) => {
      const log = await script(root, "setup.sh");
      assert.match(log, new RegExp(`deno ${DENO_VERSION.replaceAll(".", "\\.")}`));
      await Deno.writeTextFile(`${root}/source/canary.txt`, canary);
      await Deno.writeTextFile(`${root}/submission/${kind}.ipynb`, submissions[kind](root));
    }));
    const results: Record<string, GradescopeResults> = {};
    await Promise.all(roots.map(async ({ kind, root }) => {
      await script(root, "run_autograder");
      const text = await Deno.readTextFile(`${root}/results/results.json`);
      assert.ok(!text.includes(canary), `${kind}: the canary leaked`);
      assert.ok(!text.includes(hiddenMarker), `${kind}: the hidden tests leaked`);
      results[kind] = JSON.parse(text);
      checkResults(results[kind], kind);
    }));

    const { good, partial, hostile } = results;
    assert.equal(good.max_score, lessonPoints);
    assert.equal(
      good.score,
      lessonPoints,
      JSON.stringify(good.tests.filter((t) => t.status !== "passed")),
    );
    assert.equal(partial.score, exercisePoints("welcome-page-count"));
    assert.equal(hostile.score, exercisePoints("welcome-align-up"));
    assert.equal(hostile.max_score, lessonPoints);
    for (const t of hostile.tests.filter((t) => !t.name.startsWith("welcome-align-up"))) {
      assert.equal(t.score, 0, t.name);
    }
    // Visible tests (those in the student's notebook) are visible; the others wait for the due date.
    const hidden = getHiddenTests("welcome-page-count")!;
    assert.ok(hidden.tests.length > 0);
    const visibility = new Map(good.tests.map((t) => [t.name, t.visibility]));
    assert.equal(visibility.get("welcome-page-count: 0 bytes need 0 pages"), "visible");
    assert.equal(
      visibility.get(
        "welcome-page-count: exact multiples and one byte either side, for six page sizes",
      ),
      "after_due_date",
    );
    assert.ok(good.tests.filter((t) => t.visibility === "after_due_date").length >= 3);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
});

Deno.test("gradescope: the bundle holds no lesson solution outside the hidden tests, which Gradescope never shows students", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "memgarden-gradescope-zip-" });
  try {
    for (const lesson of [LESSON, "04-allocation"]) {
      await writeBundle(
        {
          lesson,
          hiddenVisibility: "after_published",
          allowUnsafe: false,
          denoVersion: DENO_VERSION,
        },
        `${tmp}/${lesson}.zip`,
      );
      const entries = unzipSync(Deno.readFileSync(`${tmp}/${lesson}.zip`));
      const names = Object.keys(entries);
      const hiddenDir = "course/lib/exercise/hidden/";
      assert.ok(names.includes(`${hiddenDir}welcome.ts`), "the hidden tests are in the bundle");
      assert.ok(
        names.includes("course/tools/grade.ts") && names.includes("course/gradescope.json"),
      );
      assert.ok(
        !names.some((n) => n.startsWith("course/notebooks/") || n.startsWith("course/tests/")),
      );
      const shown = names.filter((n) => !n.startsWith(hiddenDir))
        .map((n) => ({ n, text: new TextDecoder().decode(entries[n]) }));
      // What the student edition shows anyway: the library (without hidden/), the data, and
      // the lessons' text outside their solution blocks.
      const publicText = [
        ...names.filter((n) => /^course\/(lib|data)\//.test(n) && !n.startsWith(hiddenDir)),
      ]
        .map((n) => new TextDecoder().decode(entries[n]))
        .concat(
          lessonNotebooks().map((p) =>
            JSON.parse(Deno.readTextFileSync(p)).cells.map((c: { source: string | string[] }) =>
              (Array.isArray(c.source) ? c.source.join("") : c.source)
                .replace(/\/\/ BEGIN SOLUTION[\s\S]*?\/\/ END SOLUTION/g, "")
            ).join("\n")
          ),
        ).join("\n");
      const blocks = solutionLines();
      assert.ok(blocks.length >= 13, `${blocks.length} solution blocks`);
      let checked = 0;
      const squash = (t: string) => t.replace(/\s+/g, " ").trim();
      const squashed = shown.map(({ n, text }) => ({ n, text: squash(text) }));
      for (const { where, lines } of blocks) {
        const block = squash(lines.join("\n"));
        if (block.length >= 12) {
          for (const { n, text } of squashed) {
            assert.ok(!text.includes(block), `${where}: its solution is in ${n}`);
          }
        }
        for (const line of lines.filter((l) => l.length >= 16)) {
          // A line the lessons show outside their solutions (a common idiom) is not a leak.
          if (publicText.includes(line)) continue;
          checked++;
          for (const { n, text } of shown) {
            assert.ok(!text.includes(line), `${where}: "${line}" is in ${n}`);
          }
        }
      }
      assert.ok(checked >= 20, `${checked} solution lines checked`);
      for (const { n, text } of shown) assert.doesNotMatch(text, /defineHiddenTests<\s/, n);
      for (const ex of listExercises()) {
        const hidden = getHiddenTests(ex.id);
        if (!hidden || typeof hidden.reference !== "function") continue;
        const reference = squash(String(hidden.reference));
        for (const { n, text } of squashed) {
          assert.ok(!text.includes(reference), `${ex.id}: its reference answer is in ${n}`);
        }
      }
      const config = JSON.parse(new TextDecoder().decode(entries["course/gradescope.json"]));
      assert.deepEqual(config, {
        lesson,
        hiddenVisibility: "after_published",
        allowUnsafe: false,
        denoVersion: DENO_VERSION,
      });
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
});

Deno.test("gradescope: no notebook, several notebooks, or no sandbox each score 0 with a message, never a crash", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "memgarden-gradescope-none-" });
  try {
    await Deno.mkdir(`${tmp}/source/course`, { recursive: true });
    const config = (allowUnsafe: boolean) =>
      Deno.writeTextFile(
        `${tmp}/source/course/gradescope.json`,
        JSON.stringify({
          lesson: LESSON,
          hiddenVisibility: "hidden",
          allowUnsafe,
          denoVersion: DENO_VERSION,
        }),
      );
    await config(false);
    const none = await runAutograder(tmp);
    assert.equal(none.score, 0);
    assert.equal(none.max_score, lessonPoints);
    assert.match(none.output, /No notebook found: submit your 00-welcome\.ipynb/);
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(`${tmp}/results/results.json`)), none);

    await Deno.mkdir(`${tmp}/submission`, { recursive: true });
    await Deno.writeTextFile(`${tmp}/submission/a.ipynb`, "{}");
    await Deno.writeTextFile(`${tmp}/submission/b.ipynb`, "{}");
    const several = await runAutograder(tmp);
    assert.equal(several.score, 0);
    assert.match(several.output, /Several notebooks were submitted \(a\.ipynb, b\.ipynb\)/);

    await Deno.remove(`${tmp}/submission/b.ipynb`);
    await Deno.writeTextFile(`${tmp}/submission/a.ipynb`, Deno.readTextFileSync(SOURCE));
    const noSandbox = await runAutograder(tmp, { bwrap: `${tmp}/no-such-bwrap` });
    assert.equal(noSandbox.score, 0);
    assert.match(noSandbox.output, /could not start its sandbox.*no-such-bwrap is not installed/s);

    await Deno.writeTextFile(`${tmp}/source/course/gradescope.json`, '{"lesson":"00-welcome"}');
    await assert.rejects(() => runAutograder(tmp), /gradescope\.json/);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
});

/** The Dockerfile's instructions, one per logical line (continuations joined, comments dropped). */
function dockerInstructions(text: string): { op: string; args: string; stage: string }[] {
  const lines = text.split("\n").filter((l) => !/^\s*#/.test(l));
  const joined = lines.join("\n").replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter(
    Boolean,
  );
  let stage = "";
  return joined.map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    const args = rest.join(" ");
    if (op.toUpperCase() === "FROM") stage = args.split(/\s+[Aa][Ss]\s+/)[1] ?? args;
    return { op: op.toUpperCase(), args, stage };
  });
}

Deno.test("class image: the Dockerfile's shape (non-root user, garden's set-up, the hub's entry point, no solutions in the student image)", () => {
  const ins = dockerInstructions(Deno.readTextFileSync(`${REPO}/Dockerfile`));
  const froms = ins.filter((i) => i.op === "FROM").map((i) => i.args);
  assert.equal(froms[0], "node:20-bookworm-slim AS system", "Debian 12 with Node 20");
  assert.ok(froms.includes("${EDITION} AS image"), "the final stage is the chosen edition");
  const preamble = Deno.readTextFileSync(`${REPO}/Dockerfile`).split("\n").filter((l) =>
    l.startsWith("ARG")
  );
  assert.ok(preamble.includes("ARG EDITION=student"), "the student edition by default");
  const inStage = (s: string) => ins.filter((i) => i.stage === s);
  // repo2docker's build arguments, and a non-root user for the hub.
  assert.ok(inStage("system").some((i) => i.op === "ARG" && i.args === "NB_USER=jovyan"));
  assert.ok(inStage("system").some((i) => i.op === "ARG" && i.args === "NB_UID=1000"));
  assert.match(
    inStage("system").find((i) => i.op === "RUN" && i.args.includes("useradd"))!.args,
    /--uid "\$\{NB_UID\}"/,
  );
  assert.ok(inStage("system").some((i) => i.op === "RUN" && i.args.includes("garden setup-apt")));
  for (const stage of ["full", "student"]) {
    const s = inStage(stage);
    const user = s.findIndex((i) => i.op === "USER" && i.args === "${NB_USER}");
    const setup = s.findIndex((i) => i.op === "RUN" && i.args === "./garden setup");
    assert.ok(user >= 0 && setup > user, `${stage}: ./garden setup runs as the user`);
  }
  const image = inStage("image");
  assert.ok(
    !image.some((i) => i.op === "COPY" || i.op === "ADD"),
    "the final stage copies nothing in",
  );
  assert.equal(
    image.filter((i) => i.op === "USER").at(-1)!.args,
    "${NB_USER}",
    "the image runs as the user",
  );
  assert.equal(image.find((i) => i.op === "ENTRYPOINT")!.args, '["memgarden-start"]');
  assert.match(image.find((i) => i.op === "CMD")!.args, /^\["jupyterhub-singleuser"/);
  assert.ok(
    image.some((i) => i.op === "ENV" && i.args.includes("JUPYTER_PATH=/opt/memgarden/.jupyter")),
  );
  // The student image takes only the release's output (and the start script) from elsewhere.
  const student = inStage("student");
  for (const copy of student.filter((i) => i.op === "COPY")) {
    assert.match(
      copy.args,
      /--from=release .*\/tmp\/student-edition\/ |--from=release .*\.tools |docker\/memgarden-start/,
      copy.args,
    );
  }
  assert.ok(
    inStage("release").some((i) =>
      i.op === "RUN" && /tools\/release\.ts --out \/tmp\/student-edition/.test(i.args)
    ),
  );
  assert.ok(!ins.some((i) => /jupyter_config\.py/.test(i.args)), "no git-based notebook config");
  const ignore = Deno.readTextFileSync(`${REPO}/.dockerignore`).split("\n");
  for (const p of [".git", ".tools", "out"]) assert.ok(ignore.includes(p), `.dockerignore: ${p}`);
});

Deno.test("class image: the entry point links the library into the home folder and never overwrites a saved lesson", async () => {
  const home = await Deno.makeTempDir({ prefix: "memgarden-start-test-" });
  try {
    const run = () =>
      new Deno.Command(`${REPO}/docker/memgarden-start`, {
        args: ["true"],
        env: { HOME: home, MEMGARDEN_SOURCE: REPO },
      }).output();
    assert.ok((await run()).success);
    const dest = `${home}/memgarden`;
    assert.equal(Deno.realPathSync(`${dest}/lib`), Deno.realPathSync(`${REPO}/lib`));
    assert.equal(Deno.readLinkSync(`${dest}/deno.json`), `${REPO}/deno.json`);
    assert.equal(
      Deno.readTextFileSync(`${dest}/notebooks/${LESSON}.ipynb`),
      Deno.readTextFileSync(SOURCE),
    );
    assert.ok(
      !Deno.lstatSync(`${dest}/notebooks/${LESSON}.ipynb`).isSymlink,
      "the lessons are the user's own copies",
    );
    await Deno.writeTextFile(`${dest}/notebooks/${LESSON}.ipynb`, "my answers");
    await Deno.remove(`${dest}/notebooks/01-memory-hierarchy.ipynb`);
    assert.ok((await run()).success);
    assert.equal(Deno.readTextFileSync(`${dest}/notebooks/${LESSON}.ipynb`), "my answers");
    assert.ok(
      Deno.statSync(`${dest}/notebooks/01-memory-hierarchy.ipynb`).isFile,
      "a missing lesson comes back",
    );
  } finally {
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
});

Deno.test("gradescope: bad flags and an --out inside the course's folders are usage errors before anything is built", async () => {
  assert.throws(
    () => parseGradescopeArgs([]),
    /--lesson must be a lesson with exercises.*received nothing/,
  );
  assert.throws(() => parseGradescopeArgs(["--lesson", "99"]), /--lesson must be .*received 99/);
  assert.throws(
    () => parseGradescopeArgs(["--lesson", "00", "--out", "a.txt"]),
    /--out must be a file name ending in \.zip: received a\.txt/,
  );
  assert.throws(
    () => parseGradescopeArgs(["--lesson", "00", "--jobs", "2"]),
    /unknown argument --jobs/,
  );
  assert.throws(
    () => parseGradescopeArgs(["--lesson", "00", "--hidden-visibility", "later"]),
    /--hidden-visibility must be one of hidden, after_due_date, after_published, visible: received later/,
  );
  const parsed = parseGradescopeArgs([
    "--lesson",
    "04",
    "--hidden-visibility",
    "hidden",
    "--allow-unsafe",
  ]);
  assert.ok("config" in parsed);
  assert.deepEqual(parsed.config, {
    lesson: "04-allocation",
    hiddenVisibility: "hidden",
    allowUnsafe: true,
    denoVersion: DENO_VERSION,
  });
  const config = {
    lesson: LESSON,
    hiddenVisibility: "hidden" as const,
    allowUnsafe: false,
    denoVersion: DENO_VERSION,
  };
  for (const inside of ["lib/x.zip", "notebooks/x.zip", "tests/exercise/x.zip"]) {
    await assert.rejects(
      () => writeBundle(config, `${REPO}/${inside}`),
      /--out must not be inside the course's/,
    );
    assert.ok(!exists(`${REPO}/${inside}`), inside);
  }
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
