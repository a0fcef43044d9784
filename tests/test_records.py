"""Pool rows held as records, and the dicts made from them while a pass runs.

A pool read from a file keeps each row as a tuple (a third of a dict's
size); the generator makes a row's dict when it takes the row and lets it go
when the row is done, and members keep the record.  What a rule or a
finalizer reads must not change: these tests pin that down.
"""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asngen.api import generate
from asngen.generator import loop
from asngen.options import GenerateOptions
from asngen.pool import Pool, pool_from_rows, read_pool
from asngen.records import (
    ABSENT,
    RecordBuilder,
    RecordView,
    Shelved,
    as_dict,
    cell,
    cells,
    records_from_dicts,
)

from .pools import exposure, run, write_pool, write_synthetic_pool


@pytest.fixture(scope="module")
def synthetic_rows_pool(tmp_path_factory):
    return write_synthetic_pool(tmp_path_factory.mktemp("records") / "synthetic_pool.csv", 300, 1)


def _images(count: int = 4) -> list[dict[str, str]]:
    return [exposure(f"jw99009001001_0210{number}_00001_mirimage_uncal.fits") for number in range(1, count + 1)]


def _record(**row):
    return records_from_dicts(list(row), [row])[0]


def test_a_record_reads_like_its_row():
    record = _record(filename="a_uncal.fits", exp_type="mir_image")
    assert as_dict(record) == {"filename": "a_uncal.fits", "exp_type": "mir_image"}
    assert cell(record, "exp_type") == "mir_image"
    assert cell(record, "no_such_column") is None
    assert cell(record, "no_such_column", "x") == "x"
    view = RecordView(record)
    assert view["filename"] == "a_uncal.fits"
    assert view.get("nothing", 1) == 1
    assert "exp_type" in view and "nothing" not in view
    assert list(view) == ["filename", "exp_type"] and len(view) == 2
    assert view == as_dict(record) and view.copy() == as_dict(record)
    with pytest.raises(KeyError):
        view["nothing"]


def test_rows_with_different_keys_keep_what_each_had():
    records = records_from_dicts(["a"], [{"a": "1"}, {"a": "2", "b": "3"}])
    assert records[0][0] == ("a", "b") and records[0][0].uneven
    assert cells(records[0]) == ("1", ABSENT)
    assert as_dict(records[0]) == {"a": "1"}
    assert as_dict(records[1]) == {"a": "2", "b": "3"}
    assert "b" not in RecordView(records[0])


def test_records_survive_pickling_with_their_columns():
    twin = pickle.loads(pickle.dumps(_record(x="1", y="2")))
    assert as_dict(twin) == {"x": "1", "y": "2"}
    assert cell(twin, "y") == "2"
    uneven = pickle.loads(pickle.dumps(records_from_dicts(["a"], [{"a": "1"}, {"a": "2", "b": "3"}])))
    assert cells(uneven[0]) == ("1", ABSENT) and as_dict(uneven[0]) == {"a": "1"}


def test_a_taken_row_shows_the_marker_of_its_pass():
    record = _record(filename="f", asn_candidate="[('o001', 'observation'), ('c1000', 'mosaic')]")
    assert Shelved((record, "[('c1000', 'mosaic')]", None)).take()["asn_candidate"] == "[('c1000', 'mosaic')]"
    assert Shelved((record, None, None)).take() == as_dict(record)


def test_a_row_taken_again_is_a_fresh_copy_of_the_first_dict():
    """With a ``kept`` table, later takes copy the dict the first take made: each pass still
    gets a dict of its own (passes change theirs: the marker, copies of split values), and
    the kept one is never handed out."""
    record = _record(filename="f", asn_candidate="[('o001', 'observation'), ('c1000', 'mosaic')]")
    kept: dict = {}
    first = Shelved((record, "[('o001', 'observation')]", kept)).take()
    assert first["asn_candidate"] == "[('o001', 'observation')]"
    first["filename"] = "changed by its pass"
    again = Shelved((record, None, kept)).take()
    assert again == as_dict(record) and again is not first
    assert list(kept) == [id(record)] and kept[id(record)] is not again
    again["asn_candidate"] = "changed too"
    assert Shelved((record, "[('c1000', 'mosaic')]", kept)).take() == {
        **as_dict(record), "asn_candidate": "[('c1000', 'mosaic')]"}
    assert kept[id(record)] == as_dict(record)


