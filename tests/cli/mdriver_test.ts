import assert from "node:assert/strict";
import fc from "../_fc.ts";
import {
  formatMdriver,
  MDRIVER_LAB_DEFAULTS,
  MDRIVER_TEXTBOOK,
  parseMdriverFlags,
  runMdriver,
} from "memgarden/cli/mdriver.ts";

const DATA = new URL("../../data/malloc-traces/", import.meta.url);
const SHAPES = ["binary", "coalescing", "compiler", "random", "realloc"];

Deno.test("sim mdriver: every shipped trace is valid under every list and fit", () => {
  const traces = SHAPES.map((s) => ({
    name: `${s}.rep`,
    text: Deno.readTextFileSync(new URL(`${s}.rep`, DATA)),
  }));
  for (const list of ["implicit", "explicit", "segregated"] as const) {
    for (const fit of ["first", "best"] as const) {
      let clock = 0;
      const rows = runMdriver(traces, { list, fit }, () => (clock += 1)); // a fake clock: 1 ms per call
      for (const r of rows) {
        assert.equal(r.valid, true, `${r.trace} ${list} ${fit}`);
        assert.ok(r.util > 0.3 && r.util <= 1);
        assert.equal(r.secs, 0.001);
        assert.equal(r.kops, r.ops / 0.001 / 1000);
      }
      const text = formatMdriver(rows, { list, fit });
      assert.match(text, new RegExp(`list ${list}, fit ${fit}`));
      assert.match(text, /Total \(mean util\)\s+yes/);
    }
  }
});

Deno.test("sim mdriver: flags are checked and named", () => {
  assert.deepEqual(parseMdriverFlags(["--json", "--align", "16", "a", "b"]), {
    config: { list: "implicit", fit: "first", alignment: 16, ...MDRIVER_LAB_DEFAULTS },
    traces: ["a", "b"],
    json: true,
    help: false,
  });
  assert.deepEqual(parseMdriverFlags(["--textbook", "a"]).config, {
    list: "implicit",
    fit: "first",
    alignment: 8,
    ...MDRIVER_TEXTBOOK,
  });
  // a flag after --textbook turns one technique back on
  assert.deepEqual(
    parseMdriverFlags([
      "--textbook",
      "--footers",
      "free",
      "--place-high=64",
      "--grow",
      "0.125",
      "--realloc-backward",
      "yes",
    ]).config,
    {
      list: "implicit",
      fit: "first",
      alignment: 8,
      footers: "free",
      placeHighBelowBytes: 64,
      growFraction: 0.125,
      reallocBackward: true,
    },
  );
  assert.throws(
    () => parseMdriverFlags(["--footers", "some"]),
    /--footers must be one of all, free: received "some"/,
  );
  assert.throws(
    () => parseMdriverFlags(["--grow", "2"]),
    /--grow must be a number from 0 to 1: received "2"/,
  );
  // JavaScript's Number() reads these as 1, 0.5 and 0: they are not numbers a user means.
  for (const bad of ["0x1", " 0.5", "0b0", ""]) {
    assert.throws(
      () => parseMdriverFlags(["--grow", bad]),
      /--grow must be a number from 0 to 1/,
      bad,
    );
  }
  assert.equal(parseMdriverFlags(["--grow", "1e-1"]).config.growFraction, 0.1);
  assert.equal(parseMdriverFlags(["--grow", ".25"]).config.growFraction, 0.25);
  assert.throws(
    () => parseMdriverFlags(["--place-high", "-8"]),
    /--place-high must be an integer from 0 to 2\^30: received "-8"/,
  );
  assert.throws(
    () => parseMdriverFlags(["--realloc-backward", "maybe"]),
    /--realloc-backward must be one of yes, no: received "maybe"/,
  );
  assert.throws(() => parseMdriverFlags(["--list"]), /--list requires a value/);
  assert.throws(
    () => parseMdriverFlags(["--list", "tree"]),
    /--list must be one of implicit, explicit, segregated: received "tree"/,
  );
  assert.throws(() => parseMdriverFlags(["-v"]), /unknown option: received "-v"/);
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.constantFrom(
            "--list",
            "--fit",
            "--align",
            "--json",
            "--grow",
            "--place-high",
            "--footers",
            "--textbook",
            "best",
            "8",
            "0.5",
          ),
          fc.string({ maxLength: 5 }),
        ),
        { maxLength: 5 },
      ),
      (args) => {
        try {
          parseMdriverFlags(args);
        } catch (e) {
          assert.ok(e instanceof TypeError || e instanceof RangeError);
          assert.match((e as Error).message, /^(Cannot|Invalid)/);
        }
      },
    ),
  );
});

