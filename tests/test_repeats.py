"""Rows taken again without a check: an association that accepted a row without any change to
its states accepts the next row equal to it in every column its rule's check reads, without
running the check (``Association.add``, ``constraints.row_reads``)."""

from __future__ import annotations

import random

import pytest

from asngen import association
from asngen.association import Association
from asngen.engine.check import Check, step_of
from asngen.engine.constraints import (
    EXPOSURE_TYPE,
    All,
    Any_,
    Attr,
    number_leaves,
    reads_row,
    row_reads,
)
from asngen.engine.constraints import Test as Computed
from asngen.registry import DISCOVER, Registry, resolve_rule_files
from tests.pools import exposure, files_with, write_synthetic_pool


def _lower(row: dict) -> dict:
    return {key.lower(): value for key, value in row.items()}


# -- what a rule declares it reads ---------------------------------------------------


def _tree(*children):
    tree = All(*children)
    number_leaves(tree)
    return tree


def test_column_tests_read_their_columns_in_order_without_repeats():
    tree = _tree(Attr(["program"]), Any_(Attr(["pupil", "grating"]), Attr(["program"])))
    assert row_reads(tree) == ("program", "pupil", "grating")


def test_a_callback_that_does_not_say_what_it_reads_makes_the_reads_unknown():
    assert row_reads(_tree(Attr(["targetid"], onlyif=lambda item, asn: True))) is None
    assert row_reads(_tree(Computed(lambda item, asn: item["filter"], value="f1"))) is None
    assert row_reads(_tree(Attr(["obs_num"], value=lambda asn: "1"))) is None


def test_declared_callbacks_add_their_columns():
    onlyif = reads_row("exp_type", "bkgdtarg")(lambda item, asn: True)
    tree = _tree(
        Attr(["targetid"], onlyif=onlyif),
        Computed(lambda item, asn: "000", columns=()),
        Computed(lambda item, asn: item, columns=("is_psf",)),
        Attr(["obs_num"], value=lambda asn: "(1)", reads=("obs_num",)),
    )
    assert row_reads(tree) == ("targetid", "exp_type", "bkgdtarg", "is_psf", "obs_num")


def test_a_test_with_side_effects_makes_the_reads_unknown():
    tree = _tree(Computed(lambda item, asn: True, value=True, columns=("exp_type",), side_effects=True))
    assert row_reads(tree) is None


def test_the_rules_exposure_type_stands_in_for_what_it_is_declared_to_read():
    onlyif = reads_row(EXPOSURE_TYPE)(lambda item, asn: asn.exposure_type(item) == "science")
    tree = _tree(Attr(["targetid"], onlyif=onlyif))
    declared = reads_row("pntgtype", "exp_type")(lambda asn, item: "science")
    assert row_reads(tree, declared) == ("targetid", "pntgtype", "exp_type")
    assert row_reads(tree, lambda asn, item: "science") is None  # the rule's own, undeclared
    assert row_reads(tree) is None


def test_level3_rules_declare_what_they_read_and_the_candidate_column_is_added_when_bound():
    files = resolve_rule_files((), False)
    discover = Registry(files, DISCOVER)
    candidate = Registry(files, "candidate", global_ids=("o001",), has_global=True)
    level3 = [bound for bound in discover.rules if bound.rule.level == 3]
    known = [bound for bound in level3 if bound.row_reads is not None]
    assert len(known) >= len(level3) - 2
    for bound in known:
        assert bound.row_reads == bound.template.row_reads  # (no candidate constraint)
    bound_with_candidate = [bound for bound in candidate.rules if bound.template.row_reads is not None]
    assert len(bound_with_candidate) >= len(known)
    for bound in bound_with_candidate:
        own = bound.template.row_reads
        assert "asn_candidate" in bound.row_reads
        assert bound.row_reads[:len(own)] == own
        assert len(bound.row_reads) == len(own) + (0 if "asn_candidate" in own else 1)


def test_a_user_rule_built_from_the_level3_blocks_declares_its_reads_too():
    from pathlib import Path

    from asngen.registry import load_rule_file, template_of

    example = Path(__file__).resolve().parents[1] / "examples" / "my_rules.py"
    (rule,) = load_rule_file(example).rules
    reads = template_of(rule).row_reads
    assert reads is not None and {"filter", "pupil", "subarray", "exp_type", "obs_num"} <= set(reads)


# -- the promise row_reads makes, on the built-in rules ------------------------------------


def _outcome(asn, step, row) -> tuple:
    """(accepted, requests as (rules, category, trigger, rows), the states after): the check
    of ``row`` is rolled back after."""
    check = Check(asn, {}, None)
    matched, requests = check.run_step(step, row)
    shapes = [(request.rules, request.work_over, request.trigger, len(request.items)) for request in requests]
    states = [None if st is None else (st[0], st[1], st[2], list(st[3]), st[4], st[5]) for st in asn.states]
    check.rollback()
    return matched, shapes, states


