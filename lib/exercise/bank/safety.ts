/**
 * Lesson 08's exercises: fix the essay's borrow error without losing what
 * the program does, predict rustc's verdict on three programs, and write the
 * bounded string copy that would have stopped the stack overflow.
 *
 * Every judge works on plain data (a Rust source string, a list of codes, a
 * list of bytes) and computes its expectation with the course's checker or
 * a direct rule, never from the student's code.
 *
 * @module
 */
import assert from "../judge_assert.ts";
import { defineExercise, registerExercises, show } from "../exercise.ts";
import {
  type Block,
  checkBorrows,
  type Expr,
  OutsideSubsetError,
  parseRust,
} from "../../ownership/mod.ts";

/** Judge: `main` still pushes 4 onto x and prints y, read from the parsed program. */
function keepsMeaning(source: string): void {
  const exprs = mainExpressions(source);
  const is = (e: Expr, name: string) => e.kind === "path" && e.name === name;
  assert.ok(
    exprs.some((e) =>
      e.kind === "method" && e.name === "push" && is(e.recv, "x") && e.args.length === 1 &&
      e.args[0].kind === "int" && e.args[0].value === 4
    ),
    "the program must still call x.push(4) in main (not in a comment or a branch)",
  );
  assert.ok(
    exprs.some((e) =>
      e.kind === "println" && e.macro === "println" && e.format === "{:?}" &&
      e.args.length === 1 && is(e.args[0], "y")
    ),
    'the program must still print y with println!("{:?}", y) in main',
  );
}

/**
 * The expressions `main` runs unconditionally: its statements and tail, and
 * those of plain blocks inside it, not under an `if`, a loop or another
 * function (so a statement in a comment or a dead branch is not counted).
 */
function mainExpressions(source: string): Expr[] {
  let block: Block | undefined;
  try {
    block = parseRust(source).fns.find((f) => f.name === "main")?.body;
  } catch (e) {
    assert.fail(`not a program of the course's Rust subset: ${(e as Error).message}`);
  }
  assert.ok(block, "the program must still have fn main");
  const out: Expr[] = [];
  const walk = (b: Block) => {
    const exprs = b.stmts.flatMap((s) => s.kind === "expr" ? [s.expr] : []);
    for (const e of b.tail ? [...exprs, b.tail] : exprs) {
      out.push(e);
      if (e.kind === "block") walk(e.block);
    }
  };
  walk(block);
  return out;
}

/**
 * The essay's rejected program, which exercise "safety-fix-borrow" asks to fix.
 *
 * @example rustc's E0502
 * ```ts
 * import { checkBorrows, SAFETY_BROKEN_PROGRAM } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(checkBorrows(SAFETY_BROKEN_PROGRAM).diagnostics.map((d) => d.code), ["E0502"]);
 * ```
 */
export const SAFETY_BROKEN_PROGRAM = `fn main() {
    let mut x = vec![1, 2, 3];
    let y = &x;
    x.push(4);
    println!("{:?}", y);
}
`;

/**
 * The three programs of exercise "safety-predict-verdicts", in order.
 *
 * @example Three programs
 * ```ts
 * import { SAFETY_PREDICT_PROGRAMS } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(SAFETY_PREDICT_PROGRAMS.length, 3);
 * ```
 */
export const SAFETY_PREDICT_PROGRAMS: readonly string[] = Object.freeze([
  `fn main() {
    let s = String::from("seed");
    let t = s;
    println!("{} {}", s, t);
}
`,
  `fn main() {
    let mut v = vec![1, 2];
    let first = &v[0];
    println!("{}", first);
    v.push(3);
}
`,
  `fn main() {
    let mut total = 0;
    let r = &mut total;
    let copy = total;
    *r += 1;
    println!("{}", copy);
}
`,
]);

const verdictOf = (src: string): string => {
  const r = checkBorrows(src);
  return r.accepted ? "accepted" : r.diagnostics[0].code;
};

/**
 * Lesson 08: fix the essay's borrow error so that rustc accepts the program,
 * still pushes 4 and still prints `y`.
 *
 * @example The broken program itself does not pass
 * ```ts
 * import { check, SAFETY_BROKEN_PROGRAM } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await check("safety-fix-borrow", () => SAFETY_BROKEN_PROGRAM);
 * assert.equal(r.passed, false);
 * ```
 */
