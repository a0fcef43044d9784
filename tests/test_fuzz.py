"""Property-based tests: whatever the pool, asngen answers with files or with one line.

Random and mutated pools -- ragged rows, missing, duplicated or renamed
columns, empty files, binary junk, other encodings, huge cells, malformed
``asn_candidate`` lists, unknown exposure types, NULL everywhere -- go
through the pool reader and through the whole ``asngen generate`` command
(in-process).  Every outcome must be one of:

* associations, written completely into the output folder, or
* a single stderr line ``asngen generate: error: <file>...: <what>`` with a
  documented exit status (``docs/errors.md``), and the output folder exactly
  as it was before the run.

An unexpected exception is a bug even though ``main`` turns it into a
one-line "internal error": the tests run with ``ASNGEN_TRACEBACK=1`` so that
it escapes, fails the example with its real traceback, and Hypothesis
shrinks it to a small pool.

Budgets.  Two settings profiles are registered: ``asngen-ci`` (the default,
about 2,450 generated pools over the tests of this module, derandomized so
that CI always sees the same pools; roughly a minute on two cores) and
``asngen-long`` (20 times more, random, with the example database), chosen
with ``ASNGEN_FUZZ=long``::

    ASNGEN_FUZZ=long python -m pytest tests/test_fuzz.py

The profiles are applied per test (not loaded globally), so other modules'
Hypothesis settings are not affected.

Known bugs are shown by strict xfail tests with a minimal reproduction
(at the end of this module); when a fix lands, the xfail starts passing
(and fails the suite): drop the mark, and make sure the general strategies
produce such input too.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import string
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from asngen.api import generate
from asngen.cli.main import main
from asngen.errors import PoolError
from asngen.options import GenerateOptions
from asngen.output import STAGING_PREFIX
from asngen.pool import Pool, read_pool
from asngen.rules import dms

from .pools import COLUMNS, exposure, pool_text

# ------------------------------------------------------------------ budgets

_HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.filter_too_much,
]
settings.register_profile(
    "asngen-ci", deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=_HEALTH,
)
settings.register_profile(
    "asngen-long", deadline=None, print_blob=True, suppress_health_check=_HEALTH,
)
LONG = os.environ.get("ASNGEN_FUZZ", "").strip().lower() == "long"
PROFILE = settings.get_profile("asngen-long" if LONG else "asngen-ci")
SCALE = 20 if LONG else 1

#: examples per test in the CI profile; they add up to more than 2,000 pools
BUDGET = {
    "reader": 1000,
    "reader_raw": 300,
    "generate": 800,
    "classify": 150,
    "candidates": 200,
}


def budget(name: str) -> settings:
    return settings(PROFILE, max_examples=BUDGET[name] * SCALE)


def test_ci_budget_is_at_least_two_thousand_pools():
    assert sum(BUDGET.values()) >= 2000


#: exit statuses ``asngen generate`` may end with (docs/errors.md)
GENERATE_STATUSES = {0, 1, 2}

# --------------------------------------------------------------- strategies

KNOWN_EXP_TYPES = sorted(
    set(dms.EXPTYPE_CATEGORY)
    | set(dms.IMAGE2_SCIENCE_EXP_TYPES)
    | set(dms.IMAGE2_NONSCIENCE_EXP_TYPES)
    | set(dms.SPEC2_SCIENCE_EXP_TYPES)
)
NULLS = ["", "NULL", "null", "N/A", "--", "None", "F", "N", "false"]
JUNK_CELLS = [
    *NULLS, "0", "-1", "1e309", "nan", "inf", "True", "T", "#x", "# comment", "'", '"', '""',
    '"a|b"', "a b", "  padded  ", "\t", "[", "]", "()", "\\", "ΑΣ", "İ", "\u00a0", "é",
    "%ECSV 1.0", "<table><tr><td>", "====", "----", "0x1f", "01", "1.0",
]
CANDIDATE_TYPES = ["observation", "background", "mosaic", "psf", "direct_image", "discovered", "unknown"]

# asn_candidate cells asngen must survive (with files or with one line).
ODD_CANDIDATES = [
    "[('o001', 'observation')]",
    "[('c1000', 'background'), ('o001', 'observation')]",
    "[('o001', 'observation'), ('o001', 'observation')]",
    "[('O001', 'OBSERVATION')]",
    "[('a3001', 'discovered')]",
    "[('o001',)]",
    "[('o001', 'observation', 'extra')]",
    "[('o001', None)]",
    "[('o001', 'observation'), 5]",
    "[(True, 'observation')]",
    "[('', '')]",
    "[1]",
    "[]",
    "()",
    "{}",
    "{'o001': 'observation'}",
    "{('o001', 'observation')}",
    "1.5",
    "5",
    "-3",
    "None",
    "[None]",
    "'o001'",
    "o001",
    "[('o001', 'observation')",
    "[('o001', 'observation')]x",
    "[" * 300,
    "(" * 50 + ")" * 50,
    "__import__('os').system('false')",
    "[('o" + "9" * 60 + "', 'observation')]",
    "[('c1000', 'no_such_type')]",
    # once tracebacks, now one-line errors (see UNUSABLE_CANDIDATES)
    "[(1, 'observation')]",
    "[(1.5, 'observation')]",
    "[(b'o001', 'observation')]",
    "[(('a', 'b'), 'observation')]",
    "[('(', 'observation')]",
    "[('*', 'observation')]",
    "[('o001', 1)]",
    "[('o001', ['x'])]",
]


@st.composite
def candidate_lists(draw) -> str:
    """A well-formed candidate list with plausible or odd (but plain) ids and types."""
    pairs = draw(
        st.lists(
            st.tuples(
                st.one_of(
                    st.sampled_from(["o001", "o002", "c1000", "c1001", "a3001", "r0001"]),
                    st.text(string.ascii_lowercase + string.digits + "_", min_size=0, max_size=6),
                    st.sampled_from(["(", ")", "*", "+", "?", "[x", "\\", ".", "o{2}", "^$"]),
                    st.integers(-5, 5000),
                    st.sampled_from([1.5, b"o001", None, True, ("a", "b")]),
                ),
                st.one_of(
                    st.sampled_from(CANDIDATE_TYPES),
                    st.text(string.ascii_lowercase + "_", max_size=8),
                ),
            ),
            max_size=3,
        )
    )
    return "[" + ", ".join(f"({cid!r}, {ctype!r})" for cid, ctype in pairs) + "]"


CANDIDATE_CELLS = st.one_of(st.sampled_from(ODD_CANDIDATES), candidate_lists())
EXP_TYPE_CELLS = st.one_of(
    st.sampled_from(KNOWN_EXP_TYPES),
    st.sampled_from(NULLS),
    st.text(string.ascii_lowercase + "_-", max_size=12),
)
HUGE_CELLS = st.integers(min_value=1_000, max_value=140_000).map(lambda n: "x" * n)
ANY_CELLS = st.one_of(
    st.sampled_from(JUNK_CELLS),
    st.text(max_size=8),
    st.integers(-10, 10_000).map(str),
)

#: how many mutations of one kind: mostly none, so that many pools stay usable
FEW = st.sampled_from([0, 0, 0, 0, 1, 1, 2, 3])

#: columns whose values the rules read most; overridden most often
KEY_COLUMNS = [
    "EXP_TYPE", "PNTGTYPE", "ASN_CANDIDATE", "OBS_NUM", "PROGRAM", "INSTRUME", "FILTER",
    "TARGETID", "IS_PSF", "BKGDTARG", "IS_IMPRT", "TSOVISIT", "PATTTYPE", "FILENAME",
]


@st.composite
def pool_rows(draw, max_rows: int = 30) -> list[dict[str, str]]:
    """Rows near the plausible defaults of tests/pools.py, with some cells replaced."""
    nrows = draw(st.integers(min_value=0, max_value=max_rows))
    rows = []
    for number in range(nrows):
        row = exposure(
            f"jw_{number:05d}_uncal.fits",
            OBS_NUM=draw(st.sampled_from(["1", "2", "3"])),
            EXP_TYPE=draw(st.sampled_from(["MIR_IMAGE", "NRC_IMAGE", "MIR_TACQ", "NRS_MSASPEC",
                                           "MIR_MRS", "NIS_WFSS", "NRC_TSIMAGE"])),
        )
        row["ASN_CANDIDATE"] = f"[('o00{row['OBS_NUM']}', 'observation')]"
        for _ in range(draw(FEW)):
            column = draw(st.sampled_from(KEY_COLUMNS + list(COLUMNS)))
            if column == "ASN_CANDIDATE":
                value = draw(CANDIDATE_CELLS)
            elif column == "EXP_TYPE":
                value = draw(EXP_TYPE_CELLS)
            elif draw(st.integers(0, 60)) == 0:
                value = draw(HUGE_CELLS)
            else:
                value = draw(ANY_CELLS)
            row[column] = value
        if draw(st.integers(0, 15)) == 0:
            row = dict.fromkeys(row, draw(st.sampled_from(NULLS)))  # NULL everywhere
        rows.append(row)
    return rows


@st.composite
def header_columns(draw) -> list[str]:
    """The standard columns, sometimes missing, duplicated, renamed or added to."""
    columns = list(COLUMNS)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        action = draw(st.sampled_from(["keep", "drop", "dup", "dup_case", "rename", "add", "shuffle"]))
        if action == "drop" and columns:
            columns.pop(draw(st.integers(0, len(columns) - 1)))
        elif action in ("dup", "dup_case") and columns:
            name = draw(st.sampled_from(columns))
            columns.append(name.lower() if action == "dup_case" else name)
        elif action == "rename" and columns:
            index = draw(st.integers(0, len(columns) - 1))
            columns[index] = draw(st.sampled_from(["", "1", "x y", "'q'", "ΣA", "#c", "A"]))
        elif action == "add":
            columns.append(draw(st.sampled_from(["EXTRA", "", "2.5", "unknown col"])))
        elif action == "shuffle":
            columns = draw(st.permutations(columns))
    return columns


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


@st.composite
def pool_files(draw, max_rows: int = 30) -> bytes:
    """The bytes of a pool file: a plausible table, then mutated line by line and as bytes."""
    columns = header_columns() if draw(st.integers(0, 5)) == 0 else st.just(list(COLUMNS))
    columns = draw(columns)
    rows = draw(pool_rows(max_rows))
    lines = ["|".join(columns)]
    for row in rows:
        lines.append("|".join(row.get(name.upper(), "NULL") for name in columns))
    for _ in range(draw(FEW)):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(
            ["ragged_more", "ragged_less", "blank", "comment", "duplicate", "trailing_delimiter",
             "quote", "delete"]
        ))
        if action == "ragged_more":
            lines[index] += "|extra"
        elif action == "ragged_less":
            lines[index] = lines[index].rsplit("|", 1)[0]
        elif action == "blank":
            lines.insert(index, draw(st.sampled_from(["", "   ", "\t"])))
        elif action == "comment":
            lines.insert(index, draw(st.sampled_from(["# a comment", "#", "  # x|y|z"])))
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "trailing_delimiter":
            lines[index] += "|"
        elif action == "quote":
            lines[index] = '"' + lines[index]
        elif action == "delete" and len(lines) > 1:
            del lines[index]
    newline = draw(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"]))
    text = newline.join(lines) + draw(st.sampled_from([newline, ""]))
    encoding = draw(st.sampled_from(
        ["utf-8"] * 20 + ["utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-32"]
    ))
    data = _encode(text, encoding)
    action = draw(st.sampled_from(["none"] * 20 + ["truncate", "nul", "junk", "empty"]))
    if action == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif action == "nul":
        where = draw(st.integers(0, len(data)))
        data = data[:where] + b"\x00" + data[where:]
    elif action == "junk":
        where = draw(st.integers(0, len(data)))
        data = data[:where] + draw(st.binary(min_size=1, max_size=16)) + data[where:]
    elif action == "empty":
        data = b""
    return data


RAW_FILES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda text: text.encode("utf-8")),
    st.lists(
        st.lists(st.sampled_from(JUNK_CELLS + ["a", "b", "filename", "asn_candidate"]),
                 min_size=1, max_size=5).map("|".join),
        max_size=6,
    ).map(lambda lines: "\n".join(lines).encode("utf-8")),
)

# ------------------------------------------------------------------ helpers


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative name -> bytes); folders as ``name/``."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        found[name + "/" if path.is_dir() else name] = b"" if path.is_dir() else path.read_bytes()
    return found


@contextlib.contextmanager
def _tracebacks_shown():
    """``ASNGEN_TRACEBACK=1``: an unexpected exception leaves ``main`` instead of its one-line
    "internal error" summary, so Hypothesis reports (and tells apart) the real failure."""
    old = os.environ.get("ASNGEN_TRACEBACK")
    os.environ["ASNGEN_TRACEBACK"] = "1"
    try:
        yield
    finally:
        if old is None:
            del os.environ["ASNGEN_TRACEBACK"]
        else:
            os.environ["ASNGEN_TRACEBACK"] = old


def run_cli(argv: list[str]) -> tuple[int, str]:
    """``asngen`` in-process: (exit status, stderr).  Any other exception propagates."""
    stderr = io.StringIO()
    with (
        _tracebacks_shown(),
        contextlib.redirect_stderr(stderr),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        try:
            status = main(argv)
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return status, stderr.getvalue()


def assert_one_line_error(status: int, stderr: str, may_name: tuple[str, ...]) -> str:
    """The error is the last stderr line, alone; earlier lines may only be warnings."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert lines, f"exit {status} without a message"
    *before, line = lines
    assert all(text.startswith("asngen generate: warning: ") for text in before), stderr
    assert "internal error" not in line, stderr
    assert line.startswith("asngen generate: error: "), stderr
    assert any(name in line for name in may_name), f"{line!r} names none of {may_name}"
    return line


