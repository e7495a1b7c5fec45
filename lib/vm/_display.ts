import { escapeHtml } from "../_html.ts";

export { escapeHtml, withDisplay } from "../_html.ts";

/** An HTML table from a header row and rows of cells. */
export function htmlTable(head: string[], rows: (string | number)[][]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const trs = rows.map((r) =>
    `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join("")}</tr>`
  )
    .join("");
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}
