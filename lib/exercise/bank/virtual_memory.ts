/**
 * Lesson 02's exercises: translate addresses through a small linear page
 * table, cut an x86-64 address into its four table indices and offset, size
 * a linear page table, and work out a TLB's reach; plus a generated practice
 * question on linear translation, in the spirit of `deno task sim translate`.
 *
 * @module
 */
import { defineExercise, type Exercise, registerExercises } from "../exercise.ts";
import { registerPractice } from "../practice.ts";
import { createLinearPageTable, translateLinear } from "../../vm/mod.ts";

/** The answer to exercise vm-translate: `translate(pageTable, pageBytes, virtualAddress)`. */
export type VmTranslateAnswer = (
  pageTable: readonly (number | null)[],
  pageBytes: number,
  virtualAddress: number,
) => number | "segfault";

/** The x86-64 fields of a virtual address: four table indices and the page offset. */
export interface X86Indices {
  /** Bits 47..39: index into the top table (PML4). */
  pml4: number;
  /** Bits 38..30: index into the page-directory-pointer table. */
  pdpt: number;
  /** Bits 29..21: index into the page directory. */
  pd: number;
  /** Bits 20..12: index into the page table. */
  pt: number;
  /** Bits 11..0: the offset within the 4 KiB page. */
  offset: number;
}

/** The answer to exercise vm-x86-split: `splitX86(virtualAddress)`. */
export type VmSplitX86Answer = (virtualAddress: number) => X86Indices;
/** The answer to exercise vm-linear-table-bytes: `linearTableBytes(addressSpaceBytes, pageBytes, entryBytes)`. */
export type VmLinearTableBytesAnswer = (
  addressSpaceBytes: number,
  pageBytes: number,
  entryBytes: number,
) => number;
/** The answer to exercise vm-tlb-reach: `tlbReach(entries, pageBytes)`. */
export type VmTlbReachAnswer = (entries: number, pageBytes: number) => number;

/**
 * The page table of exercise 1: virtual page → frame, `null` where no frame is mapped.
 *
 * @example Four pages, two mapped
 * ```ts
 * import { vmExercisePageTable } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...vmExercisePageTable], [5, null, 2, null]);
 * ```
 */
export const vmExercisePageTable: readonly (number | null)[] = Object.freeze([5, null, 2, null]);

/** The reference translation, from the library's simulator. */
function referenceTranslate(
  pageTable: readonly (number | null)[],
  pageBytes: number,
  virtualAddress: number,
): number | "segfault" {
  const table = createLinearPageTable({
    addressSpaceBytes: 2 ** Math.ceil(Math.log2(Math.max(2, pageTable.length))) * pageBytes,
    pageBytes,
    entries: [...pageTable],
  });
  const t = translateLinear(table, virtualAddress);
  return t.ok && t.vpn! < pageTable.length ? t.physicalAddress! : "segfault";
}

const TABLE_ADDRESSES = [0x0, 0x0abc, 0x1000, 0x2fff, 0x3010];
const KIB_TABLE = [2, null, 9, 4, null, 1, 0, 3];
const KIB_ADDRESSES = [0x0, 0x5ff, 0x810, 0x1c00, 0x1fff];

/**
 * Lesson 02, exercise 1: translate a virtual address through a linear page table.
 *
 * @example The reference answer passes, and an answer that forgets the offset fails
 * ```ts
 * import { check, vmTranslate } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const good = (t: readonly (number | null)[], p: number, va: number) => {
 *   const vpn = Math.floor(va / p);
 *   const pfn = t[vpn];
 *   return pfn === null || pfn === undefined ? "segfault" : pfn * p + (va % p);
 * };
 * assert.equal((await check(vmTranslate.id, good)).score, vmTranslate.points);
 * const noOffset = (t: readonly (number | null)[], p: number, va: number) => t[Math.floor(va / p)] ?? "segfault";
 * assert.equal((await check(vmTranslate.id, noOffset)).passed, false);
 * ```
 */
