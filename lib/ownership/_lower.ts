/**
 * Lowering of a type-checked function to a control-flow graph of single
 * events (MIR-like): every read, move, borrow, assignment and end of
 * storage is one point, in rustc's evaluation order. Temporaries are locals.
 *
 * @module
 */
import type { Block, Expr, Span, Stmt } from "./_ast.ts";
import { isCopy, needsDrop, type Ty } from "./_types.ts";
import type { Binding, Signature, TypedFn } from "./_typeck.ts";

/** A local variable: a user binding, a parameter, a temporary or the return slot. */
export interface Local {
  name: string;
  ty: Ty;
  mut: boolean;
  span: Span;
  kind: "user" | "param" | "temp" | "ret";
  /** Region variable of its reference type, or -1. */
  region: number;
}

/** A place: a local seen through `derefs` dereferences. */
export interface Place {
  local: number;
  derefs: number;
}

/** A borrow: where it was taken, of what, how. */
export interface Loan {
  id: number;
  place: Place;
  mut: boolean;
  twoPhase: boolean;
  /** The local that receives the reference. */
  dest: number;
  span: Span;
  region: number;
  node: number;
  /** Node of a two-phase borrow's activation (-1 when none). */
  activation: number;
}

/** One event at one point of the graph. */
export type Event =
  | { k: "nop" }
  | { k: "entry" }
  | { k: "exit" }
  | { k: "read"; place: Place; span: Span }
  | { k: "move"; place: Place; span: Span; drop?: string }
  | { k: "borrow"; loan: number }
  | { k: "activate"; loan: number }
  | { k: "assign"; place: Place; span: Span; compound: boolean; srcs?: number[] }
  | { k: "dead"; local: number; span: Span };

/** The lowered function. */
export interface Graph {
  locals: Local[];
  events: Event[];
  succ: number[][];
  loans: Loan[];
  /** Outlives edges: region(sup) contains region(sub). */
  edges: [number, number][];
  regionCount: number;
  universal: number;
  exit: number;
  /** Return sites: the span of the returned expression and the regions that flow into it. */
  returns: { span: Span; regions: number[] }[];
}

type Operand = { place: Place; ty: Ty } | { konst: Ty };

const UNIT: Ty = { k: "unit" };

