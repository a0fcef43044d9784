#!/usr/bin/env python3
"""Run one command and report its wall time, CPU time and peak memory as JSON.

    python benchmarks/_measure.py RESULT.json TIMEOUT CPU STDERR_FILE -- COMMAND...

Why a separate process: ``getrusage(RUSAGE_CHILDREN)`` reports the largest
resident set of *all* children a process has waited for.  Measuring every
run from a fresh wrapper makes the peak memory belong to that one run.  Wall
time is taken here, around the child alone, so the wrapper's own start-up
is not counted.

CPU >= 0 pins the child to that CPU (one core); -1 leaves it unpinned.
With the environment variable ASNGEN_MEASURE_TREE=1 the summed resident
set of the child's whole session (a command with worker processes) is also
sampled every 50 ms, and ``tree_rss_bytes`` is its peak: ``ru_maxrss`` only
knows the largest single process (that mode polls, so its wall time may be
up to 50 ms late; otherwise the wait blocks and ends with the child).
TIMEOUT <= 0 means no limit.  On timeout the child's whole process group is
killed and ``timed_out`` is true.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time


def main(argv: list[str]) -> int:
    if len(argv) < 6 or argv[4] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    result_path, timeout, cpu, stderr_path = argv[0], float(argv[1]), int(argv[2]), argv[3]
    command = argv[5:]
    if cpu >= 0 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})  # inherited by the child
    timed_out = False
    with open(stderr_path, "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )

        def stop(signum, _frame):  # the child has its own session: take it down with us
            os.killpg(child.pid, signal.SIGKILL)
            raise SystemExit(128 + signum)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        tree_peak = 0
        try:
            if os.environ.get("ASNGEN_MEASURE_TREE") == "1":
                deadline = start + timeout if timeout > 0 else None
                while True:
                    tree_peak = max(tree_peak, session_rss(child.pid))
                    try:
                        rc = child.wait(timeout=0.05)
                        break
                    except subprocess.TimeoutExpired:
                        if deadline is not None and time.perf_counter() > deadline:
                            raise
            else:
                # a blocking wait returns the moment the child ends; ``wait(timeout=...)`` polls
                # with sleeps of up to 50 ms and so rounded every wall time up to its next poll
                expired = threading.Event()
                timer = None
                if timeout > 0:
                    timer = threading.Timer(timeout, _expire, (child.pid, expired))
                    timer.daemon = True
                    timer.start()
                rc = child.wait()
                if timer is not None:
                    timer.cancel()
                timed_out = expired.is_set()
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(child.pid, signal.SIGKILL)
            rc = child.wait()
        wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    result = {
        "returncode": rc,
        "timed_out": timed_out,
        "wall_s": wall,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "maxrss_bytes": usage.ru_maxrss * scale,
        "tree_rss_bytes": tree_peak or None,
    }
    with open(result_path, "w", encoding="utf-8") as out:
        json.dump(result, out)
    return 0


def _expire(pid: int, expired: threading.Event) -> None:
    """The timeout: note it, and kill the child's whole process group."""
    expired.set()
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def session_rss(session: int) -> int:
    """Summed resident set (bytes) of the processes in ``session``, read from /proc."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # fields after "(comm)": state, ppid, pgrp, session, ...
            total += int(fields[21]) * page  # rss, in pages
    return total


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
