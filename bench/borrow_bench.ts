/**
 * The borrow checker's speed on the corpus (data/rust, 89 programs): parse,
 * type-check, lower to a control-flow graph and run the NLL analysis.
 */
import { checkBorrows } from "memgarden";

const dir = new URL("../data/rust/", import.meta.url).pathname;
const sources = [...Deno.readDirSync(dir)]
  .filter((e) => e.name.endsWith(".rs"))
  .map((e) => Deno.readTextFileSync(dir + e.name));
const longest = sources.reduce((a, b) => (b.length > a.length ? b : a));
let sink = 0;

Deno.bench({
  group: "borrow",
  name: `check the whole corpus (${sources.length} programs)`,
  baseline: true,
  fn() {
    for (const s of sources) sink += checkBorrows(s).diagnostics.length;
  },
});

Deno.bench({
  group: "borrow",
  name: "check the longest corpus program",
  fn() {
    sink += checkBorrows(longest).diagnostics.length;
  },
});

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
