import assert from "node:assert/strict";
import { borrowCli, MAX_BORROW_FILE_BYTES } from "memgarden/cli/borrow.ts";
import { main } from "memgarden/cli/main.ts";

const files: Record<string, string> = {
  "moved.rs":
    'fn main() {\n    let s = String::from("a");\n    let t = s;\n    println!("{}", s);\n}\n',
  "ok.rs":
    'fn main() {\n    let mut x = 1;\n    let r = &x;\n    println!("{}", r);\n    x = 2;\n}\n',
  "float.rs": "fn main() {\n    let x = 1.5;\n}\n",
};
const read = (p: string) => {
  if (!(p in files)) throw new Error("No such file or directory");
  return files[p];
};

Deno.test("sim borrow prints rustc-style diagnostics and exits 1 on a rejected program", () => {
  const r = borrowCli(["moved.rs"], read);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^error\[E0382\]: borrow of moved value: `s`\n --> moved\.rs:4:20\n/);
  assert.ok(r.stdout.includes("3 |     let t = s;\n  |             - value moved here"));
  assert.match(
    r.stdout,
    /4 \| {5}println!\("\{\}", s\);\n {2}\| {20}\^ value borrowed here after move/,
  );
  assert.match(r.stdout, /error: aborting due to 1 previous error/);
});

Deno.test("sim borrow --json prints code, line, column, message; [] and exit 0 when accepted", () => {
  const r = borrowCli(["--json", "moved.rs"], read);
  assert.equal(r.status, 1);
  assert.deepEqual(JSON.parse(r.stdout), [
    { code: "E0382", line: 4, column: 20, message: "borrow of moved value: `s`" },
  ]);
  const ok = borrowCli(["ok.rs", "--json"], read);
  assert.deepEqual([ok.status, JSON.parse(ok.stdout)], [0, []]);
  assert.equal(borrowCli(["ok.rs"], read).status, 0);
});

Deno.test("sim borrow exits 2 with the reason outside the subset and on usage errors", () => {
  const out = borrowCli(["float.rs"], read);
  assert.equal(out.status, 2);
  assert.equal(
    out.stderr,
    "float.rs:2:13: outside the Rust subset: floating-point literals are outside the subset",
  );
  for (const args of [[], ["a.rs", "b.rs"], ["--frobnicate", "ok.rs"], ["missing.rs"]]) {
    const r = borrowCli(args, read);
    assert.equal(r.status, 2, args.join(" "));
    assert.ok(r.stderr.length > 0);
  }
  assert.match(borrowCli(["missing.rs"], read).stderr, /Cannot read FILE\.rs "missing\.rs"/);
});

Deno.test("sim borrow --drops lists where owned values are dropped", () => {
  const r = borrowCli(["--drops", "moved.rs"], read);
  assert.match(r.stdout, /drop t at moved\.rs:5:1 \(end of scope\)/);
});

Deno.test("sim borrow is registered in sim's dispatcher and reads real files, refusing huge ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-borrow-" });
  try {
    await Deno.writeTextFile(`${dir}/ok.rs`, files["ok.rs"]);
    await Deno.writeTextFile(`${dir}/big.rs`, "/".repeat(MAX_BORROW_FILE_BYTES + 1));
    const log = console.log;
    const err = console.error;
    const seen: string[] = [];
    console.log = (s: string) => seen.push(s);
    console.error = (s: string) => seen.push(s);
    try {
      assert.equal(await main(["borrow", `${dir}/ok.rs`]), 0);
      assert.equal(await main(["borrow", `${dir}/big.rs`]), 2);
      assert.equal(await main(["borrow", dir]), 2);
    } finally {
      console.log = log;
      console.error = err;
    }
    assert.match(seen.join("\n"), /larger than/);
    assert.match(seen.join("\n"), /not a regular file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
