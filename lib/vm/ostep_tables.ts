/**
 * OSTEP's small two-level page-table machine (paging-multilevel-translate.py):
 * a 32 KB virtual address space of 32-byte pages, 128 physical pages, a page
 * directory found through the PDBR, and 1-byte entries whose top bit (0x80)
 * is the valid bit and whose low 7 bits are a PFN. The memory is generated
 * from a seed with the same random calls as the Python original.
 *
 * @module
 */
import { z } from "zod";
import { MersenneTwister } from "../random/mersenne.ts";
import type { Translation, WalkStep } from "./address.ts";
import { parseOrThrow } from "./_parse.ts";
import { makeTranslation } from "./_translation.ts";
import { withDisplay } from "./_display.ts";

const PAGE_BYTES = 32;
const PHYS_PAGES = 128;
const VA_PAGES = 1024;
const PAGE_BITS = 5;

/** Options of {@linkcode createOstepTwoLevelMemory}. */
export const OstepTwoLevelOptions = z.object({
  /** Virtual pages to allocate for the process (default 64, at most 1024). */
  allocated: z.number().int().min(0).max(VA_PAGES).default(64),
  /** Seed for Python's `random.seed` (default 0); ignored when `random` is given. */
  seed: z.union([z.number().int(), z.bigint()]).default(0),
  /** A Mersenne Twister to draw from (lets the caller keep drawing after, as the CLI does). */
  random: z.instanceof(MersenneTwister).optional(),
});
/** Options of {@linkcode createOstepTwoLevelMemory}. */
export type OstepTwoLevelOptions = z.input<typeof OstepTwoLevelOptions>;

/** The generated machine: physical memory bytes, the PDBR and the allocated pages. */
export interface OstepTwoLevelMemory {
  /** Bytes per page (32). */
  pageBytes: number;
  /** Physical pages (128). */
  physicalPageCount: number;
  /** All 4096 bytes of physical memory. */
  memory: number[];
  /** The page holding the page directory. */
  pdbr: number;
  /** The virtual pages allocated, in allocation order. */
  allocatedPages: number[];
}

/**
 * Generate OSTEP's two-level machine: the same memory, PDBR and pages as
 * `paging-multilevel-translate.py -s SEED -a ALLOCATED`.
 *
 * @param options `seed` (or `random`) and `allocated`.
 * @returns The machine as plain data.
 *
 * @example Seed 0, as the Python script prints it
 * ```ts
 * import { createOstepTwoLevelMemory } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const m = createOstepTwoLevelMemory({ seed: 0 });
 * assert.equal(m.pdbr, 108);
 * assert.equal(m.allocatedPages.length, 64);
 * ```
 */
export function createOstepTwoLevelMemory(options: OstepTwoLevelOptions = {}): OstepTwoLevelMemory {
  const o = parseOrThrow(OstepTwoLevelOptions, options, "Cannot create OSTEP two-level memory");
  const mt = o.random ?? new MersenneTwister(o.seed);
  const memory = new Array<number>(PAGE_BYTES * PHYS_PAGES).fill(0);
  const usedPages = new Uint8Array(PHYS_PAGES);
  let usedCount = 0;
  const findFree = (): number => {
    if (usedCount >= PHYS_PAGES) {
      throw new RangeError(
        `Cannot create OSTEP two-level memory: allocated pages plus their page tables must fit in ${PHYS_PAGES} physical pages: received allocated ${o.allocated}`,
      );
    }
    let look = Math.trunc(mt.random() * PHYS_PAGES);
    while (usedPages[look] === 1) look = Math.trunc(mt.random() * PHYS_PAGES);
    usedCount++;
    usedPages[look] = 1;
    return look;
  };
  const initTablePage = (page: number) => {
    memory.fill(0x7f, page * PAGE_BYTES, (page + 1) * PAGE_BYTES);
  };
  const pdbr = findFree();
  initTablePage(pdbr);
  const used = new Uint8Array(VA_PAGES);
  const allocatedPages: number[] = [];
  for (let n = 0; n < o.allocated; n++) {
    let vp = Math.trunc(mt.random() * VA_PAGES);
    while (used[vp] === 1) vp = Math.trunc(mt.random() * VA_PAGES);
    used[vp] = 1;
    allocatedPages.push(vp);
    const pp = findFree();
    const pdeAddr = (pdbr << PAGE_BITS) | (vp >> 5);
    let ptePage: number;
    if ((memory[pdeAddr] & 0x80) === 0) {
      ptePage = findFree();
      memory[pdeAddr] = 0x80 | ptePage;
      initTablePage(ptePage);
    } else {
      ptePage = memory[pdeAddr] & 0x7f;
    }
    memory[(ptePage << PAGE_BITS) | (vp & 0x1f)] = 0x80 | pp;
    for (let j = 0; j < PAGE_BYTES; j++) {
      memory[pp * PAGE_BYTES + j] = Math.trunc(mt.random() * 31);
    }
  }
  return withDisplay({
    pageBytes: PAGE_BYTES,
    physicalPageCount: PHYS_PAGES,
    memory,
    pdbr,
    allocatedPages,
  }, (m) => {
    const text = `${ostepMemoryDump(m)}\nPDBR: ${m.pdbr}`;
    return { html: `<pre>${text}</pre>`, text };
  });
}

