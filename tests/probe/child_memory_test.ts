/**
 * Lesson 11's real runs: a child's memory read from /proc (and ps, top), a
 * leak stopped at its cap, an allocation profile. Ratios and orderings only,
 * small sizes, and no child left behind, also when a callback throws or the
 * run is aborted.
 */
import assert from "node:assert/strict";
import {
  childMemoryChart,
  describeChildMemory,
  measureChildMemory,
  parseProcStatm,
  parseTopRes,
  profileAllocations,
  watchLeak,
} from "memgarden";
import { liveChildren } from "./_children.ts";

/** Children of this process, zombies included, after giving the kernel a moment to reap. */
async function leftovers(): Promise<number[]> {
  await new Promise((r) => setTimeout(r, 50));
  return liveChildren();
}

Deno.test("a child that writes 48 MB of numbers grows its RSS by about that; one that never writes, by little", async () => {
  const written = await measureChildMemory({ elements: 6_000_000, kind: "float64-written" });
  const untouched = await measureChildMemory({ elements: 6_000_000, kind: "float64-untouched" });
  const asked = 6_000_000 * 8;
  // two runtimes' own footprints differ by a few MB: a wide margin
  assert.ok(written.rssGrowthBytes! > 0.6 * asked, `written grew ${written.rssGrowthBytes}`);
  assert.ok(written.rssGrowthBytes! < 2 * asked + 16e6, `written grew ${written.rssGrowthBytes}`);
  assert.ok(untouched.rssGrowthBytes! < 0.25 * asked, `untouched grew ${untouched.rssGrowthBytes}`);
  assert.equal(
    written.holding.externalGainBytes,
    asked,
    "V8 counts the Float64Array outside its heap",
  );
  // ps reads the same counter, a moment later.
  const h = written.holding;
  if (h.psRssBytes !== null) {
    assert.ok(Math.abs(h.psRssBytes - h.status.vmRssBytes!) < 0.1 * h.status.vmRssBytes!);
  }
  assert.match(describeChildMemory(written), /grew by/);
  assert.match(describeChildMemory(untouched), /almost none of it|did not grow/);
  assert.deepEqual(await leftovers(), []);
});

Deno.test("a leak is stopped at its cap, grows about a step per tick, and its child is gone", async () => {
  const w = await watchLeak({ stepMiB: 4, tickMs: 20, capMiB: 110 });
  assert.equal(w.stoppedAtCap, true);
  const last = w.trace.samples[w.trace.samples.length - 1].rssBytes;
  assert.ok(last >= w.capBytes);
  // each tick writes stepMiB; on a busy machine timers fire late (a 20 ms tick can take 100 ms),
  // so the rate per nominal tick may fall well short, but it is never zero and never far above
  assert.ok(
    w.growthPerTickBytes! > 0.1 * w.stepBytes && w.growthPerTickBytes! < 2 * w.stepBytes,
    String(w.growthPerTickBytes),
  );
  assert.deepEqual(await leftovers(), []);
});

Deno.test("a throwing onSample ends the run with its error, and the child is still killed", async () => {
  await assert.rejects(
    () =>
      watchLeak({
        onSample: (s) => {
          if (s.tMs > 100) throw new Error("planted chart failure");
        },
      }),
    /planted chart failure/,
  );
  assert.deepEqual(await leftovers(), []);
});

Deno.test("an aborted watch returns early with the child killed", async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 400);
  const w = await watchLeak({ capMiB: 500, maxDurationMs: 20_000, signal: ac.signal });
  assert.equal(w.stoppedAtCap, false);
  assert.equal(w.trace.ended, "aborted");
  assert.ok(w.trace.elapsedMs < 5000);
  assert.deepEqual(await leftovers(), []);
});

Deno.test("bad options name the field", async () => {
  await assert.rejects(
    () => measureChildMemory({ elements: -1 }),
    /Cannot measure child memory:[\s\S]*elements/,
  );
  await assert.rejects(() => watchLeak({ capMiB: 100_000 }), /Cannot watch a leak:[\s\S]*capMiB/);
  await assert.rejects(
    () => profileAllocations({ lines: 10 }),
    /Cannot profile allocations:[\s\S]*lines/,
  );
  assert.throws(() => parseProcStatm("1 2 3", 4096), /expected 7 page counts: received "1 2 3"/);
});

Deno.test("top's RES column is read with or without a unit letter", () => {
  const head = "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n";
  assert.equal(
    parseTopRes(
      `${head}    12 me  20   0   17.3g 122048  31232 S   0.0   1.5   0:00.31 deno\n`,
      12,
    ),
    122048 * 1024,
  );
  assert.equal(
    parseTopRes(
      `${head}    12 me  20   0   17.3g  81.2m  31232 S   0.0   1.5   0:00.31 deno\n`,
      12,
    ),
    Math.round(81.2 * 1024 * 1024),
  );
  assert.equal(
    parseTopRes(
      `${head}    13 me  20   0   17.3g  81.2m  31232 S   0.0   1.5   0:00.31 deno\n`,
      12,
    ),
    null,
  );
  assert.equal(parseTopRes("no header here", 12), null);
});

Deno.test("an allocation profile starts at main and finds the text and the counting", async () => {
  const p = await profileAllocations({ lines: 5000 });
  assert.ok(p.stacks.every((s) => s.stack[0] === "main"));
  const under = (name: string) =>
    p.stacks.filter((s) => s.stack.includes(name)).reduce((n, s) => n + s.bytes, 0);
  // makeText builds 5,000 strings of about 70 characters; countWords splits all of them again.
  assert.ok(under("makeText") > 5000 * 20, `makeText ${under("makeText")}`);
  assert.ok(under("countWords") > 5000 * 20, `countWords ${under("countWords")}`);
  assert.ok(p.answer > 0);
  assert.deepEqual(await leftovers(), []);
});

Deno.test("without ps and top (a minimal image), the prose and the chart say so and still compare /proc", () => {
  const reading = (rss: number | null, ps: number | null) => ({
    pid: 1,
    elements: 10_000_000,
    requestedBytes: 8e7,
    heapGainBytes: 8e7,
    externalGainBytes: 0,
    status: { vmRssBytes: rss, rssAnonBytes: rss === null ? null : rss - 3e7 },
    statm: null,
    psRssBytes: ps,
    topResBytes: null,
  });
  const noTools = {
    kind: "js-array",
    holding: reading(1.2e8, null),
    baseline: reading(4e7, null),
    rssGrowthBytes: 8e7,
  } as never;
  assert.match(describeChildMemory(noTools), /ps could not be run here/);
  const c = childMemoryChart(noTools);
  assert.doesNotMatch(c.svg, /ps RSS|top RES/);
  assert.match(c.svg, /VmRSS, holding child/);
  const noProc = { ...(noTools as object), rssGrowthBytes: null } as never;
  assert.match(describeChildMemory(noProc), /did not let the course read/);
});
