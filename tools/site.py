#!/usr/bin/python3
"""Build the executed course as a static site (`deno task build`).

Usage: /usr/bin/python3 tools/site.py [--out DIR] [--jobs N] [--edition instructor|student]...
                                      [--executed DIR] [NOTEBOOK...]

Two editions, each a folder of plain HTML pages that works from file:// and
from any static server, with nothing fetched from the network:
- instructor: the lessons in notebooks/, executed as they are;
- student: the copies `deno task release` writes (solutions stubbed, no
  hidden tests), executed, so their exercise checks show what a student sees
  before answering.
DIR (default out/site) gets instructor/, student/ and an index.html that
links both. Every page is titled with its lesson, has previous / next links,
and an index lists each lesson with its opening sentence.

--executed DIR takes already executed instructor copies (e.g. out/notebooks
from the notebook tests) instead of running the lessons again; a copy older
than its source is run again.

Exit status: 0 when every notebook ran and every page was written, 1 when a
notebook failed, 2 on a usage error.
"""
import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor

import nbformat

TOOLS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import nbrun  # noqa: E402  (the notebook runner beside this file)

LESSON_NAME = re.compile(r"^\d\d-[A-Za-z0-9-]+\.ipynb$")

PAGE_CSS = """
:root { --fg: #1d2321; --muted: #5b6661; --line: #d9e0dc; --accent: #2f6b4f; --code: #f6f8f7; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header, footer { background: #eef3f0; border-bottom: 1px solid var(--line); padding: .6rem 1.2rem; }
footer { border-top: 1px solid var(--line); border-bottom: 0; margin-top: 2rem; }
nav { display: flex; gap: 1rem; justify-content: space-between; max-width: 62rem; margin: 0 auto; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
nav .edition { color: var(--muted); }
main { max-width: 62rem; margin: 0 auto; padding: 1rem 1.2rem; }
h1, h2, h3 { line-height: 1.25; }
a.anchor-link { display: none; }
.cell { margin: .8rem 0; }
.prompt { display: none; }
.input_area { background: var(--code); border: 1px solid var(--line); border-radius: 4px;
  padding: .5rem .8rem; overflow-x: auto; }
pre { margin: 0; font: 13.5px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre; }
.output_area { padding: .4rem 0 .4rem .8rem; border-left: 3px solid var(--line); overflow-x: auto; }
.output_area pre { white-space: pre-wrap; }
.output_stderr, .output_error { background: #fdf1f0; }
table { border-collapse: collapse; margin: .4rem 0; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f6f4; }
svg { max-width: 100%; height: auto; }
code { background: var(--code); padding: 0 .2em; border-radius: 3px; font-size: 90%; }
pre code { background: none; padding: 0; }
ol.lessons { padding-left: 1.4rem; }
ol.lessons li { margin: .7rem 0; }
ol.lessons p { margin: .2rem 0; color: var(--muted); }
"""


def usage_error(message):
    print(f"Cannot build the site: {message}", file=sys.stderr)
    sys.exit(2)


def lesson_title(nb, fallback):
    """The lesson's `# NN · Topic` heading, without the hashes."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def lesson_summary(nb):
    """The opening paragraph under the title, as plain text."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", cell.source) if p.strip()]
        for p in paragraphs:
            if not p.startswith("#"):
                text = re.sub(r"[*_`]", "", " ".join(p.split()))
                return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
        break
    return ""


def pygments_css():
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".highlight")


def chart_count(nb):
    """Outputs that hold a chart (an SVG), counted in the executed notebook itself."""
    return sum(
        1
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "image/svg+xml" in o.get("data", {})
    )


def page(title, body, nav_html, edition, charts=0):
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        # No favicon to fetch: a static server would answer 404 and the browser log an error.
        "<link rel=\"icon\" href=\"data:,\">\n"
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{PAGE_CSS}\n{pygments_css()}</style>\n</head>\n<body data-edition=\"{edition}\" data-charts=\"{charts}\">\n"
        f"<header>{nav_html}</header>\n<main>\n{body}\n</main>\n<footer>{nav_html}</footer>\n"
        "</body>\n</html>\n"
    )


