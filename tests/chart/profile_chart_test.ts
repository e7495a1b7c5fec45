import assert from "node:assert/strict";
import { allocationFlameChart, heapSpacesChart, parseFoldedStacks } from "memgarden";

Deno.test("folded stacks: summed per stack, comments skipped, a bad line named", () => {
  assert.deepEqual(parseFoldedStacks("# profile\nmain;a 10\n\nmain;b 5\nmain;a 2\n"), [
    { stack: ["main", "a"], bytes: 12 },
    { stack: ["main", "b"], bytes: 5 },
  ]);
  assert.throws(() => parseFoldedStacks("main;a 1\nmain;b\n"), /line 2 must be/);
});

Deno.test("icicle chart: one bar per frame, widths add up, the caption names the biggest self", () => {
  const c = allocationFlameChart([
    { stack: ["main", "load"], bytes: 3000 },
    { stack: ["main", "parse", "token"], bytes: 1000 },
    { stack: ["main", "parse"], bytes: 500 },
  ]);
  // all, main, load, parse, token
  assert.equal((c.svg.match(/<rect/g) ?? []).length >= 5, true);
  assert.match(c.caption, /4\.4 KiB allocated in all/);
  assert.match(c.caption, /load allocated the most itself: 2\.9 KiB \(67%\)/);
  assert.match(c.svg, /Bytes allocated \(share of the total\)/);
  assert.throws(() => allocationFlameChart([]), /non-empty/);
  assert.throws(() => allocationFlameChart([{ stack: ["a"], bytes: 0 }]), /positive number/);
});

Deno.test("heap spaces chart: labelled, caption from the data", () => {
  const c = heapSpacesChart([
    { name: "new_space", usedBytes: 1048576, sizeBytes: 4194304 },
    { name: "old_space", usedBytes: 8388608, sizeBytes: 9437184 },
  ]);
  assert.match(c.svg, /Memory \(MiB\)/);
  assert.match(c.caption, /^9 MiB used in 2 spaces; old_space holds the most \(8 MiB\)/);
  assert.throws(() => heapSpacesChart([]), /non-empty/);
});
