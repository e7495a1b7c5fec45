/**
 * A thin, typed wrapper around the few libc calls the virtual-memory probes
 * need (mmap, munmap, mincore, madvise, sysconf, getrusage, posix_fadvise,
 * open, close, fsync), loaded once through `Deno.dlopen("libc.so.6")`.
 *
 * Every wrapper checks the return value and throws a {@linkcode LibcError}
 * naming the call and `errno`. Constants are the Linux x86-64 / aarch64
 * values; other platforms get a clear error instead of wrong numbers.
 *
 * @module
 */

const SYMBOLS = {
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  mincore: { parameters: ["pointer", "usize", "buffer"], result: "i32" },
  madvise: { parameters: ["pointer", "usize", "i32"], result: "i32" },
  sysconf: { parameters: ["i32"], result: "i64" },
  getrusage: { parameters: ["i32", "buffer"], result: "i32" },
  posix_fadvise: { parameters: ["i32", "i64", "i64", "i32"], result: "i32" },
  open: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  fsync: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
  // glibc's allocator, for the heap probes (glibc_heap.ts).
  malloc: { parameters: ["usize"], result: "pointer" },
  free: { parameters: ["pointer"], result: "void" },
  malloc_usable_size: { parameters: ["pointer"], result: "usize" },
  malloc_trim: { parameters: ["usize"], result: "i32" },
} as const;

type LibcSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/** Linux constants used by the probes (same values on x86-64 and aarch64). */
export const LINUX = {
  PROT_NONE: 0,
  PROT_READ: 1,
  PROT_WRITE: 2,
  MAP_SHARED: 0x01,
  MAP_PRIVATE: 0x02,
  MAP_ANONYMOUS: 0x20,
  MADV_NORMAL: 0,
  MADV_RANDOM: 1,
  MADV_SEQUENTIAL: 2,
  MADV_WILLNEED: 3,
  MADV_DONTNEED: 4,
  POSIX_FADV_NORMAL: 0,
  POSIX_FADV_RANDOM: 1,
  POSIX_FADV_SEQUENTIAL: 2,
  POSIX_FADV_WILLNEED: 3,
  POSIX_FADV_DONTNEED: 4,
  O_RDONLY: 0,
  O_RDWR: 2,
  O_CREAT: 0o100,
  O_CLOEXEC: 0o2000000,
  _SC_PAGESIZE: 30,
  _SC_NPROCESSORS_ONLN: 84,
  _SC_PHYS_PAGES: 85,
  _SC_LEVEL1_ICACHE_SIZE: 185,
  _SC_LEVEL1_ICACHE_ASSOC: 186,
  _SC_LEVEL1_ICACHE_LINESIZE: 187,
  _SC_LEVEL1_DCACHE_SIZE: 188,
  _SC_LEVEL1_DCACHE_ASSOC: 189,
  _SC_LEVEL1_DCACHE_LINESIZE: 190,
  _SC_LEVEL2_CACHE_SIZE: 191,
  _SC_LEVEL2_CACHE_ASSOC: 192,
  _SC_LEVEL2_CACHE_LINESIZE: 193,
  _SC_LEVEL3_CACHE_SIZE: 194,
  _SC_LEVEL3_CACHE_ASSOC: 195,
  _SC_LEVEL3_CACHE_LINESIZE: 196,
  _SC_LEVEL4_CACHE_SIZE: 197,
  _SC_LEVEL4_CACHE_ASSOC: 198,
  _SC_LEVEL4_CACHE_LINESIZE: 199,
  RUSAGE_SELF: 0,
  RUSAGE_THREAD: 1,
} as const;

const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  5: "EIO",
  9: "EBADF",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  16: "EBUSY",
  17: "EEXIST",
  19: "ENODEV",
  21: "EISDIR",
  22: "EINVAL",
  24: "EMFILE",
  28: "ENOSPC",
  29: "ESPIPE",
  30: "EROFS",
  38: "ENOSYS",
};

/** An error from a libc call: carries the call's name and `errno`. */
export class LibcError extends Error {
  /** The libc function that failed, e.g. `"mmap"`. */
  readonly call: string;
  /** The `errno` value (or the returned error number for posix_fadvise). */
  readonly errno: number;

