"""`make bench BENCH_ARGS="--profile NAME"`: one measurement under py-spy, a sampling profiler
attached to every gunicorn worker while the measurement runs, summed into the frames that held
the most samples (in them or below them: "inclusive"; in them alone: "self").

py-spy samples from outside the process (ptrace), so the workers run the code as they always do;
the numbers are shares of the samples taken while a worker was running (idle waits are not
sampled; waiting on PostgreSQL shows as psycopg's wait)."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RATE = 250  # samples a second per worker
TOP = 25
HANDLER = "WSGIHandler.__call__"
# A collapsed stack's frame: "function (path/to/file.py:line)".
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^:()]+)(?::\d+)?\)$")


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


@contextmanager
def profiled(master: int, out: Path, name: str):
    """Record every worker of the gunicorn `master` while the block runs; then write and print
    the summary (out/profile-<name>.txt) and keep the raw stacks beside it."""
    beside = Path(sys.executable).with_name("py-spy")  # the virtualenv's, off the PATH in make
    py_spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if py_spy is None:
        raise RuntimeError("py-spy is not installed: pip install -e '.[dev]'")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    recorders = []
    for pid in worker_pids(master):
        raw = out / f"profile-{slug}-{pid}.raw.txt"
        command = [py_spy, "record", "--pid", str(pid), "--rate", str(RATE)]
        command += ["--format", "raw", "--output", str(raw), "--nonblocking"]
        recorders.append((subprocess.Popen(command, stdout=subprocess.DEVNULL), raw))
    try:
        yield
    finally:
        for process, _raw in recorders:
            process.send_signal(signal.SIGINT)  # py-spy writes its file on an interrupt
        for process, _raw in recorders:
            process.wait(timeout=60)
    summary = summarise([raw for _process, raw in recorders if raw.exists()])
    path = out / f"profile-{slug}.txt"
    path.write_text(f"profile of {name!r}, py-spy at {RATE} Hz on each worker\n\n{summary}")
    print(summary)
    print(f"written to {path}")


def frame_label(frame: str) -> str:
    """`function (file:line)` → `function (app/module.py)`, the path cut to the project or the
    package, so that one function is one row whatever its line."""
    match = FRAME.match(frame)
    if not match:
        return frame
    path = match["file"].removeprefix(f"{ROOT}/")
    for marker in ("site-packages/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match['function']} ({path})"


def summarise(files: list[Path]) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for file in files:
        for line in file.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            samples = int(count)
            frames = [frame_label(frame) for frame in stack.split(";")]
            # A request's samples only, from Django's handler down (not the server's loop).
            handler = next((n for n, f in enumerate(frames) if f.startswith(HANDLER)), None)
            if handler is None:
                continue
            frames = frames[handler:]
            total += samples
            for frame in set(frames):
                inclusive[frame] += samples
            own[frames[-1]] += samples
    if not total:
        return "no request was sampled (was the measurement run?)"

    # The frames nearly every request passes through (the handler, the middleware chain) say
    # nothing about where its time goes.
    inclusive = Counter({frame: n for frame, n in inclusive.items() if n < 0.9 * total})

    def table(title: str, counts: Counter) -> str:
        rows = [f"{title} (of {total:,} samples in requests)", f"{'share':>7}  frame"]
        rows += [f"{100 * n / total:6.1f}%  {frame}" for frame, n in counts.most_common(TOP)]
        return "\n".join(rows)

    return table("inclusive", inclusive) + "\n\n" + table("self", own) + "\n"
