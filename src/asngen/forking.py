"""What the two kinds of forked helper share: the passes' workers
(:mod:`asngen.generator.parallel`) and the file writers (:mod:`asngen.output`)."""

from __future__ import annotations

import os


def write_fully(fd: int, data: bytes) -> None:
    """All of ``data`` to ``fd`` (a write to a pipe or file may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def kill_and_reap(pids) -> None:
    """Kill these children if they still run, and wait for each (no zombie is left)."""
    import signal

    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in pids:
        os.waitpid(pid, 0)
