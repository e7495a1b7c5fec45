import assert from "node:assert/strict";
import {
  environment,
  machineFacts,
  parseCacheIndex,
  parseCpuinfo,
  parseCpuList,
  parseKernelPageSize,
  parseMeminfo,
} from "memgarden";

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
    assert.ok(noSys.warnings.some((w) => /cache.*caches unknown/.test(w)));
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
