"""Removing duplicate associations after finalization.

Two passes, as in the reference.  First, associations whose first product
has exactly the same members are reduced to one, preferring observation
candidates over other candidates over discovered ones (by ``asn_id``), and
among equals the one created last.  Second, associations that share a
product name are compared: an identical one or one whose members are a
subset (by count) of the other's is dropped.  The order of the surviving
associations follows from these passes and decides the file sequence
numbers, so it is reproduced too.

In debug mode a dropped association is kept, renamed ``dupNNNNN_<name>``.
"""

from __future__ import annotations

from .._collection_types import int64s
from ..member import expname_digest, expname_of, exptype_of, names_remembered, same_member
from ..rules.suffixes import exposure_root


class PruneState:
    def __init__(self, debug: bool = False) -> None:
        self.debug = debug
        self.dup_count = 0


def membership_report(left: dict, right: dict, strict: bool = True) -> set[str]:
    """The kinds of difference between two products (empty set: same members)."""
    munge = (lambda name: name) if strict else exposure_root
    kinds: set[str] = set()
    left_members, right_members = left["members"], right["members"]
    # each name read once: a member makes its name on reading (asngen.member.RenamedFile)
    left_names = [expname_of(member) for member in left_members]
    right_names = [expname_of(member) for member in right_members]
    for names in (left_names, right_names):
        if len(set(names)) != len(names):
            kinds.add("duplicate")
    if len(left_members) != len(right_members):
        kinds.add("length")
    pairs = zip(right_names, right_members, strict=True)
    remaining = [(munge(name), exptype_of(member)) for name, member in pairs] if left_members else right_names
    unaccounted_left = 0
    for name, member in zip(left_names, left_members, strict=True):
        name = munge(name)
        for position, (other_name, other_type) in enumerate(remaining):
            if other_name != name:
                continue
            if exptype_of(member) != other_type:
                kinds.add("mismatch")
            del remaining[position]
            break
        else:
            unaccounted_left += 1
    if unaccounted_left or remaining:
        kinds.add("unaccounted")
    if kinds == {"length", "unaccounted"}:
        kinds.add("subset")
    return kinds


def _components(name: str) -> set[str]:
    """The parts of ``name`` between underscores and hyphens (``re.split("[_-]", name)``)."""
    return set(name.replace("-", "_").split("_"))


def same_association(left, right) -> bool:
    """The reference's association equality: type, id class and (suffix-insensitive) membership."""
    if left.data["asn_type"] != right.data["asn_type"]:
        return False
    if left.data["asn_id"][:1] != right.data["asn_id"][:1]:  # (an empty id: no crash)
        return False
    products_left = left.data["products"]
    products_right = list(right.data["products"])
    if len(products_left) != len(products_right):
        return False
    for product in products_left:
        name = _components(product["name"])
        for position, other in enumerate(products_right):
            if _components(other["name"]) != name:
                continue
            if membership_report(product, other, strict=False):
                return False
            del products_right[position]
            break
        else:
            return False
    return not products_right


def _equality_class(asn) -> tuple:
    """What :func:`same_association` needs equal before it looks at members: associations
    of different classes are never the same, so only one class need be searched."""
    names = sorted(tuple(sorted(_components(product["name"]))) for product in asn.data["products"])
    return asn.data["asn_type"], asn.data["asn_id"][:1], tuple(names)


def _split_dups(asns, state: PruneState):
    """(the renamed ``dup…`` associations, the others); only debug mode renames (so only it
    walks the list: a walk over a million associations is a few tenths of a second)."""
    if not state.debug:
        return [], asns
    dups, valid = [], []
    for asn in asns:
        (dups if asn.is_dup else valid).append(asn)
    return dups, valid


