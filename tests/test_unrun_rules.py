"""Passes leave out the rules that can build nothing there but doomed associations.

A rule that ``needs_candidate`` is never valid for a candidate other than an
observation or a background one, and a rule whose validity checks are marked
with ``only_for_candidates`` says for which candidate types it may be valid.
A rule valid only with a science member (``requires_science``) and that says
which rows may be its science (``may_be_science``) is never valid in a pass
without such a row.  When finalization is sure to drop what such a rule
builds (see test_early_drop) and it sends rows round again only to itself,
a pass that cannot make it valid does not run it.  The oracle is the same
run with every rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asngen.api import generate
from asngen.engine import constraints
from asngen.engine.constraints import All, Attr
from asngen.generator import drivers, early_drop
from asngen.generator.loop import RunState
from asngen.options import GenerateOptions
from asngen.records import records_from_dicts
from asngen.registry import CANDIDATE, DISCOVER, Registry, RuleFile, resolve_rule_files
from asngen.rules import level2
from asngen.rules.model import Rule

from .pools import write_synthetic_pool

GOLDEN_POOLS = Path(__file__).resolve().parents[2] / "shared" / "golden" / "pools"


@pytest.fixture(scope="module")
def synthetic_pool(tmp_path_factory):
    path = tmp_path_factory.mktemp("unkept") / "synthetic_pool.csv"
    write_synthetic_pool(path, 1200, 23)
    return path


def _doomed(discover: bool = True):
    registry = Registry(resolve_rule_files((), False), DISCOVER)
    return early_drop.doomed_for(registry, discover, GenerateOptions(), RunState())


def _level2_rule(name: str, constraints, **kwargs) -> Rule:
    kwargs.setdefault("needs_candidate", True)
    kwargs.setdefault("validity", level2.VALIDITY)
    return Rule(name=name, level=2, asn_type="image2", constraints=constraints,
                exposure_type=level2.exposure_type, **kwargs)


def _rule_named(files, name):
    return next(rule for rule_file in files for rule in rule_file.rules if rule.name == name)


def test_which_default_rules_each_candidate_type_leaves_out():
    files = resolve_rule_files((), False)
    unrun = early_drop.Unrun(files, _doomed())
    rules = [rule for rule_file in files for rule in rule_file.rules]
    needing = {rule for rule in rules if rule.needs_candidate}
    mosaic = _rule_named(files, "Asn_Lv3ImageMosaic")
    tso = _rule_named(files, "Asn_Lv3TSO")
    wfsc = _rule_named(files, "Asn_Lv3WFSCMB")

    def left_out(include):
        return {rule for rule in rules if include is not None and not include(rule)}

    assert left_out(unrun.candidate_filter("c1000", "MOSAIC")) == needing | {tso}
    assert left_out(unrun.candidate_filter("c1000", "group")) == needing | {mosaic, tso, wfsc}
    assert left_out(unrun.candidate_filter("o001", "OBSERVATION")) == {mosaic}
    assert left_out(unrun.candidate_filter("c1000", "background")) == {mosaic, tso}
    assert left_out(unrun.discover_filter(None)) == needing | {mosaic, tso}
    assert left_out(unrun.discover_filter(lambda rule: rule is not wfsc)) == needing | {mosaic, tso, wfsc}


def test_validity_checks_say_which_candidates_can_pass_them():
    files = resolve_rule_files((), False)
    image = _rule_named(files, "Asn_Lv2Image")
    assert image.can_be_valid_for("Observation") and image.can_be_valid_for("background")
    assert not image.can_be_valid_for("mosaic") and not image.can_be_valid_for("discovered")
    mosaic = _rule_named(files, "Asn_Lv3ImageMosaic")
    assert mosaic.can_be_valid_for("MOSAIC") and not mosaic.can_be_valid_for("observation")
    assert _rule_named(files, "Asn_Lv3Image").can_be_valid_for("discovered")


def test_nothing_is_left_out_when_nothing_is_dropped_early():
    unrun = early_drop.Unrun(resolve_rule_files((), False), None)
    assert unrun.candidate_filter("c1000", "mosaic") is None
    assert unrun.discover_filter(None) is None


def test_rules_that_reach_other_rules_or_pin_their_own_candidate_stay():
    doomed = _doomed()
    plain = _level2_rule("Plain", lambda: All(Attr(["exp_type"], name="exp_type", value="nrc_image")))
    own_only = _level2_rule("OwnOnly", lambda: All(
        Attr(["exp_type"], name="exp_type", value="nrc_image"),
        constraints.Test(lambda item, asn: True, value=True, reprocess_on_match=True),  # back to itself
    ))
    everyone = _level2_rule("Everyone", lambda: All(
        Attr(["exp_type"], name="exp_type", value="nrc_image"),
        constraints.Test(lambda item, asn: True, value=True, reprocess_on_match=True, reprocess_rules=[]),
    ))
    own_acid = _level2_rule("OwnAcid", lambda: All(
        Attr(["asn_candidate"], name="acid", is_acid=True, evaluate=True),
    ))
    not_needing = _level2_rule("Discoverable", lambda: All(Attr(["exp_type"], name="exp_type")),
                               needs_candidate=False, validity=())
    keeps_invalid = _level2_rule("KeepsInvalid", lambda: All(Attr(["exp_type"], name="exp_type")),
                                 finalize=lambda asn: [asn])
    rules = (plain, own_only, everyone, own_acid, not_needing, keeps_invalid)
    unrun = early_drop.Unrun([RuleFile("user.py", rules, None, None)], doomed)
    assert unrun.quiet == [plain, own_only, not_needing]
    include = unrun.candidate_filter("c1000", "mosaic")
    assert [rule for rule in rules if not include(rule)] == [plain, own_only]


def test_which_candidates_leave_them_out():
    files = resolve_rule_files((), False)
    doomed = _doomed()
    unrun = early_drop.Unrun(files, doomed)
    image = _rule_named(files, "Asn_Lv2Image")
    include = unrun.candidate_filter("c1000", "MOSAIC")
    assert include is not None and not include(image) and include(_rule_named(files, "Asn_Lv3Image"))
    # an id a discovered association could share: the discover filter looks at its asn_id
    assert unrun.candidate_filter("a1000", "mosaic") is None
    assert early_drop.Unrun(files, _doomed(discover=False)).candidate_filter("a1000", "mosaic") is not None
    # ids the candidate constraint may not read back as the same pair
    assert unrun.candidate_filter("c1'000", "mosaic") is None
    assert unrun.candidate_filter("c1000", "mo saic") is None


def _rows(*exp_types):
    rows = [{"filename": f"f{number}.fits", "exp_type": exp_type, "pntgtype": "science", "is_psf": "f",
             "is_imprt": "f", "bkgdtarg": "f"} for number, exp_type in enumerate(exp_types)]
    return records_from_dicts(list(rows[0]), rows)


def test_only_wfss_rows_that_may_be_science_keep_the_wfss_rules():
    files = resolve_rule_files((), False)
    wfss = {_rule_named(files, name) for name in ("Asn_Lv2WFSSNRC", "Asn_Lv2WFSSNIS", "Asn_Lv2WFSSMIR")}
    assert all(rule.needs_science and rule.may_be_science is not None for rule in wfss)
    assert _rule_named(files, "Asn_Lv3Image").needs_science  # but says nothing of its rows: always run
    unrun = early_drop.Unrun(files, _doomed())
    images = _rows("nrc_image", "nrc_image", "nis_image")
    include = unrun.candidate_filter("o001", "observation", lambda: [("images", images)])
    assert {rule for rule in wfss if not include(rule)} == wfss
    assert include(_rule_named(files, "Asn_Lv2Image"))
    with_grism = _rows("nrc_image", "nrc_wfss")
    include = unrun.candidate_filter("o002", "observation", lambda: [("with grism", with_grism)])
    assert include is None or all(include(rule) for rule in wfss)
    # a row the classification cannot place: unsure, so the rules run
    unclear = _rows("nrc_image", None)
    include = unrun.candidate_filter("o003", "observation", lambda: [("unclear", unclear)])
    assert include is None or all(include(rule) for rule in wfss)


def test_a_parts_answer_is_remembered_and_its_rows_read_until_one_may_be_science():
    """Passes share parts (an observation's rows are also a background candidate's): a
    part is asked about once, by its key, and its rows only until one may be science."""
    files = resolve_rule_files((), False)
    wfss = {_rule_named(files, name) for name in ("Asn_Lv2WFSSNRC", "Asn_Lv2WFSSNIS", "Asn_Lv2WFSSMIR")}
    unrun = early_drop.Unrun(files, _doomed())
    read: list = []

    def reading(key, records):
        for record in records:
            read.append(key)
            yield record

    images, grisms = _rows("nrc_image", "nrc_image"), _rows("nrc_wfss", "nrc_wfss", "nrc_wfss")
    include = unrun.candidate_filter("o001", "observation", lambda: [("images", reading("images", images))])
    assert {rule for rule in wfss if not include(rule)} == wfss
    assert read == ["images", "images"]  # every row, once: the three rules ask one predicate
    read.clear()
    include = unrun.candidate_filter(
        "c1000", "background",
        lambda: [("images", reading("images", images)), ("grisms", reading("grisms", grisms))],
    )
    assert include is None or all(include(rule) for rule in wfss)
    assert read == ["grisms"]  # the images' answer was known; the first grism may be science


def test_rules_with_other_predicates_each_read_a_shared_part_whole():
    """Rule files may give rules predicates of their own: each reads the pass's parts anew."""
    from asngen.generator.drivers import _RowsByCell

    unrun = early_drop.Unrun(resolve_rule_files((), False), _doomed())
    texts = ["[('o001', 'observation')]"] * 3
    records = _rows("nrc_image", "nrc_image", "nrc_wfss")
    shares = _RowsByCell(texts).parts("o001", records)
    assert not unrun._any_science(lambda row: False, shares)  # reads all three
    assert unrun._any_science(lambda row: row["exp_type"] == "nrc_wfss", shares)


