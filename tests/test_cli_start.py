"""What the command costs before it starts working: argparse is given the terminal's
width, so declaring the options does not import ``shutil``, and help reads the same."""

from __future__ import annotations

import argparse
import ast
import importlib
import shutil
import subprocess
import sys

import pytest

from asngen.cli import main as cli
from asngen.cli import parser as cli_parser

from .pools import exposure, write_pool


@pytest.mark.parametrize("columns", [None, "", "abc", "-3", "0", "57", "200"])
def test_the_width_is_the_one_shutil_gives(monkeypatch, columns):
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert cli_parser._terminal_columns() == shutil.get_terminal_size().columns


@pytest.mark.parametrize("command", [None, "generate", "explain", "batch"])
def test_help_reads_as_with_argparse_finding_the_width(monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "93")
    ours = cli_parser.build_parser(command)
    plain = cli_parser.build_parser(command)
    plain.formatter_class = argparse.HelpFormatter
    if command is None:
        assert ours.format_help() == plain.format_help()
    else:
        sub = next(action for action in ours._actions if isinstance(action, argparse._SubParsersAction))
        plain_sub = next(action for action in plain._actions if isinstance(action, argparse._SubParsersAction))
        mine = sub.choices[command]
        theirs = plain_sub.choices[command]
        if theirs.formatter_class is cli_parser._Formatter:
            theirs.formatter_class = argparse.HelpFormatter
        assert mine.format_help() == theirs.format_help()


def _imported_by_generate(tmp_path, options: list[str], modules: tuple[str, ...]) -> tuple[int, list[str]]:
    """Run ``asngen generate`` on a one-row pool in a fresh interpreter: its exit status, and
    which of ``modules`` it imported."""
    pool = write_pool(tmp_path, [exposure("jw99009001001_02101_00001_mirimage_uncal.fits")])
    code = (  # (printed as a literal: json imports re, functools and collections)
        "import sys; from asngen.cli.main import main; "
        f"status = main(['generate', {str(pool)!r}, *{options!r}, '-p', {str(tmp_path / 'out')!r}]); "
        f"print(repr([status, sorted(name for name in {modules!r} if name in sys.modules)]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    status, imported = ast.literal_eval(done.stdout.splitlines()[-1])
    return status, imported


def test_generate_does_not_import_shutil(tmp_path):
    assert _imported_by_generate(tmp_path, ["--dry-run"], ("shutil",)) == (0, [])


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))


@pytest.mark.parametrize("command", sorted(cli.SUBCOMMANDS))
def test_a_parser_for_one_command_declares_it_alone_with_the_same_options(command):
    alone = _subcommands(cli_parser.build_parser(command))
    assert list(alone.choices) == [command]
    full = _subcommands(cli_parser.build_parser(None))
    assert list(full.choices) == list(cli.SUBCOMMANDS)
    importlib.import_module(f"asngen.cli.{cli.SUBCOMMANDS[command][0]}").configure(full.choices[command])
    assert alone.choices[command].format_help() == full.choices[command].format_help()


def test_generate_does_not_import_pathlib(tmp_path):
    """pathlib (with urllib.parse and ipaddress, which it imports) costs a run's start 3 ms:
    a run that reads its pool and writes its files in plain folders does without it."""
    assert _imported_by_generate(tmp_path, [], ("pathlib", "fnmatch", "urllib.parse")) == (0, [])
    assert any((tmp_path / "out").iterdir())


def test_generate_in_one_process_does_not_import_the_collections_package(tmp_path):
    """The collections package (with keyword, operator, reprlib...) and functools cost a run's
    start about 2 ms, 8% of a run on a small pool: the abstract types come from
    ``_collection_types``, and arrays of positions are not the ``array`` module, which imports
    them.  (A run in several processes loads them with the pickler.)"""
    modules = ("collections", "collections.abc", "functools", "array")
    assert _imported_by_generate(tmp_path, ["-j", "1"], modules) == (0, [])
    assert any((tmp_path / "out").iterdir())


def test_generate_does_not_import_contextlib(tmp_path):
    """contextlib (and importlib.util, which imports it) cost a run's start 0.5-1.5 ms: the
    run's few context managers are classes, and only rule files of one's own need importlib.util."""
    assert _imported_by_generate(tmp_path, [], ("contextlib", "importlib.util")) == (0, [])


@pytest.mark.parametrize("pool_name", ["mega_pool.csv", "pool_018_all_exptypes.csv", "pool_019_niriss_wfss.csv"])
def test_generate_with_the_built_in_rules_does_without_the_regex_engine(golden, tmp_path, pool_name):
    """Importing ``re`` (and ``enum`` with it) and compiling patterns cost every run's start
    4-5 ms: the built-in rules' patterns, candidate cells and pinned values are read by hand.
    A run with ``re`` made unimportable writes the same files as an ordinary run."""
    pool = golden / "pools" / pool_name
    blocked, ordinary = tmp_path / "blocked", tmp_path / "ordinary"
    code = (
        "import sys; sys.modules['re'] = None; from asngen.cli.main import main; "
        f"status = main(['generate', {str(pool)!r}, '-p', {str(blocked)!r}]); "
        "print(status, 'enum' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 False"
    subprocess.run([sys.executable, "-m", "asngen", "generate", str(pool), "-p", str(ordinary)], check=True)
    names = sorted(path.name for path in ordinary.iterdir())
    assert names and sorted(path.name for path in blocked.iterdir()) == names
    for name in names:
        assert (blocked / name).read_bytes() == (ordinary / name).read_bytes(), name
