import assert from "node:assert/strict";
import fc from "fast-check";
import { formatMdriver, parseMdriverFlags, runMdriver } from "memgarden/cli/mdriver.ts";

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
    config: { list: "implicit", fit: "first", alignment: 16 },
    traces: ["a", "b"],
    json: true,
    help: false,
  });
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
          fc.constantFrom("--list", "--fit", "--align", "--json", "best", "8"),
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
