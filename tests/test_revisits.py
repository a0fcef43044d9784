"""Rows asked for again: a rule that took a row asks for it once every row had its turn,
to offer it to the rule's other associations.  The row is not looked up again while the
trail of its first look-up shows that it would find only associations that hold it
(``AssociationIndex.seal_trail`` / ``trail_holds``, ``loop.generate``)."""

from __future__ import annotations

import pytest

from asngen.engine import index
from asngen.engine.index import AssociationIndex
from asngen.registry import BoundRule


def _rule(force_match=None):
    """A bound rule with only what the index reads of one: no gate, one part."""
    bound = BoundRule.__new__(BoundRule)
    bound.after_science = None
    bound.parts = [None]
    bound.force_match = force_match
    return bound


def _index(rule, optional: bool = False) -> tuple[AssociationIndex, list, dict]:
    """An index whose one table for ``rule`` files associations by program, then filter; one
    association (serial 1) is filed under program p1, filter f1."""
    lookup = AssociationIndex()
    bucket = [{1: "asn 1"}, {}, 1]
    second_step = {"f1": bucket}
    root = {"p1": second_step}
    layout = (index.key_columns(("program",)), index.key_columns(("filter",)))
    lookup.tables[rule] = {layout: root}
    lookup._steps[rule] = ((0, ("program guard",), False, (0,)), (0, ("filter guard",), optional, (1,)))
    return lookup, bucket, second_step


def _walk(lookup, rule, row) -> tuple[dict, list]:
    found: dict = {}
    trail: list = []
    lookup.candidates(row, rule, found, {}, trail)
    return found, trail


def test_a_trail_holds_while_nothing_is_filed_where_the_row_looked():
    rule = _rule()
    lookup, bucket, _ = _index(rule)
    found, trail = _walk(lookup, rule, {"program": "P1", "filter": "F1"})
    assert found == {1: "asn 1"}
    token = lookup.seal_trail(rule, trail)
    assert token is not None
    assert lookup.trail_holds(rule, token)
    del bucket[0][1]  # an association leaving (filed anew elsewhere) takes nothing from the proof
    assert lookup.trail_holds(rule, token)
    bucket[0][2] = "asn 2"  # filed here since, as add and refresh do it
    bucket[2] += 1
    assert not lookup.trail_holds(rule, token)


def test_a_key_that_comes_where_the_row_found_none_breaks_its_trail():
    rule = _rule()
    lookup, _, second_step = _index(rule)
    found, trail = _walk(lookup, rule, {"program": "P1", "filter": "F2"})
    assert found == {}
    token = lookup.seal_trail(rule, trail)
    assert lookup.trail_holds(rule, token)
    second_step["f3"] = [{3: "asn 3"}, {}, 1]  # another key: the row still finds nothing
    assert lookup.trail_holds(rule, token)
    second_step["f2"] = [{4: "asn 4"}, {}, 1]
    assert not lookup.trail_holds(rule, token)
    # and a key that came while the row was being placed (its own new association) is no proof
    found, trail = _walk(lookup, rule, {"program": "P1", "filter": "F5"})
    second_step["f5"] = [{5: "the row's own"}, {}, 1]
    assert lookup.seal_trail(rule, trail) is None


def test_a_new_table_or_unindexed_bucket_breaks_a_trail():
    rule = _rule()
    lookup, _, _ = _index(rule)
    row = {"program": "P1", "filter": "F1"}
    _, trail = _walk(lookup, rule, row)
    token = lookup.seal_trail(rule, trail)
    lookup.tables[rule][(index.key_columns(("program",)),)] = {}
    assert not lookup.trail_holds(rule, token)

    lookup, _, _ = _index(rule)
    _, trail = _walk(lookup, rule, row)
    token = lookup.seal_trail(rule, trail)
    lookup.unindexed[rule] = [{}, {}, 0]
    assert not lookup.trail_holds(rule, token)

    # an unindexed bucket the row looked in counts like any other
    lookup.unindexed[rule] = [{7: "asn 7"}, {}, 1]
    found, trail = _walk(lookup, rule, row)
    assert found == {1: "asn 1", 7: "asn 7"}
    token = lookup.seal_trail(rule, trail)
    assert lookup.trail_holds(rule, token)
    lookup.unindexed[rule][0][8] = "asn 8"
    lookup.unindexed[rule][2] += 1
    assert not lookup.trail_holds(rule, token)


def test_walks_that_cannot_be_vouched_for_leave_no_trail():
    rule = _rule()
    lookup, _, _ = _index(rule, optional=True)
    # no filter: an optional step the row has no key for is searched under every key
    found, trail = _walk(lookup, rule, {"program": "P1"})
    assert found == {1: "asn 1"}
    assert lookup.seal_trail(rule, trail) is None
    # a rule whose associations may say they match a row they do not take
    forced = _rule(force_match="a leaf")
    lookup, _, _ = _index(forced)
    _, trail = _walk(lookup, forced, {"program": "P1", "filter": "F1"})
    assert lookup.seal_trail(forced, trail) is None


def _files(pool, monkeypatch, trails: bool, **options) -> list:
    from asngen.generator import loop
    from tests.pools import files_with

    return files_with(monkeypatch, pool, loop, "TRAILS", trails, **options)


@pytest.mark.parametrize(
    ("seed", "options"),
    [(4, {}), (9, {}), (7, {"discover": True}), (12, {"per_pool_algorithm": True}), (2, {"all_candidates": True})],
)
def test_runs_that_spare_revisits_write_the_files_of_runs_that_make_them_all(tmp_path, monkeypatch, seed, options):
    from tests.pools import write_synthetic_pool

    pool = write_synthetic_pool(tmp_path / "pool.csv", 1500, seed)
    spared = _files(pool, monkeypatch, True, **options)
    made = _files(pool, monkeypatch, False, **options)
    assert spared == made
    assert len(spared) > 150


@pytest.mark.parametrize("lazy", [True, False])
def test_most_rows_asked_for_again_are_spared_and_the_rest_still_join(tmp_path, lazy):
    """In a pass over a whole pool (rows taken from an iterator) and in a list pass (a
    candidate's rows, as run_pass gives them) alike."""
    from asngen.generator import drivers
    from asngen.generator.loop import RunState, generate
    from asngen.pool import read_pool
    from asngen.records import shelved
    from asngen.registry import Registry, resolve_rule_files
    from tests.pools import write_synthetic_pool

    pool = read_pool(write_synthetic_pool(tmp_path / "pool.csv", 1200, 5))
    registry = Registry(resolve_rule_files((), False), drivers.DISCOVER)
    rows = shelved(pool.records) if lazy else list(shelved(pool.records))
    run = RunState()
    associations = generate(rows, registry, None, "pool", run)
    assert run.revisits_spared > len(pool.rows) // 2
    members = sum(len(asn.products[0]["members"]) for asn in associations if asn.products)
    assert members >= len(pool.rows) // 2
