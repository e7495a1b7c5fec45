import assert from "node:assert/strict";
import {
  allocationWorkload,
  killStrayChildren,
  parseProcStat,
  sampleProcess,
  strayChildren,
} from "memgarden";

const gone = (pid: number) => {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return parseProcStat(stat) && /\) Z /.test(stat); // a zombie still counts as not running
  } catch {
    return true;
  }
};

/** SIGKILL is delivered at once but a busy kernel may take a moment to end the process. */
async function goneSoon(pid: number, withinMs = 3000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (!gone(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

Deno.test("parseProcStat counts fields after the last ')' and refuses other text", () => {
  const line = "7 (a) b) c) R 1 7 7 0 -1 0 11 0 3 0 5 6 0 0 20 0 1 0 9 1000 77 0";
  assert.deepEqual(parseProcStat(line), {
    state: "R",
    flags: 0,
    ppid: 1,
    minorFaults: 11,
    majorFaults: 3,
    utimeTicks: 5,
    stimeTicks: 6,
    rssPages: 77,
  });
  assert.throws(() => parseProcStat("not a stat line"), SyntaxError);
});

Deno.test("a leaking child: RSS grows by about what it keeps, with about one minor fault per page touched", async () => {
  const stepMiB = 16;
  const steps = 4;
  const t = await sampleProcess(allocationWorkload({ stepMiB, steps, pauseMs: 40, leak: true }), {
    intervalMs: 10,
    maxDurationMs: 30_000,
  });
  assert.equal(t.ended, "exited");
  assert.equal(t.exitCode, 0);
  assert.equal(t.stdout.trim(), String(steps));
  assert.ok(t.samples.length >= 3, `only ${t.samples.length} samples`);
  const first = t.samples[0];
  const peak = Math.max(...t.samples.map((s) => s.rssBytes));
  const kept = stepMiB * steps * 1048576;
  assert.ok(
    peak - first.rssBytes >= kept * 0.6,
    `RSS grew ${peak - first.rssBytes} for ${kept} kept`,
  );
  const last = t.samples[t.samples.length - 1];
  assert.ok(
    last.rssBytes - first.rssBytes >= (peak - first.rssBytes) * 0.8,
    "a leak keeps its memory to the last sample (samples during the exit are left out)",
  );
  const pages = kept / t.units.pageBytes;
  assert.ok(last.minorFaults - first.minorFaults >= pages * 0.6, "about a fault per page written");
  for (let i = 1; i < t.samples.length; i++) {
    assert.ok(t.samples[i].tMs >= t.samples[i - 1].tMs);
    assert.ok(t.samples[i].minorFaults >= t.samples[i - 1].minorFaults, "fault counts never fall");
  }
  assert.ok(await goneSoon(t.pid));
  assert.deepEqual(strayChildren(), []);
});

Deno.test("dropping the blocks instead: the last sample is well below a leak's", async () => {
  const run = (leak: boolean) =>
    sampleProcess(allocationWorkload({ stepMiB: 16, steps: 4, pauseMs: 20, leak }), {
      intervalMs: 10,
    });
  const leak = await run(true);
  const tidy = await run(false);
  const end = (t: typeof leak) => t.samples[t.samples.length - 1].rssBytes;
  assert.ok(end(tidy) < end(leak) - 32 * 1048576, `ends at ${end(tidy)} vs ${end(leak)} bytes`);
});

Deno.test("a child that outlives its time bound is killed and reaped at once", async () => {
  const t = await sampleProcess(["sleep", "30"], { maxDurationMs: 300, intervalMs: 20 });
  assert.equal(t.ended, "time bound");
  assert.ok(t.elapsedMs < 10_000, `took ${t.elapsedMs} ms`);
  assert.ok(await goneSoon(t.pid), "the sleep process is gone");
  assert.deepEqual(strayChildren(), []);
});

Deno.test("an abort signal (a stopped cell) kills and reaps the child", async () => {
  const ac = new AbortController();
  const pending = sampleProcess(["sleep", "30"], { signal: ac.signal, maxDurationMs: 20_000 });
  setTimeout(() => ac.abort(), 200);
  const t = await pending;
  assert.equal(t.ended, "aborted");
  assert.ok(t.elapsedMs < 10_000);
  assert.ok(await goneSoon(t.pid));
});

Deno.test("a sampler that never finished leaves a child that killStrayChildren ends", async () => {
  const pending = sampleProcess(["sleep", "30"], { maxDurationMs: 20_000 });
  for (let i = 0; i < 200 && strayChildren().length === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(strayChildren().length, 1);
  assert.equal(await killStrayChildren(), 1);
  const t = await pending;
  assert.ok(t.elapsedMs < 10_000);
  assert.ok(await goneSoon(t.pid));
  assert.deepEqual(strayChildren(), []);
});

Deno.test("bad options name the field; an empty command is refused", async () => {
  await assert.rejects(() => sampleProcess(["true"], { intervalMs: 1 }), /intervalMs/);
  await assert.rejects(() => sampleProcess(["true"], { maxDurationMs: 10 ** 9 }), /maxDurationMs/);
  await assert.rejects(() => sampleProcess([]), /non-empty array/);
  assert.throws(
    () => allocationWorkload({ stepMiB: 0, steps: 1, pauseMs: 0, leak: true }),
    /stepMiB/,
  );
});
