"""``generate``'s warnings about associations left out as not valid: a few are named, the rest
counted in one line, and ``-v`` names every one (``--no-finalize`` leaves out hundreds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from asngen.cli.generate import SKIPPED_NAMED
from asngen.cli.main import main

from .pools import write_synthetic_pool

NAMED = "asngen generate: warning: not written, association is not valid: "


def _stderr(capsys, pool: Path, out: Path, *options: str) -> list[str]:
    assert main(["generate", str(pool), "-p", str(out), "--version-id", "x", "-j", "1", *options]) == 0
    return capsys.readouterr().err.splitlines()


@pytest.fixture(scope="module")
def pool(tmp_path_factory) -> Path:
    return write_synthetic_pool(tmp_path_factory.mktemp("warnings") / "pool.csv", 300, 1)


def test_many_left_out_are_counted_after_the_first_few(pool, tmp_path, capsys):
    every = [line for line in _stderr(capsys, pool, tmp_path / "all", "--no-finalize", "-v") if line.startswith(NAMED)]
    assert len(every) > 10 * SKIPPED_NAMED  # what -v prints: each one
    lines = _stderr(capsys, pool, tmp_path / "few", "--no-finalize")
    assert lines[:SKIPPED_NAMED] == every[:SKIPPED_NAMED]
    assert lines[SKIPPED_NAMED:] == [
        f"asngen generate: warning: not written, {len(every) - SKIPPED_NAMED} more associations that are "
        f"not valid ({len(every)} in all; -v names every one)"
    ]
    # the same files either way
    assert sorted(path.name for path in (tmp_path / "all").iterdir()) == sorted(
        path.name for path in (tmp_path / "few").iterdir()
    )


def test_a_few_left_out_are_all_named(tmp_path, capsys):
    small = write_synthetic_pool(tmp_path / "small.csv", 12, 3)
    lines = _stderr(capsys, small, tmp_path / "out", "--no-finalize")
    named = [line for line in lines if line.startswith(NAMED)]
    assert 0 < len(named) <= SKIPPED_NAMED
    assert named == lines  # and nothing else: no count line
