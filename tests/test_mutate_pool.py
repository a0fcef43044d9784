"""The pool mutator of the differential tests (benchmarks/mutate_pool.py).

A disagreement it leads to is reproduced from (source pool, seed) alone, so
determinism is tested byte for byte; the other tests check that what it
writes is still a pool both programs read: the source's comments and
header, rows of the header's width, candidate lists that parse.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.pools import benchmark_module

SOURCE = Path(__file__).resolve().parents[1] / "examples" / "example_pool.csv"


mutate_pool = benchmark_module("mutate_pool")
PoolText = mutate_pool.PoolText


def _write(tmp_path: Path, seeds: str) -> list[Path]:
    out = tmp_path / "out"
    assert mutate_pool.main([str(SOURCE), "--seeds", seeds, "-o", str(out)]) == 0
    return sorted(out.iterdir())


def test_a_seed_writes_the_same_pool_every_time(tmp_path):
    first = _write(tmp_path / "a", "1-12")
    second = _write(tmp_path / "b", "1-12")
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    assert len({p.read_bytes() for p in first}) > 6  # seeds make different pools


def test_mutated_pools_keep_the_source_header_comments_and_row_width(tmp_path):
    source = PoolText.read(SOURCE)
    for path in _write(tmp_path, "1-40"):
        pool = PoolText.read(path)
        assert pool.header == source.header
        assert pool.comments[: len(source.comments)] == source.comments
        assert pool.comments[-1].startswith("# mutate_pool.py seed ")
        assert pool.rows and all(len(row) == len(pool.header) for row in pool.rows)
        names = {row[0] for row in source.rows}
        assert {row[0] for row in pool.rows} <= names  # file names are never invented


def test_edited_candidate_lists_are_still_lists_of_pairs(tmp_path):
    index = PoolText.read(SOURCE).column("asn_candidate")
    edited = 0
    for path in _write(tmp_path, "1-60"):
        if "edit candidates" not in PoolText.read(path).comments[-1]:
            continue
        edited += 1
        for row in PoolText.read(path).rows:
            if row[index] == "NULL":  # emptied by another mutation of the same pool
                continue
            value = ast.literal_eval(row[index])
            assert isinstance(value, list)
            assert all(isinstance(pair, tuple) and len(pair) == 2 for pair in value)
    assert edited


def test_at_most_keeps_that_many_of_the_mutated_rows_in_their_order(tmp_path):
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    for seed in range(1, 9):
        mutate_pool.main([str(SOURCE), "--seeds", str(seed), "-o", str(whole)])
        mutate_pool.main([str(SOURCE), "--seeds", str(seed), "--at-most", "5", "-o", str(cut)])
        name = f"{SOURCE.stem}__m{seed}.csv"
        rows = PoolText.read(whole / name).rows
        kept = PoolText.read(cut / name).rows
        assert len(kept) == min(5, len(rows))
        remaining = iter(rows)
        assert all(any(row == other for other in remaining) for row in kept)  # a subsequence


def _write_more(tmp_path: Path, seeds: str) -> list[Path]:
    out = tmp_path / "more"
    assert mutate_pool.main([str(SOURCE), "--seeds", seeds, "--more", "-o", str(out)]) == 0
    return sorted(out.iterdir())


def _same_value(a: str, b: str) -> bool:
    """Equal once forms are set aside: case, leading zeros, the spelling of an empty cell."""
    empty = {"", "null", "none"}
    a, b = a.lower(), b.lower()
    if a in empty and b in empty:
        return True
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return a == b


def test_more_takes_out_whole_columns_and_changes_only_the_forms_of_values(tmp_path):
    """(and retypes candidates: see the next test)"""
    source = PoolText.read(SOURCE)
    by_name = {row[0]: row for row in source.rows}
    kinds = set()
    for path in _write_more(tmp_path, "1-80"):
        assert path.name.startswith(f"{SOURCE.stem}__mm")
        pool = PoolText.read(path)
        applied = pool.comments[-1]
        assert " --more: " in applied
        assert all(len(row) == len(pool.header) for row in pool.rows)
        dropped = [name for name in source.header if name not in pool.header]
        assert len(dropped) == applied.count("drop column ") - applied.count("drop column (none)")
        if "drop column " in applied:
            kinds.add("drop column")
        if "retype candidates ((" in applied:
            kinds.add("retype")
        value_changes = ("swap", "empty cells", "edit candidates", "retype candidates")
        if "reform values in " in applied and not any(change in applied for change in value_changes):
            kinds.add("reform")
            for row in pool.rows:
                original = [cell for name, cell in zip(source.header, by_name[row[0]], strict=True)
                            if name in pool.header]
                assert all(_same_value(a, b) for a, b in zip(original, row, strict=True))
    assert kinds == {"drop column", "reform", "retype"}


def test_without_more_no_column_is_taken_out(tmp_path):
    source = PoolText.read(SOURCE)
    for path in _write(tmp_path, "1-80"):
        pool = PoolText.read(path)
        assert pool.header == source.header
        assert "drop column" not in pool.comments[-1] and "reform" not in pool.comments[-1]


def test_a_retyped_candidate_keeps_its_id_and_takes_another_type(tmp_path):
    import re

    retyped = 0
    for path in _write_more(tmp_path, "1-120"):
        pool = PoolText.read(path)
        applied = pool.comments[-1]
        found = re.findall(r"retype candidates \((\('[^']*', '[^']*'\)) as '([^']*)' in (\d+) rows\)", applied)
        if len(found) != 1 or found[0][2] == "0":
            continue
        if any(change in applied for change in ("edit candidates", "drop rows", "swap cells", "empty")):
            continue  # (they may take the retyped entries away again)
        entry, new_type, _ = found[0]
        old_id, old_type = ast.literal_eval(entry)
        assert new_type != old_type
        index = pool.column("asn_candidate")  # (a column taken out moves it)
        pairs = [pair for row in pool.rows for pair in ast.literal_eval(row[index])]
        assert (old_id, new_type) in pairs
        retyped += 1
    assert retyped



def _write_rule_values(tmp_path: Path, seeds: str) -> list[Path]:
    out = tmp_path / "rule_values"
    assert mutate_pool.main([str(SOURCE), "--seeds", seeds, "--rule-values", "-o", str(out)]) == 0
    return sorted(out.iterdir())


def test_rule_values_are_the_literals_the_standard_rules_test_for():
    found = dict(mutate_pool.standard_rule_values())
    assert ("subarray", ["full"]) in found["Asn_Lv3NRCCoronImage"]
    assert ("grating", ["mirror"]) in found["Asn_Lv2NRSLAMPImage"]
    for tests in found.values():
        for column, words in tests:
            assert column == column.lower()
            assert all(mutate_pool._LITERAL.match(word) for word in words)  # no regex written into a pool


def test_rule_values_write_the_named_values_into_the_rows_they_count(tmp_path):
    import re

    source = PoolText.read(SOURCE)
    seen = 0
    for path in _write_rule_values(tmp_path, "1-60"):
        assert path.name.startswith(f"{SOURCE.stem}__mr")
        pool = PoolText.read(path)
        applied = pool.comments[-1]
        assert " --rule-values: " in applied
        assert pool.header[: len(source.header)] == source.header  # columns only ever added
        assert all(len(row) == len(pool.header) for row in pool.rows)
        found = re.findall(r"rule values of \w+ \(([^)]*)\) in (\d+) rows", applied)
        others = ("swap", "empty cells", "drop rows", "duplicate", "edit candidates", "reorder", "rows (")
        if len(found) != 1 or applied.count("; ") or any(other in applied.split(": ", 1)[1] for other in others):
            continue
        writes, count = found[0]
        for write in writes.split(", "):
            column, value = write.split("=")
            index = pool.column(column)
            holding = sum(row[index] == value for row in pool.rows)
            assert holding >= int(count)  # other rows may have held the value already
        seen += 1
    assert seen > 5


def test_text_forms_write_the_pool_text_in_the_form_they_name(tmp_path):
    import re

    out = tmp_path / "text_forms"
    assert mutate_pool.main([str(SOURCE), "--seeds", "1-40", "--text-forms", "-o", str(out)]) == 0
    forms = set()
    checked = 0
    for path in sorted(out.iterdir()):
        assert path.name.startswith(f"{SOURCE.stem}__mt")
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        applied = re.search(r"--text-forms: text: ([^\r\n]*)", text).group(1)
        form = applied.split(" ")[0]
        forms.add(form)
        assert text.startswith("\ufeff") == (form == "a")  # "a byte-order mark first"
        assert (b"\r\n" in raw) == (form == "line")  # "line ends CRLF"
        if form == "line":
            assert raw.count(b"\n") == raw.count(b"\r\n")
        if form in ("blanks", "letters") and "(none)" not in applied and "; " not in applied:  # (alone)
            column, written = re.match(r"\w+ in (\S+) \(('.*') ", applied).groups()
            change = ast.literal_eval(written)  # (as repr wrote it)
            pool = PoolText.read(path)
            index = pool.column(column.lower())
            assert any(change in row[index] for row in pool.rows)
            checked += 1
    assert forms == {"a", "line", "blanks", "letters"}  # every form drawn in 40 seeds
    assert checked > 3
