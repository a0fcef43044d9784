"""How a cell's value meets a constraint's value.

A column test (:class:`~asngen.engine.constraints.Attr`) compares a pool
cell with an anchored, case-insensitive regular expression, or with a list
of them.  The rules use few distinct patterns and pools repeat few distinct
values, so every verdict is remembered, and the usual patterns (one word,
plain alternatives, a candidate id, a pinned value) are answered without
the regular expression engine.  Cells holding Python literals (candidate
lists) are read into data here too, and pinned values are escaped into
patterns and back.

Compiled, the modules that ``cimport`` these functions (``patterns.pxd``
declares them) call them as C functions: a check calls several of them for
every column test.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from typing import Any

# Values that mean "this column has no value" for every DMS attribute test.
EMPTY: tuple = (
    None, "", "NULL", "Null", "null", "--", "N", "n", "F", "f",
    "FALSE", "false", "False", "N/A", "n/a",
)
EMPTY_SET = frozenset(v for v in EMPTY if v is not None)


def is_listlike(obj: Any) -> bool:
    """True for values that stand for several alternatives (lists, sets), not str or tuple."""
    return not isinstance(obj, (str, tuple)) and hasattr(obj, "__iter__")


_LITERALS: dict[str, Any] = {}
#: pinned values and their escaped patterns; a check reads it directly for the values it
#: has already accepted (see Check._attr)
ESCAPES: dict[str, str] = {}


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
    cache = ESCAPES  # a local: compiled, its type is known (patterns.pxd), so no method look-ups
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
    tables = _MET  # a local: compiled, its type is known (patterns.pxd)
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
