/**
 * The persistent vector against plain arrays: one update of a 10,000- and a
 * 1,000,000-element list (a defensive copy and a write, or a shared `set`),
 * a read, and building from an array. Inputs are built outside `fn`; every
 * result is kept alive.
 *
 *   deno bench -A bench/persistent_bench.ts
 */
import { PersistentVector } from "memgarden";

let sink = 0;
for (const n of [10_000, 1_000_000]) {
  const array = Array.from({ length: n }, (_, i) => i);
  const vector = PersistentVector.from(array);
  let k = 0;
  Deno.bench({
    group: `update one of ${n}`,
    name: "defensive copy (slice, then write)",
    baseline: true,
    fn: () => {
      const copy = array.slice();
      copy[k = (k + 7919) % n] = -1;
      sink += copy.length;
    },
  });
  Deno.bench({
    group: `update one of ${n}`,
    name: "persistent vector set (copy one path)",
    fn: () => {
      sink += vector.set(k = (k + 7919) % n, -1).size;
    },
  });
  Deno.bench({
    group: `read one of ${n}`,
    name: "array index",
    baseline: true,
    fn: () => {
      sink += array[k = (k + 7919) % n];
    },
  });
  Deno.bench({
    group: `read one of ${n}`,
    name: "persistent vector get",
    fn: () => {
      sink += vector.get(k = (k + 7919) % n);
    },
  });
}
const source = Array.from({ length: 100_000 }, (_, i) => i);
Deno.bench({
  group: "build 100,000",
  name: "PersistentVector.from",
  fn: () => {
    sink += PersistentVector.from(source).size;
  },
});
globalThis.addEventListener("unload", () => {
  if (sink === 0.5) console.log(sink);
});
