/**
 * Private helper: a temporary file mapped read-only with readahead disabled,
 * whose pages can be dropped from the page cache one at a time, so that the
 * next read of a dropped page is a true major fault.
 *
 * @module
 */
import {
  closeFd,
  fadvise,
  LINUX,
  madviseRegion,
  type MappedRegion,
  mincorePages,
  mmapRegion,
  munmapRegion,
  openFd,
  pageSizeBytes,
} from "./libc.ts";
import { regionBytes } from "./_region_bytes.ts";

/** Filesystems whose pages never leave memory, so major faults cannot be produced. */
const MEMORY_FILESYSTEMS = new Set(["tmpfs", "ramfs", "devtmpfs", "shm", "hugetlbfs"]);

/**
 * The filesystem type holding `path`, from the longest matching mount point
 * in `<procRoot>/mounts` (default `/proc/mounts`; a test passes a recorded copy).
 */
export function filesystemOf(path: string, procRoot = "/proc"): string | null {
  let mounts: string;
  try {
    mounts = Deno.readTextFileSync(`${procRoot}/mounts`);
  } catch {
    return null;
  }
  let best = "";
  let type: string | null = null;
  for (const line of mounts.split("\n")) {
    const [, mnt, fstype] = line.split(" ");
    if (!mnt || !fstype) continue;
    const point = mnt.replaceAll("\\040", " ");
    const under = point === "/" || path === point || path.startsWith(point + "/");
    if (under && point.length >= best.length) {
      best = point;
      type = fstype;
    }
  }
  return type;
}

/** Whether pages of files on this filesystem can be evicted from memory. */
export function canEvict(fsType: string | null): boolean {
  return fsType !== null && !MEMORY_FILESYSTEMS.has(fsType);
}

/** Pick a temp-directory parent on a disk-backed filesystem, if any. */
export function pickDiskDir(
  requested?: string,
): { parent: string | undefined; fsType: string | null } {
  if (requested !== undefined) {
    return { parent: requested, fsType: filesystemOf(Deno.realPathSync(requested)) };
  }
  const candidates: (string | undefined)[] = [undefined, "/var/tmp"];
  let fallback: { parent: string | undefined; fsType: string | null } | undefined;
  for (const parent of candidates) {
    let real: string;
    try {
      real = Deno.realPathSync(parent ?? tmpRoot());
    } catch {
      continue;
    }
    const fsType = filesystemOf(real);
    if (canEvict(fsType)) return { parent, fsType };
    fallback ??= { parent, fsType };
  }
  return fallback ?? { parent: undefined, fsType: null };
}

function tmpRoot(): string {
  return Deno.env.get("TMPDIR") ?? "/tmp";
}

/** A mapped temp file whose pages can be evicted one by one. */
export interface EvictableFile {
  dir: string;
  path: string;
  fsType: string | null;
  pageCount: number;
  pageSizeBytes: number;
  region: MappedRegion;
  fd: number;
  /** Drop one page from this mapping and the page cache; returns the attempts it took (0 = failed). */
  evictPage(page: number): number;
  /** Drop every page; returns the number still resident afterwards. */
  evictAll(): number;
  /** Read and check the first byte of a page (the access that may fault); throws if it is wrong. */
  touch(page: number): number;
  /** Whether each page is in the page cache. */
  resident(): boolean[];
  /** Unmap, close and delete everything. Safe to call twice. */
  close(): void;
}

const MAX_ATTEMPTS = 5;

/**
 * Create a file of `pageCount` pages (each page's first byte is its number
 * mod 251 plus 1), fsync it, map it read-only with MADV_RANDOM and
 * POSIX_FADV_RANDOM, and evict it from the page cache.
 */
export function createEvictableFile(pageCount: number, dirParent?: string): EvictableFile {
  const page = pageSizeBytes();
  const { parent, fsType } = pickDiskDir(dirParent);
  const dir = Deno.makeTempDirSync({ prefix: "memgarden-probe-", dir: parent });
  const path = `${dir}/pages.bin`;
  let fd = -1;
  let region: MappedRegion | undefined;
  const cleanup = () => {
    if (region) munmapRegion(region);
    if (fd >= 0) {
      closeFd(fd);
      fd = -1;
    }
    Deno.removeSync(dir, { recursive: true });
  };
  try {
    const data = new Uint8Array(pageCount * page);
    for (let i = 0; i < pageCount; i++) data[i * page] = (i % 251) + 1;
    const file = Deno.openSync(path, { write: true, create: true, truncate: true });
    try {
      let written = 0;
      while (written < data.length) written += file.writeSync(data.subarray(written));
      file.syncSync();
    } finally {
      file.close();
    }
    fd = openFd(path);
    fadvise(fd, 0, 0, LINUX.POSIX_FADV_RANDOM);
    region = mmapRegion({
      sizeBytes: pageCount * page,
      prot: LINUX.PROT_READ,
      flags: LINUX.MAP_PRIVATE,
      fd,
    });
    madviseRegion(region, LINUX.MADV_RANDOM);
  } catch (e) {
    try {
      cleanup();
    } catch { /* keep the first error */ }
    throw e;
  }
  const r = region;
  const bytes = regionBytes(r);
  let closed = false;
  const file: EvictableFile = {
    dir,
    path,
    fsType,
    pageCount,
    pageSizeBytes: page,
    region: r,
    fd,
    evictPage(v: number): number {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        madviseRegion(r, LINUX.MADV_DONTNEED, v, 1);
        fadvise(file.fd, v * page, page, LINUX.POSIX_FADV_DONTNEED);
        if (!mincorePages(r, v, 1)[0]) return attempt;
      }
      return 0;
    },
    evictAll(): number {
      let left = pageCount;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS && left > 0; attempt++) {
        madviseRegion(r, LINUX.MADV_DONTNEED);
        fadvise(file.fd, 0, 0, LINUX.POSIX_FADV_DONTNEED);
        left = mincorePages(r).filter((x) => x).length;
      }
      return left;
    },
    touch(v: number): number {
      if (closed) throw new Error("Cannot touch page: the file is already closed");
      // The read must be used: once V8 optimizes a caller that drops the
      // result (Maglev did after ~2,000 calls), an unused load is deleted and
      // the page is never touched, so no fault happens. Checking the byte
      // against what was written keeps the load, and checks the data too.
      const byte = bytes[v * page];
      if (byte !== (v % 251) + 1) {
        throw new Error(
          `Cannot touch page: page ${v} must start with byte ${(v % 251) + 1}: received ${byte}`,
        );
      }
      return byte;
    },
    resident(): boolean[] {
      return mincorePages(r);
    },
    close(): void {
      if (closed) return;
      closed = true;
      cleanup();
    },
  };
  return file;
}
