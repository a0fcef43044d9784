"""Pruning duplicates (asngen.generator.prune) against a plain, quadratic statement of it.

The pruner removes associations by identity in one filtering pass and looks
for an already-pruned equal only among associations of the same equality
class.  Both are speed changes (a large pool prunes tens of thousands of
associations out of hundreds of thousands); these tests check on random
association lists that the result, its order and the ``dup`` names of debug
mode are those of the straightforward search-and-delete version.
"""

from __future__ import annotations

import random

import pytest

from asngen.generator import prune
from asngen.generator.prune import PruneState, membership_report, same_association


class FakeAssociation:
    def __init__(self, asn_type: str, asn_id: str, product: str, members: list[tuple[str, str]]):
        self.name_override = None
        self.data = {
            "asn_type": asn_type,
            "asn_id": asn_id,
            "products": [{"name": product, "members": [{"expname": n, "exptype": t} for n, t in members]}],
        }

    @property
    def is_dup(self) -> bool:
        return self.name_override is not None and self.name_override.startswith("dup")

    def asn_name(self) -> str:
        return f"jw-{self.data['asn_id']}_{self.data['asn_type']}_{id(self) % 1000:03d}"


def _naive_remove(remove_from, to_remove, dups, state) -> None:
    for asn in to_remove:
        for position, candidate in enumerate(remove_from):
            if candidate is asn:
                del remove_from[position]
                break
        else:
            raise IndexError("Expected duplicate association not found in list")
        if state.debug:
            state.dup_count += 1
            asn.name_override = f"dup{state.dup_count:05d}_{asn.asn_name()}"
            dups.append(asn)


def _naive_prune_duplicate_products(asns, state):
    from collections import Counter

    dups = [a for a in asns if a.is_dup]
    valid = [a for a in asns if not a.is_dup]
    names = [a.data["products"][0]["name"] for a in valid]
    duplicated = [name for name, count in Counter(names).items() if count > 1]
    if not duplicated:
        return asns
    ordered = sorted(valid, key=lambda a: a.data["asn_id"])
    by_product: dict = {}
    for asn in ordered:
        by_product.setdefault(asn.data["products"][0]["name"], []).append(asn)
    full_prune: list = []
    for product_name in duplicated:
        group = by_product[product_name]
        to_keep = list(group)
        for asn in group:
            if any(same_association(asn, pruned) for pruned in full_prune):
                continue
            to_prune = []
            for entrant in to_keep:
                if same_association(entrant, asn):
                    continue
                kinds = membership_report(asn.data["products"][0], entrant.data["products"][0])
                if kinds:
                    if "subset" in kinds:
                        if len(entrant.data["products"][0]["members"]) > len(asn.data["products"][0]["members"]):
                            asn, entrant = entrant, asn
                        to_prune.append(entrant)
                    continue
                to_prune.append(entrant)
            full_prune.extend(to_prune)
            for pruned in to_prune:
                for position, candidate in enumerate(to_keep):
                    if same_association(candidate, pruned):
                        del to_keep[position]
                        break
                else:
                    raise ValueError("list.remove(x): x not in list")
    _naive_remove(ordered, full_prune, dups, state)
    return ordered + dups


def _random_associations(rng: random.Random, count: int) -> list[FakeAssociation]:
    exposures = [f"jw0100{n:03d}_rate.fits" for n in range(8)]
    asns = []
    for _ in range(count):
        members = rng.sample(exposures, rng.randint(1, 4))
        asns.append(FakeAssociation(
            rng.choice(["image3", "spec3"]),
            rng.choice(["o001", "o002", "c1000", "a3001"]),
            rng.choice(["jw01000-o001_t001_nircam_f200w", "jw01000-o001_t001_nircam_f150w", "jw01000-c1000_t001_nircam_f200w"]),
            [(name, rng.choice(["science", "science", "background"])) for name in members],
        ))
    return asns


def _outcome(asns: list) -> list:
    return [(id(asn), asn.name_override) for asn in asns]