  /**
   * Create an error for a failed libc call.
   *
   * @param call The libc function that failed.
   * @param errno The error number it reported.
   * @param detail What the call was trying to do.
   * @returns A new error whose message names the call, errno and its symbolic name.
   *
   * @example Message format
   * ```ts
   * import { LibcError } from "memgarden";
   * import assert from "node:assert/strict";
   *
   * const e = new LibcError("mmap", 12, "map 4096 bytes");
   * assert.equal(e.message, "Cannot map 4096 bytes: mmap failed: errno 12 (ENOMEM)");
   * ```
   */
  constructor(call: string, errno: number, detail: string) {
    super(`Cannot ${detail}: ${call} failed: errno ${errno} (${errnoName(errno)})`);
    this.name = "LibcError";
    this.call = call;
    this.errno = errno;
  }
}

function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? "unknown";
}

/**
 * The libc symbols, opening `libc.so.6` on first use.
 *
 * Most code should use the checked wrappers in this module instead; this is
 * exposed for probes that need a call the wrappers do not cover.
 *
 * @returns The raw FFI symbol table (pointers are `Deno.PointerValue`, 64-bit results bigint).
 * @throws {Error} If the platform is not Linux x86-64/aarch64 or FFI is not permitted
 *   (run with `--allow-ffi` or `-A`).
 *
 * @example Calling sysconf directly
 * ```ts
 * import { libc } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeof libc().sysconf(30), "bigint");
 * ```
 */
