/**
 * `deno task probe <what> [flags]`: the real measurements from a terminal,
 * with live progress on stderr, a text table on stdout (or `--json`), and
 * `--svg FILE` to save the chart.
 *
 *   deno task probe machine [--json]
 *   deno task probe latency [--budget MS] [--max-bytes N] [--json] [--svg FILE]
 *   deno task probe patterns [--budget MS] [--json]
 *
 * @module
 */
import {
  estimateLevels,
  latencyCurveChart,
  machineFacts,
  measureAccessPatterns,
  measureLatencyCurve,
  saveSvg,
} from "../mod.ts";

const USAGE = `Usage: deno task probe <machine|latency|patterns> [flags]
  --budget MS     time budget of the measurement (latency: 4000, patterns: 2000)
  --max-bytes N   largest working set of the latency sweep (default 67108864 = 64 MiB)
  --json          print one JSON document instead of a table
  --svg FILE      latency only: also save the chart as an SVG file`;

interface Flags {
  budgetMs?: number;
  maxBytes?: number;
  json: boolean;
  svg?: string;
}

function parseFlags(args: string[]): Flags | string {
  const flags: Flags = { json: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const positive = (name: string, v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) {
        throw new Error(`${name} must be a positive integer: received "${v}"`);
      }
      return n;
    };
    try {
      if (a === "--json") flags.json = true;
      else if (a === "--budget") flags.budgetMs = positive("--budget", value());
      else if (a === "--max-bytes") flags.maxBytes = positive("--max-bytes", value());
      else if (a === "--svg") flags.svg = value();
      else return `Unknown flag: ${a}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
  return flags;
}

function textOf(result: object): string {
  const display = (result as Record<symbol, unknown>)[Symbol.for("Jupyter.display")];
  if (typeof display === "function") {
    const bundle = display.call(result) as Record<string, string>;
    if (bundle["text/plain"]) return bundle["text/plain"];
  }
  return JSON.stringify(result, null, 2);
}

/**
 * Run a probe from the command line.
 *
 * @param args The arguments after `probe`.
 * @returns The exit status: 0 on success, 2 on a usage error.
 */
export async function probeCli(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what === undefined || what === "--help" || what === "-h") {
    console.log(USAGE);
    return what === undefined ? 2 : 0;
  }
  const flags = parseFlags(rest);
  if (typeof flags === "string") {
    console.error(`${flags}\n${USAGE}`);
    return 2;
  }
  const print = (result: object) =>
    console.log(flags.json ? JSON.stringify(result, null, 2) : textOf(result));
  if (what === "machine") {
    print(machineFacts());
  } else if (what === "latency") {
    const curve = await measureLatencyCurve({
      progress: !flags.json,
      ...(flags.budgetMs ? { budgetMs: flags.budgetMs } : {}),
      ...(flags.maxBytes ? { maxBytes: flags.maxBytes } : {}),
    });
    print(flags.json ? { ...curve, levels: estimateLevels(curve) } : curve);
    if (flags.svg) {
      const markers = curve.caches.filter((c) => c.type !== "Instruction" && c.sizeBytes)
        .map((c) => ({ label: `L${c.level}`, sizeBytes: c.sizeBytes! }));
      await saveSvg(latencyCurveChart(curve, { markers }), flags.svg);
      console.error(`wrote ${flags.svg}`);
    }
  } else if (what === "patterns") {
    print(
      await measureAccessPatterns({
        progress: !flags.json,
        ...(flags.budgetMs ? { budgetMs: flags.budgetMs } : {}),
      }),
    );
  } else {
    console.error(
      `Unknown probe: expected machine, latency or patterns: received "${what}"\n${USAGE}`,
    );
    return 2;
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await probeCli(Deno.args));
}
