"""``asngen batch``: per-pool outputs equal ``generate``, failures stay local, incremental reruns.

One 2-worker Dask cluster with real worker processes, listening on
127.0.0.1, is started for the whole module and reached through
``--scheduler``; one test lets ``batch`` start its own local cluster, the
rest run in-process (``--workers 1``), which is the same task function.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import pickle
import socket
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import pytest

import asngen
from asngen.api import generate
from asngen.batch import MANIFEST_NAME, Manifest, batch, expand_pools, options_record, run_pool
from asngen.cli.batch import ProgressBar
from asngen.cli.main import main
from asngen.errors import UsageError
from asngen.options import GenerateOptions

batch_module = importlib.import_module("asngen.batch")  # the module, whatever asngen.batch names
REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "example_pool.csv"
MAKE_POOL = REPO / "benchmarks" / "make_pool.py"


def _write_pools(folder: Path) -> list[Path]:
    """Five small pools: the example pool under two other programs, and three synthetic ones."""
    folder.mkdir(parents=True, exist_ok=True)
    text = EXAMPLE.read_text()
    pools = []
    for program in (2001, 2002):
        path = folder / f"jw{program:05d}_pool.csv"
        path.write_text(text.replace("1234", str(program)))
        pools.append(path)
    for seed in (1, 2, 3):
        path = folder / f"synthetic_{seed}.csv"
        if MAKE_POOL.is_file():
            subprocess.run(
                [sys.executable, str(MAKE_POOL), "--rows", "20", "--seed", str(seed), "-o", str(path)],
                check=True,
            )
        else:  # the benchmark helpers are not part of an installed package
            path.write_text(text.replace("1234", str(3000 + seed)))
        pools.append(path)
    return sorted(pools)


@pytest.fixture(scope="module")
def pool_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pools")
    _write_pools(folder)
    return folder


@pytest.fixture(scope="module")
def pools(pool_dir) -> list[Path]:
    return sorted(pool_dir.glob("*.csv"))


@pytest.fixture(scope="module")
def cluster():
    """A 2-worker cluster of real processes, its scheduler at a 127.0.0.1 address."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        host="127.0.0.1", n_workers=2, threads_per_worker=1, processes=True,
        dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
    ) as local:
        yield local


def expected_files(pool: Path, options: GenerateOptions | None = None) -> dict[str, str]:
    result = generate(pool, options or GenerateOptions())
    return dict(result.files)


def folder_files(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(folder.iterdir()) if path.is_file()}


def assert_outputs_equal_generate(pools: list[Path], outdir: Path, options=None) -> None:
    for pool in pools:
        want = expected_files(pool, options)
        assert want, f"{pool.name} yields no associations: a useless test pool"
        assert folder_files(outdir / pool.stem) == want


def mtimes(outdir: Path) -> dict[str, int]:
    return {
        str(path.relative_to(outdir)): path.stat().st_mtime_ns
        for path in outdir.rglob("*") if path.is_file() and path.name != MANIFEST_NAME
    }


# -- on Dask -----------------------------------------------------------------------------------


def test_cli_on_a_scheduler_at_127_0_0_1_writes_what_generate_writes(cluster, pool_dir, pools, tmp_path, capsys):
    address = cluster.scheduler_address
    assert address.startswith("tcp://127.0.0.1:")
    out = tmp_path / "out"
    status = main(["batch", str(pool_dir), "-p", str(out), "--scheduler", address])
    assert status == 0
    assert_outputs_equal_generate(pools, out)
    assert sorted(path.name for path in out.iterdir()) == sorted(
        [pool.stem for pool in pools] + [MANIFEST_NAME]
    )
    total = sum(len(expected_files(pool)) for pool in pools)
    summary = capsys.readouterr().out
    assert f"{len(pools)} pools: {len(pools)} done, 0 skipped, 0 failed; {total} associations written" in summary


def test_api_on_its_own_two_worker_local_cluster(pools, tmp_path):
    finished = []
    outcome = asngen.batch(pools, tmp_path, workers=2, on_result=lambda r, n, total: finished.append((n, total)))
    assert [result.pool for result in outcome] == [str(pool) for pool in pools]
    assert outcome.done == len(pools) and outcome.failed == 0
    assert finished == [(n, len(pools)) for n in range(1, len(pools) + 1)]
    assert outcome.associations == sum(len(expected_files(pool)) for pool in pools)
    assert_outputs_equal_generate(pools, tmp_path)