def nav(prev_page, next_page, edition):
    def link(target, label, rel):
        if target is None:
            return "<span></span>"
        href, title = target
        return f'<a rel="{rel}" href="{html.escape(href)}">{label} {html.escape(title)}</a>'

    return (
        "<nav>"
        + link(prev_page, "←", "prev")
        + f'<a href="index.html">Memory Garden</a> <span class="edition">{edition} edition</span>'
        + link(next_page, "→", "next")
        + "</nav>"
    )


def render_edition(executed, out_dir, edition):
    """Write one edition's pages from executed notebooks [(name, path)]; return the lessons."""
    from nbconvert import HTMLExporter

    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    exporter = HTMLExporter(template_name="basic")
    lessons = []
    for name, path in executed:
        nb = nbformat.read(path, as_version=4)
        lessons.append((name, nb, lesson_title(nb, name), lesson_summary(nb)))
    for i, (name, nb, title, _) in enumerate(lessons):
        body, _ = exporter.from_notebook_node(nb)
        prev_page = None if i == 0 else (
            lessons[i - 1][0].replace(".ipynb", ".html"), lessons[i - 1][2])
        next_page = None if i == len(lessons) - 1 else (
            lessons[i + 1][0].replace(".ipynb", ".html"), lessons[i + 1][2])
        with open(os.path.join(out_dir, name.replace(".ipynb", ".html")), "w", encoding="utf-8") as f:
            f.write(page(f"{title} — Memory Garden", body, nav(prev_page, next_page, edition), edition,
                         chart_count(nb)))
    items = "\n".join(
        f'<li><a href="{html.escape(n.replace(".ipynb", ".html"))}">{html.escape(t)}</a>'
        f"<p>{html.escape(s)}</p></li>"
        for n, _, t, s in lessons
    )
    intro = (
        "The lessons executed on the machine that built these pages, with every output and chart."
        if edition == "instructor"
        else "The lessons as students receive them: exercises unanswered, executed on the machine "
        "that built these pages."
    )
    body = f"<h1>Memory Garden</h1><p>{intro}</p>\n<ol class=\"lessons\">\n{items}\n</ol>"
    with open(os.path.join(out_dir, "index.html"), "w", encoding="utf-8") as f:
        f.write(page(f"Memory Garden — {edition} edition", body, nav(None, None, edition), edition))
    return [(n, t) for n, _, t, _ in lessons]


NOT_IMPLEMENTED = re.compile(r"not implemented yet")


def run_one_job(job):
    path, out_dir, stubs = job
    return path, nbrun.run_one(path, out_dir, 300, NOT_IMPLEMENTED if stubs else None)


def execute(paths, out_dir, jobs, stubs=False):
    """Run notebooks (in parallel kernels); return [(name, executed path)] and the failures.

    stubs: the notebooks are released copies, whose unanswered exercises
    raise "not implemented yet"; those errors are what a student sees and
    are kept, any other error fails the notebook.
    """
    os.makedirs(out_dir, exist_ok=True)
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(run_one_job, [(p, out_dir, stubs) for p in paths]))
    failed = [os.path.basename(p) for p, ok in results if not ok]
    done = [(os.path.basename(p), os.path.join(out_dir, os.path.basename(p))) for p, _ in results]
    return done, failed


