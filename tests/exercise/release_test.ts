/**
 * The student edition: complete (lessons, library, data, configuration, a
 * README), free of every solution's text and of the hidden tests, identical
 * when written twice, and able to run a lesson's checks on its own.
 */
import assert from "node:assert/strict";
import { getHiddenTests, listExercises } from "memgarden";
import "memgarden/exercise/hidden/mod.ts";
import { lessonNotebooks, writeStudentEdition } from "../../tools/release.ts";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** Every solution block of every source lesson, as its lines. */
function solutionBlocks(): { where: string; lines: string[] }[] {
  const blocks: { where: string; lines: string[] }[] = [];
  for (const path of lessonNotebooks()) {
    const nb = JSON.parse(Deno.readTextFileSync(path));
    for (const cell of nb.cells) {
      const src = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
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

/** A notebook's cell sources with every solution block left out. */
function outsideSolutions(text: string): string {
  const nb = JSON.parse(text);
  return nb.cells.map((cell: { source: string | string[] }) => {
    const src = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    return src.replace(/\/\/ BEGIN SOLUTION[\s\S]*?\/\/ END SOLUTION/g, "");
  }).join("\n");
}

function allFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isDirectory) walk(`${dir}/${e.name}`);
      else out.push(`${dir}/${e.name}`);
    }
  };
  walk(root);
  return out.sort();
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

Deno.test("release: the student edition is complete, repeatable, and holds no solution and no hidden test", async () => {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-edition-test-" });
  try {
    const written = await writeStudentEdition(`${dir}/a`);
    const again = await writeStudentEdition(`${dir}/b`);
    assert.deepEqual(written, again);
    for (const rel of written) {
      assert.deepEqual(
        Deno.readFileSync(`${dir}/a/${rel}`),
        Deno.readFileSync(`${dir}/b/${rel}`),
        `${rel} differs between releases`,
      );
    }
    // Writing over an earlier edition replaces it.
    await writeStudentEdition(`${dir}/a`);
    for (
      const need of [
        "README.md",
        "deno.json",
        "deno.lock",
        "garden",
        "lib/mod.ts",
        "lib/exercise/_child.ts",
        ".jupyter/kernels/deno/kernel.json",
        "tools/nbrun.py",
      ]
    ) {
      assert.ok(written.includes(need), `the edition has ${need}`);
    }
    for (const path of lessonNotebooks()) {
      assert.ok(written.includes(`notebooks/${path.split("/").pop()}`), path);
    }
    assert.ok(written.some((f) => f.startsWith("data/")), "the data ships");
    assert.ok(!written.some((f) => f.includes("exercise/hidden")), "no hidden tests");
    assert.ok(!written.some((f) => f.startsWith("tests/") || f.startsWith("tools/grade")));
    const tasks = JSON.parse(Deno.readTextFileSync(`${dir}/a/deno.json`)).tasks;
    assert.ok(!("grade" in tasks) && !("release" in tasks) && "lab" in tasks);

    const files = allFiles(`${dir}/a`).map((f) => ({ f, text: Deno.readTextFileSync(f) }));
    const squashed = files.map(({ f, text }) => ({ f, text: squash(text) }));
    const blocks = solutionBlocks();
    // What is public anyway: the library (without hidden/), the data, and the lessons' text
    // outside their solution blocks.
    const publicText = allFiles(`${REPO}/lib`).filter((f) => !f.includes("/exercise/hidden/"))
      .concat(allFiles(`${REPO}/data`)).map((f) => Deno.readTextFileSync(f))
      .concat(lessonNotebooks().map((p) => outsideSolutions(Deno.readTextFileSync(p))))
      .join("\n");
    assert.ok(blocks.length >= 13, `${blocks.length} solution blocks`);
    for (const { where, lines } of blocks) {
      const block = squash(lines.join("\n"));
      if (block.length >= 12) {
        for (const { f, text } of squashed) {
          assert.ok(!text.includes(block), `${where}: its solution is in ${f}`);
        }
      }
      for (const line of lines.filter((l) => l.length >= 16)) {
        // A line that is public anyway (a common idiom, or shown elsewhere in the lesson) is
        // not a leak; any other solution line must appear nowhere in the edition.
        if (publicText.includes(line)) continue;
        for (const { f, text } of files) {
          assert.ok(!text.includes(line), `${where}: "${line}" is in ${f}`);
        }
      }
    }
    for (const ex of listExercises()) {
      const hidden = getHiddenTests(ex.id);
      if (!hidden || typeof hidden.reference !== "function") continue;
      const reference = squash(String(hidden.reference));
      for (const { f, text } of squashed) {
        assert.ok(!text.includes(reference), `${ex.id}: its reference answer is in ${f}`);
      }
    }
    for (const { f, text } of files) assert.doesNotMatch(text, /defineHiddenTests<\s/, f);

    // The edition runs on its own: a check from its library, with its own deno.json.
    await Deno.writeTextFile(
      `${dir}/a/try.ts`,
      'import { check } from "memgarden";\nconst r = await check("welcome-align-up", (a: number, n: number) => Math.ceil(a / n) * n);\nconsole.log(r.score, r.maxScore);\n',
    );
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-check", "--frozen", "--cached-only", "try.ts"],
      cwd: `${dir}/a`,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(
      new TextDecoder().decode(run.stdout).trim(),
      "3 3",
      new TextDecoder().decode(run.stderr),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
