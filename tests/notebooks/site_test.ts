/**
 * `deno task build`: the executed course as a static site, checked as files
 * (titles, navigation, an index with summaries, nothing fetched from the
 * network, no solution in the students' edition) and in a real browser
 * (Debian's Chromium: every chart drawn with a non-zero size, no errors, no
 * request that leaves file://). The site is built here when it is missing or
 * older than a lesson, reusing the executed copies the notebook tests left in
 * out/notebooks.
 */
import assert from "node:assert/strict";
import * as garden from "memgarden";
import { parseNotebook } from "memgarden";
import { Browser, type BrowserPage } from "../../tools/browser.ts";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const SITE = `${REPO}/out/site`;
const EDITIONS = ["instructor", "student"] as const;

const lessons = [...Deno.readDirSync(`${REPO}/notebooks`)]
  .map((e) => e.name)
  .filter((n) => /^\d\d-.*\.ipynb$/.test(n))
  .sort();

function mtime(path: string): number {
  try {
    return Deno.statSync(path).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

let built: Promise<void> | null = null;
/** Build the site once per test run, unless it is already newer than every lesson. */
function ensureSite(): Promise<void> {
  built ??= (async () => {
    const newest = Math.max(
      ...lessons.map((n) => mtime(`${REPO}/notebooks/${n}`)),
      mtime(`${REPO}/tools/site.py`),
    );
    const fresh = EDITIONS.every((e) =>
      lessons.every((n) => mtime(`${SITE}/${e}/${n.replace(".ipynb", ".html")}`) > newest)
    );
    if (fresh) return;
    const out = await new Deno.Command("/usr/bin/python3", {
      args: [`${REPO}/tools/site.py`, "--executed", `${REPO}/out/notebooks`],
      cwd: REPO,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `deno task build failed:\n${text}`);
  })();
  return built;
}

const page = (edition: string, lesson: string) =>
  `${SITE}/${edition}/${lesson.replace(".ipynb", ".html")}`;

/** A cell's source as one string (nbformat allows a list of lines). */
const sourceOf = (cell: { source: unknown }) =>
  Array.isArray(cell.source) ? cell.source.join("") : String(cell.source);

function lessonTitle(name: string): string {
  const nb = parseNotebook(Deno.readTextFileSync(`${REPO}/notebooks/${name}`), name);
  const first = sourceOf(nb.cells[0]).split("\n")[0];
  return first.replace(/^#\s*/, "").trim();
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The distinctive lines of every reference solution (between the markers). */
/** Every text the library exports (given material such as the programs exercises ask to fix). */
const LIBRARY_TEXTS = Object.values(garden).filter((v) => typeof v === "string").join("\n");

function solutionLines(): { lesson: string; line: string }[] {
  const found: { lesson: string; line: string }[] = [];
  for (const name of lessons) {
    const nb = parseNotebook(Deno.readTextFileSync(`${REPO}/notebooks/${name}`), name);
    // A line that the lesson also shows outside any solution (the broken program an exercise
    // asks to fix, say) is part of the question, not a leak; so is a line of a text the
    // library exports (SAFETY_BROKEN_PROGRAM, say), which students have too.
    const outside = nb.cells.map((c) =>
      sourceOf(c).replace(/\/\/ BEGIN SOLUTION[\s\S]*?\/\/ END SOLUTION/g, "")
    ).join("\n") + "\n" + LIBRARY_TEXTS;
    for (const cell of nb.cells) {
      const tags = (cell.metadata?.tags ?? []) as string[];
      if (cell.cell_type !== "code" || !tags.some((t) => t.startsWith("exercise:"))) continue;
      let inside = false;
      for (const raw of sourceOf(cell).split("\n")) {
        if (/\/\/ BEGIN SOLUTION/.test(raw)) inside = true;
        else if (/\/\/ END SOLUTION/.test(raw)) inside = false;
        else if (inside && raw.trim().length >= 16 && !outside.includes(raw.trim())) {
          found.push({ lesson: name, line: raw.trim() });
        }
      }
    }
  }
  return found;
}

Deno.test("site: one page per lesson in each edition, titled with its lesson, linked in order", async () => {
  await ensureSite();
  for (const edition of EDITIONS) {
    const index = await Deno.readTextFile(`${SITE}/${edition}/index.html`);
    lessons.forEach((name, i) => {
      const html = Deno.readTextFileSync(page(edition, name));
      const title = lessonTitle(name);
      assert.match(
        html,
        new RegExp(`<title>${escapeRe(escapeHtml(title))} — Memory Garden</title>`),
      );
      const href = name.replace(".ipynb", ".html");
      assert.ok(index.includes(`href="${href}"`), `${edition} index links ${href}`);
      const prev = /<a rel="prev" href="([^"]+)"/.exec(html)?.[1];
      const next = /<a rel="next" href="([^"]+)"/.exec(html)?.[1];
      assert.equal(prev, i === 0 ? undefined : lessons[i - 1].replace(".ipynb", ".html"));
      assert.equal(
        next,
        i === lessons.length - 1 ? undefined : lessons[i + 1].replace(".ipynb", ".html"),
      );
    });
    // Each lesson's entry carries its opening sentence as a summary.
    assert.equal(
      (index.match(/<li><a href="[^"]+">[^<]+<\/a><p>[^<]{40,}/g) ?? []).length,
      lessons.length,
    );
  }
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

Deno.test("site: no page loads anything from the network", async () => {
  await ensureSite();
  for (const edition of EDITIONS) {
    for (const name of [...lessons, "index.ipynb"]) {
      const html = await Deno.readTextFile(page(edition, name));
      const external = [
        ...html.matchAll(/<(?:script|img|iframe|source)[^>]*\ssrc="(?:https?:)?\/\/[^"]*"/gi),
        ...html.matchAll(/<link[^>]*\shref="(?:https?:)?\/\/[^"]*"/gi),
        ...html.matchAll(/@import\s+url\(\s*["']?(?:https?:)?\/\//gi),
      ].map((m) => m[0]);
      assert.deepEqual(external, [], `${edition}/${name} fetches from the network`);
    }
  }
});

Deno.test("site: the students' edition holds no reference solution; the instructor's does", async () => {
  await ensureSite();
  const lines = solutionLines();
  assert.ok(lines.length >= 5, `found only ${lines.length} solution lines to look for`);
  const pages = (edition: string) =>
    [...Deno.readDirSync(`${SITE}/${edition}`)].map((e) =>
      Deno.readTextFileSync(`${SITE}/${edition}/${e.name}`)
    )
      .join("\n");
  const student = pages("student");
  const instructor = pages("instructor");
  // Pygments splits code into spans: compare text with the markup removed.
  const text = (html: string) =>
    html.replace(/<[^>]+>/g, "").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(
      /&lt;/g,
      "<",
    )
      .replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const studentText = text(student);
  const instructorText = text(instructor);
  // The instructor-only note ("the solutions are in this copy") stays out of the students' pages.
  assert.ok(
    !studentText.includes("Instructor's copy"),
    "the instructor-only note is in a student page",
  );
  assert.ok(instructorText.includes("Instructor's copy"));
  const leaked = lines.filter((l) => studentText.includes(l.line));
  assert.deepEqual(leaked, [], "solution lines in the students' edition");
  const shown = lines.filter((l) => instructorText.includes(l.line));
  assert.equal(
    shown.length,
    lines.length,
    "the search works: the instructor's edition has them all",
  );
});

/** The problems with a page's charts: expected count from the executed notebook, each drawn with a size. */
async function chartProblems(p: BrowserPage, expectedCharts: number): Promise<string[]> {
  const sizes = await p.evaluate<[number, number, number][]>(
    `[...document.querySelectorAll(".output_area svg")]
      .filter((s) => !s.parentElement.closest("svg"))
      .map((s) => { const r = s.getBoundingClientRect(); return [r.width, r.height, s.querySelectorAll("*").length]; })`,
  );
  const problems: string[] = [];
  if (sizes.length !== expectedCharts) {
    problems.push(
      `${sizes.length} charts drawn, ${expectedCharts} expected from the executed notebook`,
    );
  }
  sizes.forEach(([w, h, n], i) => {
    if (!(w > 0 && h > 0)) problems.push(`chart ${i + 1} has size ${w} x ${h}`);
    if (n < 3) problems.push(`chart ${i + 1} is empty (${n} elements)`);
  });
  return problems;
}

Deno.test("site, in Chromium: every chart is drawn, no errors, nothing leaves file://", async () => {
  await ensureSite();
  const browser = await Browser.launch();
  try {
    for (const name of lessons) {
      const p = await browser.newPage();
      await p.goto(`file://${page("instructor", name)}`);
      // How many charts the executed notebook holds, written by the build from its outputs.
      const expected = await p.evaluate<number>("Number(document.body.dataset.charts)");
      assert.ok(Number.isInteger(expected), `${name}: the page says how many charts it holds`);
      const problems = await chartProblems(p, expected);
      assert.deepEqual(problems, [], `${name}`);
      assert.deepEqual(p.log.errors, [], `${name} logged errors`);
      assert.deepEqual(
        p.log.requests.filter((u) => !u.startsWith("file://")),
        [],
        `${name} requests`,
      );
      p.close();
    }
  } finally {
    await browser.close();
  }
});

Deno.test("site, in Chromium: a chart that fails to render fails the check", async () => {
  const dir = await Deno.makeTempDir({ prefix: "garden-site-bad-" });
  const browser = await Browser.launch();
  try {
    const good =
      `<svg width="200" height="100"><g><rect width="50" height="50"/><text>a</text></g></svg>`;
    await Deno.writeTextFile(
      `${dir}/bad.html`,
      `<!DOCTYPE html><meta charset="utf-8"><title>bad</title>
       <div class="output_area">${good}</div>
       <div class="output_area"><svg width="0" height="0"></svg></div>`,
    );
    const p = await browser.newPage();
    await p.goto(`file://${dir}/bad.html`);
    // An empty SVG, and a chart the notebook had but the page lost (SVG without its HTML twin).
    const problems = await chartProblems(p, 3);
    assert.ok(problems.some((m) => /chart 2 has size 0 x 0/.test(m)), problems.join("; "));
    assert.ok(problems.some((m) => /chart 2 is empty/.test(m)), problems.join("; "));
    assert.ok(problems.some((m) => /2 charts drawn, 3 expected/.test(m)), problems.join("; "));
    assert.deepEqual(await chartProblems(p, 1), [
      "2 charts drawn, 1 expected from the executed notebook",
      "chart 2 has size 0 x 0",
      "chart 2 is empty (0 elements)",
    ]);
  } finally {
    await browser.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("site, in Chromium: the same pages work from a plain static server", async () => {
  await ensureSite();
  const types: Record<string, string> = { html: "text/html; charset=utf-8", png: "image/png" };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.includes("..")) return new Response("no", { status: 400 });
    // The type comes from the file served ("/" serves index.html, which must not be a download).
    const file = path.endsWith("/") ? `${path}index.html` : path;
    try {
      const body = await Deno.readFile(`${SITE}${file}`);
      return new Response(body, {
        headers: {
          "content-type": types[file.split(".").at(-1) ?? ""] ?? "application/octet-stream",
        },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const browser = await Browser.launch();
  try {
    const p = await browser.newPage();
    await p.goto(`${origin}/`);
    // Follow the links a reader would: the edition, then the first lesson, then "next".
    await p.goto(`${origin}/instructor/index.html`);
    const first = await p.evaluate<string>(`document.querySelector("ol.lessons a").href`);
    await p.goto(first);
    const expected = await p.evaluate<number>("Number(document.body.dataset.charts)");
    assert.deepEqual(await chartProblems(p, expected), []);
    const next = await p.evaluate<string>(`document.querySelector('a[rel="next"]').href`);
    await p.goto(next);
    assert.match(await p.evaluate<string>("document.title"), /^01 · /);
    assert.deepEqual(p.log.errors, []);
    assert.deepEqual(
      p.log.requests.filter((u) => !u.startsWith(origin)),
      [],
      "requests leave the server",
    );
    p.close();
  } finally {
    await browser.close();
    await server.shutdown();
  }
});
