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
rolled back, so a rejected row leaves no trace.

Evaluation order, short-circuiting and the propagation of *reprocess
requests* (rows to be tried again in another pass) follow the reference
generator exactly, because the set of associations produced depends on them.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from typing import Any

# Values that mean "this column has no value" for every DMS attribute test.
EMPTY: tuple = (
    None, "", "NULL", "Null", "null", "--", "N", "n", "F", "f",
    "FALSE", "false", "False", "N/A", "n/a",
)
EMPTY_SET = frozenset(v for v in EMPTY if v is not None)
#: the values a state has found before it finds any (shared; replaced by a list on the first)
_NO_VALUES: tuple = ()


class Category:
    """Work categories of a reprocess request, in priority order."""

    RULES = 0  # only try to start new associations
    BOTH = 1  # existing associations, then new ones
    EXISTING = 2  # only existing associations
    NONSCIENCE = 3  # only existing associations, after everything else

    names = ("RULES", "BOTH", "EXISTING", "NONSCIENCE")


class Reprocess:
    """A request to run rows through the generator again."""

    __slots__ = ("items", "rules", "work_over", "only_on_match", "trigger")

    def __init__(
        self, items: list, rules: list | None = None, work_over: int = Category.BOTH,
        only_on_match: bool = False, trigger: str = "",
    ) -> None:
        self.items = items
        self.rules = rules  # None: the rule that asked; []: every rule
        self.work_over = work_over
        self.only_on_match = only_on_match
        self.trigger = trigger

    def key(self) -> tuple:
        return (tuple(self.rules or ()), self.work_over, self.only_on_match)

    def __repr__(self) -> str:
        return _fields_repr(self, self.__slots__)


def _fields_repr(obj, names) -> str:
    """``Class(name=value, ...)`` for the fields ``names`` of ``obj``."""
    fields = ", ".join(f"{name}={getattr(obj, name)!r}" for name in names)
    return f"{type(obj).__name__}({fields})"


def is_listlike(obj: Any) -> bool:
    """True for values that stand for several alternatives (lists, sets), not str or tuple."""
    return not isinstance(obj, (str, tuple)) and hasattr(obj, "__iter__")


_LITERALS: dict[str, Any] = {}
_ESCAPES: dict[str, str] = {}