def check_generate(pool_bytes: bytes, options: list[str]) -> tuple[int, str]:
    """Run ``asngen generate`` on ``pool_bytes`` and check the all-or-nothing contract."""
    with tempfile.TemporaryDirectory(prefix="asngen-fuzz-") as work:
        pool = Path(work) / "pool.csv"
        pool.write_bytes(pool_bytes)
        out = Path(work) / "out"
        out.mkdir()
        (out / "keep.txt").write_text("not asngen's\n")
        before = snapshot(out)
        status, stderr = run_cli(
            ["generate", str(pool), "--version-id", "fz", "-p", str(out), *options]
        )
        assert status in GENERATE_STATUSES, (status, stderr)
        assert "Traceback" not in stderr, stderr
        after = snapshot(out)
        written = len(after) - len(before)
        if currently_in_test_context():  # see --hypothesis-show-statistics
            event(f"exit {status}" + (f", files written: {min(written, 5)}{'+' if written > 5 else ''}" if status == 0 else ""))
        if status != 0:
            assert_one_line_error(status, stderr, (str(pool), str(out)))
            assert after == before, "a failed run changed the output folder"
            return status, stderr
        assert after["keep.txt"] == before["keep.txt"]
        assert not [name for name in after if name.startswith(STAGING_PREFIX)]
        for name, data in after.items():
            if name.endswith(".json"):
                assert isinstance(json.loads(data), dict), name
            elif name.endswith(".yaml"):
                assert isinstance(yaml.safe_load(data), dict), name
        return status, stderr


