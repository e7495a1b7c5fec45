/**
 * Private helper: parse `/proc/<pid>/smaps` into one entry per mapping, with
 * every `kB` field converted to bytes, and sum a field over an address range.
 * Used by the TLB-reach probe (AnonHugePages of its buffer) and the real
 * working-set probe (Rss and Referenced of the child's buffer).
 *
 * @module
 */

/** One mapping of an smaps file. */
export interface SmapsEntry {
  /** Start address (inclusive). */
  start: bigint;
  /** End address (exclusive). */
  end: bigint;
  /** The header line's permissions, e.g. `rw-p`. */
  perms: string;
  /** Every `Name: N kB` field, in bytes. */
  fields: Record<string, number>;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s/i;
const FIELD = /^([A-Za-z_]+):\s+(\d+)\s+kB\s*$/;

/** Parse smaps text; a line that is neither a header nor a known field shape is skipped. */
export function parseSmaps(text: string): SmapsEntry[] {
  const out: SmapsEntry[] = [];
  let current: SmapsEntry | null = null;
  for (const line of text.split("\n")) {
    const h = HEADER.exec(line);
    if (h) {
      current = {
        start: BigInt("0x" + h[1]),
        end: BigInt("0x" + h[2]),
        perms: h[3],
        fields: {},
      };
      out.push(current);
      continue;
    }
    const f = FIELD.exec(line);
    if (f && current) current.fields[f[1]] = Number(f[2]) * 1024;
  }
  return out;
}

/**
 * Sum one field over the mappings that overlap `[start, end)`. A mapping that
 * only partly overlaps counts whole (smaps gives no finer split); callers keep
 * their buffers in mappings of their own.
 */
export function sumSmapsField(
  entries: readonly SmapsEntry[],
  start: bigint,
  end: bigint,
  field: string,
): number | null {
  let sum = 0;
  let seen = false;
  for (const e of entries) {
    if (e.end <= start || e.start >= end) continue;
    const v = e.fields[field];
    if (v === undefined) continue;
    seen = true;
    sum += v;
  }
  return seen ? sum : null;
}
