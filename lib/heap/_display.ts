// Rich views of heaps for notebooks. Private.
import { escapeHtml } from "../_html.ts";

/** The minimal block shape the views need. */
interface BlockView {
  address: number;
  sizeBytes: number;
  allocated: boolean;
  requestedBytes: number;
}

/** One line per block: address, size, state and requested bytes. */
export function heapText(blocks: readonly BlockView[]): string {
  if (blocks.length === 0) return "empty heap (no blocks yet)";
  return blocks.map((b) =>
    `${String(b.address).padStart(8)}  ${String(b.sizeBytes).padStart(7)} B  ${
      b.allocated ? `allocated (${b.requestedBytes} B asked)` : "free"
    }`
  ).join("\n");
}

/** A strip of blocks, widths proportional to size, plus a table. */
export function heapHtml(blocks: readonly BlockView[]): string {
  const total = blocks.reduce((s, b) => s + b.sizeBytes, 0) || 1;
  const strip = blocks.map((b) =>
    `<div title="${b.address}: ${b.sizeBytes} B ${
      b.allocated ? "allocated" : "free"
    }" style="flex:${
      b.sizeBytes / total
    } 0 0;min-width:2px;height:22px;border-right:1px solid #fff;background:${
      b.allocated ? "#4c78a8" : "#e0e0e0"
    }"></div>`
  ).join("");
  const rows = blocks.map((b) =>
    `<tr><td>${b.address}</td><td>${b.sizeBytes}</td><td>${
      b.allocated ? "allocated" : "free"
    }</td><td>${b.allocated ? b.requestedBytes : ""}</td></tr>`
  ).join("");
  return `<div style="display:flex;width:100%;max-width:720px">${strip}</div>` +
    `<table><thead><tr><th>address</th><th>block (B)</th><th>state</th><th>asked (B)</th></tr></thead><tbody>${
      escapeHtml("") + rows
    }</tbody></table>`;
}
