/**
 * Format a size in bytes with binary units, e.g. `32 KiB`, `1.5 MiB`.
 *
 * @param bytes The size.
 * @returns A short human-readable size.
 *
 * @example Sizes
 * ```ts
 * import { formatSize } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatSize(32768), "32 KiB");
 * assert.equal(formatSize(1536 * 1024), "1.5 MiB");
 * assert.equal(formatSize(100), "100 B");
 * ```
 */
export function formatSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${Number(value.toFixed(digits))} ${units[unit]}`;
}

/**
 * Format a duration given in nanoseconds with a fitting unit: `ns`, `µs`, `ms` or `s`.
 *
 * @param ns The duration in nanoseconds.
 * @returns A short human-readable duration.
 *
 * @example Durations
 * ```ts
 * import { formatDuration } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatDuration(0.5), "0.5 ns");
 * assert.equal(formatDuration(80_000), "80 µs");
 * assert.equal(formatDuration(8_000_000), "8 ms");
 * ```
 */
export function formatDuration(ns: number): string {
  const steps: [number, string][] = [[1e9, "s"], [1e6, "ms"], [1e3, "µs"]];
  for (const [scale, unit] of steps) {
    if (Math.abs(ns) >= scale) return `${Number((ns / scale).toPrecision(3))} ${unit}`;
  }
  return `${Number(ns.toPrecision(3))} ns`;
}
