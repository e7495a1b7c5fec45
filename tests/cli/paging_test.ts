import assert from "node:assert/strict";
import { pagingCli } from "memgarden/cli/paging.ts";

// Expected outputs were produced by running OSTEP's vm-beyondphys-policy/paging-policy.py
// (ostep-homework, fetched to /tmp, never committed) under /usr/bin/python3 3.11.
const CASES: [string[], string][] = [
  [
    ["-s", "0"],
    "ARG addresses -1\nARG addressfile \nARG numaddrs 10\nARG policy FIFO\nARG clockbits 2\nARG cachesize 3\nARG maxpage 10\nARG seed 0\nARG notrace False\n\nAssuming a replacement policy of FIFO, and a cache of size 3 pages,\nfigure out whether each of the following page references hit or miss\nin the page cache.\n\nAccess: 8  Hit/Miss?  State of Memory?\nAccess: 7  Hit/Miss?  State of Memory?\nAccess: 4  Hit/Miss?  State of Memory?\nAccess: 2  Hit/Miss?  State of Memory?\nAccess: 5  Hit/Miss?  State of Memory?\nAccess: 4  Hit/Miss?  State of Memory?\nAccess: 7  Hit/Miss?  State of Memory?\nAccess: 3  Hit/Miss?  State of Memory?\nAccess: 4  Hit/Miss?  State of Memory?\nAccess: 5  Hit/Miss?  State of Memory?\n\n",
  ],
  [
    ["-s", "0", "-c", "-p", "LRU"],
    "ARG addresses -1\nARG addressfile \nARG numaddrs 10\nARG policy LRU\nARG clockbits 2\nARG cachesize 3\nARG maxpage 10\nARG seed 0\nARG notrace False\n\nSolving...\n\nAccess: 8  MISS LRU ->          [8] <- MRU Replaced:- [Hits:0 Misses:1]\nAccess: 7  MISS LRU ->       [8, 7] <- MRU Replaced:- [Hits:0 Misses:2]\nAccess: 4  MISS LRU ->    [8, 7, 4] <- MRU Replaced:- [Hits:0 Misses:3]\nAccess: 2  MISS LRU ->    [7, 4, 2] <- MRU Replaced:8 [Hits:0 Misses:4]\nAccess: 5  MISS LRU ->    [4, 2, 5] <- MRU Replaced:7 [Hits:0 Misses:5]\nAccess: 4  HIT  LRU ->    [2, 5, 4] <- MRU Replaced:- [Hits:1 Misses:5]\nAccess: 7  MISS LRU ->    [5, 4, 7] <- MRU Replaced:2 [Hits:1 Misses:6]\nAccess: 3  MISS LRU ->    [4, 7, 3] <- MRU Replaced:5 [Hits:1 Misses:7]\nAccess: 4  HIT  LRU ->    [7, 3, 4] <- MRU Replaced:- [Hits:2 Misses:7]\nAccess: 5  MISS LRU ->    [3, 4, 5] <- MRU Replaced:7 [Hits:2 Misses:8]\n\nFINALSTATS hits 2   misses 8   hitrate 20.00\n\n",
  ],
  [
    ["-s", "5", "-c", "-p", "CLOCK", "-n", "12", "-C", "3"],
    "ARG addresses -1\nARG addressfile \nARG numaddrs 12\nARG policy CLOCK\nARG clockbits 2\nARG cachesize 3\nARG maxpage 10\nARG seed 5\nARG notrace False\n\nSolving...\n\nAccess: 6  MISS Left  ->          [6] <- Right Replaced:- [Hits:0 Misses:1]\nAccess: 7  MISS Left  ->       [6, 7] <- Right Replaced:- [Hits:0 Misses:2]\nAccess: 7  HIT  Left  ->       [6, 7] <- Right Replaced:- [Hits:1 Misses:2]\nAccess: 9  MISS Left  ->    [6, 7, 9] <- Right Replaced:- [Hits:1 Misses:3]\nAccess: 7  HIT  Left  ->    [6, 7, 9] <- Right Replaced:- [Hits:2 Misses:3]\nAccess: 9  HIT  Left  ->    [6, 7, 9] <- Right Replaced:- [Hits:3 Misses:3]\nAccess: 0  MISS Left  ->    [6, 9, 0] <- Right Replaced:7 [Hits:3 Misses:4]\nAccess: 4  MISS Left  ->    [9, 0, 4] <- Right Replaced:6 [Hits:3 Misses:5]\nAccess: 9  HIT  Left  ->    [9, 0, 4] <- Right Replaced:- [Hits:4 Misses:5]\nAccess: 6  MISS Left  ->    [9, 0, 6] <- Right Replaced:4 [Hits:4 Misses:6]\nAccess: 9  HIT  Left  ->    [9, 0, 6] <- Right Replaced:- [Hits:5 Misses:6]\nAccess: 1  MISS Left  ->    [0, 6, 1] <- Right Replaced:9 [Hits:5 Misses:7]\n\nFINALSTATS hits 5   misses 7   hitrate 41.67\n\n",
  ],
  [
    ["-s", "4", "-c", "-p", "RAND", "-n", "12", "-C", "3"],
    "ARG addresses -1\nARG addressfile \nARG numaddrs 12\nARG policy RAND\nARG clockbits 2\nARG cachesize 3\nARG maxpage 10\nARG seed 4\nARG notrace False\n\nSolving...\n\nAccess: 2  MISS Left  ->          [2] <- Right Replaced:- [Hits:0 Misses:1]\nAccess: 1  MISS Left  ->       [2, 1] <- Right Replaced:- [Hits:0 Misses:2]\nAccess: 3  MISS Left  ->    [2, 1, 3] <- Right Replaced:- [Hits:0 Misses:3]\nAccess: 1  HIT  Left  ->    [2, 1, 3] <- Right Replaced:- [Hits:1 Misses:3]\nAccess: 0  MISS Left  ->    [1, 3, 0] <- Right Replaced:2 [Hits:1 Misses:4]\nAccess: 4  MISS Left  ->    [3, 0, 4] <- Right Replaced:1 [Hits:1 Misses:5]\nAccess: 9  MISS Left  ->    [0, 4, 9] <- Right Replaced:3 [Hits:1 Misses:6]\nAccess: 8  MISS Left  ->    [0, 4, 8] <- Right Replaced:9 [Hits:1 Misses:7]\nAccess: 7  MISS Left  ->    [0, 4, 7] <- Right Replaced:8 [Hits:1 Misses:8]\nAccess: 2  MISS Left  ->    [0, 4, 2] <- Right Replaced:7 [Hits:1 Misses:9]\nAccess: 5  MISS Left  ->    [0, 4, 5] <- Right Replaced:2 [Hits:1 Misses:10]\nAccess: 2  MISS Left  ->    [4, 5, 2] <- Right Replaced:0 [Hits:1 Misses:11]\n\nFINALSTATS hits 1   misses 11   hitrate 8.33\n\n",
  ],
  [
    ["-s", "2", "-c", "-p", "OPT", "-n", "12", "-m", "8", "-C", "3"],
    "ARG addresses -1\nARG addressfile \nARG numaddrs 12\nARG policy OPT\nARG clockbits 2\nARG cachesize 3\nARG maxpage 8\nARG seed 2\nARG notrace False\n\nSolving...\n\nAccess: 7  MISS Left  ->          [7] <- Right Replaced:- [Hits:0 Misses:1]\nAccess: 7  HIT  Left  ->          [7] <- Right Replaced:- [Hits:1 Misses:1]\nAccess: 0  MISS Left  ->       [7, 0] <- Right Replaced:- [Hits:1 Misses:2]\nAccess: 0  HIT  Left  ->       [7, 0] <- Right Replaced:- [Hits:2 Misses:2]\nAccess: 6  MISS Left  ->    [7, 0, 6] <- Right Replaced:- [Hits:2 Misses:3]\nAccess: 5  MISS Left  ->    [7, 0, 5] <- Right Replaced:6 [Hits:2 Misses:4]\nAccess: 5  HIT  Left  ->    [7, 0, 5] <- Right Replaced:- [Hits:3 Misses:4]\nAccess: 2  MISS Left  ->    [7, 0, 2] <- Right Replaced:5 [Hits:3 Misses:5]\nAccess: 4  MISS Left  ->    [7, 0, 4] <- Right Replaced:2 [Hits:3 Misses:6]\nAccess: 4  HIT  Left  ->    [7, 0, 4] <- Right Replaced:- [Hits:4 Misses:6]\nAccess: 4  HIT  Left  ->    [7, 0, 4] <- Right Replaced:- [Hits:5 Misses:6]\nAccess: 1  MISS Left  ->    [7, 0, 1] <- Right Replaced:4 [Hits:5 Misses:7]\n\nFINALSTATS hits 5   misses 7   hitrate 41.67\n\n",
  ],
  [
    ["-s", "3", "-c", "-p", "UNOPT", "-n", "10"],
    "ARG addresses -1\nARG addressfile \nARG numaddrs 10\nARG policy UNOPT\nARG clockbits 2\nARG cachesize 3\nARG maxpage 10\nARG seed 3\nARG notrace False\n\nSolving...\n\nAccess: 2  MISS Left  ->          [2] <- Right Replaced:- [Hits:0 Misses:1]\nAccess: 5  MISS Left  ->       [2, 5] <- Right Replaced:- [Hits:0 Misses:2]\nAccess: 3  MISS Left  ->    [2, 5, 3] <- Right Replaced:- [Hits:0 Misses:3]\nAccess: 6  MISS Left  ->    [5, 3, 6] <- Right Replaced:2 [Hits:0 Misses:4]\nAccess: 6  HIT  Left  ->    [5, 3, 6] <- Right Replaced:- [Hits:1 Misses:4]\nAccess: 0  MISS Left  ->    [3, 6, 0] <- Right Replaced:5 [Hits:1 Misses:5]\nAccess: 0  HIT  Left  ->    [3, 6, 0] <- Right Replaced:- [Hits:2 Misses:5]\nAccess: 8  MISS Left  ->    [6, 0, 8] <- Right Replaced:3 [Hits:2 Misses:6]\nAccess: 2  MISS Left  ->    [0, 8, 2] <- Right Replaced:6 [Hits:2 Misses:7]\nAccess: 2  HIT  Left  ->    [0, 8, 2] <- Right Replaced:- [Hits:3 Misses:7]\n\nFINALSTATS hits 3   misses 7   hitrate 30.00\n\n",
  ],
  [
    ["-a", "1,2,3,4,1,2,5,1,2,3,4,5", "-C", "4", "-c", "-N"],
    "ARG addresses 1,2,3,4,1,2,5,1,2,3,4,5\nARG addressfile \nARG numaddrs 10\nARG policy FIFO\nARG clockbits 2\nARG cachesize 4\nARG maxpage 10\nARG seed 0\nARG notrace True\n\n\nFINALSTATS hits 2   misses 10   hitrate 16.67\n\n",
  ],
  [
    ["-s", "7", "-c", "-p", "RAND", "-N", "-n", "500", "-m", "50", "-C", "10"],
    "ARG addresses -1\nARG addressfile \nARG numaddrs 500\nARG policy RAND\nARG clockbits 2\nARG cachesize 10\nARG maxpage 50\nARG seed 7\nARG notrace True\n\n\nFINALSTATS hits 106   misses 394   hitrate 21.20\n\n",
  ],
];

