import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { gzipSync } from "fflate";
import { createTraceStreamStats, readTraceFile, runCsim } from "memgarden";
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
    const json = JSON.parse((await cacheCli(["--config", config, "-t", MINI, "--json"])).stdout[0]);
    assert.equal(json.levels.length, 2);
    // The 3C split is on by default: each level's line ends with its misses by kind.
    const [j1, j2] = json.levels;
    assert.equal(
      out.stdout[0],
      `L1 hits:${l1.hits} misses:${l1.misses} evictions:${l1.evictions} compulsory:${j1.compulsory} capacity:${j1.capacity} conflict:${j1.conflict}`,
    );
    assert.equal(j1.compulsory + j1.capacity + j1.conflict, l1.misses);
    assert.equal(
      out.stdout[1],
      `L2 hits:${j2.hits} misses:${j2.misses} evictions:${j2.evictions} compulsory:${j2.compulsory} capacity:${j2.capacity} conflict:${j2.conflict}`,
    );
    assert.match(out.stdout[2], /^AMAT:\d+\.\d{3} cycles$/);
    // Without the split, the counts alone.
    const plainConfig = await temp(
      ".json",
      JSON.stringify({ ...JSON.parse(await Deno.readTextFile(config)), classifyMisses: false }),
    );
    const plain = await cacheCli(["--config", plainConfig, "-t", MINI]);
    await Deno.remove(plainConfig);
    assert.equal(
      plain.stdout[0],
      `L1 hits:${l1.hits} misses:${l1.misses} evictions:${l1.evictions}`,
    );
    assert.match(plain.stdout[1], /^L2 hits:\d+ misses:\d+ evictions:\d+$/);
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
    [
      ["-s", "1", "-E", "1", "-b", "1", "-t", MINI, "--policy", "mru"],
      /^Cannot run sim cache: --policy must be one of lru, fifo, random, plru: received "mru"$/,
    ],
    [
      ["-s", "1", "-E", "1", "-b", "1", "-t", MINI, "--seed", "99999999999999999999999"],
      /^Cannot run sim cache: --seed must be an integer from .*: received "99999999999999999999999"$/,
    ],
    [
      ["-s", "30", "-E", "65536", "-b", "4", "-t", MINI],
      /^Cannot run sim cache: -E times the 2\^30 sets of -s 30 must be at most 2\^26 lines .*: received "65536"$/,
    ],
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
  // The command writes stdout in large pieces straight to Deno.stdout.
  const lines: string[] = [];
  const stdout = Deno.stdout as { writeSync(b: Uint8Array): number };
  const original = stdout.writeSync;
  stdout.writeSync = (b: Uint8Array) => {
    lines.push(...new TextDecoder().decode(b).split("\n").filter((l) => l !== ""));
    return b.length;
  };
  try {
    assert.equal(await main(["cache", "-s", "1", "-E", "1", "-b", "1", "-t", MINI]), 0);
  } finally {
    stdout.writeSync = original;
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

Deno.test("-t names the path when it is a directory or missing; --config likewise", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = await cacheCli(["-s", "1", "-E", "1", "-b", "1", "-t", dir]);
    assert.equal(out.status, 1);
    assert.deepEqual(out.stderr, [
      `Cannot open trace: the path is a directory, not a trace file: received "${dir}"`,
    ]);
    const config = await cacheCli(["--config", dir, "-t", MINI]);
    assert.equal(config.status, 1);
    assert.equal(config.stderr.length, 1);
    assert.match(config.stderr[0], new RegExp(`${dir}.*is a directory`));
    const missing = await cacheCli(["--config", `${dir}/none.json`, "-t", MINI]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr[0], /none.json: no such file/);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("memory budget: huge hierarchies and step logs are refused at once, naming the field and the cap", async () => {
  const huge = { sets: 2 ** 20, ways: 64, lineBytes: 64 }; // 2^26 lines, the most one level may have
  const cases: [object, RegExp][] = [
    [
      { levels: Array(12).fill(huge), classifyMisses: false },
      /: Cannot create cache: levels.1 brings the total to 134217728 lines: the levels together may hold at most 67108864 \(2\^26\) lines, about 600 MB of tags: received sets 1048576, ways 64$/,
    ],
    [
      { levels: [huge] },
      /: Cannot create cache: levels.0 brings the total to 67108864 lines: with the 3C split \(classifyMisses\) the levels together may hold at most 16777216 .*set classifyMisses: false/,
    ],
    [
      { levels: [{ sets: 4, ways: 1, lineBytes: 16 }], stepLimit: 2 ** 53 - 1 },
      /: Cannot create cache: stepLimit must be at most 1048576 \(2\^20\).*: received 9007199254740991$/,
    ],
  ];
  for (const [doc, pattern] of cases) {
    const path = await temp(".json", JSON.stringify(doc));
    try {
      const out = await cacheCli(["--config", path, "-t", MINI]);
      assert.equal(out.status, 2);
      assert.ok(out.stderr[0].startsWith(path), out.stderr[0]);
      assert.match(out.stderr[0], pattern);
      assert.ok(!out.stderr[0].includes("\n"));
    } finally {
      await Deno.remove(path);
    }
  }
});

Deno.test("multi-member gzip traces read like zcat; trailing bytes name the file and offset", async () => {
  const text = await Deno.readFile(MINI);
  const half = text.indexOf(10, text.length >> 1) + 1;
  const a = gzipSync(text.subarray(0, half)), b = gzipSync(text.subarray(half));
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  const multi = await temp(".trace.gz", joined);
  const junk = await temp(".trace.gz", new Uint8Array([...a, ...b, 0x0a, 0x41]));
  try {
    const out = await cacheCli(["-s", "1", "-E", "1", "-b", "1", "-t", multi]);
    assert.deepEqual(out.stdout, ["hits:2 misses:7 evictions:5"]);
    const bad = await cacheCli(["-s", "1", "-E", "1", "-b", "1", "-t", junk]);
    assert.equal(bad.status, 1);
    assert.deepEqual(bad.stderr, [
      `${junk}: Cannot read gzip trace: unexpected bytes after gzip member 2 at byte offset ${joined.length}: expected another member (1f 8b) or the end of the file: received 0a 41`,
    ]);
  } finally {
    await Deno.remove(multi);
    await Deno.remove(junk);
  }
});

Deno.test("-v streams: on 1 GiB of lines (a small multi-member gzip) lines come out batch by batch", async () => {
  // 1024 copies of a gzip member holding 1 MiB of lackey lines (2048 addresses over and
  // over, so it compresses well): 1 GiB of text in a few MB.
  const lines = Math.floor((1 << 20) / 15);
  const text = new TextEncoder().encode(
    Array.from({ length: lines }, (_, i) => ` L ${(0x7ff000000 + 8 * (i % 2048)).toString(16)},8`)
      .join("\n") + "\n",
  );
  const member = gzipSync(text, { level: 9 });
  const path = await Deno.makeTempFile({ suffix: ".trace.gz" });
  const file = await Deno.open(path, { write: true });
  for (let i = 0; i < 1024; i++) await file.write(member);
  file.close();
  try {
    const stats = createTraceStreamStats();
    let got = 0;
    let first = "";
    const out = await cacheCli(["-v", "-s", "4", "-E", "2", "-b", "6", "-t", path], {
      stats,
      write(line) {
        if (got++ === 0) first = line;
        return got < lines; // stop like `| head`, after 1 MiB of the 1 GiB
      },
    });
    assert.equal(out.status, 0, out.stderr.join("\n"));
    assert.deepEqual(out.stdout, []);
    assert.equal(first, "L 7ff000000,8 miss");
    // What was held: batches of 4096 records, a few members' worth of text read, not 1 GiB.
    assert.ok(stats.maxBatchLength <= 4096 + 16384, `batch ${stats.maxBatchLength}`);
    assert.ok(stats.textBytes < 6 * text.length, `read ${stats.textBytes} bytes of text`);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("fuzz: any argv parses or gives a one-line usage error, never an uncaught exception", async () => {
  const dir = await Deno.makeTempDir();
  const trace = `${dir}/t.trace`;
  await Deno.writeTextFile(trace, " L 10,1\n S 20,1\n M 10,1\n");
  const config = `${dir}/c.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({ levels: [{ sets: 2, ways: 1, lineBytes: 16 }] }),
  );
  const token = fc.oneof(
    fc.constantFrom(
      "-s",
      "-E",
      "-b",
      "-t",
      "-v",
      "-h",
      "-vs",
      "-s4",
      "--policy",
      "--policy=fifo",
      "--seed",
      "--config",
      "--json",
      "--write-back",
      "--write-through",
      "--help",
      "--",
      "-",
      "--x=",
      "0",
      "1",
      "4",
      "31",
      "-1",
      "1e3",
      "99999999999999999999",
      "lru",
      "plru",
      "random",
      trace,
      config,
      dir,
      `${dir}/missing`,
      "__proto__",
      "constructor",
    ),
    fc.string({ maxLength: 8 }),
  );
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 10 }), async (argv) => {
        const out = await cacheCli(argv);
        assert.ok([0, 1, 2].includes(out.status), `status ${out.status}`);
        if (out.status !== 0) {
          assert.ok(out.stderr.length >= 1);
          assert.ok(out.stderr[0].length > 0 && !out.stderr[0].includes("\n"), out.stderr[0]);
          if (out.status === 2) assert.match(out.stderr.at(-1)!, /^Usage: /);
        }
      }),
      { numRuns: 400 },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the fused csim path prints exactly what the general path prints, on data/ and random traces", async () => {
  // `--policy lru` is the same cache but takes the general path (zod, CacheSimulator, stream).
  const both = async (args: string[]) => {
    const fast = await cacheCli(args);
    const general = await cacheCli([...args, "--policy", "lru"]);
    assert.deepEqual(fast, general, args.join(" "));
    return fast;
  };
  const dir = new URL("../../data/traces/", import.meta.url).pathname;
  for (const entry of Deno.readDirSync(dir)) {
    if (!/\.trace(\.gz)?$/.test(entry.name)) continue;
    for (const [s, E, b] of [["0", "1", "4"], ["6", "8", "6"], ["4", "2", "5"]]) {
      const out = await both(["-s", s, "-E", E, "-b", b, "-t", dir + entry.name]);
      assert.match(out.stdout[0], /^hits:\d+ misses:\d+ evictions:\d+$/);
    }
  }
  const tmp = await Deno.makeTempDir();
  try {
    const line = fc.oneof(
      {
        weight: 9,
        arbitrary: fc.tuple(fc.constantFrom("L", "S", "M", "I"), fc.nat(4095), fc.nat(16)).map((
          [op, a, size],
        ) => op === "I" ? `I  ${a.toString(16)},${size}` : ` ${op} ${a.toString(16)},${size}`),
      },
      { weight: 1, arbitrary: fc.constantFrom("", "==1== x", " L 10,4\r", " Q 10,4", " L 10") },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 80 }),
        fc.boolean(),
        fc.boolean(),
        async (lines, newline, gz) => {
          const text = new TextEncoder().encode(lines.join("\n") + (newline ? "\n" : ""));
          const path = `${tmp}/t.trace${gz ? ".gz" : ""}`;
          await Deno.writeFile(path, gz ? gzipSync(text) : text);
          await both(["-s", "2", "-E", "2", "-b", "4", "-t", path]);
        },
      ),
      { numRuns: 60 },
    );
    // din too (M does not exist there; label 2 is an instruction fetch, ignored like I).
    await Deno.writeTextFile(`${tmp}/t.din`, "0 10\n1 20\n2 30\n0 10\n1 2000\n0 20\n");
    assert.deepEqual((await both(["-s", "1", "-E", "1", "-b", "4", "-t", `${tmp}/t.din`])).stdout, [
      "hits:1 misses:4 evictions:2",
    ]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("a plain csim run loads no zod, Plot or whole library: the modules it imports, followed statically", () => {
  // cache.ts imports statically only what every run needs, and the fused csim path imports
  // csim_counter.ts and io/trace_file.ts; follow their static (non-type) imports.
  const lib = new URL("../../lib/", import.meta.url);
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = (url: URL) => {
    if (seen.has(url.pathname)) return;
    seen.add(url.pathname);
    const text = Deno.readTextFileSync(url).replace(/\/\*[\s\S]*?\*\//g, "");
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gm)) {
      if (m[1].startsWith(".")) visit(new URL(m[1], url));
      else external.add(m[1]);
    }
  };
  for (const f of ["cli/cache.ts", "cache/csim_counter.ts", "io/trace_file.ts"]) {
    visit(new URL(f, lib));
  }
  const files = [...seen].map((p) => p.slice(lib.pathname.length)).sort();
  assert.deepEqual([...external].filter((e) => !e.startsWith("node:")), []);
  for (const f of files) assert.ok(!/(^|\/)mod\.ts$/.test(f) && f !== "cli/main.ts", f);
  assert.ok(!files.includes("cache/simulator.ts") && !files.includes("io/data_file.ts"));
  assert.ok(files.includes("trace/_line_parser.ts") && files.includes("cache/_level.ts"));
});

Deno.test("-v --json streams one JSON document: settings, every line, then the counts", async () => {
  const args = ["-s", "4", "-E", "2", "-b", "4", "-t", MINI];
  const verbose = await cacheCli(["-v", ...args]);
  const out = await cacheCli(["-v", "--json", ...args]);
  assert.equal(out.status, 0, out.stderr.join("\n"));
  assert.ok(out.stdout.length > 2, "written piece by piece");
  const doc = JSON.parse(out.stdout.join("\n"));
  assert.deepEqual(doc.lines, verbose.stdout.slice(0, -1));
  assert.deepEqual(
    [doc.hits, doc.misses, doc.evictions, doc.settings.policy, doc.settings.s],
    [4, 5, 2, "lru", 4],
  );
  // Without -v the document is one line with the same counts.
  const plain = JSON.parse((await cacheCli(["--json", ...args])).stdout[0]);
  assert.deepEqual({ ...doc, lines: undefined }, { ...plain, lines: undefined });
});
