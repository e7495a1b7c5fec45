/**
 * Memcheck on the simulated heap, after Valgrind's tool of that name.
 *
 * Every block gets red zones of `redZoneBytes` on both sides; freed blocks
 * are poisoned (filled with 0xdd) and kept in a quarantine of up to
 * `quarantineBytes` before the heap may reuse them. Reads and writes go
 * through {@linkcode Memcheck.read} and {@linkcode Memcheck.write}, which
 * report, as results, an access inside a freed block (use after free),
 * inside a red zone (heap buffer overflow) or outside every block (invalid
 * access). {@linkcode Memcheck.free} reports an invalid free (not a block's
 * start) and a double free.
 *
 * At exit, {@linkcode Memcheck.leakReport} sorts the live blocks as Valgrind
 * does, from the program's root pointers and the pointers stored in blocks
 * (4-byte little-endian words): *still reachable* (a chain of start pointers
 * from a root), *possibly lost* (reached only through a pointer into its
 * middle), *indirectly lost* (pointed to only from lost blocks) and
 * *definitely lost* (no pointer at all), each with the allocation site the
 * program named, in Valgrind's layout.
 *
 * @module
 */
import { createHeap, type Heap, type HeapConfigInput } from "./allocator.ts";

/** One error memcheck found. */
export interface MemcheckError {
  /** What went wrong. */
  kind:
    | "invalid-free"
    | "double-free"
    | "use-after-free"
    | "heap-buffer-overflow"
    | "invalid-access";
  /** "read", "write" or "free". */
  op: "read" | "write" | "free";
  /** The address used. */
  address: number;
  /** Bytes accessed (0 for a free). */
  sizeBytes: number;
  /** Where the program did it. */
  site: string;
  /** The block involved, if any: its address, size, and where it was allocated and freed. */
  block: { address: number; sizeBytes: number; allocSite: string; freeSite: string | null } | null;
  /** Valgrind-style text. */
  message: string;
}

interface BlockRecord {
  address: number;
  sizeBytes: number;
  raw: number;
  allocSite: string;
  freeSite: string | null;
}

/** Leak categories, as Valgrind names them. */
export type HeapLeakKind =
  | "definitely lost"
  | "indirectly lost"
  | "possibly lost"
  | "still reachable";

/** The leak report at exit. */
export interface HeapLeakReport {
  /** Per category: bytes and blocks. */
  summary: Record<HeapLeakKind, { bytes: number; blocks: number }>;
  /** One record per category and allocation site. */
  records: { kind: HeapLeakKind; site: string; bytes: number; blocks: number }[];
  /** Valgrind-style text. */
  text: string;
}

const HEAP_LEAK_KINDS: HeapLeakKind[] = [
  "definitely lost",
  "indirectly lost",
  "possibly lost",
  "still reachable",
];

/**
 * A simulated heap with memcheck's checks. Build one with {@linkcode createMemcheck}.
 */
export class Memcheck {
  /** The heap underneath. */
  readonly heap: Heap;
  /** Every error found so far. */
  readonly errors: MemcheckError[] = [];
  #rz: number;
  #quarantineMax: number;
  #records: BlockRecord[] = [];
  #quarantine: BlockRecord[] = [];
  #quarantined = 0;
  #allocs = 0;
  #frees = 0;
  #allocatedBytes = 0;

  /**
   * @param config Heap settings plus `redZoneBytes` (default 16) and `quarantineBytes` (default 4096).
   */
  constructor(config: HeapConfigInput & { redZoneBytes?: number; quarantineBytes?: number } = {}) {
    const { redZoneBytes = 16, quarantineBytes = 4096, ...heap } = config;
    if (!Number.isInteger(redZoneBytes) || redZoneBytes < 0 || redZoneBytes % 8 !== 0) {
      throw new RangeError(
        `Cannot create memcheck: redZoneBytes must be a non-negative multiple of 8: received ${redZoneBytes}`,
      );
    }
    this.#rz = redZoneBytes;
    this.#quarantineMax = quarantineBytes;
    this.heap = createHeap(heap);
  }