@pytest.mark.parametrize("jobs", [1, 2])
def test_rows_are_kept_for_small_pools_only_while_the_passes_run(synthetic_rows_pool, monkeypatch, jobs):
    """A run keeps its rows' dicts (pools of up to KEEP_ROWS rows) and lets them go when its
    passes are over; above the limit nothing is kept, and the files are the same either way."""
    from asngen.generator import drivers
    from asngen.generator.loop import RunState

    seen: list = []
    original = Shelved.take

    def take(self):
        seen.append(self[2] is not None)
        return original(self)

    monkeypatch.setattr(Shelved, "take", take)
    state = RunState()
    kept = generate(str(synthetic_rows_pool), GenerateOptions(version_id="x", jobs=jobs), run=state)
    assert state.kept_rows is None
    if jobs == 1:  # (a worker's takes happen in its own process)
        assert seen and all(seen)
    monkeypatch.setattr(drivers, "KEEP_ROWS", 0)
    seen.clear()
    made = generate(str(synthetic_rows_pool), GenerateOptions(version_id="x", jobs=jobs))
    if jobs == 1:
        assert seen and not any(seen)
    assert [asn.data for asn in made.associations] == [asn.data for asn in kept.associations]


def test_a_pool_read_from_a_file_holds_records_and_makes_rows_on_request(tmp_path):
    path = write_pool(tmp_path, _images(2))
    pool = read_pool(str(path))
    assert pool._rows is None  # nothing asked for dicts yet
    assert len(pool) == 2
    rows = pool.rows
    assert rows is pool.rows  # made once, then kept
    assert [row["filename"] for row in rows] == [
        "jw99009001001_02101_00001_mirimage_uncal.fits", "jw99009001001_02102_00001_mirimage_uncal.fits"]
    assert list(pool.iter_rows()) == rows
    assert pool == pool_from_rows(rows, source=str(path))  # same cells, columns and source
    assert cells(Pool(columns=pool.columns, rows=rows).records[1]) == cells(pool.records[1])


def test_members_keep_the_pool_record_and_read_it_with_its_own_candidate_text(tmp_path):
    rows = _images()
    rows[0]["ASN_CANDIDATE"] = "[('o001', 'observation'), ('c1000', 'mosaic')]"
    result = run(tmp_path, rows)
    members = [member for asn in result.associations for member in asn.members]
    assert members
    assert all(member.row.__class__ is tuple for member in members)
    first = next(member for member in members if member["expname"].startswith("jw99009001001_02101"))
    assert isinstance(first.item, RecordView)
    # the pool's own text, not the marker of the pass that made the member
    assert first.item["asn_candidate"] == "[('o001', 'observation'), ('c1000', 'mosaic')]"
    assert first.item["filename"] == "jw99009001001_02101_00001_mirimage_uncal.fits"


def test_a_pool_pass_splits_a_row_by_candidate_into_shelves_of_its_record(tmp_path):
    """One pass over the whole pool tries each candidate of a row's list as a copy of the row:
    the copies wait as shelves of the record, and their members keep the record too."""
    rows = _images()
    for row in rows[:2]:
        row["ASN_CANDIDATE"] = "[('o001', 'observation'), ('c1000', 'mosaic')]"
    result = run(tmp_path, rows, per_pool_algorithm=True)
    members = [member for asn in result.associations for member in asn.members]
    assert len(result.associations) == 5 and len(members) == 8
    assert all(member.row.__class__ is tuple for member in members)
    level3 = [member for asn in result.associations if asn.level == 3 for member in asn.members]
    assert [member["asn_candidate"] for member in level3] == ["('o001', 'observation')"] * 4
    # what a member reads of its row is the pool's own text, as for any other member
    assert {member.item["asn_candidate"] for member in level3[:2]} == {
        "[('o001', 'observation'), ('c1000', 'mosaic')]"}