def _assert_same_as_oracle(oracle, pruner, asns: list, debug: bool) -> None:
    """``pruner`` keeps, renames and counts exactly as ``oracle`` does on the same associations."""
    names_before = [asn.name_override for asn in asns]
    expected_state = PruneState(debug)
    expected = _outcome(oracle(list(asns), expected_state))
    expected_names = [asn.name_override for asn in asns]
    for asn, name in zip(asns, names_before, strict=True):
        asn.name_override = name
    state = PruneState(debug)
    got = _outcome(pruner(list(asns), state))
    assert got == expected
    assert [asn.name_override for asn in asns] == expected_names
    assert state.dup_count == expected_state.dup_count


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("seed", range(40))
def test_prune_duplicate_products_matches_the_plain_version(seed: int, debug: bool) -> None:
    rng = random.Random(seed)
    asns = _random_associations(rng, rng.randint(2, 30))
    _assert_same_as_oracle(_naive_prune_duplicate_products, prune.prune_duplicate_products, asns, debug)


def test_remove_takes_first_occurrences_and_refuses_what_is_not_there() -> None:
    a, b, c = (FakeAssociation("image3", "o001", f"p{n}", [("x", "science")]) for n in range(3))
    items = [a, b, a, c]
    prune._remove(items, [a, c], [], PruneState())
    assert items == [b, a]
    with pytest.raises(IndexError):
        prune._remove([a, b], [a, a], [], PruneState())


def _naive_prune_duplicate_associations(asns, state):
    """Associations with the same first-product members, the last (by asn_id) kept."""
    dups = [a for a in asns if a.is_dup]
    ordered = sorted((a for a in asns if not a.is_dup), key=lambda a: a.data["asn_id"])
    removed = [False] * len(ordered)
    pruned = []
    for position in range(len(ordered) - 1, -1, -1):
        if removed[position]:
            continue
        asn = ordered[position]
        pruned.append(asn)
        for earlier in range(position):
            if not removed[earlier] and not membership_report(
                    ordered[earlier].data["products"][0], asn.data["products"][0]):
                removed[earlier] = True
                if state.debug:
                    state.dup_count += 1
                    twin = ordered[earlier]
                    twin.name_override = f"dup{state.dup_count:05d}_{twin.asn_name()}"
                    dups.append(twin)
    return pruned + dups


@pytest.mark.parametrize("names_remembered", [False, True])
@pytest.mark.parametrize("collide", [False, True])
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("seed", range(30))
def test_prune_duplicate_associations_matches_the_plain_version(seed, debug, collide, names_remembered,
                                                                 monkeypatch) -> None:
    """Grouping by the hash of the membership (or, once the names are let go, by digests of the
    names made without them), with the keys made only where they meet, finds exactly the twins
    of a member-by-member comparison (also when every hash collides)."""
    monkeypatch.setattr(prune, "names_remembered", lambda: names_remembered)
    if collide:
        monkeypatch.setattr(prune, "_digest", lambda key: 0)
    rng = random.Random(seed)
    asns = _random_associations(rng, rng.randint(2, 40))
    if rng.random() < 0.5:  # a repeated exposure name: never the same as anything
        asns[0].data["products"][0]["members"].append(dict(asns[0].data["products"][0]["members"][0]))
    _assert_same_as_oracle(_naive_prune_duplicate_associations, prune.prune_duplicate_associations, asns, debug)


@pytest.mark.parametrize("table_size", [None, 1, 2, 64])
@pytest.mark.parametrize("seed", range(20))
def test_shared_hash_groups_are_the_digests_met_twice(seed, table_size) -> None:
    """Exactly the positions of digests that occur more than once, grouped by digest, each
    group in ascending order (the groups in any order), whatever the size of the table that sifts them first (a
    digest may be any 64-bit hash, negative ones included)."""
    from array import array

    rng = random.Random(seed)
    count = rng.randint(0, 300)
    values = [rng.randint(-(2**63), 2**63 - 1) for _ in range(rng.randint(1, 400))]
    positions = array("q", sorted(rng.sample(range(count * 2 + 1), count)))
    digests = array("q", [rng.choice(values) for _ in range(count)])
    expected: dict = {}
    for position, digest in zip(positions, digests, strict=True):
        expected.setdefault(digest, []).append(position)
    wanted = [group for group in expected.values() if len(group) > 1]
    assert sorted(prune._shared_hash_groups(positions, digests, table_size)) == sorted(wanted)


@pytest.mark.parametrize("table_size", [None, 1, 8])
@pytest.mark.parametrize("seed", range(10))
def test_repeated_names_are_those_met_twice_in_first_order(seed, table_size) -> None:
    from collections import Counter

    rng = random.Random(seed)
    names = [f"jw{rng.randint(0, 60)}_product" for _ in range(rng.randint(0, 120))]
    expected = [name for name, count in Counter(names).items() if count > 1]
    assert prune._repeated(names, table_size) == expected