OPTION_SETS = st.tuples(
    st.sampled_from([[], [], ["--discover"], ["--all-candidates"], ["-i", "o001"],
                     ["-i", "o001", "c1000"], ["--DMS", "-i", "o001"]]),
    st.lists(
        st.sampled_from(["--per-pool-algorithm", "--strict", "--merge", "--no-finalize", "-D",
                         "--save-orphans"]),
        unique=True, max_size=3,
    ),
    st.sampled_from([[], [], [], ["--format", "yaml"]]),
).map(lambda parts: [option for part in parts for option in part])

# -------------------------------------------------------------- the reader


def check_read(path: Path, delimiter: str = "|") -> Pool | None:
    try:
        pool = read_pool(path, delimiter=delimiter)
    except PoolError as err:
        text = str(err)
        assert "\n" not in text and "\r" not in text, text
        assert err.file == str(path)
        assert text.startswith(str(path)), text
        return None
    assert len(set(pool.columns)) == len(pool.columns)
    for row in pool.rows:
        assert list(row) == pool.columns
        assert all(isinstance(value, str) for value in row.values())
    return pool


@budget("reader")
@given(data=pool_files())
def test_reader_reads_or_names_the_file(data):
    with tempfile.TemporaryDirectory(prefix="asngen-fuzz-") as work:
        path = Path(work) / "pool.csv"
        path.write_bytes(data)
        check_read(path)