  /**
   * Allocate, with red zones around the block.
   *
   * @param size Bytes.
   * @param site Where (a function name), shown in reports.
   * @returns The address, or null when out of memory.
   */
  malloc(size: number, site = "?"): number | null {
    const raw = this.heap.malloc(size + 2 * this.#rz);
    if (raw === null) return null;
    const address = raw + this.#rz;
    this.#records.push({ address, sizeBytes: size, raw, allocSite: site, freeSite: null });
    this.#allocs++;
    this.#allocatedBytes += size;
    return address;
  }

  #find(address: number): BlockRecord | undefined {
    return this.#records.find((r) =>
      address >= r.address - this.#rz && address < r.address + r.sizeBytes + this.#rz
    );
  }

  #report(e: Omit<MemcheckError, "message">, message: string): MemcheckError {
    const err = { ...e, message };
    this.errors.push(err);
    return err;
  }

  /**
   * Free a block; an invalid or double free is reported, not thrown.
   *
   * @param address The address.
   * @param site Where.
   * @returns The error, or null if the free was fine.
   */
  free(address: number | null, site = "?"): MemcheckError | null {
    if (address === null || address === 0) return null;
    const r = this.#records.find((x) => x.address === address);
    const blockOf = (x: BlockRecord) => ({
      address: x.address,
      sizeBytes: x.sizeBytes,
      allocSite: x.allocSite,
      freeSite: x.freeSite,
    });
    if (!r) {
      const near = this.#find(address);
      return this.#report(
        {
          kind: "invalid-free",
          op: "free",
          address,
          sizeBytes: 0,
          site,
          block: near ? blockOf(near) : null,
        },
        `Invalid free() at ${site}: address ${address} is not the start of a block` +
          (near
            ? ` (it lies ${
              address - near.address
            } bytes inside a block of ${near.sizeBytes} alloc'd at ${near.allocSite})`
            : ""),
      );
    }
    if (r.freeSite !== null) {
      return this.#report(
        { kind: "double-free", op: "free", address, sizeBytes: 0, site, block: blockOf(r) },
        `Invalid free() at ${site}: the block of ${r.sizeBytes} bytes at ${address} was already free'd at ${r.freeSite}`,
      );
    }
    r.freeSite = site;
    this.#frees++;
    this.heap.bytes.fill(0xdd, r.address, r.address + r.sizeBytes);
    this.#quarantine.push(r);
    this.#quarantined += r.sizeBytes;
    while (this.#quarantined > this.#quarantineMax && this.#quarantine.length > 0) {
      const old = this.#quarantine.shift()!;
      this.#quarantined -= old.sizeBytes;
      this.heap.free(old.raw);
      this.#records.splice(this.#records.indexOf(old), 1);
    }
    return null;
  }

  #check(op: "read" | "write", address: number, n: number, site: string): MemcheckError | null {
    const r = this.#find(address) ?? this.#find(address + n - 1);
    const what = op === "read" ? "Invalid read" : "Invalid write";
    if (!r) {
      return this.#report(
        { kind: "invalid-access", op, address, sizeBytes: n, site, block: null },
        `${what} of size ${n} at ${site}: address ${address} is not inside any block`,
      );
    }
    const block = {
      address: r.address,
      sizeBytes: r.sizeBytes,
      allocSite: r.allocSite,
      freeSite: r.freeSite,
    };
    if (r.freeSite !== null) {
      return this.#report(
        { kind: "use-after-free", op, address, sizeBytes: n, site, block },
        `${what} of size ${n} at ${site}: address ${address} is ${
          address - r.address
        } bytes inside a block of size ${r.sizeBytes} free'd at ${r.freeSite} (alloc'd at ${r.allocSite})`,
      );
    }
    if (address < r.address || address + n > r.address + r.sizeBytes) {
      const after = address + n - (r.address + r.sizeBytes);
      return this.#report(
        { kind: "heap-buffer-overflow", op, address, sizeBytes: n, site, block },
        `${what} of size ${n} at ${site}: ${
          address < r.address
            ? `${r.address - address} bytes before`
            : `${Math.max(0, address - r.address - r.sizeBytes)} bytes after`
        } a block of size ${r.sizeBytes} alloc'd at ${r.allocSite}${
          after > 0 && address >= r.address ? ` (${after} bytes past its end)` : ""
        }`,
      );
    }
    return null;
  }

  /**
   * Write bytes at an address, checked. An access that an error covers is not performed.
   *
   * @param address Where.
   * @param data The bytes.
   * @param site Where in the program.
   * @returns The error, or null.
   */
  write(address: number, data: Uint8Array, site = "?"): MemcheckError | null {
    const e = this.#check("write", address, data.length, site);
    if (!e) this.heap.bytes.set(data, address);
    return e;
  }

  /**
   * Read bytes, checked.
   *
   * @param address Where.
   * @param n How many.
   * @param site Where in the program.
   * @returns The bytes (zeros where the access was invalid) and the error, if any.
   */
  read(address: number, n: number, site = "?"): { bytes: Uint8Array; error: MemcheckError | null } {
    const error = this.#check("read", address, n, site);
    return {
      bytes: error ? new Uint8Array(n) : this.heap.bytes.slice(address, address + n),
      error,
    };
  }

  /**
   * Store a pointer (a 4-byte little-endian address) into a block, checked.
   *
   * @param address Where to store it.
   * @param target The address stored.
   * @param site Where in the program.
   * @returns The error, or null.
   */
  storePointer(address: number, target: number, site = "?"): MemcheckError | null {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, target, true);
    return this.write(address, b, site);
  }

  /**
   * Sort the live blocks into Valgrind's leak categories.
   *
   * @param roots The pointers the program still holds (in globals, on its stack).
   * @returns The summary, one record per category and site, and Valgrind-style text.
   */
  leakReport(roots: readonly number[] = []): HeapLeakReport {
    const live = this.#records.filter((r) => r.freeSite === null);
    const at = (p: number) => live.find((r) => p >= r.address && p < r.address + r.sizeBytes);
    const state = new Map<BlockRecord, "reachable" | "possibly">();
    const view = new DataView(this.heap.bytes.buffer);
    const pointersIn = (r: BlockRecord) => {
      const out: number[] = [];
      for (let o = 0; o + 4 <= r.sizeBytes; o += 4) out.push(view.getUint32(r.address + o, true));
      return out;
    };
    const visit = (p: number, via: "reachable" | "possibly") => {
      const r = at(p);
      if (!r) return;
      const how = p === r.address && via === "reachable" ? "reachable" : "possibly";
      const had = state.get(r);
      if (had === "reachable" || had === how) return;
      state.set(r, how);
      for (const q of pointersIn(r)) visit(q, how);
    };
    for (const p of roots) visit(p, "reachable");
    const indirect = new Set<BlockRecord>();
    const lost = live.filter((r) => !state.has(r));
    for (const r of lost) {
      for (const q of pointersIn(r)) {
        const t = at(q);
        if (t && t !== r && !state.has(t)) indirect.add(t);
      }
    }
    const kindOf = (r: BlockRecord): HeapLeakKind =>
      state.get(r) === "reachable"
        ? "still reachable"
        : state.get(r) === "possibly"
        ? "possibly lost"
        : indirect.has(r)
        ? "indirectly lost"
        : "definitely lost";
    const summary = Object.fromEntries(
      HEAP_LEAK_KINDS.map((k) => [k, { bytes: 0, blocks: 0 }]),
    ) as HeapLeakReport["summary"];
    const bySite = new Map<
      string,
      { kind: HeapLeakKind; site: string; bytes: number; blocks: number }
    >();
    for (const r of live) {
      const k = kindOf(r);
      summary[k].bytes += r.sizeBytes;
      summary[k].blocks++;
      const key = `${k}\u0000${r.allocSite}`;
      const rec = bySite.get(key) ?? { kind: k, site: r.allocSite, bytes: 0, blocks: 0 };
      rec.bytes += r.sizeBytes;
      rec.blocks++;
      bySite.set(key, rec);
    }
    const records = [...bySite.values()].sort((a, b) => a.bytes - b.bytes);
    const inUse = live.reduce((s, r) => s + r.sizeBytes, 0);
    const L = (t = "") => `==1== ${t}`.trimEnd();
    const lines = [
      L("HEAP SUMMARY:"),
      L(`    in use at exit: ${inUse} bytes in ${live.length} blocks`),
      L(`  total heap usage: ${this.#allocs} allocs, ${this.#frees} frees, ${this.#allocatedBytes} bytes allocated`),
      L(),
    ];
    records.filter((r) => r.kind !== "still reachable").forEach((r, i, all) => {
      lines.push(
        L(`${r.bytes} bytes in ${r.blocks} blocks are ${r.kind} in loss record ${
          i + 1
        } of ${all.length}`),
        L(`   at malloc`),
        L(`   by ${r.site}`),
        L(),
      );
    });
    lines.push(L("LEAK SUMMARY:"));
    for (const k of HEAP_LEAK_KINDS) {
      lines.push(L(`${k.padStart(18)}: ${summary[k].bytes} bytes in ${summary[k].blocks} blocks`));
    }
    lines.push(L(`${"suppressed".padStart(18)}: 0 bytes in 0 blocks`));
    return { summary, records, text: lines.join("\n") + "\n" };
  }
}

/**
 * Create a heap checked by memcheck.
 *
 * @param config Heap settings, `redZoneBytes` (default 16), `quarantineBytes` (default 4096).
 * @returns A {@linkcode Memcheck}.
 * @throws {RangeError} For a bad red zone or heap setting.
 *
 * @example Use after free, double free, and a leak
 * ```ts
 * import { createMemcheck } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const mc = createMemcheck();
 * const p = mc.malloc(16, "make_buffer")!;
 * mc.free(p, "cleanup");
 * assert.equal(mc.write(p, new Uint8Array([1]), "use_it")?.kind, "use-after-free");
 * assert.equal(mc.free(p, "cleanup_again")?.kind, "double-free");
 * mc.malloc(40, "forgotten");
 * const report = mc.leakReport([]);
 * assert.equal(report.summary["definitely lost"].bytes, 40);
 * assert.match(report.text, /40 bytes in 1 blocks are definitely lost in loss record 1 of 1/);
 * ```
 */
export function createMemcheck(
  config: HeapConfigInput & { redZoneBytes?: number; quarantineBytes?: number } = {},
): Memcheck {
  return new Memcheck(config);
}
