// Lessons 05 and 06: reference solutions pass every test; typical mistakes fail with a hint.
import assert from "node:assert/strict";
import { check, LEAK_QUIZ } from "memgarden";

const mark = (roots: string[], fields: Record<string, (string | null)[]>) => {
  const seen = new Set<string>();
  const work = [...roots];
  while (work.length) {
    const id = work.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const t of fields[id] ?? []) if (t !== null) work.push(t);
  }
  return [...seen];
};

const recursiveMark = (roots: string[], fields: Record<string, (string | null)[]>) => {
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const t of fields[id]) if (t !== null) visit(t);
  };
  roots.forEach(visit);
  return [...seen];
};

Deno.test("gc-implement-mark: a worklist passes, a recursive mark fails only on the deep chain", async () => {
  assert.equal((await check("gc-implement-mark", mark)).passed, true);
  const r = await check("gc-implement-mark", recursiveMark);
  assert.deepEqual(r.tests.map((t) => t.passed), [true, true, true, false]);
});

Deno.test("gc-rc-leak and gc-copy-bytes: the answers worked by hand pass", async () => {
  assert.equal((await check("gc-rc-leak", () => ["p", "q", "r", "s"])).passed, true);
  const forgotR = await check("gc-rc-leak", () => ["p", "q", "s"]);
  assert.equal(forgotR.passed, false);
  const tree = await check("gc-rc-leak", () => ["p", "q", "r", "s", "t", "u"]);
  assert.match(tree.tests[0].message ?? "", /t and u form no cycle/);
  // a (32) -> b (48) -> e (24), a -> c (16); f and d are garbage.
  assert.equal((await check("gc-copy-bytes", () => 120)).passed, true);
  const all = await check("gc-copy-bytes", () => 224);
  assert.match(all.tests[0].message ?? "", /never touches the garbage/);
});

Deno.test("leaks-find-the-leak: the leaking letters are B, D and F", async () => {
  assert.deepEqual(LEAK_QUIZ.filter((q) => q.scenario.leaks).map((q) => q.letter), ["B", "D", "F"]);
  assert.equal((await check("leaks-find-the-leak", () => ["b", "D", "F"])).passed, true);
  const r = await check("leaks-find-the-leak", () => ["B", "D"]);
  assert.match(r.tests[0].message ?? "", /F leaks/);
});

Deno.test("leaks-size-cache and leaks-lru: reference solutions pass", async () => {
  const hits = (keys: string[], capacity: number) => {
    const m = new Map<string, true>();
    let h = 0;
    for (const k of keys) {
      if (m.has(k)) {
        h++;
        m.delete(k);
      } else if (m.size >= capacity) m.delete(m.keys().next().value!);
      m.set(k, true);
    }
    return h;
  };
  const smallest = (keys: string[], target: number) => {
    for (let c = 1; c <= new Set(keys).size; c++) {
      if (hits(keys, c) >= target * keys.length) return c;
    }
    return null;
  };
  assert.equal((await check("leaks-size-cache", smallest)).passed, true);
  const createLru = (capacity: number) => {
    const m = new Map<string, unknown>();
    return {
      get(k: string) {
        if (!m.has(k)) return undefined;
        const v = m.get(k);
        m.delete(k);
        m.set(k, v);
        return v;
      },
      set(k: string, v: unknown) {
        m.delete(k);
        m.set(k, v);
        if (m.size > capacity) m.delete(m.keys().next().value!);
      },
      size: () => m.size,
    };
  };
  assert.equal((await check("leaks-lru", createLru)).passed, true);
});
