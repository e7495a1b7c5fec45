/**
 * A parser for the small Rust subset the ownership checker understands.
 *
 * The subset: free functions (`fn main` and others) whose parameters and
 * results have types `i32`, `usize`, `bool`, `String`, `Box<i32>`,
 * `Vec<i32>`, `Vec<usize>`, `&T` and `&mut T`; `let`, `let mut`, type
 * annotations, deferred initialisation (`let r;`), shadowing; blocks;
 * assignment (`=`, `+=`, `-=`, `*=`), `*r = ...`; integer, boolean and string
 * literals (a string literal only inside `String::from`, `push_str` or a
 * format string); arithmetic, comparisons, `&&`, `||`, `!`; `String::from`,
 * `String::new`, `Box::new`, `Vec::new`, `vec![...]`; `.clone()`, `.push()`,
 * `.push_str()`, `.len()`; indexing; `&`, `&mut`, `*`; calls; `println!` and
 * `print!` with `{}` and `{:?}`; `if`/`else`, `while`, `loop`, `break`,
 * `continue`, `return`; `drop(x)`.
 *
 * Anything else is refused with an {@linkcode OutsideSubsetError} that names
 * the construct and its position: the checker never guesses a verdict for a
 * program it does not fully understand.
 *
 * @module
 */
import type { Block, Expr, FnDecl, Param, Program, Span, Stmt, TypeAst } from "./_ast.ts";

export type { Block, Expr, FnDecl, Param, Program, Span, Stmt, TypeAst } from "./_ast.ts";

/** A program (or part of one) lies outside the subset: the checker gives no verdict. */
export class OutsideSubsetError extends SyntaxError {
  /** 1-based line of the offending construct. */
  readonly line: number;
  /** 1-based column (in characters) of the offending construct. */
  readonly column: number;
  /** The reason, without the position. */
  readonly reason: string;
  /**
   * @param reason What is outside the subset.
   * @param line 1-based line.
   * @param column 1-based column.
   */
  constructor(reason: string, line: number, column: number) {
    super(`Outside the Rust subset at ${line}:${column}: ${reason}`);
    this.name = "OutsideSubsetError";
    this.reason = reason;
    this.line = line;
    this.column = column;
  }
}