def _remove(remove_from: list, to_remove: list, dups: list, state: PruneState) -> None:
    """Delete each of ``to_remove`` (by identity) from ``remove_from``, order kept.

    One filtering pass instead of a search per removal: on a large pool
    thousands of duplicates leave a list of hundreds of thousands.
    """
    wanted = _tally(map(id, to_remove))
    # how often each one to remove is there (a count of everything would be a large pool's peak)
    remaining = _tally(key for key in map(id, remove_from) if key in wanted)
    removals: dict = {}
    for asn in to_remove:
        key = id(asn)
        done = removals.get(key, 0)
        if remaining.get(key, 0) <= done:
            raise IndexError("Expected duplicate association not found in list")
        removals[key] = done + 1
        if state.debug:
            state.dup_count += 1
            asn.name_override = f"dup{state.dup_count:05d}_{asn.asn_name()}"
            dups.append(asn)
    if not removals:
        return
    kept = []
    for asn in remove_from:  # a removal takes the first occurrence, as list deletion does
        key = id(asn)
        if removals.get(key, 0):
            removals[key] -= 1
        else:
            kept.append(asn)
    remove_from[:] = kept


def _first_product_name(asn) -> str:
    return asn.data["products"][0]["name"]


def _asn_id(asn) -> str:
    return asn.data["asn_id"]


def _by_asn_id(asns: list) -> list:
    return sorted(asns, key=_asn_id)


def prune(asns: list, state: PruneState) -> list:
    return prune_duplicate_products(prune_duplicate_associations(asns, state), state)


def _membership_key(asn):
    """Equal keys <=> identical first-product membership (None: never identical to anything).

    With no repeated exposure name on either side, the reference's member-by-
    member comparison succeeds exactly when the (expname, exptype) sets agree.
    """
    members = asn.data["products"][0]["members"]
    pairs = [(expname_of(member), exptype_of(member)) for member in members]  # (names are made on reading)
    if len({name for name, _ in pairs}) != len(pairs):
        return None
    return frozenset(pairs)


def _same_members_in_order(left, right) -> bool:
    """True when the first products of two associations hold, position by position,
    members :func:`~asngen.member.same_member` tells equal: their keys are then equal
    without a name being made.  False says nothing."""
    members = left.data["products"][0]["members"]
    others = right.data["products"][0]["members"]
    if len(members) != len(others):
        return False
    for position in range(len(members)):
        if not same_member(members[position], others[position]):
            return False
    return True


def _twin_classes(ordered: list, group: list, twin_class: list) -> None:
    """Give the positions of ``group`` (equal digests) the same small number exactly when
    their :func:`_membership_key` keys are equal.  Most groups are an association a
    candidate pass built and the same one the discover pass built, from the same rows in
    the same order: those are matched without their keys (:func:`_same_members_in_order`);
    a key is made only for a position no earlier class's first matched that way."""
    firsts: list = []  # the first position of each class, in class order
    keys: dict = {}  # key -> class, for the firsts whose keys were needed
    keyed: set = set()  # (those firsts)
    for position in group:
        asn = ordered[position]
        found = -1
        for number in range(len(firsts)):
            if _same_members_in_order(ordered[firsts[number]], asn):
                found = number
                break
        if found < 0:
            for number in range(len(firsts)):
                if number not in keyed:
                    keys[_membership_key(ordered[firsts[number]])] = number
                    keyed.add(number)
            key = _membership_key(asn)
            found = keys.get(key, -1)
            if found < 0:
                found = len(firsts)
                firsts.append(position)
                keys[key] = found
                keyed.add(found)
        twin_class[position] = found


_digest = hash  # (a test makes every key collide)


def _membership_hash(asn):
    """A hash that equal :func:`_membership_key` keys share (None: the key is None), made
    without the key for a product of one member (most Level 2 associations: a million at a
    million rows): the hash of its one (name, type) pair, which only keys of one pair can
    have in common (a pair with a key of more is a collision, told apart by the keys)."""
    members = asn.data["products"][0]["members"]
    if len(members) == 1:
        member = members[0]
        return _digest((expname_of(member), exptype_of(member)))
    key = _membership_key(asn)
    return None if key is None else _digest(key)


