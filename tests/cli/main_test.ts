import assert from "node:assert/strict";
import { main } from "memgarden/cli/main.ts";
import { parseArgs as parseGradeArgs } from "../../tools/grade.ts";
import { parseGradescopeArgs } from "../../tools/gradescope.ts";

/** Run `main(args)`, collecting what it prints through console.log and Deno.stdout. */
async function printed(args: string[]): Promise<{ status: number; out: string }> {
  const parts: string[] = [];
  const stdout = Deno.stdout as { writeSync(b: Uint8Array): number };
  const write = stdout.writeSync, log = console.log;
  stdout.writeSync = (b: Uint8Array) => {
    parts.push(new TextDecoder().decode(b));
    return b.length;
  };
  console.log = (...a: unknown[]) => void parts.push(a.join(" ") + "\n");
  try {
    return { status: await main(args), out: parts.join("") };
  } finally {
    stdout.writeSync = write;
    console.log = log;
  }
}

Deno.test("every model listed by sim --help prints its own usage on --help and -h, exit 0", async () => {
  const top = await printed(["--help"]);
  assert.equal(top.status, 0);
  const models = [...top.out.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
  assert.ok(models.length >= 8 && models.includes("cache"), top.out);
  for (const model of models) {
    for (const flag of ["--help", "-h"]) {
      const { status, out } = await printed([model, flag]);
      assert.equal(status, 0, `${model} ${flag}`);
      assert.match(
        out,
        new RegExp(`^Usage: deno task sim ${model}\\b`),
        `${model} ${flag}: ${out}`,
      );
    }
  }
});

Deno.test("sim without a model is a usage error: the usage goes to stderr, nothing to stdout, exit 2", async () => {
  const errors: string[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => void errors.push(a.join(" "));
  try {
    const { status, out } = await printed([]);
    assert.equal(status, 2);
    assert.equal(out, "");
    assert.match(errors.join("\n"), /^Usage: deno task sim <model>/);
  } finally {
    console.error = error;
  }
});

/**
 * Run `main(args)` with standard output replaced by `write`, which gets each
 * piece the command hands to `Deno.stdout.writeSync` and returns how many bytes it took.
 */
async function withStdout(
  args: string[],
  write: (bytes: Uint8Array) => number,
): Promise<number> {
  const stdout = Deno.stdout as { writeSync(b: Uint8Array): number };
  const saved = stdout.writeSync;
  stdout.writeSync = write;
  try {
    return await main(args);
  } finally {
    stdout.writeSync = saved;
  }
}

const data = (p: string) => new URL(`../../data/${p}`, import.meta.url).pathname;
// Commands that write their output through Deno.stdout, with enough output to need many writes.
const LOUD: string[][] = [
  ["malloc", "-n", "3000", "-c"],
  ["paging", "-n", "3000", "-c"],
  ["cache", "-v", "-s", "4", "-E", "1", "-b", "4", "-t", data("traces/cachelab_mini.trace")],
  ["mdriver", "--json", data("malloc-traces/binary.rep")],
];

Deno.test("every model writes all of its output when the pipe takes it a little at a time", async () => {
  for (const args of LOUD) {
    const whole: string[] = [];
    const pieces: string[] = [];
    const decoder = () => new TextDecoder();
    const d1 = decoder(), d2 = decoder();
    await withStdout(args, (b) => (whole.push(d1.decode(b, { stream: true })), b.length));
    await withStdout(args, (b) => {
      const n = Math.min(b.length, 700); // a pipe that takes at most 700 bytes per write
      pieces.push(d2.decode(b.subarray(0, n), { stream: true }));
      return n;
    });
    const [a, b] = [whole.join(""), pieces.join("")];
    assert.ok(a.length > 0, args.join(" "));
    if (args[0] === "mdriver") {
      // Its timings differ run to run: the same document, as long and as many traces.
      assert.equal(JSON.parse(b).length, JSON.parse(a).length, args.join(" "));
    } else assert.equal(b, a, `${args.join(" ")}: ${b.length} of ${a.length} characters written`);
  }
});

Deno.test("every model stops quietly when the reader closes the pipe (| head -1)", async () => {
  for (const args of LOUD) {
    let calls = 0;
    const status = await withStdout(args, () => {
      calls++;
      throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
    });
    assert.ok(calls >= 1, args.join(" "));
    assert.equal(status, 0, args.join(" "));
  }
});

Deno.test("deno task sim reads paths relative to the folder it was typed in", async () => {
  // `deno task` runs the command in the course's folder; a student in notebooks/ types ../data/...
  const root = new URL("../..", import.meta.url).pathname;
  const env = Deno.env.toObject();
  delete env.INIT_CWD; // as in a fresh terminal: deno task sets it to the caller's folder
  const run = (cwd: string, file: string) =>
    new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "sim", "borrow", file],
      cwd,
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
  const [fromNotebooks, fromRootPath] = await Promise.all([
    run(`${root}notebooks`, "../data/rust/010-copy-i32-accepted.rs"),
    run(`${root}notebooks`, "data/rust/010-copy-i32-accepted.rs"),
  ]);
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.equal(fromNotebooks.code, 0, text(fromNotebooks.stderr));
  assert.match(
    text(fromNotebooks.stdout),
    /^\.\.\/data\/rust\/010-copy-i32-accepted\.rs: accepted/,
  );
  // The same path typed in notebooks/ does not silently mean the course's data/.
  assert.equal(fromRootPath.code, 2);
  assert.match(text(fromRootPath.stderr), /Cannot read FILE\.rs "data\/rust\/010/);
});

// The other command-line entry points: ./garden, deno task release, grade, gradescope, nb.
const ROOT = new URL("../..", import.meta.url).pathname;
const decode = (b: Uint8Array) => new TextDecoder().decode(b);
async function runProcess(
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await new Deno.Command(command, { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
    .output();
  return { code: r.code, stdout: decode(r.stdout), stderr: decode(r.stderr) };
}

Deno.test("./garden and the task scripts print their usage on --help and -h to stdout, exit 0", async () => {
  const deno = (tool: string, flag: string) =>
    runProcess(Deno.execPath(), ["run", "-A", "--frozen", `tools/${tool}.ts`, flag]);
  const runs = await Promise.all([
    runProcess("bash", ["garden", "--help"]),
    runProcess("bash", ["garden", "-h"]),
    deno("release", "--help"),
    deno("grade", "-h"),
    deno("gradescope", "--help"),
  ]);
  const names = ["garden --help", "garden -h", "release --help", "grade -h", "gradescope --help"];
  runs.forEach((r, i) => {
    assert.equal(r.code, 0, `${names[i]}: ${r.stderr}`);
    assert.match(r.stdout, /^Usage: (\.\/garden|deno task \w+)/, names[i]);
    assert.equal(r.stderr, "", names[i]);
  });
  // Without a command, or with an unknown one, ./garden is a usage error on stderr.
  const [none, bogus] = await Promise.all([
    runProcess("bash", ["garden"]),
    runProcess("bash", ["garden", "bogus"]),
  ]);
  assert.deepEqual([none.code, none.stdout, bogus.code, bogus.stdout], [2, "", 2, ""]);
  assert.match(
    bogus.stderr,
    /^Unknown command: expected lab, test, setup or setup-apt: received "bogus"\n/,
  );
});

Deno.test("grade and gradescope: a flag missing its value says it received nothing, not undefined", () => {
  const cases: [() => unknown, RegExp][] = [
    [
      () => parseGradeArgs(["a.ipynb", "--time-limit"]),
      /--time-limit must be a number .*: received nothing\n/,
    ],
    [
      () => parseGradeArgs(["a.ipynb", "--jobs"]),
      /--jobs must be a whole number .*: received nothing\n/,
    ],
    [() => parseGradeArgs(["a.ipynb", "--jobs", " "]), /--jobs must be .*: received " "\n/],
    [() => parseGradeArgs(["a.ipynb", "--jobs", "0x10"]), /--jobs must be .*: received 0x10\n/],
    [
      () => parseGradeArgs(["a.ipynb", "--memory", "0b1000000"]),
      /--memory must be .*: received 0b/,
    ],
    [
      () => parseGradeArgs(["a.ipynb", "--lesson"]),
      /--lesson must be a lesson .*: received nothing$/,
    ],
    [() => parseGradeArgs(["a.ipynb", "--out"]), /--out needs a folder: received nothing\n/],
    [() => parseGradescopeArgs([]), /--lesson must be a lesson .*: received nothing$/],
    [
      () => parseGradescopeArgs(["--lesson", "00", "--out"]),
      /--out must be .*: received nothing\n/,
    ],
    [
      () => parseGradescopeArgs(["--lesson", "00", "--hidden-visibility"]),
      /--hidden-visibility must be one of .*: received nothing$/,
    ],
  ];
  for (const [run, message] of cases) {
    assert.throws(run, (e: Error) => {
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /undefined/);
      return true;
    });
  }
});

Deno.test("gradescope --run on a folder that is not an autograder bundle is a one-line usage error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-cli-run-" });
  try {
    assert.throws(
      () => parseGradescopeArgs(["--run", dir]),
      new RegExp(
        `^Error: Cannot grade: --run must be the /autograder folder of a bundle \\(with source/course/gradescope\\.json\\): received ${dir}$`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task nb: a file that is not a notebook is one line, and --out never overwrites the notebook", async () => {
  const dir = await Deno.makeTempDir({ prefix: "memgarden-cli-nb-" });
  try {
    const notebook = JSON.stringify({
      cells: [],
      metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    });
    await Deno.writeTextFile(`${dir}/00-mine.ipynb`, notebook);
    await Deno.writeTextFile(`${dir}/01-empty.ipynb`, "");
    const nbrun = (...args: string[]) =>
      runProcess("/usr/bin/python3", ["tools/nbrun.py", ...args]);
    const [over, empty, timeout] = await Promise.all([
      nbrun("--out", dir, `${dir}/00-mine.ipynb`),
      nbrun("--out", `${dir}/out`, `${dir}/01-empty.ipynb`),
      nbrun("--timeout", "-1", `${dir}/00-mine.ipynb`),
    ]);
    assert.equal(over.code, 2, over.stderr);
    assert.match(
      over.stderr,
      /^Cannot run notebooks: --out must not be the folder of the notebooks .*: received /,
    );
    assert.equal(await Deno.readTextFile(`${dir}/00-mine.ipynb`), notebook);
    assert.equal(empty.code, 1);
    assert.equal(
      empty.stderr,
      `FAIL 01-empty.ipynb: Cannot read ${dir}/01-empty.ipynb: not a Jupyter notebook: Notebook does not appear to be JSON: ''...\n`,
    );
    assert.equal(timeout.code, 2);
    assert.match(
      timeout.stderr,
      /^Cannot run notebooks: --timeout must be .* from 1 to 86400: received -1\n$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task build: an --out or --executed that is a file is refused before any lesson runs", async () => {
  const file = await Deno.makeTempFile({ prefix: "memgarden-cli-site-" });
  try {
    const site = (...args: string[]) =>
      runProcess("/usr/bin/python3", [
        "tools/site.py",
        "--edition",
        "instructor",
        ...args,
        "notebooks/00-welcome.ipynb",
      ]);
    const [out, executed] = await Promise.all([
      site("--out", file),
      site("--executed", file, "--out", `${file}.site`),
    ]);
    assert.deepEqual([out.code, executed.code], [2, 2], out.stderr + executed.stderr);
    assert.equal(
      out.stderr,
      `Cannot build the site: --out must be a folder: received ${file}, which is a file\n`,
    );
    assert.equal(
      executed.stderr,
      `Cannot build the site: --executed must be a folder of executed lessons: received ${file}, which is a file\n`,
    );
  } finally {
    await Deno.remove(file);
  }
});
