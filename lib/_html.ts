// Private helpers for the rich Jupyter views every subsystem gives its results.
// Imports nothing, so simulators, probes and charts can all share it.

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/**
 * Attach a non-enumerable Jupyter display method to a result, so that
 * `JSON.stringify` and `deepEqual` ignore it.
 */
export function withDisplay<T extends object>(
  value: T,
  render: (v: T) => { html: string; text: string },
): T {
  Object.defineProperty(value, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value(this: T) {
      const { html, text } = render(this ?? value);
      return { "text/html": html, "text/plain": text };
    },
  });
  return value;
}
