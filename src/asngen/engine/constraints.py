"""Constraint trees: the vocabulary every rule is written in.

A rule is a tree of three kinds of nodes:

* :class:`Attr` tests one pool column (or the first valid of several) against
  an anchored, case-insensitive regular expression, or just for presence.  By
  default the first value it accepts is *pinned*: every later row must carry
  the same value.  This is how "all exposures of one filter" is expressed.
* :class:`Test` runs a small function on the row (and, when declared, on the
  association being built), for conditions that are not a column pattern.
* :class:`Group` combines children with ``all``, ``any``, ``notany`` or
  ``notall``.

Nodes are immutable and shared by every association built from a rule.  What
an association has learnt (pinned values, values seen, last result) lives in
a per-association list of leaf states indexed by ``Leaf.slot``, and every
check runs as a transaction: if the row is refused, the states it touched are
rolled back, so a rejected row leaves no trace (:mod:`asngen.engine.check`
evaluates the trees; :mod:`asngen.engine.patterns` matches cells against
patterns).

Rule files import the vocabulary from here: the node kinds and the
combinators, :class:`Category` for reprocess requests, and :func:`meets`
and :data:`EMPTY` for their own tests.
"""

from __future__ import annotations

from .._collection_types import Callable, Sequence
from .patterns import EMPTY, EMPTY_SET, meets

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "EMPTY", "EMPTY_SET", "MAX_DEPTH", "NO_VALUES", "REDUCERS", "All", "Any_", "Attr", "Category",
    "EXPOSURE_TYPE", "Group", "Node", "NotAll", "NotAny", "Reprocess", "Test", "first_named", "give_slot",
    "first_row_reads", "meets", "number_leaves", "reads_of", "reads_row", "row_reads", "too_deep",
]

#: the values a state has found before it finds any (shared; replaced by a list on the first)
NO_VALUES: tuple = ()


class Category:
    """Work categories of a reprocess request, in priority order."""

    RULES = 0  # only try to start new associations
    BOTH = 1  # existing associations, then new ones
    EXISTING = 2  # only existing associations
    NONSCIENCE = 3  # only existing associations, after everything else

    names = ("RULES", "BOTH", "EXISTING", "NONSCIENCE")


_REPROCESS_FIELDS = ("items", "rules", "work_over", "only_on_match", "trigger", "split")


class Reprocess:
    """A request to run rows through the generator again."""

    __slots__ = _REPROCESS_FIELDS  # (compiled, the class keeps none: see constraints.pxd)

    def __init__(
        self, items: list, rules: list | None = None, work_over: int = Category.BOTH,
        only_on_match: bool = False, trigger: str = "", split: str | None = None,
    ) -> None:
        self.items = items
        self.rules = rules  # None: the rule that asked; []: every rule
        self.work_over = work_over
        self.only_on_match = only_on_match
        self.trigger = trigger
        # the column of the row asking whose values were split, one copy of the row per value
        # (the copies differ from it in that column alone); None: the rows are as they were
        self.split = split

    def key(self) -> tuple:
        return (tuple(self.rules or ()), self.work_over, self.only_on_match)

    def __repr__(self) -> str:
        return _fields_repr(self, _REPROCESS_FIELDS)


_ATTR_SPEC_FIELDS = (
    "plain", "onlyif", "invalid", "required", "force_undefined", "evaluate", "force_reprocess", "initial",
    "slot", "leaf",
)


