import assert from "node:assert/strict";
import {
  closeFd,
  errno,
  fadvise,
  fsyncFd,
  getRusage,
  LibcError,
  LINUX,
  madviseRegion,
  mincorePages,
  mmapRegion,
  munmapRegion,
  openFd,
  pageSizeBytes,
  parseGetconf,
  readByte,
  readSysconf,
  SYSCONF_NAMES,
  writeByte,
} from "memgarden";

Deno.test("pageSizeBytes matches the page size the kernel reports in /proc/self/smaps", () => {
  const smaps = Deno.readTextFileSync("/proc/self/smaps");
  const m = /KernelPageSize:\s+(\d+) kB/.exec(smaps);
  assert.ok(m, "smaps has a KernelPageSize line");
  assert.equal(pageSizeBytes(), Number(m[1]) * 1024);
});

Deno.test("mmapRegion rounds up to pages, mincore tracks writes exactly, munmap is idempotent", () => {
  const page = pageSizeBytes();
  const r = mmapRegion({ sizeBytes: 3 * page + 1 });
  try {
    assert.equal(r.pageCount, 4);
    assert.equal(r.sizeBytes, 4 * page);
    assert.deepEqual(mincorePages(r), [false, false, false, false]);
    writeByte(r, 2 * page + 10, 99);
    assert.equal(readByte(r, 2 * page + 10), 99);
    assert.deepEqual(mincorePages(r), [false, false, true, false]);
    assert.deepEqual(mincorePages(r, 2, 2), [true, false]);
    madviseRegion(r, LINUX.MADV_DONTNEED, 2, 1);
    assert.deepEqual(mincorePages(r), [false, false, false, false]);
    assert.equal(
      readByte(r, 2 * page + 10),
      0,
      "MADV_DONTNEED on private anonymous memory zeroes it",
    );
  } finally {
    munmapRegion(r);
  }
  assert.equal(r.unmapped, true);
  munmapRegion(r);
  assert.throws(() => mincorePages(r), /already unmapped/);
  assert.throws(() => readByte(r, 0), /already unmapped/);
});

Deno.test("bad arguments give clear errors naming the rule and value", () => {
  assert.throws(
    () => mmapRegion({ sizeBytes: 0 }),
    /sizeBytes must be a positive safe integer: received 0/,
  );
  assert.throws(
    () => mmapRegion({ sizeBytes: 4096, offset: 3 }),
    /offset must be a non-negative multiple of the page size \d+: received 3/,
  );
  const r = mmapRegion({ sizeBytes: pageSizeBytes() });
  try {
    assert.throws(() => mincorePages(r, 0, 2), RangeError);
    assert.throws(
      () => readByte(r, pageSizeBytes()),
      /byteOffset must lie within 0\.\.\d+: received \d+/,
    );
  } finally {
    munmapRegion(r);
  }
  assert.throws(
    () => getRusage("others" as "self"),
    /who must be "self" or "thread": received others/,
  );
});

Deno.test("failing calls throw LibcError with the call name and errno", () => {
  try {
    openFd("/nonexistent-memgarden/x");
    assert.fail("open should fail");
  } catch (e) {
    assert.ok(e instanceof LibcError);
    assert.equal(e.call, "open");
    assert.equal(e.errno, 2);
    assert.equal(errno(), 2);
  }
  // MAP_FAILED (a pointer to all ones) is recognised: mapping a closed fd fails with EBADF.
  assert.throws(
    () => mmapRegion({ sizeBytes: 4096, fd: 987654, flags: LINUX.MAP_PRIVATE }),
    /mmap failed: errno 9 \(EBADF\)/,
  );
  assert.throws(() => fadvise(-1, 0, 0, LINUX.POSIX_FADV_RANDOM), /errno 9 \(EBADF\)/);
});

Deno.test("open, fsync, fadvise and close work on a real temp file, which is removed", () => {
  const dir = Deno.makeTempDirSync({ prefix: "memgarden-libc-" });
  try {
    const path = `${dir}/f.bin`;
    const fd = openFd(path, LINUX.O_RDWR | LINUX.O_CREAT | LINUX.O_CLOEXEC, 0o600);
    try {
      fsyncFd(fd);
      fadvise(fd, 0, 0, LINUX.POSIX_FADV_DONTNEED);
    } finally {
      closeFd(fd);
    }
    assert.equal(Deno.statSync(path).size, 0);
    assert.throws(() => closeFd(fd), /close failed: errno 9 \(EBADF\)/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("getRusage counts one minor fault per freshly written page, within tolerance", () => {
  const page = pageSizeBytes();
  const n = 512;
  const r = mmapRegion({ sizeBytes: n * page });
  try {
    const a = getRusage("thread");
    for (let i = 0; i < n; i++) writeByte(r, i * page, 1);
    const b = getRusage("thread");
    const faults = b.minorFaults - a.minorFaults;
    assert.ok(
      faults >= n && faults <= n * 1.1 + 20,
      `expected about ${n} minor faults, got ${faults}`,
    );
    assert.ok(
      getRusage("self").minorFaults >= b.minorFaults,
      "the process counts at least the thread's faults",
    );
  } finally {
    munmapRegion(r);
  }
});

Deno.test("without --allow-ffi the error says how to run", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "memgarden-libc-" });
  try {
    const script = `${dir}/noffi.ts`;
    const libcUrl = new URL("../../lib/probe/libc.ts", import.meta.url).href;
    Deno.writeTextFileSync(
      script,
      `import { pageSizeBytes } from ${JSON.stringify(libcUrl)};\n` +
        `try { pageSizeBytes(); } catch (e) { console.log((e as Error).message); }\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--no-config", "--allow-read", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.match(
      text,
      /Cannot open libc\.so\.6: FFI is not permitted: run with --allow-ffi \(or -A\)/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readSysconf uses glibc's _SC_ numbers: its values equal getconf's on this machine", async () => {
  const values = readSysconf();
  assert.equal(values.PAGESIZE, pageSizeBytes());
  assert.ok(values._NPROCESSORS_ONLN! >= 1);
  let text: string;
  try {
    const out = await new Deno.Command("getconf", { args: ["-a"], stdout: "piped", stderr: "null" })
      .output();
    if (!out.success) return;
    text = new TextDecoder().decode(out.stdout);
  } catch {
    return; // no getconf on this machine: the page-size check above still ran
  }
  const expected = parseGetconf(
    text.split("\n").filter((line) => line.split(/\s+/)[0] in SYSCONF_NAMES).join("\n"),
  );
  assert.ok(Object.keys(expected).length >= 10, "getconf lists the cache values");
  for (const [name, value] of Object.entries(expected)) {
    // _PHYS_PAGES may move by a page between the two reads; everything else is fixed.
    if (name === "_PHYS_PAGES") continue;
    assert.equal(values[name], value, name);
  }
});
