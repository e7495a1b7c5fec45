import assert from "node:assert/strict";
import { checkRust, rustcVersion } from "memgarden";

const DISPLAY = Symbol.for("Jupyter.display");
const bundle = (w: object) => (w as Record<symbol, () => Record<string, string>>)[DISPLAY]();
const hasRustc = (await rustcVersion()) !== null;
const MOVED =
  'fn main() {\n    let s = String::from("a");\n    let t = s;\n    println!("{}", s);\n}\n';

Deno.test("checker only: the verdict is shown and nothing is compared", async () => {
  const w = await checkRust(MOVED, { rustc: false });
  assert.ok("diagnostics" in w.checker);
  assert.deepEqual(w.checker.diagnostics.map((d) => d.code), ["E0382"]);
  assert.equal(w.agree, null);
  assert.match(bundle(w)["text/plain"], /course checker: rejected: E0382 at 4:20\nrustc: +not run/);
  assert.match(bundle(w)["text/plain"], /Only one verdict/);
});

Deno.test("a program outside the subset gets no verdict from the checker, and says why", async () => {
  const w = await checkRust("fn main() { let x = 1.5; }", { rustc: false });
  assert.ok("refused" in w.checker);
  assert.match(
    bundle(w)["text/plain"],
    /no verdict \(Outside the Rust subset at 1:21: floating-point/,
  );
});

Deno.test({
  name: "with rustc: both verdicts, and they agree (skipped without rustc)",
  ignore: !hasRustc,
  fn: async () => {
    const rejected = await checkRust(MOVED);
    assert.equal(rejected.agree, true);
    assert.ok(rejected.rustc.available && !rejected.rustc.accepted);
    const ok = await checkRust('fn main() {\n    let x = 1;\n    println!("{}", x);\n}\n');
    assert.equal(ok.agree, true);
    assert.match(bundle(ok)["text/html"], /agree on the verdict/);
  },
});