/**
 * The memory dump exactly as the Python script prints it (`page   0:` and 64 hex digits per page).
 *
 * @param machine A machine from {@linkcode createOstepTwoLevelMemory}.
 * @returns 128 lines joined by newlines (no trailing newline).
 *
 * @example The first line for seed 0
 * ```ts
 * import { createOstepTwoLevelMemory, ostepMemoryDump } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const dump = ostepMemoryDump(createOstepTwoLevelMemory({ seed: 0 }));
 * assert.equal(dump.split("\n").length, 128);
 * assert.ok(dump.startsWith("page   0:"));
 * ```
 */
export function ostepMemoryDump(machine: OstepTwoLevelMemory): string {
  const lines: string[] = [];
  for (let i = 0; i < machine.physicalPageCount; i++) {
    let line = `page ${String(i).padStart(3)}:`;
    for (let j = 0; j < machine.pageBytes; j++) {
      line += machine.memory[i * machine.pageBytes + j].toString(16).padStart(2, "0");
    }
    lines.push(line);
  }
  return lines.join("\n");
}

/**
 * Translate a virtual address (15 bits: 5 PDE index, 5 PTE index, 5 offset)
 * on OSTEP's two-level machine, recording the PDE and PTE reads.
 *
 * @param machine A machine from {@linkcode createOstepTwoLevelMemory}.
 * @param virtualAddress An address in [0, 32768); beyond that is an out-of-bounds segfault.
 * @returns The translation; `faultLevel` 0 means the PDE was not valid, 1 the PTE.
 *
 * @example The first address of seed 0
 * ```ts
 * import { createOstepTwoLevelMemory, translateOstepTwoLevel } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const m = createOstepTwoLevelMemory({ seed: 0 });
 * const t = translateOstepTwoLevel(m, 0x611c);
 * assert.deepEqual(t.steps.map((s) => [s.name, s.entryValue]), [["PDE", 0xa1], ["PTE", 0xb5]]);
 * assert.equal(t.physicalAddress, 0x6bc);
 * assert.equal(m.memory[0x6bc], 0x08);
 * ```
 */
export function translateOstepTwoLevel(
  machine: OstepTwoLevelMemory,
  virtualAddress: number,
): Translation {
  if (!Number.isSafeInteger(virtualAddress) || virtualAddress < 0) {
    throw new TypeError(
      `Cannot translate: virtualAddress must be a non-negative safe integer: received ${virtualAddress}`,
    );
  }
  const offset = virtualAddress & 0x1f;
  const fault = {
    virtualAddress,
    offset,
    ok: false,
    pfn: null,
    physicalAddress: null,
    fault: "segfault" as const,
  };
  if (virtualAddress >= PAGE_BYTES * VA_PAGES) {
    return makeTranslation({
      ...fault,
      offset: virtualAddress % PAGE_BYTES,
      vpn: null,
      reason: "out-of-bounds",
      faultLevel: null,
      steps: [],
    });
  }
  const vpn = virtualAddress >> PAGE_BITS;
  const steps: WalkStep[] = [];
  let page = machine.pdbr;
  const indices = [(virtualAddress & 0x7c00) >> 10, (virtualAddress & 0x03e0) >> 5];
  for (let level = 0; level < 2; level++) {
    const entryAddress = (page << PAGE_BITS) | indices[level];
    const entryValue = machine.memory[entryAddress];
    const valid = (entryValue & 0x80) !== 0;
    steps.push({
      level,
      name: level === 0 ? "PDE" : "PTE",
      index: indices[level],
      entryAddress,
      entryValue,
      valid,
    });
    if (!valid) {
      return makeTranslation({ ...fault, vpn, reason: "invalid", faultLevel: level, steps });
    }
    page = entryValue & 0x7f;
  }
  return makeTranslation({
    virtualAddress,
    vpn,
    offset,
    ok: true,
    pfn: page,
    physicalAddress: (page << PAGE_BITS) | offset,
    fault: null,
    reason: null,
    faultLevel: null,
    steps,
  });
}
