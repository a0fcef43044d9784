"""Checking a row against an association: the evaluation of a constraint tree.

An association holds one state per leaf of its rule's tree (what the leaf
has pinned, the values it has found, whether it matched last time).  A
:class:`Check` walks the tree for one row and updates those states as a
transaction: when the row is refused, every state it touched is rolled
back, so a rejected row leaves no trace.  Evaluation order, short-circuiting
and the propagation of reprocess requests follow the reference generator
exactly, because the associations produced depend on them.

The walk reads no node attributes: each leaf has its prepared tuple and
each group its *plan* (see :func:`plan_of`).  This module also describes
the states (:func:`describe`: the informational ``constraints`` text of
every association written).
"""

from __future__ import annotations

import sys

from .._collection_types import Sequence
from .constraints import NO_VALUES, ONE_SOURCE, REDUCERS, AttrSpec, Category, Reprocess
from .patterns import ESCAPES, escape, evaluate_literal, is_listlike, meets

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from typing import Any

    from .constraints import Group, Node


class Check:
    """One transactional check of an item against an association's states.

    ``asn`` provides ``states`` (list indexed by slot, ``None`` = pristine)
    and is passed to the callables of the rule.  When ``journal`` is a dict,
    the original state of every slot touched is saved there for rollback.
    """

    __slots__ = ("asn", "states", "journal", "trace")

    def __init__(self, asn, journal: dict | None, trace: list | None = None):
        self.asn = asn
        self.states = asn.states
        self.journal = journal
        self.trace = trace

    def state(self, slot: int, initial: tuple) -> list:
        """The state in ``slot`` (made from ``initial`` if pristine), journalled."""
        current = self.states[slot]
        if current is None:
            st = list(initial)
            self.states[slot] = st
            journal = self.journal
            if journal is not None:
                journal.setdefault(slot, None)
            return st
        if type(current) is tuple:
            current = self.states[slot] = thawed(current)
        st = current
        self._keep(slot, st)
        return st

    def rollback(self) -> None:
        states = self.states
        for slot, saved in self.journal.items():
            if saved is None:
                states[slot] = None
            else:
                st = states[slot]
                st[0], st[1], st[2], count, st[4], st[5] = saved
                if count:
                    del st[3][count:]
                else:
                    st[3] = NO_VALUES
        self.journal.clear()

    # -- evaluation -------------------------------------------------------
    def run(self, node, item) -> tuple[bool, list]:
        """Check ``item`` at ``node``: (accepted, reprocess requests as a new list)."""
        return self.run_step(_step(node), item)

    def run_step(self, step: tuple, item) -> tuple[bool, list]:
        """:meth:`run`, given the node's step (:func:`step_of`: an association's rule keeps
        its tree's, which does not change once the tree has been checked)."""
        matched, reprocess = self._child(step[0], step[1], item)
        return matched, list(reprocess)

    def _keep(self, slot: int, st: list) -> None:
        """Journal the state ``st`` of ``slot`` before this check first changes it (a column
        test journals only a change: a test that refused last time and refuses again, one
        check in seven, leaves nothing to undo)."""
        journal = self.journal
        if journal is not None and slot not in journal:
            # found values are only ever appended: their count is enough to undo
            journal[slot] = (st[0], st[1], st[2], len(st[3]), st[4], st[5])

    def _refuse(self, leaf, item, st, why: str, got: Any = None) -> tuple[bool, Sequence]:
        """A leaf said no.  With tracing on, remember (leaf, why, value seen, value required)."""
        if st[4]:
            self._keep(leaf.slot, st)
        st[4] = False
        if self.trace is not None:
            self.trace.append((leaf, why, got, st[0]))
        return _REFUSED

    def _attr(self, spec: AttrSpec, item) -> tuple[bool, Sequence]:
        """Check a column test, given as the :class:`~asngen.engine.constraints.AttrSpec`
        :meth:`Attr.prepare` made (compiled, each field is read where it is needed, in C)."""
        slot = spec.slot
        current = self.states[slot]
        if current is not None:
            if spec.plain and _accepts_again(current, item):
                return _ACCEPTED
            if type(current) is tuple:  # a state a new association took as a known check left it
                current = self.states[slot] = thawed(current)
        st = current
        if st is None:
            st = self.states[slot] = list(spec.initial)
            journal = self.journal
            if journal is not None:
                journal.setdefault(slot, None)
        # (a state that was there is journalled where it is first changed: _keep)
        onlyif = spec.onlyif
        if onlyif is not None and not onlyif(item, self.asn):
            if not st[4]:
                self._keep(slot, st)
            st[4] = True
            if spec.force_reprocess is not None:
                return True, [_forced_request(spec, item)]
            return _ACCEPTED
        invalid = spec.invalid
        source = None
        value = None
        for column in st[1]:
            candidate = item.get(column, _MISSING)
            if candidate is _MISSING:
                continue
            if candidate is None or candidate in invalid:
                continue
            source, value = column, candidate
            break
        if source is None:
            if spec.required and not spec.force_undefined:
                return self._refuse(spec.leaf, item, st, "missing")
            if not st[4]:
                self._keep(slot, st)
            st[4] = True
            return _ACCEPTED
        if spec.force_undefined:
            return self._refuse(spec.leaf, item, st, "present", value)
        evaled = evaluate_literal(value) if spec.evaluate else value
        expected = st[0]
        reprocess: Sequence = _NO_REQUESTS
        if expected is None:
            if is_listlike(evaled):
                if st[4]:
                    self._keep(slot, st)
                st[4] = False
                return False, [_split_values(item, source, evaled, spec.leaf)]
            value = str(evaled)
        else:
            if callable(expected):
                expected = expected(self.asn)
            literal = st[5]
            lowered = None
            if literal is not None and type(evaled) is str:
                lowered = _compared(evaled)
            if lowered is not None:
                # a pinned value: case-insensitive equality is what the escaped regex tests
                if lowered != literal:
                    return self._refuse(spec.leaf, item, st, "mismatch", evaled)
                value = evaled
            else:
                alternatives = evaled if is_listlike(evaled) else [evaled]
                chosen = _NOTHING
                for alternative in alternatives:
                    value = alternative if type(alternative) is str else _text(alternative)
                    if meets(value, expected):
                        chosen = alternative
                        break
                if chosen is _NOTHING:
                    return self._refuse(spec.leaf, item, st, "mismatch", value if not is_listlike(evaled) else evaled)
                if len(alternatives) > 1:
                    rest = [other for other in alternatives if other != chosen]
                    if rest:
                        reprocess = [_split_values(item, source, rest, spec.leaf)]
        escaped = escape(value)
        found = st[3]
        new_value = escaped not in found
        if new_value or st[2] or not st[4]:
            self._keep(slot, st)
        if new_value:
            if found is NO_VALUES:
                st[3] = [escaped]
            else:
                found.append(escaped)
        if st[2]:
            st[0] = escaped
            st[1] = _one_source(source)
            st[2] = False
            st[5] = _literal(value)
        if spec.force_reprocess is not None:
            reprocess = [*reprocess, _forced_request(spec, item)]
        st[4] = True
        return True, reprocess

    def _test(self, spec: tuple, item) -> tuple[bool, Sequence]:
        """Check a computed condition, given as the tuple :meth:`Test.prepare` made."""
        sources, test, on_match, on_fail, initial, slot, leaf = spec
        st = self.state(slot, initial)
        got = sources(item, self.asn)
        expected = st[0]
        if expected is None:
            satisfied = True
        elif test is None:
            satisfied = expected == got
        else:
            satisfied = test(expected, got)
        st[4] = bool(satisfied)
        if satisfied:
            if st[2]:
                st[0] = got
            if st[0] not in st[3]:
                if st[3] is NO_VALUES:
                    st[3] = [st[0]]
                else:
                    st[3].append(st[0])
        elif self.trace is not None:
            self.trace.append((leaf, "test", got, expected))
        if (satisfied and on_match) or (not satisfied and on_fail):
            return satisfied, [Reprocess([item], leaf.reprocess_rules, leaf.work_over, False, leaf.name or "")]
        return _ACCEPTED if satisfied else _REFUSED

    def _child(self, code: int, node, item) -> tuple[bool, Sequence]:
        """Check ``item`` at ``node``, whose kind has the code ``code`` (see :data:`_KIND_CODES`;
        a node is given as its step: see :func:`_step`)."""
        if code == 0:  # tested in the order of their frequency
            return self._attr(node, item)
        if code == 2:
            return self._group(node, item)
        if code == 1:
            return self._test(node, item)
        raise KeyError(node.kind)

    def _group(self, plan: tuple, item) -> tuple[bool, Sequence]:
        _, steps, reduce, on_match, on_fail, group = plan
        if reduce == 0:  # all
            result = self._all(steps, item)
        elif reduce == 1:  # any
            result = self._any(steps, item)
        elif reduce == 2:  # notany
            result = self._any(steps, item)
            result = (not result[0], result[1])
        else:  # notall
            result = self._all(steps, item)
            result = (not result[0], result[1])
        matched = result[0]
        if (matched and on_match) or (not matched and on_fail):
            return matched, [
                *result[1], Reprocess([item], group.reprocess_rules, group.work_over, False, group.name or "")
            ]
        return result

    def _all(self, steps, item) -> tuple[bool, Sequence]:
        """All children: the first refusal without requests ends it with none."""
        if not steps:
            return _REFUSED
        all_match = True
        negative = None
        collected: Sequence = _NO_REQUESTS
        for code, child in steps:
            matched, reprocess = self._child(code, child, item)
            if matched:
                if all_match and reprocess:
                    if collected is _NO_REQUESTS:
                        collected = list(reprocess)
                    else:
                        collected.extend(reprocess)
            else:
                all_match = False
                if not reprocess:
                    negative = None
                    break
                if negative is None:
                    negative = reprocess
        if not all_match:
            return (False, list(negative)) if negative is not None else _REFUSED
        return (True, collected) if collected else _ACCEPTED

    def _any(self, steps, item) -> tuple[bool, Sequence]:
        """First matching child wins with its requests; if none, every child's requests."""
        if not steps:
            return _REFUSED
        collected: Sequence = _NO_REQUESTS
        for code, child in steps:
            matched, reprocess = self._child(code, child, item)
            if matched:
                return (True, list(reprocess)) if reprocess else _ACCEPTED
            if reprocess:
                if collected is _NO_REQUESTS:
                    collected = list(reprocess)
                else:
                    collected.extend(reprocess)
        return (False, collected) if collected else _REFUSED


