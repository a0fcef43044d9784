"""The discover pass runs before the candidate passes, with the result of running it last.

It runs first for memory (see ``drivers._passes_in_process``); the numbers
its associations get, the files written and the error a failing run
reports must be those of the reference's order, where it runs last.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asngen.api import generate
from asngen.generator import drivers
from asngen.generator.loop import RunState
from asngen.generator.parallel import PassSpec
from asngen.options import GenerateOptions

from .pools import write_synthetic_pool

_DISCOVER_FILTER = drivers.discover_filter


@pytest.fixture(scope="module")
def synthetic_pool(tmp_path_factory) -> Path:
    return write_synthetic_pool(tmp_path_factory.mktemp("discover_first") / "synthetic_pool.csv", 900, 11)


def _files(pool: Path, **options) -> list[tuple[str, str]]:
    return list(generate(pool, GenerateOptions(version_id="x", jobs=1, **options)).files)


def _run(pool: Path, monkeypatch, **options):
    """The files, and every association's numbers as the passes left them (the discover
    filter renumbers afterwards, so the files alone would not show them)."""
    numbers = []

    def noting(associations, *args):
        numbers.extend((asn.serial, asn.sequence, asn.data["asn_rule"]) for asn in associations)
        return _DISCOVER_FILTER(associations, *args)

    monkeypatch.setattr(drivers, "discover_filter", noting)
    return _files(pool, **options), numbers


@pytest.mark.parametrize("options", [{}, {"discover": True}, {"finalize": False}, {"debug": True}], ids=str)
def test_numbers_and_files_are_those_of_running_the_discover_pass_last(synthetic_pool, monkeypatch, options):
    first, first_numbers = _run(synthetic_pool, monkeypatch, **options)
    original = drivers._passes_in_process

    def discover_last(specs, discover_first, *args):
        return original(specs, False, *args)

    monkeypatch.setattr(drivers, "_passes_in_process", discover_last)
    last, last_numbers = _run(synthetic_pool, monkeypatch, **options)
    assert first_numbers == last_numbers
    assert any(rule.startswith("discover_") for _, _, rule in first_numbers)
    assert [name for name, _ in first] == [name for name, _ in last]
    assert first == last


def test_the_discover_pass_is_the_one_run_first(synthetic_pool, monkeypatch):
    labels = []
    original = drivers.run_pass

    def recording(spec, *args):
        labels.append(spec.label)
        return original(spec, *args)

    monkeypatch.setattr(drivers, "run_pass", recording)
    _files(synthetic_pool)
    assert labels[0] is None and None not in labels[1:] and len(labels) > 2


def _failing(label, message) -> PassSpec:
    def registry():
        raise ValueError(message)

    return PassSpec(label, lambda: 1, lambda: [], registry)


def _empty(label) -> PassSpec:
    from asngen.registry import Registry

    return PassSpec(label, lambda: 0, lambda: [], lambda: Registry([], "candidate"))


def test_a_candidate_pass_error_wins_over_a_discover_pass_error_as_in_the_reference_order():
    specs = [_empty("o001"), _failing("o002", "candidate failed"), _failing(None, "discover failed")]
    with pytest.raises(ValueError, match="candidate failed"):
        drivers._passes_in_process(specs, True, None, "pool", RunState(), None)


def test_a_discover_pass_error_is_raised_once_the_candidate_passes_are_through():
    done = []
    run = RunState()
    run.on_progress = done.append
    specs = [_empty("o001"), _empty("o002"), _failing(None, "discover failed")]
    with pytest.raises(ValueError, match="discover failed"):
        drivers._passes_in_process(specs, True, None, "pool", run, None)
    assert done == ["o001", "o002"]
