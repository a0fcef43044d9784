"""The association index: the keys a row is looked up under, and what it asks of the rules."""

from __future__ import annotations

from types import SimpleNamespace

from asngen.engine import index
from asngen.engine.constraints import EMPTY_SET
from asngen.engine.index import _ANY, AssociationIndex, _row_key


def test_a_row_key_is_its_values_lower_cased():
    assert _row_key({"filter": "F444W", "pupil": "Clear"}, ("filter", "pupil")) == ("f444w", "clear")


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
    assert first == again == [("f444w",), ("clear", "f444w"), _ANY]


def test_each_after_science_predicate_is_asked_once_per_row():
    asked = []

    def background(item) -> bool:
        asked.append(item["filename"])
        return item["filename"].endswith("bkg")

    class Bound:  # a bound rule as the index sees one (hashable, by identity)
        def __init__(self):
            self.rule = SimpleNamespace(after_science=background)
            self.parts = [None]

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
