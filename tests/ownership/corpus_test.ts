/**
 * The corpus in data/rust/: rustc's recorded verdicts are rustc's (checked
 * live when rustc is installed, skipped cleanly otherwise), and the checker
 * agrees with them: verdict and error codes on every program, primary
 * positions on at least 90% of rustc's errors.
 */
import assert from "node:assert/strict";
import { checkBorrows, runRustcBatch, rustcVersion } from "memgarden";
import { corpusFiles, loadVerdicts } from "./_corpus.ts";

const files = corpusFiles();
const verdicts = loadVerdicts();
const hasRustc = (await rustcVersion()) !== null;
const codes = (ds: { code: string | null }[]) => [...new Set(ds.map((d) => d.code))].sort();
const REQUIRED = ["E0382", "E0384", "E0499", "E0502", "E0505", "E0506", "E0596", "E0597"];

Deno.test("the corpus has at least 60 programs, accepted and rejected, covering every required code", () => {
  assert.ok(files.length >= 60, `only ${files.length} programs`);
  assert.deepEqual(Object.keys(verdicts.programs).sort(), files.map((f) => f.name));
  const recorded = Object.values(verdicts.programs);
  assert.ok(recorded.filter((v) => v.accepted).length >= 20);
  assert.ok(recorded.filter((v) => !v.accepted).length >= 30);
  const seen = new Set(recorded.flatMap((v) => v.errors.map((e) => e.code)));
  for (const c of REQUIRED) assert.ok(seen.has(c), `no program shows ${c}`);
  assert.ok(
    files.some((f) => f.name.includes("essay-box")) &&
      files.some((f) => f.name.includes("essay-vec")),
  );
});

Deno.test({
  name: "the recorded verdicts are what the installed rustc says (skipped without rustc)",
  ignore: !hasRustc,
  fn: async () => {
    const live = await runRustcBatch(files.map((f) => f.source));
    const differ: string[] = [];
    live.forEach((v, i) => {
      assert.ok(v.available);
      const rec = verdicts.programs[files[i].name];
      const a = v.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`).sort();
      const b = rec.errors.map((d) => `${d.code}@${d.line}:${d.column}`).sort();
      if (v.accepted !== rec.accepted || JSON.stringify(a) !== JSON.stringify(b)) {
        differ.push(
          `${files[i].name}: rustc now ${a.join(" ") || "accepts"}, recorded ${
            b.join(" ") || "accepted"
          }`,
        );
      }
    });
    assert.deepEqual(differ, []);
  },
});

Deno.test("the checker agrees with rustc on every corpus program: verdict, codes, and >= 90% of positions", () => {
  const wrong: string[] = [];
  let positions = 0;
  let matched = 0;
  for (const f of files) {
    const rec = verdicts.programs[f.name];
    const r = checkBorrows(f.source, { file: f.name });
    if (r.accepted !== rec.accepted || codes(r.diagnostics).join() !== codes(rec.errors).join()) {
      wrong.push(
        `${f.name}: rustc ${codes(rec.errors).join(",") || "accepts"}, checker ${
          codes(r.diagnostics).join(",") || "accepts"
        }`,
      );
    }
    const ours = new Set(r.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`));
    positions += rec.errors.length;
    matched += rec.errors.filter((e) => ours.has(`${e.code}@${e.line}:${e.column}`)).length;
  }
  assert.deepEqual(wrong, []);
  assert.ok(matched / positions >= 0.9, `primary positions agree on ${matched}/${positions}`);
});