_KIND_CODES = {"attr": 0, "test": 1, "group": 2}  # how Check._child tells the kinds apart (-1: unknown)


def _step(node) -> tuple:
    """``(code of the node's kind, what a check of it reads)``: a leaf's prepared tuple, a
    group's plan, or the node itself if of an unknown kind (the check then refuses it)."""
    code = _KIND_CODES.get(node.kind, -1)
    if code == 2:
        return code, plan_of(node)
    return code, node.spec if code >= 0 else node


def _forced_request(spec: AttrSpec, item) -> Reprocess:
    """The request a column test with ``force_reprocess`` makes for ``item`` when it passes
    (matched, or skipped by its ``onlyif``)."""
    leaf = spec.leaf
    return Reprocess([item], None, spec.force_reprocess, leaf.only_on_match, leaf.name or "")


def step_of(node) -> tuple:
    """:func:`_step` for other modules: what a check of ``node`` reads first."""
    return _step(node)


def plan_of(group: Group) -> tuple:
    """What a check of ``group`` reads: its children as steps (their kinds' codes, looked up
    once instead of per check, with what checking each reads: a leaf's prepared tuple, a
    child group's own plan, so the check of a tree reads no node's attributes), its
    reduction as a number, its reprocess flags, and the group itself (for the requests it
    makes).

    The plan is kept with the list of children it was made from: a group given new children
    (a rule bound to a candidate gets a copy of its top group with one more child) is
    planned anew when it is checked as a whole.  A tree's groups are planned on its first
    check; rules do not change their groups' children after that.
    """
    plan = group.plan
    children = group.children
    if plan is None or plan[0] is not children:
        steps = [_step(child) for child in children]
        plan = group.plan = (  # the reduction as its place in REDUCERS: 0 all, 1 any, 2 notany, 3 notall
            children, tuple(steps), REDUCERS.index(group.reduce), group.reprocess_on_match,
            group.reprocess_on_fail, group,
        )
    return plan


