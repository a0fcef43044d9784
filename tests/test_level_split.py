"""Level 3 finished by a forked child (``generate -j N``) writes what one process writes.

The command forks a child when finalization begins: it finalizes,
describes and writes the Level 3 files into the output's staging folder
while the command does Level 2 (asngen.level_split).  Every test compares
whole output folders, byte for byte, with a run that finishes in one
process, and checks that the split really happened (or was rightly left
out), that a failing child changes nothing, and that a failing run leaves
nothing behind.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from asngen import level_split
from asngen.cli.main import main
from asngen.level_split import LevelSplit
from asngen.output import STAGING_PREFIX, NewFolder

from .pools import child_processes, write_synthetic_pool

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child is forked on Linux only")


@pytest.fixture(scope="module")
def pool(tmp_path_factory) -> Path:
    """600 rows of every mode, so that both levels have associations to write."""
    return write_synthetic_pool(tmp_path_factory.mktemp("split") / "synthetic_pool.csv", 600, 11)


@pytest.fixture
def splits(monkeypatch) -> list[bool]:
    """Whether each run of the command started a child (one entry per run that could)."""
    started: list[bool] = []
    original = LevelSplit.finalize

    def finalize(self, *args):
        found = original(self, *args)
        if os.getpid() == parent:  # (the child never returns here: it exits)
            started.append(self.started)
        return found

    parent = os.getpid()
    monkeypatch.setattr(LevelSplit, "finalize", finalize)
    return started


def _folder(path: Path) -> dict[str, bytes]:
    return {entry.name: entry.read_bytes() for entry in sorted(path.iterdir())}


def _run(pool: Path, out: Path, *options: str, capsys=None) -> tuple[dict[str, bytes], str]:
    assert main(["generate", str(pool), "-p", str(out), "--version-id", "x", *options]) == 0
    err = capsys.readouterr().err if capsys is not None else ""
    return _folder(out), err


def _no_staging_left(*folders: Path) -> bool:
    return not any(entry.name.startswith(STAGING_PREFIX) for folder in folders for entry in folder.iterdir())


@pytest.mark.parametrize("options", [[], ["--discover"], ["--all-candidates"], ["--format", "yaml"]],
                         ids=lambda o: " ".join(o) or "default")
def test_the_child_writes_what_one_process_writes(pool, tmp_path, splits, capsys, options):
    single, single_err = _run(pool, tmp_path / "one", "-j", "1", "-v", *options, capsys=capsys)
    split, split_err = _run(pool, tmp_path / "two", "-j", "2", "-v", *options, capsys=capsys)
    levels = {name.split("_")[-3][-1] for name in single}  # the asn_type's level: image2, spec3...
    assert len(single) > 50
    assert splits == [levels == {"2", "3"}]  # (--discover finds Level 3 alone: nothing to hand over)
    assert split == single
    # the summary line (associations and orphans, counted over both processes) is the same too
    assert split_err.splitlines()[-1] == single_err.splitlines()[-1]
    assert _no_staging_left(tmp_path)


def test_an_empty_folder_is_replaced_and_kept_permissions(pool, tmp_path, splits):
    single, _ = _run(pool, tmp_path / "one", "-j", "1")
    target = tmp_path / "empty"
    target.mkdir(mode=0o750)
    os.chmod(target, 0o750)
    split, _ = _run(pool, target, "-j", "2")
    assert splits == [True]
    assert split == single
    assert target.stat().st_mode & 0o777 == 0o750


def test_a_folder_with_files_is_written_into_by_one_process(pool, tmp_path, splits):
    single, _ = _run(pool, tmp_path / "one", "-j", "1")
    target = tmp_path / "full"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    split, _ = _run(pool, target, "-j", "2")
    assert splits == [False]
    assert split == {**single, "notes.txt": b"mine"}


@pytest.mark.parametrize("options", [["--merge"], ["--debug"], ["--no-finalize"], ["-j", "1"]],
                         ids=lambda o: " ".join(o))
def test_options_that_look_across_levels_finish_in_one_process(pool, tmp_path, splits, options):
    jobs = [] if "-j" in options else ["-j", "2"]
    _run(pool, tmp_path / "out", *jobs, *options)
    assert splits == []  # no split was even offered


def test_a_failing_child_makes_this_process_finish_level_3(pool, tmp_path, splits, monkeypatch):
    single, _ = _run(pool, tmp_path / "one", "-j", "1")

    def broken(self, report):
        os._exit(1)

    monkeypatch.setattr(LevelSplit, "_child", broken)  # the forked child inherits the patch
    split, _ = _run(pool, tmp_path / "two", "-j", "2")
    assert splits == [True]
    assert split == single
    assert _no_staging_left(tmp_path)


def test_a_fork_that_fails_leaves_the_end_to_one_process(pool, tmp_path, splits, monkeypatch):
    single, _ = _run(pool, tmp_path / "one", "-j", "1")
    forks = []
    real_fork = os.fork

    def fork():
        forks.append(1)
        if len(forks) == 2:  # the first is the passes' worker, the second the Level 3 child
            raise OSError("no more processes")
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    split, _ = _run(pool, tmp_path / "two", "-j", "2")
    assert len(forks) == 2 and splits == [False]
    assert split == single
    assert _no_staging_left(tmp_path)


def test_a_child_that_fails_halfway_leaves_no_file_of_its_own(pool, tmp_path, splits, monkeypatch):
    single, _ = _run(pool, tmp_path / "one", "-j", "1")
    original = NewFolder.write

    def write_some(self, files, parent=None):
        if parent is not None:  # the child: a few files, then it fails
            original(self, files[:3], parent)
            (Path(self.staging) / "stray.json").write_text("{}")
            raise OSError("disk gone")
        original(self, files, parent)

    monkeypatch.setattr(NewFolder, "write", write_some)
    split, _ = _run(pool, tmp_path / "two", "-j", "2")
    assert splits == [True]
    assert split == single


def test_names_both_processes_wrote_are_written_as_one_process_writes_them(pool, tmp_path, splits, monkeypatch):
    single, _ = _run(pool, tmp_path / "one", "-j", "1")
    original = LevelSplit._join

    def clashing(self):
        summary = original(self)
        names, *rest = summary
        return (names + [next(name for name in single if "image2" in name)], *rest)

    monkeypatch.setattr(LevelSplit, "_join", clashing)
    split, _ = _run(pool, tmp_path / "two", "-j", "2")
    assert splits == [True]
    assert split == single


def test_a_run_failing_after_the_fork_leaves_nothing_and_no_child(pool, tmp_path, splits, monkeypatch, capsys):
    from asngen import api

    def failing(self, asn):
        raise RuntimeError("naming failed")

    monkeypatch.setattr(api.AssociationFiles, "add_association", failing)
    children_before = child_processes()
    assert main(["generate", str(pool), "-p", str(tmp_path / "out"), "-j", "2"]) != 0
    assert "naming failed" in capsys.readouterr().err
    assert splits == [True]
    assert not (tmp_path / "out").exists()
    assert _no_staging_left(tmp_path)
    assert child_processes() == children_before


def test_the_split_needs_the_two_built_in_level_callbacks():
    split = LevelSplit("unused", "json")

    def level(value):
        def callback(associations, state):
            return associations

        callback.finalized_level = value
        return callback

    class Asn:
        def __init__(self, value):
            self.level = value

    both = [Asn(2), Asn(3)]
    assert split.finalize(both, [level(2)], list) is None
    assert split.finalize(both, [level(2), lambda a, s: a], list) is None
    assert split.finalize([Asn(2), Asn(2)], [level(2), level(3)], list) is None  # no Level 3 to hand over
    assert not split.started


def test_the_command_offers_a_split_only_where_it_holds():
    from asngen.options import GenerateOptions

    plain = GenerateOptions(jobs=None)
    assert LevelSplit.for_command(plain, "out", dry_run=False, recording=False) is not None
    assert LevelSplit.for_command(plain, "out", dry_run=True, recording=False) is None
    assert LevelSplit.for_command(plain, "out", dry_run=False, recording=True) is None
    for changed in ({"merge": True}, {"debug": True}, {"finalize": False}, {"per_pool_algorithm": True},
                    {"rules": ("mine.py",)}, {"ignore_default": True}, {"dms": True, "ids": ("o001",)}):
        options = GenerateOptions(jobs=None, **changed)
        assert LevelSplit.for_command(options, "out", dry_run=False, recording=False) is None, changed
    assert level_split.CHILD_LEVEL == 3


def test_a_new_folder_filled_in_steps(tmp_path):
    target = tmp_path / "new"
    folder = NewFolder.open(target)
    assert folder is not None and not target.exists()
    folder.write([("a.json", "A"), ("b.json", lambda: "B")])
    folder.commit(["a.json", "b.json"])
    assert _folder(target) == {"a.json": b"A", "b.json": b"B"}
    assert _no_staging_left(tmp_path)


def test_a_new_folder_that_appears_meanwhile_gets_the_files_moved_in(tmp_path):
    target = tmp_path / "new"
    folder = NewFolder.open(target)
    folder.write([("a.json", "A")])
    target.mkdir()
    (target / "old.txt").write_text("old")
    folder.commit(["a.json"])
    assert _folder(target) == {"a.json": b"A", "old.txt": b"old"}
    assert _no_staging_left(tmp_path, target)


def test_a_new_folder_discarded_leaves_nothing(tmp_path):
    folder = NewFolder.open(tmp_path / "new")
    folder.write([("a.json", "A")])
    folder.discard()
    assert list(tmp_path.iterdir()) == []


def test_a_folder_with_files_is_not_built_anew(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert NewFolder.open(tmp_path / "full") is None
