"""The passes' worker forked before the pool is read (``generate -j N`` on a large pool).

The worker reads the pool and prepares the passes on its own, then takes
tasks like a worker forked at the passes (asngen.forking.
fork_early_worker).  The files must be those of one process; the worker
must end, and say nothing, whatever happens to the run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from asngen import forking
from asngen.cli.main import main
from asngen.generator import parallel

from .pools import child_processes, exposure, write_pool, write_synthetic_pool

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


@pytest.fixture(scope="module")
def pool(tmp_path_factory) -> Path:
    """600 rows: more than MIN_ROWS, and a file larger than EARLY_MIN_BYTES."""
    return write_synthetic_pool(tmp_path_factory.mktemp("early") / "synthetic_pool.csv", 600, 12)


@pytest.fixture
def seen(monkeypatch) -> dict:
    """What this process saw of the early worker: forks, tasks handed over, payloads back."""
    found = {"forked": 0, "taken": 0, "payloads": 0}
    fork, take, restore = forking.fork_early_worker, parallel._take_early, parallel._restore

    def counted_fork():
        in_worker = fork()
        found["forked"] += 1
        return in_worker

    def counted_take(count, workers):
        found["taken"] += 1
        return take(count, workers)

    def counted_restore(payload, *args):
        found["payloads"] += 1
        return restore(payload, *args)

    monkeypatch.setattr(forking, "fork_early_worker", counted_fork)
    monkeypatch.setattr(parallel, "_take_early", counted_take)
    monkeypatch.setattr(parallel, "_restore", counted_restore)
    return found


def _folder(path: Path) -> dict[str, bytes]:
    return {entry.name: entry.read_bytes() for entry in sorted(path.iterdir())}


def _run(pool: Path, out: Path, *options: str) -> int:
    return main(["generate", str(pool), "-p", str(out), "--version-id", "x", *options])


def test_the_early_worker_takes_tasks_and_the_files_are_those_of_one_process(pool, tmp_path, seen):
    assert pool.stat().st_size >= forking.EARLY_MIN_BYTES
    assert _run(pool, tmp_path / "one", "-j", "1") == 0
    assert seen["forked"] == 0
    before = child_processes()
    assert _run(pool, tmp_path / "two", "-j", "2") == 0
    assert seen["forked"] == 1 and seen["taken"] == 1 and seen["payloads"] > 0
    assert _folder(tmp_path / "two") == _folder(tmp_path / "one")
    assert child_processes() == before


@pytest.mark.parametrize("options", [["--discover"], ["--all-candidates"], ["--dry-run"], ["-i", "o001", "o002"]],
                         ids=lambda o: " ".join(o))
def test_the_early_worker_under_other_options(pool, tmp_path, seen, options):
    assert _run(pool, tmp_path / "one", "-j", "1", *options) == 0
    assert _run(pool, tmp_path / "two", "-j", "2", *options) == 0
    assert seen["forked"] == 1
    if "--dry-run" not in options:
        assert _folder(tmp_path / "two") == _folder(tmp_path / "one")


def test_a_small_pool_forks_its_worker_at_the_passes(tmp_path, seen):
    rows = [exposure(f"jw99009001001_0210{n}_00001_mirimage_uncal.fits") for n in range(1, 4)]
    small = write_pool(tmp_path, rows)
    assert small.stat().st_size < forking.EARLY_MIN_BYTES
    assert _run(small, tmp_path / "out", "-j", "2") == 0
    assert seen["forked"] == 0


def test_the_early_worker_ends_when_the_run_has_no_passes_for_it(tmp_path, seen, monkeypatch):
    monkeypatch.setattr(forking, "EARLY_MIN_BYTES", 0)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})  # two CPUs, wherever it runs
    rows = [exposure(f"jw99009001001_0210{n}_00001_mirimage_uncal.fits") for n in range(1, 4)]
    small = write_pool(tmp_path, rows)  # fewer rows than MIN_ROWS: the passes stay in one process
    before = child_processes()
    assert _run(small, tmp_path / "two") == 0
    assert seen["forked"] == 1 and seen["taken"] == 0
    assert child_processes() == before
    assert _run(small, tmp_path / "one", "-j", "1") == 0
    assert _folder(tmp_path / "two") == _folder(tmp_path / "one")


def test_a_bad_pool_is_reported_once_and_leaves_no_worker(tmp_path, seen, monkeypatch, capfd):
    monkeypatch.setattr(forking, "EARLY_MIN_BYTES", 0)
    rows = [exposure(f"jw99009001001_0210{n}_00001_mirimage_uncal.fits") for n in range(3)]
    bad = write_pool(tmp_path, rows, without=("ASN_CANDIDATE",))
    before = child_processes()
    assert _run(bad, tmp_path / "out", "-j", "2") != 0
    assert seen["forked"] == 1
    err = capfd.readouterr().err
    assert err.count("asngen generate:") == 1 and "ASN_CANDIDATE" in err, err
    assert not (tmp_path / "out").exists()
    assert child_processes() == before


def test_an_early_worker_that_dies_makes_this_process_run_the_passes(pool, tmp_path, seen, monkeypatch):
    def dying(chunks):
        os._exit(3)

    monkeypatch.setattr(parallel, "_serve_early", dying)  # the worker inherits the patch
    assert _run(pool, tmp_path / "two", "-j", "2") == 0
    assert seen["forked"] == 1 and seen["payloads"] == 0
    assert _run(pool, tmp_path / "one", "-j", "1") == 0
    assert _folder(tmp_path / "two") == _folder(tmp_path / "one")