export const vmTranslate: Exercise<VmTranslateAnswer> = defineExercise<VmTranslateAnswer>({
  id: "vm-translate",
  title: "Translate through a linear page table",
  lesson: "02-virtual-memory",
  points: 4,
  expects: "translate",
  tests: [
    {
      name: "0x1234 is in page 1 → frame 5, so 0x5234",
      calls: [[[3, 5, null, 7], 4096, 0x1234]],
      want: [0x5234],
    },
    {
      name: "the table of the exercise, every page",
      calls: TABLE_ADDRESSES.map((va) => [vmExercisePageTable, 4096, va]),
      want: TABLE_ADDRESSES.map((va) => referenceTranslate(vmExercisePageTable, 4096, va)),
    },
    {
      name: "an address past the end of the table is a segfault",
      calls: [[vmExercisePageTable, 4096, 0x4000]],
      want: ["segfault"],
    },
    {
      name: "frame 0 is a real frame, not 'no frame'",
      calls: [[[null, 0], 1024, 0x7ff]],
      want: [0x3ff],
    },
    {
      name: "1 KiB pages",
      calls: KIB_ADDRESSES.map((va) => [KIB_TABLE, 1024, va]),
      want: KIB_ADDRESSES.map((va) => referenceTranslate(KIB_TABLE, 1024, va)),
    },
  ],
});

/**
 * Lesson 02, exercise 2: cut an x86-64 virtual address into four 9-bit indices and a 12-bit offset.
 *
 * @example 32-bit operators fail on a real user-space address
 * ```ts
 * import { check, vmSplitX86 } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const bitwise = (va: number) => ({ pml4: (va >>> 39) & 511, pdpt: (va >>> 30) & 511, pd: (va >>> 21) & 511, pt: (va >>> 12) & 511, offset: va & 4095 });
 * assert.equal((await check(vmSplitX86.id, bitwise)).passed, false);
 * ```
 */
export const vmSplitX86: Exercise<VmSplitX86Answer> = defineExercise<VmSplitX86Answer>({
  id: "vm-x86-split",
  title: "Four indices and an offset",
  lesson: "02-virtual-memory",
  points: 4,
  expects: "splitX86",
  tests: [
    {
      name: "a small address: 0x0000_0040_3abc",
      calls: [[0x40_3abc]],
      want: [{ pml4: 0, pdpt: 0, pd: 2, pt: 3, offset: 0xabc }],
    },
    {
      name: "each field's lowest bit on its own",
      calls: [[2 ** 39], [2 ** 30], [2 ** 21], [2 ** 12]],
      want: [
        { pml4: 1, pdpt: 0, pd: 0, pt: 0, offset: 0 },
        { pml4: 0, pdpt: 1, pd: 0, pt: 0, offset: 0 },
        { pml4: 0, pdpt: 0, pd: 1, pt: 0, offset: 0 },
        { pml4: 0, pdpt: 0, pd: 0, pt: 1, offset: 0 },
      ],
    },
    {
      name: "the highest user address, 0x7fff_ffff_ffff",
      calls: [[2 ** 47 - 1]],
      want: [{ pml4: 255, pdpt: 511, pd: 511, pt: 511, offset: 4095 }],
    },
    {
      name: "a stack-like address above 4 GiB: 0x7ffc_dec1_2345",
      calls: [[0x7ffc_dec1_2345]],
      want: [{ pml4: 255, pdpt: 499, pd: 246, pt: 18, offset: 0x345 }],
    },
  ],
});

/**
 * Lesson 02, exercise 3: the size of a linear (one-level) page table.
 *
 * @example 32-bit addresses, 4 KiB pages, 4-byte entries: 4 MiB per process
 * ```ts
 * import { check, vmLinearTableBytes } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const r = await check(vmLinearTableBytes.id, (a: number, p: number, e: number) => (a / p) * e);
 * assert.equal(r.score, vmLinearTableBytes.points);
 * ```
 */
export const vmLinearTableBytes: Exercise<VmLinearTableBytesAnswer> = defineExercise<
  VmLinearTableBytesAnswer
