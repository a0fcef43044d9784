"""``generate``'s options as data: the plain command lines read without argparse give exactly
what argparse gives, and every other line is left to argparse."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asngen.cli.generate import GENERATE_OPTIONS, OUTPUT_OPTIONS, plain_command_line
from asngen.cli.parser import build_parser

from .test_cli_start import _imported_by_generate

FLAGS = [flag for option in GENERATE_OPTIONS + OUTPUT_OPTIONS for flag in option.flags]
WORDS = [
    *FLAGS, "--dry", "--pat", "--form", "--disc", "-vD", "-h", "--help", "--version", "--", "-", "",
    "--path=out", "--path=", "--format=yaml", "--format=xml", "--dry-run=1", "-p=out", "--jobs=2",
    "--jobs=0", "--rules=x.py", "--version-id=3", "--save-orphans=o.csv", "--nope",
    "pool.csv", "other.csv", "out", "json", "yaml", "xml", "2", "0", "-1", "a=b", "x y", "-x y",
]


def _argparse(argv: list[str]) -> dict | None:
    """What argparse makes of ``asngen generate ARGV`` (None: it refuses the line)."""
    parser = build_parser("generate")
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            return vars(parser.parse_args(["generate", *argv]))
    except SystemExit:
        return None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=8))
def test_a_line_read_without_argparse_reads_as_argparse_reads_it(argv):
    plain = plain_command_line(argv)
    if plain is not None:
        assert vars(plain) == _argparse(argv), argv


# lines made of exact options with fitting values, around one pool: most are plain
_PLAIN_PARTS = st.one_of(
    st.sampled_from([[flag] for option in GENERATE_OPTIONS + OUTPUT_OPTIONS if option.kind == "flag"
                     for flag in option.flags]),
    st.tuples(st.sampled_from(["-p", "--path", "-d", "--delimiter", "--pool-format", "-r", "--rules"]),
              st.sampled_from(["out", "", ",", "x.py", "a=b", "x y"])).map(list),
    st.tuples(st.sampled_from(["-j", "--jobs"]), st.sampled_from(["1", "2", "0", "x", " 3"])).map(list),
    st.tuples(st.sampled_from(["--format"]), st.sampled_from(["json", "yaml", "xml"])).map(list),
    st.sampled_from([["--path=o"], ["--jobs=2"], ["--format=yaml"], ["--rules=r.py"], ["--dry-run=1"]]),
    st.tuples(st.sampled_from(["--version-id", "--save-orphans"]),
              st.sampled_from([[], ["v1"], [""], ["-p"], ["o.csv"]])).map(lambda pair: [pair[0], *pair[1]]),
    st.sampled_from([["--version-id=3"], ["--save-orphans=o.csv"], ["--version-id="]]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PLAIN_PARTS, max_size=6), st.integers(min_value=0, max_value=6))
def test_plain_looking_lines_read_as_argparse_reads_them(parts, where):
    words = [word for part in parts for word in part]
    argv = words[:where] + ["pool.csv"] + words[where:]
    plain = plain_command_line(argv)
    if plain is not None:
        assert vars(plain) == _argparse(argv), argv


@pytest.mark.parametrize("argv", [
    ["pool.csv"],
    ["pool.csv", "-p", "out"],
    ["-p", "out", "pool.csv", "--dry-run", "-j", "2"],
    ["pool.csv", "--path=out", "--jobs=1", "-v", "-D", "--DMS", "--no-finalize", "--merge", "--strict"],
    ["pool.csv", "-r", "a.py", "--rules", "b.py", "--rules=c.py", "--ignore-default"],
    ["pool.csv", "--format", "yaml", "-d", ",", "--pool-format", "csv", "--discover", "--discover"],
    ["pool.csv", "--all-candidates", "--per-pool-algorithm", "--no-merge", "-p", "a", "-p", "b"],
    ["", "--path="],
    ["pool.csv", "--version-id"],  # an optional value, bare
    ["pool.csv", "--version-id", "v1", "--save-orphans", "o.csv", "--save-orphans"],
    ["--version-id=v2", "pool.csv", "--save-orphans="],
    ["--version-id", "", "pool.csv"],
])
def test_the_usual_lines_are_read_without_argparse(argv):
    plain = plain_command_line(argv)
    assert plain is not None
    assert vars(plain) == _argparse(argv)


@pytest.mark.parametrize("argv", [
    [],  # no pool: argparse's error
    ["a.csv", "b.csv"],  # two pools: argparse's error
    ["pool.csv", "--dry"],  # an abbreviation
    ["pool.csv", "-h"],
    ["pool.csv", "--version"],
    ["pool.csv", "-vD"],  # short options together
    ["pool.csv", "-p=out"],
    ["pool.csv", "-p"],  # no value
    ["pool.csv", "-p", "-x"],  # a value that looks like an option
    ["pool.csv", "-j", "0"],  # refused by its type: argparse says why
    ["pool.csv", "--format", "xml"],  # not a choice
    ["pool.csv", "--discover", "--all-candidates"],  # exclusive
    ["pool.csv", "-i", "o001"],  # several values
    ["pool.csv", "--dry-run=yes"],
    ["--version-id", "pool.csv"],  # argparse takes the pool for the version: no pool left
    ["pool.csv", "--version-id", "-x"],
    ["--", "pool.csv"],
    ["-"],
])
def test_every_other_line_is_left_to_argparse(argv):
    assert plain_command_line(argv) is None


def test_a_plain_generate_line_imports_neither_argparse_nor_gettext(tmp_path):
    assert _imported_by_generate(tmp_path, ["--dry-run"], ("argparse", "gettext", "locale")) == (0, [])
    status, imported = _imported_by_generate(tmp_path, ["--dry", "-j", "1"], ("argparse",))
    assert (status, imported) == (0, ["argparse"])  # an abbreviation: argparse reads it
