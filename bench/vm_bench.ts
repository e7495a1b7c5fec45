import { createPrng, simulatePaging } from "memgarden";

// 10 million references over 20,000 pages with locality (80% of references
// go to a hot set of 8,000 pages), 10,000 frames. Built outside fn.
const COUNT = 10_000_000;
const prng = createPrng(2024);
const references = new Int32Array(COUNT);
for (let i = 0; i < COUNT; i++) {
  references[i] = prng.float() < 0.8 ? prng.int(0, 7_999) : prng.int(0, 19_999);
}
let sink = 0;

for (const policy of ["fifo", "lru", "opt", "unopt", "rand", "clock"]) {
  Deno.bench({
    group: "paging 10M refs, 10k frames",
    name: policy,
    n: 3,
    warmup: 1,
    fn() {
      sink += simulatePaging({ frames: 10_000, policy, references }).misses;
    },
  });
}

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