interface Token {
  kind: "ident" | "int" | "str" | "punct" | "eof";
  text: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

const PUNCTS = [
  "->",
  "::",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "..",
  "=>",
  ..."+-*/%=<>!&|^(){}[];:,.#?@$'~",
];

const KEYWORDS = new Set([
  "as",
  "break",
  "const",
  "continue",
  "crate",
  "else",
  "enum",
  "extern",
  "false",
  "fn",
  "for",
  "if",
  "impl",
  "in",
  "let",
  "loop",
  "match",
  "mod",
  "move",
  "mut",
  "pub",
  "ref",
  "return",
  "self",
  "Self",
  "static",
  "struct",
  "super",
  "trait",
  "true",
  "type",
  "unsafe",
  "use",
  "where",
  "while",
  "async",
  "await",
  "dyn",
]);

function lex(source: string): Token[] {
  const chars = [...source];
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  const advance = (n = 1) => {
    for (let k = 0; k < n; k++) {
      if (chars[i] === "\n") {
        line++;
        col = 1;
      } else col++;
      i++;
    }
  };
  while (i < chars.length) {
    const c = chars[i];
    if (c === "\n" || c === " " || c === "\t" || c === "\r") {
      advance();
      continue;
    }
    if (c === "/" && chars[i + 1] === "/") {
      while (i < chars.length && chars[i] !== "\n") advance();
      continue;
    }
    if (c === "/" && chars[i + 1] === "*") {
      const [l0, c0] = [line, col];
      advance(2);
      while (i < chars.length && !(chars[i] === "*" && chars[i + 1] === "/")) advance();
      if (i >= chars.length) throw new OutsideSubsetError("unterminated block comment", l0, c0);
      advance(2);
      continue;
    }
    const [l0, c0] = [line, col];
    if (/[A-Za-z_]/.test(c)) {
      let text = "";
      while (i < chars.length && /[A-Za-z0-9_]/.test(chars[i])) {
        text += chars[i];
        advance();
      }
      tokens.push({ kind: "ident", text, line: l0, col: c0, endLine: line, endCol: col });
      continue;
    }
    if (/[0-9]/.test(c)) {
      let text = "";
      while (i < chars.length && /[A-Za-z0-9_]/.test(chars[i])) {
        text += chars[i];
        advance();
      }
      if (!/^[0-9][0-9_]*$/.test(text)) {
        throw new OutsideSubsetError(
          `number literal "${text}": only plain decimal integers are in the subset`,
          l0,
          c0,
        );
      }
      if (chars[i] === "." && /[0-9]/.test(chars[i + 1] ?? "")) {
        throw new OutsideSubsetError("floating-point literals are outside the subset", l0, c0);
      }
      tokens.push({ kind: "int", text, line: l0, col: c0, endLine: line, endCol: col });
      continue;
    }
    if (c === '"') {
      advance();
      let text = "";
      while (i < chars.length && chars[i] !== '"') {
        if (chars[i] === "\\") {
          const e = chars[i + 1];
          const map: Record<string, string> = { n: "\n", t: "\t", "\\": "\\", '"': '"', "0": "\0" };
          if (!(e in map)) {
            throw new OutsideSubsetError(`string escape "\\${e}" is outside the subset`, line, col);
          }
          text += map[e];
          advance(2);
          continue;
        }
        text += chars[i];
        advance();
      }
      if (i >= chars.length) throw new OutsideSubsetError("unterminated string literal", l0, c0);
      advance();
      tokens.push({ kind: "str", text, line: l0, col: c0, endLine: line, endCol: col });
      continue;
    }
    const rest2 = c + (chars[i + 1] ?? "");
    const p = PUNCTS.find((q) => q.length === 2 && q === rest2) ?? (PUNCTS.includes(c) ? c : null);
    if (p === null) {
      throw new OutsideSubsetError(`unexpected character "${c}"`, l0, c0);
    }
    advance(p.length);
    tokens.push({ kind: "punct", text: p, line: l0, col: c0, endLine: line, endCol: col });
  }
  tokens.push({ kind: "eof", text: "", line, col, endLine: line, endCol: col });
  return tokens;
}

const spanOf = (t: Token): Span => ({
  line: t.line,
  col: t.col,
  endLine: t.endLine,
  endCol: t.endCol,
});
const join = (a: Span, b: Span): Span => ({
  line: a.line,
  col: a.col,
  endLine: b.endLine,
  endCol: b.endCol,
});

const BINARY_LEVELS: string[][] = [
  ["||"],
  ["&&"],
  ["==", "!=", "<", ">", "<=", ">="],
  ["+", "-"],
  ["*", "/", "%"],
];

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(k = 0): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)];
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }
  private is(text: string, k = 0): boolean {
    const t = this.peek(k);
    return (t.kind === "punct" || t.kind === "ident") && t.text === text;
  }
  private refuse(what: string, t: Token = this.peek()): never {
    throw new OutsideSubsetError(what, t.line, t.col);
  }
  private expect(text: string, context: string): Token {
    if (!this.is(text)) {
      const t = this.peek();
      this.refuse(
        `expected "${text}" ${context}: found ${t.kind === "eof" ? "end of file" : `"${t.text}"`}`,
      );
    }
    return this.next();
  }
  private ident(context: string): Token {
    const t = this.peek();
    if (t.kind !== "ident" || KEYWORDS.has(t.text)) {
      this.refuse(
        `expected a name ${context}: found ${t.kind === "eof" ? "end of file" : `"${t.text}"`}`,
      );
    }
    return this.next();
  }

  program(): Program {
    const fns: FnDecl[] = [];
    while (this.peek().kind !== "eof") {
      if (!this.is("fn")) {
        const t = this.peek();
        this.refuse(
          t.text === "#"
            ? "attributes are outside the subset"
            : `only free functions are in the subset: found "${t.text}"`,
        );
      }
      fns.push(this.fn());
    }
    return { fns };
  }

  private fn(): FnDecl {
    const start = this.next();
    const name = this.ident("after fn");
    if (this.is("<")) this.refuse("generic parameters and lifetimes are outside the subset");
    this.expect("(", "after the function name");
    const params: Param[] = [];
    while (!this.is(")")) {
      const mut = this.is("mut") ? (this.next(), true) : false;
      const p = this.ident("for a parameter");
      this.expect(":", "after a parameter name");
      params.push({ mut, name: p.text, span: spanOf(p), type: this.type() });
      if (!this.is(")")) this.expect(",", "between parameters");
    }
    this.next();
    let ret: TypeAst | null = null;
    let retRefSpan: Span | null = null;
    if (this.is("->")) {
      this.next();
      const at = this.peek();
      ret = this.type();
      if (ret.kind === "ref") retRefSpan = spanOf(at);
    }
    if (this.is("where")) this.refuse("where clauses are outside the subset");
    const body = this.block();
    return { name: name.text, span: join(spanOf(start), body.span), params, ret, retRefSpan, body };
  }

  private type(): TypeAst {
    const t = this.peek();
    if (this.is("&")) {
      this.next();
      if (this.peek().text === "'") this.refuse("lifetime annotations are outside the subset");
      const mut = this.is("mut") ? (this.next(), true) : false;
      const inner = this.type();
      if (inner.kind === "ref") {
        this.refuse("references to references are outside the subset", t);
      }
      return { kind: "ref", mut, inner };
    }
    if (this.is("&&")) this.refuse("references to references are outside the subset");
    if (this.is("(")) {
      this.next();
      this.expect(")", "(tuples are outside the subset; only the unit type () is in)");
      return { kind: "unit" };
    }
    const name = this.ident("for a type");
    switch (name.text) {
      case "i32":
      case "usize":
      case "bool":
      case "String":
        return { kind: name.text };
      case "Box":
      case "Vec": {
        this.expect("<", `after ${name.text}`);
        const elemTok = this.peek();
        const elem = this.type();
        const ok = name.text === "Box" ? elem.kind === "i32" : elem.kind === "i32" ||
          elem.kind === "usize";
        if (!ok) {
          this.refuse(
            `${name.text}<...> holds only ${
              name.text === "Box" ? "i32" : "i32 or usize"
            } in the subset`,
            elemTok,
          );
        }
        this.expect(">", `to close ${name.text}<...>`);
        return { kind: name.text, elem };
      }
      default:
        return this.refuse(`type "${name.text}" is outside the subset`, name);
    }
  }

  private block(): Block {
    const open = this.expect("{", "to open a block");
    const stmts: Stmt[] = [];
    let tail: Expr | null = null;
    while (!this.is("}")) {
      if (this.peek().kind === "eof") this.refuse('unclosed block: expected "}"');
      if (this.is(";")) {
        this.next();
        continue;
      }
      if (this.is("let")) {
        stmts.push(this.let());
        continue;
      }
      if (this.is("fn")) this.refuse("nested functions are outside the subset");
      // A block-like expression at the start of a statement ends the statement (as in rustc).
      const blockLike = this.is("if") || this.is("while") || this.is("loop") || this.is("{");
      const e = blockLike ? this.primary(false) : this.expr();
      if (this.is(";")) {
        const semi = this.next();
        stmts.push({ kind: "expr", span: join(e.span, spanOf(semi)), expr: e, semi: true });
      } else if (this.is("}")) {
        tail = e;
      } else if (isBlockLike(e)) {
        stmts.push({ kind: "expr", span: e.span, expr: e, semi: false });
      } else {
        this.refuse(`expected ";" or "}" after an expression: found "${this.peek().text}"`);
      }
    }
    const close = this.next();
    return { span: join(spanOf(open), spanOf(close)), stmts, tail };
  }

  private let(): Stmt {
    const start = this.next();
    if (this.is("(")) this.refuse("patterns other than a name are outside the subset");
    const mut = this.is("mut") ? (this.next(), true) : false;
    const name = this.ident("after let");
    let type: TypeAst | null = null;
    if (this.is(":")) {
      this.next();
      type = this.type();
    }
    let init: Expr | null = null;
    if (this.is("=")) {
      this.next();
      init = this.expr();
    }
    if (this.is("else")) this.refuse("let-else is outside the subset");
    const semi = this.expect(";", "after a let statement");
    return {
      kind: "let",
      span: join(spanOf(start), spanOf(semi)),
      mut,
      name: name.text,
      nameSpan: spanOf(name),
      type,
      init,
    };
  }

  expr(noBlockTail = false): Expr {
    const left = this.binary(0, noBlockTail);
    for (const op of ["=", "+=", "-=", "*=", "/=", "%="]) {
      if (this.is(op)) {
        this.next();
        const value = this.expr(noBlockTail);
        return { kind: "assign", op, target: left, value, span: join(left.span, value.span) };
      }
    }
    if (this.is("..")) this.refuse("ranges are outside the subset");
    return left;
  }

  private binary(level: number, nb: boolean): Expr {
    if (level >= BINARY_LEVELS.length) return this.cast(nb);
    let left = this.binary(level + 1, nb);
    let sawComparison = false;
    while (BINARY_LEVELS[level].some((op) => this.is(op) && !this.is(op + "=", 0))) {
      const opTok = this.next();
      if (level === 2) {
        if (sawComparison) this.refuse("comparison operators cannot be chained", opTok);
        sawComparison = true;
      }
      const right = this.binary(level + 1, nb);
      left = { kind: "binary", op: opTok.text, left, right, span: join(left.span, right.span) };
    }
    if (this.is("&") && !this.is("&&") || this.is("|") || this.is("^") || this.is("<<")) {
      if (level === 0) this.refuse(`operator "${this.peek().text}" is outside the subset`);
    }
    return left;
  }

  private cast(nb: boolean): Expr {
    const e = this.unary(nb);
    if (this.is("as")) this.refuse("casts with `as` are outside the subset");
    if (this.is("?")) this.refuse("the ? operator is outside the subset");
    return e;
  }

  private unary(nb: boolean): Expr {
    const t = this.peek();
    if (this.is("-") || this.is("!") || this.is("*")) {
      this.next();
      const expr = this.unary(nb);
      return {
        kind: "unary",
        op: t.text as "-" | "!" | "*",
        expr,
        span: join(spanOf(t), expr.span),
      };
    }
    if (this.is("&&")) this.refuse("references to references are outside the subset");
    if (this.is("&")) {
      this.next();
      const mut = this.is("mut") ? (this.next(), true) : false;
      if (this.is("&") || this.is("&&")) {
        this.refuse("references to references are outside the subset");
      }
      const expr = this.unary(nb);
      return { kind: "ref", mut, expr, span: join(spanOf(t), expr.span) };
    }
    return this.postfix(nb);
  }

  private postfix(nb: boolean): Expr {
    let e = this.primary(nb);
    for (;;) {
      if (this.is(".")) {
        this.next();
        const name = this.peek();
        if (name.kind === "int") this.refuse("tuple fields are outside the subset", name);
        this.ident("after .");
        if (this.is("::")) this.refuse("turbofish is outside the subset");
        if (!this.is("(")) this.refuse("fields are outside the subset (structs are not in)", name);
        const { args, close } = this.args("(", ")");
        e = { kind: "method", recv: e, name: name.text, args, span: join(e.span, close) };
      } else if (this.is("[")) {
        this.next();
        const index = this.expr();
        const close = this.expect("]", "to close an index");
        e = { kind: "index", expr: e, index, span: join(e.span, spanOf(close)) };
      } else if (this.is("(")) {
        this.refuse("calling the result of an expression is outside the subset");
      } else {
        return e;
      }
    }
  }

  private args(open: string, close: string): { args: Expr[]; close: Span } {
    this.expect(open, "to open the arguments");
    const args: Expr[] = [];
    while (!this.is(close)) {
      args.push(this.expr());
      if (!this.is(close)) this.expect(",", "between arguments");
    }
    return { args, close: spanOf(this.next()) };
  }

  primary(nb: boolean): Expr {
    const t = this.peek();
    if (t.kind === "int") {
      this.next();
      const value = Number(t.text.replaceAll("_", ""));
      if (value > 2 ** 31) this.refuse("integer literal too large for the subset", t);
      return { kind: "int", value, span: spanOf(t) };
    }
    if (t.kind === "str") {
      this.next();
      return { kind: "str", value: t.text, span: spanOf(t) };
    }
    if (this.is("(")) {
      this.next();
      if (this.is(")")) this.refuse("the unit value () as an expression is outside the subset");
      const e = this.expr();
      if (this.is(",")) this.refuse("tuples are outside the subset");
      this.expect(")", "to close a parenthesis");
      return e;
    }
    if (this.is("{")) {
      const block = this.block();
      return { kind: "block", block, span: block.span };
    }
    if (t.kind !== "ident") this.refuse(`unexpected "${t.text}" where an expression was expected`);
    switch (t.text) {
      case "true":
      case "false":
        this.next();
        return { kind: "bool", value: t.text === "true", span: spanOf(t) };
      case "if":
        return this.if();
      case "while": {
        this.next();
        if (this.is("let")) this.refuse("while let is outside the subset");
        const cond = this.expr(true);
        const body = this.block();
        return { kind: "while", cond, body, span: join(spanOf(t), body.span) };
      }
      case "loop": {
        this.next();
        const body = this.block();
        return { kind: "loop", body, span: join(spanOf(t), body.span) };
      }
      case "break":
      case "continue": {
        this.next();
        if (this.peek().text === "'") this.refuse("loop labels are outside the subset");
        if (!this.is(";") && !this.is("}")) {
          this.refuse(`${t.text} with a value is outside the subset`);
        }
        return { kind: t.text, span: spanOf(t) };
      }
      case "return": {
        this.next();
        const value = this.is(";") || this.is("}") ? null : this.expr();
        return { kind: "return", value, span: value ? join(spanOf(t), value.span) : spanOf(t) };
      }
      case "unsafe":
        return this.refuse("unsafe is outside the subset");
      case "match":
      case "for":
        return this.refuse(`${t.text} is outside the subset`);
    }
    if (KEYWORDS.has(t.text)) this.refuse(`"${t.text}" is outside the subset`);
    this.next();
    if (this.is("!")) return this.macro(t);
    if (this.is("::")) {
      this.next();
      const member = this.ident("after ::");
      const full = `${t.text}::${member.text}`;
      if (!["String::from", "String::new", "Box::new", "Vec::new"].includes(full)) {
        this.refuse(`path "${full}" is outside the subset`, t);
      }
      if (this.is("::")) this.refuse("longer paths are outside the subset");
      const { args, close } = this.args("(", ")");
      return {
        kind: "call",
        name: full,
        nameSpan: join(spanOf(t), spanOf(member)),
        args,
        span: join(spanOf(t), close),
      };
    }
    if (this.is("(")) {
      const { args, close } = this.args("(", ")");
      return {
        kind: "call",
        name: t.text,
        nameSpan: spanOf(t),
        args,
        span: join(spanOf(t), close),
      };
    }
    if (this.is("{") && !nb) this.refuse("struct literals are outside the subset");
    return { kind: "path", name: t.text, span: spanOf(t) };
  }

  private if(): Expr {
    const t = this.next();
    if (this.is("let")) this.refuse("if let is outside the subset");
    const cond = this.expr(true);
    const then = this.block();
    let els: Expr | null = null;
    if (this.is("else")) {
      this.next();
      els = this.is("if") ? this.if() : (() => {
        const b = this.block();
        return { kind: "block" as const, block: b, span: b.span };
      })();
    }
    return { kind: "if", cond, then, else: els, span: join(spanOf(t), els ? els.span : then.span) };
  }

  private macro(name: Token): Expr {
    this.next(); // !
    if (name.text === "vec") {
      if (!this.is("[")) this.refuse("write vec! with square brackets: vec![...]");
      const { args, close } = this.args("[", "]");
      return { kind: "vec", items: args, span: join(spanOf(name), close) };
    }
    if (name.text === "println" || name.text === "print") {
      this.expect("(", `after ${name.text}!`);
      const fmt = this.peek();
      if (fmt.kind !== "str") this.refuse(`${name.text}! needs a string literal first`, fmt);
      this.next();
      const args: Expr[] = [];
      while (!this.is(")")) {
        this.expect(",", "between macro arguments");
        if (this.is(")")) break;
        args.push(this.expr());
      }
      const close = this.next();
      checkFormat(fmt, args.length);
      return {
        kind: "println",
        macro: name.text,
        format: fmt.text,
        args,
        span: join(spanOf(name), spanOf(close)),
      };
    }
    return this.refuse(`macro "${name.text}!" is outside the subset`, name);
  }
}