Deno.test("sim mdriver: the columns line up however long the trace names are", () => {
  const row = { valid: true, util: 0.5, ops: 10, secs: 0.001, kops: 10 };
  for (const name of ["a.rep", "data/malloc-traces/a-rather-long-trace-name.rep"]) {
    const text = formatMdriver([{ trace: name, ...row }, { trace: "b.rep", ...row }], {});
    const lines = text.trimEnd().split("\n").slice(1); // the column names, the rows, the total
    assert.equal(lines.length, 4);
    const header = lines[0];
    // every column ends where its name ends in the header line
    const ends = ["valid", "util", "ops", "secs", "Kops"].map((c) =>
      header.indexOf(` ${c}`) + 1 + c.length
    );
    for (const line of lines.slice(1)) {
      assert.equal(line.length, header.length, line);
      for (const end of ends) assert.notEqual(line[end - 1], " ", `${line} at ${end}`);
      for (const end of ends.slice(0, -1)) assert.equal(line[end], " ", `${line} at ${end}`);
    }
    assert.ok(lines[1].startsWith(`${name} `));
  }
});

Deno.test("sim mdriver: the Malloc Lab techniques reach a mean utilization of 0.80", () => {
  const traces = SHAPES.map((s) => ({
    name: `${s}.rep`,
    text: Deno.readTextFileSync(new URL(`${s}.rep`, DATA)),
  }));
  const mean = (config: Parameters<typeof runMdriver>[1]) => {
    let clock = 0;
    const rows = runMdriver(traces, config, () => (clock += 100)); // three timed runs each
    assert.ok(rows.every((r) => r.valid));
    return rows.reduce((s, r) => s + r.util, 0) / rows.length;
  };
  for (const fit of ["first", "best"] as const) {
    const lab = mean({ list: "segregated", fit, ...MDRIVER_LAB_DEFAULTS });
    const textbook = mean({ list: "segregated", fit, ...MDRIVER_TEXTBOOK });
    assert.ok(lab >= 0.8, `${fit}: ${lab}`);
    assert.ok(textbook < 0.8 && textbook < lab, `${fit}: ${textbook}`);
  }
});

Deno.test("sim mdriver: a slow trace is timed once, a quick one at least three times", () => {
  const trace = [{ name: "t.rep", text: "0\n1\n2\n1\na 0 24\nf 0\n" }];
  const timedRuns = (msPerRun: number) => {
    let clock = 0, reads = 0;
    const [row] = runMdriver(trace, {}, () => (reads++ % 2 === 0 ? clock : (clock += msPerRun)));
    assert.equal(row.secs, msPerRun / 1000);
    return reads / 2;
  };
  // A trace of a million operations on an implicit list took minutes a run: four runs were too many.
  assert.equal(timedRuns(5000), 1);
  assert.equal(timedRuns(600), 2);
  assert.equal(timedRuns(100), 3);
  assert.equal(timedRuns(1), 50);
});

Deno.test("sim mdriver: a malformed trace names its line; a bad one is reported invalid", () => {
  assert.throws(
    () => runMdriver([{ name: "bad.rep", text: "0\n1\n1\n1\nq 0 1\n" }], {}),
    /bad.rep line 5/,
  );
  const [row] = runMdriver([{ name: "big.rep", text: "0\n1\n1\n1\na 0 100000000\n" }], {}, () => 0);
  assert.equal(row.valid, false);
  assert.equal(row.util, 0);
});

Deno.test("sim mdriver from the command line: table, JSON, exit statuses", async () => {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--frozen", "lib/cli/main.ts", "mdriver", ...args],
      cwd: new URL("../../", import.meta.url),
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  };
  const json = await run("--list", "segregated", "--json", "data/malloc-traces/coalescing.rep");
  assert.equal(json.code, 0, json.stderr);
  const [row] = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(row), ["trace", "valid", "util", "ops", "secs", "kops"]);
  const missing = await run("no-such.rep");
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Cannot read trace "no-such.rep": no such file/);
});