def reusable(source, executed_dir):
    """An executed copy newer than its source, with no error output, or None."""
    copy = os.path.join(executed_dir, os.path.basename(source))
    if not os.path.isfile(copy) or os.path.getmtime(copy) < os.path.getmtime(source):
        return None
    nb = nbformat.read(copy, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    if any(o.get("output_type") == "error" for c in code for o in c.get("outputs", [])):
        return None
    if any(c.get("execution_count") is None for c in code):
        return None
    return copy


def release(sources, out_dir):
    deno = os.path.join(REPO, ".tools", "node_modules", ".bin", "deno")
    deno = deno if os.access(deno, os.X_OK) else "deno"
    done = subprocess.run(
        [deno, "run", "-A", "--frozen", os.path.join(TOOLS, "release.ts"), "--out", out_dir, *sources],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        nbrun.progress(done.stdout + done.stderr)
        return None
    found = []
    for root, _, files in os.walk(out_dir):
        found += [os.path.join(root, f) for f in files if LESSON_NAME.match(f)]
    return sorted(found, key=os.path.basename)


def main(argv):
    parser = argparse.ArgumentParser(description="Build the executed course as a static site")
    parser.add_argument("notebooks", nargs="*", help="lessons to include (default: all of notebooks/)")
    parser.add_argument("--out", default=os.path.join(REPO, "out", "site"))
    parser.add_argument("--jobs", type=int, default=2, help="kernels run at once (1-8)")
    parser.add_argument("--edition", action="append", choices=["instructor", "student"])
    parser.add_argument("--executed", help="reuse executed instructor copies from this folder")
    args = parser.parse_args(argv)
    if not 1 <= args.jobs <= 8:
        usage_error(f"--jobs must be an integer from 1 to 8: received {args.jobs}")
    editions = args.edition or ["instructor", "student"]
    sources = args.notebooks or [
        os.path.join(REPO, "notebooks", n)
        for n in sorted(os.listdir(os.path.join(REPO, "notebooks")))
        if LESSON_NAME.match(n)
    ]
    for s in sources:
        if not os.path.isfile(s) or not LESSON_NAME.match(os.path.basename(s)):
            usage_error(f"each notebook must be an existing NN-topic.ipynb file: received {s}")
    out = os.path.abspath(args.out)
    if os.path.realpath(out).startswith(os.path.realpath(os.path.join(REPO, "notebooks"))):
        usage_error(f"--out must not be inside notebooks/: received {args.out}")
    # Checked before minutes of running lessons, not after.
    if os.path.exists(out) and not os.path.isdir(out):
        usage_error(f"--out must be a folder: received {args.out}, which is a file")
    if args.executed is not None and os.path.exists(args.executed) and not os.path.isdir(args.executed):
        usage_error(f"--executed must be a folder of executed lessons: received {args.executed}, which is a file")
    if args.executed is not None and not os.path.exists(args.executed):
        nbrun.progress(f"--executed {args.executed} does not exist: every lesson is run")
    nbrun.setup_environment()
    failed = []
    built = {}
    # Inside the repository, so that kernels find deno.json (and "memgarden") by walking up.
    os.makedirs(os.path.join(REPO, "out"), exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".site-work-", dir=os.path.join(REPO, "out")) as work:
        if "instructor" in editions:
            reuse = {s: reusable(s, args.executed) for s in sources} if args.executed else {}
            todo = [s for s in sources if not reuse.get(s)]
            nbrun.progress(
                f"instructor edition: running {len(todo)} lessons"
                + (f", reusing {len(sources) - len(todo)} from {args.executed}" if args.executed else "")
            )
            ran, bad = execute(todo, os.path.join(work, "instructor"), args.jobs)
            failed += [f"instructor {n}" for n in bad]
            executed = {n: p for n, p in ran}
            executed.update({os.path.basename(s): c for s, c in reuse.items() if c})
            if bad:
                shutil.rmtree(os.path.join(out, "instructor"), ignore_errors=True)
            else:
                built["instructor"] = render_edition(
                    sorted(executed.items()), os.path.join(out, "instructor"), "instructor")
        if "student" in editions:
            # The student edition is a whole course (notebooks/, lib/, data/, deno.json): its
            # lessons run there, as a student's would.
            released = release(sources, os.path.join(work, "edition"))
            if released is None:
                failed.append("student: deno task release failed")
            else:
                nbrun.progress(f"student edition: running {len(released)} released lessons")
                ran, bad = execute(released, os.path.join(work, "student"), args.jobs, stubs=True)
                failed += [f"student {n}" for n in bad]
                if bad:
                    shutil.rmtree(os.path.join(out, "student"), ignore_errors=True)
                else:
                    built["student"] = render_edition(ran, os.path.join(out, "student"), "student")
    os.makedirs(out, exist_ok=True)
    links = "".join(
        f'<li><a href="{e}/index.html">{e.capitalize()} edition</a> ({len(built[e])} lessons)</li>'
        for e in built
    )
    with open(os.path.join(out, "index.html"), "w", encoding="utf-8") as f:
        f.write(page("Memory Garden", f"<h1>Memory Garden</h1><ul>{links}</ul>", "", "both"))
    for e in built:
        nbrun.progress(f"{e} edition: {os.path.join(out, e, 'index.html')}")
    if failed:
        nbrun.progress("failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
