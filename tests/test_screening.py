"""Rows screened by the candidate constraint: in a pass over the whole pool, an association
whose candidate constraint has pinned a candidate the row does not list is not offered the
row (``engine.screening``), since its check would refuse it at that last child with no
request and leave nothing changed.  The files are those of runs that offer every one."""

from __future__ import annotations

import random

import pytest

from asngen.association import Association
from asngen.engine import constraints as c
from asngen.engine.screening import alternative_keys, screenable_tree, screened
from asngen.generator import loop
from asngen.generator.loop import RunState, generate
from asngen.pool import read_pool
from asngen.registry import CANDIDATE, Registry, resolve_rule_files
from tests.pools import benchmark_module, files_with, write_synthetic_pool


def test_a_rows_keys_are_its_candidates_lower_cased():
    listed = {"asn_candidate": "[('o001', 'OBSERVATION'), ('c1000', 'background')]"}
    assert alternative_keys(listed, "asn_candidate") == {"('o001', 'observation')", "('c1000', 'background')"}
    # a copy of a split row holds one pair; a cell may hold plain text or a number too
    assert alternative_keys({"asn_candidate": "('O002', 'observation')"}, "asn_candidate") == {
        "('o002', 'observation')"
    }
    assert alternative_keys({"asn_candidate": "O003"}, "asn_candidate") == {"o003"}
    assert alternative_keys({"asn_candidate": "12"}, "asn_candidate") == {"12"}
    assert alternative_keys({"asn_candidate": "[]"}, "asn_candidate") == set()  # meets nothing


def test_keys_cannot_tell_without_a_value_or_with_text_that_is_not_plain_ascii():
    assert alternative_keys({}, "asn_candidate") is None
    assert alternative_keys({"asn_candidate": None}, "asn_candidate") is None
    assert alternative_keys({"asn_candidate": "[('o001', 'observation'), ('c1\u212a', 'x')]"}, "asn_candidate") is None
    assert alternative_keys({"asn_candidate": "o001\n"}, "asn_candidate") is None


def _Pinned(state) -> Association:  # noqa: N802 - reads as the thing it makes
    """An association with only what screened reads of one: its states."""
    asn = Association.__new__(Association)
    asn.states = [None, state]
    return asn


def _state(pinned: str | None, sources=("asn_candidate",)) -> list:
    """A candidate constraint's state: [value, sources, not pinned yet, found, matched, the
    pinned value lower-cased if plain ASCII]."""
    if pinned is None:
        return [None, sources, True, (), False, None]
    return [pinned, sources, False, [pinned], True, pinned.lower() if pinned.isascii() else None]


def test_only_associations_pinned_to_another_candidate_are_left_out():
    offered = {
        1: _Pinned(_state("('o001', 'observation')")),
        2: _Pinned(_state("('o002', 'observation')")),
        3: _Pinned(_state(None)),  # not pinned yet: only its check can tell
        4: _Pinned(None),  # no state yet
        5: _Pinned(_state("('c1000', 'background')")),
        6: _Pinned(_state("x\u212a")),  # a pinned value that is not plain ASCII
        7: _Pinned(_state("('o002', 'observation')", sources=("asn_candidate", "other"))),
    }
    found: dict = {}
    row = {"asn_candidate": "[('O001', 'OBSERVATION'), ('c1000', 'BACKGROUND')]"}
    screened(row, 1, offered, found, {})
    assert sorted(found) == [1, 3, 4, 5, 6, 7]
    found = {}
    screened({"asn_candidate": "[('o001', 'observation'), ('c1\u212a', 'x')]"}, 1, offered, found, {})
    assert sorted(found) == sorted(offered)  # keys cannot tell: every one is offered


def _tree(*children) -> c.All:
    return c.All(*children, c.Attr(["asn_candidate"], name="asn_candidate", evaluate=True))


def test_a_tree_screens_unless_a_side_effect_could_be_seen_later():
    def plain():
        return c.Attr(["program"], name="program")

    def classifying(effects):
        return c.Test(lambda item, asn: True, value=True, side_effects=effects)

    def reading():
        return c.Test(lambda item, asn: True, value=True, reads_effects=("classification",))

    assert screenable_tree(_tree(plain(), c.Any_(plain(), plain())))
    assert not screenable_tree(_tree(plain(), classifying(True)))  # what it changes is not said
    assert screenable_tree(_tree(plain(), classifying("classification")))  # said, and nothing reads it
    assert not screenable_tree(_tree(c.Any_(reading(), classifying("classification"))))
    assert screenable_tree(_tree(reading(), classifying("another change")))
    assert not screenable_tree(c.Any_(plain(), plain()))  # the constraint would be an alternative
    assert not screenable_tree(c.All(plain(), reprocess_on_fail=True))  # a refusal asks for the row again