def test_a_predicate_that_says_what_it_reads_is_asked_once_per_combination_of_those_cells():
    from asngen.engine.constraints import reads_row

    unrun = early_drop.Unrun(resolve_rule_files((), False), _doomed())
    asked: list = []

    @reads_row("exp_type", "pntgtype")
    def grism(row) -> bool:
        asked.append(dict(row))
        return row["exp_type"] == "nrc_wfss"

    images, more = _rows("nrc_image", "nrc_image", "nis_image"), _rows("nis_image", "nrc_image", "nrc_wfss")
    assert not unrun._any_science(grism, [("images", images)])
    assert asked == [{"exp_type": "nrc_image", "pntgtype": "science"},
                     {"exp_type": "nis_image", "pntgtype": "science"}]  # the declared cells alone
    asked.clear()
    assert unrun._any_science(grism, [("more", more)])
    assert asked == [{"exp_type": "nrc_wfss", "pntgtype": "science"}]  # the images' answers were known
    # a column the pool lacks is absent from what it is given, as from the row
    assert not unrun._any_science(reads_row("exp_type", "no_such")(lambda row: "no_such" in row),
                                  [("images", images)])


def test_declared_and_undeclared_wfss_predicates_answer_alike():
    declared = level2.may_be_wfss_science
    assert declared.row_reads  # it says what it reads

    def undeclared(row):
        return declared(row)

    rows = _rows("nis_wfss", "nis_image", "nrc_image", "nrc_wfss", "mir_image", "nrc_coron", None,
                 "nrs_msaspec")
    for start in range(len(rows)):
        for end in range(start + 1, len(rows) + 1):
            part = [("part", rows[start:end])]
            files = resolve_rule_files((), False)
            assert (early_drop.Unrun(files, _doomed())._any_science(declared, part)
                    == early_drop.Unrun(files, _doomed())._any_science(undeclared, part))