export function libc(): LibcSymbols {
  if (lib) return lib.symbols;
  if (
    Deno.build.os !== "linux" || (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64")
  ) {
    throw new Error(
      `Cannot open libc.so.6: probes need Linux on x86_64 or aarch64: received ${Deno.build.os} ${Deno.build.arch}`,
    );
  }
  try {
    lib = Deno.dlopen("libc.so.6", SYMBOLS);
  } catch (cause) {
    const denied = cause instanceof Deno.errors.NotCapable ||
      cause instanceof Deno.errors.PermissionDenied;
    throw new Error(
      denied
        ? "Cannot open libc.so.6: FFI is not permitted: run with --allow-ffi (or -A)"
        : `Cannot open libc.so.6: dlopen failed: ${(cause as Error).message}`,
      { cause },
    );
  }
  return lib.symbols;
}

/**
 * The calling thread's current `errno`, read through `__errno_location()`.
 *
 * @returns The errno value left by the last failing libc call on this thread.
 *
 * @example Reading errno
 * ```ts
 * import { errno } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.ok(Number.isInteger(errno()));
 * ```
 */
export function errno(): number {
  const p = libc().__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32(0);
}

let pageSize: number | undefined;

/**
 * The kernel's page size in bytes, from `sysconf(_SC_PAGESIZE)`.
 *
 * @returns The page size, e.g. 4096.
 *
 * @example Page size is a power of two
 * ```ts
 * import { pageSizeBytes } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const p = pageSizeBytes();
 * assert.equal(p & (p - 1), 0);
 * ```
 */
export function pageSizeBytes(): number {
  if (pageSize !== undefined) return pageSize;
  const r = Number(libc().sysconf(LINUX._SC_PAGESIZE));
  if (r <= 0) throw new LibcError("sysconf", errno(), "read _SC_PAGESIZE");
  pageSize = r;
  return r;
}

/**
 * The names `getconf -a` prints for the sysconf values the machine facts
 * use, each with its glibc `_SC_` number (the same on x86-64 and aarch64).
 */
export const SYSCONF_NAMES: Readonly<Record<string, number>> = {
  PAGESIZE: LINUX._SC_PAGESIZE,
  _NPROCESSORS_ONLN: LINUX._SC_NPROCESSORS_ONLN,
  _PHYS_PAGES: LINUX._SC_PHYS_PAGES,
  LEVEL1_ICACHE_SIZE: LINUX._SC_LEVEL1_ICACHE_SIZE,
  LEVEL1_ICACHE_ASSOC: LINUX._SC_LEVEL1_ICACHE_ASSOC,
  LEVEL1_ICACHE_LINESIZE: LINUX._SC_LEVEL1_ICACHE_LINESIZE,
  LEVEL1_DCACHE_SIZE: LINUX._SC_LEVEL1_DCACHE_SIZE,
  LEVEL1_DCACHE_ASSOC: LINUX._SC_LEVEL1_DCACHE_ASSOC,
  LEVEL1_DCACHE_LINESIZE: LINUX._SC_LEVEL1_DCACHE_LINESIZE,
  LEVEL2_CACHE_SIZE: LINUX._SC_LEVEL2_CACHE_SIZE,
  LEVEL2_CACHE_ASSOC: LINUX._SC_LEVEL2_CACHE_ASSOC,
  LEVEL2_CACHE_LINESIZE: LINUX._SC_LEVEL2_CACHE_LINESIZE,
  LEVEL3_CACHE_SIZE: LINUX._SC_LEVEL3_CACHE_SIZE,
  LEVEL3_CACHE_ASSOC: LINUX._SC_LEVEL3_CACHE_ASSOC,
  LEVEL3_CACHE_LINESIZE: LINUX._SC_LEVEL3_CACHE_LINESIZE,
  LEVEL4_CACHE_SIZE: LINUX._SC_LEVEL4_CACHE_SIZE,
  LEVEL4_CACHE_ASSOC: LINUX._SC_LEVEL4_CACHE_ASSOC,
  LEVEL4_CACHE_LINESIZE: LINUX._SC_LEVEL4_CACHE_LINESIZE,
};

/**
 * Read every value of {@linkcode SYSCONF_NAMES} from glibc's `sysconf()`,
 * the way `getconf -a` does. glibc answers the cache questions from the
 * CPU's own CPUID, so on a virtual machine they are whatever the hypervisor
 * says; a value of 0 or -1 (unknown) becomes `null`.
 *
 * @returns The values keyed by their `getconf` names.
 * @throws {Error} As {@linkcode libc} does when FFI is not available.
 *
 * @example The page size agrees with pageSizeBytes
 * ```ts
 * import { pageSizeBytes, readSysconf } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(readSysconf().PAGESIZE, pageSizeBytes());
 * ```
 */
export function readSysconf(): Record<string, number | null> {
  const sym = libc();
  const values: Record<string, number | null> = {};
  for (const [name, code] of Object.entries(SYSCONF_NAMES)) {
    const v = Number(sym.sysconf(code));
    values[name] = v > 0 ? v : null;
  }
  return values;
}

/** A snapshot of `getrusage`: fault counts, peak RSS and CPU time. */
export interface Rusage {
  /** Whose usage: the whole process or only the calling thread. */
  who: "self" | "thread";
  /** Page faults served without I/O (`ru_minflt`). */
  minorFaults: number;
  /** Page faults that needed I/O (`ru_majflt`). */
  majorFaults: number;
  /** Peak resident set size in KiB (`ru_maxrss`). */
  maxRssKiB: number;
  /** User CPU time in microseconds. */
  userUs: number;
  /** System CPU time in microseconds. */
  systemUs: number;
}

const rusageBuf = new BigInt64Array(18); // struct rusage is 144 bytes on 64-bit Linux

/**
 * Read `getrusage` for the process (`"self"`) or the calling thread (`"thread"`).
 *
 * The thread view excludes V8's helper threads, so fault counts on the main
 * JavaScript thread are not disturbed by them.
 *
 * @param who `"self"` (RUSAGE_SELF, default) or `"thread"` (RUSAGE_THREAD).
 * @returns The counters as plain numbers.
 *
 * @example Fault counters never go down
 * ```ts
 * import { getRusage } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const a = getRusage("thread");
 * const b = getRusage("thread");
 * assert.ok(b.minorFaults >= a.minorFaults);
 * ```
 */
export function getRusage(who: "self" | "thread" = "self"): Rusage {
  if (who !== "self" && who !== "thread") {
    throw new TypeError(`Cannot read rusage: who must be "self" or "thread": received ${who}`);
  }
  const code = who === "self" ? LINUX.RUSAGE_SELF : LINUX.RUSAGE_THREAD;
  if (libc().getrusage(code, rusageBuf) !== 0) {
    throw new LibcError("getrusage", errno(), `read usage of ${who}`);
  }
  const b = rusageBuf;
  return {
    who,
    userUs: Number(b[0]) * 1e6 + Number(b[1]),
    systemUs: Number(b[2]) * 1e6 + Number(b[3]),
    maxRssKiB: Number(b[4]),
    minorFaults: Number(b[8]),
    majorFaults: Number(b[9]),
  };
}

/** A region returned by {@linkcode mmapRegion}; unmap it with {@linkcode munmapRegion}. */
export interface MappedRegion {
  /** The start address (never null for a live mapping). */
  pointer: Deno.PointerObject;
  /** The mapping's length in bytes (a whole number of pages). */
  sizeBytes: number;
  /** `sizeBytes / pageSizeBytes()`. */
  pageCount: number;
  /** True once {@linkcode munmapRegion} has run. */
  unmapped: boolean;
}

/** Options for {@linkcode mmapRegion}. */
export interface MmapOptions {
  /** Length in bytes; rounded up to whole pages. */
  sizeBytes: number;
  /** `PROT_*` bits; default read + write. */
  prot?: number;
  /** `MAP_*` bits; default `MAP_PRIVATE | MAP_ANONYMOUS`. */
  flags?: number;
  /** File descriptor for a file mapping; default -1 (anonymous). */
  fd?: number;
  /** Offset into the file, a multiple of the page size; default 0. */
  offset?: number;
}

/**
 * Map memory with `mmap` (anonymous by default, or a file with `fd`).
 *
 * @param options Size in bytes and optional prot, flags, fd, offset.
 * @returns The mapped region; the caller must {@linkcode munmapRegion} it (in a finally block).
 * @throws {RangeError} If the size is not a positive safe integer.
 * @throws {LibcError} If mmap returns MAP_FAILED.
 *
 * @example Map and unmap two pages
 * ```ts
 * import { mmapRegion, munmapRegion } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = mmapRegion({ sizeBytes: 8000 });
 * try {
 *   assert.equal(r.pageCount, 2);
 * } finally {
 *   munmapRegion(r);
 * }
 * ```
 */
export function mmapRegion(options: MmapOptions): MappedRegion {
  const { sizeBytes } = options;
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) {
    throw new RangeError(
      `Cannot mmap: sizeBytes must be a positive safe integer: received ${sizeBytes}`,
    );
  }
  const page = pageSizeBytes();
  const length = Math.ceil(sizeBytes / page) * page;
  const prot = options.prot ?? (LINUX.PROT_READ | LINUX.PROT_WRITE);
  const flags = options.flags ?? (LINUX.MAP_PRIVATE | LINUX.MAP_ANONYMOUS);
  const fd = options.fd ?? -1;
  const offset = options.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset % page !== 0) {
    throw new RangeError(
      `Cannot mmap: offset must be a non-negative multiple of the page size ${page}: received ${offset}`,
    );
  }
  const p = libc().mmap(null, BigInt(length), prot, flags, fd, BigInt(offset));
  const addr = p === null ? 0n : Deno.UnsafePointer.value(p);
  if (p === null || BigInt.asUintN(64, BigInt(addr)) === 0xffff_ffff_ffff_ffffn) {
    throw new LibcError("mmap", errno(), `map ${length} bytes (fd ${fd})`);
  }
  return { pointer: p, sizeBytes: length, pageCount: length / page, unmapped: false };
}