def test_explanations_still_see_each_rows_own_dict(tmp_path):
    from asngen.explain import Recorder

    path = write_pool(tmp_path, _images())
    from asngen.generator.loop import RunState

    state = RunState()
    state.recorder = Recorder()
    result = generate(str(path), GenerateOptions(version_id="x"), run=state)
    members = [member for asn in result.associations for member in asn.members]
    assert members and all(isinstance(member.row, dict) for member in members)


def test_a_whole_pool_pass_queues_rows_again_as_records(synthetic_rows_pool, monkeypatch):
    """The discover pass takes rows one by one; a row it queues again waits as its record."""
    taken_whole_pool: list[dict] = []  # dicts made in the whole-pool pass (kept: their ids stay unique)
    original = Shelved.take

    def take(self):
        row = original(self)
        if self[1] is None:
            taken_whole_pool.append(row)
        return row

    monkeypatch.setattr(Shelved, "take", take)
    queued = {"records": 0, "dicts": 0}
    kept_requests: list = []  # every request queued again, read once the run is over (when
    keep_after = loop.keep_after  # kept, the loop then gives it the rows it queues)

    def watch(request, category):
        kept = keep_after(request, category)
        if kept is not None:
            kept_requests.append(kept)
        return kept

    monkeypatch.setattr(loop, "keep_after", watch)
    generate(str(synthetic_rows_pool), GenerateOptions(version_id="x", jobs=1))
    for request in kept_requests:
        for item in request.items:
            if isinstance(item, Shelved) and item[1] is None:
                queued["records"] += 1
            elif any(item is row for row in taken_whole_pool):
                queued["dicts"] += 1
    assert taken_whole_pool
    assert queued["records"] > 0  # the pool has rows the discover pass tries again
    assert queued["dicts"] == 0


def test_workers_give_members_the_parents_own_records(tmp_path):
    rows = [
        exposure(f"jw99009{obs:03d}001_02101_0000{n}_mirimage_uncal.fits", OBS_NUM=f"{obs:03d}",
                 ASN_CANDIDATE=f"[('o{obs:03d}', 'observation')]")
        for obs in range(1, 60) for n in range(1, 10)
    ]
    pool = read_pool(str(write_pool(tmp_path, rows)))
    records = {id(record) for record in pool.records}
    result = generate(pool, GenerateOptions(version_id="x", jobs=2))
    members = [member for asn in result.associations for member in asn.members]
    assert members and all(id(member.row) in records for member in members)


@pytest.mark.parametrize(
    "text",
    [
        "a|b\nx|\ny|long\n",  # an empty cell: filled with "null" cut to the column width
        'a|b\n"x|1"|2\ny|3\n',  # quotes
    ],
)
def test_every_reading_path_gives_records(tmp_path, text):
    path = tmp_path / "pool.csv"
    path.write_text(text)
    pool = read_pool(str(path))
    assert pool._rows is None
    assert all(record[0] == ("a", "b") for record in pool.records)
    assert pool.rows == [as_dict(record) for record in pool.records]