def test_may_be_wfss_science():
    from asngen.records import RecordView

    grism, image, missing = _rows("nis_wfss", "nis_image", None)
    assert level2.may_be_wfss_science(RecordView(grism))
    assert not level2.may_be_wfss_science(RecordView(image))
    assert level2.may_be_wfss_science(RecordView(missing))
    assert level2.may_be_wfss_science({"filename": "x"})  # no exp_type at all


OPTION_SETS = [{}, {"discover": True}, {"all_candidates": True}, {"merge": True}, {"dms": True},
               {"ids": ("c1000", "c1002", "o001")}]


def _files(pool, monkeypatch, keep_all: bool, jobs: int, options: dict) -> list:
    asked = []
    unrun = early_drop.Unrun
    with monkeypatch.context() as patch:
        if keep_all:
            patch.setattr(drivers, "Unrun", lambda files, doomed: asked.append(doomed) or unrun(files, None))
        files = list(generate(pool, GenerateOptions(version_id="x", jobs=jobs, **options)).files)
    assert asked or not keep_all  # the oracle really ran every rule
    return files


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: ",".join(o) or "default")
def test_same_files_as_running_every_rule(synthetic_pool, monkeypatch, options, jobs):
    left_out = _files(synthetic_pool, monkeypatch, False, jobs, options)
    assert left_out == _files(synthetic_pool, monkeypatch, True, jobs, options)


@pytest.mark.parametrize("name", [
    "mega_pool.csv", "pool_013_coron_nircam.csv", "pool_001_candidates.csv", "pool_019_niriss_wfss.csv",
    "jw87800_20180412T163456_pool.csv",
])
def test_same_files_on_corpus_pools_with_many_candidate_types(name, monkeypatch):
    pool = GOLDEN_POOLS / name
    assert _files(pool, monkeypatch, False, 1, {}) == _files(pool, monkeypatch, True, 1, {})


def test_the_passes_really_run_fewer_rules(synthetic_pool, monkeypatch):
    sizes: dict[str, int] = {}
    made = drivers.Registry

    def counting(files, name, global_ids=None, has_global=False, include=None):
        registry = made(files, name, global_ids, has_global, include)
        if global_ids:
            sizes[global_ids[0]] = len(registry.rules)
        return registry

    monkeypatch.setattr(drivers, "Registry", counting)
    generate(synthetic_pool, GenerateOptions(jobs=1))
    full = len(made(resolve_rule_files((), False), CANDIDATE).rules)
    assert sizes and min(sizes.values()) < max(sizes.values()) <= full