class AttrSpec:
    """What a check of a column test reads (:meth:`Attr.prepare`), the leaf itself last.

    An object rather than a tuple: compiled (constraints.pxd), its fields are
    C values and references read where a check needs them, instead of a
    tuple of ten unpacked for every column test of every row.
    """

    __slots__ = _ATTR_SPEC_FIELDS  # (compiled, the class keeps none: see constraints.pxd)

    def __init__(
        self, plain: bool, onlyif, invalid, required: bool, force_undefined: bool, evaluate: bool,
        force_reprocess, initial: tuple, slot: int, leaf,
    ) -> None:
        self.plain = plain
        self.onlyif = onlyif
        self.invalid = invalid
        self.required = required
        self.force_undefined = force_undefined
        self.evaluate = evaluate
        self.force_reprocess = force_reprocess
        self.initial = initial
        self.slot = slot
        self.leaf = leaf

    def __repr__(self) -> str:
        return _fields_repr(self, _ATTR_SPEC_FIELDS)


def _fields_repr(obj, names) -> str:
    """``Class(name=value, ...)`` for the fields ``names`` of ``obj``."""
    fields = ", ".join(f"{name}={getattr(obj, name)!r}" for name in names)
    return f"{type(obj).__name__}({fields})"


class Node:
    """Common base of the three node kinds.

    Nodes are plain classes with explicit constructors (not dataclasses: importing
    ``dataclasses`` and building their methods cost ``asngen generate`` about 10 ms at
    start).  ``_fields`` names what the constructor takes, in order, for ``repr``.
    """

    name: str | None = None
    _fields: tuple = ()

    def leaves(self):  # depth-first
        raise NotImplementedError

    def __repr__(self) -> str:
        return _fields_repr(self, self._fields)


#: column -> the one tuple naming it as a column test's sources
ONE_SOURCE: dict[str, tuple] = {}


def one_source(sources: Sequence[str]) -> tuple:
    """``sources`` as a tuple; the one tuple of :data:`ONE_SOURCE` for a single column.

    A state pinned to a column holds that same tuple (``check._one_source``),
    so a pinned state and a pristine one of a one-column test hold the very
    same object, and settling can tell equal states apart by identity.
    """
    sources = tuple(sources)
    if len(sources) != 1 or type(sources[0]) is not str:
        return sources
    return ONE_SOURCE.setdefault(sources[0], sources)


class Attr(Node):
    """Test a pool column; see the module docstring.

    ``value`` is None (any valid value), a regex, a list of regexes, or a
    function ``f(asn) -> regex`` computed from the association's state.
    ``onlyif(item, asn)`` skips the test (counting it as passed) when false.
    ``fresh_value``: for a computed ``value``, what it is on a pristine
    association, and ``reads``: the names of the constraints whose state it
    is computed from (lets a row be refused before any association exists).
    """

    _fields = (
        "sources", "value", "name", "required", "force_unique", "force_undefined", "evaluate", "onlyif",
        "force_reprocess", "only_on_match", "is_acid", "invalid", "fresh_value", "reads", "slot",
    )
    kind = "attr"

    def __init__(
        self, sources: Sequence[str], value: Any = None, name: str | None = None, required: bool = True,
        force_unique: bool = True, force_undefined: bool = False, evaluate: bool = False,
        onlyif: Callable | None = None, force_reprocess: int | None = None, only_on_match: bool = False,
        is_acid: bool = False, invalid: frozenset = EMPTY_SET, fresh_value: Any = None, reads: tuple = (),
        slot: int = -1,
    ) -> None:
        # a tuple, not the list a rule file may give: a settled state holding it can then be
        # hashed, and so shared between the associations that never pinned this leaf
        self.sources = one_source(sources)
        self.value = value
        self.name = name
        self.required = required
        self.force_unique = force_unique
        self.force_undefined = force_undefined
        self.evaluate = evaluate
        self.onlyif = onlyif
        self.force_reprocess = force_reprocess
        self.only_on_match = only_on_match
        self.is_acid = is_acid
        self.invalid = invalid
        self.fresh_value = fresh_value
        self.reads = reads
        self.slot = slot
        self.prepare()

    def prepare(self) -> None:
        """Gather what :meth:`~asngen.engine.check.Check._attr` reads into one
        :class:`AttrSpec`, the leaf itself last: a check runs for every row offered to every
        association, and a group's plan hands its checks this object, so checking a leaf
        reads no attribute of the leaf.  (Nodes do not change once their rule is built;
        whatever gives a leaf its slot, as numbering the leaves does, prepares it again before
        the tree is checked: the slot is in the object too.)
        """
        # "plain": a pattern test that a value it has already accepted leaves unchanged
        plain = (
            self.onlyif is None and not self.evaluate and self.force_reprocess is None
            and not self.force_undefined and not callable(self.value)
        )
        # the state of a pristine association: [value, sources, force_unique, found values
        # (insertion ordered), matched, pinned literal lower-cased (for a fast ASCII comparison)
        # or None]; the sources and the empty found values are shared: states only replace them
        initial = (self.value, self.sources, self.force_unique, NO_VALUES, False, None)
        self.spec = AttrSpec(
            plain, self.onlyif, self.invalid, bool(self.required), bool(self.force_undefined),
            bool(self.evaluate), self.force_reprocess, initial, self.slot, self,
        )

    def leaves(self):
        yield self

    def initial_state(self) -> list:
        return list(self.spec.initial)


