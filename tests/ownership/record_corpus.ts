/**
 * Record rustc's verdicts on the corpus: `deno run -A tests/ownership/record_corpus.ts`
 * rewrites data/rust/verdicts.json from the installed rustc. Run it after
 * adding or changing a program; the corpus tests then check the recording.
 *
 * @module
 */
import { runRustc, rustcVersion } from "memgarden";
import { CORPUS_DIR, corpusFiles, pool, type Verdicts } from "./_corpus.ts";

if (import.meta.main) {
  const version = await rustcVersion();
  if (version === null) {
    console.error("rustc is not installed: nothing recorded");
    Deno.exit(1);
  }
  const files = corpusFiles();
  const verdicts = await pool(files, 3, async (f) => {
    const v = await runRustc(f.source);
    if (!v.available) throw new Error(v.reason);
    return [f.name, { accepted: v.accepted, errors: v.diagnostics }] as const;
  });
  const out: Verdicts = {
    rustc: version,
    recorded: new Date().toISOString().slice(0, 10),
    command: "rustc --edition 2021 --crate-type bin --emit=metadata --error-format=json",
    programs: Object.fromEntries(verdicts),
  };
  Deno.writeTextFileSync(CORPUS_DIR + "verdicts.json", JSON.stringify(out, null, 2) + "\n");
  console.log(`recorded ${files.length} verdicts with ${version}`);
}
