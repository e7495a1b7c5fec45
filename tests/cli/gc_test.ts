import assert from "node:assert/strict";
import fc from "../_fc.ts";
import { formatGcWorkload, GC_COLLECTOR_NAMES, generateGcWorkload } from "memgarden";
import { gcCli } from "memgarden/cli/gc.ts";
import { main } from "memgarden/cli/main.ts";

async function withWorkload<T>(text: string, fn: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".gcw" });
  try {
    await Deno.writeTextFile(path, text);
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

const CYCLE =
  "# a garbage cycle\nnew a 16 1\nnew b 16 1\nroot a\nset a 0 b\nset b 0 a\nunroot a\ngc\n";

Deno.test("sim gc --json: one record per gc op, op = the line, final live ids", async () => {
  await withWorkload(CYCLE, async (path) => {
    for (const collector of GC_COLLECTOR_NAMES) {
      const out = await gcCli(["-c", collector, "-w", path, "--json"]);
      assert.equal(out.status, 0, collector);
      const doc = JSON.parse(out.stdout.join("\n"));
      assert.equal(doc.collector, collector);
      assert.equal(doc.error, null);
      assert.equal(doc.collections.length, 1);
      const [c] = doc.collections;
      assert.equal(c.op, 8);
      assert.equal(c.kind, collector === "rc" ? "rc" : "full");
      const kept = collector === "rc" ? ["a", "b"] : [];
      assert.deepEqual(c.survivorIds, kept, collector);
      assert.deepEqual(doc.final.liveIds, kept, collector);
    }
  });
});

Deno.test("sim gc: a collection started by allocation is recorded at the new's line", async () => {
  const text =
    "new a 32 0\nroot a\nnew b 32 0   # fills the heap\n\nnew c 16 0   # no room: collect b\n";
  await withWorkload(text, async (path) => {
    const doc = JSON.parse((await gcCli(["-c", "mark-sweep", "-w", path, "--heap", "64", "--json"]))
      .stdout.join("\n"));
    assert.equal(doc.collections.length, 1);
    assert.equal(doc.collections[0].op, 5);
    assert.equal(doc.collections[0].trigger, "allocation");
    assert.deepEqual(doc.collections[0].freedIds, ["b"]);
    assert.deepEqual(doc.final.liveIds, ["a", "c"]);
  });
});

Deno.test("sim gc text mode prints the settings, a row per collection and a summary", async () => {
  await withWorkload(CYCLE, async (path) => {
    const out = await gcCli(["-c", "rc-cycles", "-w", path, "--heap=256"]);
    assert.equal(out.status, 0);
    assert.equal(out.stdout[0], "ARG collector rc-cycles");
    assert.equal(out.stdout[2], "ARG heap 256");
    assert.match(out.stdout.join("\n"), /line\s+kind\s+trigger\s+freed/);
    assert.match(out.stdout.join("\n"), /^\s+8\s+full\s+gc\s+2\s+0/m);
    assert.match(out.stdout.join("\n"), /ended: all 7 operations ran/);
  });
});

Deno.test("sim gc: naming a freed object exits 1 with the line, and sets error in JSON", async () => {
  await withWorkload(CYCLE + "root b\n", async (path) => {
    const out = await gcCli(["-c", "mark-compact", "-w", path, "--json"]);
    assert.equal(out.status, 1);
    const doc = JSON.parse(out.stdout.join("\n"));
    assert.match(doc.error, /line 9: Cannot root b: b was freed at line 8/);
    assert.match(out.stderr[0], /line 9/);
    const text = await gcCli(["-c", "rc", "-w", path]);
    assert.equal(text.status, 0); // rc never freed b
  });
});

Deno.test("sim gc: a malformed workload names the file and the line, exit 1", async () => {
  await withWorkload("new a 16 1\nset a 0\n", async (path) => {
    const out = await gcCli(["-c", "copying", "-w", path]);
    assert.equal(out.status, 1);
    assert.match(out.stderr[0], new RegExp(`${path}: Cannot parse workload: line 2: set takes`));
    const json = await gcCli(["-c", "copying", "-w", path, "--json"]);
    assert.match(JSON.parse(json.stdout.join("\n")).error, /line 2/);
  });
  const missing = await gcCli(["-c", "rc", "-w", "/nonexistent/w.txt"]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr[0], /\/nonexistent\/w.txt: no such file/);
  const dir = await gcCli(["-c", "rc", "-w", "/tmp"]);
  assert.match(dir.stderr[0], /\/tmp: it is not a file/);
});

Deno.test("sim gc: out of memory is a result: the run stops there, exit 0", async () => {
  await withWorkload("new a 40 0\nroot a\nnew b 40 0\n", async (path) => {
    const out = await gcCli(["-c", "copying", "-w", path, "--heap", "128", "--json"]);
    assert.equal(out.status, 0);
    const doc = JSON.parse(out.stdout.join("\n"));
    assert.equal(doc.outOfMemory.line, 3);
    assert.equal(doc.error, null);
  });
});

Deno.test("sim gc: usage errors name the flag and the value, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [[], /-c must be one of/],
    [["-c", "rc"], /-w WORKLOAD is required/],
    [["-c", "lru", "-w", "x"], /-c must be one of rc, rc-cycles.*received "lru"/],
    [["-c", "rc", "-w", "x", "--heap", "8"], /--heap must be at least 16: received "8"/],
    [["-c", "rc", "-w", "x", "--heap", "1e3"], /--heap must be a whole number: received "1e3"/],
    [["-c", "rc", "-w", "x", "--heap"], /--heap requires a value/],
    [["-c", "rc", "-c", "rc"], /-c given twice/],
    [["-c", "rc", "-w", "x", "--frob"], /unknown option: received "--frob"/],
    [["-c", "rc", "-w", "x", "extra"], /unexpected argument: received "extra"/],
    [
      ["-c", "generational", "-w", "x", "--heap", "64", "--nursery", "32"],
      /--nursery must leave room/,
    ],
    [["-c", "rc", "-w", "x", "--promotion-age", "0"], /--promotion-age must be at least 1/],
    [["--json=1"], /--json takes no value/],
  ];
  for (const [args, message] of cases) {
    const out = await gcCli(args);
    assert.equal(out.status, 2, args.join(" "));
    assert.match(out.stderr[0], message);
  }
  assert.equal((await gcCli(["--help"])).status, 0);
});