@budget("reader_raw")
@given(data=RAW_FILES, delimiter=st.sampled_from(["|", "|", ",", "\t", ";"]))
def test_reader_survives_junk(data, delimiter):
    with tempfile.TemporaryDirectory(prefix="asngen-fuzz-") as work:
        path = Path(work) / "junk.csv"
        path.write_bytes(data)
        check_read(path, delimiter)


# ------------------------------------------------------------ the command


@budget("generate")
@given(data=pool_files(), options=OPTION_SETS)
def test_generate_writes_everything_or_one_line(data, options):
    check_generate(data, options)


# ---------------------------------------------- unclassifiable science rows


@budget("classify")
@given(rows=pool_rows(max_rows=12), nulls=st.sets(st.integers(0, 11)),
       null_value=st.sampled_from(NULLS))
def test_unclassifiable_rows_are_left_out_not_fatal(rows, nulls, null_value):
    """A science row without EXP_TYPE is an orphan with a reason; --strict names it instead."""
    for index in sorted(nulls):
        if index < len(rows):
            rows[index]["EXP_TYPE"] = null_value
            rows[index]["PNTGTYPE"] = "SCIENCE"
    with tempfile.TemporaryDirectory(prefix="asngen-fuzz-") as work:
        path = Path(work) / "pool.csv"
        path.write_text(pool_text(rows))
        try:
            pool = read_pool(path)
        except PoolError:
            return  # junk cells broke the table; the reader test covers that
        empty = {"", "null", "n/a", "--", "n", "f", "false"}
        bad = [
            number for number, row in enumerate(pool.rows, start=1)
            if row["exp_type"] in empty and row["pntgtype"] in empty | {"science"}
        ]
        options = GenerateOptions(version_id="fz")
        try:
            result = generate(pool, options)
        except PoolError as err:
            # only what the rules cannot use at all may stop a lenient run: a missing
            # column, or an ASN_CANDIDATE literal that is not a list of pairs
            assert err.row is None or err.column == "asn_candidate", str(err)
        else:
            assert [number for number, _, _ in result.excluded] == bad
            assert all("exposure type" in reason for _, _, reason in result.excluded)
            told = [warning for warning in result.warnings if "left out, exposure type" in warning]
            assert len(told) == (1 if bad else 0)
            if bad:  # the first rows set aside are named in the one warning
                assert f"{'row' if len(bad) == 1 else 'rows'} {', '.join(map(str, bad[:5]))}" in told[0]
            filenames = [row["filename"] for row in pool.rows]
            if len(set(filenames)) == len(filenames):
                orphans = {row["filename"] for row in result.orphans}
                assert {row["filename"] for _, row, _ in result.excluded} <= orphans
        event(f"unclassifiable rows: {min(len(bad), 3)}{'+' if len(bad) > 3 else ''}")
        if not bad:
            return
        with pytest.raises(PoolError) as caught:
            generate(pool, GenerateOptions(version_id="fz", strict=True))
        assert caught.value.row == bad[0]
        assert caught.value.column == "exp_type"
        assert str(caught.value).startswith(f"{path}, row {bad[0]}, column 'exp_type': ")