>({
  id: "vm-linear-table-bytes",
  title: "How big is a linear page table?",
  lesson: "02-virtual-memory",
  points: 3,
  expects: "linearTableBytes",
  tests: [
    {
      name: "16 KiB space, 4 KiB pages, 4-byte entries: 4 entries, 16 bytes",
      calls: [[16 * 1024, 4096, 4]],
      want: [16],
    },
    {
      name: "32-bit space, 4 KiB pages, 4-byte entries: 4 MiB",
      calls: [[2 ** 32, 4096, 4]],
      want: [4 * 2 ** 20],
    },
    {
      name: "48-bit space, 4 KiB pages, 8-byte entries: 512 GiB",
      calls: [[2 ** 48, 4096, 8]],
      want: [2 ** 39],
    },
    {
      name: "bigger pages make smaller tables (2 MiB pages)",
      calls: [[2 ** 48, 2 ** 21, 8]],
      want: [2 ** 30],
    },
  ],
});

/**
 * Lesson 02, exercise 4: TLB reach, the memory a TLB covers when full.
 *
 * @example 64 entries of 4 KiB pages reach 256 KiB
 * ```ts
 * import { check, vmTlbReach } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal((await check(vmTlbReach.id, (n: number, p: number) => n * p)).score, 2);
 * ```
 */
export const vmTlbReach: Exercise<VmTlbReachAnswer> = defineExercise<VmTlbReachAnswer>({
  id: "vm-tlb-reach",
  title: "TLB reach",
  lesson: "02-virtual-memory",
  points: 2,
  expects: "tlbReach",
  tests: [
    { name: "64 entries × 4 KiB = 256 KiB", calls: [[64, 4096]], want: [256 * 1024] },
    { name: "1,536 entries × 4 KiB = 6 MiB", calls: [[1536, 4096]], want: [6 * 2 ** 20] },
    {
      name: "the same 1,536 entries with 2 MiB pages = 3 GiB",
      calls: [[1536, 2 ** 21]],
      want: [3 * 2 ** 30],
    },
  ],
});

registerExercises(vmTranslate, vmSplitX86, vmLinearTableBytes, vmTlbReach);

const hex = (n: number) => "0x" + n.toString(16);

registerPractice({
  id: "vm-translate",
  title: "Translate through a linear page table",
  lesson: "02-virtual-memory",
  generate: (prng) => {
    const pageBytes = 2 ** prng.int(10, 12);
    const pageCount = 2 ** prng.int(2, 3);
    const frameCount = 4 * pageCount;
    const entries = Array.from(
      { length: pageCount },
      () => (prng.int(0, 1) === 1 ? prng.int(0, frameCount - 1) : null),
    );
    const table = createLinearPageTable({
      addressSpaceBytes: pageCount * pageBytes,
      pageBytes,
      entries,
    });
    const validPages = entries.flatMap((pfn, vpn) => (pfn === null ? [] : [vpn]));
    // About half the addresses fall in valid pages, as in OSTEP's generator.
    const addresses = [0, 1, 2, 3, 4].map(() => {
      const vpn = validPages.length > 0 && prng.int(0, 1) === 1
        ? validPages[prng.int(0, validPages.length - 1)]
        : prng.int(0, pageCount - 1);
      return vpn * pageBytes + prng.int(0, pageBytes - 1);
    });
    const question = [
      `Pages of ${pageBytes} bytes, a ${
        pageCount * pageBytes / 1024
      } KiB address space (${pageCount} pages), ${frameCount} physical frames.`,
      "Page table (virtual page: frame):",
      ...entries.map((pfn, vpn) => `  ${vpn}: ${pfn === null ? "not valid" : pfn}`),
      ...addresses.map((va, i) =>
        `${i + 1}. Virtual address ${hex(va)}: physical address, or segfault?`
      ),
    ].join("\n");
    const answers = addresses.map((va) => {
      const t = translateLinear(table, va);
      return t.ok
        ? `${hex(t.physicalAddress!)} (page ${t.vpn}, offset ${
          hex(t.offset)
        } → frame ${t.pfn}: ${t.pfn} × ${hex(pageBytes)} + ${hex(t.offset)})`
        : `segfault (page ${t.vpn} is not valid)`;
    });
    return { question, answers };
  },
});