def _membership_digest(asn):
    """As :func:`_membership_hash`, made without the names: the sum of a digest of each
    (name, type) pair, each name's digest made without the name
    (:func:`~asngen.member.expname_digest`).  Once the table of names is let go (a large
    run), making every member's name was most of pruning: only the associations whose
    digests meet have their keys made.  Two members whose names' digests meet may have
    the same name (the key is then None): the key is made to tell.  A name that is not
    text: :func:`_membership_hash` (keys with such a name are never equal to keys without)."""
    members = asn.data["products"][0]["members"]
    total = 0
    if len(members) == 1:
        member = members[0]
        name = expname_digest(member)
        if name is None:
            return _membership_hash(asn)
        total = _pair_digest(name, exptype_of(member))
    else:
        names = set()
        checked = False
        for member in members:
            name = expname_digest(member)
            if name is None:
                return _membership_hash(asn)
            if not checked and name in names:
                if _membership_key(asn) is None:  # (the same name twice)
                    return None
                checked = True
            names.add(name)
            total = (total + _pair_digest(name, exptype_of(member))) & _MASK64
    return total - _TWO_TO_64 if total >= _TWO_TO_63 else total


_MASK64 = 0xFFFFFFFFFFFFFFFF
_TWO_TO_63 = 1 << 63
_TWO_TO_64 = 1 << 64
_GOLDEN = 0x9E3779B97F4A7C15  # (splitmix64's constants)
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB


def _pair_digest(name: int, exptype) -> int:
    """A member's part of :func:`_membership_digest`: its name's digest and its type's hash,
    mixed (splitmix64's finisher) so that sums of them seldom meet by chance."""
    kind = hash(exptype) & _MASK64
    mixed = (name ^ ((kind * _GOLDEN) & _MASK64)) & _MASK64
    mixed ^= mixed >> 30
    mixed = (mixed * _MIX1) & _MASK64
    mixed ^= mixed >> 27
    mixed = (mixed * _MIX2) & _MASK64
    return mixed ^ (mixed >> 31)


def _crowding(digests, count: int, table_size: int | None = None) -> tuple[bytearray, int]:
    """A byte table that tells, for the slot ``digest & mask`` of each of ``count`` digests,
    whether none (0), one (1) or several (2) of them fell there; and the mask.

    A dict or Counter of every digest (or name) of a level holds about 100
    bytes each, and at a million associations that was the peak of a whole
    run, although nearly all of them are unique.  With about eight slots per
    digest, only the repeated ones and about one in nine of the rest fall in
    a crowded slot, and only those need a dict.
    """
    if table_size is None:
        table_size = 1 << (8 * count).bit_length()
    mask = table_size - 1
    crowd = bytearray(table_size)
    for digest in digests:
        slot = digest & mask
        if crowd[slot] < 2:
            crowd[slot] += 1
    return crowd, mask


def _shared_hash_groups(positions: memoryview, digests: memoryview, table_size: int | None = None) -> list[list[int]]:
    """The positions whose digests are shared by two or more, one ascending list per digest
    (``positions[i]`` has ``digests[i]``)."""
    crowd, mask = _crowding(digests, len(digests), table_size)
    first: dict = {}
    shared: dict = {}
    for position, digest in zip(positions, digests, strict=True):
        if crowd[digest & mask] < 2:
            continue
        earlier = first.setdefault(digest, position)
        if earlier != position:
            shared.setdefault(digest, [earlier]).append(position)
    return list(shared.values())


def _repeated(names: list[str], table_size: int | None = None) -> list[str]:
    """The names that occur more than once, in the order they first occur."""
    crowd, mask = _crowding(map(hash, names), len(names), table_size)
    crowded = (name for name in names if crowd[hash(name) & mask] > 1)
    return [name for name, count in _tally(crowded).items() if count > 1]


def _tally(keys) -> dict:
    """How often each key occurs, in the order keys first occur (``collections.Counter``
    without importing the ``collections`` package at every start: see ``_collection_types``)."""
    counts: dict = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return counts


