/**
 * The borrow check proper, on a lowered graph, as rustc's NLL does it:
 * initialisation dataflow (moves, E0382/E0381/E0384), liveness of
 * references, regions as sets of points solved from liveness and outlives
 * edges, loans in scope, and each access checked against them
 * (E0499/E0502/E0503/E0505/E0506/E0597/E0515/E0716), with two-phase borrows
 * reserved as shared until their activation.
 *
 * @module
 */
import type { Span } from "./_ast.ts";
import type { RawDiagnostic } from "./_diagnostic.ts";
import type { Event, Graph, Loan, Place } from "./_lower.ts";
import { needsDrop } from "./_types.ts";

/** Where a value is dropped. */
export interface DropPoint {
  /** The variable. */
  name: string;
  /** Where: the closing brace of its scope, the `drop(...)` call, or the assignment. */
  line: number;
  column: number;
  /** Why it is dropped there. */
  reason: "end of scope" | "drop() call" | "reassigned";
  /** True when the value may already have been moved on some path (a drop flag decides). */
  conditional: boolean;
}

interface InitState {
  init: Uint8Array;
  uninit: Uint8Array;
  moves: (number[] | null)[];
}

type DerefKind = "shared" | "mut" | "box";

/** Run the borrow check on one lowered function. */
export function analyse(g: Graph): { diags: RawDiagnostic[]; drops: DropPoint[] } {
  const n = g.events.length;
  const L = g.locals.length;
  const preds: number[][] = Array.from({ length: n }, () => []);
  g.succ.forEach((ss, i) => ss.forEach((s) => preds[s].push(i)));

  // Reachability from the entry (node 0): unreachable code is not checked.
  const reachable = new Uint8Array(n);
  {
    const stack = [0];
    reachable[0] = 1;
    while (stack.length) {
      const x = stack.pop()!;
      for (const s of g.succ[x]) if (!reachable[s]) (reachable[s] = 1, stack.push(s));
    }
  }

  // ---- initialisation dataflow (forward, may) ----
  const inState: (InitState | null)[] = new Array(n).fill(null);
  const startState = (): InitState => ({
    init: new Uint8Array(L),
    uninit: new Uint8Array(L).fill(1),
    moves: new Array(L).fill(null),
  });
  const clone = (s: InitState): InitState => ({
    init: s.init.slice(),
    uninit: s.uninit.slice(),
    moves: s.moves.slice(),
  });
  const transfer = (i: number, s: InitState): InitState => {
    const ev = g.events[i];
    const o = clone(s);
    if (ev.k === "entry") {
      g.locals.forEach((l, x) => {
        if (l.kind === "param") (o.init[x] = 1, o.uninit[x] = 0);
      });
    } else if (ev.k === "assign" && ev.place.derefs === 0) {
      o.init[ev.place.local] = 1;
      o.uninit[ev.place.local] = 0;
      o.moves[ev.place.local] = null;
    } else if (ev.k === "move" && ev.place.derefs === 0) {
      o.init[ev.place.local] = 0;
      o.uninit[ev.place.local] = 1;
      o.moves[ev.place.local] = [i];
    } else if (ev.k === "borrow") {
      const d = g.loans[ev.loan].dest;
      o.init[d] = 1;
      o.uninit[d] = 0;
      o.moves[d] = null;
    } else if (ev.k === "dead") {
      o.init[ev.local] = 0;
      o.uninit[ev.local] = 1;
      o.moves[ev.local] = null;
    }
    return o;
  };
  const joinInto = (a: InitState, b: InitState): boolean => {
    let changed = false;
    for (let x = 0; x < L; x++) {
      if (b.init[x] && !a.init[x]) (a.init[x] = 1, changed = true);
      if (b.uninit[x] && !a.uninit[x]) (a.uninit[x] = 1, changed = true);
      const bm = b.moves[x];
      if (bm) {
        const am = a.moves[x] ?? [];
        const merged = [...new Set([...am, ...bm])].sort((p, q) => p - q);
        if (merged.length !== am.length) (a.moves[x] = merged, changed = true);
      }
    }
    return changed;
  };
  {
    inState[0] = startState();
    const work = [0];
    while (work.length) {
      const i = work.pop()!;
      const out = transfer(i, inState[i]!);
      for (const s of g.succ[i]) {
        if (inState[s] === null) {
          inState[s] = clone(out);
          work.push(s);
        } else if (joinInto(inState[s]!, out)) work.push(s);
      }
    }
  }

  // ---- liveness of locals with a reference type (backward) ----
  const uses = (ev: Event): number[] => {
    switch (ev.k) {
      case "read":
      case "move":
        return [ev.place.local];
      case "assign":
        return [
          ...(ev.place.derefs > 0 || ev.compound ? [ev.place.local] : []),
          ...(ev.srcs ?? []),
        ];
      case "borrow":
        return [g.loans[ev.loan].place.local];
      case "activate":
        return [g.loans[ev.loan].dest];
      default:
        return [];
    }
  };
  const defs = (ev: Event): number[] => {
    if (ev.k === "assign" && ev.place.derefs === 0 && !ev.compound) return [ev.place.local];
    if (ev.k === "dead") return [ev.local];
    if (ev.k === "borrow") return [g.loans[ev.loan].dest];
    return [];
  };
  const refLocals = g.locals.flatMap((l, x) => l.region >= 0 ? [x] : []);
  const liveIn: Uint8Array[] = Array.from({ length: n }, () => new Uint8Array(L));
  {
    let changed = true;
    while (changed) {
      changed = false;
      for (let i = n - 1; i >= 0; i--) {
        const out = new Uint8Array(L);
        for (const s of g.succ[i]) for (const x of refLocals) if (liveIn[s][x]) out[x] = 1;
        for (const x of defs(g.events[i])) out[x] = 0;
        for (const x of uses(g.events[i])) out[x] = 1;
        for (const x of refLocals) {
          if (out[x] !== liveIn[i][x]) {
            liveIn[i][x] = out[x];
            changed = true;
          }
        }
      }
    }
  }

  // ---- regions: points where each region must hold ----
  const R = g.regionCount;
  const region: Uint8Array[] = Array.from({ length: R }, () => new Uint8Array(n));
  region[g.universal].fill(1);
  for (const x of refLocals) {
    const r = g.locals[x].region;
    for (let i = 0; i < n; i++) if (liveIn[i][x]) region[r][i] = 1;
  }
  {
    let changed = true;
    while (changed) {
      changed = false;
      for (const [sup, sub] of g.edges) {
        const a = region[sup];
        const b = region[sub];
        for (let i = 0; i < n; i++) if (b[i] && !a[i]) (a[i] = 1, changed = true);
      }
    }
  }

  // ---- loans in scope ----
  const inScope: number[][] = Array.from({ length: n }, () => []);
  for (const loan of g.loans) {
    if (loan.node < 0 || !reachable[loan.node]) continue;
    const r = region[loan.region];
    const seen = new Uint8Array(n);
    const stack = [...g.succ[loan.node]];
    while (stack.length) {
      const i = stack.pop()!;
      if (seen[i] || !r[i]) continue;
      seen[i] = 1;
      inScope[i].push(loan.id);
      const ev = g.events[i];
      const kills = (ev.k === "assign" && ev.place.derefs === 0 && !ev.compound &&
        ev.place.local === loan.place.local) ||
        (ev.k === "dead" && ev.local === loan.place.local);
      if (!kills) stack.push(...g.succ[i]);
    }
  }

  // ---- checks ----
  const diags: RawDiagnostic[] = [];
  const drops: DropPoint[] = [];
  const reported = new Set<string>();
  const name = (p: Place) => `${"*".repeat(p.derefs)}${g.locals[p.local].name}`;
  const derefKinds = (local: number): DerefKind[] => {
    const kinds: DerefKind[] = [];
    let t = g.locals[local].ty;
    for (;;) {
      if (t.k === "ref") kinds.push(t.mut ? "mut" : "shared"), t = t.inner;
      else if (t.k === "Box") kinds.push("box"), t = t.elem;
      else return kinds;
    }
  };
  const placeKey = (p: Place, s: Span) =>
    `${p.local}/${p.derefs}@${s.line}:${s.col}-${s.endLine}:${s.endCol}`;
  const report = (key: string, d: RawDiagnostic) => {
    if (reported.has(key)) return;
    reported.add(key);
    diags.push(d);
  };
  type Access = "read" | "move" | "shared" | "mut" | "reserve" | "write" | "dead";
  const conflicts = (access: Access, p: Place, q: Place): boolean => {
    if (p.local !== q.local) return false;
    if (q.derefs <= p.derefs) return true;
    const kind = derefKinds(p.local)[p.derefs];
    if (kind === "shared") return false;
    if (kind === "mut") return access !== "write" && access !== "dead";
    return true;
  };
  const loanIsMut = (loan: Loan, at: number): boolean => {
    if (!loan.mut) return false;
    if (loan.twoPhase && loan.activation >= 0 && at > loan.node && at < loan.activation) {
      return false;
    }
    return true;
  };
  /** rustc's "borrow later used here": the first use after `at` of a reference derived from the loan. */
  const laterUse = (loan: Loan, at: number, label: string): { span: Span; label: string }[] => {
    const derived = new Set<number>([loan.region]);
    const stack = [loan.region];
    while (stack.length) {
      const r = stack.pop()!;
      for (const [sup, sub] of g.edges) {
        if (sup === r && !derived.has(sub)) (derived.add(sub), stack.push(sub));
      }
    }
    derived.delete(g.universal);
    const carriers = new Set(refLocals.filter((x) => derived.has(g.locals[x].region)));
    const inRegion = region[loan.region];
    const seen = new Uint8Array(n);
    const queue = [...g.succ[at]];
    while (queue.length) {
      const i = queue.shift()!;
      if (seen[i] || !inRegion[i]) continue;
      seen[i] = 1;
      const ev = g.events[i];
      if (uses(ev).some((x) => carriers.has(x))) {
        if (ev.k === "activate") {
          return [{
            span: g.loans[ev.loan].span,
            label: label.replace("used here", "used by call"),
          }];
        }
        const span = ev.k === "borrow" ? g.loans[ev.loan].span : "span" in ev ? ev.span : null;
        if (span) return [{ span, label }];
      }
      queue.push(...g.succ[i]);
    }
    return [];
  };

  /** Check an access against the loans in scope; return true if an error was reported. */
  const checkLoans = (i: number, access: Access, p: Place, span: Span, own = -1): boolean => {
    for (const id of inScope[i]) {
      if (id === own) continue;
      const loan = g.loans[id];
      if (!conflicts(access, p, loan.place)) continue;
      const lm = loanIsMut(loan, i);
      const what = name(p);
      const key = placeKey(p, span);
      const borrowed = name(loan.place);
      const later = (label = "borrow later used here") => laterUse(loan, i, label);
      const notes = [{ span: loan.span, label: `\`${borrowed}\` is borrowed here` }, ...later()];
      switch (access) {
        case "read":
          if (!lm) continue;
          report(key, {
            code: "E0503",
            message: `cannot use \`${what}\` because it was mutably borrowed`,
            span,
            label: `use of borrowed \`${borrowed}\``,
            notes,
          });
          return true;
        case "shared":
          if (!lm) continue;
          report(key, {
            code: "E0502",
            message:
              `cannot borrow \`${what}\` as immutable because it is also borrowed as mutable`,
            span,
            label: "immutable borrow occurs here",
            notes: [
              { span: loan.span, label: "mutable borrow occurs here" },
              ...later("mutable borrow later used here"),
            ],
          });
          return true;
        case "reserve":
        case "mut":
          if (access === "reserve" && !lm) continue;
          report(
            key,
            lm
              ? {
                code: "E0499",
                message: `cannot borrow \`${what}\` as mutable more than once at a time`,
                span,
                label: "second mutable borrow occurs here",
                notes: [
                  { span: loan.span, label: "first mutable borrow occurs here" },
                  ...later("first borrow later used here"),
                ],
              }
              : {
                code: "E0502",
                message:
                  `cannot borrow \`${what}\` as mutable because it is also borrowed as immutable`,
                span,
                label: "mutable borrow occurs here",
                notes: [
                  { span: loan.span, label: "immutable borrow occurs here" },
                  ...later("immutable borrow later used here"),
                ],
              },
          );
          return true;
        case "move":
          report(key, {
            code: "E0505",
            message: `cannot move out of \`${what}\` because it is borrowed`,
            span,
            label: `move out of \`${what}\` occurs here`,
            notes: [
              { span: loan.span, label: `borrow of \`${borrowed}\` occurs here` },
              ...later(),
            ],
          });
          return true;
        case "write":
          report(key, {
            code: "E0506",
            message: `cannot assign to \`${what}\` because it is borrowed`,
            span,
            label: `\`${what}\` is assigned to here but it was already borrowed`,
            notes,
          });
          return true;
        case "dead": {
          const local = g.locals[p.local];
          if (region[loan.region][g.exit]) {
            const ret = g.returns.find((r) =>
              r.regions.some((x) => x !== g.universal && reaches(g, loan.region, x))
            );
            report(`E0515:${loan.span.line}:${loan.span.col}`, {
              code: "E0515",
              message: local.kind === "temp"
                ? "cannot return value referencing temporary value"
                : `cannot return value referencing local variable \`${local.name}\``,
              span: ret?.span ?? span,
              label: "returns a value referencing data owned by the current function",
              notes: [{ span: loan.span, label: `\`${borrowed}\` is borrowed here` }],
            });
          } else if (local.kind === "temp") {
            report(`E0716:${loan.span.line}:${loan.span.col}`, {
              code: "E0716",
              message: "temporary value dropped while borrowed",
              span: loan.span,
              label: "creates a temporary value which is freed while still in use",
              notes: [{ span, label: "temporary value is freed at the end of this statement" }],
            });
          } else {
            report(placeKey({ local: p.local, derefs: 0 }, loan.span), {
              code: "E0597",
              message: `\`${borrowed}\` does not live long enough`,
              span: loan.span,
              label: "borrowed value does not live long enough",
              notes: [
                { span, label: `\`${borrowed}\` dropped here while still borrowed` },
                ...later(),
              ],
            });
          }
          return true;
        }
      }
    }
    return false;
  };

  /** E0382 / E0381 for a use of a possibly uninitialised local. */
  const checkInit = (i: number, p: Place, span: Span, verb: "use" | "borrow"): boolean => {
    const s = inState[i]!;
    const x = p.local;
    if (!s.uninit[x]) return false;
    const local = g.locals[x];
    const moves = s.moves[x];
    if (moves && moves.length) {
      report(`E0382:${x}:${moves.join(",")}`, {
        code: "E0382",
        message: `${verb === "borrow" ? "borrow" : "use"} of moved value: \`${local.name}\``,
        span,
        label: `value ${verb === "borrow" ? "borrowed" : "used"} here after move`,
        notes: moves.map((m) => ({
          span: (g.events[m] as { span: Span }).span,
          label: "value moved here",
        })),
      });
    } else {
      report(`E0381:${x}:${span.line}:${span.col}`, {
        code: "E0381",
        message: `used binding \`${local.name}\` ${
          s.init[x] ? "is possibly-uninitialized" : "isn't initialized"
        }`,
        span,
        label: `\`${local.name}\` used here but it ${
          s.init[x] ? "is possibly-uninitialized" : "isn't initialized"
        }`,
        notes: [{ span: local.span, label: "binding declared here but left uninitialized" }],
      });
    }
    return true;
  };

  /** E0596 / E0594: may this place be borrowed mutably or assigned through? */
  const checkMutable = (p: Place, span: Span, action: "borrow" | "assign"): boolean => {
    const kinds = derefKinds(p.local);
    const local = g.locals[p.local];
    let d = p.derefs;
    while (d > 0) {
      const k = kinds[d - 1];
      if (k === "mut") return true;
      if (k === "shared") {
        const base = `${"*".repeat(d - 1)}${local.name}`;
        report(
          placeKey(p, span),
          action === "borrow"
            ? {
              code: "E0596",
              message: `cannot borrow \`${name(p)}\` as mutable, as it is behind a \`&\` reference`,
              span,
              label: `\`${base}\` is a \`&\` reference, so it cannot be borrowed as mutable`,
              notes: [],
            }
            : {
              code: "E0594",
              message: `cannot assign to \`${name(p)}\`, which is behind a \`&\` reference`,
              span,
              label: `\`${base}\` is a \`&\` reference, so it cannot be written to`,
              notes: [],
            },
        );
        return false;
      }
      d--;
    }
    if (local.mut) return true;
    const what = name(p);
    report(
      placeKey(p, span),
      action === "borrow"
        ? {
          code: "E0596",
          message: p.derefs === 0
            ? `cannot borrow \`${what}\` as mutable, as it is not declared as mutable`
            : `cannot borrow \`${what}\` as mutable, as \`${local.name}\` is not declared as mutable`,
          span,
          label: "cannot borrow as mutable",
          notes: [],
        }
        : {
          code: "E0594",
          message: `cannot assign to \`${what}\`, as \`${local.name}\` is not declared as mutable`,
          span,
          label: "cannot assign",
          notes: [],
        },
    );
    return false;
  };

  for (let i = 0; i < n; i++) {
    if (!reachable[i]) continue;
    const ev = g.events[i];
    const st = inState[i]!;
    switch (ev.k) {
      case "read":
        if (checkInit(i, ev.place, ev.span, "use")) break;
        checkLoans(i, "read", ev.place, ev.span);
        break;
      case "move": {
        if (checkInit(i, ev.place, ev.span, "use")) break;
        if (ev.place.derefs > 0) {
          const kind = derefKinds(ev.place.local)[ev.place.derefs - 1];
          diags.push({
            code: "E0507",
            message: `cannot move out of \`${name(ev.place)}\` which is behind a ${
              kind === "mut" ? "mutable" : "shared"
            } reference`,
            span: ev.span,
            label: `move occurs because \`${
              name(ev.place)
            }\` does not implement the \`Copy\` trait`,
            notes: [],
          });
          break;
        }
        checkLoans(i, "move", ev.place, ev.span);
        if (ev.drop) {
          drops.push({
            name: ev.drop,
            line: ev.span.line,
            column: ev.span.col,
            reason: "drop() call",
            conditional: false,
          });
        }
        break;
      }
      case "borrow": {
        const loan = g.loans[ev.loan];
        if (checkInit(i, loan.place, loan.span, "borrow")) break;
        if (loan.mut && !checkMutable(loan.place, loan.span, "borrow")) break;
        // A loan of the same borrow from an earlier iteration of a loop is a real conflict.
        checkLoans(
          i,
          loan.mut ? (loan.twoPhase ? "reserve" : "mut") : "shared",
          loan.place,
          loan.span,
        );
        break;
      }
      case "activate": {
        const loan = g.loans[ev.loan];
        if (reported.has(`act:${loan.id}`)) break;
        checkLoans(i, "mut", loan.place, loan.span, loan.id);
        break;
      }
      case "assign": {
        const p = ev.place;
        const local = g.locals[p.local];
        if (p.derefs === 0) {
          if (local.kind === "user" || local.kind === "param") {
            if (!local.mut && st.init[p.local] && !ev.compound) {
              report(`E0384:${ev.span.line}:${ev.span.col}`, {
                code: "E0384",
                message: local.kind === "param"
                  ? `cannot assign to immutable argument \`${local.name}\``
                  : `cannot assign twice to immutable variable \`${local.name}\``,
                span: ev.span,
                label: local.kind === "param"
                  ? "cannot assign to immutable argument"
                  : "cannot assign twice to immutable variable",
                notes: [{ span: local.span, label: `first assignment to \`${local.name}\`` }],
              });
              break;
            }
            if (!local.mut && ev.compound) {
              report(`E0384:${ev.span.line}:${ev.span.col}`, {
                code: "E0384",
                message: `cannot assign twice to immutable variable \`${local.name}\``,
                span: ev.span,
                label: "cannot assign twice to immutable variable",
                notes: [{ span: local.span, label: `first assignment to \`${local.name}\`` }],
              });
              break;
            }
          }
          checkLoans(i, "write", p, ev.span);
          if (local.kind === "user" && needsDrop(local.ty) && st.init[p.local] && !ev.compound) {
            drops.push({
              name: local.name,
              line: ev.span.line,
              column: ev.span.col,
              reason: "reassigned",
              conditional: st.uninit[p.local] === 1,
            });
          }
        } else {
          if (checkInit(i, p, ev.span, "use")) break;
          if (!checkMutable(p, ev.span, "assign")) break;
          checkLoans(i, "write", p, ev.span);
        }
        break;
      }
      case "dead": {
        const local = g.locals[ev.local];
        checkLoans(i, "dead", { local: ev.local, derefs: 0 }, ev.span);
        if (
          local.kind !== "temp" && local.kind !== "ret" && needsDrop(local.ty) && st.init[ev.local]
        ) {
          drops.push({
            name: local.name,
            line: ev.span.line,
            column: ev.span.col,
            reason: "end of scope",
            conditional: st.uninit[ev.local] === 1,
          });
        }
        break;
      }
    }
  }
  return { diags, drops };
}

function reaches(g: Graph, from: number, to: number): boolean {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length) {
    const x = stack.pop()!;
    if (x === to) return true;
    for (const [a, b] of g.edges) if (a === x && !seen.has(b)) (seen.add(b), stack.push(b));
  }
  return false;
}
