/**
 * A linear (single-level) page table: one entry per virtual page, each with a
 * valid bit and a physical frame number, in OSTEP's format (the high bit of a
 * 32-bit entry is the valid bit, the rest is the PFN).
 *
 * @module
 */
import { z } from "zod";
import { type PageGeometry, pageGeometry, type Translation } from "./address.ts";
import { parseOrThrow } from "./_parse.ts";
import { makeTranslation } from "./_translation.ts";
import { withDisplay } from "./_display.ts";

/** Options of {@linkcode createLinearPageTable}. */
export const LinearPageTableOptions = z.object({
  /** Bytes of virtual address space (a power of two). */
  addressSpaceBytes: z.number().int().positive().max(2 ** 52),
  /** Bytes per page (a power of two). */
  pageBytes: z.number().int().positive(),
  /** Entry `vpn` is that page's frame number, or null for an invalid page; missing entries are invalid. */
  entries: z.array(z.number().int().min(0).max(0x7fffffff).nullable()),
  /** Frames of physical memory; when given, every PFN must be below it. */
  physicalPageCount: z.number().int().positive().optional(),
  /** Physical address of entry 0 (the page-table base register), default 0. */
  baseAddress: z.number().int().min(0).default(0),
  /** Bytes per entry, default 4. */
  entryBytes: z.number().int().positive().default(4),
});
/** Options of {@linkcode createLinearPageTable}. */
export type LinearPageTableOptions = z.input<typeof LinearPageTableOptions>;

/** A linear page table (plain data). */
export interface LinearPageTable {
  /** The VPN/offset split. */
  geometry: PageGeometry;
  /** One entry per virtual page: a frame number or null (invalid). */
  entries: (number | null)[];
  /** Physical address of entry 0. */
  baseAddress: number;
  /** Bytes per entry. */
  entryBytes: number;
}

/**
 * Build a linear page table.
 *
 * @param options The geometry (`addressSpaceBytes`, `pageBytes`), the `entries`
 *   (frame number or null per VPN), and optionally `physicalPageCount`,
 *   `baseAddress` and `entryBytes`.
 * @returns The table, padded with invalid entries to one per virtual page.
 *
 * @example Four pages, two of them valid
 * ```ts
 * import { createLinearPageTable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const table = createLinearPageTable({ addressSpaceBytes: 16384, pageBytes: 4096, entries: [null, 12] });
 * assert.deepEqual(table.entries, [null, 12, null, null]);
 * assert.throws(
 *   () => createLinearPageTable({ addressSpaceBytes: 16384, pageBytes: 4096, entries: [1, 2, 3, 4, 5] }),
 *   /entries must have at most 4 entries \(one per virtual page\): received 5/,
 * );
 * ```
 */
export function createLinearPageTable(options: LinearPageTableOptions): LinearPageTable {
  const o = parseOrThrow(LinearPageTableOptions, options, "Cannot create linear page table");
  const geometry = pageGeometry({ addressSpaceBytes: o.addressSpaceBytes, pageBytes: o.pageBytes });
  if (o.entries.length > geometry.pageCount) {
    throw new RangeError(
      `Cannot create linear page table: entries must have at most ${geometry.pageCount} entries (one per virtual page): received ${o.entries.length}`,
    );
  }
  if (o.physicalPageCount !== undefined) {
    o.entries.forEach((pfn, vpn) => {
      if (pfn !== null && pfn >= o.physicalPageCount!) {
        throw new RangeError(
          `Cannot create linear page table: entries[${vpn}] must be a frame below physicalPageCount ${o.physicalPageCount}: received ${pfn}`,
        );
      }
    });
  }
  const entries = Array.from({ length: geometry.pageCount }, (_, v) => o.entries[v] ?? null);
  return withDisplay(
    { geometry, entries, baseAddress: o.baseAddress, entryBytes: o.entryBytes },
    renderLinear,
  );
}

function renderLinear(t: LinearPageTable): { html: string; text: string } {
  const lines = t.entries.slice(0, 256).map((pfn, v) =>
    `[${String(v).padStart(8)}]  0x${linearEntryValue(pfn).toString(16).padStart(8, "0")}`
  );
  const text =
    `linear page table: ${t.geometry.pageCount} pages of ${t.geometry.pageBytes} bytes\n${
      lines.join("\n")
    }`;
  return { html: `<pre>${text}</pre>`, text };
}

/** OSTEP's entry format: valid bit 31, PFN below. */
function linearEntryValue(pfn: number | null): number {
  return pfn === null ? 0 : 0x80000000 + pfn;
}

/**
 * Translate a virtual address through a linear page table. An address beyond
 * the address space, or on a page whose entry is not valid, is a
 * segmentation fault: a result, not an exception.
 *
 * @param table A table from {@linkcode createLinearPageTable}.
 * @param virtualAddress A non-negative safe integer.
 * @returns The translation, with one step (the entry read) unless out of bounds.
 *
 * @example One hit, one invalid page, one address out of bounds
 * ```ts
 * import { createLinearPageTable, translateLinear } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const table = createLinearPageTable({ addressSpaceBytes: 16384, pageBytes: 4096, entries: [null, 12] });
 * assert.equal(translateLinear(table, 7364).physicalAddress, 52420);
 * assert.equal(translateLinear(table, 10675).reason, "invalid");
 * assert.equal(translateLinear(table, 16384).reason, "out-of-bounds");
 * ```
 */
export function translateLinear(table: LinearPageTable, virtualAddress: number): Translation {
  if (!Number.isSafeInteger(virtualAddress) || virtualAddress < 0) {
    throw new TypeError(
      `Cannot translate: virtualAddress must be a non-negative safe integer: received ${virtualAddress}`,
    );
  }
  const { pageBytes, addressSpaceBytes } = table.geometry;
  const offset = virtualAddress % pageBytes;
  if (virtualAddress >= addressSpaceBytes) {
    return makeTranslation({
      virtualAddress,
      vpn: null,
      offset,
      ok: false,
      pfn: null,
      physicalAddress: null,
      fault: "segfault",
      reason: "out-of-bounds",
      faultLevel: null,
      steps: [],
    });
  }
  const vpn = Math.floor(virtualAddress / pageBytes);
  const pfn = table.entries[vpn];
  const step = {
    level: 0,
    name: "PTE",
    index: vpn,
    entryAddress: table.baseAddress + vpn * table.entryBytes,
    entryValue: linearEntryValue(pfn),
    valid: pfn !== null,
  };
  return makeTranslation({
    virtualAddress,
    vpn,
    offset,
    ok: pfn !== null,
    pfn,
    physicalAddress: pfn === null ? null : pfn * pageBytes + offset,
    fault: pfn === null ? "segfault" : null,
    reason: pfn === null ? "invalid" : null,
    faultLevel: pfn === null ? 0 : null,
    steps: [step],
  });
}