class Test(Node):
    """A condition computed by a function rather than read from one column.

    ``sources(item, asn)`` gives the value to test; ``test(expected, got)``
    compares (equality by default).  ``value=None`` always passes.  With
    ``force_unique`` the first value seen becomes the expected value.
    ``side_effects``: it calls something that changes the association (the
    Level 2 classifiers), even when the row is refused after all; True, or
    the name of what it changes, e.g. ``"classification"``, when the tests
    that read that change say so with ``reads_effects``.  A named change
    no test of the tree reads leaves no trace a later check could see.
    ``columns``: the row columns ``sources`` reads, when it reads nothing
    else (no association state): such a test can be decided from the row
    alone before any association exists.
    """

    _fields = (
        "sources", "value", "name", "test", "force_unique", "reprocess_on_match", "reprocess_on_fail",
        "work_over", "reprocess_rules", "side_effects", "columns", "slot", "reads_effects",
    )
    kind = "test"

    def __init__(
        self, sources: Callable, value: Any = None, name: str | None = None, test: Callable | None = None,
        force_unique: bool = True, reprocess_on_match: bool = False, reprocess_on_fail: bool = False,
        work_over: int = Category.BOTH, reprocess_rules: list | None = None, side_effects: bool | str = False,
        columns: tuple | None = None, slot: int = -1, reads_effects: tuple = (),
    ) -> None:
        self.sources = sources
        self.value = value
        self.name = name
        self.test = test
        self.force_unique = force_unique
        self.reprocess_on_match = reprocess_on_match
        self.reprocess_on_fail = reprocess_on_fail
        self.work_over = work_over
        self.reprocess_rules = reprocess_rules
        self.side_effects = side_effects
        self.columns = columns
        self.slot = slot
        self.reads_effects = tuple(reads_effects)
        self.prepare()

    def prepare(self) -> None:
        """Gather what :meth:`~asngen.engine.check.Check._test` reads into one tuple, the leaf itself last (see
        :meth:`Attr.prepare`)."""
        initial = (self.value, None, self.force_unique, NO_VALUES, False, None)
        self.spec = (
            self.sources, self.test, self.reprocess_on_match, self.reprocess_on_fail, initial, self.slot, self,
        )

    def leaves(self):
        yield self

    def initial_state(self) -> list:
        return list(self.spec[4])


REDUCERS = ("all", "any", "notany", "notall")


