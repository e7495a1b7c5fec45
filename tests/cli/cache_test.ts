import assert from "node:assert/strict";
import { gzipSync } from "fflate";
import { readTraceFile, runCsim } from "memgarden";
import { cacheCli } from "memgarden/cli/cache.ts";
import { main } from "memgarden/cli/main.ts";

const MINI = new URL("../../data/traces/cachelab_mini.trace", import.meta.url).pathname;
const SUM = new URL("../../data/traces/sum.trace.gz", import.meta.url).pathname;

async function temp(suffix: string, data: string | Uint8Array): Promise<string> {
  const path = await Deno.makeTempFile({ suffix });
  if (typeof data === "string") await Deno.writeTextFile(path, data);
  else await Deno.writeFile(path, data);
  return path;
}

Deno.test("sim cache prints csim's summary for the hand-checked mini trace", async () => {
  // Expected values derived by hand in tests/cache/csim_test.ts.
  assert.deepEqual((await cacheCli(["-s", "1", "-E", "1", "-b", "1", "-t", MINI])).stdout, [
    "hits:2 misses:7 evictions:5",
  ]);
  assert.deepEqual((await cacheCli(["-s", "4", "-E", "2", "-b", "4", "-t", MINI])).stdout, [
    "hits:4 misses:5 evictions:2",
  ]);
});

Deno.test("sim cache -v prints one line per L/S/M record like csim-ref", async () => {
  const out = await cacheCli(["-v", "-s", "4", "-E", "2", "-b", "4", "-t", MINI]);
  assert.equal(out.status, 0);
  assert.deepEqual(out.stdout, [
    "L 10,1 miss",
    "M 20,1 miss hit",
    "L 22,1 hit",
    "S 18,1 hit",
    "L 110,1 miss",
    "L 210,1 miss eviction",
    "M 12,1 miss eviction hit",
    "hits:4 misses:5 evictions:2",
  ]);
  // Bundled and attached flags, as getopt accepts them.
  assert.deepEqual((await cacheCli(["-vs4", "-E2", "-b", "4", "-t", MINI])).stdout, out.stdout);
});

