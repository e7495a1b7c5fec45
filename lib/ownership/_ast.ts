/**
 * The syntax tree of the Rust subset, with source positions as rustc counts
 * them (1-based lines, 1-based columns in characters).
 *
 * @module
 */

/** A source range: start inclusive, end exclusive. */
export interface Span {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

/** A type written in the source. */
export type TypeAst =
  | { kind: "i32" | "usize" | "bool" | "String" | "unit" }
  | { kind: "Box" | "Vec"; elem: TypeAst }
  | { kind: "ref"; mut: boolean; inner: TypeAst };

/** An expression. Every node has its own identity (the checker keys types on it). */
export type Expr =
  & { span: Span }
  & (
    | { kind: "int"; value: number }
    | { kind: "bool"; value: boolean }
    | { kind: "str"; value: string }
    | { kind: "path"; name: string }
    | { kind: "unary"; op: "-" | "!" | "*"; expr: Expr }
    | { kind: "ref"; mut: boolean; expr: Expr }
    | { kind: "binary"; op: string; left: Expr; right: Expr }
    | { kind: "assign"; op: string; target: Expr; value: Expr }
    | { kind: "call"; name: string; nameSpan: Span; args: Expr[] }
    | { kind: "method"; recv: Expr; name: string; args: Expr[] }
    | { kind: "vec"; items: Expr[] }
    | { kind: "println"; macro: "println" | "print"; format: string; args: Expr[] }
    | { kind: "index"; expr: Expr; index: Expr }
    | { kind: "block"; block: Block }
    | { kind: "if"; cond: Expr; then: Block; else: Expr | null }
    | { kind: "while"; cond: Expr; body: Block }
    | { kind: "loop"; body: Block }
    | { kind: "break" }
    | { kind: "continue" }
    | { kind: "return"; value: Expr | null }
  );

/** A statement. */
export type Stmt =
  | {
    kind: "let";
    span: Span;
    mut: boolean;
    name: string;
    nameSpan: Span;
    type: TypeAst | null;
    init: Expr | null;
  }
  | { kind: "expr"; span: Span; expr: Expr; semi: boolean };

/** A block: statements and an optional tail expression (its value). */
export interface Block {
  span: Span;
  stmts: Stmt[];
  tail: Expr | null;
}

/** A function parameter. */
export interface Param {
  mut: boolean;
  name: string;
  span: Span;
  type: TypeAst;
}

/** A free function. */
export interface FnDecl {
  name: string;
  span: Span;
  params: Param[];
  ret: TypeAst | null;
  /** The span of the return type when it is a reference (for E0106). */
  retRefSpan: Span | null;
  body: Block;
}

/** A whole program: free functions. */
export interface Program {
  fns: FnDecl[];
}