class Group(Node):
    """Children combined by ``reduce``: all, any, notany or notall.

    ``gate(item)``, optional: when it returns False, only child ``gate_child``
    can match (and, with ``gate_implies_onlyif``, every ``onlyif`` in that
    child holds).  It lets the index use that child's pinned values; it must
    return True when unsure.  ``gate_lookup``, optional ``(column, constraint
    name)``: a row for which ``gate`` is True can match a child other than
    ``gate_child`` only if its ``column`` value is among the values that
    constraint has found so far (lets the index find those associations by
    value).
    """

    _fields = (
        "children", "reduce", "name", "reprocess_on_match", "reprocess_on_fail", "work_over",
        "reprocess_rules", "gate", "gate_child", "gate_implies_onlyif", "gate_lookup",
    )
    kind = "group"

    def __init__(
        self, children: list | None = None, reduce: str = "all", name: str | None = None,
        reprocess_on_match: bool = False, reprocess_on_fail: bool = False, work_over: int = Category.BOTH,
        reprocess_rules: list | None = None, gate: Callable | None = None, gate_child: int = 0,
        gate_implies_onlyif: bool = False, gate_lookup: tuple | None = None,
    ) -> None:
        if reduce not in REDUCERS:
            raise ValueError(f"unknown reduction {reduce!r}")
        self.children = [] if children is None else children
        self.reduce = reduce
        self.name = name
        self.reprocess_on_match = reprocess_on_match
        self.reprocess_on_fail = reprocess_on_fail
        self.work_over = work_over
        self.reprocess_rules = reprocess_rules
        self.gate = gate
        self.gate_child = gate_child
        self.gate_implies_onlyif = gate_implies_onlyif
        self.gate_lookup = gate_lookup
        self.plan = None  # what a check reads, made on the first check (see :func:`plan_of`)

    def leaves(self):
        for child in self.children:
            yield from child.leaves()


def All(*children, **kwargs) -> Group:  # noqa: N802 - reads like a keyword in rule files
    return Group(list(children), "all", **kwargs)


def Any_(*children, **kwargs) -> Group:  # noqa: N802
    return Group(list(children), "any", **kwargs)


def NotAny(*children, **kwargs) -> Group:  # noqa: N802
    return Group(list(children), "notany", **kwargs)


def NotAll(*children, **kwargs) -> Group:  # noqa: N802
    return Group(list(children), "notall", **kwargs)



#: how deeply nodes may nest in a rule's tree.  The built-in rules nest 9 deep; the limit keeps
#: the recursive walks (evaluation, numbering, descriptions) far from the interpreter's recursion
#: limit, and from the C stack when the module is compiled (which has no such limit)
MAX_DEPTH = 100


def too_deep(root: Node) -> bool:
    """Whether the tree nests more than :data:`MAX_DEPTH` nodes deep (or holds itself).

    Measured without recursion, and given up as soon as the limit is passed,
    so neither a pathological nor a cyclic tree can exhaust the stack here.
    """
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if node.kind == "group":
            stack.extend((child, depth + 1) for child in node.children)
    return False


def number_leaves(root: Node) -> int:
    """Give every leaf its state slot; returns the number of slots."""
    count = 0
    for leaf in root.leaves():
        give_slot(leaf, count)
        count += 1
    return count


def give_slot(leaf: Node, slot: int) -> None:
    """Give ``leaf`` its state slot, and prepare it again: its prepared tuple holds the slot."""
    leaf.slot = slot
    if leaf.kind == "attr":
        Attr.prepare(leaf)
    elif leaf.kind == "test":
        Test.prepare(leaf)


def first_named(root: Node, name: str):
    """The first node called ``name`` below ``root``, in depth-first order (root excluded)."""
    if root.kind != "group":
        return None
    for child in root.children:
        if child.name is not None and child.name == name:
            return child
        found = first_named(child, name)
        if found is not None:
            return found
    return None


#: in :func:`reads_row`: whatever the rule's own ``exposure_type`` reads
EXPOSURE_TYPE = "<the rule's exposure_type>"


#: what a Level 2 classifier changes on the association it classifies a row for, refused or
#: not: its ``original_exposure_type`` (a Test's ``side_effects``; the tests that read it say
#: so with ``reads_effects``)
CLASSIFICATION = "classification"


