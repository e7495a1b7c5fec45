import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { mallocCli } from "memgarden/cli/malloc.ts";

interface Case {
  args: string[];
  stdout: string;
  status: number;
  error: string;
}
const cases: Case[] = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/ostep-malloc/cases.json", import.meta.url)),
);

Deno.test("sim malloc prints what OSTEP's malloc.py prints, byte for byte, on 131 recorded runs", () => {
  assert.ok(cases.length >= 100);
  for (const c of cases) {
    const out = mallocCli(c.args);
    assert.equal(out.stdout, c.stdout, `stdout of malloc.py ${c.args.join(" ")}`);
    assert.equal(out.status, c.status, `status of malloc.py ${c.args.join(" ")}`);
    if (c.status !== 0) {
      assert.ok(
        out.stderr.startsWith(c.error.split(":")[0]),
        `${c.args.join(" ")}: expected ${c.error}, got ${out.stderr}`,
      );
    }
  }
});

Deno.test("sim malloc --json gives the same answers as plain data", () => {
  const out = mallocCli(["-A", "+3,+5,-0", "-c", "--json"]);
  const doc = JSON.parse(out.stdout);
  assert.equal(doc.model, "malloc");
  assert.equal(doc.settings.opsList, "+3,+5,-0");
  assert.deepEqual(doc.events[2].freeList, [{ addr: 1000, size: 3 }, { addr: 1008, size: 92 }]);
  assert.equal(doc.crash, null);
});

Deno.test("sim malloc: bad flags are usage errors naming the flag", () => {
  assert.throws(() => mallocCli(["-S", "ten"]), /-S \(size\): must be an integer: received "ten"/);
  assert.throws(() => mallocCli(["-q"]), /unknown option: received "-q"/);
  assert.throws(() => mallocCli(["-n", "2000000000"]), /-n \(numOps\): must be between/);
  assert.throws(() => mallocCli(["-s"]), /-s requires a value/);
});

Deno.test("sim malloc reads integers as optparse does", () => {
  const settings = (args: string[]) => JSON.parse(mallocCli([...args, "--json"]).stdout).settings;
  assert.equal(settings(["-S", "0b101"]).heapSize, 5);
  assert.equal(settings(["-S", "0X1f"]).heapSize, 31);
  assert.equal(settings(["-b", "010"]).baseAddr, 8); // a leading 0 is octal
  assert.throws(() => mallocCli(["-S", "08"]), TypeError);
  fc.assert(
    fc.property(fc.integer({ min: -1e9, max: 1e9 }), (n) => {
      assert.equal(settings(["-s", String(n), "-n", "0"]).seed, n);
    }),
    { numRuns: 50 },
  );
});

Deno.test("the flag parser never crashes on arbitrary arguments: a clear error or a run", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.constantFrom("-s", "-S", "-n", "-A", "-p", "-c", "-C", "-P", "-r"),
          fc.string({ maxLength: 6 }),
        ),
        { maxLength: 6 },
      ),
      (args) => {
        try {
          const out = mallocCli(args);
          assert.ok(out.status === 0 || out.status === 1);
        } catch (e) {
          assert.ok(e instanceof TypeError || e instanceof RangeError, String(e));
          assert.match((e as Error).message, /^(Invalid|Cannot)/);
        }
      },
    ),
    { numRuns: 300 },
  );
});
