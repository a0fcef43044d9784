"""GenerateOptions and Rule: immutable values with explicit constructors."""

from __future__ import annotations

import pickle

import pytest

from asngen.engine.constraints import All, Attr, Group
from asngen.options import GenerateOptions
from asngen.rules.model import Rule


def test_options_are_equal_when_what_decides_the_output_is():
    assert GenerateOptions(ids=("o001",), jobs=1) == GenerateOptions(ids=("o001",), jobs=None, extra={"x": 1})
    assert hash(GenerateOptions(merge=True, jobs=2)) == hash(GenerateOptions(merge=True))
    assert GenerateOptions(merge=True) != GenerateOptions()
    assert GenerateOptions() != "options"


def test_options_cannot_change_but_replace_makes_a_changed_copy():
    options = GenerateOptions(rules=("a.py",), jobs=None)
    with pytest.raises(AttributeError):
        options.rules = ("b.py",)
    with pytest.raises(AttributeError):
        del options.rules
    changed = options.replace(rules=("b.py",))
    assert changed.rules == ("b.py",) and changed.jobs is None and options.rules == ("a.py",)
    with pytest.raises(TypeError):
        options.replace(no_such_option=True)


def test_every_deciding_option_is_a_constructor_argument_and_survives_pickling():
    options = GenerateOptions(**{name: f"value-{name}" for name in GenerateOptions.DECIDING}, jobs=3)
    twin = pickle.loads(pickle.dumps(options))
    assert twin == options and twin.jobs == 3
    assert all(getattr(twin, name) == f"value-{name}" for name in GenerateOptions.DECIDING)
    assert "jobs=3" in repr(options)


def test_a_rule_cannot_change_and_keeps_what_it_was_given():
    rule = Rule("Asn_Test", 3, "image3", lambda: All(Attr(["exp_type"])), lambda asn, item: "science", doc="d")
    assert (rule.name, rule.level, rule.asn_type, rule.doc, rule.extra, rule.needs_candidate) == (
        "Asn_Test", 3, "image3", "d", {}, False)
    with pytest.raises(AttributeError):
        rule.level = 2
    assert rule != Rule("Asn_Test", 3, "image3", rule.constraints, rule.exposure_type)  # equal only to itself


def test_nodes_take_their_fields_by_position_and_show_them():
    leaf = Attr(["exp_type"], "nrc_image", "exp_type")
    assert (leaf.sources, leaf.value, leaf.name, leaf.required) == (("exp_type",), "nrc_image", "exp_type", True)
    assert repr(leaf).startswith("Attr(sources=('exp_type',), value='nrc_image', name='exp_type'")
    with pytest.raises(ValueError):
        Group([leaf], "some")