export const safetyFixBorrow = defineExercise<() => string>({
  id: "safety-fix-borrow",
  title: "Fix the borrow error, keep the program's meaning",
  lesson: "08-memory-safety",
  points: 4,
  expects: "fixedProgram",
  tests: [
    {
      name: "is a program of the course's Rust subset",
      points: 1,
      calls: [[]],
      judge: ([src]) => {
        assert.equal(
          typeof src,
          "string",
          `expected the program as a string: received ${show(src)}`,
        );
        try {
          checkBorrows(src as string);
        } catch (e) {
          if (e instanceof OutsideSubsetError) assert.fail(e.message);
          throw e;
        }
      },
    },
    {
      name: "still pushes 4 onto x and prints y",
      points: 1,
      calls: [[]],
      judge: ([src]) => keepsMeaning(String(src)),
    },
    {
      name: "the borrow checker accepts it, with the push and the print still in",
      points: 2,
      calls: [[]],
      judge: ([src]) => {
        // Deleting the push would make any checker accept the program: that fixes nothing.
        keepsMeaning(String(src));
        let r;
        try {
          r = checkBorrows(String(src));
        } catch (e) {
          assert.fail((e as Error).message);
        }
        assert.ok(
          r.accepted,
          `rejected: ${
            r.diagnostics.map((d) => `${d.code} at ${d.line}:${d.column} (${d.message})`).join("; ")
          }`,
        );
      },
    },
  ],
});

/**
 * Lesson 08: predict rustc's verdict ("accepted" or the first error code) for each of three programs.
 *
 * @example All "accepted" is not right
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await check("safety-predict-verdicts", () => ["accepted", "accepted", "accepted"]);
 * assert.equal(r.passed, false);
 * ```
 */
export const safetyPredictVerdicts = defineExercise<() => string[]>({
  id: "safety-predict-verdicts",
  title: "Predict the borrow checker's verdicts",
  lesson: "08-memory-safety",
  points: 3,
  expects: "predictions",
  tests: SAFETY_PREDICT_PROGRAMS.map((src, i) => ({
    name: `program ${i + 1}`,
    points: 1,
    calls: [[]],
    judge: ([answer]: unknown[]) => {
      assert.ok(
        Array.isArray(answer) && answer.length === 3,
        `expected an array of 3 verdicts: received ${show(answer)}`,
      );
      const want = verdictOf(src);
      const got = (answer as unknown[])[i];
      assert.equal(
        got,
        want,
        `program ${i + 1}: received ${show(got)}; ${
          want === "accepted"
            ? "think about where the borrow is last used"
            : 'write the error code, like "E0382"'
        }`,
      );
    },
  })),
});

/**
 * Lesson 08: a bounded string copy (what `strcpy` should have been): the
 * buffer's bytes after copying `text` into `capacity` bytes, truncated and
 * always NUL-terminated.
 *
 * @example strcpy's behaviour (no bound) fails
 * ```ts
 * import { check } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const unbounded = (capacity: number, text: string) => [...new TextEncoder().encode(text), 0];
 * assert.equal((await check("safety-bounded-copy", unbounded)).passed, false);
 * ```
 */
export const safetyBoundedCopy = defineExercise<(capacity: number, text: string) => number[]>({
  id: "safety-bounded-copy",
  title: "Copy a string without running past the buffer",
  lesson: "08-memory-safety",
  points: 3,
  expects: "copyIntoBuffer",
  tests: [
    {
      name: "a short name fits, followed by a NUL and zeros",
      points: 1,
      calls: [[10, "ada"], [4, "abc"]],
      want: [[97, 100, 97, 0, 0, 0, 0, 0, 0, 0], [97, 98, 99, 0]],
    },
    {
      name: "a long name is cut to capacity - 1 bytes and still NUL-terminated",
      points: 1,
      calls: [[10, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"], [1, "x"]],
      want: [[65, 65, 65, 65, 65, 65, 65, 65, 65, 0], [0]],
    },
    {
      name: "never returns more bytes than the buffer holds",
      points: 1,
      calls: [[10, "a much longer name than ten"], [8, "é is two bytes"], [2, ""]],
      judge: (results, calls) => {
        const want = [
          [97, 32, 109, 117, 99, 104, 32, 108, 111, 0],
          [195, 169, 32, 105, 115, 32, 116, 0],
          [0, 0],
        ];
        results.forEach((r, i) => {
          const [capacity, text] = calls[i] as [number, string];
          assert.ok(Array.isArray(r), `expected an array of bytes: received ${show(r)}`);
          assert.equal(
            (r as number[]).length,
            capacity,
            `a buffer of ${capacity} bytes holds ${capacity} bytes, no more, no less: received ${
              (r as number[]).length
            } for ${show(text)}`,
          );
          assert.deepEqual(r, want[i], `for ${show(text)} into ${capacity} bytes (UTF-8 bytes)`);
        });
      },
    },
  ],
});

registerExercises(safetyFixBorrow, safetyPredictVerdicts, safetyBoundedCopy);
