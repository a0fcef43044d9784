"""Pools on which asngen once disagreed with the reference asn_generate (jwst 3.0.0).

Each folder of ``tests/data/regressions`` is a minimal reproduction found by
``benchmarks/diff_reference.py``: ``pool.csv``, ``args.json`` (the option
list; ``{rules_dir}`` stands for the standard rule folder), ``meta.json``
(the reference's exit code) and ``expected/`` (the reference's association
files).  The reference is not needed to run these tests.

Folders named in ``known_failures.txt`` are strict xfails: they document a
disagreement that is not fixed yet, and the suite flags the moment one starts
passing so that the line can be removed.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from asngen.cli.main import main
from asngen.registry import RULES_DIR

ROOT = Path(__file__).with_name("data") / "regressions"
KNOWN_FAILURES = ROOT / "known_failures.txt"
# code_version names the producing package; constraints is free-form debugging text.
IGNORED_KEYS = {"code_version", "constraints"}


def _known_failures() -> dict[str, str]:
    """Folder name -> reason, from lines ``name  reason...`` (``#`` starts a comment)."""
    known: dict[str, str] = {}
    if KNOWN_FAILURES.is_file():
        for line in KNOWN_FAILURES.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, reason = line.partition(" ")
                known[name] = reason.strip() or "known disagreement with the reference"
    return known


def _cases() -> list:
    known = _known_failures()
    cases = []
    for folder in (
        sorted(p for p in ROOT.iterdir() if (p / "pool.csv").is_file()) if ROOT.is_dir() else []
    ):
        marks = []
        if folder.name in known:
            marks.append(pytest.mark.xfail(strict=True, reason=known[folder.name]))
        cases.append(pytest.param(folder, id=folder.name, marks=marks))
    return cases


def _strip(document: object) -> object:
    if isinstance(document, dict):
        return {key: value for key, value in document.items() if key not in IGNORED_KEYS}
    return document


def _run(folder: Path, out: Path) -> tuple[int, str]:
    args = [
        arg.replace("{rules_dir}", str(RULES_DIR))
        for arg in json.loads((folder / "args.json").read_text())
    ]
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(["generate", str(folder / "pool.csv"), *args, "-p", str(out)])
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else 1
    return status or 0, stderr.getvalue()


def _differences(expected_dir: Path, actual_dir: Path) -> list[str]:
    expected = {p.name for p in expected_dir.glob("*.json")} if expected_dir.is_dir() else set()
    actual = {p.name for p in actual_dir.glob("*.json")}
    problems = [f"missing {name}" for name in sorted(expected - actual)]
    problems += [f"extra {name}" for name in sorted(actual - expected)]
    for name in sorted(expected & actual):
        want = _strip(json.loads((expected_dir / name).read_text()))
        got = _strip(json.loads((actual_dir / name).read_text()))
        if want != got:
            problems.append(f"differing {name}")
    return problems


def test_regression_folders_are_complete() -> None:
    """Every folder named in known_failures.txt exists, and every folder has its files."""
    names = {p.name for p in ROOT.iterdir() if p.is_dir()} if ROOT.is_dir() else set()
    assert set(_known_failures()) <= names
    for name in names:
        for part in ("pool.csv", "args.json", "meta.json"):
            assert (ROOT / name / part).is_file(), f"{name}/{part} missing"


@pytest.mark.parametrize("folder", _cases())
def test_regression(folder: Path, tmp_path: Path) -> None:
    meta = json.loads((folder / "meta.json").read_text())
    status, stderr = _run(folder, tmp_path)
    problems = _differences(folder / "expected", tmp_path)
    if status != meta["exit_code"]:
        problems.append(
            f"exit status {status} != reference {meta['exit_code']}: {stderr.strip()[-300:]}"
        )
    assert not problems, "\n".join(problems)