/**
 * Unmap a region from {@linkcode mmapRegion}; calling it twice is a no-op.
 *
 * @param region The region to unmap.
 * @returns Nothing.
 * @throws {LibcError} If munmap fails.
 *
 * @example Unmapping twice is safe
 * ```ts
 * import { mmapRegion, munmapRegion } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = mmapRegion({ sizeBytes: 4096 });
 * munmapRegion(r);
 * munmapRegion(r);
 * assert.equal(r.unmapped, true);
 * ```
 */
export function munmapRegion(region: MappedRegion): void {
  if (region.unmapped) return;
  if (libc().munmap(region.pointer, BigInt(region.sizeBytes)) !== 0) {
    throw new LibcError("munmap", errno(), `unmap ${region.sizeBytes} bytes`);
  }
  region.unmapped = true;
}

function checkRange(region: MappedRegion, what: string, firstPage: number, pageCount: number) {
  if (region.unmapped) throw new Error(`Cannot ${what}: the region is already unmapped`);
  if (
    !Number.isSafeInteger(firstPage) || !Number.isSafeInteger(pageCount) || firstPage < 0 ||
    pageCount < 0 || firstPage + pageCount > region.pageCount
  ) {
    throw new RangeError(
      `Cannot ${what}: pages must lie within 0..${region.pageCount}: received firstPage ${firstPage}, pageCount ${pageCount}`,
    );
  }
}