def _per_pool_registry(ids=None) -> Registry:
    return Registry(resolve_rule_files((), False), CANDIDATE, global_ids=ids, has_global=True)


def test_rules_screen_only_in_passes_whose_associations_pin_different_candidates():
    whole = {bound.rule.name: bound.candidate_slot for bound in _per_pool_registry().rules}
    assert whole["Asn_Lv3ImageMosaic"] >= 0
    assert all(slot >= 0 for name, slot in whole.items() if name.startswith("Asn_Lv3"))
    # Level 2 rules classify the row as they check it (a side effect), which only the imprint
    # rule's test reads: that one is never screened
    assert whole["Asn_Lv2Image"] >= 0 and whole["Asn_Lv2Spec"] >= 0
    assert whole["Asn_Lv2SpecSpecial"] == -1
    for bound in _per_pool_registry().rules:
        assert (bound.candidate_slot >= 0) == bound.template.screenable
    several = _per_pool_registry(("o001", "o002")).rules
    assert any(bound.candidate_slot >= 0 for bound in several)
    # a candidate's own pass: every association pins that candidate
    assert all(bound.candidate_slot == -1 for bound in _per_pool_registry(("o001",)).rules)
    for bound in _per_pool_registry().rules:
        if bound.candidate_slot >= 0:
            assert bound.tree.children[-1].slot == bound.candidate_slot


def _rows_with_other_candidates(pool, seed: int) -> list[dict]:
    """The pool's rows, each with a cell drawn from the pool's candidates: lists of one to
    three pairs, single pairs (as split copies hold them), case changed, an empty list."""
    rng = random.Random(seed)
    pairs = sorted({cell for row in pool.rows for cell in _pairs(row["asn_candidate"])})
    rows = []
    for row in pool.rows:
        shape = rng.random()
        chosen = rng.sample(pairs, min(len(pairs), rng.randint(1, 3)))
        if shape < 0.3:
            text = chosen[0]
        elif shape < 0.35:
            text = "[]"
        else:
            text = "[" + ", ".join(chosen) + "]"
        if rng.random() < 0.2:
            text = text.upper()
        rows.append(dict(row, asn_candidate=text))
    return rows


def _pairs(cell: str) -> list[str]:
    import ast

    return [str(pair) for pair in ast.literal_eval(cell)]


@pytest.mark.parametrize("seed", [1, 2])
def test_an_association_left_out_would_have_refused_the_row_and_asked_for_nothing(tmp_path, seed):
    path = write_synthetic_pool(tmp_path / "pool.csv", 400, seed)
    pool = read_pool(path)
    registry = _per_pool_registry()
    associations = generate(pool.rows, registry, None, pool.name, RunState(), settle=False)
    screening = [asn for asn in associations if asn.bound.candidate_slot >= 0]
    assert len(screening) > 20
    left_out = 0
    for row in _rows_with_other_candidates(pool, seed):
        for asn in screening:
            found: dict = {}
            screened(row, asn.bound.candidate_slot, {asn.serial: asn}, found, {})
            if found or row["filename"] in asn.filenames:
                continue  # (one that holds the row's file is passed over by the loop anyway)
            left_out += 1
            twin = asn.clone()
            assert twin.add(row) == (False, [])
    assert left_out > 1000


def _shaped_pool(tmp_path, shape: str, rows: int, seed: int):
    shapes = benchmark_module("shapes")
    synthetic = shapes.PoolText.read(write_synthetic_pool(tmp_path / "syn.csv", rows, seed))
    path = tmp_path / f"{shape}.csv"
    shapes.SHAPES[shape][0](synthetic, seed).write(path)
    return path


@pytest.mark.parametrize(
    ("shape", "seed", "options"),
    [
        ("plain", 3, {"per_pool_algorithm": True}),
        ("multi_candidates", 4, {"per_pool_algorithm": True}),
        ("many_candidates", 5, {"per_pool_algorithm": True, "all_candidates": True}),
        ("plain", 6, {"per_pool_algorithm": True, "ids": ("o001", "o002", "o003")}),
        ("multi_candidates", 7, {"per_pool_algorithm": True, "discover": True}),
    ],
)
def test_screened_runs_write_the_files_of_runs_that_offer_every_association(tmp_path, monkeypatch, shape, seed,
                                                                           options):
    pool = _shaped_pool(tmp_path, shape, 900, seed)
    screened_files = files_with(monkeypatch, pool, loop, "SCREENING", True, **options)
    offered_files = files_with(monkeypatch, pool, loop, "SCREENING", False, **options)
    assert screened_files == offered_files
    assert len(screened_files) > 20
