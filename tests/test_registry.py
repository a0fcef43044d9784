"""Rules bound for one candidate: the candidate constraint is added on first use only."""

from __future__ import annotations

from asngen.generator.drivers import CANDIDATE
from asngen.registry import Registry, RuleBinder, resolve_rule_files


def _registry(cid: str = "o001") -> Registry:
    return Registry(resolve_rule_files((), False), CANDIDATE, global_ids=(cid,), has_global=True)


def test_the_tree_is_put_together_when_first_read():
    bound = _registry().rules[0]
    assert bound._tree is None  # not made yet
    tree = bound.tree
    extra = tree.children[-1]
    assert extra.name == "asn_candidate" and extra.slot == bound.nslots - 1
    assert tree.children[:-1] == bound.template.tree.children
    assert bound.tree is tree  # made once
    assert bound.all_named("asn_candidate")[-1] is extra


def test_the_candidate_leaf_is_the_acid_leaf_when_the_rule_has_none():
    for bound in _registry("c1000").rules:
        leaf = bound.acid_leaf
        if bound.template.acid_leaf is None:
            assert leaf is bound.tree.children[-1] and "c1000" in leaf.value
        else:
            assert leaf is bound.template.acid_leaf


def test_each_registry_has_its_own_candidate_leaf():
    first, second = _registry("c1000").rules[0], _registry("c1001").rules[0]
    assert first.tree.children[-1] is not second.tree.children[-1]
    assert "c1000" in first.tree.children[-1].value and "c1001" in second.tree.children[-1].value


def test_a_registry_without_candidates_shares_the_rule_tree():
    registry = Registry(resolve_rule_files((), False), "discover")
    bound = registry.rules[0]
    assert bound.tree is bound.template.tree
    assert bound.all_named("asn_candidate") == bound.template.named.get("asn_candidate", [])


def test_a_registry_made_again_with_the_same_filter_binds_the_same_rules():
    files = resolve_rule_files((), False)

    def level3_only(rule):
        return rule.level == 3

    first = Registry(files, CANDIDATE, global_ids=("o001",), has_global=True, include=level3_only)
    again = Registry(files, CANDIDATE, global_ids=("o002",), has_global=True, include=level3_only)
    every = Registry(files, CANDIDATE, global_ids=("o001",), has_global=True)
    assert [bound.rule for bound in first.rules] == [bound.rule for bound in again.rules]
    assert {bound.rule.level for bound in first.rules} == {3}
    assert len(every.rules) > len(first.rules)  # another filter is asked again
    assert [bound.asn_rule for bound in first.rules] == [f"candidate_{bound.rule.name}" for bound in first.rules]
    assert "o002" in again.rules[0].tree.children[-1].value  # each its own candidate leaf


def test_a_binder_binds_what_the_registry_binds_one_rule_at_a_time():
    files = resolve_rule_files((), False)
    registry = Registry(files, CANDIDATE, global_ids=("c1003",), has_global=True,
                        include=lambda rule: rule.level == 3)
    bind = RuleBinder(files, CANDIDATE, global_ids=("c1003",), has_global=True)
    for bound in registry.rules:
        twin = bind(registry.universe.index(bound.template))
        assert twin is bind(registry.universe.index(bound.template))  # bound once
        assert (twin.rule, twin.template, twin.asn_rule, twin.nslots, twin.registry_name) == (
            bound.rule, bound.template, bound.asn_rule, bound.nslots, bound.registry_name)
        states = [None] * twin.nslots
        assert twin.describe(states) == bound.describe(states)  # the candidate leaf too
        assert twin.tree.children[-1].value == bound.tree.children[-1].value


def test_an_association_checks_its_bound_tree_from_the_step_its_rule_keeps():
    """The first check of a bound rule's association makes the tree's step once; its
    candidate leaf is in it, and a check from the kept step answers as one from the tree."""
    from asngen.association import Association
    from asngen.engine.check import Check, step_of

    bound = _registry("o001").rules[0]
    assert bound._step is None
    row = {"filename": "jw1_uncal.fits", "asn_candidate": "[('o001', 'observation')]", "program": "1"}
    asn = Association(bound, None, 0, "pool")
    asn.add(row, fresh=True)
    step = bound._step
    assert step is not None and step[1][0] is bound.tree.children  # the candidate leaf included
    other = Association(bound, None, 0, "pool")
    other.add(row, fresh=True)
    assert bound._step is step  # made once
    from_step = Check(Association(bound, None, 0, "pool"), None).run_step(step_of(bound.tree), row)
    from_tree = Check(Association(bound, None, 0, "pool"), None).run(bound.tree, row)
    assert from_step == from_tree


def test_a_bound_tree_is_planned_as_its_own_children_would_plan_it():
    """A rule bound to a candidate gets its top group's plan from the template's, plus the
    candidate's test: the same plan as planning the copied group child by child."""
    from asngen.engine import check

    registry = Registry(resolve_rule_files(None, False), CANDIDATE, global_ids=("o001",), has_global=True)
    for bound in registry.rules:
        tree = bound.tree
        given = tree.plan
        tree.plan = None
        planned = check.plan_of(tree)
        assert given[0] is tree.children and planned[0] is tree.children
        assert given[1:5] == planned[1:5] and given[5] is planned[5] is tree
        assert given[1][-1] == check._step(tree.children[-1])  # the candidate's test, last
