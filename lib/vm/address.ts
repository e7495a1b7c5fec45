/**
 * Address spaces split into pages: the page geometry (how many bits of a
 * virtual address are the virtual page number, how many the offset) and the
 * result type every translator in `lib/vm` returns, with its step log.
 *
 * @module
 */
import { z } from "zod";
import { isPowerOfTwo, parseOrThrow } from "./_parse.ts";

/** Options of {@linkcode pageGeometry}. */
export const PageGeometryOptions = z.object({
  /** Bytes of virtual address space (a power of two, at most 2^52). */
  addressSpaceBytes: z.number().int().positive().max(2 ** 52),
  /** Bytes per page (a power of two). */
  pageBytes: z.number().int().positive(),
});
/** Options of {@linkcode pageGeometry}. */
export type PageGeometryOptions = z.infer<typeof PageGeometryOptions>;

/** How a virtual address splits into a virtual page number and an offset. */
export interface PageGeometry {
  /** Bytes of virtual address space. */
  addressSpaceBytes: number;
  /** Bytes per page. */
  pageBytes: number;
  /** Pages in the address space. */
  pageCount: number;
  /** Low bits of an address that are the offset within the page. */
  offsetBits: number;
  /** High bits of an address that are the virtual page number. */
  vpnBits: number;
}

/**
 * Work out the VPN/offset split of an address space with a chosen page size.
 *
 * @param options `addressSpaceBytes` and `pageBytes`, both powers of two, the page no larger than the space.
 * @returns The geometry: page count and the bit widths of VPN and offset.
 *
 * @example 16 KiB with 4 KiB pages: 2 VPN bits, 12 offset bits
 * ```ts
 * import { pageGeometry } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const g = pageGeometry({ addressSpaceBytes: 16384, pageBytes: 4096 });
 * assert.deepEqual([g.pageCount, g.vpnBits, g.offsetBits], [4, 2, 12]);
 * assert.throws(() => pageGeometry({ addressSpaceBytes: 16384, pageBytes: 3000 }), /pageBytes must be a power of two: received 3000/);
 * ```
 */
export function pageGeometry(options: PageGeometryOptions): PageGeometry {
  const o = parseOrThrow(PageGeometryOptions, options, "Cannot create page geometry");
  if (!isPowerOfTwo(o.pageBytes)) {
    throw new RangeError(
      `Cannot create page geometry: pageBytes must be a power of two: received ${o.pageBytes}`,
    );
  }
  if (!isPowerOfTwo(o.addressSpaceBytes)) {
    throw new RangeError(
      `Cannot create page geometry: addressSpaceBytes must be a power of two: received ${o.addressSpaceBytes}`,
    );
  }
  if (o.pageBytes > o.addressSpaceBytes) {
    throw new RangeError(
      `Cannot create page geometry: pageBytes must not exceed addressSpaceBytes (${o.addressSpaceBytes}): received ${o.pageBytes}`,
    );
  }
  const offsetBits = Math.round(Math.log2(o.pageBytes));
  const vaBits = Math.round(Math.log2(o.addressSpaceBytes));
  return {
    addressSpaceBytes: o.addressSpaceBytes,
    pageBytes: o.pageBytes,
    pageCount: o.addressSpaceBytes / o.pageBytes,
    offsetBits,
    vpnBits: vaBits - offsetBits,
  };
}

/**
 * Split a virtual address into its page number and offset (exact up to 2^53).
 *
 * @param virtualAddress A non-negative safe integer.
 * @param pageBytes Bytes per page (a power of two).
 * @returns `{ vpn, offset }`.
 *
 * @example 0x3abc with 4 KiB pages
 * ```ts
 * import { splitVirtualAddress } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(splitVirtualAddress(0x3abc, 4096), { vpn: 3, offset: 0xabc });
 * ```
 */
export function splitVirtualAddress(
  virtualAddress: number,
  pageBytes: number,
): { vpn: number; offset: number } {
  if (!Number.isSafeInteger(virtualAddress) || virtualAddress < 0) {
    throw new TypeError(
      `Cannot split address: virtualAddress must be a non-negative safe integer: received ${virtualAddress}`,
    );
  }
  if (!isPowerOfTwo(pageBytes)) {
    throw new RangeError(
      `Cannot split address: pageBytes must be a power of two: received ${pageBytes}`,
    );
  }
  return { vpn: Math.floor(virtualAddress / pageBytes), offset: virtualAddress % pageBytes };
}

/** One table lookup during a translation. */
export interface WalkStep {
  /** 0 for the top-level table (the only level of a linear table). */
  level: number;
  /** A name for the level, e.g. "PML4", "PDE", "PTE". */
  name: string;
  /** The index into that level's table (taken from the virtual address). */
  index: number;
  /** The physical address of the entry read. */
  entryAddress: number;
  /** The entry's contents. */
  entryValue: number;
  /** Whether the entry's valid (present) bit is set. */
  valid: boolean;
}

/** Why a translation failed: the address is beyond the space, or an entry on the walk is not valid. */
export type TranslationFault = "out-of-bounds" | "invalid";

/** The outcome of translating one virtual address: a physical address or a segmentation fault. */
export interface Translation {
  /** The address translated. */
  virtualAddress: number;
  /** Its virtual page number (null when out of bounds). */
  vpn: number | null;
  /** Its offset within the page. */
  offset: number;
  /** True when it translated. */
  ok: boolean;
  /** The physical frame, or null on a fault. */
  pfn: number | null;
  /** The physical address, or null on a fault. */
  physicalAddress: number | null;
  /** Null, or "segfault" (a result, not an exception). */
  fault: "segfault" | null;
  /** Why it faulted, or null. */
  reason: TranslationFault | null;
  /** For "invalid": the level whose entry was not valid. */
  faultLevel: number | null;
  /** Every table lookup, in order. */
  steps: WalkStep[];
}