def test_unclassifiable_row_is_an_orphan_with_its_reason(tmp_path):
    """Without --strict the run succeeds and --save-orphans says why the row was left out."""
    rows = [exposure(f"jw_{number:05d}_uncal.fits") for number in range(4)]
    rows[2]["EXP_TYPE"] = "NULL"
    pool = tmp_path / "pool.csv"
    pool.write_text(pool_text(rows))
    out = tmp_path / "out"
    status, stderr = run_cli(
        ["generate", str(pool), "--version-id", "fz", "-p", str(out), "--save-orphans"]
    )
    assert status == 0, stderr
    assert stderr.splitlines()[0] == (
        "asngen generate: warning: 1 of 4 rows left out, exposure type cannot be determined "
        "(EXP_TYPE empty, PNTGTYPE science or empty): row 3; --strict stops instead"
    )
    orphans = read_pool(out / "orphaned.csv")
    reasons = {row["filename"]: row["reason"] for row in orphans.rows}
    assert "exposure type cannot be determined" in reasons["jw_00002_uncal.fits"]
    written = "".join(path.read_text() for path in out.glob("*_asn.json"))
    assert "jw_00002" not in written and "jw_00001" in written


# ------------------------------------------------------ candidate literals


@budget("candidates")
@given(
    candidates=st.lists(CANDIDATE_CELLS, min_size=1, max_size=6),
    options=OPTION_SETS,
)
def test_any_candidate_literal_gives_files_or_one_line(candidates, options):
    rows = [
        exposure(f"jw_{number:05d}_uncal.fits", ASN_CANDIDATE=value)
        for number, value in enumerate(candidates)
    ]
    check_generate(pool_text(rows).encode("utf-8"), options)


# ------------------------------------------- candidate literals that stop a run
#
# Literals the reference cannot use (it stops with a TypeError or re.error).
# They once crashed asngen too; now the run stops with one line, which must
# name the row that holds the literal.  They are also part of ODD_CANDIDATES.

