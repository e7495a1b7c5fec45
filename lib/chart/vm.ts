/**
 * Charts for virtual memory: virtual pages linked to physical frames (one or
 * more address spaces), a virtual address cut into its page-table indices and
 * offset, TLB hit rate against the number of entries, resident memory against
 * pages touched in a large reservation (overcommit), and a process's real
 * address space drawn run by run on a log scale.
 *
 * Each function takes plain result data and returns a {@linkcode Chart}.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { type Chart, chart, THEME } from "./render.ts";
import { formatSize } from "./format.ts";

const GREY = "#999999";
const hex = (n: number) => "0x" + n.toString(16);

function requireNonEmpty(what: string, name: string, value: unknown): void {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(
      `Cannot draw ${what}: ${name} must be a non-empty array: received ${JSON.stringify(value)}`,
    );
  }
}

/** One virtual page of an address space and the frame behind it (null: not mapped). */
export interface PageMapping {
  /** The virtual page number. */
  page: number;
  /** The physical frame number, or null when the page is not mapped. */
  frame: number | null;
}

/** An address space to draw: its name (e.g. `"pid 1"`) and its page mappings. */
export interface MappingSpace {
  /** The name shown above its column. */
  name: string;
  /** Its pages. */
  mappings: readonly PageMapping[];
}

/**
 * Chart page tables as pictures: each address space's virtual pages in a
 * column, physical frames in the middle, a line from every mapped page to its
 * frame, and a cross for pages that are not mapped. With two spaces the frames
 * sit between them, so a shared frame (two lines meeting) stands out.
 *
 * @param spaces One or two address spaces.
 * @param options An optional title.
 * @returns A {@linkcode Chart}.
 *
 * @example Two processes, same virtual page, different frames
 * ```ts
 * import { pageMappingChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = pageMappingChart([
 *   { name: "pid 1", mappings: [{ page: 0, frame: 3 }, { page: 1, frame: null }] },
 *   { name: "pid 2", mappings: [{ page: 0, frame: 5 }] },
 * ]);
 * assert.match(c.svg, /Page or frame number \(count\)/);
 * assert.match(c.caption, /no frame is shared/);
 * ```
 */
