/**
 * Name resolution and type checking of one function of the subset. Unknown
 * names are reported as rustc's E0425 (and the function is then not borrow
 * checked, as rustc does); any other type error is refused, never judged.
 *
 * @module
 */
import type { Block, Expr, FnDecl, Program, Span, Stmt } from "./_ast.ts";
import { fromAst, refuseAt, showTy, type Ty, Unifier } from "./_types.ts";
import type { RawDiagnostic } from "./_diagnostic.ts";

/** A variable binding (a `let` or a parameter). */
export interface Binding {
  name: string;
  mut: boolean;
  ty: Ty;
  span: Span;
  param: boolean;
}

/** How a method call treats its receiver. */
export interface MethodInfo {
  name: "len" | "push" | "push_str" | "clone";
  /** Reference layers peeled from the receiver's type. */
  derefs: number;
  /** `&self` or `&mut self`. */
  selfMut: boolean;
}

/** Everything the lowering needs to know about a type-checked function. */
export interface TypedFn {
  fn: FnDecl;
  params: Binding[];
  ret: Ty;
  types: Map<Expr, Ty>;
  bindings: Map<Expr | Stmt, Binding>;
  methods: Map<Expr, MethodInfo>;
  /** Expressions coerced with an implicit reborrow (`&mut *e` or `&*e`). */
  reborrows: Map<Expr, "mut" | "shared">;
  /** Loops (by their expression) that contain a break aimed at them. */
  tainted: boolean;
}

/** A function's signature. */
export interface Signature {
  params: Ty[];
  ret: Ty;
  /** The index of the parameter the result borrows from (elision), or -1. */
  retBorrowsFrom: number;
  /** The result is a reference but elision gives it no lifetime (E0106): not borrow checked. */
  missingLifetime: boolean;
}

const isRef = (t: Ty) => t.k === "ref";

/** Signatures of all functions, checking lifetime elision (E0106 goes to `diags`). */
export function signatures(p: Program, diags: RawDiagnostic[] = []): Map<string, Signature> {
  const sigs = new Map<string, Signature>();
  for (const f of p.fns) {
    const params = f.params.map((q) => fromAst(q.type));
    const ret = f.ret ? fromAst(f.ret) : { k: "unit" } as Ty;
    let retBorrowsFrom = -1;
    if (isRef(ret)) {
      const refs = params.flatMap((t, i) => isRef(t) ? [i] : []);
      if (refs.length !== 1) {
        diags.push({
          code: "E0106",
          message: "missing lifetime specifier",
          span: f.retRefSpan ?? f.span,
          label: "expected named lifetime parameter",
          notes: [],
        });
      }
      retBorrowsFrom = refs.length === 1 ? refs[0] : -1;
    }
    if (f.name === "main" && (params.length > 0 || ret.k !== "unit")) {
      refuseAt(f.span, "fn main must take no parameters and return nothing in the subset");
    }
    sigs.set(f.name, {
      params,
      ret,
      retBorrowsFrom,
      missingLifetime: isRef(ret) && retBorrowsFrom < 0,
    });
  }
  return sigs;
}

const DISPLAYABLE = new Set(["i32", "usize", "bool", "String", "Box", "var"]);

