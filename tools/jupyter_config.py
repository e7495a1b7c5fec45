"""Jupyter configuration that `./garden lab` starts the classic Notebook with.

The course's lessons are committed without outputs. When Jupyter saves (or
autosaves) a lesson that git tracks under notebooks/, this keeps the file the
way it is committed: outputs and execution counts are dropped before writing,
and `deno fmt` rewrites Jupyter's JSON layout in the repository's format. A
lesson that was only opened and run is therefore byte-identical to the
committed one; a change to a cell's source (an exercise answer) is kept.

Copies (File > Make a Copy), student files and anything git does not track
keep their outputs as usual.
"""

import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LESSONS = os.path.join(REPO, "notebooks")
DENO = os.path.join(REPO, ".tools", "node_modules", ".bin", "deno")


def _tracked_lesson(os_path):
    """True when os_path is a notebook directly in notebooks/ that git tracks."""
    real = os.path.realpath(os_path)
    if os.path.dirname(real) != os.path.realpath(LESSONS) or not real.endswith(".ipynb"):
        return False
    if not os.path.isdir(os.path.join(REPO, ".git")):
        return False
    rel = os.path.relpath(real, os.path.realpath(REPO))
    done = subprocess.run(
        ["git", "-C", REPO, "ls-files", "--error-unmatch", "--", rel],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return done.returncode == 0


def strip_lesson_outputs(model, path, contents_manager, **kwargs):
    """pre_save_hook: a tracked lesson is saved without outputs."""
    if model.get("type") != "notebook" or model.get("content") is None:
        return
    os_path = contents_manager._get_os_path(path)
    if not _tracked_lesson(os_path):
        return
    for cell in model["content"].get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None


def format_lesson(model, os_path, contents_manager, **kwargs):
    """post_save_hook: a tracked lesson is written in the repository's format."""
    if model.get("type") != "notebook" or not _tracked_lesson(os_path):
        return
    deno = DENO if os.access(DENO, os.X_OK) else "deno"
    # Keep the modification time Jupyter just reported to the browser, so
    # the next save does not warn that the file "changed on disk".
    before = os.stat(os_path)
    try:
        subprocess.run([deno, "fmt", "--quiet", os_path], cwd=REPO, check=False, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        contents_manager.log.warning("deno fmt could not format %s", os_path)
    finally:
        os.utime(os_path, ns=(before.st_atime_ns, before.st_mtime_ns))


c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)
c.FileContentsManager.pre_save_hook = strip_lesson_outputs
c.FileContentsManager.post_save_hook = format_lesson
