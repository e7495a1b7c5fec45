/**
 * Record Dinero IV's miss counts and 3C split on the course's recorded traces, as the
 * fixture `tests/cache/fixtures/dinero_3c.json` that `tests/cache/dinero_test.ts` checks
 * the cache simulator against. Dinero IV (Edler and Hill's C cache simulator, release 7)
 * is not shipped with the course; build it yourself and point `DINERO` at the binary:
 *
 * ```sh
 * DINERO=/path/to/dineroIV deno run -A --frozen tools/record_dinero.ts
 * ```
 *
 * Each trace is written in Dinero's din format (`formatDin`, instruction fetches
 * included, a modify as a read then a write) and fed to one unified level (`-l1-u...`).
 *
 * @module
 */
import { formatDin, readTraceFile } from "../lib/mod.ts";

/** One recorded case: the cache, the command line and what Dinero IV counted. */
export interface DineroCase {
  trace: string;
  sizeBytes: number;
  ways: number;
  lineBytes: number;
  policy: "lru" | "fifo";
  writePolicy: "write-back" | "write-through";
  writeAllocate: boolean;
  args: string;
  misses: number;
  compulsory: number;
  capacity: number;
  conflict: number;
}

/** Misses and their 3C split as one Dinero IV report gives them (its first, "Total", column). */
export interface DineroSplit {
  misses: number;
  compulsory: number;
  capacity: number;
  conflict: number;
}

/**
 * Read the demand misses and their 3C split from a Dinero IV report (run with `-l1-?ccc`).
 *
 * @param report What dineroIV printed.
 * @returns The four counts.
 * @throws {Error} When a line is missing, quoting the report.
 */
export function dineroSplit(report: string): DineroSplit {
  const count = (label: string): number => {
    const m = new RegExp(`^ *${label}\\s+(-?\\d+)`, "m").exec(report);
    if (!m) throw new Error(`Cannot read Dinero IV's report: no "${label}" line:\n${report}`);
    return Number(m[1]);
  };
  return {
    misses: count("Demand Misses"),
    compulsory: count("Compulsory misses"),
    capacity: count("Capacity misses"),
    conflict: count("Conflict misses"),
  };
}

export const TRACES = ["sum", "transpose_naive", "transpose_blocked", "list_walk"];

const CACHES: [number, number, number, "lru" | "fifo", boolean, boolean][] = [
  // size, ways, line, policy, write-back, write-allocate
  [1024, 1, 32, "lru", true, true],
  [2048, 1, 16, "lru", true, true],
  [4096, 2, 32, "lru", true, true],
  [8192, 4, 64, "lru", true, true],
  [16384, 16, 64, "lru", true, true],
  [32768, 8, 64, "lru", true, true],
  [4096, 2, 32, "lru", false, false],
  [8192, 4, 64, "lru", true, false],
  [4096, 2, 32, "fifo", true, true],
  [8192, 4, 64, "fifo", true, true],
];

if (import.meta.main) {
  const dinero = Deno.env.get("DINERO");
  if (!dinero) {
    console.error("Cannot record: set DINERO to the path of a dineroIV binary");
    Deno.exit(2);
  }
  const root = new URL("../", import.meta.url);
  const cases: DineroCase[] = [];
  for (const name of TRACES) {
    const din = new TextEncoder().encode(
      formatDin(await readTraceFile(new URL(`data/traces/${name}.trace.gz`, root).pathname)),
    );
    for (const [size, ways, line, policy, wb, wa] of CACHES) {
      const args = [
        `-l1-usize ${size} -l1-ubsize ${line} -l1-uassoc ${ways}`,
        `-l1-urepl ${policy === "lru" ? "l" : "f"} -l1-uwback ${wb ? "a" : "n"}`,
        `-l1-uwalloc ${wa ? "a" : "n"} -l1-uccc -informat d`,
      ].join(" ");
      const child = new Deno.Command(dinero, {
        args: args.split(" "),
        stdin: "piped",
        stdout: "piped",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(din);
      await writer.close();
      const out = await child.output();
      const text = new TextDecoder().decode(out.stdout);
      if (!out.success) throw new Error(`dineroIV ${args} failed:\n${text}`);
      cases.push({
        trace: `data/traces/${name}.trace.gz`,
        sizeBytes: size,
        ways,
        lineBytes: line,
        policy,
        writePolicy: wb ? "write-back" : "write-through",
        writeAllocate: wa,
        args,
        ...dineroSplit(text),
      });
    }
  }
  const path = new URL("tests/cache/fixtures/dinero_3c.json", root);
  await Deno.mkdir(new URL(".", path), { recursive: true });
  await Deno.writeTextFile(
    path,
    JSON.stringify(
      {
        recorded: "Dinero IV release 7 (d4-7), by tools/record_dinero.ts",
        date: new Date().toISOString().slice(0, 10),
        cases,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`${cases.length} cases written to ${path.pathname}`);
}