def plan_with(group: Group, base: Group, extra: Node) -> None:
    """Plan ``group``, a copy of ``base`` whose children are ``base``'s and then ``extra`` (a
    rule bound to a candidate: its top group with the candidate's test added), from
    ``base``'s plan.  A per-candidate run binds each rule once per candidate: planned child
    by child, the copy cost a bound rule's first check about 18,000 instructions."""
    base_plan = plan_of(base)
    group.plan = (group.children, (*base_plan[1], _step(extra)), base_plan[2], base_plan[3], base_plan[4], group)


class _Missing:
    __slots__ = ()


_MISSING = _Missing()
_NOTHING = _Missing()
_NO_REQUESTS: tuple = ()  # what a check without reprocess requests returns (shared, never changed)
# the two results without requests, made once: a check returns one of them for most nodes
_ACCEPTED: tuple = (True, _NO_REQUESTS)
_REFUSED: tuple = (False, _NO_REQUESTS)


def _accepts_again(state, item: dict) -> bool:
    """Whether a plain column test in ``state`` (live or settled) accepts ``item`` again without
    a change: the value it already accepted (it is among those found, and it matched last
    time), so nothing is journalled."""
    if not state[4] or len(state[1]) != 1:
        return False
    value = item.get(state[1][0])
    if type(value) is not str:
        return False
    escapes = ESCAPES  # a local: compiled, its type is known (check.pxd)
    escaped = escapes.get(value)
    return escaped is not None and escaped in state[3]