for (const [args, expected] of CASES) {
  Deno.test(`paging ${args.join(" ")} prints exactly what OSTEP's paging-policy.py prints`, () => {
    const got = pagingCli(args);
    assert.equal(got.status, 0);
    assert.equal(got.stdout, expected);
  });
}

Deno.test("paging -f reads one page per line and names a bad line", () => {
  const files: Record<string, string> = { "refs.txt": "1\n2\n1\n3\n", "bad.txt": "1\nx\n" };
  const out = pagingCli(["-f", "refs.txt", "-c", "-N", "-C", "2"], (p) => files[p]);
  assert.ok(out.stdout.includes("FINALSTATS hits 1   misses 3   hitrate 25.00"));
  assert.throws(
    () => pagingCli(["-f", "bad.txt", "-c"], (p) => files[p]),
    /line 2 must be a page number: received "x"/,
  );
});

Deno.test("paging --json prints one JSON document with the same totals", () => {
  const doc = JSON.parse(pagingCli(["-s", "0", "-c", "-p", "LRU", "--json"]).stdout);
  assert.equal(doc.result.hits, 2);
  assert.equal(doc.result.misses, 8);
  assert.deepEqual(doc.references, [8, 7, 4, 2, 5, 4, 7, 3, 4, 5]);
});

Deno.test("paging rejects unknown policies, bad numbers and empty strings clearly", () => {
  assert.throws(
    () => pagingCli(["-p", "MRU", "-c"]),
    /policy must be one of fifo, lru, opt, unopt, rand, clock: received "MRU"/,
  );
  assert.throws(() => pagingCli(["-C", "x"]), /-C \(cachesize\): must be an integer: received "x"/);
  assert.throws(() => pagingCli(["-C", "0", "-c"]), /cachesize\): must be at least 1: received 0/);
  assert.throws(() => pagingCli(["-n", "0", "-c"]), /must not be empty: received 0 references/);
  assert.throws(() => pagingCli(["-q"]), /unknown option: received "-q"/);
});
