/**
 * The checker on worked cases, each with the code and primary position rustc
 * gives (recorded with rustc 1.95), and on what it must refuse.
 */
import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { checkBorrows, OutsideSubsetError, parseRust } from "memgarden";

const at = (src: string) =>
  checkBorrows(src).diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);
const main = (body: string) => `fn main() {\n${body}\n}\n`;

Deno.test("non-lexical lifetimes: a borrow ends at its last use, not at the end of the block", () => {
  assert.deepEqual(
    at(main('    let mut x = 1;\n    let r = &x;\n    println!("{}", r);\n    x = 2;')),
    [],
  );
  assert.deepEqual(
    at(main('    let mut x = 1;\n    let r = &x;\n    x = 2;\n    println!("{}", r);')),
    ["E0506@4:5"],
  );
});

Deno.test("a loop: a reference overwritten before its next use no longer holds its old borrow", () => {
  const src = main([
    "    let mut v = vec![1];",
    "    let mut r = &v;",
    "    let mut i = 0;",
    "    while i < 2 {",
    "        v.push(i);",
    "        r = &v;",
    "        i += 1;",
    "    }",
    '    println!("{:?}", r);',
  ].join("\n"));
  assert.deepEqual(at(src), []);
});

Deno.test("two-phase borrows: v.push(v.len()) is accepted, an explicit &mut argument is not", () => {
  assert.deepEqual(at(main("    let mut v: Vec<usize> = vec![1];\n    v.push(v.len());")), []);
  const f = "fn add(v: &mut Vec<usize>, n: usize) {\n    v.push(n);\n}\n";
  assert.deepEqual(
    at(f + main("    let mut v = vec![1];\n    add(&mut v, v.len());")),
    ["E0502@6:17"],
  );
});

Deno.test("implicit reborrows: passing a &mut to a function reborrows it, `let m2 = m;` moves it", () => {
  const bump = "fn bump(r: &mut i32) {\n    *r += 1;\n}\n";
  assert.deepEqual(
    at(bump + main("    let mut x = 1;\n    let m = &mut x;\n    bump(m);\n    bump(m);")),
    [],
  );
  assert.deepEqual(
    at(main("    let mut x = 1;\n    let m = &mut x;\n    let m2 = m;\n    *m = 3;\n    *m2 = 4;")),
    ["E0382@5:5"],
  );
  assert.deepEqual(
    at(
      main(
        "    let mut x = 1;\n    let m = &mut x;\n    let m2: &mut i32 = m;\n    *m2 = 4;\n    *m = 3;",
      ),
    ),
    [],
  );
});

Deno.test("each required code at rustc's primary position", () => {
  const cases: [string, string][] = [
    ['    let s = String::from("a");\n    let t = s;\n    println!("{}", s);', "E0382@4:20"],
    ["    let x = 1;\n    x = 2;", "E0384@3:5"],
    [
      '    let mut s = String::new();\n    let a = &mut s;\n    let b = &mut s;\n    a.push_str("x");',
      "E0499@4:13",
    ],
    [
      '    let mut v = vec![1];\n    let r = &v;\n    v.push(2);\n    println!("{}", r.len());',
      "E0502@4:5",
    ],
    [
      '    let s = String::new();\n    let r = &s;\n    let t = s;\n    println!("{}", r);',
      "E0505@4:13",
    ],
    ['    let mut a = 1;\n    let p = &a;\n    a = 2;\n    println!("{}", p);', "E0506@4:5"],
    ["    let v = vec![1];\n    v.push(2);", "E0596@3:5"],
    [
      '    let r;\n    {\n        let x = 5;\n        r = &x;\n    }\n    println!("{}", r);',
      "E0597@5:13",
    ],
  ];
  for (const [body, want] of cases) assert.deepEqual(at(main(body)), [want], body);
});

Deno.test("drop points: end of scope in reverse order, drop() calls, moved values not dropped", () => {
  const r = checkBorrows(main([
    '    let a = String::from("a");',
    "    let b = Box::new(1);",
    "    let c = vec![1];",
    "    drop(c);",
    "    let d = a;",
    '    println!("{} {}", b, d);',
  ].join("\n")));
  assert.equal(r.accepted, true);
  assert.deepEqual(r.drops.map((d) => [d.name, d.line, d.column, d.reason]), [
    ["c", 5, 10, "drop() call"],
    ["d", 8, 1, "end of scope"],
    ["b", 8, 1, "end of scope"],
  ]);
  const cond = checkBorrows(
    main("    let s = String::new();\n    if true {\n        drop(s);\n    }"),
  );
  assert.deepEqual(cond.drops.map((d) => [d.name, d.reason, d.conditional]), [
    ["s", "drop() call", false],
    ["s", "end of scope", true],
  ]);
});

