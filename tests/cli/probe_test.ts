import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { checkSvgPath, parseProbeArgs, probeCli } from "memgarden/cli/probe.ts";

async function capture(fn: () => Promise<number>) {
  const out: string[] = [], err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    return { code: await fn(), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("probe machine --json prints the machine's facts as JSON", async () => {
  const r = await capture(() => probeCli(["machine", "--json"]));
  assert.equal(r.code, 0);
  const facts = JSON.parse(r.out);
  assert.equal(facts.environment.deno, Deno.version.deno);
  assert.ok(Array.isArray(facts.caches));
});

Deno.test("probe machine starts with the one-line summary of facts and sources", async () => {
  const r = await capture(() => probeCli(["machine"]));
  assert.equal(r.code, 0, r.err);
  const first = r.out.split("\n")[0];
  assert.match(first, /^machine: .*, \d+ CPUs, .*page .*, RAM .*, swap /);
});

Deno.test("probe latency --json measures a bounded sweep and finds levels", async () => {
  const r = await capture(() =>
    probeCli(["latency", "--budget", "300", "--max-bytes", "1048576", "--json"])
  );
  assert.equal(r.code, 0, r.err);
  const curve = JSON.parse(r.out);
  assert.equal(curve.sizesBytes.at(-1), 1048576);
  assert.equal(curve.sizesBytes.length, curve.nsPerAccess.length);
  assert.ok(curve.levels.plateaus.length >= 1);
});

Deno.test("probe usage errors name the flag and the value", async () => {
  let r = await capture(() => probeCli(["latency", "--budget", "-5"]));
  assert.equal(r.code, 2);
  assert.match(r.err, /--budget must be a whole number of ms from 1 to 600000: received "-5"/);
  r = await capture(() => probeCli(["swap"]));
  assert.equal(r.code, 2);
  assert.match(r.err, /Unknown probe: expected machine, latency or patterns: received "swap"/);
  r = await capture(() => probeCli(["machine", "--colour"]));
  assert.match(r.err, /Unknown flag: expected one of --json: received "--colour"/);
});

Deno.test("probe: each bad flag of issue 8 is one line naming flag, rule and value, exit 2, nothing measured", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "memgarden-probe-cli-" });
  try {
    const cases: [string[], RegExp][] = [
      [
        ["latency", "--budget", "700000"],
        /^probe: --budget must be a whole number of ms from 1 to 600000: received "700000"/,
      ],
      [
        ["latency", "--max-bytes", "1"],
        /^probe: --max-bytes must be a whole number of bytes from 4096 to 536870912: received "1"/,
      ],
      [["latency", "--max-bytes", "1e11"], /^probe: --max-bytes must be .*: received "1e11"/],
      [
        ["latency", "--max-bytes", "100000000000"],
        /^probe: --max-bytes must be .*: received "100000000000"/,
      ],
      [
        ["latency", "--svg", dir],
        /^probe: --svg must name a file, not a folder: received ".*memgarden-probe-cli-/,
      ],
      [
        ["latency", "--svg", `${dir}/missing/curve.svg`],
        /^probe: --svg must name a file in an existing folder: the folder ".*\/missing" does not exist/,
      ],
      [
        ["machine", "--svg", `${dir}/m.svg`],
        /^probe: --svg does not apply to the machine probe: it takes --json/,
      ],
      [["machine", "--budget", "100"], /^probe: --budget does not apply to the machine probe/],
      [
        ["patterns", "--max-bytes", "4096"],
        /^probe: --max-bytes does not apply to the patterns probe: it takes --budget, --json/,
      ],
      [["patterns", "--svg", `${dir}/p.svg`], /^probe: --svg does not apply to the patterns probe/],
      [["latency", "--budget"], /^probe: --budget needs a value: received nothing/],
      [["latency", "--svg", "--json"], /^probe: --svg needs a value: received "--json"/],
      [[], /^probe: Missing probe/],
    ];
    for (const [args, expected] of cases) {
      const r = await capture(() => probeCli(args));
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, expected, args.join(" "));
      assert.equal(r.err.split("\n").length, 1, `one line for ${args.join(" ")}: ${r.err}`);
      assert.equal(r.out, "", "nothing measured or printed");
    }
    assert.deepEqual([...Deno.readDirSync(dir)], [], "no file written");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("probe latency --svg writes the chart with the cache sizes that are known", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "memgarden-probe-cli-" });
  try {
    const file = `${dir}/curve.svg`;
    const r = await capture(() =>
      probeCli(["latency", "--budget", "200", "--max-bytes", "65536", "--json", "--svg", file])
    );
    assert.equal(r.code, 0, r.err);
    const svg = Deno.readTextFileSync(file);
    assert.match(svg, /Time per load/);
    const curve = JSON.parse(r.out);
    for (const c of curve.caches.filter((c: { type: string }) => c.type !== "Instruction")) {
      assert.ok(svg.includes(`(${c.source})`), `marker for L${c.level} names its source`);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("probe flag parser: random command lines parse or give a usage error, never throw (fuzz)", () => {
  const token = fc.oneof(
    fc.constantFrom(
      "machine",
      "latency",
      "patterns",
      "--budget",
      "--max-bytes",
      "--json",
      "--svg",
      "--help",
      "-h",
      "1",
      "0",
      "-1",
      "700000",
      "4096",
      "1e11",
      "NaN",
      "Infinity",
      "0x10",
      "",
      " ",
      "--",
      "/",
      "a.svg",
    ),
    fc.string({ maxLength: 12 }),
    fc.string({ maxLength: 12, unit: "binary-ascii" }),
    fc.integer().map(String),
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
      const r = parseProbeArgs(argv);
      if (r.kind === "error") {
        assert.ok(r.message.length > 0 && !r.message.includes("\n"), r.message);
        return;
      }
      if (r.kind === "help") return;
      assert.ok(["machine", "latency", "patterns"].includes(r.what));
      if (r.flags.budgetMs !== undefined) {
        assert.ok(
          Number.isInteger(r.flags.budgetMs) && r.flags.budgetMs >= 1 &&
            r.flags.budgetMs <= 600_000,
        );
        assert.notEqual(r.what, "machine");
      }
      if (r.flags.maxBytes !== undefined) {
        assert.equal(r.what, "latency");
        assert.ok(r.flags.maxBytes >= 4096 && r.flags.maxBytes <= 512 * 1024 * 1024);
      }
      if (r.flags.svg !== undefined) assert.equal(r.what, "latency");
    }),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 30, unit: "binary-ascii" }), (path) => {
      const problem = checkSvgPath(path);
      assert.ok(problem === null || (problem.startsWith("--svg ") && !problem.includes("\n")));
    }),
    { numRuns: 200 },
  );
  // Found by this fuzz test: the system's message for a NUL byte quotes the path, newline and all.
  const nul = checkSvgPath("a\0\nb.svg");
  assert.ok(nul !== null && !nul.includes("\n"), String(nul));
});