def test_name_components_are_split_at_underscores_and_hyphens_as_the_pattern_splits():
    import re

    rng = random.Random(7)
    for _ in range(5000):
        name = "".join(rng.choice("ab_-_-.1") for _ in range(rng.randint(0, 12)))
        assert prune._components(name) == set(re.split("[_-]", name))


class _Registered(FakeAssociation):
    """A fake association made by a registry (``registry_name``), renamed ``dup…`` or not."""

    def __init__(self, registry_name: str, *args) -> None:
        super().__init__(*args)
        self.registry_name = registry_name


def _naive_discover_filter(associations: list, keep_candidates: bool, debug: bool) -> list:
    """The filter as the reference states it: each candidate association removes the
    discovered ones equal to it; then the discovered, the candidates if kept, the dups."""
    from asngen.generator.prune import same_association

    dups = [asn for asn in associations if asn.is_dup]
    valid = [asn for asn in associations if not asn.is_dup]
    candidates = [asn for asn in valid if asn.registry_name == "candidate"]
    discovered = [asn for asn in valid if asn.registry_name == "discover"]
    for candidate in candidates:
        discovered = [asn for asn in discovered if not same_association(asn, candidate)]
    return discovered + (candidates if keep_candidates else []) + (dups if debug else [])


@pytest.mark.parametrize("seed", range(40))
def test_the_discover_filter_keeps_what_the_reference_keeps(seed) -> None:
    """Only a candidate association whose id starts with the discovered ids' letter (a
    candidate registry's association with no candidate id, ``a3001``) can remove one."""
    import copy

    from asngen.generator.drivers import discover_filter

    rng = random.Random(seed)
    asns = []
    for asn in _random_associations(rng, rng.randint(0, 40)):
        made = _Registered(rng.choice(["candidate", "candidate", "discover", "other"]), "image3", "a", "p", [])
        made.data = asn.data
        if made.registry_name == "discover":
            if asns and rng.random() < 0.5:  # the twin of one made before (often a candidate's)
                made.data = copy.deepcopy(rng.choice(asns).data)
            made.data["asn_id"] = "a3001"
        if rng.random() < 0.1:
            made.name_override = "dup00001_x"
        asns.append(made)
    for keep_candidates in (False, True):
        for debug in (False, True):
            expected = _naive_discover_filter(asns, keep_candidates, debug)
            assert [id(asn) for asn in discover_filter(asns, keep_candidates, debug)] == [id(asn) for asn in expected]


def _generated_members(rng: random.Random, count: int) -> list:
    """Members as the generator makes them: names kept as suffixes to put on their rows' file
    names, or as the file name itself; some names repeat, some are made alike two ways."""
    from asngen.member import member_name, member_of

    members = []
    for _ in range(count):
        stem = f"jw{rng.randint(1, 4)}_{rng.choice(['nrca1', 'nrcb2', 'mirimage'])}"
        filename = rng.choice([f"{stem}_uncal.fits", f"{stem}_cal.fits", f"{stem}_uncal.x_uncal.fits",
                               f"{stem}\u00e9_uncal.fits", f"{stem}_uncal.", "_uncal.fits"])
        suffix = rng.choice(["cal", "calints", "rate", "x1d"])
        kept, _ = member_name(filename, suffix)
        members.append(member_of({"filename": filename}, kept, rng.choice(["science", "background"]), None))
    return members


@pytest.mark.parametrize("seed", range(20))
def test_membership_digests_meet_wherever_the_keys_are_equal(seed: int) -> None:
    """The digests made without the names are the same for equal memberships, made however
    the names are kept (a suffix, the file name, a name given), and None where the key is."""
    rng = random.Random(seed)
    associations = []
    for _ in range(60):
        members = _generated_members(rng, rng.randint(1, 4))
        asn = FakeAssociation("image3", "o001", "p", [])
        asn.data["products"][0]["members"] = members
        associations.append(asn)
        given = FakeAssociation("image3", "a3001", "p", [])  # the same names, given as text
        given.data["products"][0]["members"] = [
            {"expname": prune.expname_of(member), "exptype": prune.exptype_of(member)} for member in reversed(members)
        ]
        associations.append(given)
    keys = [prune._membership_key(asn) for asn in associations]
    digests = [prune._membership_digest(asn) for asn in associations]
    assert any(key is None for key in keys) and any(key is not None for key in keys)
    for key, digest in zip(keys, digests, strict=True):
        assert (key is None) == (digest is None)
    for left in range(len(keys)):
        for right in range(len(keys)):
            if keys[left] is not None and keys[left] == keys[right]:
                assert digests[left] == digests[right]
            elif keys[left] is not None and keys[right] is not None:
                assert digests[left] != digests[right]  # (64 bits: a collision would be news)


