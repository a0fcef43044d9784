"""New associations started from what an earlier check left: a new association whose first row
equals, in every column its rule's check of a new association reads, the first row of an
earlier one of the same rule in the same pass takes the states, requests and classification
that check left, without a check (``Association.add``, ``constraints.first_row_reads``).  Its
states are then settled tuples, made live again (``check.thawed``) only where a later check
changes them.  The files are those of runs that check every first row."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from asngen import association
from asngen.association import Association
from asngen.engine import index as index_module
from asngen.engine.check import Check, step_of, thawed
from asngen.engine.constraints import (
    CLASSIFICATION,
    EXPOSURE_TYPE,
    All,
    Attr,
    first_row_reads,
    number_leaves,
    reads_row,
    row_reads,
)
from asngen.engine.constraints import Test as Computed
from asngen.engine.index import AssociationIndex
from asngen.pool import read_pool
from asngen.registry import CANDIDATE, DISCOVER, Registry, forget_first_rows, resolve_rule_files
from tests.pools import files_with, write_synthetic_pool


def _tree(*children):
    tree = All(*children)
    number_leaves(tree)
    return tree


# -- what a rule declares it reads ---------------------------------------------------


def test_a_callback_reading_beyond_the_states_counts_for_new_associations_only():
    has_science = reads_row(beyond_states=True)(lambda item, asn: asn.has_science())
    tree = _tree(Attr(["program"]), Computed(has_science, value=False))
    assert first_row_reads(tree) == ("program",)
    assert row_reads(tree) is None  # an association with members reads it differently


def test_the_classification_side_effect_is_allowed_and_others_are_not():
    science = reads_row(EXPOSURE_TYPE)(lambda item, asn: asn.exposure_type(item) == "science")
    classify = reads_row("pntgtype", "exp_type")(lambda asn, item: "science")
    tree = _tree(Attr(["program"]), Computed(science, value=True, side_effects=CLASSIFICATION))
    assert first_row_reads(tree, classify) == ("program", "pntgtype", "exp_type")
    assert first_row_reads(tree) is None  # the rule's own classifier says nothing
    for effects in (True, "something else"):
        other = _tree(Computed(science, value=True, side_effects=effects))
        assert first_row_reads(other, classify) is None


def test_a_classifier_reading_beyond_the_states_is_taken_for_new_associations_only():
    science = reads_row(EXPOSURE_TYPE)(lambda item, asn: asn.exposure_type(item) == "science")
    onlyif = reads_row(EXPOSURE_TYPE)(lambda item, asn: True)
    special = reads_row("exp_type", beyond_states=True)(lambda asn, item: "science")
    assert first_row_reads(_tree(Computed(science, value=True)), special) == ("exp_type",)
    assert row_reads(_tree(Attr(["program"], onlyif=onlyif)), special) is None
    assert first_row_reads(_tree(Attr(["program"], onlyif=onlyif)), special) == ("program", "exp_type")


def test_undeclared_callbacks_make_the_reads_unknown():
    assert first_row_reads(_tree(Computed(lambda item, asn: item["filter"], value="f1"))) is None
    assert first_row_reads(_tree(Attr(["targetid"], onlyif=lambda item, asn: True))) is None
    assert first_row_reads(_tree(Attr(["obs_num"], value=lambda asn: "1"))) is None


def test_the_level2_rules_declare_what_a_new_association_reads():
    files = resolve_rule_files((), False)
    bound_rules = Registry(files, CANDIDATE, global_ids=("o001",), has_global=True).rules
    level2 = [bound for bound in bound_rules if bound.rule.level == 2]
    known = [bound for bound in level2 if bound.first_reads is not None]
    assert len(known) >= len(level2) - 2
    for bound in known:
        own = bound.template.first_row_reads
        assert "asn_candidate" in bound.first_reads and bound.first_reads[:len(own)] == own
        assert bound.first_stats is bound.template.first_row_stats  # counted for the rule


# -- the promise first_row_reads makes, on the built-in rules ----------------------------


def _first_check(bound, row) -> tuple:
    """(accepted, requests as (rules, category, trigger, rows), states, classification) of the
    check of ``row`` by a new association of ``bound``."""
    asn = Association(bound, "x", 0)
    matched, requests = Check(asn, None, None).run_step(step_of(bound.tree), row)
    shapes = [(request.rules, request.work_over, request.trigger, len(request.items)) for request in requests]
    states = [None if st is None else (st[0], st[1], st[2], list(st[3]), st[4], st[5]) for st in asn.states]
    return matched, shapes, states, asn.original_exposure_type


@pytest.mark.parametrize("registry_name", [DISCOVER, CANDIDATE])
def test_rows_equal_in_the_columns_read_start_new_associations_alike(tmp_path, registry_name):
    """Every rule that declares them, Level 2 and Level 3: a row and a copy of it whose every
    other column is changed give a new association the same outcome, states, requests and
    classification."""
    rows = read_pool(write_synthetic_pool(tmp_path / "pool.csv", 1500, 7)).rows
    columns = sorted(rows[0])
    shuffle = random.Random(45)
    ids = None
    if registry_name == CANDIDATE:  # the observation most rows are in, and only its rows
        listed = Counter(re.findall(r"'(o\d+)'", " ".join(row["asn_candidate"] for row in rows)))
        ids = (listed.most_common(1)[0][0],)
        rows = [row for row in rows if f"'{ids[0]}'" in row["asn_candidate"]]
    registry = Registry(resolve_rule_files((), False), registry_name, global_ids=ids, has_global=ids is not None)
    compared = accepted = 0
    for bound in registry.rules:
        reads = bound.first_reads
        if reads is None:
            continue
        for row in shuffle.sample(rows, min(60, len(rows))):
            twin = dict(row)
            for name in columns:
                if name not in reads:
                    twin[name] = shuffle.choice(["", "null", "x1", rows[0][name], "F200W", "science"])
            outcome = _first_check(bound, row)
            assert outcome == _first_check(bound, twin), (bound, row)
            compared += 1
            accepted += outcome[0]
    assert compared > 2000 and accepted > 50


# -- a new association taking what a first row's check left ------------------------------------


def _image2():
    files = resolve_rule_files((), False)
    registry = Registry(files, CANDIDATE, global_ids=("o001",), has_global=True)
    return next(bound for bound in registry.rules if bound.rule.name == "Asn_Lv2Image")


def _dither(name: str, **values) -> dict:
    row = {
        "program": "99009", "instrume": "nircam", "detector": "nrca1", "filter": "f090w", "pupil": "clear",
        "subarray": "full", "exp_type": "nrc_image", "pntgtype": "science", "visitype": "prime_targeted_fixed",
        "tsovisit": "f", "targetid": "1", "filename": name, "asn_candidate": "[('o001', 'observation')]",
    }
    row.update(values)
    return row


def _started(monkeypatch) -> tuple:
    """(an image2 rule bound for o001, a new association of it that took a first dither)."""
    monkeypatch.setattr(association, "FIRST_ROWS", True)
    forget_first_rows()
    bound = _image2()
    first = Association(bound, "x", 0)
    assert first.add(_dither("jw1_rate.fits"), fresh=True)[0]
    return bound, first


def test_an_equal_first_row_takes_the_states_the_first_check_left(monkeypatch):
    bound, first = _started(monkeypatch)
    assert bound.first_rows and all(type(st) is not list for st in first.states)  # kept, settled
    second = Association(bound, "x", 0)
    assert second.add(_dither("jw2_rate.fits", exposure="2"), fresh=True)[0]
    assert second.states == first.states and second.states is not first.states
    assert all(a is b for a, b in zip(second.states, first.states, strict=True))  # shared, not copied
    assert second.original_exposure_type == first.original_exposure_type == "science"
    assert bound.first_stats[:2] == [2, 1]
    assert [member["expname"] for member in second.members] == ["jw2_rate.fits"]
    other = Association(bound, "x", 0)
    assert other.add(_dither("jw3_rate.fits", filter="f200w"), fresh=True)[0]  # not found: checked
    assert bound.first_stats[:2] == [3, 1]
    assert _plain(other.states) != _plain(first.states)
    assert "'f200w'" in str(_plain(other.states)) and "'f200w'" not in str(_plain(first.states))


def _plain(states: list) -> list:
    return [None if st is None else (st[0], st[1], st[2], tuple(st[3]), st[4], st[5]) for st in states]


def test_a_refused_row_leaves_taken_states_as_they_were(monkeypatch):
    _, asn = _started(monkeypatch)
    before = _plain(asn.states)
    assert not asn.add(_dither("jw2_rate.fits", exposure="2"))[0]  # a second science: refused
    assert _plain(asn.states) == before
    assert not asn.add(_dither("jw3_rate.fits", filter="f200w"))[0]
    assert _plain(asn.states) == before
    assert [member["expname"] for member in asn.members] == ["jw1_rate.fits"]


def test_a_settled_state_made_live_again_is_a_copy():
    settled = ("x", ("filter",), False, ("f090w",), True, "f090w")
    live = thawed(settled)
    assert live == ["x", ("filter",), False, ["f090w"], True, "f090w"]
    live[3].append("f200w")
    assert settled[3] == ("f090w",)
    assert thawed(("x", ("filter",), True, (), False, None))[3] == ()  # nothing found: the shared empty


def test_associations_that_took_a_first_rows_states_are_filed_where_the_first_was(monkeypatch):
    bound, first = _started(monkeypatch)
    assert first.first_states is not None  # the states it left for the next ones
    first.serial = 1
    index = AssociationIndex()
    index.add(first)
    assert len(index.first_buckets) == 1
    dithers = []
    for serial in (2, 3):
        asn = Association(bound, "x", serial)
        assert asn.add(_dither(f"jw{serial}_rate.fits", exposure=str(serial)), fresh=True)[0]
        assert asn.first_states is not None
        dithers.append(asn)
    index.add(dithers[0])  # filed from the first one's bucket
    dithers[1].first_states = None
    index.add(dithers[1])  # filed from its own states' keys
    bucket = index.bucket_of[1]
    assert index.bucket_of[2] is bucket and index.bucket_of[3] is bucket
    assert set(bucket[0]) | set(bucket[1]) == {1, 2, 3}
    assert index.unsettled.get(2) == index.unsettled.get(3) == index.unsettled.get(1)
    assert index.unsettled.get(1)  # (an image2 association waits for guards it has not pinned)
    assert index.unsettled.get(2) is not index.unsettled.get(1)  # its own list: it may be filed anew
    assert set(bucket[1]) == {1, 2, 3}  # each holds its science exposure: filed as closed


def test_associations_still_holding_a_first_rows_states_settle_as_the_first_did(monkeypatch):
    bound, first = _started(monkeypatch)
    dithers = []
    for number in (2, 3, 4):
        asn = Association(bound, "x", 0)
        assert asn.add(_dither(f"jw{number}_rate.fits", exposure=str(number)), fresh=True)[0]
        dithers.append(asn)
    changed = dithers[2]
    slot = next(position for position, st in enumerate(changed.states) if st is not None)
    changed.states[slot] = thawed(changed.states[slot])  # as a check that changed it leaves it
    shared: dict = {}
    taken: dict = {}
    first.settle(shared, taken=taken)
    assert len(taken) == 1 and first.first_states is None
    dithers[0].settle(shared, taken=taken)
    assert dithers[0].states is first.states  # as the first settled: not compared, not hashed
    dithers[1].settle(shared)  # (no table: settled the long way, to the same states)
    assert dithers[1].states == first.states
    changed.settle(shared, taken=taken)  # no longer holds them: the long way
    assert changed.states == first.states and len(taken) == 1
    assert all(asn.first_states is None for asn in dithers)
    assert all(type(st) is tuple for st in changed.states if st is not None)


def test_explanations_check_every_first_row(monkeypatch):
    forget_first_rows()
    bound = _image2()
    assert Association(bound, "x", 0).add(_dither("jw1_rate.fits"), [], fresh=True)[0]
    assert not bound.first_rows  # a traced check is not remembered


def test_rules_whose_new_associations_seldom_start_alike_stop_looking(monkeypatch):
    monkeypatch.setattr(association, "FIRST_ROWS_TRIAL", 4)
    forget_first_rows()
    bound = _image2()
    for number in range(4):
        assert Association(bound, "x", 0).add(_dither(f"jw{number}_rate.fits", detector=f"nrca{number}"),
                                              fresh=True)[0]
    assert bound.first_stats == [4, 0, False]
    forget_first_rows()  # a new run counts afresh
    assert bound.first_stats == [0, 0, True]


# -- the same files ------------------------------------------------------------------


def _files(pool, monkeypatch, first_rows: bool, **options) -> list:
    return files_with(monkeypatch, pool, association, "FIRST_ROWS", first_rows, **options)


@pytest.mark.parametrize(
    ("seed", "options"),
    [(5, {}), (9, {"discover": True}), (14, {"per_pool_algorithm": True}), (2, {"all_candidates": True}),
     (7, {"finalize": False}), (11, {"dms": True}), (12, {"merge": True, "debug": True})],
)
def test_runs_that_take_first_rows_write_the_files_of_runs_that_check_them_all(tmp_path, monkeypatch, seed,
                                                                               options):
    pool = write_synthetic_pool(tmp_path / "pool.csv", 1500, seed)
    taken = _files(pool, monkeypatch, True, **options)
    found = sum(template.first_row_stats[1] for template in _templates_with_stats())
    checked = _files(pool, monkeypatch, False, **options)
    assert taken == checked
    assert len(taken) > 100
    if not options.get("per_pool_algorithm"):  # (whose first checks ask for split copies of the row)
        assert found > 200  # first rows were taken


@pytest.mark.parametrize(("seed", "options"), [(3, {}), (8, {"dms": True}), (13, {"merge": True, "debug": True})])
def test_runs_that_file_new_associations_by_their_first_rows_write_the_same_files(tmp_path, monkeypatch, seed,
                                                                                  options):
    pool = write_synthetic_pool(tmp_path / "pool.csv", 1500, seed)
    monkeypatch.setattr(association, "FIRST_ROWS", True)
    by_first = files_with(monkeypatch, pool, index_module, "FIRST_BUCKETS", True, **options)
    by_keys = files_with(monkeypatch, pool, index_module, "FIRST_BUCKETS", False, **options)
    assert by_first == by_keys
    assert len(by_first) > 100


def test_the_corpus_pools_give_the_same_files_either_way(golden, monkeypatch):
    for name in ("mega_pool.csv", "pool_004_wfs.csv", "pool_018_all_exptypes.csv", "pool_013_coron_nircam.csv"):
        pool = golden / "pools" / name
        assert _files(pool, monkeypatch, True) == _files(pool, monkeypatch, False), name
        by_keys = files_with(monkeypatch, pool, index_module, "FIRST_BUCKETS", False)
        assert _files(pool, monkeypatch, True) == by_keys, name


def _templates_with_stats() -> list:
    from asngen.registry import _TEMPLATES

    return [template for template in _TEMPLATES.values() if template.first_row_stats is not None]