def test_a_failing_pool_does_not_stop_the_others(cluster, pools, tmp_path, capsys):
    folder = tmp_path / "pools"
    folder.mkdir()
    good = []
    for pool in pools:
        (folder / pool.name).write_bytes(pool.read_bytes())
        good.append(folder / pool.name)
    lines = pools[0].read_text().splitlines()
    lines[3] += "|one|cell|too|many"
    bad = folder / "broken.csv"
    bad.write_text("\n".join(lines) + "\n")
    missing = tmp_path / "missing.csv"
    out = tmp_path / "out"
    (out / "broken").mkdir(parents=True)
    (out / "broken" / "earlier_asn.json").write_text("kept as it was\n")

    status = main(["batch", str(folder), str(missing), "-p", str(out), "--scheduler", cluster.scheduler_address])

    assert status != 0
    text = capsys.readouterr().out
    summary = text.splitlines()
    assert summary[0].startswith(f"{len(pools) + 2} pools: {len(pools)} done, 0 skipped, 2 failed;")
    failures = [line.strip() for line in summary[2:]]
    assert len(failures) == 2
    assert failures[0].startswith(f"{bad}, row 2: ") and "cells" in failures[0]
    assert failures[1] == f"{missing}: cannot read the pool: No such file or directory"
    assert folder_files(out / "broken") == {"earlier_asn.json": "kept as it was\n"}
    assert not (out / "missing").exists()
    assert_outputs_equal_generate(good, out)


def _explode_on_second_pool(pool, folder, options, orphans_file=None, previous=()):
    if "jw02002" in pool:
        raise RuntimeError("worker lost\nwhile generating")
    return batch_module.__dict__["_real_run_pool"](pool, folder, options, orphans_file, previous)


def test_a_task_error_on_the_cluster_fails_that_pool_only(pools, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    # an in-process cluster runs the patched task; a raising task stands for a lost worker
    monkeypatch.setitem(batch_module.__dict__, "_real_run_pool", run_pool)
    monkeypatch.setattr(batch_module, "run_pool", _explode_on_second_pool)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    ) as local, distributed.Client(local) as client:
        outcome = batch(pools[:3], tmp_path, scheduler=client)
        assert client.status == "running"  # a Client passed in is the caller's to close
    assert [result.status for result in outcome] == ["done", "failed", "done"]
    assert outcome.failures[0].error == "task failed on the cluster: RuntimeError: worker lost while generating"
    assert not (tmp_path / pools[1].stem).exists()


# -- in-process ---------------------------------------------------------------------------------


