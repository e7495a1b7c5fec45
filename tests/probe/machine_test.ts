import assert from "node:assert/strict";
import {
  cachesFromSysconf,
  checkCachePlausibility,
  dataCache,
  describeMachineMemory,
  environment,
  estimateLevels,
  machineFacts,
  machineSummary,
  parseCacheIndex,
  parseCpuinfo,
  parseCpuList,
  parseGetconf,
  parseKernelPageSize,
  parseMeminfo,
  readSysconf,
  withMeasuredCaches,
} from "memgarden";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const fixture = (name: string) => decodeURIComponent(new URL(name, FIXTURES).pathname);
const getconfOf = (machine: string) =>
  parseGetconf(Deno.readTextFileSync(fixture(`${machine}/getconf.txt`)));
const KiB = 1024, MiB = 1024 * KiB;

const CPUINFO = `processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9R14
cache size\t: 1024 KB

processor\t: 1
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9R14
`;

const MEMINFO = `MemTotal:       24684084 kB
MemFree:        24301576 kB
MemAvailable:   24318204 kB
SwapCached:            0 kB
SwapTotal:        524284 kB
`;

const SMAPS = `55d0c0a00000-55d0c0a01000 r--p 00000000 08:01 123  /usr/bin/deno
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
7f0000000000-7f0000200000 rw-p 00000000 00:00 0
KernelPageSize:     2048 kB
`;

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

Deno.test("parseCpuinfo reads the first model name and counts processors", () => {
  assert.deepEqual(parseCpuinfo(CPUINFO), { cpuModel: "AMD EPYC 9R14", logicalCpus: 2 });
  assert.deepEqual(parseCpuinfo(""), { cpuModel: null, logicalCpus: null });
  // ARM cpuinfo has processors but no "model name".
  assert.deepEqual(parseCpuinfo("processor\t: 0\nBogoMIPS\t: 50.00\n"), {
    cpuModel: null,
    logicalCpus: 1,
  });
});

Deno.test("parseMeminfo converts kB to bytes and leaves missing fields null", () => {
  assert.deepEqual(parseMeminfo(MEMINFO), {
    totalRamBytes: 24684084 * 1024,
    availableRamBytes: 24318204 * 1024,
    swapTotalBytes: 524284 * 1024,
  });
  assert.deepEqual(parseMeminfo("MemTotal: 1000 kB\n"), {
    totalRamBytes: 1024000,
    availableRamBytes: null,
    swapTotalBytes: null,
  });
  assert.throws(
    () => parseMeminfo("MemTotal: 10 kB\nSwapTotal: lots\n"),
    (e: unknown) =>
      e instanceof SyntaxError && /line 2: SwapTotal must be a number of kB: received "lots"/
        .test(e.message),
  );
});

Deno.test("parseCpuList expands ranges and rejects garbage", () => {
  assert.deepEqual(parseCpuList("0-1\n"), [0, 1]);
  assert.deepEqual(parseCpuList("4,0-2,8-9"), [0, 1, 2, 4, 8, 9]);
  assert.deepEqual(parseCpuList(""), []);
  assert.throws(() => parseCpuList("3-1"), /N-M with N <= M: received "3-1"/);
  assert.throws(() => parseCpuList("a,b"), SyntaxError);
});

Deno.test("parseCacheIndex reads a full index and nulls what is missing or malformed", () => {
  const l1d = parseCacheIndex({
    level: "1\n",
    type: "Data\n",
    size: "48K\n",
    ways_of_associativity: "12\n",
    coherency_line_size: "64\n",
    number_of_sets: "64\n",
    shared_cpu_list: "0\n",
  });
  assert.deepEqual(l1d, {
    level: 1,
    type: "Data",
    sizeBytes: 49152,
    ways: 12,
    lineBytes: 64,
    sets: 64,
    sharedWith: [0],
    source: "/sys",
  });
  const partial = parseCacheIndex({ level: "3", size: "32768K", type: "Weird" });
  assert.equal(partial.sizeBytes, 32 * 1024 * 1024);
  assert.equal(partial.type, null);
  assert.equal(partial.ways, null);
  assert.equal(partial.sharedWith, null);
  assert.equal(parseCacheIndex({ size: "big" }).sizeBytes, null);
});

