// HTML and text views of cache results. Private.
import type { CacheResult } from "./simulator.ts";

import { escapeHtml } from "../_html.ts";

export { escapeHtml };

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function cacheText(r: CacheResult): string {
  const lines = r.levels.map((l) =>
    `${l.name}: ${l.sizeBytes} B, ${l.sets} sets x ${l.ways} ways x ${l.lineBytes} B, ${l.policy}: ` +
    `hits:${l.hits} misses:${l.misses} evictions:${l.evictions} (miss rate ${pct(l.missRate)})` +
    (l.compulsory === null
      ? ""
      : `, compulsory ${l.compulsory}, capacity ${l.capacity}, conflict ${l.conflict}`) +
    `, dirty write-backs ${l.dirtyWritebacks}`
  );
  lines.push(`AMAT ${r.amatCycles.toFixed(3)} cycles over ${r.accesses} accesses`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}

export function cacheHtml(r: CacheResult): string {
  const head = [
    "level",
    "geometry",
    "policy",
    "accesses",
    "hits",
    "misses",
    "miss rate",
    "compulsory",
    "capacity",
    "conflict",
    "evictions",
    "dirty write-backs",
  ];
  const rows = r.levels.map((l) =>
    [
      escapeHtml(l.name),
      `${l.sizeBytes} B = ${l.sets} &times; ${l.ways} &times; ${l.lineBytes} B`,
      escapeHtml(`${l.policy}, ${l.writePolicy}${l.writeAllocate ? ", write-allocate" : ""}`),
      l.reads + l.writes,
      l.hits,
      l.misses,
      pct(l.missRate),
      l.compulsory ?? "&ndash;",
      l.capacity ?? "&ndash;",
      l.conflict ?? "&ndash;",
      l.evictions,
      l.dirtyWritebacks,
    ].map((c) => `<td>${c}</td>`).join("")
  );
  let html =
    `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${
      rows.map((r) => `<tr>${r}</tr>`).join("")
    }</tbody></table>` +
    `<p>AMAT <b>${r.amatCycles.toFixed(3)}</b> cycles over ${r.accesses} accesses` +
    ` (memory latency ${r.memoryLatencyCycles} cycles)</p>`;
  if (r.steps !== null) {
    const color = (o: string) => o === "hit" ? "#d8f5d0" : "#f8d7d3";
    html += `<table><thead><tr>${
      ["#", "level", "kind", "address", "tag", "set", "offset", "outcome", "evicted"]
        .map((h) => `<th>${h}</th>`).join("")
    }</tr></thead><tbody>${
      r.steps.map((s) =>
        `<tr style="background:${color(s.outcome)}"><td>${s.index}</td><td>${
          escapeHtml(s.level)
        }</td><td>${s.kind}</td><td>0x${s.address.toString(16)}</td><td>0x${
          s.tag.toString(16)
        }</td><td>${s.set}</td><td>${s.offset}</td><td>${s.outcome}</td><td>${
          s.evicted ? `tag 0x${s.evicted.tag.toString(16)}${s.evicted.dirty ? " (dirty)" : ""}` : ""
        }</td></tr>`
      ).join("")
    }</tbody></table>`;
    if (r.stepsTruncated) html += `<p>Step log truncated to ${r.steps.length} steps.</p>`;
  }
  for (const w of r.warnings) html += `<p>&#9888; ${escapeHtml(w)}</p>`;
  return html;
}