def prune_duplicate_associations(asns: list, state: PruneState) -> list:
    dups, valid = _split_dups(asns, state)
    ordered = _by_asn_id(valid)
    # Group by the key's hash, and make the keys themselves only where hashes meet: a key
    # per association (a frozenset of tuples) would hold ~400 bytes each at the peak of a run.
    positions = int64s(len(ordered))
    digests = int64s(len(ordered))
    keyed = 0
    # (names read from the table cost less than their digests: made anew, more)
    digest_of = _membership_hash if names_remembered() else _membership_digest
    for position, asn in enumerate(ordered):
        digest = digest_of(asn)
        if digest is not None:
            positions[keyed] = position
            digests[keyed] = digest
            keyed += 1
    shared = _shared_hash_groups(positions[:keyed], digests[:keyed])
    del positions, digests
    # Within a group, the positions whose keys are equal get the same small number; the keys
    # (the few made: see _twin_classes) go group by group (held all at once, they would be
    # the peak of a large run).
    group_of: list = [None] * len(ordered)
    twin_class: list = [None] * len(ordered)
    for group in shared:
        for position in group:
            group_of[position] = group
        _twin_classes(ordered, group, twin_class)
    del shared
    removed = [False] * len(ordered)
    pruned = []
    for position in range(len(ordered) - 1, -1, -1):
        if removed[position]:
            continue
        pruned.append(ordered[position])
        group = group_of[position]
        if group is None:
            continue
        key = twin_class[position]
        twins = [p for p in group if p < position and not removed[p] and twin_class[p] == key]
        for twin in twins:
            removed[twin] = True
            if state.debug:
                state.dup_count += 1
                asn = ordered[twin]
                asn.name_override = f"dup{state.dup_count:05d}_{asn.asn_name()}"
                dups.append(asn)
    return pruned + dups


def prune_duplicate_products(asns: list, state: PruneState) -> list:
    dups, valid = _split_dups(asns, state)
    names = [_first_product_name(asn) for asn in valid]  # (read once: each a cache miss or two)
    duplicated = _repeated(names)
    if not duplicated:
        return asns
    ordered = _by_asn_id(valid)
    # only the shared names get a group: a list for each of a million names would be the
    # largest thing a run holds at its peak.  A group sorted by asn_id (stable) is in the
    # order ``ordered`` gives its associations.
    by_product: dict[str, list] = {name: [] for name in duplicated}
    for position in range(len(valid)):
        group = by_product.get(names[position])
        if group is not None:
            group.append(valid[position])
    del names
    for group in by_product.values():
        group.sort(key=_asn_id)
    full_prune: list = []
    pruned_by_class: dict = {}  # equality class -> the pruned associations in it
    for product_name in duplicated:
        group = by_product[product_name]
        to_keep = list(group)
        for asn in group:
            if any(same_association(asn, pruned) for pruned in pruned_by_class.get(_equality_class(asn), ())):
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
                pruned_by_class.setdefault(_equality_class(pruned), []).append(pruned)
            for pruned in to_prune:
                for position, candidate in enumerate(to_keep):
                    if same_association(candidate, pruned):
                        del to_keep[position]
                        break
                else:
                    raise ValueError("list.remove(x): x not in list")
    _remove(ordered, full_prune, dups, state)
    return ordered + dups


def resequence(asns: list) -> None:
    counters: dict = {}
    for asn in asns:
        data = asn.data  # (read once: at a million associations each read is a cache miss)
        key = (data["asn_id"], data["asn_type"])
        value = counters.get(key, 0) + 1
        counters[key] = value
        asn.sequence = value


def finalize_level(associations: list, level: int, state: PruneState) -> list:
    """Finalize, prune and renumber the associations of one level; the others go first, untouched."""
    others, own = [], []
    for asn in associations:
        if asn.level == level:
            result = asn.rule.finalize(asn)
            if result is not None:
                own.extend(result)
        else:
            others.append(asn)
    own = prune(own, state)
    resequence(own)
    return others + own