Deno.test("parseKernelPageSize takes the first mapping's page size", () => {
  assert.equal(parseKernelPageSize(SMAPS), 4096);
  assert.equal(parseKernelPageSize("Size: 4 kB\n"), null);
});

Deno.test("machineFacts on a fixture tree with missing /sys gives nulls and warnings, not a crash", () => {
  const root = Deno.makeTempDirSync({ prefix: "memgarden-machine-" });
  try {
    Deno.mkdirSync(`${root}/proc/self`, { recursive: true });
    Deno.writeTextFileSync(`${root}/proc/cpuinfo`, CPUINFO);
    Deno.writeTextFileSync(`${root}/proc/self/smaps`, SMAPS);
    const idx = `${root}/sys/devices/system/cpu/cpu0/cache/index0`;
    Deno.mkdirSync(idx, { recursive: true });
    Deno.writeTextFileSync(`${idx}/level`, "1\n");
    Deno.writeTextFileSync(`${idx}/type`, "Data\n");
    Deno.writeTextFileSync(`${idx}/size`, "32K\n");
    const facts = machineFacts({ root });
    assert.equal(facts.cpuModel, "AMD EPYC 9R14");
    assert.equal(facts.logicalCpus, 2);
    assert.equal(facts.pageSizeBytes, 4096);
    assert.equal(facts.totalRamBytes, null);
    assert.equal(facts.swapTotalBytes, null);
    assert.equal(facts.caches.length, 1);
    assert.equal(facts.caches[0].sizeBytes, 32768);
    assert.equal(facts.caches[0].ways, null);
    assert.ok(facts.warnings.some((w) => w.includes("/proc/meminfo")), facts.warnings.join("\n"));
    assert.ok(facts.warnings.some((w) => w.includes("index0/ways_of_associativity")));

    Deno.removeSync(`${root}/sys`, { recursive: true });
    const noSys = machineFacts({ root });
    assert.deepEqual(noSys.caches, []);
    assert.ok(noSys.warnings.some((w) => /cache.*come from sysconf or a measurement/.test(w)));
    const text = (noSys as unknown as Record<symbol, () => Record<string, string>>)
      [Symbol.for("Jupyter.display")]()["text/plain"];
    assert.match(text, /warning: Could not read/);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
  assert.throws(() => machineFacts({ root: "" }), /invalid options[\s\S]*root/);
});

Deno.test("machineFacts on this machine: consistent caches, RAM and page size", () => {
  const facts = machineFacts();
  const json = JSON.parse(JSON.stringify(facts));
  assert.equal(json.environment.deno, Deno.version.deno);
  if (Deno.build.os !== "linux") {
    assert.ok(facts.warnings.length > 0);
    return;
  }
  assert.ok(facts.logicalCpus !== null && facts.logicalCpus >= 1);
  assert.ok(facts.totalRamBytes! >= facts.availableRamBytes!);
  assert.ok(isPowerOfTwo(facts.pageSizeBytes!), `page size ${facts.pageSizeBytes}`);
  const data = (level: number) =>
    facts.caches.find((c) => c.level === level && c.type !== "Instruction");
  const l1 = data(1), l2 = data(2), l3 = data(3);
  for (const c of facts.caches) {
    if (c.sizeBytes === null || c.ways === null || c.sets === null || c.lineBytes === null) {
      continue;
    }
    assert.ok(isPowerOfTwo(c.lineBytes), `line ${c.lineBytes}`);
    assert.ok(isPowerOfTwo(c.sets), `sets ${c.sets}`);
    assert.equal(c.sets * c.ways * c.lineBytes, c.sizeBytes, `L${c.level} ${c.type}`);
  }
  if (l1?.sizeBytes && l2?.sizeBytes) assert.ok(l2.sizeBytes > l1.sizeBytes);
  if (l2?.sizeBytes && l3?.sizeBytes) assert.ok(l3.sizeBytes > l2.sizeBytes);
  const bundle = (facts as unknown as Record<symbol, () => Record<string, string>>)
    [Symbol.for("Jupyter.display")]();
  assert.match(bundle["text/html"], /<table/);
  assert.match(bundle["text/plain"], /Page size/);
});

Deno.test("environment names this Deno and a parseable date", () => {
  const env = environment();
  assert.equal(env.v8, Deno.version.v8);
  assert.equal(env.arch, Deno.build.arch);
  assert.ok(Math.abs(Date.parse(env.date) - Date.now()) < 60_000);
});

Deno.test("machine A (recorded, /sys present): caches come from /sys, other facts from /proc", () => {
  const facts = machineFacts({ root: fixture("machine-a"), sysconf: getconfOf("machine-a") });
  assert.deepEqual(
    facts.caches.map((c) => [c.level, c.type, c.sizeBytes, c.ways, c.source]),
    [
      [1, "Data", 32 * KiB, 8, "/sys"],
      [1, "Instruction", 32 * KiB, 8, "/sys"],
      [2, "Unified", 512 * KiB, 8, "/sys"],
      [3, "Unified", 32 * MiB, 16, "/sys"],
    ],
  );
  assert.deepEqual(dataCache(facts, 3)?.sharedWith, [0, 1]);
  // sysconf's 256 MiB L3 is neither used nor flagged: /sys answered for L3.
  assert.deepEqual(facts.implausible, []);
  assert.deepEqual(facts.sources, {
    logicalCpus: "/proc",
    totalRamBytes: "/proc",
    swapTotalBytes: "/proc",
    pageSizeBytes: "/proc",
  });
  assert.equal(facts.pageSizeBytes, 4096);
  assert.equal(facts.swapTotalBytes, 0);
  assert.equal(
    machineSummary(facts),
    "machine: AMD EPYC, 2 CPUs, L1d 32 KiB (/sys), L2 512 KiB (/sys), L3 32 MiB (/sys), " +
      "page 4 KiB (/proc), RAM 23.5 GiB (/proc), swap none (/proc)",
  );
  const text = describeMachineMemory(facts);
  assert.match(text, /L1d 32 KiB, L2 512 KiB, L3 32 MiB \(from `\/sys`\)/);
  assert.match(text, /about 1\/753 of the 23\.5 GiB of RAM/);
  assert.match(text, /64-byte lines/);
  assert.match(text, /no swap/);
});

Deno.test("machine B (built, no /sys caches): sysconf gives L1d and L2, its 508 MiB L3 is flagged", () => {
  const root = fixture("machine-b");
  const facts = machineFacts({ root, sysconf: getconfOf("machine-b") });
  assert.deepEqual(
    facts.caches.map((c) => [c.level, c.type, c.sizeBytes, c.ways, c.lineBytes, c.sets, c.source]),
    [
      [1, "Data", 48 * KiB, 12, 64, 64, "sysconf"],
      [1, "Instruction", 32 * KiB, null, 64, null, "sysconf"],
      [2, "Unified", MiB, 8, 64, 2048, "sysconf"],
    ],
  );
  assert.equal(facts.implausible.length, 1);
  assert.deepEqual(
    [facts.implausible[0].fact, facts.implausible[0].value, facts.implausible[0].source],
    ["L3", 532676608, "sysconf"],
  );
  assert.match(facts.implausible[0].reason, /more than 256 MiB/);
  assert.ok(facts.warnings.some((w) => /cpu0\/cache/.test(w)), facts.warnings.join("\n"));
  assert.equal(
    machineSummary(facts),
    "machine: AMD EPYC, 2 CPUs, L1d 48 KiB (sysconf), L2 1 MiB (sysconf), " +
      "L3 unknown (sysconf 508 MiB implausible), page 4 KiB (/proc), RAM 23.5 GiB (/proc), swap none (/proc)",
  );
  const text = describeMachineMemory(facts);
  assert.match(text, /L1d 48 KiB, L2 1 MiB \(from `sysconf`\)/);
  assert.match(
    text,
    /glibc's sysconf also reported an L3 of 508 MiB, which the course does not use/,
  );
  // Without sysconf (e.g. FFI not allowed) nothing is known about the caches.
  const bare = machineFacts({ root });
  assert.deepEqual(bare.caches, []);
  assert.match(describeMachineMemory(bare), /did not say how large its caches are/);
  assert.match(machineSummary(bare), /caches unknown/);
  // The display says there are no caches instead of an empty table.
  const html = (bare as unknown as Record<symbol, () => Record<string, string>>)
    [Symbol.for("Jupyter.display")]()["text/html"];
  assert.match(html, /No cache sizes known/);
});

Deno.test("machine B: the measured plateaus are the last fallback, and RAM plateaus stay RAM", () => {
  const root = fixture("machine-b");
  const curve = JSON.parse(Deno.readTextFileSync(fixture("machine-b/latency.json")));
  const { plateaus } = estimateLevels(curve);
  assert.equal(plateaus.length, 6); // two L1 plateaus and two RAM plateaus, as reported
  const facts = withMeasuredCaches(
    machineFacts({ root, sysconf: getconfOf("machine-b") }),
    plateaus,
  );
  assert.deepEqual(
    facts.caches.filter((c) => c.type !== "Instruction").map((
      c,
    ) => [c.level, c.sizeBytes, c.source]),
    [[1, 48 * KiB, "sysconf"], [2, MiB, "sysconf"], [3, 8 * MiB, "measured"]],
  );
  assert.match(machineSummary(facts), /L3 8 MiB \(measured\), page/);
  assert.doesNotMatch(machineSummary(facts), /L3 unknown/);
  // With neither /sys nor sysconf, every cache plateau becomes a level, in order; RAM is none.
  const measuredOnly = withMeasuredCaches(machineFacts({ root }), plateaus);
  assert.deepEqual(
    measuredOnly.caches.map((c) => [c.level, c.sizeBytes, c.source]),
    [[1, 8 * KiB, "measured"], [2, 46336, "measured"], [3, 512 * KiB, "measured"], [
      4,
      8 * MiB,
      "measured",
    ]],
  );
});

Deno.test("fallback order: /sys first, then sysconf for each level /sys lacks", () => {
  const root = Deno.makeTempDirSync({ prefix: "memgarden-machine-" });
  try {
    const idx = `${root}/sys/devices/system/cpu/cpu0/cache/index0`;
    Deno.mkdirSync(idx, { recursive: true });
    for (
      const [f, v] of Object.entries({
        level: "1",
        type: "Data",
        size: "32K",
        ways_of_associativity: "8",
        coherency_line_size: "64",
      })
    ) {
      Deno.writeTextFileSync(`${idx}/${f}`, `${v}\n`);
    }
    const facts = machineFacts({ root, sysconf: getconfOf("machine-b") });
    assert.deepEqual(
      facts.caches.map((c) => [c.level, c.type, c.sizeBytes, c.source]),
      [[1, "Data", 32 * KiB, "/sys"], [1, "Instruction", 32 * KiB, "sysconf"], [
        2,
        "Unified",
        MiB,
        "sysconf",
      ]],
    );
    // No /proc in this tree: RAM and page size come from sysconf.
    assert.equal(facts.sources.pageSizeBytes, "sysconf");
    assert.equal(facts.pageSizeBytes, 4096);
    assert.equal(facts.sources.totalRamBytes, "sysconf");
    assert.equal(facts.totalRamBytes, 6170914 * 4096);
    assert.equal(facts.sources.logicalCpus, "sysconf");
    assert.equal(facts.swapTotalBytes, null);
    assert.match(machineSummary(facts), /swap unknown$/);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("checkCachePlausibility flags sizes that do not grow, exceed RAM or have odd lines", () => {
  const c = (level: number, sizeBytes: number, lineBytes = 64) => ({
    level,
    type: (level === 1 ? "Data" : "Unified") as "Data" | "Unified",
    sizeBytes,
    ways: 8,
    lineBytes,
    sets: null,
    sharedWith: null,
    source: "sysconf" as const,
  });
  const shrinking = checkCachePlausibility([c(1, 48 * KiB), c(2, 32 * KiB), c(3, 16 * MiB)], null);
  assert.deepEqual(shrinking.caches.map((x) => x.level), [1, 3]);
  assert.match(shrinking.implausible[0].reason, /not larger than L1 \(48 KiB\)/);
  const bigL3 = checkCachePlausibility([c(1, 32 * KiB), c(3, 128 * MiB)], 64 * MiB);
  assert.match(bigL3.implausible[0].reason, /not smaller than the RAM \(64 MiB\)/);
  const oddLine = checkCachePlausibility([c(1, 32 * KiB, 100)], null);
  assert.match(oddLine.implausible[0].reason, /a line of 100 bytes/);
  const hugeL1 = checkCachePlausibility([c(1, 2 * MiB)], null);
  assert.match(hugeL1.implausible[0].reason, /more than 1 MiB, larger than any L1 built so far/);
  // The boundary itself is believed: a 256 MiB L3 passes (machine A's sysconf says so).
  assert.deepEqual(checkCachePlausibility([c(3, 256 * MiB)], null).implausible, []);
  // Instruction caches are not compared with data caches.
  const l1i = { ...c(1, 64 * KiB), type: "Instruction" as const };
  assert.deepEqual(
    checkCachePlausibility([c(1, 32 * KiB), l1i, c(2, 48 * KiB)], null).implausible,
    [],
  );
});

Deno.test("parseGetconf and cachesFromSysconf read recorded getconf output", () => {
  const a = getconfOf("machine-a");
  assert.equal(a.LEVEL3_CACHE_SIZE, 256 * MiB);
  assert.equal(a.LEVEL1_ICACHE_ASSOC, null);
  assert.equal(a.LEVEL3_CACHE_ASSOC, null);
  assert.deepEqual(cachesFromSysconf(a).map((c) => c.level), [1, 1, 2, 3]);
  assert.throws(
    () => parseGetconf("PAGESIZE 4096\nLEVEL1_DCACHE_SIZE big\n"),
    /line 2: LEVEL1_DCACHE_SIZE must be an integer: received "big"/,
  );
  assert.throws(
    () => machineFacts({ sysconf: "maybe" as "libc" }),
    /invalid options[\s\S]*sysconf/,
  );
});

Deno.test("machineFacts on this machine: each cache from /sys or, where /sys is silent, from sysconf", () => {
  if (Deno.build.os !== "linux") return;
  const facts = machineFacts();
  const fromSysconf = cachesFromSysconf(readSysconf());
  const hasSysList = (() => {
    try {
      return Deno.statSync("/sys/devices/system/cpu/cpu0/cache").isDirectory;
    } catch {
      return false;
    }
  })();
  for (const c of facts.caches) {
    if (c.source === "sysconf") {
      const same = fromSysconf.find((s) => s.level === c.level && s.type === c.type);
      assert.equal(c.sizeBytes, same?.sizeBytes);
    } else {
      assert.equal(c.source, "/sys");
      assert.ok(hasSysList);
    }
  }
  if (!hasSysList) assert.ok(facts.caches.every((c) => c.source === "sysconf"));
  const line = machineSummary(facts);
  assert.ok(line.startsWith(`machine: ${facts.cpuModel ?? "unknown CPU"}, `), line);
  assert.match(line, new RegExp(`page ${facts.pageSizeBytes! / 1024} KiB \\(/proc\\)`));
});