def test_rows_equal_in_the_columns_read_get_the_same_outcome(tmp_path):
    """Every Level 3 rule that declares its reads, over associations grown from a synthetic
    pool: a row and a copy of it whose every other column is changed are checked alike."""
    from asngen.pool import read_pool

    pool = read_pool(write_synthetic_pool(tmp_path / "pool.csv", 600, 3))
    rows = pool.rows
    columns = sorted(rows[0])
    shuffle = random.Random(41)
    registry = Registry(resolve_rule_files((), False), DISCOVER)
    compared = 0
    for bound in registry.rules:
        reads = bound.row_reads
        if bound.rule.level != 3 or reads is None:
            continue
        step = step_of(bound.tree)
        grown = []
        for row in rows:
            for asn in grown:
                if asn.add(row)[0]:
                    break
            else:
                asn = Association(bound, "x", 0)
                if asn.add(row, fresh=True)[0]:
                    grown.append(asn)
        for asn in grown[:20]:
            for row in shuffle.sample(rows, 40):
                twin = dict(row)
                for name in columns:
                    if name not in reads:
                        twin[name] = shuffle.choice(["", "null", "x1", rows[0][name], "F200W"])
                assert _outcome(asn, step, row) == _outcome(asn, step, twin)
                compared += 1
    assert compared > 1000


# -- an association taking rows again ------------------------------------------------


def _image_rule():
    registry = Registry(resolve_rule_files((), False), DISCOVER)
    return next(bound for bound in registry.rules if bound.rule.name == "Asn_Lv3Image")


def test_a_dither_like_the_last_is_taken_without_a_check_and_asks_what_the_check_asked():
    bound = _image_rule()
    asn = Association(bound, "x", 0)
    first = _lower(exposure("jw1_rate.fits"))
    assert asn.add(first, fresh=True)[0]
    assert asn.unchanged_by is None  # the first row pinned the states
    second = _lower(exposure("jw2_rate.fits"))
    matched, asked = asn.add(second)
    assert matched and asn.unchanged_by is not None
    third = _lower(exposure("jw3_rate.fits", obs_id="V99009001001P0000000002109"))
    matched, asked_again = asn.add(third)
    assert matched
    assert [(r.rules, r.work_over, r.only_on_match, r.trigger) for r in asked_again] == [
        (r.rules, r.work_over, r.only_on_match, r.trigger) for r in asked
    ]
    assert all(request.items == [third] for request in asked_again)
    assert len(asn.members) == 3


def test_a_row_that_differs_where_the_check_reads_is_checked():
    bound = _image_rule()
    asn = Association(bound, "x", 0)
    assert asn.add(_lower(exposure("jw1_rate.fits")), fresh=True)[0]
    assert asn.add(_lower(exposure("jw2_rate.fits")))[0]
    kept = asn.unchanged_by
    assert not asn.add(_lower(exposure("jw3_rate.fits", filter="F770W")))[0]
    assert asn.unchanged_by is kept  # refused: rolled back, the states are as they were
    assert asn.add(_lower(exposure("jw4_rate.fits", obs_num="2")))[0]  # a new observation: found
    assert asn.unchanged_by is None  # ... which changed a state
    assert asn.found_of("obs_num") == ["1", "2"]


def test_a_cell_equal_in_value_but_not_text_is_not_taken_as_the_same():
    bound = _image_rule()
    asn = Association(bound, "x", 0)
    assert asn.add(_lower(exposure("jw1_rate.fits")), fresh=True)[0]
    assert asn.add(_lower(exposure("jw2_rate.fits")))[0]
    cells, _ = asn.unchanged_by
    numbered = dict(_lower(exposure("jw3_rate.fits")), obs_num=1)
    assert not association._agrees(numbered, bound.row_reads, cells)  # 1 is not "1"
    assert association._agrees(dict(_lower(exposure("jw3_rate.fits"))), bound.row_reads, cells)


def test_explanations_check_every_row():
    bound = _image_rule()
    asn = Association(bound, "x", 0)
    assert asn.add(_lower(exposure("jw1_rate.fits")), fresh=True)[0]
    assert asn.add(_lower(exposure("jw2_rate.fits")), [])[0]
    assert asn.unchanged_by is None  # a traced check is not remembered


def _files(pool, monkeypatch, repeats: bool, **options) -> list:
    return files_with(monkeypatch, pool, association, "REPEATS", repeats, **options)


@pytest.mark.parametrize(
    ("seed", "options"),
    [(4, {}), (8, {"discover": True}), (13, {"per_pool_algorithm": True}), (3, {"all_candidates": True}),
     (6, {"finalize": False})],
)
def test_runs_that_take_rows_again_write_the_files_of_runs_that_check_them_all(tmp_path, monkeypatch, seed,
                                                                                options):
    pool = write_synthetic_pool(tmp_path / "pool.csv", 1500, seed)
    taken = _files(pool, monkeypatch, True, **options)
    checked = _files(pool, monkeypatch, False, **options)
    assert taken == checked
    assert len(taken) > 100


def test_the_corpus_pool_with_most_rows_gives_the_same_files_either_way(golden, monkeypatch):
    pool = golden / "pools" / "mega_pool.csv"
    assert _files(pool, monkeypatch, True) == _files(pool, monkeypatch, False)
