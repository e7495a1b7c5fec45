import assert from "node:assert/strict";
import { parseLackey, runCsim } from "memgarden";

// A hand-made trace in the spirit of Cache Lab's yi.trace; expectations derived below.
const MINI = [
  " L 10,1", //  line 0x10
  " M 20,1", //  line 0x20
  " L 22,1",
  " S 18,1",
  " L 110,1",
  " L 210,1",
  " M 12,1",
  "I  400000,4", // ignored by csim
].join("\n");

Deno.test("csim -s 1 -E 1 -b 1 on the mini trace, derived by hand", () => {
  // 2 sets, 1 way, 2-byte lines: set = (addr >> 1) & 1, line = addr >> 1.
  // L 10: line 8, set 0: miss.            M 20: line 16, set 0: miss eviction, hit.
  // L 22: line 17, set 1: miss.           S 18: line 12, set 0: miss eviction.
  // L 110: line 136, set 0: miss eviction. L 210: line 264, set 0: miss eviction.
  // M 12: line 9, set 1: miss eviction (evicts 17), hit.
  const r = runCsim(parseLackey(MINI), { s: 1, E: 1, b: 1, verbose: true });
  assert.deepEqual(r.lines, [
    "L 10,1 miss",
    "M 20,1 miss eviction hit",
    "L 22,1 miss",
    "S 18,1 miss eviction",
    "L 110,1 miss eviction",
    "L 210,1 miss eviction",
    "M 12,1 miss eviction hit",
  ]);
  assert.deepEqual([r.hits, r.misses, r.evictions], [2, 7, 5]);
});

Deno.test("csim -s 4 -E 2 -b 4 on the mini trace, derived by hand", () => {
  // 16 sets, 2 ways, 16-byte lines: set = (addr >> 4) & 15.
  // 10 -> set 1 miss; 20 -> set 2 miss, hit; 22 -> set 2 hit; 18 -> set 1 hit;
  // 110 -> set 1 miss (2 ways: no eviction); 210 -> set 1 miss eviction (LRU is line 0x11 ... see below);
  // 12 -> set 1: after 210 evicted the LRU line of set 1.
  // Set 1 history: 0x10 (t1), 0x18 hits line 0x1 (t4), 0x110 (t5), 0x210 evicts LRU = line 0x1 (t4 < t5).
  // So M 12 (line 0x1) misses and evicts line 0x11 (t5), then hits.
  const r = runCsim(parseLackey(MINI), { s: 4, E: 2, b: 4, verbose: true });
  assert.deepEqual(r.lines, [
    "L 10,1 miss",
    "M 20,1 miss hit",
    "L 22,1 hit",
    "S 18,1 hit",
    "L 110,1 miss",
    "L 210,1 miss eviction",
    "M 12,1 miss eviction hit",
  ]);
  assert.deepEqual([r.hits, r.misses, r.evictions], [4, 5, 2]);
});

Deno.test("csim: fully associative LRU with a reuse pattern", () => {
  // s = 0, E = 2, b = 0: lines are single bytes. A B A C B: A miss, B miss, A hit,
  // C evicts B (LRU), B evicts A.
  const r = runCsim(parseLackey(" L 0,1\n L 1,1\n L 0,1\n L 2,1\n L 1,1\n"), { s: 0, E: 2, b: 0 });
  assert.deepEqual([r.hits, r.misses, r.evictions, r.lines.length], [1, 4, 2, 0]);
});

Deno.test("csim: bad flags are clear errors", () => {
  const t = parseLackey(" L 0,1\n");
  assert.throws(
    () => runCsim(t, { s: -1, E: 1, b: 0 }),
    /Cannot run csim: s must be at least 0: received -1/,
  );
  assert.throws(() => runCsim(t, { s: 0, E: 0, b: 0 }), /E must be at least 1: received 0/);
});

Deno.test("csim results are plain data with a notebook view", () => {
  const r = runCsim(parseLackey(MINI), { s: 4, E: 2, b: 4, verbose: true });
  assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(r))), [
    "hits",
    "misses",
    "evictions",
    "lines",
  ]);
  const view = (r as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.match(view["text/plain"], /M 12,1 miss eviction hit\nhits:4 misses:5 evictions:2$/);
  assert.match(view["text/html"], /^<pre>L 10,1 miss/);
});