/** Type-check one function. */
export function typecheck(
  fn: FnDecl,
  sigs: Map<string, Signature>,
  diags: RawDiagnostic[],
): TypedFn {
  const u = new Unifier();
  const types = new Map<Expr, Ty>();
  const bindings = new Map<Expr | Stmt, Binding>();
  const methods = new Map<Expr, MethodInfo>();
  const reborrows = new Map<Expr, "mut" | "shared">();
  const deferred: (() => void)[] = [];
  const scopes: Map<string, Binding>[] = [new Map()];
  const sig = sigs.get(fn.name)!;
  let tainted = false;
  const loopStack: { breaks: boolean }[] = [];
  const loopBreaks = new Map<Expr, boolean>();

  const params = fn.params.map((p, i): Binding => {
    const b = { name: p.name, mut: p.mut, ty: sig.params[i], span: p.span, param: true };
    if (scopes[0].has(p.name)) refuseAt(p.span, `parameter "${p.name}" is bound twice`);
    scopes[0].set(p.name, b);
    return b;
  });

  const lookup = (name: string) => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const b = scopes[i].get(name);
      if (b) return b;
    }
    return undefined;
  };

  const mismatch = (span: Span, expected: Ty, found: Ty): never =>
    refuseAt(
      span,
      `type error (rustc would reject this before borrow checking): expected \`${
        showTy(u.zonk(expected))
      }\`, found \`${showTy(u.zonk(found))}\``,
    );

  const unifyOr = (span: Span, expected: Ty, found: Ty) => {
    if (!u.unify(expected, found)) mismatch(span, expected, found);
  };

  const isPlaceExpr = (e: Expr): boolean =>
    e.kind === "path" || (e.kind === "unary" && e.op === "*") || e.kind === "index";

  /** Check `e` where a value of type `expected` is wanted (a coercion site). */
  const coerce = (e: Expr, expected: Ty): Ty => {
    const want = u.resolve(expected);
    const got = u.resolve(tc(e, want));
    if (want.k === "ref" && got.k === "ref") {
      if (want.mut && got.mut) {
        if (isPlaceExpr(e)) reborrows.set(e, "mut");
        unifyOr(e.span, want.inner, got.inner);
        return want;
      }
      if (!want.mut && got.mut) {
        reborrows.set(e, "shared");
        unifyOr(e.span, want.inner, got.inner);
        return want;
      }
    }
    unifyOr(e.span, want, got);
    return want;
  };

  const intVar = () => u.fresh(true);

  function block(b: Block, expected?: Ty): Ty {
    scopes.push(new Map());
    let diverges = false;
    for (const s of b.stmts) if (stmt(s)) diverges = true;
    let t: Ty;
    if (b.tail) t = expected ? coerce(b.tail, expected) : tc(b.tail);
    else t = diverges ? { k: "never" } : { k: "unit" };
    scopes.pop();
    return t;
  }

  function stmt(s: Stmt): boolean {
    if (s.kind === "let") {
      let ty: Ty;
      if (s.type) {
        ty = fromAst(s.type);
        if (s.init) coerce(s.init, ty);
      } else if (s.init) {
        ty = tc(s.init);
      } else {
        ty = u.fresh(false);
      }
      const b: Binding = { name: s.name, mut: s.mut, ty, span: s.nameSpan, param: false };
      bindings.set(s, b);
      scopes[scopes.length - 1].set(s.name, b);
      if (s.init && u.resolve(types.get(s.init)!).k === "never") return true;
      return false;
    }
    const t = tc(s.expr);
    if (
      !s.semi && s.expr.kind !== "if" && u.resolve(t).k !== "unit" && u.resolve(t).k !== "never"
    ) {
      unifyOr(s.expr.span, { k: "unit" }, t);
    }
    return u.resolve(t).k === "never";
  }

  function tc(e: Expr, expected?: Ty): Ty {
    const t = tcInner(e, expected);
    types.set(e, t);
    return t;
  }

  function tcInner(e: Expr, expected?: Ty): Ty {
    switch (e.kind) {
      case "int":
        return intVar();
      case "bool":
        return { k: "bool" };
      case "str":
        return refuseAt(
          e.span,
          "string literals are in the subset only inside String::from, push_str or a format string",
        );
      case "path": {
        const b = lookup(e.name);
        if (!b) {
          if (sigs.has(e.name)) {
            return refuseAt(e.span, "functions used as values are outside the subset");
          }
          diags.push({
            code: "E0425",
            message: `cannot find value \`${e.name}\` in this scope`,
            span: e.span,
            label: "not found in this scope",
            notes: [],
          });
          tainted = true;
          return { k: "never" };
        }
        bindings.set(e, b);
        return b.ty;
      }
      case "unary": {
        const t = u.resolve(tc(e.expr));
        if (e.op === "*") {
          if (t.k === "ref") return t.inner;
          if (t.k === "Box") return t.elem;
          if (t.k === "never") return t;
          return refuseAt(
            e.span,
            `type error: type \`${showTy(u.zonk(t))}\` cannot be dereferenced`,
          );
        }
        if (e.op === "-") {
          const v = intVar();
          unifyOr(e.expr.span, v, t);
          deferred.push(() => {
            if (u.resolve(v).k === "usize") {
              refuseAt(e.span, "type error: cannot negate a usize (E0600)");
            }
          });
          return t;
        }
        unifyOr(e.expr.span, { k: "bool" }, t);
        return t;
      }
      case "ref": {
        if (e.expr.kind === "str") return refuseAt(e.span, "&str values are outside the subset");
        const want = expected && u.resolve(expected).k === "ref"
          ? (u.resolve(expected) as { inner: Ty }).inner
          : undefined;
        const inner = tc(e.expr, want);
        if (u.resolve(inner).k === "ref") {
          return refuseAt(e.span, "references to references are outside the subset");
        }
        deferred.push(() => {
          if (u.resolve(inner).k === "ref") {
            refuseAt(e.span, "references to references are outside the subset");
          }
        });
        return { k: "ref", mut: e.mut, inner };
      }
      case "binary": {
        const l = tc(e.left);
        const r = tc(e.right);
        if (e.op === "&&" || e.op === "||") {
          unifyOr(e.left.span, { k: "bool" }, l);
          unifyOr(e.right.span, { k: "bool" }, r);
          return { k: "bool" };
        }
        unifyOr(e.right.span, l, r);
        if (["+", "-", "*", "/", "%"].includes(e.op)) {
          unifyOr(e.span, intVar(), l);
          return l;
        }
        deferred.push(() => {
          const t = u.zonk(l, true);
          const base = t.k === "ref" ? t.inner : t;
          const ok = ["i32", "usize", "bool", "String", "never"].includes(base.k) ||
            (base.k === "var" && base.int);
          if (!ok) {
            refuseAt(e.span, `comparing values of type \`${showTy(t)}\` is outside the subset`);
          }
        });
        return { k: "bool" };
      }
      case "assign": {
        if (!isPlaceExpr(e.target)) {
          return refuseAt(e.target.span, "the left side of an assignment must be a place");
        }
        const tt = tc(e.target);
        if (e.op === "=") coerce(e.value, tt);
        else {
          unifyOr(e.span, intVar(), tt);
          unifyOr(e.value.span, tt, tc(e.value));
        }
        return { k: "unit" };
      }
      case "call":
        return call(e);
      case "method":
        return method(e);
      case "vec": {
        const elem = intVar();
        if (e.items.length === 0) {
          const v = u.fresh(false);
          deferred.push(() => {
            const r = u.zonk(v, true);
            if (r.k !== "i32" && r.k !== "usize") {
              refuseAt(
                e.span,
                "type annotations needed: the vector's element type is unknown (E0282)",
              );
            }
          });
          return { k: "Vec", elem: v };
        }
        for (const it of e.items) unifyOr(it.span, elem, tc(it));
        return { k: "Vec", elem };
      }
      case "println": {
        const holes = e.format.replaceAll("{{", "").replaceAll("}}", "").match(/\{[^}]*\}/g) ?? [];
        e.args.forEach((a, i) => {
          const t = tc(a);
          deferred.push(() => {
            const z = u.zonk(t, true);
            const base = z.k === "ref" ? z.inner : z;
            const ok = holes[i] === "{:?}" ? true : DISPLAYABLE.has(base.k) || base.k === "never";
            if (!ok) {
              refuseAt(a.span, `\`${showTy(z)}\` cannot be formatted with {} (E0277): use {:?}`);
            }
          });
        });
        return { k: "unit" };
      }
      case "index": {
        const t = u.resolve(tc(e.expr));
        const base = t.k === "ref" ? u.resolve(t.inner) : t;
        if (base.k !== "Vec") {
          return refuseAt(e.span, `indexing \`${showTy(u.zonk(t))}\` is outside the subset`);
        }
        unifyOr(e.index.span, { k: "usize" }, tc(e.index));
        return base.elem;
      }
      case "block":
        return block(e.block, expected);
      case "if": {
        unifyOr(e.cond.span, { k: "bool" }, tc(e.cond));
        const a = block(e.then, e.else ? expected : undefined);
        if (!e.else) {
          unifyOr(e.then.span, { k: "unit" }, a);
          return { k: "unit" };
        }
        const b = tc(e.else, expected);
        const ra = u.resolve(a);
        if (ra.k === "never") return b;
        unifyOr(e.else.span, a, b);
        return a;
      }
      case "while": {
        unifyOr(e.cond.span, { k: "bool" }, tc(e.cond));
        loopStack.push({ breaks: false });
        unifyOr(e.body.span, { k: "unit" }, block(e.body));
        loopStack.pop();
        return { k: "unit" };
      }
      case "loop": {
        loopStack.push({ breaks: false });
        unifyOr(e.body.span, { k: "unit" }, block(e.body));
        const l = loopStack.pop()!;
        loopBreaks.set(e, l.breaks);
        return l.breaks ? { k: "unit" } : { k: "never" };
      }
      case "break":
      case "continue":
        if (loopStack.length === 0) refuseAt(e.span, `${e.kind} outside a loop (E0268)`);
        if (e.kind === "break") loopStack[loopStack.length - 1].breaks = true;
        return { k: "never" };
      case "return":
        if (e.value) coerce(e.value, sig.ret);
        else unifyOr(e.span, sig.ret, { k: "unit" });
        return { k: "never" };
    }
  }

  function call(e: Extract<Expr, { kind: "call" }>): Ty {
    const arity = (n: number) => {
      if (e.args.length !== n) {
        refuseAt(e.span, `${e.name} takes ${n} argument(s): received ${e.args.length} (E0061)`);
      }
    };
    switch (e.name) {
      case "String::from": {
        arity(1);
        const a = e.args[0];
        if (a.kind !== "str") {
          return refuseAt(a.span, "String::from takes a string literal in the subset");
        }
        types.set(a, { k: "str" });
        return { k: "String" };
      }
      case "String::new":
        arity(0);
        return { k: "String" };
      case "Vec::new": {
        arity(0);
        const v = u.fresh(false);
        deferred.push(() => {
          const r = u.zonk(v, true);
          if (r.k !== "i32" && r.k !== "usize") {
            refuseAt(
              e.span,
              "type annotations needed: the vector's element type is unknown (E0282)",
            );
          }
        });
        return { k: "Vec", elem: v };
      }
      case "Box::new":
        arity(1);
        unifyOr(e.args[0].span, { k: "i32" }, tc(e.args[0], { k: "i32" }));
        return { k: "Box", elem: { k: "i32" } };
      case "drop":
        if (!sigs.has("drop")) {
          arity(1);
          tc(e.args[0]);
          return { k: "unit" };
        }
    }
    const s = sigs.get(e.name);
    if (!s) {
      diags.push({
        code: "E0425",
        message: `cannot find function \`${e.name}\` in this scope`,
        span: e.nameSpan,
        label: "not found in this scope",
        notes: [],
      });
      tainted = true;
      for (const a of e.args) tc(a);
      return { k: "never" };
    }
    arity(s.params.length);
    e.args.forEach((a, i) => coerce(a, s.params[i]));
    return s.ret;
  }

  function method(e: Extract<Expr, { kind: "method" }>): Ty {
    let t = u.resolve(tc(e.recv));
    let derefs = 0;
    let viaMut = true;
    if (t.k === "ref") {
      derefs = 1;
      viaMut = t.mut;
      t = u.resolve(t.inner);
    }
    if (t.k === "never") {
      for (const a of e.args) if (a.kind !== "str") tc(a);
      return t;
    }
    const argc = (n: number) => {
      if (e.args.length !== n) {
        refuseAt(e.span, `.${e.name}() takes ${n} argument(s): received ${e.args.length} (E0061)`);
      }
    };
    const info = (name: MethodInfo["name"], selfMut: boolean) => {
      methods.set(e, { name, derefs, selfMut });
      void viaMut;
    };
    switch (e.name) {
      case "clone":
        argc(0);
        if (t.k === "var" && !t.int) refuseAt(e.span, "type annotations needed (E0282)");
        info("clone", false);
        return t;
      case "len":
        argc(0);
        if (t.k !== "Vec" && t.k !== "String") break;
        info("len", false);
        return { k: "usize" };
      case "push":
        argc(1);
        if (t.k !== "Vec") break;
        unifyOr(e.args[0].span, t.elem, tc(e.args[0], t.elem));
        info("push", true);
        return { k: "unit" };
      case "push_str": {
        argc(1);
        if (t.k !== "String") break;
        const a = e.args[0];
        if (a.kind === "str") types.set(a, { k: "str" });
        else {
          const at = u.resolve(tc(a));
          if (at.k !== "ref" || u.resolve(at.inner).k !== "String") {
            refuseAt(a.span, "push_str takes a string literal or a &String in the subset");
          }
        }
        info("push_str", true);
        return { k: "unit" };
      }
    }
    return refuseAt(
      e.span,
      `method .${e.name}() on \`${showTy(u.zonk(t))}\` is outside the subset (E0599)`,
    );
  }

  const bodyTy = block(fn.body, sig.ret);
  if (u.resolve(bodyTy).k !== "never") unifyOr(fn.body.span, sig.ret, bodyTy);
  for (const d of deferred) d();
  for (const [k, t] of types) types.set(k, u.zonk(t, true));
  const seen = new Set<Binding>();
  for (const b of bindings.values()) {
    if (seen.has(b)) continue;
    seen.add(b);
    b.ty = u.zonk(b.ty, true);
    if (b.ty.k === "var") {
      refuseAt(b.span, `type annotations needed for \`${b.name}\` (E0282)`);
    }
  }
  void loopBreaks;
  return { fn, params, ret: sig.ret, types, bindings, methods, reborrows, tainted };
}