Deno.test("gzipped traces are read by extension, with the same result", async () => {
  const path = await temp(".trace.gz", gzipSync(await Deno.readFile(MINI)));
  try {
    assert.deepEqual((await cacheCli(["-s", "1", "-E", "1", "-b", "1", "-t", path])).stdout, [
      "hits:2 misses:7 evictions:5",
    ]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("the streaming CLI path agrees with runCsim on a recorded valgrind trace", async () => {
  const trace = await readTraceFile(SUM);
  for (const [s, E, b] of [[5, 1, 5], [4, 2, 4], [0, 8, 6]]) {
    const r = runCsim(trace, { s, E, b });
    const out = await cacheCli(["-s", `${s}`, "-E", `${E}`, "-b", `${b}`, "-t", SUM]);
    assert.deepEqual(out.stdout, [`hits:${r.hits} misses:${r.misses} evictions:${r.evictions}`]);
  }
});

Deno.test("--json, --policy and --write-through", async () => {
  // One set of two ways: A B A C A. LRU keeps A (2 hits); FIFO evicts A for C (1 hit).
  const path = await temp(".trace", " L 0,1\n L 10,1\n L 0,1\n L 20,1\n L 0,1\n");
  try {
    const lru = JSON.parse(
      (await cacheCli(["-s", "0", "-E", "2", "-b", "4", "-t", path, "--json"])).stdout[0],
    );
    assert.deepEqual([lru.hits, lru.misses, lru.evictions, lru.settings.policy], [2, 3, 1, "lru"]);
    const fifo = await cacheCli(["-s", "0", "-E", "2", "-b", "4", "-t", path, "--policy", "fifo"]);
    assert.deepEqual(fifo.stdout, ["hits:1 misses:4 evictions:2"]);
    const wt = JSON.parse(
      (await cacheCli(["-s", "0", "-E", "2", "-b", "4", "-t", MINI, "--write-through", "--json"]))
        .stdout[0],
    );
    assert.equal(wt.settings.writePolicy, "write-through");
    assert.equal(wt.dirtyWritebacks, 0);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("--config runs a multi-level hierarchy", async () => {
  const config = await temp(
    ".json",
    JSON.stringify({
      levels: [
        { name: "L1", sets: 2, ways: 1, lineBytes: 16, latencyCycles: 1 },
        { name: "L2", sets: 8, ways: 2, lineBytes: 16, latencyCycles: 10 },
      ],
      memoryLatencyCycles: 100,
      accessMode: "csim",
    }),
  );
  try {
    const out = await cacheCli(["--config", config, "-t", MINI]);
    assert.equal(out.status, 0, out.stderr.join("\n"));
    // L1 = csim -s 1 -E 1 -b 4 on the mini trace: 10 s0, 20 s0 (evicts), 22 hit, 18 s1, 110 s1 (evicts 18... ) etc.
    const l1 = runCsim(await readTraceFile(MINI), { s: 1, E: 1, b: 4 });
    assert.equal(out.stdout[0], `L1 hits:${l1.hits} misses:${l1.misses} evictions:${l1.evictions}`);
    assert.match(out.stdout[1], /^L2 hits:\d+ misses:\d+ evictions:\d+$/);
    assert.match(out.stdout[2], /^AMAT:\d+\.\d{3} cycles$/);
    const json = JSON.parse((await cacheCli(["--config", config, "-t", MINI, "--json"])).stdout[0]);
    assert.equal(json.levels.length, 2);
    const bad = await temp(
      ".json",
      JSON.stringify({ levels: [{ sets: 3, ways: 1, lineBytes: 16 }] }),
    );
    const mixed = await cacheCli(["--config", config, "-t", MINI, "-s", "4"]);
    assert.equal(mixed.status, 2);
    assert.match(mixed.stderr[0], /-s cannot be combined with --config .*: received "4"$/);
    const err = await cacheCli(["--config", bad, "-t", MINI]);
    assert.equal(err.status, 2);
    assert.match(err.stderr[0], /levels.0: sets must be a power of two: received 3/);
    await Deno.remove(bad);
  } finally {
    await Deno.remove(config);
  }
});

Deno.test("usage errors exit 2 naming the flag; bad files exit 1 naming the file and line", async () => {
  const cases: [string[], RegExp][] = [
    [["-s", "4", "-E", "1", "-b", "4"], /-t is required \(-t <file>\): received nothing/],
    [
      ["-s", "x", "-E", "1", "-b", "4", "-t", MINI],
      /-s must be a non-negative integer: received "x"/,
    ],
    [["-s", "4", "-E", "0", "-b", "4", "-t", MINI], /-E must be at least 1: received "0"/],
    [["-s", "4", "-E", "1", "-t", MINI], /-b is required without --config: received nothing/],
    [["-q"], /unknown option: received "-q"/],
    [
      ["-s", "1", "-E", "1", "-b", "1", "-t", MINI, "--write-back", "--write-through"],
      /--write-through cannot be combined with --write-back/,
    ],
    [
      ["-s", "1", "-E", "3", "-b", "1", "-t", MINI, "--policy", "plru"],
      /ways must be a power of two for tree-PLRU: received 3/,
    ],
    [["-s", "1", "-E", "1", "-b", "1", "-t", MINI, "--policy", "mru"], /received "mru"/],
  ];
  for (const [args, pattern] of cases) {
    const out = await cacheCli(args);
    assert.equal(out.status, 2, args.join(" "));
    assert.match(out.stderr[0], pattern);
  }
  const missing = await cacheCli(["-s", "1", "-E", "1", "-b", "1", "-t", "/nonexistent.trace"]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr[0], /file not found: received "\/nonexistent.trace"/);
  const broken = await temp(".trace", " L 10,1\n L 20,1\n K 30,1\n");
  try {
    for (const v of [[], ["-v"]]) {
      const out = await cacheCli([...v, "-s", "1", "-E", "1", "-b", "1", "-t", broken]);
      assert.equal(out.status, 1);
      assert.ok(out.stderr[0].startsWith(broken), out.stderr[0]);
      assert.match(out.stderr[0], /line 3 must start with I, L, S or M: received " K 30,1"/);
    }
  } finally {
    await Deno.remove(broken);
  }
});

Deno.test("-h prints the usage; the dispatcher knows the cache model", async () => {
  const help = await cacheCli(["-h"]);
  assert.equal(help.status, 0);
  assert.match(
    help.stdout[0],
    /^Usage: deno task sim cache \[-hv\] -s <num> -E <num> -b <num> -t <file>/,
  );
  const log = console.log;
  const lines: string[] = [];
  console.log = (s: string) => lines.push(s);
  try {
    assert.equal(await main(["cache", "-s", "1", "-E", "1", "-b", "1", "-t", MINI]), 0);
  } finally {
    console.log = log;
  }
  assert.deepEqual(lines, ["hits:2 misses:7 evictions:5"]);
});

Deno.test("--config -v with an instruction L1 reports the data L1's hits and misses", async () => {
  const config = await temp(
    ".json",
    JSON.stringify({
      instructionL1: { sets: 2, ways: 1, lineBytes: 16 },
      levels: [{ name: "L1d", sets: 16, ways: 2, lineBytes: 16 }],
      accessMode: "csim",
    }),
  );
  try {
    const out = await cacheCli(["--config", config, "-t", MINI, "-v"]);
    assert.equal(out.status, 0, out.stderr.join("\n"));
    // The same lines as plain csim -s 4 -E 2 -b 4, which is the data L1's geometry.
    const csim = await cacheCli(["-v", "-s", "4", "-E", "2", "-b", "4", "-t", MINI]);
    assert.deepEqual(out.stdout.slice(0, 7), csim.stdout.slice(0, 7));
    assert.match(out.stdout[1], /^M 20,1 miss hit$/);
  } finally {
    await Deno.remove(config);
  }
});
