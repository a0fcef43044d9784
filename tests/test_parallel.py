"""Candidate passes in worker processes give exactly what one process gives.

The workers start their numbering from zero and the parent renumbers; any
mismatch in order, serials, sequence numbers, restored rows or rules would
show up as a different file name or text.  Errors in a worker make the
parent run the passes itself, so they surface as they do without workers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from asngen.api import generate
from asngen.errors import AsngenError
from asngen.forking import memory_file
from asngen.generator import parallel
from asngen.generator.loop import RunState
from asngen.options import GenerateOptions

from .pools import exposure, write_pool, write_synthetic_pool

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


@pytest.fixture(scope="module")
def synthetic_pool(tmp_path_factory) -> Path:
    """1,200 rows of every mode the benchmark pools have (candidates of every type, nods, TSO...)."""
    path = tmp_path_factory.mktemp("parallel") / "synthetic_pool.csv"
    write_synthetic_pool(path, 1200, 5)
    return path


def _files(pool: Path, jobs: int, **options) -> list[tuple[str, str]]:
    result = generate(pool, GenerateOptions(version_id="x", jobs=jobs, **options))
    return list(result.files)


OPTION_SETS = [
    {},
    {"discover": True},
    {"all_candidates": True},
    {"finalize": False},
    {"debug": True},
    {"merge": True},
    {"fmt": "yaml"},
]


@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: ",".join(o) or "default")
def test_two_workers_write_the_same_files_as_one_process(synthetic_pool, options):
    single = _files(synthetic_pool, 1, **options)
    assert len(single) > 100
    assert _files(synthetic_pool, 2, **options) == single


@pytest.mark.parametrize("options", [{}, {"discover": True}, {"all_candidates": True}],
                         ids=lambda o: ",".join(o) or "default")
def test_a_large_candidate_is_taken_row_by_row_and_writes_the_same_files(synthetic_pool, monkeypatch, options):
    """A candidate of more than LISTED_ROWS rows is given to its pass as an iterator, each row's
    dict made as it is taken and let go when its step is done, instead of a list that keeps
    them all until the pass ends."""
    given: list[bool] = []  # whether each pass was given a list
    original = parallel.generate

    def watch(rows, *args, **kwargs):
        given.append(type(rows) is list)
        return original(rows, *args, **kwargs)

    monkeypatch.setattr(parallel, "generate", watch)
    listed = _files(synthetic_pool, 1, **options)
    assert any(given)
    given.clear()
    monkeypatch.setattr(parallel, "LISTED_ROWS", 0)
    assert _files(synthetic_pool, 1, **options) == listed
    assert given and not any(given)


def test_three_workers_and_chosen_candidates_with_dms(synthetic_pool):
    ids = ("o001", "o003", "c1000")
    single = _files(synthetic_pool, 1, ids=ids, dms=True)
    assert single
    assert _files(synthetic_pool, 3, ids=ids, dms=True) == single


def test_progress_is_reported_per_candidate_in_order(synthetic_pool):
    def labels(jobs: int) -> list[str]:
        seen: list[str] = []
        run = RunState()
        run.on_progress = seen.append
        generate(synthetic_pool, GenerateOptions(jobs=jobs), run=run)
        return seen

    single = labels(1)
    assert len(single) > 10
    assert labels(2) == single


def test_a_failing_worker_makes_the_parent_run_the_passes_itself(synthetic_pool, monkeypatch):
    single = _files(synthetic_pool, 1)

    def broken(*args):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(parallel, "_detach", broken)  # the forked workers inherit the patch
    assert _files(synthetic_pool, 2) == single


def test_an_error_in_a_rule_file_is_reported_as_without_workers(tmp_path):
    rules = tmp_path / "bad_rules.py"
    rules.write_text(
        "from asngen.engine.constraints import All, Attr, Test\n"
        "from asngen.rules import level3 as l3\n"
        "from asngen.rules.model import Rule\n"
        "def _boom(item, asn):\n"
        "    raise ValueError('rule bug')\n"
        "RULES = [Rule(name='Asn_Boom', level=3, asn_type='image3',\n"
        "              constraints=lambda: All(Attr(['exp_type'], name='exp_type', value='mir_image'),\n"
        "                                      Test(_boom, value=True)),\n"
        "              exposure_type=l3.exposure_type)]\n"
    )
    rows = [exposure(f"jw99009001001_0210{n}_00001_mirimage_uncal.fits") for n in range(1, 4)]
    rows.append(exposure("jw99009002001_02101_00001_mirimage_uncal.fits", OBS_NUM=2,
                         ASN_CANDIDATE="[('o002', 'observation')]"))
    pool = write_pool(tmp_path, rows)
    messages = []
    for jobs in (1, 2):
        with pytest.raises((AsngenError, ValueError)) as caught:
            generate(pool, GenerateOptions(rules=(str(rules),), jobs=jobs))
        messages.append((type(caught.value), str(caught.value)))
    assert messages[0] == messages[1]
    assert "rule bug" in messages[0][1] or "bad_rules.py" in messages[0][1]


def test_automatic_choice_keeps_small_pools_in_one_process():
    assert parallel.usable_jobs(None, parallel.MIN_ROWS - 1) == 1
    assert parallel.usable_jobs(1, 10**6) == 1
    assert parallel.usable_jobs(4, 10) == 4


def test_tasks_cover_every_pass_once_heaviest_first():
    weights = [5000, 3, 8, 1, 1, 40, 2, 2, 900, 7]
    chunks = parallel._chunks(weights, 2)
    covered = sorted(position for chunk in chunks for position in chunk)
    assert covered == list(range(len(weights)))
    assert chunks[0] == [0]  # the discover-sized pass starts first, alone


def test_the_command_refuses_a_job_count_below_one(tmp_path):
    pool = write_pool(tmp_path, [exposure("jw99009001001_02101_00001_mirimage_uncal.fits")])
    done = subprocess.run(
        [sys.executable, "-m", "asngen", "generate", str(pool), "-j", "0", "-p", str(tmp_path / "out")],
        capture_output=True, text=True,
    )
    assert done.returncode == 2
    assert "--jobs" in done.stderr and "1 or more" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_worker_that_dies_makes_the_parent_run_the_passes_itself(synthetic_pool, monkeypatch):
    single = _files(synthetic_pool, 1)

    def killed(*args):
        os._exit(9)  # as if the system had killed the worker (out of memory)

    monkeypatch.setattr(parallel, "_detach", killed)
    assert _files(synthetic_pool, 2) == single


def test_a_fork_that_fails_stops_the_workers_made_and_the_parent_runs_the_passes(synthetic_pool, monkeypatch):
    single = _files(synthetic_pool, 1)
    real_fork = os.fork
    forks = []

    def second_fails():
        if forks:
            raise OSError(11, "Resource temporarily unavailable")
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", second_fails)
    assert _files(synthetic_pool, 3) == single
    assert len(forks) == 1
    with pytest.raises(ChildProcessError):  # the worker that was made has been reaped
        os.waitpid(forks[0], os.WNOHANG)


def test_a_worker_hands_back_large_results_without_waiting_for_the_parent(monkeypatch):
    """Results far larger than a pipe holds: the worker finishes before the parent reads a
    byte (it never waits for this process), and every payload comes back whole, in order."""
    import time

    sizes = [3_000_000, 10, 1_500_000]
    monkeypatch.setattr(parallel, "_work", lambda chunk: bytes([chunk[0]]) * sizes[chunk[0]])
    chunks = [[0], [1], [2]]
    tasks = parallel._task_pipe(len(chunks))
    worker = parallel._Worker.fork(tasks, chunks)
    try:
        os.close(tasks)
        deadline = time.monotonic() + 60
        while os.waitid(os.P_PID, worker.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            assert time.monotonic() < deadline, "the worker waited for the parent"
            time.sleep(0.01)
        payloads = list(worker.arrived()) + list(worker.results())
    finally:
        worker.stop()
    assert [len(payload) for payload in payloads] == sizes
    assert [payload[:1] for payload in payloads] == [b"\x00", b"\x01", b"\x02"]


def test_without_memfd_the_workers_use_a_temporary_file(synthetic_pool, monkeypatch):
    single = _files(synthetic_pool, 1)

    def missing(*args):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(os, "memfd_create", missing)
    assert _files(synthetic_pool, 2) == single


def test_results_are_read_whole_when_the_system_returns_them_in_parts(monkeypatch):
    fd = memory_file()
    try:
        os.write(fd, b"0123456789abcdef")
        real = os.pread
        monkeypatch.setattr(os, "pread", lambda f, size, offset: real(f, min(size, 3), offset))
        assert parallel._read_at(fd, 10, 4) == b"456789abcd"
        with pytest.raises(parallel.WorkerFailed):
            parallel._read_at(fd, 20, 4)
    finally:
        os.close(fd)


def test_an_association_comes_back_from_a_worker_whole(synthetic_pool):
    """What a worker sends (pickled) makes the same association in the parent: its rule bound
    again for its candidate, its rows back, the attributes rule code added, its states."""
    import pickle

    from asngen.pool import read_pool
    from asngen.registry import CANDIDATE, Registry, RuleBinder, resolve_rule_files

    pool = read_pool(synthetic_pool)
    result = generate(pool, GenerateOptions(jobs=1))
    asn = next(asn for asn in result.associations if asn.level == 3 and asn.registry_name == CANDIDATE)
    cid = asn.data["asn_id"]
    asn.note_from_rule_code = ["kept"]
    expected = (asn.data["constraints"], [dict(member) for member in asn.products[0]["members"]], asn.states)
    files = resolve_rule_files((), False)
    universe = Registry(files, CANDIDATE, global_ids=(cid,), has_global=True).universe
    rows = {id(record): number for number, record in enumerate(pool.records)}
    shipped = pickle.loads(pickle.dumps(parallel._detach(
        asn, lambda bound: universe.index(bound.template), rows, {})))
    back = parallel._attach(shipped, RuleBinder(files, CANDIDATE, global_ids=(cid,), has_global=True),
                            pool.records, {})
    assert back.note_from_rule_code == ["kept"]
    assert back.bound.asn_rule == asn.bound.asn_rule and back.rule is asn.rule
    assert back.data["constraints"] == expected[0]
    assert [dict(member) for member in back.products[0]["members"]] == expected[1]
    assert all(type(member.row) is tuple for member in back.products[0]["members"])  # pool records again
    assert back.states == expected[2]
    assert back.data["products"] is back.products
