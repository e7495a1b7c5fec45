// Rich views of call stacks for notebooks. Private.
import { escapeHtml } from "../_html.ts";

interface SlotView {
  kind: string;
  name: string;
  address: number;
  sizeBytes: number;
  hex: string;
}
interface FrameView {
  name: string;
  slots: SlotView[];
}

const COLORS: Record<string, string> = {
  "arg": "#9ecae9",
  "return-address": "#e45756",
  "saved-fp": "#f58518",
  "canary": "#54a24b",
  "local": "#eeeeee",
};

/** One line per slot, highest address first, frames most recent last. */
export function stackText(frames: readonly FrameView[]): string {
  if (frames.length === 0) return "empty stack";
  const lines: string[] = [];
  for (const f of [...frames].reverse()) {
    lines.push(`-- ${f.name} --`);
    for (const s of f.slots) {
      lines.push(`0x${s.address.toString(16)}  ${s.name.padEnd(22)} ${s.sizeBytes} B  ${s.hex}`);
    }
  }
  return lines.join("\n");
}

/** A table of slots coloured by kind, highest address first. */
export function stackHtml(frames: readonly FrameView[]): string {
  if (frames.length === 0) return "<p>empty stack</p>";
  const rows = [...frames].reverse().flatMap((f) => [
    `<tr><th colspan="4" style="text-align:left">${escapeHtml(f.name)}</th></tr>`,
    ...f.slots.map((s) =>
      `<tr style="background:${COLORS[s.kind] ?? "#fff"}"><td><code>0x${
        s.address.toString(16)
      }</code></td><td>${escapeHtml(s.name)}</td><td>${s.sizeBytes}</td><td><code>${
        escapeHtml(s.hex)
      }</code></td></tr>`
    ),
  ]);
  return `<table><thead><tr><th>address</th><th>slot</th><th>bytes</th><th>contents</th></tr></thead><tbody>${
    rows.join("")
  }</tbody></table>`;
}
