#!/usr/bin/python3
"""Execute notebooks headlessly through the real Deno Jupyter kernel.

Usage: /usr/bin/python3 tools/nbrun.py [--out DIR] [--timeout S] NOTEBOOK...

Each notebook runs top to bottom in a fresh kernel, in its own folder. The
executed copy is written to DIR (default: out/notebooks), also when a cell
fails, so the failing output can be read. The source notebook is never
modified. Exit status: 0 when every notebook ran without a cell error, 1 when
any failed, 2 on a usage error.

Deno 2.9's kernel sometimes publishes an output just after it reports idle;
stock nbclient then drops that output. PatientClient keeps reading IOPub for a
short grace period after idle, so no output is lost.
"""
import argparse
import asyncio
import os
import queue
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError, DeadKernelError
from nbclient.util import ensure_async

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRACE_SECONDS = 0.15


class PatientClient(NotebookClient):
    """An nbclient that waits briefly after 'idle' for late outputs."""

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    break
        deadline = time.monotonic() + GRACE_SECONDS
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=remaining))
            except (queue.Empty, asyncio.TimeoutError, TimeoutError):
                return
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    pass


def progress(message):
    print(message, file=sys.stderr, flush=True)


def kernel_peak_rss_kib(client):
    """The kernel process's peak resident set so far (VmHWM in /proc), or None.

    Only the kernel itself: child processes its experiments start are not
    counted here (their own results report them).
    """
    try:
        pid = client.km.provisioner.process.pid
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (AttributeError, OSError, ValueError):
        return None
    return None


def setup_environment():
    """Find the repo's kernelspec and the Deno in .tools/ (for this process and its kernels)."""
    jupyter_path = os.path.join(REPO, ".jupyter")
    os.environ["JUPYTER_PATH"] = jupyter_path + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    tools_bin = os.path.join(REPO, ".tools", "node_modules", ".bin")
    if os.path.isdir(tools_bin):
        os.environ["PATH"] = tools_bin + os.pathsep + os.environ.get("PATH", "")


def run_one(path, out_dir, timeout, allowed_error=None):
    """Run one notebook; write the executed copy; return True when it ran cleanly.

    allowed_error: a compiled regex; cell errors whose message matches it are
    expected (the released copies' "not implemented yet" stubs) and do not
    fail the run, any other error does.
    """
    name = os.path.basename(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # not JSON, not a notebook, unreadable: one line, not a traceback
        reason = " ".join(str(err).split()) or type(err).__name__
        progress(f"FAIL {name}: Cannot read {path}: not a Jupyter notebook: {reason[:300]}")
        return False
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip())
    done = {"n": 0}

    peak = {"kib": None}

    def on_cell_executed(cell, cell_index, execute_reply):
        done["n"] += 1
        kib = kernel_peak_rss_kib(client)
        if kib is not None:
            peak["kib"] = kib

    client = PatientClient(
        nb,
        kernel_name="deno",
        timeout=timeout,
        iopub_timeout=10,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        on_cell_executed=on_cell_executed,
        allow_errors=allowed_error is not None,
    )
    started = time.monotonic()
    error = None
    try:
        client.execute()
    except CellExecutionError as err:
        error = str(err)
    except DeadKernelError as err:
        error = f"the kernel died: {err}"
    except Exception as err:  # timeouts and kernel start failures
        error = f"{type(err).__name__}: {err}"
    if error is None and allowed_error is not None:
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and not allowed_error.search(
                        f"{out.get('ename')}: {out.get('evalue')}"):
                    error = f"cell {i + 1}: {out.get('ename')}: {out.get('evalue')}"
    elapsed = time.monotonic() - started
    os.makedirs(out_dir, exist_ok=True)
    out_path = os.path.join(out_dir, name)
    nbformat.write(nb, out_path)
    if error:
        progress(f"FAIL {name} after {done['n']}/{code_cells} code cells ({elapsed:.1f} s); executed copy: {out_path}")
        progress(error)
        return False
    rss = "" if peak["kib"] is None else f", kernel peak RSS {peak['kib'] / 1024:.0f} MiB"
    progress(f"ok   {name}: {code_cells} code cells in {elapsed:.1f} s{rss} -> {out_path}")
    return True


def main(argv):
    parser = argparse.ArgumentParser(description="Execute notebooks through the Deno kernel")
    parser.add_argument(
        "notebooks", nargs="*", help="notebooks to run (default: every lesson in notebooks/)"
    )
    parser.add_argument("--out", default=os.path.join(REPO, "out", "notebooks"))
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell (1 to 86400)")
    args = parser.parse_args(argv)
    if not 1 <= args.timeout <= 86400:
        progress(f"Cannot run notebooks: --timeout must be a whole number of seconds from 1 to 86400: received {args.timeout}")
        return 2
    if not args.notebooks:
        folder = os.path.join(REPO, "notebooks")
        args.notebooks = sorted(
            os.path.join(folder, f) for f in os.listdir(folder)
            if f.endswith(".ipynb") and f[:2].isdigit() and f[2:3] == "-"
        )
    setup_environment()
    missing = [p for p in args.notebooks if not os.path.isfile(p)]
    if missing:
        progress(f"Cannot run notebooks: no such file: {', '.join(missing)}")
        return 2
    # The executed copy is written to --out under the notebook's own name: never over the notebook.
    for p in args.notebooks:
        target = os.path.join(args.out, os.path.basename(p))
        if os.path.exists(target) and os.path.samefile(target, p):
            progress(f"Cannot run notebooks: --out must not be the folder of the notebooks (the executed copy would overwrite {p}): received {args.out}")
            return 2
    results = [run_one(p, args.out, args.timeout) for p in args.notebooks]
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
