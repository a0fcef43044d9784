"""The association index: the keys a row is looked up under, and what it asks of the rules."""

from __future__ import annotations

import random

import pytest

from asngen.engine import index
from asngen.engine.index import _ANY, AssociationIndex, _row_key, value_key
from asngen.engine.patterns import EMPTY_SET
from asngen.registry import BoundRule


def test_a_row_key_is_its_values_lower_cased():
    assert _row_key({"filter": "F444W", "pupil": "Clear"}, ("filter", "pupil")) == value_key(["f444w", "clear"])
    assert _row_key({"filter": "F444W"}, ("filter",)) == value_key(["f444w"])


def test_value_keys_are_equal_exactly_when_the_values_are():
    values = ["a", "b", "a\0b", "\0", "", "ab", "b\0", "\0a"]
    lists = [[x] for x in values] + [[x, y] for x in values for y in values]
    lists += [[x, y, z] for x in values[:4] for y in values[:4] for z in values[:4]]
    keys = [value_key(parts) for parts in lists]
    for parts, key in zip(lists, keys, strict=True):
        for other_parts, other in zip(lists, keys, strict=True):
            assert (key == other) == (parts == other_parts), (parts, other_parts)
    assert value_key(["f444w"]) == "f444w"  # a string: its hash is kept, a tuple's is not


def test_a_row_without_one_value_has_no_key():
    for empty in [None, *sorted(EMPTY_SET)]:
        assert _row_key({"filter": "F444W", "pupil": empty}, ("filter", "pupil")) is None
    assert _row_key({"filter": "F444W"}, ("filter", "pupil")) is None


def test_a_value_that_is_not_plain_ascii_matches_any_key():
    for odd in ("f444w\n", "café", 444):
        assert _row_key({"filter": odd}, ("filter",)) is _ANY
    # the first column that decides, decides: a missing value before an odd one
    assert _row_key({"filter": None, "pupil": "café"}, ("filter", "pupil")) is None
    assert _row_key({"filter": "café", "pupil": None}, ("filter", "pupil")) is _ANY


def test_row_keys_are_the_same_when_remembered():
    row = {"filter": "F444W", "pupil": "Clear", "exp_type": "café"}
    first = [_row_key(row, columns) for columns in (("filter",), ("pupil", "filter"), ("exp_type",))]
    assert index._KEYS  # remembered
    again = [_row_key(row, columns) for columns in (("filter",), ("pupil", "filter"), ("exp_type",))]
    assert first == again == [value_key(["f444w"]), value_key(["clear", "f444w"]), _ANY]


@pytest.mark.parametrize("seed", range(20))
def test_a_key_remembered_for_the_last_rows_values_is_the_key_of_each_row(seed):
    """A step's key is remembered for the value objects of the last row it was made for:
    rows that hold the very same objects get it again, any other row its own (values equal
    but not the same objects, a missing or empty value, a value that is not plain)."""
    rng = random.Random(seed)
    shared = ["F444W", "Clear", "", "café", "f444w"]
    names = rng.choice([("filter",), ("filter", "pupil"), ("pupil", "filter", "band")])
    columns = index.KeyColumns(names)
    for _ in range(60):
        row = {}
        for name in names:
            choice = rng.random()
            if choice < 0.6:
                row[name] = rng.choice(shared)
            elif choice < 0.8:
                row[name] = "".join(rng.choice(shared))  # an equal text, another object
            elif choice < 0.9:
                row[name] = None
        assert index._columns_key(row, columns) == _row_key(row, names)


def test_each_after_science_predicate_is_asked_once_per_row():
    asked = []

    def background(item) -> bool:
        asked.append(item["filename"])
        return item["filename"].endswith("bkg")

    def Bound():  # noqa: N802 - a bound rule with only what the index reads of one
        bound = BoundRule.__new__(BoundRule)
        bound.after_science = background
        bound.parts = [None]
        return bound

    lookup = AssociationIndex()
    found: dict = {}
    memo: dict = {}
    row = {"filename": "jw_bkg"}
    for rule in (Bound(), Bound(), Bound()):
        lookup.unindexed[rule] = [{1: "open"}, {2: "closed"}]
        lookup.candidates(row, rule, found, memo)
    assert asked == ["jw_bkg"]
    assert found == {1: "open", 2: "closed"}  # a background row may join closed associations

    found.clear()
    other = {"filename": "jw_sci"}
    memo = {}
    lookup.candidates(other, Bound(), found, memo)
    assert found == {}  # no unindexed bucket for this rule
    lookup.unindexed[rule] = [{1: "open"}, {2: "closed"}]
    lookup.candidates(other, rule, found, memo)
    assert found == {1: "open"}  # a science row is kept out of closed ones
    assert asked == ["jw_bkg", "jw_sci"]


def _files_with_rules_for(monkeypatch, pool, from_rules: int, **options) -> list:
    """The files of a run whose passes ask ``rules_for`` once that many rules have associations."""
    from asngen.generator import loop
    from tests.pools import files_with

    return files_with(monkeypatch, pool, loop, "_MANY_RULES", from_rules, **options)