Deno.test("outside the subset: refused with the construct and its position, never judged", () => {
  const refusals: [string, RegExp, number, number][] = [
    ["struct P { x: i32 }\nfn main() {}", /only free functions/, 1, 1],
    ["fn main() {\n    let x = 1.5;\n}", /floating-point/, 2, 13],
    ["fn main() {\n    let v = vec![1];\n    for x in v {}\n}", /for is outside/, 3, 5],
    ["fn f<'a>(x: &'a i32) {}\nfn main() {}", /generic parameters and lifetimes/, 1, 5],
    ["fn main() {\n    let x: i32 = true;\n}", /type error/, 2, 18],
    [
      'fn main() {\n    let s = String::from("a");\n    println!("{}", s.to_uppercase());\n}',
      /to_uppercase/,
      3,
      20,
    ],
  ];
  for (const [src, why, line, column] of refusals) {
    assert.throws(() => checkBorrows(src), (e: unknown) => {
      assert.ok(e instanceof OutsideSubsetError, String(e));
      assert.match(e.message, why);
      assert.deepEqual([e.line, e.column], [line, column], src);
      return true;
    });
  }
});

Deno.test("an unknown name is E0425, and the function is then not borrow checked (as rustc)", () => {
  assert.deepEqual(
    at(main('    let s = String::new();\n    let t = s;\n    println!("{} {}", s, u);')),
    [
      "E0425@4:26",
    ],
  );
});

/**
 * A reference model for straight-line code: a borrow lives until the last use
 * of its reference, or until the borrowed variable is overwritten.
 */
function referenceVerdict(ops: Op[]): string[] {
  const errors: string[] = [];
  // ops refer to x (the owner, i32, mut) and references r0..r2 taken from it.
  const lastUse = new Map<number, number>();
  ops.forEach((op, i) => {
    if (op.k === "use") lastUse.set(op.r, i);
  });
  const taken = new Map<number, { at: number; mut: boolean }>();
  ops.forEach((op, i) => {
    const live = [...taken.entries()].filter(([r, b]) => b.at < i && (lastUse.get(r) ?? -1) >= i);
    if (op.k === "borrow") {
      if (live.some(([, b]) => b.mut || op.mut)) {
        errors.push(live.some(([, b]) => b.mut) && op.mut ? "E0499" : "E0502");
      }
      taken.set(op.r, { at: i, mut: op.mut });
    } else if (op.k === "write") {
      if (live.length) errors.push("E0506");
      // rustc kills every loan of x when x is overwritten: later uses of old references are not conflicts.
      taken.clear();
    } else if (op.k === "read") {
      if (live.some(([, b]) => b.mut)) errors.push("E0503");
    }
  });
  return [...new Set(errors)].sort();
}

type Op =
  | { k: "borrow"; r: number; mut: boolean }
  | { k: "use"; r: number }
  | { k: "write" }
  | { k: "read" };

function render(ops: Op[]): string {
  const declared = new Set<number>();
  const lines = ["    let mut x = 0;"];
  for (const op of ops) {
    if (op.k === "borrow") {
      lines.push(`    let r${op.r}${declared.has(op.r) ? "x" : ""} = &${op.mut ? "mut " : ""}x;`);
      declared.add(op.r);
    } else if (op.k === "use") lines.push(`    println!("{}", r${op.r});`);
    else if (op.k === "write") lines.push("    x = 1;");
    else lines.push('    let y = x + 1;\n    println!("{}", y);');
  }
  return `fn main() {\n${lines.join("\n")}\n}\n`;
}

Deno.test("property: on random straight-line borrow programs the checker's codes match a simple reference model", () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      k: fc.constant("borrow" as const),
      r: fc.integer({ min: 0, max: 2 }),
      mut: fc.boolean(),
    }),
    fc.record({ k: fc.constant("use" as const), r: fc.integer({ min: 0, max: 2 }) }),
    fc.constant({ k: "write" as const }),
    fc.constant({ k: "read" as const }),
  );
  // Each reference is borrowed once, before its uses.
  const program = fc.array(op, { minLength: 1, maxLength: 10 }).map((ops) => {
    const seen = new Set<number>();
    return ops.filter((o) => {
      if (o.k === "borrow") return seen.has(o.r) ? false : (seen.add(o.r), true);
      if (o.k === "use") return seen.has(o.r);
      return true;
    });
  });
  fc.assert(
    fc.property(program, (ops) => {
      const src = render(ops);
      const got = [...new Set(checkBorrows(src).diagnostics.map((d) => d.code))].sort();
      assert.deepEqual(got, referenceVerdict(ops), src);
    }),
    { numRuns: 300, seed: 12 },
  );
});

Deno.test("parseRust keeps rustc's columns for non-ASCII text", () => {
  const p = parseRust('fn main() {\n    let s = String::from("é");\n    let t = s;\n}');
  assert.equal(p.fns[0].body.stmts.length, 2);
  assert.deepEqual(at('fn main() {\n    let s = String::from("éé"); let t = s; let u = s;\n}'), [
    "E0382@2:52",
  ]);
});

Deno.test("secondary labels: where the borrow was taken and where it is used later, as rustc labels them", () => {
  const r = checkBorrows(
    main(
      '    let mut x = vec![1, 2, 3];\n    let y = &x;\n    x.push(4);\n    println!("{:?}", y);',
    ),
  );
  assert.deepEqual(r.diagnostics[0].notes.map((n) => [n.line, n.column, n.label]), [
    [3, 13, "immutable borrow occurs here"],
    [5, 22, "immutable borrow later used here"],
  ]);
});
