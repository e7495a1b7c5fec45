import { htmlTable, withDisplay } from "./_display.ts";
import type { Translation } from "./address.ts";

const hex = (n: number) => "0x" + n.toString(16);

/** Build a translation result with its rich display. */
export function makeTranslation(t: Translation): Translation {
  return withDisplay(t, (r) => {
    const text = r.ok
      ? `VA ${hex(r.virtualAddress)} -> PA ${
        hex(r.physicalAddress!)
      } (VPN ${r.vpn}, PFN ${r.pfn}, offset ${hex(r.offset)})`
      : `VA ${hex(r.virtualAddress)} -> segfault (${
        r.reason === "out-of-bounds" ? "out of bounds" : `entry at level ${r.faultLevel} not valid`
      })`;
    const rows = r.steps.map((s) => [
      s.level,
      s.name,
      s.index,
      hex(s.entryAddress),
      hex(s.entryValue),
      s.valid ? "valid" : "NOT VALID",
    ]);
    const table = rows.length
      ? htmlTable(["level", "table", "index", "entry address", "entry", "valid"], rows)
      : "";
    return { html: `<p>${text}</p>${table}`, text };
  });
}