function offsetPointer(region: MappedRegion, byteOffset: number): Deno.PointerObject {
  const p = Deno.UnsafePointer.offset(region.pointer, byteOffset);
  if (p === null) throw new Error("Cannot offset pointer: result is null");
  return p;
}

/**
 * Which pages of a mapping are resident, from `mincore` (bit 0 of each byte).
 *
 * For a file mapping this reports whether each page is in the page cache.
 *
 * @param region A live mapped region.
 * @param firstPage First page to ask about; default 0.
 * @param pageCount How many pages; default the rest of the region.
 * @returns One boolean per page, true if resident.
 * @throws {LibcError} If mincore fails.
 *
 * @example A fresh anonymous page is not resident until written
 * ```ts
 * import { mincorePages, mmapRegion, munmapRegion, writeByte } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = mmapRegion({ sizeBytes: 4096 });
 * try {
 *   assert.deepEqual(mincorePages(r), [false]);
 *   writeByte(r, 0, 1);
 *   assert.deepEqual(mincorePages(r), [true]);
 * } finally {
 *   munmapRegion(r);
 * }
 * ```
 */
export function mincorePages(
  region: MappedRegion,
  firstPage = 0,
  pageCount = region.pageCount - firstPage,
): boolean[] {
  checkRange(region, "call mincore", firstPage, pageCount);
  if (pageCount === 0) return [];
  const page = pageSizeBytes();
  const vec = new Uint8Array(pageCount);
  const p = offsetPointer(region, firstPage * page);
  if (libc().mincore(p, BigInt(pageCount * page), vec) !== 0) {
    throw new LibcError("mincore", errno(), `query ${pageCount} pages`);
  }
  return Array.from(vec, (b) => (b & 1) === 1);
}

/**
 * Give the kernel advice about a page range of a mapping with `madvise`.
 *
 * @param region A live mapped region.
 * @param advice An `LINUX.MADV_*` value, e.g. `LINUX.MADV_DONTNEED`.
 * @param firstPage First page; default 0.
 * @param pageCount How many pages; default the rest of the region.
 * @returns Nothing.
 * @throws {LibcError} If madvise fails.
 *
 * @example MADV_DONTNEED drops an anonymous page
 * ```ts
 * import { LINUX, madviseRegion, mincorePages, mmapRegion, munmapRegion, writeByte } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = mmapRegion({ sizeBytes: 4096 });
 * try {
 *   writeByte(r, 0, 7);
 *   madviseRegion(r, LINUX.MADV_DONTNEED);
 *   assert.deepEqual(mincorePages(r), [false]);
 * } finally {
 *   munmapRegion(r);
 * }
 * ```
 */
export function madviseRegion(
  region: MappedRegion,
  advice: number,
  firstPage = 0,
  pageCount = region.pageCount - firstPage,
): void {
  checkRange(region, "call madvise", firstPage, pageCount);
  const page = pageSizeBytes();
  const p = offsetPointer(region, firstPage * page);
  if (libc().madvise(p, BigInt(pageCount * page), advice) !== 0) {
    throw new LibcError("madvise", errno(), `advise ${advice} on ${pageCount} pages`);
  }
}

/**
 * Read one byte of a mapped region (touching its page).
 *
 * @param region A live mapped region.
 * @param byteOffset Offset from the start of the region.
 * @returns The byte's value.
 * @throws {RangeError} If the offset lies outside the region.
 *
 * @example Fresh anonymous memory reads as zero
 * ```ts
 * import { mmapRegion, munmapRegion, readByte } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = mmapRegion({ sizeBytes: 4096 });
 * try {
 *   assert.equal(readByte(r, 100), 0);
 * } finally {
 *   munmapRegion(r);
 * }
 * ```
 */
export function readByte(region: MappedRegion, byteOffset: number): number {
  checkByte(region, byteOffset, "read byte");
  return new Deno.UnsafePointerView(region.pointer).getUint8(byteOffset);
}

/**
 * Write one byte of a mapped region (the mapping must be writable).
 *
 * @param region A live, writable mapped region.
 * @param byteOffset Offset from the start of the region.
 * @param value The byte to store (0..255).
 * @returns Nothing.
 * @throws {RangeError} If the offset lies outside the region.
 *
 * @example Write then read back
 * ```ts
 * import { mmapRegion, munmapRegion, readByte, writeByte } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = mmapRegion({ sizeBytes: 4096 });
 * try {
 *   writeByte(r, 5, 42);
 *   assert.equal(readByte(r, 5), 42);
 * } finally {
 *   munmapRegion(r);
 * }
 * ```
 */
