/**
 * Persistent (immutable) data structures with structural sharing: an update
 * returns a new version and keeps the old one, copying only the path to the
 * change. Pure: no clock, no I/O.
 *
 * @example Ten versions for the price of a few nodes
 * ```ts
 * import { PersistentVector, vectorSharing } from "memgarden";
 * import assert from "node:assert/strict";
 *
 * let v = PersistentVector.from(new Array(1000).fill(0));
 * const versions = [v];
 * for (let k = 0; k < 10; k++) versions.push(v = v.set(k, k + 1));
 * assert.equal(versions[0].get(3), 0);
 * assert.ok(vectorSharing(versions).slots < 2 * 1000);
 * ```
 *
 * @module
 */
export * from "./vector.ts";
