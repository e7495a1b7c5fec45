/**
 * Nothing crashes the checker: random text, random token soups and random
 * edits of the corpus give a verdict or an OutsideSubsetError, never another
 * exception; `sim borrow` gives an exit status for any arguments.
 */
import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { checkBorrows, OutsideSubsetError } from "memgarden";
import { borrowCli } from "memgarden/cli/borrow.ts";
import { corpusFiles } from "./_corpus.ts";

const TOKENS = [
  "fn",
  "main",
  "(",
  ")",
  "{",
  "}",
  "let",
  "mut",
  "x",
  "y",
  "r",
  "=",
  ";",
  "&",
  "&mut",
  "*",
  "1",
  "true",
  "if",
  "else",
  "while",
  "loop",
  "break",
  "return",
  'String::from("a")',
  "vec![1]",
  "Box::new(2)",
  ".push(3)",
  ".len()",
  ".clone()",
  'println!("{}", x)',
  "drop(x)",
  "+",
  "==",
  "<",
  "[0]",
  ":",
  "i32",
  "Vec<i32>",
  "&String",
  ",",
  "->",
  "f",
  "\n",
];

function verdictOrRefusal(src: string): void {
  try {
    const r = checkBorrows(src);
    assert.equal(typeof r.accepted, "boolean");
  } catch (e) {
    if (!(e instanceof OutsideSubsetError)) {
      throw new Error(`the checker crashed on:\n${src}\n${(e as Error).stack}`);
    }
    assert.ok(e.line >= 1 && e.column >= 1);
  }
}

Deno.test("random text and token soups: a verdict or a refusal with a position, nothing else", () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), verdictOrRefusal), {
    numRuns: 300,
    seed: 1,
  });
  const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) =>
    `fn main() { ${t.join(" ")} }`
  );
  fc.assert(fc.property(soup, verdictOrRefusal), { numRuns: 1500, seed: 2 });
});

Deno.test("random edits of the corpus: a verdict or a refusal, nothing else", () => {
  const files = corpusFiles();
  const edit = fc.record({
    file: fc.integer({ min: 0, max: files.length - 1 }),
    at: fc.nat(),
    cut: fc.integer({ min: 0, max: 12 }),
    insert: fc.constantFrom(...TOKENS, ""),
  });
  fc.assert(
    fc.property(edit, ({ file, at, cut, insert }) => {
      const src = files[file].source;
      const i = at % (src.length + 1);
      verdictOrRefusal(src.slice(0, i) + insert + src.slice(i + cut));
    }),
    { numRuns: 1500, seed: 3 },
  );
});

Deno.test("sim borrow: any arguments give an exit status of 0, 1 or 2, never an exception", () => {
  const read = (p: string) => {
    if (p === "ok.rs") return 'fn main() { let x = 1; println!("{}", x); }';
    throw new Error("No such file");
  };
  const arg = fc.oneof(
    fc.constantFrom("ok.rs", "--json", "--drops", "-h", "--", "-x", "a.rs"),
    fc.string(),
  );
  fc.assert(
    fc.property(fc.array(arg, { maxLength: 5 }), (args) => {
      const r = borrowCli(args, read);
      assert.ok([0, 1, 2].includes(r.status));
      if (r.status === 2) assert.ok(r.stderr.length > 0 || args.includes("-h"));
    }),
    { numRuns: 500, seed: 4 },
  );
});