Deno.test("fuzz: sim gc never crashes on any flags or workload text", async () => {
  const token = fc.constantFrom(
    "-c",
    "rc",
    "mark-sweep",
    "generational",
    "-w",
    "--heap",
    "64",
    "--json",
    "--nursery",
    "8",
    "--promotion-age",
    "-h",
    "-cx",
    "--heap=",
  );
  const line = fc.oneof(
    fc.string({ maxLength: 16 }),
    fc.tuple(
      fc.constantFrom("new", "set", "root", "unroot", "gc"),
      fc.constantFrom("a", "b", "null"),
      fc.constantFrom("0", "1", "8", "24", "x"),
      fc.constantFrom("0", "1", "a", "b", "null"),
    ).map((t) => t.join(" ")),
  );
  await withWorkload("", async (path) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(token, { maxLength: 8 }),
        fc.array(line, { maxLength: 10 }),
        async (args, lines) => {
          await Deno.writeTextFile(path, lines.join("\n"));
          const out = await gcCli([...args as string[], "-w", path]);
          assert.ok([0, 1, 2].includes(out.status));
          if (out.status === 1) assert.match(out.stderr[0], /line \d+|no such file|not a file/);
          if (out.status !== 0) assert.ok(out.stderr.length > 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

Deno.test("sim gc runs a generated workload of thousands of ops through main", async () => {
  const ops = generateGcWorkload({ seed: 9, objectCount: 1500, gcEvery: 100 });
  assert.ok(ops.length > 4000);
  await withWorkload(formatGcWorkload(ops), async (path) => {
    const log = console.log;
    const lines: string[] = [];
    console.log = (s: string) => lines.push(s);
    try {
      assert.equal(await main(["gc", "-c", "generational", "-w", path, "--heap", "8192"]), 0);
    } finally {
      console.log = log;
    }
    assert.match(lines.join("\n"), /minor/);
  });
});
