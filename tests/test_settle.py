"""Associations whose pass is over keep their constraint states in a shared, read-only form.

The states of finished associations are read afterwards (naming, finalize,
describe, explain) but never changed; sharing identical ones is what keeps
large pools within memory.  These tests pin that contract down.
"""

from __future__ import annotations

import random

import pytest

from asngen.association import Association

from .pools import exposure, run


def _rows():
    """Four MIRI images of one observation: four Level 2 associations and one Level 3."""
    return [exposure(f"jw99009001001_0210{number}_00001_mirimage_uncal.fits") for number in range(1, 5)]


def test_finished_associations_hold_shared_tuples(tmp_path):
    result = run(tmp_path, _rows())
    level2 = [asn for asn in result.associations if asn.level == 2]
    assert len(level2) == 4
    for asn in result.associations:
        assert asn.member_keys is None
        assert all(st is None or isinstance(st, tuple) for st in asn.states)
    # the four Level 2 associations pin the same program, instrument and candidate: one copy each
    program = level2[0].bound.named("program")
    assert program is not None
    shared = {id(asn.states[program.slot]) for asn in level2}
    assert len(shared) == 1


def test_settled_states_still_answer_what_naming_and_finalize_ask(tmp_path):
    result = run(tmp_path, _rows())
    level3 = [asn for asn in result.associations if asn.level == 3]
    assert level3
    asn = level3[0]
    assert asn.acid() == ("o001", "observation")
    assert asn.found_of("program") == ("99009",)
    twin = asn.clone()
    assert isinstance(twin, Association)
    assert twin.member_keys is None
    # a clone (nod splitting) shares the settled tuples: nothing changes them, so no copies
    assert twin.states is not asn.states
    assert all(mine is theirs for mine, theirs in zip(twin.states, asn.states, strict=True))
    assert twin.acid() == asn.acid() and twin.found_of("program") == ("99009",)


def test_a_clone_made_during_a_pass_gets_its_own_live_states(tmp_path):
    """Before its pass ends an association's states are lists that later rows change: a clone
    made then must not share them."""
    result = run(tmp_path, _rows())
    asn = next(asn for asn in result.associations if asn.level == 3)
    live = Association.from_fields(asn.fields())
    live.states = [None if st is None else list(st) for st in asn.states]
    twin = live.clone()
    for mine, theirs in zip(twin.states, live.states, strict=True):
        assert mine == theirs and (mine is None or mine is not theirs)


def test_states_a_rule_file_gave_as_lists_are_shared_too(tmp_path):
    """A leaf that never pinned keeps the rule's own sources: a tuple, so its state is shared.

    Rule files write ``sources`` as lists; a settled state holding a list could not be hashed,
    and each association kept its own copy (most of their memory on large pools).
    """
    result = run(tmp_path, _rows())
    level2 = [asn for asn in result.associations if asn.level == 2]
    unpinned = [
        leaf for leaf in level2[0].bound.tree.leaves()
        if leaf.kind == "attr" and level2[0].states[leaf.slot] is not None and level2[0].states[leaf.slot][2]
    ]
    assert unpinned, "expected a touched leaf that never pinned a value"
    for leaf in unpinned:
        assert isinstance(leaf.sources, tuple)
        assert len({id(asn.states[leaf.slot]) for asn in level2}) == 1


def test_validity_flags_are_shared_and_clones_get_their_own(tmp_path):
    result = run(tmp_path, _rows())
    level2 = [asn for asn in result.associations if asn.level == 2]
    assert len({id(asn.validity) for asn in level2}) == 1
    assert all(asn.is_valid() for asn in level2)
    twin = level2[0].clone()
    assert twin.validity == level2[0].validity and twin.validity is not level2[0].validity