@pytest.mark.parametrize(
    ("seed", "options"),
    [(3, {}), (8, {}), (5, {"discover": True}), (11, {"per_pool_algorithm": True})],
)
def test_rows_visiting_only_the_rules_the_index_names_find_the_same_associations(tmp_path, monkeypatch,
                                                                                 seed, options):
    """AssociationIndex.rules_for names the rules a row may find anything of, from the keys
    their associations are filed under: asked in every pass (even with one rule at work), or
    in none, a run writes the same files."""
    from tests.pools import write_synthetic_pool

    pool = write_synthetic_pool(tmp_path / "pool.csv", 1500, seed)
    always = _files_with_rules_for(monkeypatch, pool, 1, **options)
    never = _files_with_rules_for(monkeypatch, pool, 10**9, **options)
    assert always == never
    assert len(always) > 150


@pytest.mark.parametrize("options", [{}, {"discover": True}])
def test_rows_with_values_no_key_can_hold_find_the_same_associations_either_way(tmp_path, monkeypatch, options):
    """A row whose value at some step cannot be a key (not plain ASCII: a program written
    with a line break after it, which the constraints still match) finds every association of
    a rule whose walk reaches that step; rules_for names the rules by the step it notes them
    under, where a key that differs refuses the row whatever the other steps hold: the run
    writes the same files either way."""
    from tests.pools import write_synthetic_pool

    pool = write_synthetic_pool(tmp_path / "plain.csv", 1200, 6)
    lines = pool.read_text().splitlines()
    header = lines[0].split("|")
    at = header.index("PROGRAM")
    for number in range(1, len(lines), 7):
        cells = lines[number].split("|")
        cells[at] = '"' + cells[at] + '\n"'
        lines[number] = "|".join(cells)
    odd = tmp_path / "odd.csv"
    odd.write_text("\n".join(lines) + "\n")
    always = _files_with_rules_for(monkeypatch, odd, 1, **options)
    never = _files_with_rules_for(monkeypatch, odd, 10**9, **options)
    assert always == never
    assert len(always) > 150


def test_a_rule_is_noted_under_the_step_after_the_first_every_row_needs_a_key_for():
    """rules_for notes a rule under the keys of one step of each of its tables: the first after
    the first that is neither optional nor open (most rules share that one), else that one."""
    from asngen.engine.index import _filter_position

    shared, own, other = object(), object(), object()
    required, optional = (0, (), False), (0, (), True)
    assert _filter_position((required, required, required), (shared, own, other)) == 1
    assert _filter_position((required, optional, required), (shared, own, other)) == 2
    assert _filter_position((required, required), (shared, None)) == 0
    assert _filter_position((optional, required), (shared, own)) == 1
    assert _filter_position((optional, optional), (shared, own)) == -1
    assert _filter_position((required,), (None,)) == -1


def test_rules_for_answers_a_row_with_the_last_ones_keys_as_it_did_until_its_tables_grow():
    """A row with the very keys of the row asked before gets that row's answer, the same dict,
    while no rule has been noted under a new key since; after, it is answered anew."""

    def Bound():  # noqa: N802 - a bound rule with only what noting one reads
        bound = BoundRule.__new__(BoundRule)
        bound.parts = [index.Part()]
        return bound

    image, spectra, late = Bound(), Bound(), Bound()
    lookup = AssociationIndex()
    lookup.filtering = True  # (nothing filed yet: no table to note)
    columns = index.key_columns(("filter",))
    lookup._note(image, 1, columns, "f444w")
    lookup._note(spectra, 1, columns, "clear")
    f444w = "F444W"
    first = lookup.rules_for({"filter": f444w}, {})
    assert first == {image: None}
    assert lookup.rules_for({"filter": f444w}, {}) is first
    assert lookup.rules_for({"filter": "CLEAR"}, {}) == {spectra: None}
    assert lookup.rules_for({"filter": None}, {}) == {}
    version = lookup.filter_version
    lookup._note(image, 1, columns, "f444w")  # nothing new
    assert lookup.filter_version == version
    lookup._note(late, 1, columns, "f444w")
    assert lookup.filter_version == version + 1
    grown = lookup.rules_for({"filter": f444w}, {})
    assert grown == {image: None, late: None}
    assert lookup.rules_for({"filter": "".join(f444w)}, {}) == grown  # an equal text, another object


@pytest.mark.parametrize(("seed", "options"), [(2, {}), (9, {"discover": True}), (4, {"per_pool_algorithm": True})])
def test_rows_answered_as_the_row_before_find_the_same_associations(tmp_path, monkeypatch, seed, options):
    from tests.pools import files_with, write_synthetic_pool

    pool = write_synthetic_pool(tmp_path / "pool.csv", 1500, seed)
    remembered = files_with(monkeypatch, pool, index, "REMEMBER_RULES", True, **options)
    answered = files_with(monkeypatch, pool, index, "REMEMBER_RULES", False, **options)
    assert remembered == answered
    assert len(remembered) > 150
