import assert from "node:assert/strict";
import { probeCli } from "../../lib/cli/probe.ts";

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
  assert.match(r.err, /--budget must be a positive integer: received "-5"/);
  r = await capture(() => probeCli(["swap"]));
  assert.equal(r.code, 2);
  assert.match(r.err, /Unknown probe: expected machine, latency or patterns: received "swap"/);
  r = await capture(() => probeCli(["machine", "--colour"]));
  assert.match(r.err, /Unknown flag: --colour/);
});
