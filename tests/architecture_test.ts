/**
 * The architecture stays visible: simulators are pure, real measurements live
 * only in lib/probe, charts only in lib/chart, and notebooks import only the
 * library alias. These rules are read off the source text.
 */
import assert from "node:assert/strict";
import { cellSource, parseNotebook } from "memgarden";

const LIB = new URL("../lib/", import.meta.url).pathname;
const NOTEBOOKS = new URL("../notebooks/", import.meta.url).pathname;
const SIMULATORS = [
  "random",
  "trace",
  "cache",
  "vm",
  "stack",
  "heap",
  "gc",
  "ownership",
  "persistent",
];

function walk(dir: string): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) files.push(...walk(`${path}/`));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

/** Source without comments, so JSDoc examples do not count as code. */
function code(path: string): string {
  return Deno.readTextFileSync(path).replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

function imports(text: string): string[] {
  // `String::from("a")` or `Array.from("a")` is a call, not an import: skip words after `::` or `.`.
  return [...text.matchAll(/(?<![:.\w])(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) =>
    m[1]
  );
}

const files = walk(LIB).map((path) => ({
  path,
  rel: path.slice(LIB.length),
  top: path.slice(LIB.length).split("/")[0],
  text: code(path),
}));

Deno.test("the library has the subsystems the design names", () => {
  const tops = new Set(files.map((f) => f.top));
  for (const dir of ["random", "chart", "io", "probe", "cli"]) {
    assert.ok(tops.has(dir), `lib/${dir}/ is missing`);
  }
  for (const dir of tops) {
    if (dir.endsWith(".ts") || dir === "cli") continue; // cli/main.ts is an entry point
    assert.ok(files.some((f) => f.rel === `${dir}/mod.ts`), `lib/${dir}/ has no mod.ts`);
  }
});

Deno.test("simulators are pure: no probe, chart, io, cli, Plot, clock, Deno API or Math.random", () => {
  const problems: string[] = [];
  for (const f of files.filter((f) => SIMULATORS.includes(f.top))) {
    for (const spec of imports(f.text)) {
      if (
        /(^|\/)(probe|chart|io|cli|exercise)\//.test(spec) || spec.includes("@observablehq/plot")
      ) {
        problems.push(`lib/${f.rel} imports ${spec}`);
      }
    }
    for (
      const banned of ["Deno.", "performance.now", "Date.now", "new Date(", "Math.random", "fetch("]
    ) {
      if (f.text.includes(banned)) problems.push(`lib/${f.rel} uses ${banned}`);
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("lib/random depends on nothing else in the library", () => {
  const problems = files.filter((f) => f.top === "random").flatMap((f) =>
    imports(f.text).filter((s) => s.startsWith("../") || s.startsWith("memgarden")).map((s) =>
      `lib/${f.rel} imports ${s}`
    )
  );
  assert.deepEqual(problems, []);
});

Deno.test("no Math.random anywhere in the library: randomness is seeded", () => {
  assert.deepEqual(files.filter((f) => f.text.includes("Math.random")).map((f) => f.rel), []);
});

Deno.test("Plot is imported only in lib/chart", () => {
  const problems = files.filter((f) =>
    f.top !== "chart" && imports(f.text).some((s) => s.includes("@observablehq/plot"))
  ).map((f) => f.rel);
  assert.deepEqual(problems, []);
});

Deno.test("probes never draw charts, and nothing but probes and io reads the machine", () => {
  const problems: string[] = [];
  for (const f of files) {
    if (f.top === "probe") {
      for (const s of imports(f.text)) {
        if (/(^|\/)(chart|exercise|cli)\//.test(s)) problems.push(`lib/${f.rel} imports ${s}`);
      }
    }
    if (!["probe", "io", "cli", "exercise"].includes(f.top) && f.top !== "chart") {
      for (const banned of ["/proc/", "/sys/", "Deno.dlopen", "performance.now"]) {
        if (f.text.includes(banned)) problems.push(`lib/${f.rel} uses ${banned}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("other programs (rustc, valgrind, gcc, child processes) are started only in lib/probe", () => {
  const problems = files.filter((f) => f.top !== "probe" && f.text.includes("Deno.Command")).map((
    f,
  ) => f.rel);
  assert.deepEqual(problems, []);
});

Deno.test("the import scanner reads imports and skips calls named from", () => {
  assert.deepEqual(
    imports(
      `import { a } from "memgarden";\nconst m = await import("./x.ts");\nlet s = String::from("garden"); Array.from("ab");`,
    ),
    ["memgarden", "./x.ts"],
  );
});

Deno.test("notebooks import only from the memgarden alias", () => {
  const problems: string[] = [];
  for (const entry of Deno.readDirSync(NOTEBOOKS)) {
    if (!entry.name.endsWith(".ipynb")) continue;
    const nb = parseNotebook(Deno.readTextFileSync(NOTEBOOKS + entry.name), entry.name);
    nb.cells.filter((c) => c.cell_type === "code").forEach((c) => {
      for (const spec of imports(cellSource(c))) {
        if (!/^memgarden(\/|$)/.test(spec)) problems.push(`${entry.name} imports ${spec}`);
      }
    });
  }
  assert.deepEqual(problems, []);
});
