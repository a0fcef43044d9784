"""Rows screened by the candidate constraint, in a pass over the whole pool.

In such a pass (``--per-pool-algorithm``) every rule carries the candidate
constraint without a pattern (or with the requested ids as alternatives),
and each association pins the candidate of its first row: a configuration
seen in many observations has one association per candidate, all under the
same index keys.  Every row of it met every one of them and was refused at
the last child of the check.  The index cannot key on that constraint (it
evaluates the cell, and a row that lists several candidates joins an
association that pinned any one of them), but the associations it finds can
be screened by comparing keys: the row's candidates against the pinned one.

That is exact when a refusal there leaves nothing behind, which
:func:`screenable_tree` decides for a rule's tree and :func:`screens` for a
registry's candidate constraint; :func:`alternative_keys` are a row's keys,
compared as the check compares plain values; :func:`screened` keeps the
associations that may take the row.
"""

from __future__ import annotations

from .check import _lowered, _text
from .patterns import EMPTY_SET, evaluate_literal, is_listlike

_UNSET = object()


def screenable_tree(tree) -> bool:
    """Whether a candidate constraint appended to ``tree`` (as a registry binds a rule) can
    screen rows before they are checked.

    The appended constraint is the last child of the top ``all``.  When it
    refuses a row, the ``all`` refuses with no request whatever its earlier
    children said (a refusal without requests ends it), and a check that
    refuses is rolled back; only a child that changes the association on its
    way (``side_effects``) would leave a trace.  So if the top is a plain
    ``all`` and nothing in the tree has side effects, or only ones it names
    and no test of the tree reads (a Level 2 rule classifies the row as it
    checks it, and only the imprint rules read the class a refused row left
    behind), an association whose candidate constraint is sure to refuse the
    row need not be offered it.
    """
    if tree.kind != "group" or tree.reduce != "all" or getattr(tree, "reprocess_on_fail", False):
        return False
    changed: set = set()
    read: set = set()
    for leaf in tree.leaves():
        effects = getattr(leaf, "side_effects", False)
        if effects:
            if type(effects) is not str:  # (True: what it changes is not said)
                return False
            changed.add(effects)
        read.update(getattr(leaf, "reads_effects", ()))
    return not changed & read


def screens(leaf) -> bool:
    """Whether ``leaf``, a registry's candidate constraint (None: it has none), screens rows
    (see :func:`screened`): an evaluated column test that pins the value it first meets and
    refuses any other outright.  Only worth asking where a pass's associations pin different
    candidates: a pass over the whole pool (no pattern) or over several requested ids (a
    pattern of alternatives); in a candidate's own pass they all pin the same one."""
    if leaf is None or leaf.kind != "attr":
        return False
    value = leaf.value
    return (
        (value is None or (type(value) is str and "|" in value))
        and leaf.evaluate and leaf.force_unique and not leaf.force_undefined and leaf.onlyif is None
        and leaf.force_reprocess is None and leaf.invalid is EMPTY_SET and len(leaf.sources) == 1
    )


def screened(item, slot: int, offered: dict, found: dict, memo: dict) -> None:
    """Add to ``found`` the associations of ``offered`` whose candidate constraint (state
    ``slot``) may take ``item``.

    A pinned candidate constraint takes a row only if one of the row's
    candidates (the cell evaluated: each element of a list, else the value)
    is its pinned value, compared as the check compares plain values:
    lower-cased, when both are ASCII without a line break at the end.
    Anything that cannot be told by comparing keys (a state not pinned yet,
    a value not plain ASCII, a row without the value) is offered as before.
    """
    column = None
    keys = _UNSET
    for serial, asn in offered.items():
        st = asn.states[slot]
        if st is None or st[2] or st[5] is None or len(st[1]) != 1:
            found[serial] = asn
            continue
        if keys is _UNSET:
            column = st[1][0]
            keys = memo.get((_CANDIDATE_KEYS, column), _UNSET)
            if keys is _UNSET:
                keys = memo[(_CANDIDATE_KEYS, column)] = alternative_keys(item, column)
        elif st[1][0] != column:
            found[serial] = asn
            continue
        if keys is None or st[5] in keys:
            found[serial] = asn


_CANDIDATE_KEYS = object()  # a row's memo key (with the column): its alternative_keys


def alternative_keys(item, column: str) -> set | None:
    """The keys by which the row's ``column`` can meet a pinned value of an evaluated column
    test: the lower-cased text of each alternative the cell holds (every element of a list,
    else the value itself), as :meth:`~asngen.engine.check.Check._attr` compares them with the pinned value.  An
    empty set: none can.  None: keys cannot tell (no value, or a text that is not plain
    ASCII, which only the pattern decides)."""
    value = item.get(column)
    if value is None:
        return None
    evaled = evaluate_literal(value)
    keys = set()
    if is_listlike(evaled):
        for alternative in evaled:
            lowered = _lowered(alternative if type(alternative) is str else _text(alternative))
            if lowered is None:
                return None
            keys.add(lowered)
        return keys
    lowered = _lowered(evaled if type(evaled) is str else _text(evaled))
    if lowered is None:
        return None
    keys.add(lowered)
    return keys
