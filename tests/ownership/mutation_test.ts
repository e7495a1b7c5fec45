/**
 * Random mutations of the corpus (a statement deleted, a `&` turned into
 * `&mut`, a statement moved below the next) checked by both the checker and
 * the installed rustc, in one rustc run. Nothing is cached: every run asks
 * rustc again. Without rustc the test is skipped cleanly.
 */
import assert from "node:assert/strict";
import { checkBorrows, OutsideSubsetError, runRustcBatch, rustcVersion } from "memgarden";
import { corpusFiles } from "./_corpus.ts";
import { type Mutant, mutate } from "./_mutate.ts";

const hasRustc = (await rustcVersion()) !== null;
/** Codes the borrow checker itself emits; anything else rustc reports earlier (types, names). */
const BORROWCK = new Set([
  "E0381",
  "E0382",
  "E0384",
  "E0499",
  "E0502",
  "E0503",
  "E0505",
  "E0506",
  "E0507",
  "E0515",
  "E0594",
  "E0596",
  "E0597",
  "E0716",
]);
const MUTANTS = 250;
const FIRST_SEED = Number(Deno.env.get("MEMGARDEN_MUTATION_SEED") ?? 20261201);

Deno.test({
  name:
    `the checker and rustc agree on ${MUTANTS} random mutants of the corpus (skipped without rustc)`,
  ignore: !hasRustc,
  fn: async () => {
    const files = corpusFiles();
    const mutants: (Mutant & { from: string; seed: number })[] = [];
    for (let seed = FIRST_SEED; mutants.length < MUTANTS; seed++) {
      const f = files[seed % files.length];
      const m = mutate(f.source, seed);
      if (m && m.source !== f.source) mutants.push({ ...m, from: f.name, seed });
    }
    const kinds = new Set(mutants.map((m) => m.kind));
    assert.equal(kinds.size, 3, "all three kinds of mutation are drawn");
    const rustc = await runRustcBatch(mutants.map((m) => m.source));
    const disagree: string[] = [];
    let judged = 0;
    let refused = 0;
    let positions = 0;
    let matched = 0;
    mutants.forEach((m, i) => {
      const v = rustc[i];
      assert.ok(v.available);
      const what = `${m.from} seed ${m.seed} (${m.kind}, line ${m.line})`;
      const theirs = [...new Set(v.diagnostics.map((d) => d.code))].sort();
      let r;
      try {
        r = checkBorrows(m.source);
      } catch (e) {
        if (!(e instanceof OutsideSubsetError)) throw e;
        refused++;
        // Refusing is allowed only where rustc rejects before borrow checking.
        if (v.accepted || theirs.every((c) => c !== null && BORROWCK.has(c))) {
          disagree.push(
            `${what}: refused (${e.message}) but rustc says ${theirs.join(",") || "accepted"}`,
          );
        }
        return;
      }
      judged++;
      const ours = [...new Set(r.diagnostics.map((d) => d.code))].sort();
      if (r.accepted !== v.accepted || ours.join() !== theirs.join()) {
        disagree.push(
          `${what}: rustc ${theirs.join(",") || "accepts"}, checker ${ours.join(",") || "accepts"}`,
        );
      }
      const at = new Set(r.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`));
      positions += v.diagnostics.length;
      matched += v.diagnostics.filter((d) => at.has(`${d.code}@${d.line}:${d.column}`)).length;
    });
    assert.deepEqual(disagree, []);
    assert.ok(
      judged >= MUTANTS * 0.85,
      `the checker judged only ${judged} of ${MUTANTS} (${refused} refused)`,
    );
    assert.ok(
      positions === 0 || matched / positions >= 0.9,
      `positions agree on ${matched}/${positions}`,
    );
  },
});
