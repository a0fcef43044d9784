"""Invalid associations let go of when their pass ends give the same files as holding them.

Finalization drops every invalid association; the generator drops those it
is sure about as soon as their pass is over (most of a large pool's memory
otherwise).  The oracle is the same run with nothing dropped early.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from asngen.api import generate
from asngen.association import Association
from asngen.generator import drivers
from asngen.generator.loop import RunState
from asngen.options import GenerateOptions
from asngen.registry import Registry, resolve_rule_files

from .pools import write_synthetic_pool


@pytest.fixture(scope="module")
def synthetic_pool(tmp_path_factory):
    path = tmp_path_factory.mktemp("early_drop") / "synthetic_pool.csv"
    write_synthetic_pool(path, 1500, 11)
    return path


OPTION_SETS = [{}, {"discover": True}, {"all_candidates": True}, {"debug": True}, {"merge": True}]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: ",".join(o) or "default")
def test_same_files_as_keeping_every_association_to_the_end(synthetic_pool, monkeypatch, options, jobs):
    early = list(generate(synthetic_pool, GenerateOptions(version_id="x", jobs=jobs, **options)).files)
    monkeypatch.setattr(drivers, "_doomed", lambda *args: None)
    kept = list(generate(synthetic_pool, GenerateOptions(version_id="x", jobs=jobs, **options)).files)
    assert early == kept


def test_invalid_associations_do_not_reach_finalization(synthetic_pool, monkeypatch):
    seen = []
    finalize = drivers._finalize
    monkeypatch.setattr(drivers, "_finalize", lambda registry, asns, state: seen.extend(asns) or finalize(
        registry, asns, state))
    generate(synthetic_pool, GenerateOptions(jobs=1))
    assert seen and all(asn.is_valid() for asn in seen)


def _registry():
    return Registry(resolve_rule_files((), False), drivers.DISCOVER)


def _asn(valid: bool, registry_name: str = drivers.CANDIDATE, asn_id: str = "o001", level: int = 2,
         drops: bool = True):
    """An association of a registry so named, with the level, validity and id given; its rule
    says whether its finalize drops invalid associations."""
    registry = Registry(resolve_rule_files((), False), registry_name)
    asn = Association(registry.rules[0], "x", 0)
    asn.level = level
    asn.rule = SimpleNamespace(drops_invalid=drops)
    asn.validity = {"check": valid}
    asn.data["asn_id"] = asn_id
    assert asn.registry_name == registry_name and asn.is_valid() == valid
    return asn


def test_what_is_dropped_early():
    doomed = drivers._doomed(_registry(), True, GenerateOptions(), RunState())
    assert doomed(_asn(False)) and doomed(_asn(False, drivers.DISCOVER, "a3001", 3))
    assert not doomed(_asn(True))
    # a candidate id that could equal a discovered association's: kept for the discover filter
    assert not doomed(_asn(False, asn_id="a001"))
    # a finalize not known to drop invalid associations
    assert not doomed(_asn(False, drops=False))
    # without the discover pass, the candidate's id does not matter
    assert drivers._doomed(_registry(), False, GenerateOptions(), RunState())(_asn(False, asn_id="a001"))


def test_nothing_is_dropped_early_when_something_may_look_at_it():
    registry = _registry()
    assert drivers._doomed(registry, True, GenerateOptions(finalize=False), RunState()) is None
    assert drivers._doomed(registry, True, GenerateOptions(debug=True), RunState()) is None
    recording = RunState()
    recording.recorder = object()
    assert drivers._doomed(registry, True, GenerateOptions(), recording) is None
    # a rule file's FINALIZE callback that does not declare what it does with each level
    registry.finalizers = [*registry.finalizers, lambda associations, state: associations]
    assert drivers._doomed(registry, True, GenerateOptions(), RunState()) is None


def test_rules_whose_finalize_may_stop_the_run_on_a_pool_are_found_by_its_rows(monkeypatch):
    """A WFSS association is named after its direct image before its validity is looked at;
    an image row without FILTER/BAND or PUPIL/GRATING makes that fail, as in the reference."""
    from asngen.generator import early_drop
    from asngen.records import records_from_dicts
    from asngen.rules import level2

    columns = ["exp_type", "instrume", "filter", "pupil", "filename"]
    named = {"exp_type": "nis_image", "instrume": "niriss", "filter": "clear", "pupil": "f200w"}
    rows = [dict(named, filename=f"f{n}") for n in range(50)]
    rows.append({"exp_type": "nis_wfss", "instrume": "niriss", "filter": None, "pupil": "f200w", "filename": "g"})
    files = resolve_rule_files(None, False)
    assert early_drop.failing_rules(files, records_from_dicts(columns, rows)) == frozenset()

    asked = []
    test = level2.unnamable_direct_image
    monkeypatch.setattr(level2.wfss_catalog, "fails_on", (lambda row: asked.append(row) or test(row),
                                                          level2.wfss_catalog.fails_on[1]))
    unnamed = dict(named, filter=None, filename="u")
    failing = early_drop.failing_rules(files, records_from_dicts(columns, [*rows, unnamed]))
    assert sorted(rule.name for rule in failing) == [
        "Asn_Lv2WFSSMIR", "Asn_Lv2WFSSNIS", "Asn_Lv2WFSSNRC", "Asn_Lv2WFSSParallel",
    ]
    assert len(asked) == 3  # once per distinct combination of the cells it reads, up to the first true
    assert all(set(row) <= set(level2.wfss_catalog.fails_on[1]) for row in asked)