export function writeByte(region: MappedRegion, byteOffset: number, value: number): void {
  checkByte(region, byteOffset, "write byte");
  const view = new Uint8Array(
    Deno.UnsafePointerView.getArrayBuffer(offsetPointer(region, byteOffset), 1),
  );
  view[0] = value;
}

function checkByte(region: MappedRegion, byteOffset: number, what: string) {
  if (region.unmapped) throw new Error(`Cannot ${what}: the region is already unmapped`);
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0 || byteOffset >= region.sizeBytes) {
    throw new RangeError(
      `Cannot ${what}: byteOffset must lie within 0..${
        region.sizeBytes - 1
      }: received ${byteOffset}`,
    );
  }
}

/**
 * Open a file with libc `open` and return its file descriptor.
 *
 * @param path The file's path.
 * @param flags `LINUX.O_*` bits; default `O_RDONLY | O_CLOEXEC`.
 * @param mode Permission bits when creating; default 0o600.
 * @returns The file descriptor; close it with {@linkcode closeFd}.
 * @throws {LibcError} If open fails (e.g. ENOENT).
 *
 * @example A missing file names the call and errno
 * ```ts
 * import { openFd } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => openFd("/nonexistent/file"), /Cannot open \/nonexistent\/file: open failed: errno 2 \(ENOENT\)/);
 * ```
 */
export function openFd(
  path: string,
  flags: number = LINUX.O_RDONLY | LINUX.O_CLOEXEC,
  mode = 0o600,
): number {
  const fd = libc().open(new TextEncoder().encode(path + "\0"), flags, mode);
  if (fd < 0) throw new LibcError("open", errno(), `open ${path}`);
  return fd;
}

/**
 * Close a file descriptor from {@linkcode openFd}.
 *
 * @param fd The descriptor.
 * @returns Nothing.
 * @throws {LibcError} If close fails (e.g. EBADF).
 *
 * @example Closing a bad descriptor fails clearly
 * ```ts
 * import { closeFd } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => closeFd(-1), /close failed: errno 9 \(EBADF\)/);
 * ```
 */
export function closeFd(fd: number): void {
  if (libc().close(fd) !== 0) throw new LibcError("close", errno(), `close fd ${fd}`);
}

/**
 * Flush a file's dirty pages to disk with `fsync`.
 *
 * @param fd An open, writable descriptor.
 * @returns Nothing.
 * @throws {LibcError} If fsync fails.
 *
 * @example fsync on a bad descriptor fails clearly
 * ```ts
 * import { fsyncFd } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => fsyncFd(-1), /fsync failed: errno 9 \(EBADF\)/);
 * ```
 */
export function fsyncFd(fd: number): void {
  if (libc().fsync(fd) !== 0) throw new LibcError("fsync", errno(), `sync fd ${fd}`);
}

/**
 * Give the kernel advice about a byte range of a file with `posix_fadvise`.
 *
 * `LINUX.POSIX_FADV_DONTNEED` drops clean, unmapped pages of the range from
 * the page cache; `LINUX.POSIX_FADV_RANDOM` disables readahead on the fd.
 *
 * @param fd An open descriptor.
 * @param offset Start of the range in bytes.
 * @param lengthBytes Length in bytes (0 means to the end of the file).
 * @param advice A `LINUX.POSIX_FADV_*` value.
 * @returns Nothing.
 * @throws {LibcError} If posix_fadvise returns an error number.
 *
 * @example A bad descriptor fails clearly
 * ```ts
 * import { fadvise, LINUX } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => fadvise(-1, 0, 0, LINUX.POSIX_FADV_DONTNEED), /posix_fadvise failed: errno 9 \(EBADF\)/);
 * ```
 */
export function fadvise(fd: number, offset: number, lengthBytes: number, advice: number): void {
  const r = libc().posix_fadvise(fd, BigInt(offset), BigInt(lengthBytes), advice);
  if (r !== 0) {
    throw new LibcError(
      "posix_fadvise",
      r,
      `advise ${advice} on fd ${fd} bytes ${offset}+${lengthBytes}`,
    );
  }
}
