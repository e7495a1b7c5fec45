// Shared by the tests of the OSTEP-compatible models (paging, translate, tables):
// the recorded upstream runs, a byte-for-byte check against them, a command-line
// fuzz test, and running a command the way `deno task sim` does.
import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { main } from "memgarden/cli/main.ts";
import { isUsageError } from "memgarden/cli/_ostep.ts";

/** One recorded run of an upstream script. */
export interface OstepRun {
  args: string[];
  stdout: string;
}

/** The folder holding the recorded runs and the `-f` inputs they use. */
export const OSTEP_FIXTURES = new URL("./fixtures/ostep/", import.meta.url);

/** Load `fixtures/ostep/NAME.json` (see its README for the upstream commit). */
export function loadOstepRuns(name: string): { script: string; commit: string; runs: OstepRun[] } {
  return JSON.parse(Deno.readTextFileSync(new URL(name, OSTEP_FIXTURES)));
}

/** Run every recorded case through `cli` and require byte-identical output. */
export function assertMatchesUpstream(
  name: string,
  cli: (args: string[]) => { stdout: string; status: number },
  minRuns: number,
): void {
  const { runs, commit } = loadOstepRuns(name);
  assert.ok(
    runs.length >= minRuns,
    `${name}: expected at least ${minRuns} runs, found ${runs.length}`,
  );
  for (const run of runs) {
    const got = cli(run.args);
    assert.equal(got.status, 0, `status for ${run.args.join(" ")}`);
    assert.equal(got.stdout, run.stdout, `output of ${run.args.join(" ")} (upstream ${commit})`);
  }
}

/** Values a user might type after a flag, good and bad. */
const VALUES = [
  "0",
  "1",
  "2",
  "3",
  "7",
  "10",
  "64",
  "100",
  "1000",
  "-1",
  "-5",
  "0x10",
  "010",
  "0b11",
  "08",
  "1e3",
  "",
  " ",
  "x",
  "16k",
  "64k",
  "4k",
  "1m",
  "1g",
  "3k",
  "2.5",
  "1000000000",
  "99999999999999999999",
  "1,2,3",
  "5,-1",
  ",",
  "--",
  "-",
  " 5 ",
  "1_0",
  "LRU",
  "mru",
  "OPT",
  "CLOCK",
  "RAND",
  "foo",
  "refs.txt",
  "missing.txt",
];

/**
 * Fuzz a model's command line: random argv, built from its flags, the values
 * above and random strings, either runs or throws a usage error whose message
 * is one line starting "Invalid" or "Cannot"; never another exception, and
 * never a slow run (each run is timed; the bound is far above any legal run
 * of these small inputs, so it holds on a loaded machine).
 */
export function fuzzCommandLine(
  flags: readonly string[],
  cli: (args: string[]) => unknown,
  numRuns = 300,
): void {
  const token = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...flags, "-c", "--json", "-h") },
    { weight: 4, arbitrary: fc.constantFrom(...VALUES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 10 }), (argv) => {
      const start = performance.now();
      try {
        cli(argv);
      } catch (e) {
        if (!isUsageError(e)) throw e;
        assert.match(e.message, /^(Invalid|Cannot) [^\n]+$/, `argv ${JSON.stringify(argv)}`);
      }
      const ms = performance.now() - start;
      assert.ok(ms < 5000, `argv ${JSON.stringify(argv)} took ${ms.toFixed(0)} ms`);
    }),
    { numRuns, seed: 8 },
  );
}

/** Run `deno task sim MODEL ARGS` in this process; returns the exit status and what went to stderr. */
export async function runSim(args: string[]): Promise<{ status: number; stderr: string[] }> {
  const stderr: string[] = [];
  const error = console.error;
  console.error = (...parts: unknown[]) => stderr.push(parts.join(" "));
  try {
    return { status: await main(args), stderr };
  } finally {
    console.error = error;
  }
}
