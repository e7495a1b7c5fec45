import assert from "node:assert/strict";
import {
  describeLatencyLevels,
  estimateLevels,
  type LatencyCurve,
  machineFacts,
  measureLatencyCurve,
  parseGetconf,
  type ProgressSink,
} from "memgarden";

const KiB = 1024;
const MiB = 1024 * 1024;

/**
 * Re-measure a noisy ordering up to `attempts` times (the machine is shared);
 * the assertion itself is never weakened: the last failure is rethrown.
 */
async function withRetries(attempts: number, check: () => Promise<void>): Promise<void> {
  for (let i = 1;; i++) {
    try {
      return await check();
    } catch (error) {
      if (i >= attempts) throw error;
    }
  }
}

const at = (curve: LatencyCurve, size: number) => curve.nsPerAccess[curve.sizesBytes.indexOf(size)];

Deno.test("latency at 64 MiB is more than twice latency at 16 KiB", async () => {
  await withRetries(3, async () => {
    const curve = await measureLatencyCurve({
      sizesBytes: [16 * KiB, 64 * MiB],
      budgetMs: 1200,
      withCaches: false,
    });
    const small = at(curve, 16 * KiB), big = at(curve, 64 * MiB);
    assert.ok(big > 2 * small, `64 MiB ${big} ns vs 16 KiB ${small} ns`);
  });
});

Deno.test("latency rises from L1-sized to L2-sized to RAM-sized working sets", async () => {
  await withRetries(3, async () => {
    const sizes = [8 * KiB, 256 * KiB, 64 * MiB];
    const curve = await measureLatencyCurve({ sizesBytes: sizes, budgetMs: 1500 });
    const [l1, l2, ram] = sizes.map((s) => at(curve, s));
    assert.ok(l2 > 1.5 * l1, `256 KiB ${l2} ns vs 8 KiB ${l1} ns`);
    assert.ok(ram > 4 * l2, `64 MiB ${ram} ns vs 256 KiB ${l2} ns`);
  });
});

Deno.test("a curve carries raw samples, minima, environment and caches, and is JSON-friendly", async () => {
  const updates: number[] = [];
  let finished = "";
  const sink: ProgressSink = {
    update: (f) => void updates.push(f),
    finish: (note) => void (finished = note),
  };
  const curve = await measureLatencyCurve({
    minBytes: 4 * KiB,
    maxBytes: 64 * KiB,
    pointsPerDoubling: 2,
    budgetMs: 200,
    progress: sink,
  });
  // 4 doublings at 2 points each, both ends included, whole lines only.
  assert.deepEqual(curve.sizesBytes, [4096, 5760, 8192, 11584, 16384, 23168, 32768, 46336, 65536]);
  assert.equal(curve.samples.length, curve.sizesBytes.length);
  curve.samples.forEach((runs, i) => {
    assert.ok(runs.length >= 2);
    assert.equal(curve.nsPerAccess[i], Math.min(...runs));
  });
  assert.deepEqual(updates, curve.sizesBytes.map((_, i) => (i + 1) / curve.sizesBytes.length));
  assert.match(finished, /9 sizes/);
  assert.equal(curve.environment.deno, Deno.version.deno);
  assert.equal(curve.budgetMs, 200);
  assert.ok(curve.elapsedMs < 4 * curve.budgetMs, `elapsed ${curve.elapsedMs} ms for 200 ms`);
  // Whatever this machine knows about its caches (/sys, sysconf, or nothing at all), each
  // comes with its source; no cache list is required.
  assert.deepEqual(curve.caches, machineFacts().caches);
  for (const c of curve.caches) assert.ok(["/sys", "sysconf"].includes(c.source), c.source);
  const copy = JSON.parse(JSON.stringify(curve));
  assert.deepEqual(copy.nsPerAccess, curve.nsPerAccess);
  const bundle = (curve as unknown as Record<symbol, () => Record<string, string>>)
    [Symbol.for("Jupyter.display")]();
  assert.match(bundle["text/html"], /<table/);
  assert.match(bundle["text/plain"], /64 KiB/);
});

Deno.test("bad latency options name the field, the rule and the value", async () => {
  await assert.rejects(
    () => measureLatencyCurve({ budgetMs: -5 }),
    (e: unknown) => e instanceof TypeError && /budgetMs/.test(e.message),
  );
  await assert.rejects(
    () => measureLatencyCurve({ minBytes: 1 * MiB, maxBytes: 64 * KiB }),
    (e: unknown) => e instanceof TypeError && /maxBytes must be at least minBytes/.test(e.message),
  );
  await assert.rejects(
    () => measureLatencyCurve({ sizesBytes: [4096, 64 * MiB], maxMemoryBytes: 16 * MiB }),
    (e: unknown) =>
      e instanceof RangeError &&
      /must not exceed maxMemoryBytes \(16777216\): received 67108864/.test(e.message),
  );
});

