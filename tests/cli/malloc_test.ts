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

Deno.test("sim malloc: a run whose free lists would not fit in memory is refused before it starts", () => {
  // Each operation keeps a copy of the free list: -n 1000000 took 3.9 GB and 81 s, then failed
  // with "Invalid string length"; with a big heap V8 ran out of memory.
  const refused: [string[], RegExp][] = [
    [
      ["-n", "100000", "-c"],
      /^Invalid -n \(numOps\): .* must be at most 2000000: received 100000 × 100$/,
    ],
    [["-n", "5000", "-S", "100000000"], /received 5000 × 5000$/],
    [
      ["-A", Array(1500).fill("+1").join(","), "-S", "10000"],
      /^Invalid -A \(allocList\): .*received 1500 × 1500$/,
    ],
    [
      ["-n", "100001", "-S", "1"],
      /^Invalid -n \(numOps\): must be between .* and 100000: received 100001$/,
    ],
  ];
  for (const [args, message] of refused) {
    assert.throws(
      () => mallocCli(args),
      (e: Error) => e instanceof RangeError && message.test(e.message),
    );
  }
  // Runs at the limits stay well inside it: the default heap, and a heap as big as the run.
  const at = mallocCli(["-n", "1400", "-S", "1000000", "-r", "2", "-c"]);
  assert.equal(at.status, 0);
  assert.ok(at.stdout.length < 2_000_000, `${at.stdout.length} characters`);
  assert.equal(mallocCli(["-n", "2000", "-c"]).status, 0);
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
