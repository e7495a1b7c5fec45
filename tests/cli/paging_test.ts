import assert from "node:assert/strict";
import { MAX_PAGING_FILE_BYTES, MAX_PAGING_REFERENCES, pagingCli } from "memgarden/cli/paging.ts";
import { readTextCapped } from "memgarden/cli/_ostep.ts";
import {
  assertMatchesUpstream,
  fuzzCommandLine,
  OSTEP_FIXTURES,
  runSim,
} from "./_ostep_fixtures.ts";

const inputs = new URL("inputs/", OSTEP_FIXTURES);
const readInput = (p: string) =>
  readTextCapped(new URL(p, inputs).pathname, "-f (addressfile)", MAX_PAGING_FILE_BYTES);

Deno.test("paging prints byte for byte what the current paging-policy.py prints (148 recorded runs)", () => {
  assertMatchesUpstream("paging-policy.json", (args) => pagingCli(args, readInput), 140);
});

Deno.test("paging -c answers Belady's anomaly and MRU as worked by hand", () => {
  const belady = "1,2,3,4,1,2,5,1,2,3,4,5";
  const total = (args: string[]) => pagingCli(args).stdout.match(/FINALSTATS.*/)![0];
  assert.equal(
    total(["-a", belady, "-C", "3", "-c"]),
    "FINALSTATS hits 3   misses 9   hitrate 25.00",
  );
  assert.equal(
    total(["-a", belady, "-C", "4", "-c"]),
    "FINALSTATS hits 2   misses 10   hitrate 16.67",
  );
  // MRU on 1,2,3,1,4,1 with 2 frames: 1 2 | 3 evicts 2 | 1 hit | 4 evicts 1 | 1 evicts 4.
  const mru = pagingCli(["-a", "1,2,3,1,4,1", "-C", "2", "-p", "MRU", "-c"]).stdout;
  assert.ok(mru.includes("Access: 3  MISS LRU ->       [1, 3] <- MRU Replaced:2"));
  assert.ok(mru.includes("Access: 4  MISS LRU ->       [3, 4] <- MRU Replaced:1"));
  assert.match(mru, /FINALSTATS hits 1 {3}misses 5/);
});

Deno.test("paging -f reads one page per line and names the file and the bad line", () => {
  const files: Record<string, string> = {
    "refs.txt": "1\n2\n1\n3\n",
    "bad.txt": "1\nx\n",
    "neg.txt": "1\n-4\n",
  };
  const out = pagingCli(["-f", "refs.txt", "-c", "-N", "-C", "2"], (p) => files[p]);
  assert.ok(out.stdout.includes("FINALSTATS hits 1   misses 3   hitrate 25.00"));
  assert.throws(
    () => pagingCli(["-f", "bad.txt", "-c"], (p) => files[p]),
    /^SyntaxError: Cannot read -f \(addressfile\) "bad.txt": line 2 must be a page number \(a non-negative integer\): received "x"$/,
  );
  assert.throws(
    () => pagingCli(["-f", "neg.txt", "-c"], (p) => files[p]),
    /"neg.txt": line 2 must be a page number \(a non-negative integer\) below 2\^53: received -4/,
  );
  assert.throws(
    () => pagingCli(["-f", "empty.txt", "-c"], () => ""),
    /Invalid -f \(addressfile\) "empty.txt": -c needs at least one reference/,
  );
  // A long bad line (or a huge number) is shown cut, in one short line, not echoed whole.
  const long = {
    "long.txt": `1\n${"7".repeat(100_000)}x\n`,
    "huge.txt": `${"7".repeat(100_000)}\n`,
  };
  for (const [name, shown] of [["long.txt", '"7{80}"'], ["huge.txt", '"7{80}"']]) {
    assert.throws(
      () => pagingCli(["-f", name, "-c"], (p) => long[p as keyof typeof long]),
      (e: Error) => {
        assert.match(
          e.message,
          new RegExp(
            `^Cannot read .*"${name}": line \\d must be .*: received ${shown}\\.\\.\\. \\(10000\\d characters\\)$`,
          ),
        );
        return e.message.length < 300;
      },
    );
  }
});

Deno.test("paging --json prints one JSON document with the same totals", () => {
  const doc = JSON.parse(pagingCli(["-s", "0", "-c", "-p", "LRU", "--json"]).stdout);
  assert.equal(doc.result.hits, 2);
  assert.equal(doc.result.misses, 8);
  assert.equal(doc.result.steps.length, 10);
  assert.deepEqual(doc.references, [8, 7, 4, 2, 5, 4, 7, 3, 4, 5]);
  const totals = JSON.parse(pagingCli(["-s", "0", "-c", "-N", "--json"]).stdout);
  assert.equal(totals.result.steps, undefined);
});

