"""What the forked helpers share: the passes' workers (:mod:`asngen.generator.parallel`),
the file writers (:mod:`asngen.output`) and the Level 3 child (:mod:`asngen.level_split`);
and the passes' first worker, forked before the pool is read (:func:`fork_early_worker`:
here, in a module that imports nothing heavy, so that it can be forked before the command's
own modules are imported)."""

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


def memory_file() -> int:
    """A file in memory for a worker's results (an unnamed temporary file without memfd)."""
    try:
        return os.memfd_create("asngen-results", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        import tempfile

        with tempfile.TemporaryFile() as handle:
            return os.dup(handle.fileno())


#: the worker forked early, until the passes take it: in the command {"pid", "tasks": the task
#: pipe's read end, "feed": its write end, "notices", "store"}, in the worker {"role": "worker",
#: "tasks", "store", "notices"}
EARLY: dict = {}

#: pools smaller than this (bytes) are not worth a worker forked before they are read: most
#: have fewer than 200 rows (the corpus's files hold 110 to 600 bytes a row)
EARLY_MIN_BYTES = 100_000


def fork_early_worker() -> bool:
    """Fork the passes' first worker now, before the pool is read: True in the worker.

    A worker forked once the pool is read and the passes prepared shares
    every page of the command's heap, and the first write to a shared
    page, by either process, copies it (2.4 us a page on the development
    VM; Python writes to every object it reads, to count references):
    mega_pool's two processes took some 2,700 more page faults during the
    passes than one process.  Forked first, each process imports the
    generator, reads the pool and prepares the passes on its own, at the
    same time, in pages of its own.  The worker runs the command as the
    command does, up to the passes
    (:func:`asngen.generator.parallel.run_passes`), where it takes tasks
    from the pipe the command fills, and exits; if the command runs no
    passes in workers, :func:`release_early_worker` ends it.
    """
    tasks, feed = os.pipe()
    notices, announce = os.pipe()
    try:
        store = memory_file()
        pid = os.fork()
    except BaseException:
        for fd in (tasks, feed, notices, announce):
            os.close(fd)
        raise
    if pid == 0:
        os.close(feed)
        os.close(notices)
        EARLY.update(role="worker", tasks=tasks, store=store, notices=announce)
        return True
    os.close(announce)
    os.set_blocking(notices, False)
    EARLY.update(pid=pid, tasks=tasks, feed=feed, notices=notices, store=store)
    return False


def release_early_worker() -> None:
    """The worker forked early gets no tasks: it reads the end of its task pipe and is reaped
    (in the worker itself: it exits now)."""
    if EARLY.get("role") == "worker":
        os._exit(0)
    if not EARLY:
        return
    early = dict(EARLY)
    EARLY.clear()
    for fd in (early["feed"], early["tasks"], early["notices"], early["store"]):
        os.close(fd)
    kill_and_reap((early["pid"],))