def test_a_name_digest_is_the_digest_of_the_name() -> None:
    from asngen.member import expname_digest, expname_of, text_digest

    for member in _generated_members(random.Random(5), 200):
        assert expname_digest(member) == text_digest(expname_of(member))
    assert expname_digest({"expname": 5, "exptype": "science"}) is None  # not text
    assert text_digest("") != text_digest("a") != text_digest("b")


def _member_associations(rng: random.Random, count: int) -> list[FakeAssociation]:
    """Associations of generated members (asngen.member.Member) over shared rows: twins made
    from the same rows in the same order (told apart without names), in another order, and
    from other rows of the same file names (both told apart by their keys)."""
    from asngen.member import member_of, renamed_file

    files = [f"jw0100{n:03d}_uncal.fits" for n in range(6)]
    rows = [{"filename": name} for name in files] + [{"filename": name} for name in files[:3]]
    asns: list[FakeAssociation] = []
    while len(asns) < count:
        picked = rng.sample(range(len(rows)), rng.randint(1, 4))
        kinds = [rng.choice(["science", "background"]) for _ in picked]
        marker = rng.choice([renamed_file("cal"), None])
        for _ in range(rng.randint(1, 3)):  # the association, and twins of it
            how = rng.random()
            order = list(zip(picked, kinds, strict=True))
            if how < 0.2:
                rng.shuffle(order)
            members = []
            for position, kind in order:
                row = rows[position]
                if how > 0.8 and position < 3:
                    row = rows[position + 6]  # another row, the same file name
                name = marker if marker is not None else row["filename"].replace("_uncal", "_cal")
                members.append(member_of(row, name, kind, None))
            asn = FakeAssociation(rng.choice(["image3", "spec3"]), rng.choice(["o001", "c1000", "a3001"]),
                                  "jw01000-o001_t001_nircam_f200w", [])
            asn.data["products"][0]["members"] = members
            asns.append(asn)
    return asns


@pytest.mark.parametrize("names_remembered", [False, True])
@pytest.mark.parametrize("collide", [False, True])
@pytest.mark.parametrize("seed", range(30))
def test_twins_of_generated_members_are_found_with_and_without_their_names(seed, collide, names_remembered,
                                                                          monkeypatch) -> None:
    """Twins matched member by member without names (same rows, same order) and by their keys
    (other order, other rows of the same names) are exactly those of the plain version."""
    monkeypatch.setattr(prune, "names_remembered", lambda: names_remembered)
    if collide:
        monkeypatch.setattr(prune, "_digest", lambda key: 0)
    rng = random.Random(seed)
    asns = _member_associations(rng, rng.randint(2, 30))
    _assert_same_as_oracle(_naive_prune_duplicate_associations, prune.prune_duplicate_associations, asns, True)


def test_same_member_needs_the_same_row_name_and_type() -> None:
    from asngen.member import member_of, renamed_file, same_member

    row, twin_row = {"filename": "jw_uncal.fits"}, {"filename": "jw_uncal.fits"}
    cal = renamed_file("cal")
    assert same_member(member_of(row, cal, "science", None), member_of(row, cal, "science", None))
    assert not same_member(member_of(row, cal, "science", None), member_of(twin_row, cal, "science", None))
    assert not same_member(member_of(row, cal, "science", None), member_of(row, renamed_file("i2d"), "science", None))
    assert not same_member(member_of(row, cal, "science", None), member_of(row, cal, "background", None))
    assert not same_member({"expname": "a", "exptype": "science"}, {"expname": "a", "exptype": "science"})
    plain = "jw_" + "cal.fits"  # (another string object than the one below)
    assert same_member(member_of(row, plain, "science", None), member_of(twin_row, "jw_cal.fits", "science", None))
    assert not same_member(member_of(row, "jw_cal.fits", "science", None), member_of(row, cal, "science", None))
