/**
 * Private helper: attach a `[Symbol.for("Jupyter.display")]` view (an HTML
 * table plus plain text) to a plain-data probe result without making it part
 * of the JSON.
 *
 * @module
 */
import { escapeHtml, htmlTable, textTable } from "./_format.ts";

/** Attach a two-column (label, value) display to `result`, plus optional extra HTML. */
export function attachKeyValueDisplay<T extends object>(
  result: T,
  title: string,
  rows: () => [string, string][],
  extra?: () => { html: string; text: string },
): T {
  Object.defineProperty(result, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => {
      const r = rows();
      const more = extra?.();
      return {
        "text/html": `<div><b>${escapeHtml(title)}</b>${
          htmlTable(["", ""], r.map(([k, v]) => [escapeHtml(k), escapeHtml(v)]))
        }${more?.html ?? ""}</div>`,
        "text/plain": `${title}\n${textTable(["", ""], r)}${more ? "\n" + more.text : ""}`,
      };
    },
  });
  return result;
}