def settled(live: list) -> tuple:
    """The settled form of a live state (``Association.settle``): a tuple, its found values a
    tuple; :func:`thawed` is the way back."""
    return (live[0], live[1], live[2], tuple(live[3]), live[4], live[5])


def thawed(settled: tuple) -> list:
    """A live copy of a settled state (a tuple, its found values a tuple: ``Association.settle``),
    for a check to change: an association may start from the states a check of an equal row
    left (``Association.add``), and keeps them as they are until a check changes them."""
    found = settled[3]
    return [settled[0], settled[1], settled[2], list(found) if found else NO_VALUES, settled[4], settled[5]]


def states_before(states: list, journal: dict) -> list:
    """Copies of the states as they were before the check that kept ``journal``."""
    before = list(states)
    for slot, saved in journal.items():
        if saved is None:
            before[slot] = None
        else:
            value, sources, unique, count, matched, literal = saved
            before[slot] = [value, sources, unique, states[slot][3][:count], matched, literal]
    return before


def changed_nothing(states: list, journal: dict) -> bool:
    """Whether the check that kept ``journal`` left every state it touched as it found it
    (the same objects, as many found values; a pristine state it made counts as a change)."""
    for slot, saved in journal.items():
        st = states[slot]
        if (saved is None or saved[0] is not st[0] or saved[1] is not st[1] or saved[2] is not st[2]
                or saved[3] != len(st[3]) or saved[4] is not st[4] or saved[5] is not st[5]):
            return False
    return True


_LITERALS_LOWER: dict[str, str | None] = {}


def _one_source(column: str) -> tuple:
    """The one-column source list of a pinned test, shared by every state pinned to it and
    by the test's pristine state (see ``constraints.one_source``)."""
    cache = ONE_SOURCE  # a local: compiled, its type is known (check.pxd)
    found = cache.get(column)
    if found is None:
        found = cache[column] = (column,)
    return found


def _literal(value: str) -> str | None:
    """A pinned value lower-cased for comparison (None if not plain ASCII), shared, cached."""
    cache = _LITERALS_LOWER  # a local: compiled, its type is known (check.pxd)
    found = cache.get(value, _MISSING)
    if found is _MISSING:
        found = _lowered(value)
        if found is not None:
            found = sys.intern(found)
        if len(cache) < 200_000:
            cache[value] = found
    return found