def evaluate_literal(value: Any) -> Any:
    """A cell such as ``[('o001', 'observation')]`` as Python data; other text unchanged.

    Results are cached (pools repeat the same few candidate lists); callers
    must not modify what they get.
    """
    if not isinstance(value, str):
        return value
    cached = _LITERALS.get(value, _LITERALS)
    if cached is not _LITERALS:
        return cached
    try:
        result = _evaluated(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        result = value
    if len(_LITERALS) < 100_000:
        _LITERALS[value] = result
    return result


# A pool's candidate cells, and the pinned values made from them: [('o001', 'observation'), ...]
# and ('o001', 'observation'), ASCII quoted text without backslashes, line breaks or NULs.
# (Other text goes to literal_eval: excluding surrogates in the pattern instead made compiling
# these two patterns 1.5 ms of every run's start.)
_QUOTED_PAIR = r"\('([^'\\\r\n\x00]*)', '([^'\\\r\n\x00]*)'\)"
_PAIR_TEXT = re.compile(_QUOTED_PAIR)
_PAIRS_TEXT = re.compile(r"\[(?:" + _QUOTED_PAIR + r"(?:, " + _QUOTED_PAIR + r")*)?\]")
_NAMED_CONSTANTS = {"True": True, "False": False, "None": None}
_DECIMAL = re.compile(r"[1-9][0-9]*|0")  # an int literal as Python writes it (not "007", "1_0", " 1")


def _evaluated(text: str) -> Any:
    """``ast.literal_eval(text)``, reading candidate lists and pairs directly.

    They are most of what is evaluated, and ``literal_eval`` compiles its
    text: reading them with a pattern gives the same data (lists of tuples of
    the quoted texts) at a fraction of the cost, and a run that meets nothing
    else (but plain decimal numbers and bare words) never imports ``ast``.
    """
    if text.isascii():
        if _PAIRS_TEXT.fullmatch(text) is not None:
            return _PAIR_TEXT.findall(text)
        pair = _PAIR_TEXT.fullmatch(text)
        if pair is not None:
            return pair.groups()
    if _DECIMAL.fullmatch(text) is not None:  # numbers in other columns (mega_pool: 33 of them)
        return int(text)
    if not text:
        return text
    if text.isidentifier():  # a bare word is a name, not a literal: kept as text (keywords too)
        return _NAMED_CONSTANTS.get(text, text)
    from ast import literal_eval

    return literal_eval(text)


def escape(value: str) -> str:
    """``re.escape``, cached."""
    cache = _ESCAPES  # a local: compiled, its type is known (constraints.pxd), so no method look-ups
    escaped = cache.get(value)
    if escaped is None:
        escaped = re.escape(value)
        if len(cache) < 200_000:
            cache[value] = escaped
    return escaped


_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


_UNESCAPES: dict[str, str] = {}


def unescape(text: str) -> str:
    """The value a pinned (escaped) pattern stands for: undoes :func:`escape`, cached."""
    plain = _UNESCAPES.get(text)
    if plain is None:
        plain = _ESCAPED.sub(r"\1", text) if "\\" in text else text
        if len(_UNESCAPES) < 200_000:
            _UNESCAPES[text] = plain
    return plain


_PATTERNS: dict[str, re.Pattern] = {}
_CONTAINS = re.compile(r"\.\+\(([A-Za-z0-9_]+)\)\.\+")
_WORDS = r"[A-Za-z0-9_-]+(?:\|[A-Za-z0-9_-]+)*"
_ALTERNATION = re.compile(_WORDS)
_GROUPED = re.compile(r"\((" + _WORDS + r")\)")


class _PlainText:
    """A pattern with a shortcut for plain text: ASCII without line breaks.

    Subclasses answer plain text in ``plain_match`` (case-insensitively, as
    the regex would); any other text goes to the regex, compiled on first use.
    """

    __slots__ = ("text", "_regex")

    def __init__(self, text: str) -> None:
        self.text = text
        self._regex = None

    def plain_match(self, lowered: str) -> bool:
        raise NotImplementedError

    def match(self, value: str):
        if value.isascii() and "\n" not in value:
            return True if self.plain_match(value.lower()) else None
        if self._regex is None:
            self._regex = re.compile("^" + self.text + "$", re.IGNORECASE)
        return self._regex.match(value)


class _Contains(_PlainText):
    """``.+(word).+`` (the candidate constraint) matched without compiling a regex per candidate:
    for plain text, the word occurs with at least one character on each side."""

    __slots__ = ("word",)

    def __init__(self, text: str, word: str) -> None:
        super().__init__(text)
        self.word = word.lower()

    def plain_match(self, lowered: str) -> bool:
        return lowered.find(self.word, 1, len(lowered) - 1) >= 0


class _Literal(_PlainText):
    """A pattern that stands for one exact value (a pinned value is escaped into one): for
    plain text, equality of the lower-cased strings.  Pools pin many distinct values
    (candidate ids among them): this spares a compiled regex for each."""

    __slots__ = ("lowered",)

    def __init__(self, text: str, value: str) -> None:
        super().__init__(text)
        self.lowered = value.lower()

    def plain_match(self, lowered: str) -> bool:
        return lowered == self.lowered


class _Alternatives(_PlainText):
    """Plain words as alternatives, ``a|b|c`` or ``(a|b|c)``: the rules' patterns for exposure
    types, filters and patterns numbers.  Compiling each as a regex cost a run 15 ms (the
    regex parser is Python), more than matching them all.

    The anchors bind as they do in the regex the reference builds: ``^(a|b|c)$`` is one of
    the words, but in ``^a|b|c$`` only the first alternative has the ``^`` and only the last
    the ``$``, and matching starts at the beginning: the value starts with ``a`` or ``b``,
    or is ``c``.
    """

    __slots__ = ("prefixes", "whole")

    def __init__(self, text: str, words: str, grouped: bool) -> None:
        super().__init__(text)
        lowered = words.lower().split("|")
        self.whole = frozenset(lowered if grouped else lowered[-1:])
        self.prefixes = () if grouped else tuple(lowered[:-1])

    def plain_match(self, lowered: str) -> bool:
        return lowered in self.whole or lowered.startswith(self.prefixes)


def _pattern(text: str) -> re.Pattern:
    compiled = _PATTERNS.get(text)
    if compiled is None:
        contains = _CONTAINS.fullmatch(text)
        grouped = _GROUPED.fullmatch(text)
        if contains is not None:
            compiled = _Contains(text, contains.group(1))
        elif text.isascii() and escape(unescape(text)) == text:
            compiled = _Literal(text, unescape(text))
        elif grouped is not None:
            compiled = _Alternatives(text, grouped.group(1), True)
        elif _ALTERNATION.fullmatch(text) is not None:
            compiled = _Alternatives(text, text, False)
        else:
            compiled = re.compile("^" + text + "$", re.IGNORECASE)
        _PATTERNS[text] = compiled
    return compiled


_MET: dict = {}  # pattern text -> {value: verdict of that single pattern}
_MET_LIMIT = 200_000  # verdicts remembered in all the tables together (a batch process runs many pools)
# how many the tables hold: counted in a list (assigning a module global would make compiled
# code look every global of this module up again, which cost 0.7% of a run)
_MET_SIZE = [0]


def meets(value: str, conditions: Any) -> bool:
    """Whether ``value`` fully matches one of the regular expressions ``conditions``.

    A single pattern's verdict is remembered per value: a pool repeats a few
    values (exposure types, filters, detectors) in every row, and the rules
    test them against the same few patterns, for every association a row
    is offered to.
    """
    if isinstance(conditions, str):
        return _meets_one(value, conditions)
    if not is_listlike(conditions):
        conditions = [conditions]
    for condition in conditions:
        if _meets_one(value, condition):
            return True
    return False


def _meets_one(value: str, condition: str) -> bool:
    # one table per pattern: two look-ups by the same string objects are cheaper than one by a
    # (pattern, value) key made, hashed and compared item by item for every test
    tables = _MET  # a local: compiled, its type is known (constraints.pxd)
    cache = tables.get(condition)
    if cache is None:
        cache = tables[condition] = {}
    verdict = cache.get(value)
    if verdict is None:
        verdict = _pattern(condition).match(value) is not None
        size = _MET_SIZE
        size[0] += 1
        if size[0] > _MET_LIMIT:  # (a pattern tested on a column unique to each row)
            tables.clear()
            size[0] = 1
            cache = tables[condition] = {}
        cache[value] = verdict
    return verdict


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
        self.sources = tuple(sources)
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
        """Gather what :meth:`Check._attr` reads into one tuple, the leaf itself last: a check
        runs for every row offered to every association, and a group's plan hands its checks
        this tuple, so checking a leaf reads no attribute.  (Nodes do not change once their
        rule is built; whatever gives a leaf its slot, as numbering the leaves does, prepares
        it again before the tree is checked: the slot is in the tuple too.)
        """
        # "plain": a pattern test that a value it has already accepted leaves unchanged
        plain = (
            self.onlyif is None and not self.evaluate and self.force_reprocess is None
            and not self.force_undefined and not callable(self.value)
        )
        # the state of a pristine association: [value, sources, force_unique, found values
        # (insertion ordered), matched, pinned literal lower-cased (for a fast ASCII comparison)
        # or None]; the sources and the empty found values are shared: states only replace them
        initial = (self.value, self.sources, self.force_unique, _NO_VALUES, False, None)
        self.spec = (
            plain, self.onlyif, self.invalid, self.required, self.force_undefined, self.evaluate,
            self.force_reprocess, initial, self.slot, self,
        )

    def leaves(self):
        yield self

    def initial_state(self) -> list:
        return list(self.spec[7])


class Test(Node):
    """A condition computed by a function rather than read from one column.

    ``sources(item, asn)`` gives the value to test; ``test(expected, got)``
    compares (equality by default).  ``value=None`` always passes.  With
    ``force_unique`` the first value seen becomes the expected value.
    ``side_effects``: it calls something that changes the association (the
    Level 2 classifiers).  ``columns``: the row columns ``sources`` reads,
    when it reads nothing else (no association state): such a test can be
    decided from the row alone before any association exists.
    """

    _fields = (
        "sources", "value", "name", "test", "force_unique", "reprocess_on_match", "reprocess_on_fail",
        "work_over", "reprocess_rules", "side_effects", "columns", "slot",
    )
    kind = "test"

    def __init__(
        self, sources: Callable, value: Any = None, name: str | None = None, test: Callable | None = None,
        force_unique: bool = True, reprocess_on_match: bool = False, reprocess_on_fail: bool = False,
        work_over: int = Category.BOTH, reprocess_rules: list | None = None, side_effects: bool = False,
        columns: tuple | None = None, slot: int = -1,
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
        self.prepare()

    def prepare(self) -> None:
        """Gather what :meth:`Check._test` reads into one tuple, the leaf itself last (see
        :meth:`Attr.prepare`)."""
        initial = (self.value, None, self.force_unique, _NO_VALUES, False, None)
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
        st = self.states[slot]
        journal = self.journal
        if st is None:
            st = list(initial)
            self.states[slot] = st
            if journal is not None:
                journal.setdefault(slot, None)
        elif journal is not None and slot not in journal:
            # found values are only ever appended: their count is enough to undo
            journal[slot] = (st[0], st[1], st[2], len(st[3]), st[4], st[5])
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
                    st[3] = _NO_VALUES
        self.journal.clear()

    # -- evaluation -------------------------------------------------------
    def run(self, node, item) -> tuple[bool, list]:
        """Check ``item`` at ``node``: (accepted, reprocess requests as a new list)."""
        code, step = _step(node)
        matched, reprocess = self._child(code, step, item)
        return matched, list(reprocess)

    def _refuse(self, leaf, item, st, why: str, got: Any = None) -> tuple[bool, Sequence]:
        """A leaf said no.  With tracing on, remember (leaf, why, value seen, value required)."""
        st[4] = False
        if self.trace is not None:
            self.trace.append((leaf, why, got, st[0]))
        return _REFUSED

    def _attr(self, spec: tuple, item) -> tuple[bool, Sequence]:
        """Check a column test, given as the tuple :meth:`Attr.prepare` made."""
        plain, onlyif, invalid, required, force_undefined, evaluate, force_reprocess, initial, slot, leaf = spec
        st = self.states[slot]
        if plain and st is not None and st[4] and len(st[1]) == 1:
            # the value this test already accepted (it is among those found, and it matched
            # last time): accepting it again changes no state, so nothing is journalled
            value = item.get(st[1][0])
            if type(value) is str:
                escapes = _ESCAPES  # a local: compiled, its type is known (constraints.pxd)
                escaped = escapes.get(value)
                if escaped is not None and escaped in st[3]:
                    return _ACCEPTED
        journal = self.journal  # the state, journalled (Check.state, inlined: the innermost loop)
        if st is None:
            st = self.states[slot] = list(initial)
            if journal is not None:
                journal.setdefault(slot, None)
        elif journal is not None and slot not in journal:
            journal[slot] = (st[0], st[1], st[2], len(st[3]), st[4], st[5])
        if onlyif is not None and not onlyif(item, self.asn):
            st[4] = True
            if force_reprocess is not None:
                return True, [Reprocess([item], None, force_reprocess, leaf.only_on_match, leaf.name or "")]
            return _ACCEPTED
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
            if required and not force_undefined:
                return self._refuse(leaf, item, st, "missing")
            st[4] = True
            return _ACCEPTED
        if force_undefined:
            return self._refuse(leaf, item, st, "present", value)
        evaled = evaluate_literal(value) if evaluate else value
        expected = st[0]
        reprocess: Sequence = _NO_REQUESTS
        if expected is None:
            if is_listlike(evaled):
                st[4] = False
                return False, [_split_values(item, source, evaled, leaf)]
            value = str(evaled)
        else:
            if callable(expected):
                expected = expected(self.asn)
            literal = st[5]
            if literal is not None and type(evaled) is str and evaled.isascii() and evaled[-1:] != "\n":
                # a pinned value: case-insensitive equality is what the escaped regex tests
                if evaled.lower() != literal:
                    return self._refuse(leaf, item, st, "mismatch", evaled)
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
                    return self._refuse(leaf, item, st, "mismatch", value if not is_listlike(evaled) else evaled)
                if len(alternatives) > 1:
                    rest = [other for other in alternatives if other != chosen]
                    if rest:
                        reprocess = [_split_values(item, source, rest, leaf)]
        escaped = escape(value)
        found = st[3]
        if escaped not in found:
            if found is _NO_VALUES:
                st[3] = [escaped]
            else:
                found.append(escaped)
        if st[2]:
            st[0] = escaped
            st[1] = _one_source(source)
            st[2] = False
            st[5] = _literal(value)
        if force_reprocess is not None:
            reprocess = [*reprocess, Reprocess([item], None, force_reprocess, leaf.only_on_match, leaf.name or "")]
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
                if st[3] is _NO_VALUES:
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


class _Missing:
    __slots__ = ()


_MISSING = _Missing()
_NOTHING = _Missing()
_NO_REQUESTS: tuple = ()  # what a check without reprocess requests returns (shared, never changed)
# the two results without requests, made once: a check returns one of them for most nodes
_ACCEPTED: tuple = (True, _NO_REQUESTS)
_REFUSED: tuple = (False, _NO_REQUESTS)


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


_SOURCES: dict[str, tuple] = {}
_LITERALS_LOWER: dict[str, str | None] = {}


def _one_source(column: str) -> tuple:
    """The one-column source list of a pinned test, shared by every state pinned to it."""
    cache = _SOURCES  # a local: compiled, its type is known (constraints.pxd)
    found = cache.get(column)
    if found is None:
        found = cache[column] = (column,)
    return found


def _literal(value: str) -> str | None:
    """A pinned value lower-cased for comparison (None if not plain ASCII), shared, cached."""
    cache = _LITERALS_LOWER  # a local: compiled, its type is known (constraints.pxd)
    found = cache.get(value, _MISSING)
    if found is _MISSING:
        found = sys.intern(value.lower()) if value.isascii() and value[-1:] != "\n" else None
        if len(cache) < 200_000:
            cache[value] = found
    return found


_TEXTS: dict = {}  # a candidate pair -> its text


def _text(value) -> str:
    """``str(value)``, remembered for the values candidate cells hold (``('o001',
    'observation')`` pairs, tested against the candidate pattern in every check).  Only
    tuples of text are remembered: ``(1, 'a')`` and ``(1.0, 'a')`` are one key but two texts."""
    try:
        text = _TEXTS.get(value)
    except TypeError:  # unhashable
        return str(value)
    if text is None:
        text = str(value)
        if type(value) is tuple and len(_TEXTS) < 100_000 and all(type(part) is str for part in value):
            _TEXTS[value] = text
    return text


def _split_values(item, source: str, values, leaf) -> Reprocess:
    """One copy of ``item`` per alternative value, to be tried again."""
    copies = []
    for value in values:
        copy = item.copy()
        copy[source] = str(value)
        copies.append(copy)
    return Reprocess(copies, None, Category.BOTH, False, leaf.name or "")


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


_NAMED_LEAVES: dict = {}  # id(tree) -> (tree, its named leaves with their slots): every kept association is described


def _named_leaves(node: Node) -> tuple:
    found = _NAMED_LEAVES.get(id(node))
    if found is None or found[0] is not node:
        if len(_NAMED_LEAVES) >= 10_000:  # it holds the trees: a long-lived process binds many
            _NAMED_LEAVES.clear()
        named = tuple((leaf.slot, leaf) for leaf in node.leaves() if leaf.name is not None)
        found = _NAMED_LEAVES[id(node)] = (node, named)
    return found[1]


#: (id(leaf), id(its settled state)) -> (leaf, state, line): settled states are tuples shared by
#: the associations that end alike (Association.settle), and most lines repeat
_LINES: dict = {}


def describe(node: Node, states: list) -> list[str]:
    """Readable lines: every named leaf with what it requires now."""
    lines = []
    cache = _LINES  # a local: compiled, its type is known (constraints.pxd)
    for slot, leaf in _named_leaves(node):
        st = states[slot]
        if st is not None and type(st) is not tuple:  # not settled: it may still change
            lines.append(_line(leaf, st))
            continue
        key = (id(leaf), id(st))
        found = cache.get(key)
        if found is None or found[0] is not leaf or found[1] is not st:
            if len(cache) >= 100_000:
                cache.clear()
            found = cache[key] = (leaf, st, _line(leaf, st if st is not None else leaf.initial_state()))
        lines.append(found[2])
    return lines


def _line(leaf: Node, st) -> str:
    """One leaf's line of :func:`describe`."""
    value = st[0]
    if callable(value):
        value = "<computed>"
    if leaf.kind == "attr":
        return f"{leaf.name}: {', '.join(st[1])} = {value!r}"
    return f"{leaf.name} = {value!r}"