def test_associations_ending_in_the_same_states_share_one_vector(tmp_path):
    """The four Level 2 associations differ only in their member: the rule's whole state vector
    is one tuple, which naming, describing and cloning still read as before."""
    result = run(tmp_path, _rows())
    level2 = [asn for asn in result.associations if asn.level == 2]
    assert len({id(asn.states) for asn in level2}) == 1
    assert isinstance(level2[0].states, tuple)
    assert len({asn.data["constraints"] for asn in level2}) == 1
    assert len({id(asn.data["constraints"]) for asn in level2}) == 1  # one copy of the text
    twin = level2[0].clone()
    assert isinstance(twin.states, list) and twin.states == list(level2[0].states)
    assert [asn.asn_name() for asn in level2] == sorted({asn.asn_name() for asn in level2})


def test_an_association_keeps_attributes_rule_code_adds_and_its_clone_copies_them(tmp_path):
    """Associations keep their own attributes in slots; rule code may still add others, and
    a clone (nod splitting) has them too."""
    result = run(tmp_path, _rows())
    asn = result.associations[0]
    asn.my_note = "kept"
    twin = asn.clone()
    assert twin.my_note == "kept" and twin.fields() == {**asn.fields(), "states": twin.states,
                                                         "validity": twin.validity, "data": twin.data,
                                                         "products": twin.products}
    assert twin.asn_name() == asn.asn_name() and twin.data == asn.data


def test_described_texts_are_shared_per_rule_and_vector(tmp_path):
    """``describe_constraints`` remembers a text by rule and state vector: associations of one
    rule that share a settled vector share one text, and an association of another rule
    described through the same table gets the text of its own rule and vector."""
    result = run(tmp_path, _rows())
    level2 = [asn for asn in result.associations if asn.level == 2]
    level3 = next(asn for asn in result.associations if asn.level == 3)
    first, second = level2[0], level2[1]
    second.states = first.states  # one settled vector, as settling shares equal ones
    texts: dict = {}
    described: dict = {}
    for asn in (first, second, level3):
        asn.describe_constraints(texts, described)
        assert asn.data["constraints"] == "\n".join(asn.bound.describe(asn.states))
    assert second.data["constraints"] is first.data["constraints"]
    assert level3.data["constraints"] != first.data["constraints"]


def _settle_states(live_vectors: list, rule) -> list:
    """Settle fake associations of ``rule`` holding these live state vectors, in order, into
    one shared table: the settled vectors."""
    from asngen.association import AssociationBase

    shared: dict = {}
    settled = []
    for states in live_vectors:
        asn = AssociationBase.__new__(Association)
        asn.rule = rule
        asn.states = states
        asn.products = []
        asn.data = {}
        asn.validity = {}
        asn.filenames = set()
        asn.first_states = None  # (none taken from a first row's check)
        asn.settle(shared)
        settled.append(asn.states)
    return settled


@pytest.mark.parametrize("seed", range(30))
def test_equal_states_settle_into_one_object_whether_or_not_they_hold_the_same_objects(seed):
    """A state holding the very objects of the one the rule's last association settled in its
    place is taken as that one, without hashing; any other is looked up by value.  Either way
    every settled state equals its live one, and equal states end as one shared object (and
    equal vectors as one vector), as when every state was looked up."""
    rng = random.Random(seed)
    texts = ["a", "b", "".join(["a"]), "".join(["b"])]  # equal texts, distinct objects
    sources = [("x",), ("y",), tuple(["x"]), ("x", "y")]
    found = [(), ("a",), ("a", "b"), tuple(["a"])]

    def live():
        if rng.random() < 0.1:
            return None
        return [rng.choice(texts), rng.choice(sources), rng.random() < 0.5, list(rng.choice(found)),
                rng.random() < 0.5, rng.choice([None, "a", texts[2]])]

    vectors = [[live() for _ in range(3)] for _ in range(rng.randint(1, 40))]
    expected = [tuple(None if st is None else (st[0], st[1], st[2], tuple(st[3]), st[4], st[5]) for st in v)
                for v in vectors]
    settled = _settle_states([[None if st is None else list(st) for st in v] for v in vectors], object())
    assert settled == expected
    states = [st for vector in settled for st in vector if st is not None]
    for one in states:
        assert all(one is other for other in states if other == one)
    for vector in settled:
        assert all(vector is other for other in settled if other == vector)
