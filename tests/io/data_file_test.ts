import assert from "node:assert/strict";
import { gzipSync } from "fflate";
import { z } from "zod";
import {
  gunzip,
  HierarchyTable,
  loadHierarchyTable,
  loadJsonData,
  parseJsonData,
  parseNotebook,
  readDataBytes,
} from "memgarden";

async function withTemp(suffix: string, bytes: Uint8Array, fn: (path: string) => Promise<void>) {
  const path = await Deno.makeTempFile({ suffix });
  try {
    await Deno.writeFile(path, bytes);
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("a gzip JSON file round-trips through fflate and zod", async () => {
  const schema = z.object({ pages: z.array(z.number().int()) });
  await withTemp(".json.gz", gzipSync(enc('{"pages": [1, 2, 3]}')), async (path) => {
    assert.deepEqual(await loadJsonData(path, schema), { pages: [1, 2, 3] });
  });
});

Deno.test("a corrupt gzip file names the file and says it is corrupt", async () => {
  const good = gzipSync(enc("x".repeat(1000)));
  const corrupt = good.slice(0, good.length - 30);
  corrupt[12] ^= 0xff;
  await withTemp(".gz", corrupt, async (path) => {
    await assert.rejects(readDataBytes(path), (err: Error) => {
      assert.ok(err instanceof SyntaxError);
      assert.match(err.message, new RegExp(`Cannot read ${path}: corrupt gzip data`));
      return true;
    });
  });
});

Deno.test("a .gz file that is not gzip shows its first bytes", () => {
  assert.throws(
    () => gunzip(enc("plain text"), "trace.gz"),
    /Cannot read trace.gz: not a gzip stream: expected bytes 1f 8b, received 70 6c 61 69/,
  );
  assert.throws(() => gunzip(new Uint8Array(), "e.gz"), /received an empty file/);
});

Deno.test("invalid JSON names the line", () => {
  assert.throws(
    () => parseJsonData('{\n "a": 1,\n "b": oops\n}', z.unknown(), "bad.json"),
    /Cannot read bad.json: invalid JSON at line 3/,
  );
});

Deno.test("schema errors name the file, the field path and the rule", () => {
  const text = JSON.stringify({
    source: "test",
    levels: [
      { name: "L1", sizeBytes: 32768, latencyNs: 1, role: "x" },
      { name: "L2", sizeBytes: "big", latencyNs: 3, role: "y" },
    ],
  });
  assert.throws(() => parseJsonData(text, HierarchyTable, "h.json"), (err: Error) => {
    assert.ok(err instanceof TypeError);
    assert.match(
      err.message,
      /^Cannot read h\.json: the data does not match its schema: levels\.1\.sizeBytes .*expected number, received string: received "big"$/,
    );
    return true;
  });
  // A field left out is said to be required; further problems are counted, on the same line.
  const missing = JSON.stringify({ levels: [{ name: "L1", latencyNs: 1, role: "x" }] });
  assert.throws(() => parseJsonData(missing, HierarchyTable, "m.json"), (err: Error) => {
    assert.match(
      err.message,
      /^Cannot read m\.json: the data does not match its schema: source is required: received nothing \(and \d+ more problems\)$/,
    );
    return true;
  });
});

Deno.test("a cross-field rule is reported on its field", () => {
  const text = JSON.stringify({
    source: "test",
    levels: [
      { name: "big", sizeBytes: 100, latencyNs: 1, role: "x" },
      { name: "small", sizeBytes: 10, latencyNs: 3, role: "y" },
    ],
  });
  assert.throws(
    () => parseJsonData(text, HierarchyTable, "h.json"),
    /schema: levels must grow in size from fastest to slowest: received \[\{"name":"big"/,
  );
});

Deno.test("a missing file says so", async () => {
  await assert.rejects(
    readDataBytes("/nonexistent/x.json"),
    /Cannot read \/nonexistent\/x.json: no such file/,
  );
});

Deno.test("the committed hierarchy table is valid and ordered", async () => {
  const table = await loadHierarchyTable();
  assert.ok(table.levels.length >= 5);
  for (let i = 1; i < table.levels.length; i++) {
    assert.ok(table.levels[i].latencyNs > table.levels[i - 1].latencyNs);
  }
});

Deno.test("notebooks: not nbformat 4 and not JSON are clear errors", () => {
  assert.throws(() => parseNotebook("{", "a.ipynb"), /Cannot read a.ipynb: invalid JSON/);
  assert.throws(
    () =>
      parseNotebook('{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "cells": []}', "o.ipynb"),
    /nbformat must be 4/,
  );
});
