/**
 * Types of the subset, with unification for integer literals and deferred
 * initialisation (`let r;`). Type errors are refused, not reported as
 * verdicts: the checker only judges programs rustc would type-check.
 *
 * @module
 */
import type { Span, TypeAst } from "./_ast.ts";
import { OutsideSubsetError } from "./parser.ts";

/** A type; `var` is an inference variable (integer-only when `int`). */
export type Ty =
  | { k: "i32" | "usize" | "bool" | "String" | "unit" | "str" | "never" }
  | { k: "Box" | "Vec"; elem: Ty }
  | { k: "ref"; mut: boolean; inner: Ty }
  | { k: "var"; id: number; int: boolean };

/** Union-find over type variables. */
export class Unifier {
  private readonly bound = new Map<number, Ty>();
  private readonly isInt = new Map<number, boolean>();
  private nextId = 0;

  fresh(int: boolean): Ty {
    const id = this.nextId++;
    this.isInt.set(id, int);
    return { k: "var", id, int };
  }

  resolve(t: Ty): Ty {
    while (t.k === "var" && this.bound.has(t.id)) t = this.bound.get(t.id)!;
    if (t.k === "var") return { k: "var", id: t.id, int: this.isInt.get(t.id)! };
    return t;
  }

  /** Fully resolved type, integer variables defaulting to i32 when `finish` is set. */
  zonk(t: Ty, finish = false): Ty {
    const r = this.resolve(t);
    switch (r.k) {
      case "var":
        return finish && r.int ? { k: "i32" } : r;
      case "Box":
      case "Vec":
        return { k: r.k, elem: this.zonk(r.elem, finish) };
      case "ref":
        return { k: "ref", mut: r.mut, inner: this.zonk(r.inner, finish) };
      default:
        return r;
    }
  }

  /** Unify, or return false. */
  unify(a: Ty, b: Ty): boolean {
    a = this.resolve(a);
    b = this.resolve(b);
    if (a.k === "never" || b.k === "never") return true;
    if (a.k === "var" && b.k === "var") {
      if (a.id === b.id) return true;
      if (a.int && !b.int) {
        this.isInt.set(b.id, true);
      }
      this.bound.set(a.id, b);
      return true;
    }
    if (a.k === "var") return this.bindVar(a, b);
    if (b.k === "var") return this.bindVar(b, a);
    if (a.k !== b.k) return false;
    if (a.k === "Box" || a.k === "Vec") return this.unify(a.elem, (b as typeof a).elem);
    if (a.k === "ref") {
      const br = b as typeof a;
      return a.mut === br.mut && this.unify(a.inner, br.inner);
    }
    return true;
  }

  private bindVar(v: { id: number; int: boolean }, t: Ty): boolean {
    if (this.isInt.get(v.id) && t.k !== "i32" && t.k !== "usize") return false;
    if (occurs(v.id, t, this)) return false;
    this.bound.set(v.id, t);
    return true;
  }
}

function occurs(id: number, t: Ty, u: Unifier): boolean {
  const r = u.resolve(t);
  if (r.k === "var") return r.id === id;
  if (r.k === "Box" || r.k === "Vec") return occurs(id, r.elem, u);
  if (r.k === "ref") return occurs(id, r.inner, u);
  return false;
}

/** The type a written type denotes. */
export function fromAst(t: TypeAst): Ty {
  switch (t.kind) {
    case "Box":
    case "Vec":
      return { k: t.kind, elem: fromAst(t.elem) };
    case "ref":
      return { k: "ref", mut: t.mut, inner: fromAst(t.inner) };
    default:
      return { k: t.kind };
  }
}

/** Types whose values are copied rather than moved. */
export function isCopy(t: Ty): boolean {
  switch (t.k) {
    case "i32":
    case "usize":
    case "bool":
    case "unit":
    case "never":
    case "str":
      return true;
    case "ref":
      return !t.mut;
    case "var":
      return t.int;
    default:
      return false;
  }
}

/** Types with a destructor (their drop is a point of interest). */
export function needsDrop(t: Ty): boolean {
  return t.k === "String" || t.k === "Box" || t.k === "Vec";
}

/** Rust's spelling of a type. */
export function showTy(t: Ty): string {
  switch (t.k) {
    case "Box":
    case "Vec":
      return `${t.k}<${showTy(t.elem)}>`;
    case "ref":
      return `&${t.mut ? "mut " : ""}${showTy(t.inner)}`;
    case "var":
      return t.int ? "{integer}" : "_";
    case "unit":
      return "()";
    case "str":
      return "&str";
    case "never":
      return "!";
    default:
      return t.k;
  }
}

/** Refuse a program at a span: the checker gives no verdict. */
export function refuseAt(span: Span, reason: string): never {
  throw new OutsideSubsetError(reason, span.line, span.col);
}