def reads_row(*columns: str, beyond_states: bool = False) -> Callable[[Callable], Callable]:
    """Declare that a callback reads only these row columns, and of its association only the
    constraint states (an ``onlyif``; a Test's ``sources``; a rule's ``exposure_type``).
    :data:`EXPOSURE_TYPE` among them stands for what the rule's ``exposure_type`` is
    declared to read.  ``beyond_states``: it reads more of its association (whether it has
    a science member, what its classifier noted), but nothing that differs between two
    associations of the rule that no row has joined yet.

    A rule whose callbacks all say what they read lets an association skip a check whose
    outcome it already knows (see :func:`row_reads` and :func:`first_row_reads`); an
    undeclared callback only costs that.
    """

    def mark(callback: Callable) -> Callable:
        callback.row_reads = tuple(columns)
        callback.beyond_states = beyond_states
        return callback

    return mark


def row_reads(root: Node, exposure_type: Callable | None = None) -> tuple | None:
    """Every row column a check of ``root`` may read, in order of first appearance, or None
    when some leaf may read more than its columns (a callback that does not declare its
    reads, a test with side effects, a node of an unknown kind).

    What this promises: two rows equal in these columns get the same outcome from a check
    of the same association states (every other input of a check is a state), and if the
    first left the states as they were, so does the second.
    """
    return reads_of(list(root.leaves()), exposure_type, first_row=False)


def first_row_reads(root: Node, exposure_type: Callable | None = None) -> tuple | None:
    """Every row column a check of ``root`` on an association no row has joined yet may read,
    or None when some leaf may read more (as :func:`row_reads`, but a callback may read what
    every such association holds alike, and a test may note the row's classification).

    What this promises: two rows equal in these columns get the same outcome, the same
    states and the same classification from a check of a new association of the rule.
    """
    return reads_of(list(root.leaves()), exposure_type, first_row=True)


def reads_of(leaves: list, exposure_type: Callable | None, first_row: bool) -> tuple | None:
    """:func:`first_row_reads` (``first_row``) or :func:`row_reads` of a tree's leaves."""
    found: dict = {}
    for leaf in leaves:
        if leaf.kind == "attr":
            columns = leaf.sources
            if leaf.onlyif is not None:
                extra = _declared(leaf.onlyif, exposure_type, beyond_states=first_row)
                if extra is None:
                    return None
                columns = (*columns, *extra)
            if callable(leaf.value) and not leaf.reads:  # (declared reads: states only)
                return None
        elif leaf.kind == "test":
            if first_row:
                if leaf.side_effects and leaf.side_effects != CLASSIFICATION:
                    return None
                columns = leaf.columns
                if columns is None:
                    columns = _declared(leaf.sources, exposure_type, beyond_states=True)
                    if columns is None:
                        return None
            else:
                if leaf.columns is None or leaf.side_effects:
                    return None
                columns = leaf.columns
        else:
            return None
        for column in columns:
            if type(column) is not str:
                return None
            found[column] = None
    return tuple(found)


def _declared(callback: Callable, exposure_type: Callable | None, beyond_states: bool = False) -> tuple | None:
    """The columns ``callback`` declares it reads (:func:`reads_row`), the rule's
    ``exposure_type``'s in place of :data:`EXPOSURE_TYPE`; None if undeclared, or if either
    reads beyond the constraint states and ``beyond_states`` is false."""
    declared = getattr(callback, "row_reads", None)
    if declared is None or (getattr(callback, "beyond_states", False) and not beyond_states):
        return None
    columns = []
    for column in declared:
        if column == EXPOSURE_TYPE:
            own = getattr(exposure_type, "row_reads", None) if exposure_type is not None else None
            if own is None or EXPOSURE_TYPE in own:
                return None
            if getattr(exposure_type, "beyond_states", False) and not beyond_states:
                return None
            columns.extend(own)
        else:
            columns.append(column)
    return tuple(columns)
