import assert from "node:assert/strict";
import { parseStackLimit, probeRecursionDepth, simulateRecursion } from "memgarden";

Deno.test("stack limits parse from /proc/<pid>/limits text", () => {
  const line = (v: string) =>
    `Max cpu time              unlimited            unlimited            seconds\nMax stack size            ${v}              unlimited            bytes\n`;
  assert.equal(parseStackLimit(line("8388608")), 8388608);
  assert.equal(parseStackLimit(line("unlimited")), null);
  assert.equal(parseStackLimit(""), null);
});

Deno.test("V8's depth falls as frames grow and grows with --stack-size, as the simulated stack predicts", async () => {
  const r = await probeRecursionDepth({ locals: [0, 32], stackKiB: [492, 984], repeats: 2 });
  const at = (kib: number, k: number) =>
    r.samples.find((s) => s.stackKiB === kib && s.locals === k)!;
  assert.ok(at(984, 32).depth < at(984, 0).depth, JSON.stringify(r.samples));
  // calibrate bytes per frame at one stack size, predict the other with the simulator
  const frame = at(984, 32).bytesPerFrame;
  const predicted =
    simulateRecursion({ stackBytes: 492 * 1024, localBytes: [Math.round(frame) - 16] }).depth;
  const ratio = at(492, 32).depth / predicted;
  assert.ok(ratio > 0.8 && ratio < 1.25, `measured ${at(492, 32).depth}, predicted ${predicted}`);
});

Deno.test("stack sizes the OS limit cannot back are skipped, not run", async () => {
  const limits = "Max stack size            2097152              unlimited            bytes\n";
  const r = await probeRecursionDepth({
    locals: [0],
    stackKiB: [492, 4096],
    repeats: 1,
    limitsText: limits,
  });
  assert.deepEqual(r.skippedStackKiB, [4096]);
  assert.deepEqual(r.samples.map((s) => s.stackKiB), [492]);
  await assert.rejects(() => probeRecursionDepth({ locals: [-1] }), /locals must be integers/);
});