def _compared(value: str) -> str | None:
    """A row's value lower-cased for comparison with a pinned one (None if not plain ASCII):
    :func:`_literal`'s copy when it has one (a value some association pinned, the usual
    case), else made, and not remembered (a row's own values may be a million)."""
    cache = _LITERALS_LOWER  # a local: compiled, its type is known (check.pxd)
    found = cache.get(value, _MISSING)
    return _lowered(value) if found is _MISSING else found


def _lowered(value: str) -> str | None:
    """``value`` lower-cased, when that is how the escaped pattern compares it: plain ASCII,
    not ending in a line break (None otherwise)."""
    return value.lower() if value.isascii() and value[-1:] != "\n" else None


_TEXTS: dict = {}  # a candidate pair -> its text


def _text(value) -> str:
    """``str(value)``, remembered for the values candidate cells hold (``('o001',
    'observation')`` pairs, tested against the candidate pattern in every check).  Only
    tuples of text are remembered: ``(1, 'a')`` and ``(1.0, 'a')`` are one key but two texts."""
    texts = _TEXTS  # a local: compiled, its type is known (check.pxd): C look-ups
    try:
        text = texts.get(value)
    except TypeError:  # unhashable
        return str(value)
    if text is None:
        text = str(value)
        if type(value) is tuple and len(texts) < 100_000 and _all_text(value):
            texts[value] = text
    return text


def _all_text(parts: tuple) -> bool:
    """Whether every part is text (a loop: compiled, ``all()`` over a generator is a closure)."""
    for part in parts:
        if type(part) is not str:
            return False
    return True


def _split_values(item, source: str, values, leaf) -> Reprocess:
    """One copy of ``item`` per alternative value, to be tried again."""
    copies = []
    for value in values:
        copy = item.copy()
        copy[source] = str(value)
        copies.append(copy)
    return Reprocess(copies, None, Category.BOTH, False, leaf.name or "", source)



_NAMED_LEAVES: dict = {}  # id(tree) -> (tree, its named leaves with their slots): every kept association is described


def _named_leaves(node: Node) -> tuple:
    """(slot, leaf, its lines by settled state) of each named leaf below ``node``."""
    found = _NAMED_LEAVES.get(id(node))
    if found is None or found[0] is not node:
        if len(_NAMED_LEAVES) >= 10_000:  # it holds the trees: a long-lived process binds many
            _NAMED_LEAVES.clear()
        named = []
        for leaf in node.leaves():  # (a loop: compiled, a cpdef function holds no generator)
            if leaf.name is not None:
                named.append((leaf.slot, leaf, {}))
        found = _NAMED_LEAVES[id(node)] = (node, tuple(named))
    return found[1]


def describe(node: Node, states: list) -> list[str]:
    """Readable lines: every named leaf with what it requires now.

    Settled states are tuples shared by the associations that end alike
    (Association.settle), and most lines repeat: each leaf remembers its
    line per state, by the state's value.  Only states whose requirement is
    text, None or computed are remembered so: for those, equal states make
    the same line (``True`` and ``1`` are equal, and print differently).
    """
    lines = []
    for slot, leaf, known in _named_leaves(node):
        st = states[slot]
        if st is None:  # (never reached: the leaf's initial requirement)
            line = known.get(None)
            if line is None:
                line = known[None] = _line(leaf, leaf.initial_state())
        elif type(st) is not tuple:  # not settled: it may still change
            line = _line(leaf, st)
        else:
            value = st[0]
            remembered = value is None or type(value) is str or callable(value)
            line = None
            if remembered:
                try:
                    line = known.get(st)
                except TypeError:  # a state holding an unhashable value
                    remembered = False
            if line is None:
                line = _line(leaf, st)
                if remembered:
                    if len(known) >= 10_000:
                        known.clear()
                    known[st] = line
        lines.append(line)
    return lines


def _line(leaf: Node, st) -> str:
    """One leaf's line of :func:`describe`."""
    value = st[0]
    if callable(value):
        value = "<computed>"
    if leaf.kind == "attr":
        return f"{leaf.name}: {', '.join(st[1])} = {value!r}"
    return f"{leaf.name} = {value!r}"