def test_codes_widen_as_columns_gain_values_and_every_record_still_reads_back():
    """A column's codes grow from one byte to two or four; the records made before keep the
    layout they were made with (nothing is made again), and all of them share the values."""
    rows = [{"unique": f"f{n}", "slow": str(n // 100), "few": "abc"[n % 3]} for n in range(70_000)]
    records = records_from_dicts(["unique", "slow", "few"], rows)
    layouts = list({id(record[0]): record[0] for record in records}.values())
    assert [layout.widths for layout in layouts] == [(1, 1, 1), (4, 1, 1), (4, 2, 1)]
    assert [sum(record[0] is layout for record in records) for layout in layouts] == [256, 25_600 - 256, 70_000 - 25_600]
    assert len(records[0][1]) == 3 and len(records[-1][1]) == 7
    assert all(layout.values is layouts[0].values for layout in layouts)
    assert all(as_dict(record) == row for record, row in zip(records, rows, strict=True))
    assert all(cells(record) == tuple(row.values()) for record, row in zip(records, rows, strict=True))
    assert cell(records[69_999], "slow") == "699" and cell(records[0], "unique") == "f0"
    back = pickle.loads(pickle.dumps(records[::997] + records[-3:]))
    assert [as_dict(record) for record in back] == rows[::997] + rows[-3:]


def test_cells_other_than_text_keep_their_own_type_and_identity():
    marker = object()
    values = [1, 1.0, True, "1", None, [1], [1], marker]
    records = records_from_dicts(["v"], [{"v": value} for value in values])
    back = [cell(record, "v") for record in records]
    assert [type(value) for value in back] == [type(value) for value in values]
    assert all(b is v or (b == v and type(b) is str) for b, v in zip(back, values, strict=True))


def test_columns_are_shared_not_copied():
    import copy

    record = _record(a="1")
    assert copy.deepcopy(record)[0] is record[0] and copy.copy(record[0]) is record[0]


def test_a_pool_keeps_each_distinct_value_once(tmp_path):
    path = write_pool(tmp_path, _images(4))
    pool = read_pool(str(path))
    columns = pool.records[0][0]
    values = columns.decoders["exp_type"][2]
    assert values == ["mir_image"]
    assert all(len(record[1]) < len(columns) * 4 for record in pool.records)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "", "null", "A", "a "]), min_size=3, max_size=3),
                max_size=40),
       st.integers(min_value=0, max_value=700))
def test_records_of_text_rows_read_back_whatever_repeats(rows, distinct):
    """Rows given as lists of text, as a pool's lines are split: a cell equal to the previous
    row's takes its code without a look-up, and the records still read back cell for cell,
    also when a column outgrows one-byte codes in the middle (``distinct`` new values)."""
    rows = [list(row) for row in rows]
    rows[len(rows) // 2:len(rows) // 2] = [[f"file{number}", "a", "a"] for number in range(distinct)]
    builder = RecordBuilder(["x", "y", "z"])
    builder.add(iter(rows), text=True)
    records = builder.finish()
    assert [list(cells(record)) for record in records] == rows


_LINE_CELLS = ["a", "ab", "b", "ba", "", "null", "a b", "\u00e9", "\u4e00", "f1", "f10", "f100"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_LINE_CELLS), min_size=3, max_size=3), max_size=40),
       st.integers(min_value=0, max_value=700), st.sampled_from(["|", ",", "\t"]))
def test_lines_made_records_in_place_are_the_records_of_their_cells(rows, distinct, delimiter):
    """``add_lines`` compares each line with the one before without splitting it: the records
    are those of ``add`` on the lines split, byte for byte and layout for layout, whatever
    the cells (one the prefix of another, empty at either end, not ASCII) and also when a
    column outgrows its codes' width in the middle (``distinct`` new values)."""
    rows = [list(row) for row in rows]
    rows[len(rows) // 2:len(rows) // 2] = [[f"f{number}", "a", ""] for number in range(distinct)]
    lines = [delimiter.join(row) for row in rows]
    by_cells = RecordBuilder(["x", "y", "z"])
    by_cells.add([line.split(delimiter) for line in lines], text=True)
    by_lines = RecordBuilder(["x", "y", "z"])
    by_lines.add_lines(iter(lines), delimiter)
    assert [record[1] for record in by_lines.records] == [record[1] for record in by_cells.records]
    assert [record[0].widths for record in by_lines.records] == [record[0].widths for record in by_cells.records]
    records = by_lines.finish()
    assert [list(cells(record)) for record in records] == rows


def test_a_line_is_told_from_the_one_before_cell_by_cell():
    """The walk behind ``add_lines``: the record before, with the codes of the cells that
    differ written over (the record before itself when none does); None when a code no
    longer fits its column's width."""
    from asngen.records import _changed_codes

    builder = RecordBuilder(["x", "y", "z"])
    builder.add_lines(["a|b|c", "a|bb|c", "a|bb|c"], "|")
    first, second, third = (record[1] for record in builder.records)
    assert first == bytes([0, 0, 0]) and second == bytes([0, 1, 0])
    assert third == second
    layout = builder.columns.layout
    assert _changed_codes("a|bb|c", b"a|bb|c", b"a|bb|c", second, ord("|"), builder._codes, layout) is second
    assert _changed_codes("ab|b|", b"ab|b|", b"a|bb|c", second, ord("|"), builder._codes, layout) == bytes([1, 0, 1])
    full = RecordBuilder(["x"])
    full.add_lines([f"v{number}" for number in range(256)], "|")
    assert full.columns.widths == (1,)
    assert _changed_codes("w", b"w", b"v255", full.records[-1][1], ord("|"), full._codes, full.columns.layout) is None


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "", "A"]), min_size=4, max_size=4), min_size=1, max_size=30),
       st.lists(st.integers(min_value=0, max_value=10_000), max_size=80),
       st.integers(min_value=0, max_value=400))
