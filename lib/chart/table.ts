import { escapeText } from "./_escape.ts";

/** A column of a {@linkcode table}: a heading and how to show each row's value. */
export interface TableColumn<T> {
  /** The heading, with its unit where there is one. */
  label: string;
  /** The cell text for a row. */
  value: (row: T) => string | number;
  /** Right-align numbers (default: right when the first value is a number). */
  align?: "left" | "right";
}

/** A table with a rich Jupyter view (HTML) and a plain-text fallback. */
export interface TableView {
  /** The HTML table. */
  readonly html: string;
  /** The aligned plain-text table. */
  readonly text: string;
  /** The Jupyter MIME bundle. */
  [key: symbol]: () => Record<string, string>;
}

/**
 * Show rows as a table in a notebook (HTML) or a terminal (text).
 *
 * @param rows The data.
 * @param columns The columns to show.
 * @param caption An optional caption above the table.
 * @returns A {@linkcode TableView}.
 *
 * @example Two rows
 * ```ts
 * import { table } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * const t = table([{ n: "L1", kib: 32 }, { n: "L2", kib: 1024 }], [
 *   { label: "Level", value: (r) => r.n },
 *   { label: "Size (KiB)", value: (r) => r.kib },
 * ]);
 * assert.match(t.html, /<td[^>]*>1024<\/td>/);
 * assert.match(t.text, /L2\s+1024/);
 * ```
 */
export function table<T>(
  rows: readonly T[],
  columns: readonly TableColumn<T>[],
  caption = "",
): TableView {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const aligns = columns.map((c, i) =>
    c.align ?? (typeof cells[0]?.[i] === "number" ? "right" : "left")
  );
  const head = columns.map((c, i) =>
    `<th style="text-align:${aligns[i]};padding:2px 10px">${escapeText(c.label)}</th>`
  ).join("");
  const body = cells.map((row) =>
    "<tr>" +
    row.map((v, i) =>
      `<td style="text-align:${aligns[i]};padding:2px 10px">${escapeText(String(v))}</td>`
    ).join("") + "</tr>"
  ).join("");
  const html = `<table style="border-collapse:collapse;font-variant-numeric:tabular-nums">` +
    (caption
      ? `<caption style="text-align:left;font-weight:600">${escapeText(caption)}</caption>`
      : "") +
    `<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  const strings = [columns.map((c) => c.label), ...cells.map((r) => r.map(String))];
  const widths = columns.map((_, i) => Math.max(...strings.map((r) => r[i].length)));
  const text = (caption ? caption + "\n" : "") +
    strings.map((r) =>
      r.map((s, i) => aligns[i] === "right" ? s.padStart(widths[i]) : s.padEnd(widths[i])).join(
        "  ",
      )
        .trimEnd()
    ).join("\n");
  return {
    html,
    text,
    [Symbol.for("Jupyter.display")]: () => ({ "text/html": html, "text/plain": text }),
  };
}
