"""Pools saved with a byte-order mark first (as some editors and spreadsheet programs write
UTF-8).  Neither reader drops the mark, so the pool reads as the reference reads it: a comment
line first becomes the header, or the first column's name is not the one it spells.  What
fails fails as in the reference (exit 1, no file), and every message says why; a pool that
works without its first column works, with a warning."""

from __future__ import annotations

from pathlib import Path

from asngen.cli.main import main

from .pools import exposure, write_pool

MARK = "\ufeff"
HINT = "the file starts with a byte-order mark, U+FEFF"


def _marked(path: Path) -> Path:
    path.write_text(MARK + path.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _pool(directory: Path, first: str | None = None, comment: bool = False) -> Path:
    rows = [exposure(f"jw00001001001_0210{n}_00001_nrca1_uncal.fits") for n in range(1, 4)]
    directory.mkdir(exist_ok=True)
    path = write_pool(directory, rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    if first is not None:  # that column moved to the front
        cells = [line.split("|") for line in lines]
        at = [name.strip().lower() for name in cells[0]].index(first)
        lines = ["|".join([row[at], *row[:at], *row[at + 1:]]) for row in cells]
    if comment:
        lines.insert(0, "# a pool")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return _marked(path)


def _generate(capsys, pool: Path, out: Path) -> tuple[int, str]:
    status = main(["generate", str(pool), "-p", str(out), "--version-id", "x", "-j", "1"])
    return status, capsys.readouterr().err


def test_a_comment_line_after_the_mark_is_read_as_the_header_and_the_error_says_why(tmp_path, capsys):
    status, err = _generate(capsys, _pool(tmp_path, comment=True), tmp_path / "out")
    assert status == 1
    assert "cells but the header names 1 columns" in err and HINT in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_column_the_rules_need_spelt_with_the_mark_is_missing_and_the_error_says_why(tmp_path, capsys):
    status, err = _generate(capsys, _pool(tmp_path, first="filename"), tmp_path / "out")
    assert status == 1
    assert "the pool has no FILENAME column" in err and HINT in err
    assert not (tmp_path / "out").exists()


def test_a_pool_that_does_without_its_first_column_is_generated_with_a_warning(tmp_path, capsys):
    plain = _pool(tmp_path / "plain", first="obs_id")
    plain.write_text(plain.read_text(encoding="utf-8")[1:], encoding="utf-8")  # the same pool, unmarked
    status, err = _generate(capsys, plain, tmp_path / "plain_out")
    assert status == 0 and HINT not in err
    marked = _pool(tmp_path / "marked", first="obs_id")
    status, err = _generate(capsys, marked, tmp_path / "marked_out")
    assert status == 0
    assert "warning: the first column is read as '\\ufeffobs_id'" in err  # (its repr)
    assert HINT in err
    plain_files = {path.name: path.read_text() for path in (tmp_path / "plain_out").iterdir()}
    marked_files = {path.name: path.read_text() for path in (tmp_path / "marked_out").iterdir()}
    assert plain_files and marked_files == plain_files
