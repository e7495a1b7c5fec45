import assert from "node:assert/strict";
import {
  describeKernelHalf,
  describePermissions,
  describeVirtualSize,
  memoryMapFromText,
  parseMaps,
  parseProcStatus,
  readMemoryMap,
  summarizeRegions,
} from "memgarden";

// A trimmed /proc/self/maps of /usr/bin/cat on x86-64 Debian 12.
const SAMPLE =
  `55d0b5e00000-55d0b5e02000 r--p 00000000 fe:00 260380                     /usr/bin/cat
55d0b5e02000-55d0b5e07000 r-xp 00002000 fe:00 260380                     /usr/bin/cat
55d0b5e07000-55d0b5e09000 r--p 00007000 fe:00 260380                     /usr/bin/cat
55d0b5e09000-55d0b5e0a000 rw-p 00009000 fe:00 260380                     /usr/bin/cat
55d0b5e0a000-55d0b5e0b000 rw-p 00000000 00:00 0 
55d0b6c1d000-55d0b6c3e000 rw-p 00000000 00:00 0                          [heap]
7f1c2a000000-7f1c2a059000 r--p 00000000 fe:00 329635                     /usr/lib/locale/C.utf8/LC_CTYPE
7f1c2a059000-7f1c2a05c000 rw-p 00000000 00:00 0 
7f1c2a05c000-7f1c2a082000 r--p 00000000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7f1c2a082000-7f1c2a1d8000 r-xp 00026000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7f1c2a1e0000-7f1c2a1e1000 r--p 00000000 00:1c 12                         /tmp/my file (deleted)
7ffd4b3b0000-7ffd4b3d1000 rw-p 00000000 00:00 0                          [stack]
7ffd4b3ec000-7ffd4b3f0000 r--p 00000000 00:00 0                          [vvar]
7ffd4b3f0000-7ffd4b3f2000 r-xp 00000000 00:00 0                          [vdso]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;

Deno.test("parseMaps classifies every kind of region in a real-looking map", () => {
  const r = parseMaps(SAMPLE);
  assert.deepEqual(r.map((x) => x.kind), [
    "data",
    "text",
    "data",
    "data",
    "bss",
    "heap",
    "file",
    "anonymous",
    "library",
    "library",
    "file",
    "stack",
    "vdso",
    "vdso",
    "vdso",
  ]);
  assert.deepEqual(r[1], {
    start: "0x55d0b5e02000",
    end: "0x55d0b5e07000",
    sizeBytes: 0x5000,
    perms: "r-xp",
    offset: 0x2000,
    dev: "fe:00",
    inode: 260380,
    path: "/usr/bin/cat",
    kind: "text",
  });
  assert.equal(r[10].path, "/tmp/my file (deleted)", "paths keep their spaces");
  assert.equal(r[4].path, "");
});

Deno.test("addresses above 2^53 keep every digit", () => {
  const r = parseMaps("ffffffffff600001-ffffffffff601fff --xp 00000000 00:00 0 [vsyscall]\n");
  assert.equal(r[0].start, "0xffffffffff600001");
  assert.equal(r[0].end, "0xffffffffff601fff");
  assert.equal(r[0].sizeBytes, 0x1ffe);
  assert.equal(BigInt(r[0].end) - BigInt(r[0].start), 0x1ffen);
});

Deno.test("an explicit executable path overrides the inference", () => {
  const r = parseMaps(SAMPLE, { executablePath: "/usr/lib/x86_64-linux-gnu/libc.so.6" });
  assert.equal(r[1].kind, "file");
  assert.equal(r[9].kind, "text");
});

Deno.test("summarizeRegions counts and totals per kind in a fixed order", () => {
  const s = summarizeRegions(parseMaps(SAMPLE));
  assert.deepEqual(s.map((x) => x.kind), [
    "text",
    "data",
    "bss",
    "heap",
    "stack",
    "library",
    "vdso",
    "file",
    "anonymous",
  ]);
  const data = s.find((x) => x.kind === "data")!;
  assert.deepEqual(data, { kind: "data", count: 3, totalBytes: 0x2000 + 0x2000 + 0x1000 });
  assert.equal(s.find((x) => x.kind === "vdso")!.count, 3);
});

Deno.test("a malformed maps line is a SyntaxError naming its line number", () => {
  const bad = SAMPLE.split("\n");
  bad[2] = "55d0b5e07000 r--p 00007000 fe:00 260380 /usr/bin/cat";
  assert.throws(() => parseMaps(bad.join("\n")), (e: unknown) => {
    assert.ok(e instanceof SyntaxError);
    assert.match(e.message, /^Cannot parse maps: line 3 must look like/);
    assert.match(e.message, /received "55d0b5e07000 r--p/);
    return true;
  });
  assert.throws(
    () => parseMaps("2000-1000 rw-p 00000000 00:00 0\n"),
    /line 1 must have end >= start: received 2000-1000/,
  );
  assert.throws(() => parseMaps(42 as unknown as string), /text must be a string: received number/);
  assert.throws(
    () => parseMaps("", { colour: "red" } as never),
    /Cannot parse maps: invalid options/,
  );
});

Deno.test("parseProcStatus converts kB to bytes and rejects a malformed counter line", () => {
  const text =
    "Name:\tdeno\nUmask:\t0022\nVmPeak:\t  200 kB\nVmSize:\t  100 kB\nVmRSS:\t   8 kB\n" +
    "RssAnon:\t 3 kB\nVmStk:\t 132 kB\nThreads:\t5\n";
  const s = parseProcStatus(text);
  assert.equal(s.vmPeakBytes, 200 * 1024);
  assert.equal(s.vmSizeBytes, 100 * 1024);
  assert.equal(s.vmRssBytes, 8 * 1024);
  assert.equal(s.rssAnonBytes, 3 * 1024);
  assert.equal(s.vmStkBytes, 132 * 1024);
  assert.equal(s.vmDataBytes, null);
  assert.deepEqual(Object.keys(s.raw), ["VmPeak", "VmSize", "VmRSS", "RssAnon", "VmStk"]);
  assert.throws(
    () => parseProcStatus("Name:\tx\nVmRSS:\tlots\n"),
    /line 2 \(VmRSS\) must be "<number> kB": received "lots"/,
  );
});

Deno.test("memoryMapFromText is JSON-friendly and displays as an HTML table", () => {
  const m = memoryMapFromText(SAMPLE, "VmRSS:\t8 kB\n");
  const json = JSON.parse(JSON.stringify(m));
  assert.equal(json.regions.length, 15);
  assert.equal(json.status.vmRssBytes, 8192);
  assert.equal(json.executablePath, "/usr/bin/cat");
  const display = (m as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.match(display["text/html"], /<table/);
  assert.match(display["text/html"], /\[heap\]/);
  assert.match(display["text/plain"], /^Address space: 15 regions/);
});

Deno.test("readMemoryMap reads this process: text of the deno binary, a heap, a stack, RSS below VmSize", () => {
  const m = readMemoryMap();
  const kinds = new Set(m.regions.map((r) => r.kind));
  for (const k of ["text", "data", "stack", "library", "vdso"] as const) {
    assert.ok(kinds.has(k), `expected a ${k} region`);
  }
  assert.equal(m.executablePath, Deno.execPath());
  assert.ok(m.regions.filter((r) => r.kind === "text").every((r) => r.perms.includes("x")));
  const s = m.status!;
  assert.ok(s.vmRssBytes! > 0 && s.vmRssBytes! < s.vmSizeBytes!);
  const total = m.summary.reduce((a, x) => a + x.totalBytes, 0);
  // VmSize counts every mapping; /proc/self/maps lists them all (vsyscall excepted) at the same moment.
  assert.ok(
    Math.abs(total - s.vmSizeBytes!) <= 0.01 * s.vmSizeBytes!,
    `${total} vs ${s.vmSizeBytes}`,
  );
  assert.equal(m.environment?.deno, Deno.version.deno);
});

Deno.test("describePermissions says what each permission string allows", () => {
  assert.equal(
    describePermissions("r-xp"),
    "readable and executable: not writable; private",
  );
  assert.equal(describePermissions("rw-p"), "readable and writable: not executable; private");
  assert.equal(describePermissions("rwxs"), "readable, writable and executable; shared");
  assert.equal(describePermissions("r--p"), "readable only: not writable, not executable; private");
  assert.equal(describePermissions("--xp"), "executable only: not readable, not writable; private");
  assert.equal(describePermissions("---p"), "no access at all (reserved addresses); private");
  for (const bad of ["", "rwx", "xr-p", "r-xq", "r-xpp"]) {
    assert.throws(
      () => describePermissions(bad),
      (e: unknown) => e instanceof SyntaxError && e.message.includes(JSON.stringify(bad)),
    );
  }
});

Deno.test("the kernel-half sentence follows the permissions the map shows, on any kernel", () => {
  const line = (perms: string) =>
    parseMaps(`ffffffffff600000-ffffffffff601000 ${perms} 00000000 00:00 0 [vsyscall]\n`);
  const xonly = describeKernelHalf(line("--xp"));
  assert.match(xonly, /`\[vsyscall\]` at 0xffffffffff600000 \(4 KiB\)/);
  assert.match(xonly, /`--xp`: executable only: not readable, not writable/);
  assert.match(xonly, /reading it is a segmentation fault/);
  assert.doesNotMatch(xonly, /can also be read|readable and/);
  const emulate = describeKernelHalf(line("r-xp"));
  assert.match(emulate, /`r-xp`: readable and executable: not writable/);
  assert.match(emulate, /its code can also be read/);
  assert.doesNotMatch(emulate, /segmentation fault/);
  const none = describeKernelHalf(parseMaps("1000-2000 r-xp 00000000 00:00 0\n"));
  assert.match(none, /maps no legacy `\[vsyscall\]` page/);
});

Deno.test("the virtual-size sentence uses the map's own numbers", () => {
  const maps = "1000-401000 ---p 00000000 00:00 0\n401000-402000 rw-p 00000000 00:00 0\n";
  const m = memoryMapFromText(maps, "VmSize:\t4100 kB\nVmRSS:\t1024 kB\n");
  const s = describeVirtualSize(m, 2 ** 30);
  assert.match(
    s,
    /VmSize \(4\.00 MiB\) is 4\.0 times VmRSS \(1 MiB\) and 0% of the machine's RAM \(1 GiB\)/,
  );
  assert.match(
    s,
    /The largest of its 1 no-access \(`---p`\) regions reserves 4 MiB of addresses at 0x1000/,
  );
  assert.match(describeVirtualSize(m, 2 ** 20), /larger than the machine's RAM \(1 MiB\)/);
  assert.doesNotMatch(describeVirtualSize(m, null), /machine's RAM/);
  assert.match(
    describeVirtualSize(memoryMapFromText(maps), 2 ** 30),
    /could not be read here/,
  );
});

Deno.test("readMemoryMap reads a recorded /proc root, and names the folder it cannot read", () => {
  const root = Deno.makeTempDirSync({ prefix: "memgarden-maps-test-" });
  try {
    assert.throws(() => readMemoryMap({ procRoot: root }), new RegExp(`${root}/self`));
    Deno.mkdirSync(`${root}/self`);
    Deno.writeTextFileSync(
      `${root}/self/maps`,
      "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]\n" +
        "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n",
    );
    Deno.writeTextFileSync(`${root}/self/status`, "VmSize:\t8 kB\nVmRSS:\t4 kB\n");
    const m = readMemoryMap({ procRoot: root });
    assert.deepEqual(m.regions.map((r) => r.kind), ["stack", "vdso"]);
    assert.equal(m.status?.vmRssBytes, 4096);
    assert.equal(m.environment, null, "a recording carries no live environment");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
  assert.throws(() => readMemoryMap({ procRoot: "" }), /procRoot must be a non-empty string/);
});
