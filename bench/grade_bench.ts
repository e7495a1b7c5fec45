/**
 * Grading speed: 20 submissions of lesson 00 (3 exercises each, so 60 child
 * processes, each in the bubblewrap sandbox, judged against the hidden
 * tests), half solved and half fresh student copies, run in parallel up to
 * the core count; one sandbox warm-up per run is included. The figure goes
 * in the README's "For instructors" section and its table of benchmarks.
 */
import { releaseNotebook } from "memgarden";
import { gradeSubmissions } from "../tools/grade.ts";

const REPO = new URL("..", import.meta.url).pathname;
const source = await Deno.readTextFile(`${REPO}notebooks/00-welcome.ipynb`);
const released = releaseNotebook(source, "00-welcome.ipynb");
const dir = await Deno.makeTempDir({ prefix: "memgarden-grade-bench-" });
const submissions = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
  const path = `${dir}/student-${String(i).padStart(2, "0")}-00-welcome.ipynb`;
  await Deno.writeTextFile(path, i % 2 === 0 ? source : released);
  return { path, name: path.split("/").pop()! };
}));

let kept = 0;
Deno.bench({
  group: "grade",
  name: "grade 20 submissions of 00-welcome (60 sandboxed child processes)",
  n: 3,
  warmup: 1,
  fn: async () => {
    const run = await gradeSubmissions(submissions, { timeLimitMs: 20_000 });
    if (run.grades.length !== 20 || run.grades[0].score !== 10 || run.grades[1].score !== 0) {
      throw new Error(`unexpected grades: ${run.grades.map((g) => g.score).join(", ")}`);
    }
    kept += run.grades.length;
  },
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(dir, { recursive: true });
  if (kept === 0) console.error("the grading bench did not run");
});
