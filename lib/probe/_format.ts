/**
 * Private formatting helpers shared by the probes: HTML escaping, byte and
 * nanosecond formatting, and a small table renderer for notebook displays.
 *
 * @module
 */

import { escapeHtml } from "../_html.ts";

export { escapeHtml };

/** Format a byte count with binary units: 48 KiB, 1 MiB, 1.5 GiB. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
  return `${text} ${units[unit]}`;
}

/** Format a nanosecond figure with three significant digits. */
export function formatNs(ns: number): string {
  return ns >= 100 ? ns.toFixed(0) : ns.toPrecision(3);
}

/** Render a header row and body rows (already escaped where needed) as an HTML table. */
export function htmlTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const head = headers.map((h) => `<th style="text-align:left;padding:2px 8px">${h}</th>`).join("");
  const body = rows.map((r) =>
    `<tr>${r.map((c) => `<td style="padding:2px 8px">${c}</td>`).join("")}</tr>`
  ).join("");
  return `<table style="border-collapse:collapse"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Render rows as a plain-text table with padded columns. */
export function textTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}
