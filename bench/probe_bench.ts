/**
 * Speed of the probes' own bookkeeping (not of the machine): reading the
 * machine facts, finding plateaus in a long curve, and parsing /proc text.
 * Run with `deno bench -A bench/probe_bench.ts`.
 */
import { estimateLevels, machineFacts, parseCpuinfo, parseMeminfo } from "memgarden";

const sizesBytes = Array.from({ length: 57 }, (_, k) => Math.round(4096 * 2 ** (k / 4)));
const nsPerAccess = sizesBytes.map((s) =>
  s <= 48 * 1024 ? 1.4 : s <= 1 << 20 ? 3.9 : s <= 8 << 20 ? 12 : 140
);
const cpuinfo = Array.from(
  { length: 64 },
  (_, i) => `processor\t: ${i}\nmodel name\t: AMD EPYC\nflags\t\t: fpu vme de pse tsc msr\n\n`,
).join("");
const meminfo = "MemTotal: 24684084 kB\nMemFree: 24301576 kB\nMemAvailable: 24318204 kB\n" +
  "SwapTotal: 0 kB\n";

Deno.bench({
  group: "probe",
  name: "machineFacts (reads /proc and /sys)",
  fn: () => {
    machineFacts();
  },
});
Deno.bench({
  group: "probe",
  name: "estimateLevels on 57 points",
  fn: () => {
    estimateLevels({ sizesBytes, nsPerAccess });
  },
});
Deno.bench({
  group: "probe",
  name: "parseCpuinfo, 64 processors",
  fn: () => {
    parseCpuinfo(cpuinfo);
  },
});
Deno.bench({
  group: "probe",
  name: "parseMeminfo",
  fn: () => {
    parseMeminfo(meminfo);
  },
});