Deno.test("estimateLevels finds textbook plateaus and the jumps between them", () => {
  const est = estimateLevels({
    sizesBytes: [4, 8, 16, 32, 48, 64, 256, 512, 1024, 2048, 4096, 65536].map((k) => k * KiB),
    nsPerAccess: [1.2, 1.2, 1.25, 1.3, 2.4, 3.8, 3.9, 4.0, 4.2, 9.0, 11, 120],
  });
  assert.deepEqual(
    est.plateaus.map((p) => [p.fromBytes / KiB, p.toBytes / KiB, p.points]),
    [[4, 32, 4], [64, 1024, 4], [2048, 4096, 2]],
  );
  assert.deepEqual(est.transitionBytes, [48 * KiB, 65536 * KiB]);
  assert.equal(est.plateaus[1].latencyNs, (3.9 + 4.0) / 2);
  assert.equal(est.jumps.length, 2);
  assert.equal(est.jumps[0].afterBytes, 32 * KiB);
  assert.ok(est.jumps.every((j) => j.ratio > 2));
});

Deno.test("estimateLevels rejects a malformed curve", () => {
  assert.throws(
    () => estimateLevels({ sizesBytes: [1, 2], nsPerAccess: [1] }),
    /nsPerAccess must have one value per size/,
  );
  assert.throws(
    () => estimateLevels({ sizesBytes: [1], nsPerAccess: [1] }, { tolerance: 1 }),
    /tolerance/,
  );
});

Deno.test("estimateLevels on a real curve: slower plateaus come later", async () => {
  await withRetries(3, async () => {
    const curve = await measureLatencyCurve({
      sizesBytes: [8, 12, 16, 128, 192, 256, 48 * 1024, 64 * 1024].map((k) => k * KiB),
      budgetMs: 2000,
      withCaches: false,
    });
    const est = estimateLevels(curve);
    assert.ok(est.plateaus.length >= 2, JSON.stringify(est));
    assert.ok(est.plateaus.at(-1)!.latencyNs > 4 * est.plateaus[0].latencyNs, JSON.stringify(est));
  });
});

Deno.test("estimateLevels merges neighbouring plateaus split by a noisy point", () => {
  const est = estimateLevels({
    sizesBytes: [4, 8, 16, 24, 32, 40, 128, 256].map((k) => k * KiB),
    nsPerAccess: [1.4, 1.4, 3.3, 1.45, 1.4, 1.42, 3.8, 3.9],
  });
  assert.deepEqual(
    est.plateaus.map((p) => [p.fromBytes / KiB, p.toBytes / KiB, p.points]),
    [[4, 40, 6], [128, 256, 2]],
  );
  assert.deepEqual(est.transitionBytes, []);
  assert.equal(est.jumps.length, 1);
});

Deno.test("a malformed progress option is refused before any measuring", async () => {
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    () => measureLatencyCurve({ sizesBytes: [4096], progress: 3 as any }),
    /progress must be a boolean or an object with update and finish functions: received 3/,
  );
});

Deno.test("describeLatencyLevels reads machine B's curve against its sysconf caches, and against none", () => {
  const fixtures = new URL("./fixtures/", import.meta.url);
  const curve = JSON.parse(Deno.readTextFileSync(new URL("machine-b/latency.json", fixtures)));
  const getconf = parseGetconf(Deno.readTextFileSync(new URL("machine-b/getconf.txt", fixtures)));
  const root = decodeURIComponent(new URL("machine-b", fixtures).pathname);
  const facts = machineFacts({ root, sysconf: getconf });
  const est = estimateLevels(curve);
  const text = describeLatencyLevels(est, facts.caches);
  assert.match(text, /^The curve shows 6 plateaus: 1\.40 ns from 4 KiB to 8 KiB, /);
  assert.match(
    text,
    /L1d \(48 KiB, from sysconf\): a plateau ends at 45\.3 KiB, close to its size/,
  );
  assert.match(text, /L2 \(1 MiB, from sysconf\): a plateau ends at 512 KiB, close to its size/);
  assert.match(
    text,
    /The plateau at 14\.8 ns from 1\.41 MiB to 8 MiB lies beyond every reported cache/,
    "machine B's unreported L3",
  );
  assert.match(text, /RAM: 126 ns per load from 16 MiB, rising to 475 ns at 64 MiB/);
  const bare = describeLatencyLevels(est, []);
  assert.match(bare, /No cache size is known for this machine/);
  // Machine A's /sys caches against the same curve: its 32 MiB L3 has no plateau of its own.
  const a = machineFacts({
    root: decodeURIComponent(new URL("machine-a", fixtures).pathname),
    sysconf: "none",
  });
  assert.match(
    describeLatencyLevels(est, a.caches),
    /L3 \(32 MiB, from \/sys\): no plateau of its own near its size; the last cache plateau ends at 8 MiB/,
  );
});