def test_one_worker_runs_in_process_without_importing_dask(pools, tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        from asngen.batch import batch
        outcome = batch({[str(pool) for pool in pools]!r}, {str(tmp_path)!r}, workers=1)
        assert outcome.done == {len(pools)}, outcome
        leaked = sorted(name for name in sys.modules if name.split(".")[0] in ("dask", "distributed"))
        assert not leaked, leaked
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    assert_outputs_equal_generate(pools, tmp_path)


def test_incremental_rerun_regenerates_exactly_the_changed_pool(pools, tmp_path, capsys):
    folder = tmp_path / "pools"
    folder.mkdir()
    copies = []
    for pool in pools:
        (folder / pool.name).write_bytes(pool.read_bytes())
        copies.append(folder / pool.name)
    out = tmp_path / "out"
    argv = ["batch", str(folder), "-p", str(out), "--workers", "1", "--incremental"]

    assert main(argv) == 0
    first = mtimes(out)
    assert main(argv) == 0
    assert mtimes(out) == first
    assert f"{len(pools)} pools: 0 done, {len(pools)} skipped, 0 failed; 0 associations" in capsys.readouterr().out

    os.utime(copies[1])  # a new time but the same bytes: still unchanged
    changed = copies[2]
    lines = changed.read_text().splitlines()
    last_row = lines.pop()
    changed.write_text("\n".join(lines) + "\n")
    before = folder_files(out / changed.stem)

    outcome = batch([folder], out, workers=1, incremental=True)

    assert [result.pool for result in outcome if result.status == "done"] == [str(changed)]
    assert outcome.skipped == len(pools) - 1
    after = mtimes(out)
    for name, mtime in first.items():
        if not name.startswith(changed.stem + os.sep):
            assert after[name] == mtime, name
    assert_outputs_equal_generate(copies, out)
    assert folder_files(out / changed.stem) != before or last_row == ""
    entry = json.loads((out / MANIFEST_NAME).read_text())["pools"][str(changed)]
    assert entry["asngen_version"] == asngen.__version__
    assert sorted(entry["files"]) == sorted(folder_files(out / changed.stem))


def test_incremental_reruns_on_other_options_version_or_lost_files(pools, tmp_path, monkeypatch):
    pool = pools[0]
    batch([pool], tmp_path, workers=1)  # a plain run records the manifest too
    assert batch([pool], tmp_path, workers=1, incremental=True).skipped == 1

    yaml = GenerateOptions(fmt="yaml")
    outcome = batch([pool], tmp_path, yaml, workers=1, incremental=True)
    assert outcome.done == 1
    # the JSON files of the previous run are gone: the folder is what generate writes
    assert folder_files(tmp_path / pool.stem) == expected_files(pool, yaml)
    assert batch([pool], tmp_path, yaml, workers=1, incremental=True).skipped == 1

    monkeypatch.setattr(asngen, "__version__", asngen.__version__ + ".post1")
    assert batch([pool], tmp_path, yaml, workers=1, incremental=True).done == 1

    next(iter((tmp_path / pool.stem).iterdir())).unlink()
    assert batch([pool], tmp_path, yaml, workers=1, incremental=True).done == 1
    assert folder_files(tmp_path / pool.stem) == expected_files(pool, yaml)


def test_a_corrupt_manifest_is_ignored_with_a_warning(pools, tmp_path):
    pool = pools[0]
    (tmp_path / MANIFEST_NAME).write_text("{ not json")
    outcome = batch([pool], tmp_path, workers=1, incremental=True)
    assert outcome.done == 1
    assert len(outcome.warnings) == 1 and "manifest ignored" in outcome.warnings[0]
    assert str(pool) in Manifest.load(tmp_path).pools


def test_a_bad_rule_file_fails_every_pool_with_one_line(pools, tmp_path, capsys):
    rules = tmp_path / "broken_rules.py"
    rules.write_text("RULES = [\n")
    status = main(["batch", *map(str, pools[:2]), "-p", str(tmp_path / "out"), "--workers", "1",
                   "-r", str(rules)])
    assert status == 1
    failures = capsys.readouterr().out.splitlines()[2:]
    assert len(failures) == 2
    assert all(str(rules) in line and "syntax error" in line for line in failures)
    assert not (tmp_path / "out" / pools[0].stem).exists()


# -- pieces --------------------------------------------------------------------------------------


def test_the_task_is_picklable_and_never_raises(pools, tmp_path):
    task = pickle.loads(pickle.dumps(run_pool))
    result = task(str(tmp_path / "nope.csv"), str(tmp_path / "nope"), GenerateOptions())
    assert result.status == "failed" and "\n" not in result.error
    assert not (tmp_path / "nope").exists()
    result = pickle.loads(pickle.dumps(task(str(pools[0]), str(tmp_path / "ok"), GenerateOptions())))
    assert result.status == "done"
    assert list(result.files) == list(expected_files(pools[0]))
    assert result.associations == len(result.files)


def test_folders_expand_to_their_csv_pools_sorted(tmp_path):
    for name in ("b.csv", "a.csv", "notes.txt"):
        (tmp_path / name).write_text("x\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.csv").write_text("x\n")
    found = expand_pools([tmp_path, tmp_path / "a.csv", tmp_path / "sub" / "c.csv"])
    assert found == [tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "sub" / "c.csv"]
    (tmp_path / "sub" / "a.csv").write_text("x\n")
    with pytest.raises(UsageError, match="same folder 'a'"):
        expand_pools([tmp_path, tmp_path / "sub"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no pools"):
        expand_pools([tmp_path / "empty"])


def test_rule_file_contents_are_part_of_the_options(tmp_path):
    rules = tmp_path / "rules.py"
    rules.write_text("RULES = []\n")
    first = options_record(GenerateOptions(rules=(str(rules),)))
    rules.write_text("RULES = []  # edited\n")
    second = options_record(GenerateOptions(rules=(str(rules),)))
    assert first != second and list(first) == sorted(first)


def test_usage_errors(tmp_path, capsys):
    assert main(["batch", str(EXAMPLE), "-p", str(tmp_path), "--workers", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(EXAMPLE), "-p", str(tmp_path), "--workers", "2", "--scheduler", "tcp://x:1"])
    assert exit_info.value.code == 2


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(batch_module, "CONNECT_TIMEOUT", "1s")
    with socket.socket() as closed:  # a port that nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    status = main(["batch", str(EXAMPLE), "-p", str(tmp_path / "out"), "--scheduler", f"tcp://127.0.0.1:{port}"])
    assert status == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"asngen batch: error: cannot connect to the Dask scheduler at tcp://127.0.0.1:{port}")
    assert "\n" not in error and not (tmp_path / "out").exists()


def test_progress_bar_draws_and_clears():
    stream = StringIO()
    bar = ProgressBar(stream, width=10)
    bar.update(1, 4)
    bar.update(4, 4, failed=1)
    bar.close()
    assert stream.getvalue() == "\r[##........] 1/4 pools\r[##########] 4/4 pools, 1 failed\n"