export function pageMappingChart(
  spaces: readonly MappingSpace[],
  options: { title?: string } = {},
): Chart {
  requireNonEmpty("page mappings", "spaces", spaces);
  if (spaces.length > 2) {
    throw new RangeError(
      `Cannot draw page mappings: spaces must hold one or two address spaces: received ${spaces.length}`,
    );
  }
  const FRAMES = "physical frames";
  const columns = spaces.length === 1
    ? [spaces[0].name, FRAMES]
    : [spaces[0].name, FRAMES, spaces[1].name];
  const seen = new Set<string>();
  const pages = spaces.flatMap((s) => s.mappings.map((m) => ({ space: s.name, ...m })))
    .filter((p) => {
      const key = `${p.space}:${p.page}:${p.frame}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
  const mapped = pages.filter((p) => p.frame !== null) as {
    space: string;
    page: number;
    frame: number;
  }[];
  const frames = [...new Set(mapped.map((p) => p.frame))].sort((a, b) => a - b);
  const owners = new Map<number, Set<string>>();
  for (const p of mapped) owners.set(p.frame, (owners.get(p.frame) ?? new Set()).add(p.space));
  const shared = frames.filter((f) => owners.get(f)!.size > 1);
  const unmapped = pages.filter((p) => p.frame === null);
  const most = Math.max(0, ...pages.map((p) => p.page), ...frames);
  const colour = (space: string) =>
    THEME.colors[spaces.findIndex((s) => s.name === space) % THEME.colors.length];
  const notice = spaces.length === 2
    ? shared.length
      ? `Frames shared by both spaces: ${shared.join(", ")}.`
      : "The spaces use the same page numbers, yet no frame is shared: neither can reach the other's memory."
    : "Neighbouring virtual pages may sit in frames far apart: the program never sees the difference.";
  return chart({
    title: options.title ??
      (spaces.length === 2
        ? "Two address spaces, one physical memory"
        : "A page table: virtual pages and the frames behind them"),
    caption: `${notice} ${mapped.length} page(s) mapped to ${frames.length} frame(s)${
      unmapped.length ? `; ${unmapped.length} not mapped (✕): touching one is a fault` : ""
    }.`,
    height: Math.max(220, 60 + 26 * (most + 1)),
    marginLeft: 50,
    marginRight: 50,
    marginTop: 56,
    x: {
      type: "point",
      domain: columns,
      label: "Where (address space)",
      axis: "top",
      padding: 0.4,
      labelOffset: 40,
      labelAnchor: "right",
    },
    y: {
      label: "Page or frame number (count)",
      domain: [most + 0.5, -0.5],
      ticks: Array.from({ length: most + 1 }, (_, i) => i),
      tickFormat: "d",
    },
    marks: [
      Plot.link(mapped, {
        x1: "space",
        y1: "page",
        x2: () => FRAMES,
        y2: "frame",
        stroke: (d: { space: string }) => colour(d.space),
        strokeWidth: 1.5,
      }),
      Plot.dot(pages, {
        x: "space",
        y: "page",
        r: 5,
        fill: (d: { space: string; frame: number | null }) =>
          d.frame === null ? "white" : colour(d.space),
        stroke: (d: { space: string }) => colour(d.space),
      }),
      Plot.text(unmapped, { x: "space", y: "page", text: () => "✕", dx: -14, fill: "#D55E00" }),
      Plot.dot(frames, { x: () => FRAMES, y: (f: number) => f, r: 5, fill: "#333333" }),
      Plot.text(frames, {
        x: () => FRAMES,
        y: (f: number) => f,
        text: (f: number) => `frame ${f}`,
        dx: spaces.length === 1 ? 10 : 0,
        dy: spaces.length === 1 ? 0 : -10,
        textAnchor: spaces.length === 1 ? "start" : "middle",
      }),
    ],
  });
}

/**
 * Draw a virtual address cut into its fields: one index per page-table level
 * (x86-64: PML4, PDPT, PD, PT, 9 bits each) and the page offset (12 bits),
 * every bit of the address written above its field.
 *
 * @param virtualAddress The address (a non-negative safe integer below 2^(sum of bits)).
 * @param options Bits per level (default `[9, 9, 9, 9]`), offset bits (default 12) and level names.
 * @returns A {@linkcode Chart}; its caption lists every field's value.
 *
 * @example One x86-64 address
 * ```ts
 * import { addressSplitChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = addressSplitChart(0x7f12_3456_7890);
 * assert.match(c.caption, /PML4 = 254/);
 * assert.match(c.caption, /offset = 0x890/);
 * assert.match(c.svg, /Bit of the virtual address \(bit number\)/);
 * ```
 */
export function addressSplitChart(
  virtualAddress: number,
  options: { levelBits?: readonly number[]; offsetBits?: number; levelNames?: readonly string[] } =
    {},
): Chart {
  const levelBits = options.levelBits ?? [9, 9, 9, 9];
  const offsetBits = options.offsetBits ?? 12;
  const names = options.levelNames ??
    (options.levelBits ? levelBits.map((_, i) => `L${i}`) : ["PML4", "PDPT", "PD", "PT"]);
  const total = levelBits.reduce((a, b) => a + b, 0) + offsetBits;
  if (names.length !== levelBits.length) {
    throw new RangeError(
      `Cannot draw address split: levelNames must have one name per level (${levelBits.length}): received ${names.length}`,
    );
  }
  if (!Number.isSafeInteger(virtualAddress) || virtualAddress < 0 || virtualAddress >= 2 ** total) {
    throw new RangeError(
      `Cannot draw address split: virtualAddress must be an integer in [0, 2^${total}): received ${virtualAddress}`,
    );
  }
  const widths = [...levelBits, offsetBits];
  const labels = [...names, "offset"];
  let hi = total;
  const fields = widths.map((bits, i) => {
    const lo = hi - bits;
    const value = Math.floor(virtualAddress / 2 ** lo) % 2 ** bits;
    const f = { name: labels[i], lo, hi, bits, value, i };
    hi = lo;
    return f;
  });
  const digits = Array.from({ length: total }, (_, b) => ({
    b,
    digit: Math.floor(virtualAddress / 2 ** b) % 2,
  }));
  const fieldText = (f: (typeof fields)[number]) =>
    f.name === "offset" ? `offset = ${hex(f.value)}` : `${f.name} = ${f.value}`;
  const colour = (i: number) => THEME.colors[i % THEME.colors.length];
  return chart({
    title: `The virtual address ${hex(virtualAddress)}, cut into its fields`,
    caption: `${fields.map(fieldText).join(", ")}. Each index picks one of ${
      2 ** levelBits[0]
    } entries in one table of the walk, highest bits first; the offset is copied unchanged into the physical address.`,
    height: 170,
    marginLeft: 10,
    marginRight: 10,
    x: {
      label: "Bit of the virtual address (bit number)",
      domain: [total, 0],
      ticks: [total, ...fields.map((f) => f.lo)],
      tickFormat: (d: number) => String(d === total ? total - 1 : d),
      grid: false,
    },
    y: { axis: null, domain: [0, 2.2] },
    marks: [
      Plot.rect(fields, {
        x1: "hi",
        x2: "lo",
        y1: 0,
        y2: 1,
        fill: (f: { i: number }) => colour(f.i),
        fillOpacity: 0.85,
        stroke: "white",
        strokeWidth: 2,
      }),
      Plot.text(fields, {
        x: (f: { lo: number; hi: number }) => (f.lo + f.hi) / 2,
        y: 0.5,
        text: (f: (typeof fields)[number]) => `${fieldText(f)}\n${f.bits} bits`,
        fill: "white",
        fontWeight: "bold",
      }),
      Plot.text(digits, {
        x: (d: { b: number }) => d.b + 0.5,
        y: 1.45,
        text: "digit",
        fontSize: 10,
        fontFamily: "monospace",
      }),
    ],
  });
}

/** TLB hit rates of one access pattern for several TLB sizes. */
export interface TlbCurve {
  /** The access pattern's name, shown in the legend. */
  pattern: string;
  /** One point per TLB size: entries and hit rate (0..1). */
  points: readonly { entries: number; hitRate: number }[];
}

/**
 * Chart TLB hit rate against the number of entries (log scale), one line per
 * access pattern.
 *
 * @param curves One curve per pattern.
 * @param options An optional title.
 * @returns A {@linkcode Chart}; the caption names the smallest size where each pattern reaches 90%.
 *
 * @example A loop over 48 pages
 * ```ts
 * import { tlbHitRateChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = tlbHitRateChart([{ pattern: "loop", points: [{ entries: 32, hitRate: 0 }, { entries: 64, hitRate: 0.99 }] }]);
 * assert.match(c.svg, /TLB entries \(count, log scale\)/);
 * assert.match(c.caption, /loop: 90% from 64 entries/);
 * ```
 */
export function tlbHitRateChart(
  curves: readonly TlbCurve[],
  options: { title?: string } = {},
): Chart {
  requireNonEmpty("TLB hit rates", "curves", curves);
  const data = curves.flatMap((c) =>
    c.points.map((p) => ({
      pattern: c.pattern,
      entries: p.entries,
      percent: Math.round(p.hitRate * 1000) / 10,
    }))
  );
  const sizes = [...new Set(data.map((d) => d.entries))].sort((a, b) => a - b);
  const reach = curves.map((c) => {
    const first = [...c.points].sort((a, b) => a.entries - b.entries).find((p) => p.hitRate >= 0.9);
    return `${c.pattern}: ${first ? `90% from ${first.entries} entries` : "never 90%"}`;
  });
  return chart({
    title: options.title ?? "TLB hit rate as the TLB grows, per access pattern",
    caption: `${
      reach.join("; ")
    }. A pattern hits once the TLB holds every page it keeps coming back to; with LRU, a loop one page too big for the TLB misses every time.`,
    marginRight: 20,
    x: {
      type: "log",
      base: 2,
      label: "TLB entries (count, log scale)",
      ticks: sizes,
      tickFormat: "d",
    },
    y: { label: "Hit rate (%)", domain: [0, 100] },
    color: { domain: curves.map((c) => c.pattern), range: [...THEME.colors] },
    marks: [
      Plot.line(data, { x: "entries", y: "percent", stroke: "pattern", strokeWidth: 2 }),
      Plot.dot(data, { x: "entries", y: "percent", fill: "pattern", r: 3.5 }),
      ...curves.map((c, i) =>
        Plot.text([c.pattern], {
          frameAnchor: "bottom-right",
          text: (d: string) => `— ${d}`,
          fill: THEME.colors[i % THEME.colors.length],
          dy: -8 - 16 * (curves.length - 1 - i),
          dx: -4,
          fontWeight: "bold",
        })
      ),
    ],
  });
}

/** One measurement or simulation of resident memory after touching some pages of a reservation. */
export interface ResidencyPoint {
  /** Where the number comes from, e.g. `"simulated"` or `"real (mincore)"`. */
  source: string;
  /** Pages written (at least 1). */
  touchedPages: number;
  /** Resident bytes of the reservation afterwards. */
  residentBytes: number;
}

/**
 * Chart overcommit: resident memory against pages touched inside one large
 * reservation, both on log scales, with the reservation's (virtual) size as
 * a dashed line that stays far above until every page is touched.
 *
 * @param points Simulated and real points (touchedPages >= 1).
 * @param options `reservedBytes`: the size of the reservation.
 * @returns A {@linkcode Chart}.
 *
 * @example One page touched in a 256 MiB reservation
 * ```ts
 * import { overcommitChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = overcommitChart([
 *   { source: "simulated", touchedPages: 1, residentBytes: 4096 },
 *   { source: "simulated", touchedPages: 65536, residentBytes: 2 ** 28 },
 * ], { reservedBytes: 2 ** 28 });
 * assert.match(c.svg, /Resident memory \(bytes, log scale\)/);
 * assert.match(c.caption, /1 touched page: 4 KiB resident of 256 MiB reserved/);
 * ```
 */
export function overcommitChart(
  points: readonly ResidencyPoint[],
  options: { reservedBytes: number },
): Chart {
  requireNonEmpty("overcommit", "points", points);
  const reserved = options?.reservedBytes;
  if (!Number.isFinite(reserved) || reserved <= 0) {
    throw new RangeError(
      `Cannot draw overcommit: reservedBytes must be a positive number: received ${reserved}`,
    );
  }
  const bad = points.find((p) => !(p.touchedPages >= 1) || !(p.residentBytes >= 0));
  if (bad) {
    throw new RangeError(
      `Cannot draw overcommit: touchedPages must be at least 1 and residentBytes not negative: received ${
        JSON.stringify(bad)
      }`,
    );
  }
  const sources = [...new Set(points.map((p) => p.source))];
  const data = points.map((p) => ({ ...p, shown: Math.max(p.residentBytes, 1024) }));
  const least = [...points].sort((a, b) => a.touchedPages - b.touchedPages)[0];
  const maxTouched = Math.max(...points.map((p) => p.touchedPages));
  const ticks: number[] = [];
  for (let b = 1024; b <= reserved * 2; b *= 16) ticks.push(b);
  // Say what the lines do, from the points: a steady cost per page written, and where they reach the reservation.
  const uneven = sources.filter((s) => {
    const own = points.filter((p) => p.source === s);
    const perPage = own[0].residentBytes / own[0].touchedPages;
    return own.some((p) => Math.abs(p.residentBytes - perPage * p.touchedPages) > 0.5);
  });
  const steadyPage = least.residentBytes / least.touchedPages;
  const growth = uneven.length === 0
    ? `Each line climbs by the same ${formatSize(steadyPage)} of RAM per page written`
    : `${uneven.join(" and ")} ${
      uneven.length === 1 ? "does" : "do"
    } not grow by the same amount per page written`;
  const full =
    [...points].filter((p) => p.residentBytes >= reserved).sort((a, b) =>
      a.touchedPages - b.touchedPages
    )[0];
  const meets = full
    ? ` and reaches the dashed reservation at ${full.touchedPages.toLocaleString("en-US")} page${
      full.touchedPages === 1 ? "" : "s"
    } written`
    : " and stays below the dashed reservation";
  return chart({
    title: "Reserving is free: resident memory grows only with the pages touched",
    caption: `${least.source}, ${least.touchedPages} touched page${
      least.touchedPages === 1 ? "" : "s"
    }: ${formatSize(least.residentBytes)} resident of ${
      formatSize(reserved)
    } reserved. ${growth}${meets}${
      sources.length > 1
        ? `; where the thin line runs inside the wide pale one, ${sources.join(" and ")} agree`
        : ""
    }.`,
    marginLeft: 70,
    marginRight: 20,
    x: {
      type: "log",
      label: "Pages written (count, log scale)",
      domain: [1, Math.max(maxTouched, 2)],
      tickFormat: "~s",
    },
    y: {
      type: "log",
      base: 2,
      label: "Resident memory (bytes, log scale)",
      domain: [1024, reserved * 2],
      ticks,
      tickFormat: (d: number) => formatSize(d),
    },
    color: { domain: sources, range: [...THEME.colors] },
    marks: [
      Plot.ruleY([reserved], { stroke: "#D55E00", strokeDasharray: "5,4" }),
      Plot.text([reserved], {
        y: (d: number) => d,
        frameAnchor: "left",
        text: () => `reserved (virtual size): ${formatSize(reserved)}`,
        dy: -8,
        dx: 4,
        textAnchor: "start",
        fill: "#D55E00",
      }),
      ...sources.map((s, i) =>
        Plot.line(data.filter((d) => d.source === s), {
          x: "touchedPages",
          y: "shown",
          stroke: THEME.colors[i % THEME.colors.length],
          strokeWidth: i === 0 ? 7 : 2,
          strokeOpacity: i === 0 ? 0.4 : 1,
        })
      ),
      Plot.dot(data, { x: "touchedPages", y: "shown", fill: "source", r: 3.5 }),
      ...sources.map((s, i) =>
        Plot.text([s], {
          frameAnchor: "bottom-right",
          text: (d: string) => `— ${d}`,
          fill: THEME.colors[i % THEME.colors.length],
          dy: -8 - 16 * (sources.length - 1 - i),
          dx: -4,
          fontWeight: "bold",
        })
      ),
    ],
  });
}

/** A region of a process's address space, as `readMemoryMap()` returns it. */
export interface AddressRegion {
  /** Start address, `0x` hex. */
  start: string;
  /** End address (exclusive), `0x` hex. */
  end: string;
  /** Size in bytes. */
  sizeBytes: number;
  /** What it holds, e.g. `"stack"`. */
  kind: string;
}

/** Consecutive regions of one kind, merged, with the empty addresses around them. */
export interface AddressRun {
  /** The kind shared by the regions. */
  kind: string;
  /** Start of the first region, `0x` hex. */
  start: string;
  /** End of the last region, `0x` hex. */
  end: string;
  /** How many regions were merged. */
  regionCount: number;
  /** Bytes mapped by those regions. */
  mappedBytes: number;
  /** Unmapped bytes between this run's end and the next run's start (0 for the last run). */
  gapAfterBytes: number;
}

/**
 * Merge an address-ordered list of regions into runs of one kind, and measure
 * the unmapped gap after each run.
 *
 * @param regions Regions sorted by address (as in `/proc/self/maps`).
 * @returns One run per stretch of same-kind regions, in address order.
 *
 * @example Two heaps regions and a stack far above
 * ```ts
 * import { addressSpaceRuns } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const runs = addressSpaceRuns([
 *   { start: "0x1000", end: "0x3000", sizeBytes: 0x2000, kind: "heap" },
 *   { start: "0x4000", end: "0x5000", sizeBytes: 0x1000, kind: "heap" },
 *   { start: "0x9000", end: "0xa000", sizeBytes: 0x1000, kind: "stack" },
 * ]);
 * assert.deepEqual(runs.map((r) => [r.kind, r.regionCount, r.mappedBytes, r.gapAfterBytes]), [
 *   ["heap", 2, 0x3000, 0x4000], ["stack", 1, 0x1000, 0],
 * ]);
 * ```
 */
export function addressSpaceRuns(regions: readonly AddressRegion[]): AddressRun[] {
  const runs: (AddressRun & { endBig: bigint })[] = [];
  for (const r of regions) {
    const last = runs.at(-1);
    if (last && last.kind === r.kind) {
      last.end = r.end;
      last.endBig = BigInt(r.end);
      last.regionCount++;
      last.mappedBytes += r.sizeBytes;
    } else {
      if (last) last.gapAfterBytes = Number(BigInt(r.start) - last.endBig);
      runs.push({
        kind: r.kind,
        start: r.start,
        end: r.end,
        endBig: BigInt(r.end),
        regionCount: 1,
        mappedBytes: r.sizeBytes,
        gapAfterBytes: 0,
      });
    }
  }
  return runs.map(({ endBig: _, ...run }) => run);
}

const KIND_COLOURS: Record<string, string> = {
  text: "#0072B2",
  data: "#56B4E9",
  bss: "#009E73",
  heap: "#E69F00",
  stack: "#D55E00",
  library: "#CC79A7",
  vdso: "#000000",
  file: "#F0E442",
  anonymous: "#888888",
};

/**
 * Chart a process's address space: one bar per run of same-kind regions, in
 * address order with the highest addresses at the top (like the classic
 * picture of a process), the bar's length the bytes mapped on a log scale,
 * and a grey dot for the empty addresses between the run and the next.
 *
 * @param regions The regions, in address order (e.g. `readMemoryMap().regions`).
 * @param options An optional title.
 * @returns A {@linkcode Chart}.
 *
 * @example A tiny map
 * ```ts
 * import { addressSpaceChart } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const c = addressSpaceChart([
 *   { start: "0x400000", end: "0x401000", sizeBytes: 4096, kind: "text" },
 *   { start: "0x7ffd0000", end: "0x7ffd8000", sizeBytes: 0x8000, kind: "stack" },
 * ]);
 * assert.match(c.svg, /Bytes \(log scale\)/);
 * assert.match(c.svg, /0x7ffd0000 · stack/);
 * assert.match(c.caption, /2 regions in 2 runs/);
 * ```
 */
export function addressSpaceChart(
  regions: readonly AddressRegion[],
  options: { title?: string } = {},
): Chart {
  requireNonEmpty("address space", "regions", regions);
  const runs = addressSpaceRuns(regions);
  const rows = runs.map((r, i) => ({
    ...r,
    row: `${r.start} · ${r.kind}${r.regionCount > 1 ? ` ×${r.regionCount}` : ""}`,
    i,
  }));
  const order = [...rows].reverse().map((r) => r.row);
  // Gaps that reach the kernel's half (above 2^47) are the non-canonical hole, not free space.
  const userTop = 2n ** 47n;
  const gaps = rows.filter((r, i) =>
    r.gapAfterBytes > 0 && i + 1 < rows.length && BigInt(rows[i + 1].start) < userTop
  );
  const kernelRuns = rows.filter((r) => BigInt(r.start) >= userTop).length;
  const mapped = runs.reduce((s, r) => s + r.mappedBytes, 0);
  const biggestGap = gaps.reduce((m, r) => Math.max(m, r.gapAfterBytes), 0);
  const kinds = Object.keys(KIND_COLOURS).filter((k) => runs.some((r) => r.kind === k));
  const extra = [...new Set(runs.map((r) => r.kind))].filter((k) => !(k in KIND_COLOURS));
  const allKinds = [...kinds, ...extra];
  const top = Math.max(mapped, biggestGap, 4096) * 4;
  const ticks: number[] = [];
  for (let b = 1024; b <= top; b *= 1024) ticks.push(b);
  return chart({
    title: options.title ?? "This process's address space, run by run (highest addresses on top)",
    caption: `${regions.length} regions in ${runs.length} runs map ${
      formatSize(mapped)
    } in all. Grey circles: the empty addresses up to the next run (the largest gap is ${
      formatSize(biggestGap)
    }). Almost all of the space is empty: a page table only needs entries where something is mapped.${
      kernelRuns
        ? ` ${kernelRuns} run${
          kernelRuns === 1 ? " lies" : "s lie"
        } in the kernel's half, above the 128 TiB user half.`
        : ""
    }`,
    height: 90 + 20 * rows.length,
    marginTop: 40,
    marginLeft: 250,
    marginRight: 20,
    x: {
      type: "log",
      base: 2,
      label: "Bytes (log scale)",
      domain: [1024, top],
      ticks,
      tickFormat: (d: number) => formatSize(d),
    },
    y: { label: "Run (start address · kind)", domain: order, padding: 0.2, labelAnchor: "top" },
    color: {
      domain: allKinds,
      range: allKinds.map((k) => KIND_COLOURS[k] ?? GREY),
      legend: true,
    },
    marks: [
      Plot.barX(rows, { x1: 1024, x2: "mappedBytes", y: "row", fill: "kind" }),
      Plot.dot(gaps, {
        x: "gapAfterBytes",
        y: "row",
        r: 4,
        fill: "white",
        stroke: GREY,
        strokeWidth: 1.5,
      }),
    ],
  });
}