def test_a_record_read_in_any_order_gives_its_own_new_dict(rows, order, distinct):
    """``as_dict`` sets again only the cells whose codes differ from the record it read last:
    whatever the order records are read in (the same one twice, one of another pool between
    two, a column whose codes widened), each dict is the record's own cells, new each time, in
    column order, and changing one changes nothing read later."""
    rows = [list(row) for row in rows] + [[f"file{number}", "a", "b", ""] for number in range(distinct)]
    names = ["w", "x", "y", "z"]
    records = records_from_dicts(names, [dict(zip(names, row, strict=True)) for row in rows])
    other = records_from_dicts(["x", "v"], [{"x": "other", "v": "1"}])[0]
    handed = []
    for step in order:
        if step % 7 == 0:
            assert as_dict(other) == {"x": "other", "v": "1"}
        number = step % len(records)
        row = as_dict(records[number])
        assert row == dict(zip(names, rows[number], strict=True)) and list(row) == names
        assert all(row is not earlier for earlier in handed)
        handed.append(row)
        row["x"] = "changed"
        row["extra"] = 1


def test_distinct_cells_are_the_combinations_of_the_named_cells_in_first_seen_order():
    from asngen.records import ABSENT, distinct_cells, records_from_dicts

    rows = [{"a": "x", "b": "1"}, {"a": "y", "b": "1"}, {"a": "x", "b": "1"}, {"a": "x", "b": None}]
    records = records_from_dicts(["a", "b"], rows)
    assert distinct_cells(records, ("b", "a")) == [("1", "x"), ("1", "y"), (None, "x")]
    assert distinct_cells(records, ("a", "nowhere")) == [("x", ABSENT), ("y", ABSENT)]
    uneven = records_from_dicts(["a"], [{"a": "x"}, {"b": "2"}])
    assert distinct_cells(uneven, ("a", "b")) == [("x", ABSENT), (ABSENT, "2")]


def test_records_of_several_layouts_read_in_turn():
    """``cell`` and ``as_dict`` keep what they read of the layout they read last: records of two
    layouts (a column that outgrew one-byte codes) read alternately, and a layout laid out
    again (new lists of values), each read with its own."""
    from asngen.records import RecordBuilder, as_dict, cell

    builder = RecordBuilder(["filename", "filter"])
    builder.add([[f"f{n}", "F200W" if n % 2 else "F444W"] for n in range(300)], text=True)
    records = builder.finish()
    first, last = records[0], records[-1]
    assert first[0] is not last[0]  # two layouts
    for _ in range(3):
        assert cell(first, "filename") == "f0" and cell(last, "filename") == "f299"
        assert cell(first, "filter") == "F444W" and cell(last, "filter") == "F200W"
    for _ in range(3):  # rows made anew, or from the last one read, of either layout
        for record, number in ((first, 0), (records[1], 1), (last, 299), (last, 299), (records[2], 2)):
            assert as_dict(record) == {"filename": f"f{number}", "filter": "F200W" if number % 2 else "F444W"}
    columns = last[0]
    values = [list(column_values) for column_values in columns.values]
    values[1] = [value.lower() for value in values[1]]
    columns.lay_out(columns.widths, values)  # read again with other values: not the old ones
    assert cell(last, "filter") == "f200w"
    assert as_dict(last) == {"filename": "f299", "filter": "f200w"}
    assert cell(last, "nothing", "default") == "default"