/** Lower a type-checked function. */
export function lower(t: TypedFn, sigs: Map<string, Signature>): Graph {
  const locals: Local[] = [];
  const events: Event[] = [];
  const succ: number[][] = [];
  const loans: Loan[] = [];
  const edges: [number, number][] = [];
  const returns: Graph["returns"] = [];
  let regionCount = 0;
  const universal = regionCount++;
  let cur: number | null = null;
  const localOf = new Map<Binding, number>();
  const scopes: number[][] = [];
  let stmtTemps: number[] = [];
  const loops: { head: number; breaks: number[]; depth: number }[] = [];

  const ty = (e: Expr): Ty => t.types.get(e)!;
  const emit = (ev: Event): number => {
    const id = events.length;
    events.push(ev);
    succ.push([]);
    if (cur !== null) succ[cur].push(id);
    cur = id;
    return id;
  };
  const joinNode = (preds: (number | null)[]): number | null => {
    const live = preds.filter((p): p is number => p !== null);
    if (live.length === 0) return null;
    cur = null;
    const id = emit({ k: "nop" });
    for (const p of live) succ[p].push(id);
    return id;
  };
  const newLocal = (l: Omit<Local, "region">, region?: number): number => {
    const r = l.ty.k === "ref" ? (region ?? regionCount++) : -1;
    locals.push({ ...l, region: r });
    return locals.length - 1;
  };
  const temp = (tyv: Ty, span: Span): number => {
    const id = newLocal({ name: "<temp>", ty: tyv, mut: true, span, kind: "temp" });
    stmtTemps.push(id);
    return id;
  };
  const deadSpan = (b: Block): Span => ({
    line: b.span.endLine,
    col: b.span.endCol - 1,
    endLine: b.span.endLine,
    endCol: b.span.endCol,
  });
  const killScope = (ids: number[], span: Span) => {
    for (let i = ids.length - 1; i >= 0; i--) emit({ k: "dead", local: ids[i], span });
  };
  const placeTy = (p: Place): Ty => {
    let x = locals[p.local].ty;
    for (let i = 0; i < p.derefs; i++) {
      x = x.k === "ref" ? x.inner : x.k === "Box" ? x.elem : x;
    }
    return x;
  };

  /** Read or move a value out of an operand; returns the reference locals whose value flows on. */
  const consume = (op: Operand, span: Span): number[] => {
    if ("konst" in op) return [];
    const vt = placeTy(op.place);
    if (isCopy(vt)) emit({ k: "read", place: op.place, span });
    else emit({ k: "move", place: op.place, span });
    return vt.k === "ref" && op.place.derefs === 0 ? [op.place.local] : [];
  };
  const flow = (from: number[], dest: number) => {
    const r = locals[dest].region;
    if (r < 0) return;
    for (const f of from) if (locals[f].region >= 0) edges.push([locals[f].region, r]);
  };
  const assignTo = (dest: number, from: number[], span: Span) => {
    flow(from, dest);
    emit({ k: "assign", place: { local: dest, derefs: 0 }, span, compound: false, srcs: from });
  };
  const intoTemp = (op: Operand, tyv: Ty, span: Span): number => {
    const from = consume(op, span);
    const d = temp(tyv, span);
    assignTo(d, from, span);
    return d;
  };
  const borrow = (
    place: Place,
    mut: boolean,
    span: Span,
    twoPhase = false,
  ): { dest: number; loan: number } => {
    const inner = placeTy(place);
    const dest = temp({ k: "ref", mut, inner }, span);
    const region = regionCount++;
    const id = loans.length;
    loans.push({
      id,
      place,
      mut,
      twoPhase,
      dest,
      span,
      region,
      node: -1,
      activation: -1,
    });
    edges.push([region, locals[dest].region]);
    const owner = locals[place.local];
    if (owner.region >= 0) edges.push([owner.region, region]);
    loans[id].node = emit({ k: "borrow", loan: id });
    return { dest, loan: id };
  };
  const isPlaceExpr = (e: Expr): boolean =>
    e.kind === "path" || (e.kind === "unary" && e.op === "*") || e.kind === "index";

  function lowerPlace(e: Expr, mut: boolean): Place {
    switch (e.kind) {
      case "path":
        return { local: localOf.get(t.bindings.get(e)!)!, derefs: 0 };
      case "unary": {
        if (isPlaceExpr(e.expr)) {
          const p = lowerPlace(e.expr, mut);
          return { local: p.local, derefs: p.derefs + 1 };
        }
        const op = lowerExpr(e.expr);
        return { local: intoTemp(op, ty(e.expr), e.expr.span), derefs: 1 };
      }
      case "index": {
        const vt = ty(e.expr);
        let base: Place;
        if (isPlaceExpr(e.expr)) base = lowerPlace(e.expr, mut);
        else base = { local: intoTemp(lowerExpr(e.expr), vt, e.expr.span), derefs: 0 };
        if (vt.k === "ref") base = { local: base.local, derefs: base.derefs + 1 };
        const { dest } = borrow(base, mut, e.expr.span);
        locals[dest].ty = { k: "ref", mut, inner: ty(e) };
        const idx = lowerExpr(e.index);
        consume(idx, e.index.span);
        emit({ k: "read", place: { local: dest, derefs: 0 }, span: e.span });
        return { local: dest, derefs: 1 };
      }
      default:
        throw new Error(`internal: not a place expression: ${e.kind}`);
    }
  }

  function lowerExpr(e: Expr): Operand {
    const et = ty(e);
    if (isPlaceExpr(e)) return { place: lowerPlace(e, false), ty: et };
    switch (e.kind) {
      case "int":
      case "bool":
      case "str":
        return { konst: et };
      case "ref": {
        if (isPlaceExpr(e.expr)) {
          const p = lowerPlace(e.expr, e.mut);
          return { place: { local: borrow(p, e.mut, e.span).dest, derefs: 0 }, ty: et };
        }
        if (isConstant(e.expr)) return { konst: et };
        const tmp = intoTemp(lowerExpr(e.expr), ty(e.expr), e.expr.span);
        const b = borrow({ local: tmp, derefs: 0 }, e.mut, e.span);
        return { place: { local: b.dest, derefs: 0 }, ty: et };
      }
      case "unary": {
        consume(lowerExpr(e.expr), e.expr.span);
        return { place: { local: valueTemp(et, e.span), derefs: 0 }, ty: et };
      }
      case "binary":
        return binary(e);
      case "assign":
        assign(e);
        return { konst: UNIT };
      case "call":
        return call(e);
      case "method":
        return method(e);
      case "vec": {
        for (const it of e.items) consume(lowerExpr(it), it.span);
        return { place: { local: valueTemp(et, e.span), derefs: 0 }, ty: et };
      }
      case "println": {
        const refs: number[] = [];
        for (const a of e.args) {
          let p: Place;
          if (isPlaceExpr(a)) p = lowerPlace(a, false);
          else p = { local: intoTemp(lowerExpr(a), ty(a), a.span), derefs: 0 };
          refs.push(borrow(p, false, a.span).dest);
        }
        for (const r of refs) emit({ k: "read", place: { local: r, derefs: 0 }, span: e.span });
        return { konst: UNIT };
      }
      case "block":
        return valued(et, e.span, (dest) => lowerBlock(e.block, dest));
      case "if":
        return valued(et, e.span, (dest) => lowerIf(e, dest));
      case "while": {
        const head = joinNode([cur]);
        if (head === null) return { konst: UNIT };
        loops.push({ head, breaks: [], depth: scopes.length });
        const c = lowerExpr(e.cond);
        consume(c, e.cond.span);
        const sw = emit({ k: "nop" });
        lowerBlock(e.body, null);
        if (cur !== null) succ[cur].push(head);
        const l = loops.pop()!;
        joinNode([sw, ...l.breaks]);
        return { konst: UNIT };
      }
      case "loop": {
        const head = joinNode([cur]);
        if (head === null) return { konst: UNIT };
        loops.push({ head, breaks: [], depth: scopes.length });
        lowerBlock(e.body, null);
        if (cur !== null) succ[cur].push(head);
        const l = loops.pop()!;
        joinNode(l.breaks);
        return { konst: UNIT };
      }
      case "break":
      case "continue": {
        const l = loops[loops.length - 1];
        const span = e.span;
        for (let d = scopes.length - 1; d >= l.depth; d--) killScope(scopes[d], span);
        if (cur !== null) {
          if (e.kind === "break") l.breaks.push(cur);
          else succ[cur].push(l.head);
        }
        cur = null;
        return { konst: { k: "never" } };
      }
      case "return": {
        if (e.value) storeReturn(e.value);
        exitFunction(e.span);
        return { konst: { k: "never" } };
      }
    }
    throw new Error(`internal: unexpected expression ${e.kind}`);
  }

  function valueTemp(tyv: Ty, span: Span): number {
    const d = temp(tyv, span);
    emit({ k: "assign", place: { local: d, derefs: 0 }, span, compound: false });
    return d;
  }

  function valued(tyv: Ty, span: Span, body: (dest: number | null) => void): Operand {
    if (tyv.k === "unit" || tyv.k === "never") {
      body(null);
      return { konst: tyv };
    }
    const d = temp(tyv, span);
    body(d);
    return { place: { local: d, derefs: 0 }, ty: tyv };
  }

  function lowerIf(e: Extract<Expr, { kind: "if" }>, dest: number | null): void {
    consume(lowerExpr(e.cond), e.cond.span);
    const sw = emit({ k: "nop" });
    lowerBlock(e.then, dest);
    const end1 = cur;
    cur = sw;
    if (e.else) {
      if (e.else.kind === "block") lowerBlock(e.else.block, dest);
      else if (e.else.kind === "if") lowerIf(e.else, dest);
    }
    joinNode([end1, cur]);
  }

  function coerceArg(a: Expr): Operand {
    const rb = t.reborrows.get(a);
    if (rb) {
      let p: Place;
      if (isPlaceExpr(a)) p = lowerPlace(a, rb === "mut");
      else p = { local: intoTemp(lowerExpr(a), ty(a), a.span), derefs: 0 };
      const b = borrow({ local: p.local, derefs: p.derefs + 1 }, rb === "mut", a.span);
      return { place: { local: b.dest, derefs: 0 }, ty: locals[b.dest].ty };
    }
    return lowerExpr(a);
  }

  function binary(e: Extract<Expr, { kind: "binary" }>): Operand {
    const et = ty(e);
    if (e.op === "&&" || e.op === "||") {
      const d = temp(et, e.span);
      consume(lowerExpr(e.left), e.left.span);
      const sw = emit({ k: "nop" });
      consume(lowerExpr(e.right), e.right.span);
      const end = joinNode([cur, sw]);
      void end;
      emit({ k: "assign", place: { local: d, derefs: 0 }, span: e.span, compound: false });
      return { place: { local: d, derefs: 0 }, ty: et };
    }
    const lt = ty(e.left);
    const scalar = ["i32", "usize", "bool"].includes(lt.k) || lt.k === "var";
    if (!scalar) {
      // Overloaded comparison: PartialEq::eq(&left, &right).
      const refs = [e.left, e.right].map((side) => {
        const p = isPlaceExpr(side)
          ? lowerPlace(side, false)
          : { local: intoTemp(lowerExpr(side), ty(side), side.span), derefs: 0 };
        return borrow(p, false, side.span).dest;
      });
      for (const r of refs) emit({ k: "read", place: { local: r, derefs: 0 }, span: e.span });
      return { place: { local: valueTemp(et, e.span), derefs: 0 }, ty: et };
    }
    const l = lowerExpr(e.left);
    consume(l, e.left.span);
    consume(lowerExpr(e.right), e.right.span);
    return { place: { local: valueTemp(et, e.span), derefs: 0 }, ty: et };
  }

  function assign(e: Extract<Expr, { kind: "assign" }>): void {
    if (e.op !== "=") {
      consume(lowerExpr(e.value), e.value.span);
      const p = lowerPlace(e.target, true);
      emit({ k: "read", place: p, span: e.span });
      emit({ k: "assign", place: p, span: e.span, compound: true });
      return;
    }
    const v = coerceArg(e.value);
    const from = consume(v, e.value.span);
    const p = lowerPlace(e.target, true);
    if (p.derefs === 0) flow(from, p.local);
    emit({ k: "assign", place: p, span: e.span, compound: false, srcs: from });
  }

  function call(e: Extract<Expr, { kind: "call" }>): Operand {
    const et = ty(e);
    const sig = sigs.get(e.name);
    if (e.name === "drop" && !sig) {
      const a = e.args[0];
      const op = lowerExpr(a);
      if ("place" in op && !isCopy(placeTy(op.place))) {
        emit({
          k: "move",
          place: op.place,
          span: a.span,
          drop: needsDrop(placeTy(op.place)) && a.kind === "path" ? a.name : undefined,
        });
      } else consume(op, a.span);
      return { konst: UNIT };
    }
    const argTemps: number[] = [];
    for (const a of e.args) {
      const op = sig ? coerceArg(a) : lowerExpr(a);
      if ("konst" in op && (op.konst.k === "str")) continue;
      argTemps.push(intoTemp(op, "konst" in op ? op.konst : op.ty, a.span));
    }
    for (const a of argTemps) consume({ place: { local: a, derefs: 0 }, ty: UNIT }, e.span);
    if (et.k === "unit" || et.k === "never") {
      if (et.k === "never") cur = null;
      return { konst: et };
    }
    const d = temp(et, e.span);
    const from = sig && sig.retBorrowsFrom >= 0 ? [argTemps[sig.retBorrowsFrom]] : [];
    assignTo(d, from, e.span);
    return { place: { local: d, derefs: 0 }, ty: et };
  }

  function method(e: Extract<Expr, { kind: "method" }>): Operand {
    const info = t.methods.get(e)!;
    const et = ty(e);
    let p: Place;
    if (isPlaceExpr(e.recv)) p = lowerPlace(e.recv, info.selfMut);
    else p = { local: intoTemp(lowerExpr(e.recv), ty(e.recv), e.recv.span), derefs: 0 };
    p = { local: p.local, derefs: p.derefs + info.derefs };
    if (!info.selfMut) {
      const { dest } = borrow(p, false, e.recv.span);
      emit({ k: "read", place: { local: dest, derefs: 0 }, span: e.span });
      return { place: { local: valueTemp(et, e.span), derefs: 0 }, ty: et };
    }
    const { loan } = borrow(p, true, e.recv.span, true);
    for (const a of e.args) {
      const op = lowerExpr(a);
      if (!("konst" in op)) consume(op, a.span);
    }
    loans[loan].activation = emit({ k: "activate", loan });
    return { konst: UNIT };
  }

  function storeReturn(v: Expr): void {
    if (v.kind === "if" && v.else) return lowerIf(v, retLocal);
    if (v.kind === "block") return lowerBlock(v.block, retLocal);
    const op = coerceArg(v);
    const from = consume(op, v.span);
    returns.push({ span: v.span, regions: from.map((x) => locals[x].region) });
    assignTo(retLocal, from, v.span);
  }

  function exitFunction(span: Span): void {
    for (let d = scopes.length - 1; d >= 0; d--) killScope(scopes[d], span);
    if (cur !== null) succ[cur].push(exitNode);
    cur = null;
  }

  function lowerStmt(s: Stmt): void {
    const saved = stmtTemps;
    stmtTemps = [];
    lowerStmtInner(s);
    stmtTemps = saved;
  }

  function lowerStmtInner(s: Stmt): void {
    if (s.kind === "let") {
      const b = t.bindings.get(s)!;
      const scopeTemps: number[] = [];
      let from: number[] = [];
      if (s.init) {
        const init = s.init;
        let op: Operand;
        if (init.kind === "ref" && !isPlaceExpr(init.expr) && !isConstant(init.expr)) {
          // Temporary lifetime extension: `let r = &String::from("a");` lives to the block's end.
          const tmp = intoTemp(lowerExpr(init.expr), ty(init.expr), init.expr.span);
          stmtTemps = stmtTemps.filter((x) => x !== tmp);
          scopeTemps.push(tmp);
          const bo = borrow({ local: tmp, derefs: 0 }, init.mut, init.span);
          op = { place: { local: bo.dest, derefs: 0 }, ty: ty(init) };
        } else op = coerceArg(init);
        from = consume(op, init.span);
      }
      const id = newLocal({ name: b.name, ty: b.ty, mut: b.mut, span: b.span, kind: "user" });
      localOf.set(b, id);
      if (s.init) assignTo(id, from, s.span);
      killScope(stmtTemps, s.span);
      scopes[scopes.length - 1].push(...scopeTemps, id);
      return;
    }
    lowerExpr(s.expr);
    killScope(stmtTemps, s.span);
  }

  function lowerBlock(b: Block, dest: number | null): void {
    scopes.push([]);
    for (const s of b.stmts) lowerStmt(s);
    if (b.tail) {
      const saved = stmtTemps;
      const tailTemps: number[] = [];
      stmtTemps = tailTemps;
      if (dest !== null) {
        if (dest === retLocal) storeReturn(b.tail);
        else {
          const op = coerceArg(b.tail);
          assignTo(dest, consume(op, b.tail.span), b.tail.span);
        }
      } else lowerExpr(b.tail);
      killScope(scopes.pop()!, deadSpan(b));
      killScope(tailTemps, deadSpan(b));
      stmtTemps = saved;
    } else {
      killScope(scopes.pop()!, deadSpan(b));
    }
  }

  // Entry, parameters, body, exit.
  const entry = emit({ k: "entry" });
  void entry;
  scopes.push([]);
  t.params.forEach((p) => {
    const id = newLocal(
      { name: p.name, ty: p.ty, mut: p.mut, span: p.span, kind: "param" },
      universal,
    );
    localOf.set(p, id);
    scopes[0].push(id);
  });
  const retLocal = newLocal(
    { name: "<return>", ty: t.ret, mut: true, span: t.fn.span, kind: "ret" },
    universal,
  );
  const bodyStart = cur;
  cur = null;
  const exitNode = emit({ k: "exit" });
  cur = bodyStart;
  lowerBlock(t.fn.body, t.ret.k === "unit" ? null : retLocal);
  exitFunction(deadSpan(t.fn.body));
  return {
    locals,
    events,
    succ,
    loans,
    edges,
    regionCount,
    universal,
    exit: exitNode,
    returns,
  };
}

function isConstant(e: Expr): boolean {
  switch (e.kind) {
    case "int":
    case "bool":
      return true;
    case "unary":
      return e.op !== "*" && isConstant(e.expr);
    case "binary":
      return isConstant(e.left) && isConstant(e.right);
    default:
      return false;
  }
}