UNUSABLE_CANDIDATES = {
    "int-id": ("[(1, 'observation')]", []),
    "float-id": ("[(1.5, 'observation')]", []),
    "bytes-id": ("[(b'o001', 'observation')]", []),
    "tuple-id": ("[(('a', 'b'), 'observation')]", []),
    "regex-paren-id": ("[('(', 'observation')]", []),
    "regex-star-id": ("[('*', 'observation')]", []),
    "int-in-list": ("[('o001', 'observation'), 5]", []),
    "float": ("1.5", []),
    "per-pool-int-id": ("[(1, 'observation')]", ["--per-pool-algorithm"]),
    "per-pool-int-type": ("[('o001', 1)]", ["--per-pool-algorithm"]),
    "per-pool-list-type": ("[('o001', ['x'])]", ["--per-pool-algorithm"]),
}
@pytest.mark.parametrize("case", list(UNUSABLE_CANDIDATES))
def test_unusable_candidate_literal_is_one_line_naming_its_row(case):
    """Minimal reproduction: three MIRI images, the second with the odd asn_candidate cell."""
    candidate, options = UNUSABLE_CANDIDATES[case]
    rows = [exposure(f"jw_{number:05d}_uncal.fits") for number in range(3)]
    rows[1]["ASN_CANDIDATE"] = candidate
    with tempfile.TemporaryDirectory(prefix="asngen-fuzz-") as work:
        pool = Path(work) / "pool.csv"
        pool.write_text(pool_text(rows))
        status, stderr = run_cli(
            ["generate", str(pool), "--version-id", "fz", "-p", str(Path(work) / "out"), *options]
        )
        assert status == 1, stderr
        line = assert_one_line_error(status, stderr, (str(pool),))
        assert line.startswith(f"asngen generate: error: {pool}, row 2, column 'asn_candidate': "), line
        assert repr(candidate.lower())[1:-1] in line or candidate.lower() in line, line


# ------------------------------------------------------- documented messages

ERROR_CLASSES = {"AsngenError", "PoolError", "RuleError", "UsageError", "AssociationFileError"}


def _message_pieces(node: ast.expr) -> list[str]:
    """The literal text of a message expression (f-string parts without the placeholders)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [part.value for part in node.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)]
    return []


def _error_messages() -> list[tuple[str, str]]:
    """(where, longest literal piece) of every error message raised in src/asngen."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            is_error = name in ERROR_CLASSES
            # exception classes of their own (such as MalformedCandidate) word the message
            # in __init__ with super().__init__(f"...")
            is_super = name == "__init__" and isinstance(node.func, ast.Attribute) and (
                isinstance(node.func.value, ast.Call)
                and getattr(node.func.value.func, "id", None) == "super"
            )
            if not (is_error or is_super):
                continue
            pieces = [piece.strip() for piece in _message_pieces(node.args[0])]
            pieces = [piece for piece in pieces if len(piece) >= 3]
            if pieces:
                where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
                found.append((where, max(pieces, key=len)))
    return found


SOURCE = Path(__file__).resolve().parents[1] / "src" / "asngen"
ERRORS_DOC = Path(__file__).resolve().parents[1] / "docs" / "errors.md"


def test_every_error_message_is_in_docs_errors_md():
    """docs/errors.md lists every message (its literal text), with its status and what to do."""
    messages = _error_messages()
    assert len(messages) > 50
    text = ERRORS_DOC.read_text(encoding="utf-8").replace("\\|", "|")
    missing = [f"{where}: {piece!r}" for where, piece in messages if piece not in text]
    assert not missing, "not in docs/errors.md:\n" + "\n".join(missing)


# ------------------------------------------------------------ fixed crashes
#
# Found by the long profile; each is a minimal reproduction.  An empty
# candidate id gives an association whose asn_id is '' (the reference then
# stops with an IndexError when it compares associations); asngen runs.


def _row(number: int, candidate: str, **values: str) -> dict[str, str]:
    return exposure(f"jw_{number:05d}_uncal.fits", ASN_CANDIDATE=candidate, **values)


@pytest.mark.parametrize(("rows", "options"), [
    pytest.param(
        [_row(1, "[('', 'observation')]", EXP_TYPE="FGS_IMAGE"),
         _row(2, "[('o001', 'observation')]"),
         _row(3, "[('o002', 'observation')]", OBS_NUM="2")],
        ["--all-candidates"], id="empty-id-all-candidates",
    ),
    pytest.param(
        [_row(1, "[('', '')]"), _row(2, "[('', 'observation')]")],
        ["--per-pool-algorithm"], id="empty-id-per-pool",
    ),
])
def test_empty_candidate_id_does_not_crash(rows, options):
    status, _ = check_generate(pool_text(rows).encode("utf-8"), options)
    assert status == 0
