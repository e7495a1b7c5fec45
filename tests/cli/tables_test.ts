import assert from "node:assert/strict";
import { MAX_TABLES_ADDRESSES, tablesCli } from "memgarden/cli/tables.ts";
import {
  assertMatchesUpstream,
  fuzzCommandLine,
  loadOstepRuns,
  runSim,
} from "./_ostep_fixtures.ts";

Deno.test("tables prints byte for byte what the current paging-multilevel-translate.py prints (26 recorded runs)", () => {
  // Recorded from upstream commit 6996ef0 "added 0x where relevant": answers print 0x before
  // the virtual address and the value; the questions without -c still do not.
  assertMatchesUpstream("paging-multilevel-translate.json", tablesCli, 25);
  const solved = tablesCli(["-s", "0", "-c"]).stdout;
  assert.ok(solved.includes("Virtual Address 0x611c:\n"));
  assert.ok(solved.includes("--> Translates to Physical Address 0x6bc --> Value: 0x08\n"));
  const asked = tablesCli(["-s", "0"]).stdout;
  assert.ok(asked.includes("Virtual Address 611c: Translates To What Physical Address"));
});

Deno.test("tables rejects bad parameters naming the flag, the rule and the value", () => {
  assert.throws(
    () => tablesCli(["-a", "-1"]),
    /Invalid -a \(allocated\): must be between 0 and 1024: received -1/,
  );
  // The Python original dies on an assertion here: 100 pages and their tables do not fit.
  assert.throws(
    () => tablesCli(["-s", "1", "-a", "100"]),
    /Invalid -a \(allocated\): the pages and their page tables must fit in 128 physical pages: received 100/,
  );
  assert.throws(
    () => tablesCli(["-n", "ten"]),
    /Invalid -n \(addresses\): must be an integer: received "ten"/,
  );
  assert.throws(() => tablesCli(["-x"]), /unknown option: received "-x"/);
  assert.throws(
    () => tablesCli(["-n", "1000000000"]),
    (e: Error) =>
      e.message ===
        "Invalid -n (addresses): must be between 0 and 10000 (this simulator's limit on addresses): received 1000000000",
  );
  assert.throws(
    () => tablesCli(["-n", "-1"]),
    /Invalid -n \(addresses\): must be between 0 and 10000/,
  );
  assert.throws(() => tablesCli(["--so=1"]), /--solve takes no value: received "1"/);
});

Deno.test("tables runs the largest allowed problem (-n 10000 -c)", () => {
  const out = tablesCli(["-n", String(MAX_TABLES_ADDRESSES), "-c"]).stdout;
  assert.equal(out.match(/^Virtual Address 0x/gm)!.length, MAX_TABLES_ADDRESSES);
});

Deno.test("sim tables exits 2 with one line on stderr for a huge -n", async () => {
  const r = await runSim(["tables", "-n", "1000000000"]);
  assert.equal(r.status, 2);
  assert.deepEqual(r.stderr, [
    "Invalid -n (addresses): must be between 0 and 10000 (this simulator's limit on addresses): received 1000000000",
  ]);
});

Deno.test("tables command line: random argv runs or is a one-line usage error (fast-check)", () => {
  fuzzCommandLine(
    ["-s", "-a", "-n", "--seed", "--allocated=", "--addresses", "--solve"],
    tablesCli,
  );
});

Deno.test("tables --json holds the memory, the PDBR and, with -c, the walks", () => {
  const doc = JSON.parse(tablesCli(["-s", "0", "-c", "--json"]).stdout);
  assert.equal(doc.pdbr, 108);
  assert.equal(doc.memory.length, 4096);
  assert.equal(doc.virtualAddresses[0], 0x611c);
  assert.deepEqual(doc.translations[0].steps.map((s: { entryValue: number }) => s.entryValue), [
    0xa1,
    0xb5,
  ]);
  assert.equal(doc.translations[0].physicalAddress, 0x6bc);
  assert.equal(JSON.parse(tablesCli(["-s", "0", "--json"]).stdout).translations, undefined);
});

Deno.test("deno task sim tables, as a process: upstream's bytes on stdout, or one line on stderr and exit 2", async () => {
  const main = new URL("../../lib/cli/main.ts", import.meta.url).pathname;
  const sim = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--frozen", "--no-check", main, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  };
  const recorded = loadOstepRuns("paging-multilevel-translate.json").runs
    .find((r) => r.args.join(" ") === "-s 0 -c")!;
  const ok = await sim("tables", "-s", "0", "-c");
  assert.equal(ok.code, 0);
  assert.equal(ok.stdout, recorded.stdout);
  const bad = await sim("tables", "-n", "1000000000");
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
  assert.equal(
    bad.stderr,
    "Invalid -n (addresses): must be between 0 and 10000 (this simulator's limit on addresses): received 1000000000\n",
  );
});
