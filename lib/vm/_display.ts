/** Attach a non-enumerable Jupyter display method (JSON.stringify and deepEqual ignore it). */
export function withDisplay<T extends object>(
  value: T,
  render: (v: T) => { html: string; text: string },
): T {
  Object.defineProperty(value, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value(this: T) {
      const { html, text } = render(this);
      return { "text/html": html, "text/plain": text };
    },
  });
  return value;
}

/** Escape text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An HTML table from a header row and rows of cells. */
export function htmlTable(head: string[], rows: (string | number)[][]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const trs = rows.map((r) =>
    `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join("")}</tr>`
  )
    .join("");
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}