function checkFormat(fmt: Token, argCount: number): void {
  const holes = fmt.text.replaceAll("{{", "").replaceAll("}}", "").match(/\{[^}]*\}/g) ?? [];
  for (const h of holes) {
    if (h !== "{}" && h !== "{:?}") {
      throw new OutsideSubsetError(
        `format placeholder "${h}" is outside the subset (use {} or {:?})`,
        fmt.line,
        fmt.col,
      );
    }
  }
  if (holes.length !== argCount) {
    throw new OutsideSubsetError(
      `the format string has ${holes.length} placeholder(s) but ${argCount} argument(s) follow`,
      fmt.line,
      fmt.col,
    );
  }
}

function isBlockLike(e: Expr): boolean {
  return e.kind === "block" || e.kind === "if" || e.kind === "while" || e.kind === "loop";
}

/**
 * Parse a program of the Rust subset.
 *
 * @param source The Rust source text.
 * @returns The syntax tree.
 * @throws {OutsideSubsetError} If the text is not in the subset, with its position.
 *
 * @example Parse, and refuse a struct
 * ```ts
 * import { OutsideSubsetError, parseRust } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseRust("fn main() { let x = 1; }").fns[0].name, "main");
 * assert.throws(() => parseRust("struct P { x: i32 }"), OutsideSubsetError);
 * ```
 */
export function parseRust(source: string): Program {
  const program = new Parser(lex(source)).program();
  const seen = new Set<string>();
  for (const f of program.fns) {
    if (seen.has(f.name)) {
      throw new OutsideSubsetError(
        `function "${f.name}" is defined twice`,
        f.span.line,
        f.span.col,
      );
    }
    seen.add(f.name);
  }
  if (!seen.has("main")) throw new OutsideSubsetError("the program has no fn main", 1, 1);
  return program;
}
