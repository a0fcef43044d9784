"""The static filter: a rule it rules out for a row could never have started an association with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asngen.api import _load
from asngen.association import Association
from asngen.engine import static_filter
from asngen.engine.static_filter import StaticFilter, readers
from asngen.options import GenerateOptions
from asngen.registry import Registry, resolve_rule_files
from tests.pools import exposure, run

REPO = Path(__file__).resolve().parents[1]
GOLDEN_POOLS = REPO.parent / "shared" / "golden" / "pools"


def _registries():
    files = resolve_rule_files(None, False)
    return [
        Registry(files, "discover"),
        Registry(files, "candidate", global_ids=("o001",), has_global=True),
    ]


@pytest.mark.parametrize("pool_name", ["pool_018_all_exptypes.csv", "pool_013_coron_nircam.csv"])
def test_a_rule_filtered_out_refuses_the_row_on_a_fresh_association(pool_name):
    pool_path = GOLDEN_POOLS / pool_name
    if not pool_path.exists():
        pytest.skip("the golden corpus is not beside the repository")
    rows = _load(pool_path, GenerateOptions()).rows
    ruled_out = 0
    for registry in _registries():
        statics = StaticFilter(registry.rules)
        for row in rows:
            passing = statics.passing(row)
            # what the generator offers the row to: the passing rules, in registry order
            assert [registry.rules[position] for position in statics.starting(row)] == [
                bound for bound in registry.rules if bound.template in passing
            ]
            for bound in registry.rules:
                if bound.template in passing:
                    continue
                ruled_out += 1
                matched, requests = Association(bound, "x", 0).add(dict(row), fresh=True)
                assert not matched and not requests, (bound, row["filename"])
    assert ruled_out > 1000  # the filter does rule most rules out


def test_rows_a_rule_reads_alike_share_its_verdict():
    """Rows differing only in a column the rule ignores, or in values its test treats alike."""
    registry = _registries()[0]
    statics = StaticFilter(registry.rules)
    first = {k.lower(): v for k, v in exposure("a_uncal.fits", FILTER="F560W").items()}
    second = {k.lower(): v for k, v in exposure("b_uncal.fits", FILTER="F770W").items()}
    before = sum(len(memo) for memo in statics.memos)
    assert statics.passing(first) == statics.passing(second)
    added = sum(len(memo) for memo in statics.memos) - before
    # the second row has a new profile, yet no rule that ignores the filter evaluates again
    readers_of_filter = sum(
        any(reader[1] == "filter" or (reader[0] == "test" and "filter" in reader[1].columns)
            for reader in readers(bound.template.tree))
        for bound in registry.rules
    )
    assert added <= len(registry.rules) + readers_of_filter


RULE_WITH_ALTERNATIVES = '''
from asngen.engine.constraints import All, Attr
from asngen.rules import level3 as l3
from asngen.rules import naming
from asngen.rules.model import Rule

RULES = [
    Rule(
        name="Asn_TwoPatterns",
        level=3,
        asn_type="image3",
        doc="MIRI images in either of two patterns of dithering.",
        constraints=lambda: l3.science(
            All(
                Attr(["exp_type"], name="exp_type", value="mir_image"),
                Attr(["patttype"], name="patttype", value=["cycling", "reuleaux"], force_unique=False),
                Attr(["filter"], name="opt_elem"),
            )
        ),
        exposure_type=l3.exposure_type,
        product_name=naming.standard,
        validity=(("has_science", l3.has_science),),
        finalize=l3.finalize_science,
    ),
]
FINALIZE = l3.finalize_level3
'''


def test_a_user_rule_with_a_list_of_patterns_on_an_untested_column(tmp_path):
    rule_file = tmp_path / "alternatives_rules.py"
    rule_file.write_text(RULE_WITH_ALTERNATIVES)
    rows = [
        exposure("jw99009001001_02101_00001_mirimage_uncal.fits", PATTTYPE="CYCLING"),
        exposure("jw99009001001_02101_00002_mirimage_uncal.fits", PATTTYPE="REULEAUX", PATT_NUM=2),
        exposure("jw99009001001_02101_00003_mirimage_uncal.fits", PATTTYPE="SPIRAL", PATT_NUM=3),
    ]
    result = run(tmp_path, rows, rules=(str(rule_file),), ignore_default=True)
    members = {
        member["expname"]
        for _, text in result.files
        for product in json.loads(text)["products"]
        for member in product["members"]
    }
    assert members == {
        "jw99009001001_02101_00001_mirimage_cal.fits",
        "jw99009001001_02101_00002_mirimage_cal.fits",
    }


def test_rule_sets_that_share_a_rule_share_its_verdicts(monkeypatch):
    """A rule's verdict depends on its own readings only, so a rule set holding some of the
    rules of another (the discover pass's, beside the candidates') asks nothing again of a
    row profile the other has seen."""
    monkeypatch.setattr(static_filter, "_SHARED", {})  # nothing remembered from other tests
    monkeypatch.setattr(static_filter, "_RESOLVED", {})
    monkeypatch.setattr(static_filter, "_PER_TEMPLATE", {})
    files = resolve_rule_files(None, False)
    whole = Registry(files, "candidate", global_ids=("o001",), has_global=True)
    level3 = Registry(files, "discover", include=lambda rule: rule.level == 3)
    first, second = StaticFilter(whole.rules), StaticFilter(level3.rules)
    assert 0 < len(level3.rules) < len(whole.rules)
    position = {bound.template: number for number, bound in enumerate(whole.rules)}
    for bound, memo in zip(level3.rules, second.memos, strict=True):
        assert memo is first.memos[position[bound.template]]
    row = {k.lower(): v for k, v in exposure("c_uncal.fits", FILTER="F1130W", PUPIL="N/A").items()}
    verdict = first.passing(row)
    asked = [len(memo) for memo in second.memos]
    assert sum(asked) > 0  # a new profile: the rules were asked, and remembered their verdicts
    assert second.passing(row) == frozenset(t for t in verdict if t in {b.template for b in level3.rules})
    assert [len(memo) for memo in second.memos] == asked  # every rule of the second set had been asked


def test_fresh_verdicts_of_small_trees():
    """What the row alone decides: patterns, negated groups, computed patterns whose inputs
    may have changed, and groups that ask for reprocessing (undecided)."""
    from asngen.engine.constraints import All, Any_, Attr, NotAll, NotAny
    from asngen.engine.fresh import FAIL, PASS, UNKNOWN, fresh_verdict

    row = {"filter": "f200w", "pupil": "clear"}
    filt = Attr(["filter"], value="f200w", name="filt")
    other = Attr(["filter"], value="f444w", name="other")
    assert fresh_verdict(All(filt, Attr(["pupil"], value="clear")), row) == PASS
    assert fresh_verdict(All(filt, other), row) == FAIL
    assert fresh_verdict(Any_(other, filt), row) == PASS
    assert fresh_verdict(NotAny(other), row) == PASS
    assert fresh_verdict(NotAll(filt), row) == FAIL
    assert fresh_verdict(Attr(["filter"], value="f200w", onlyif=lambda item: True), row) == UNKNOWN
    assert fresh_verdict(All(filt, reprocess_on_match=True), row) == UNKNOWN
    computed = Attr(["pupil"], value=lambda asn: "clear", fresh_value="clear", reads=("filt",), name="p")
    touched: set = set()
    assert fresh_verdict(computed, row, touched) == PASS  # nothing it reads was touched
    assert touched == {"p"}
    assert fresh_verdict(All(filt, computed), row) == UNKNOWN  # "filt" may have changed first
    assert fresh_verdict(All(other, computed), row) == FAIL


def test_a_registry_of_some_rules_shares_the_profiles_of_all_of_them(monkeypatch):
    """The discover registry leaves out the rules that need a candidate; its filter shares
    the profiles of the filter of all the rules (the candidates'), and still names only its
    own rules, the same ones as a filter of its own would."""
    monkeypatch.setattr(static_filter, "_SHARED", {})
    monkeypatch.setattr(static_filter, "_PER_TEMPLATE", {})
    monkeypatch.setattr(static_filter, "_POSITIONS", {})
    monkeypatch.setattr(static_filter, "_RESOLVED", {})
    files = resolve_rule_files(None, False)
    whole = Registry(files, "candidate", global_ids=("o001",), has_global=True)
    some = Registry(files, "discover", include=lambda rule: not rule.needs_candidate)
    assert some.universe == whole.universe == tuple(bound.template for bound in whole.rules)
    everything = StaticFilter(whole.rules, whole.universe)
    sharing = StaticFilter(some.rules, some.universe)
    assert sharing.memo is everything.memo
    rows = [
        {k.lower(): v for k, v in exposure(f"r{n}_uncal.fits", FILTER=f, PUPIL=p).items()}
        for n, (f, p) in enumerate([("F1130W", "N/A"), ("F200W", "CLEAR"), ("F444W", "F405N")])
    ]
    for row in rows:
        everything.passing(row)
    seen = len(everything.memo)
    alone = StaticFilter(some.rules)  # a filter of its own rules only
    assert alone.memo is not everything.memo
    for row in rows:
        assert sharing.starting(row) == alone.starting(row)
        assert all(sharing.rules[position] in some.rules for position in sharing.starting(row))
    assert any(alone.starting(row) for row in rows)
    assert len(everything.memo) == seen  # every profile had been seen by the whole set


def _fresh_memos(monkeypatch) -> None:
    """Nothing remembered from other tests: every verdict below is worked out here."""
    monkeypatch.setattr(static_filter, "_SHARED", {})
    monkeypatch.setattr(static_filter, "_PER_TEMPLATE", {})
    monkeypatch.setattr(static_filter, "_POSITIONS", {})
    monkeypatch.setattr(static_filter, "_RESOLVED", {})


@pytest.mark.parametrize("pool_name", ["pool_018_all_exptypes.csv", "mega_pool.csv"])
def test_a_row_asked_with_its_record_gets_the_verdict_of_its_profile(pool_name, monkeypatch):
    """Told apart by their records' codes, rows get the verdicts their profiles get, in a pass
    that marks ``asn_candidate`` (a candidate's) and one that does not (the discover pass);
    a record stands for its row's codes, the mark is read from the row."""
    from asngen.records import as_dict

    pool_path = GOLDEN_POOLS / pool_name
    if not pool_path.exists():
        pytest.skip("the golden corpus is not beside the repository")
    records = _load(pool_path, GenerateOptions()).records
    _fresh_memos(monkeypatch)
    for registry in _registries():
        by_record, by_profile = StaticFilter(registry.rules), StaticFilter(registry.rules)
        # (a rule reads asn_candidate: whether the row is in a WFSS direct image candidate)
        for marker in (None, "[('o001', 'observation')]", "[('c1000', 'direct_image')]"):
            for record in records:
                row = as_dict(record)
                if marker is not None:
                    row["asn_candidate"] = marker
                assert by_record.passing(row, record) == by_profile.passing(row), row["filename"]
                assert by_record.starting(row, record) == by_profile.starting(row)
    layouts = {id(record[0]): record[0] for record in records}.values()
    assert all(layout.memos for layout in layouts)  # (the records' codes were read)


def test_record_keys_of_uneven_and_widened_layouts(monkeypatch):
    """Rows missing a column (uneven records: the column reads as None), a column of more than
    256 values (codes two bytes wide, a second layout for the records made after), and a
    column of the profile the pool lacks."""
    from asngen.records import ABSENT, as_dict, records_from_dicts

    _fresh_memos(monkeypatch)
    base = {k.lower(): v for k, v in exposure("a_uncal.fits", FILTER="F560W").items()}
    base.pop("targetid", None)
    rows = []
    for number in range(400):
        row = dict(base, filename=f"r{number}_uncal.fits", obs_num=f"{number % 300:03d}")
        if number % 7 == 0:
            row.pop("bkgdtarg", None)
        if number % 5 == 0:
            row["patttype"] = "N/A"
        rows.append(row)
    records = records_from_dicts(list(base), rows)
    layouts = {id(record[0]): record[0] for record in records}
    assert len(layouts) > 1  # obs_num outgrew its one-byte codes
    assert all(record[0].uneven for record in records)
    assert any(cell is ABSENT for record in records for cell in record[0].values[record[0].index("bkgdtarg")])
    for registry in _registries():
        by_record, by_profile = StaticFilter(registry.rules), StaticFilter(registry.rules)
        for record in records:
            row = as_dict(record)
            assert by_record.passing(row, record) == by_profile.passing(row)
    # a column's table of what its codes read as is one for all the layouts of the pool
    first, last = records[0][0], records[-1][0]
    assert first.shared is last.shared and first.memos is not last.memos
    tables = [entry[2] for entry in first.shared.values()]
    assert tables and all(any(table is other for other in tables) for table in
                          [t for memo in last.memos.values() for t in memo[1][3]])


def test_a_pattern_columns_values_that_read_alike_share_a_key(monkeypatch):
    """obs_num is read through a pattern: rows differing only there, in values every pattern
    treats alike, share the key (one verdict worked out), and rows it tells apart do not."""
    from asngen.records import as_dict, records_from_dicts

    _fresh_memos(monkeypatch)
    registry = _registries()[0]
    statics = StaticFilter(registry.rules)
    columns = [column for column, _, _ in statics.patterns]
    assert "obs_num" in columns
    base = {k.lower(): v for k, v in exposure("a_uncal.fits", FILTER="F560W").items()}
    records = records_from_dicts(list(base), [dict(base, obs_num=f"{n:03d}") for n in range(1, 40)])
    for record in records:
        statics.passing(as_dict(record), record)
    outcomes = {static_filter._pattern_outcomes(f"{n:03d}", dict((c, p) for c, p, _ in statics.patterns)["obs_num"])
                for n in range(1, 40)}
    # one key, and so one verdict worked out, per outcome (the records share one layout)
    assert len(statics.by_codes) == len(outcomes) < len(records)