Deno.test("paging refuses bad input at once, naming the flag, the rule and the value", () => {
  const cases: [string[], RegExp][] = [
    [
      ["-p", "LFU", "-c"],
      /^Invalid -p \(policy\): must be one of FIFO, LRU, MRU, OPT, UNOPT, RAND, CLOCK: received "LFU"$/,
    ],
    [["-p", "LFU"], /Invalid -p \(policy\)/],
    [["-C", "x"], /^Invalid -C \(cachesize\): must be an integer: received "x"$/],
    [["-C", "0", "-c"], /^Invalid -C \(cachesize\): must be between 1 and 1000000: received 0$/],
    [
      ["-n", "0", "-c"],
      /^Invalid -n \(numaddrs\): -c needs at least one reference .*: received 0$/,
    ],
    [
      ["-m", "-5", "-c"],
      /^Invalid -m \(maxpage\): must be between 0 and 9007199254740992 \(pages are numbered from 0\): received -5$/,
    ],
    [
      ["-a", "3,-1,2", "-c"],
      /^Invalid -a \(addresses\): must be between 0 and 9007199254740991 \(each page number\): received -1$/,
    ],
    [["-a", "1,,2"], /^Invalid -a \(addresses\): must be an integer: received ""$/],
    [
      ["-b", "-1", "-p", "CLOCK", "-c"],
      /^Invalid -b \(clockbits\): must be between 0 and 2147483647: received -1$/,
    ],
    [["-b", "two"], /^Invalid -b \(clockbits\): must be an integer: received "two"$/],
    [
      ["-n", "1000000000", "-c", "-N"],
      /^Invalid -n \(numaddrs\): must be between 0 and 1000000 \(this simulator's limit on references\): received 1000000000$/,
    ],
    [
      ["-C", "1000000000", "-c"],
      /^Invalid -C \(cachesize\): must be between 1 and 1000000: received 1000000000$/,
    ],
    [
      ["-n", "1000000", "-C", "100", "-c"],
      /^Invalid -n \(numaddrs\): a trace prints up to -C pages per reference, so references × -C must be at most 500000 \(add -N to print only the totals\): received 1000000 × 100$/,
    ],
    [["-q"], /^Cannot parse flags: unknown option: received "-q"$/],
    [
      ["--c"],
      /^Cannot parse flags: ambiguous option: received "--c" \(--clockbits, --cachesize, --compute\)$/,
    ],
    [["--compute=yes"], /^Cannot parse flags: --compute takes no value: received "yes"$/],
    [["-s"], /^Cannot parse flags: -s requires a value: received nothing$/],
    [["LRU"], /^Cannot parse flags: positional arguments are not accepted: received "LRU"$/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => pagingCli(args), (e: Error) => message.test(e.message), args.join(" "));
  }
});

Deno.test("paging runs the largest allowed problem without a trace (-n 1000000 -N -c)", () => {
  const out = pagingCli([
    "-n",
    String(MAX_PAGING_REFERENCES),
    "-m",
    "100",
    "-C",
    "50",
    "-c",
    "-N",
    "-p",
    "LRU",
  ]);
  const [, hits, misses] = out.stdout.match(/FINALSTATS hits (\d+) {3}misses (\d+)/)!.map(Number);
  assert.equal(hits + misses, MAX_PAGING_REFERENCES);
  // Uniform pages over 100 with 50 frames: LRU hits about half the time.
  assert.ok(hits / MAX_PAGING_REFERENCES > 0.45 && hits / MAX_PAGING_REFERENCES < 0.55);
});

Deno.test("sim paging exits 2 with one line on stderr for bad flags and oversized files", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "memgarden-paging-" });
  try {
    const huge = `${dir}/huge.txt`;
    const file = Deno.openSync(huge, { write: true, create: true });
    file.truncateSync(2 * 1024 ** 3); // 2 GiB, sparse: no disk used
    file.close();
    let r = await runSim(["paging", "-f", huge, "-c"]);
    assert.equal(r.status, 2);
    assert.deepEqual(r.stderr, [
      `Cannot read -f (addressfile) "${huge}": must be at most ${MAX_PAGING_FILE_BYTES} bytes: received 2147483648 bytes`,
    ]);
    // A device has no size: the cap holds while reading.
    r = await runSim(["paging", "-f", "/dev/zero", "-c"]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr.join("\n"),
      /^Cannot read -f \(addressfile\) "\/dev\/zero": must be at most 16777216 bytes: received more than 16777216 bytes$/,
    );
    r = await runSim(["paging", "-f", dir, "-c"]);
    assert.deepEqual(r.stderr, [
      `Cannot read -f (addressfile) "${dir}": must be a file: received a directory`,
    ]);
    r = await runSim(["paging", "-f", `${dir}/none.txt`]);
    assert.deepEqual(r.stderr, [`Cannot read -f (addressfile) "${dir}/none.txt": no such file`]);
    r = await runSim(["paging", "-m", "-5", "-c"]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.length, 1);
    assert.match(r.stderr[0], /^Invalid -m \(maxpage\)/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("paging command line: random argv runs or is a one-line usage error (fast-check)", () => {
  const files: Record<string, string> = { "refs.txt": "1\n2\n3\n1\n" };
  const read = (p: string) => {
    if (!(p in files)) throw new TypeError(`Cannot read -f (addressfile) "${p}": no such file`);
    return files[p];
  };
  fuzzCommandLine(
    [
      "-a",
      "-f",
      "-n",
      "-p",
      "-b",
      "-C",
      "-m",
      "-s",
      "-N",
      "--policy",
      "--numaddrs=",
      "--cachesize",
    ],
    (argv) => pagingCli(argv, read),
  );
});
