"""How a cell's value meets a constraint's value.

A column test (:class:`~asngen.engine.constraints.Attr`) compares a pool
cell with an anchored, case-insensitive regular expression, or with a list
of them.  The rules use few distinct patterns and pools repeat few distinct
values, so every verdict is remembered, and the usual patterns (one word,
plain alternatives, a candidate id, a pinned value, a word that must or
must not occur, literal text with digits) are answered without the regular
expression engine: ``re`` is imported only when a pattern or a value needs
it, which the built-in rules on ASCII pools never do (importing it, with
``enum``, and compiling a few patterns took 4-5 ms of every run).  Cells
holding Python literals (candidate lists) are read into data here too, and
pinned values are escaped into patterns and back.

Compiled, the modules that ``cimport`` these functions (``patterns.pxd``
declares them) call them as C functions: a check calls several of them for
every column test.
"""

from __future__ import annotations

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
    cache = _LITERALS  # a local: compiled, its type is known (patterns.pxd): C look-ups
    cached = cache.get(value, cache)
    if cached is not cache:
        return cached
    try:
        result = _evaluated(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        result = value
    if len(cache) < 100_000:
        cache[value] = result
    return result


# A pool's candidate cells, and the pinned values made from them: [('o001', 'observation'), ...]
# and ('o001', 'observation'), ASCII quoted text without backslashes, line breaks or NULs, read
# by hand (other text goes to literal_eval)
_NOT_QUOTED = ("\\", "\r", "\n", "\x00")  # (and the quote itself, which ends the text)
_NAMED_CONSTANTS = {"True": True, "False": False, "None": None}


def _quoted_pair(text: str, start: int, end: int):
    """The pair ``('a', 'b')`` at ``start`` (ending at most at ``end``) and where it ends; None
    if there is none there."""
    if not text.startswith("('", start, end):
        return None
    close = text.find("'", start + 2, end)
    if close < 0 or not text.startswith("', '", close, end):
        return None
    second = close + 4
    closing = text.find("'", second, end)
    if closing < 0 or not text.startswith("')", closing, end):
        return None
    first, last = text[start + 2:close], text[second:closing]
    for refused in _NOT_QUOTED:
        if refused in first or refused in last:
            return None
    return (first, last), closing + 2


def _quoted_pairs(text: str):
    """``[('a', 'b'), ('c', 'd')]`` (pairs separated by one comma and one space) as a list of
    pairs; None for any other text."""
    end = len(text) - 1
    if end < 1 or text[0] != "[" or text[end] != "]":
        return None
    pairs: list = []
    position = 1
    while position < end:
        if pairs:
            if not text.startswith(", ", position, end):
                return None
            position += 2
        found = _quoted_pair(text, position, end)
        if found is None:
            return None
        pairs.append(found[0])
        position = found[1]
    return pairs


def _decimal(text: str) -> bool:
    """An int literal as Python writes it: ASCII digits without a leading zero (not "007",
    "1_0", " 1", "١")."""
    return text.isascii() and text.isdigit() and (text[0] != "0" or len(text) == 1)


def _evaluated(text: str) -> Any:
    """``ast.literal_eval(text)``, reading candidate lists and pairs directly.

    They are most of what is evaluated, and ``literal_eval`` compiles its
    text: reading them by hand gives the same data (lists of tuples of the
    quoted texts) at a fraction of the cost, and a run that meets nothing
    else (but plain decimal numbers and bare words) never imports ``ast``.
    """
    if text.isascii() and text:
        if text[0] == "[":
            pairs = _quoted_pairs(text)
            if pairs is not None:
                return pairs
        elif text[0] == "(":
            found = _quoted_pair(text, 0, len(text))
            if found is not None and found[1] == len(text):
                return found[0]
    if _decimal(text):  # numbers in other columns (mega_pool: 33 of them)
        return int(text)
    if not text:
        return text
    if text.isidentifier():  # a bare word is a name, not a literal: kept as text (keywords too)
        return _NAMED_CONSTANTS.get(text, text)
    from ast import literal_eval

    return literal_eval(text)


def escape(value: str) -> str:
    """``re.escape``, cached (and made without importing ``re``: see :data:`_SPECIAL`)."""
    cache = ESCAPES  # a local: compiled, its type is known (patterns.pxd), so no method look-ups
    escaped = cache.get(value)
    if escaped is None:
        escaped = value.translate(_SPECIAL)
        if len(cache) < 200_000:
            cache[value] = escaped
    return escaped


#: the characters ``re.escape`` puts a backslash before (Python 3.7 and later; a test compares
#: this with ``re.escape`` on every character)
_SPECIAL = {ord(character): "\\" + character for character in "()[]{}?*+-|^$\\.&~# \t\n\r\v\f"}


_UNESCAPES: dict[str, str] = {}


def unescape(text: str) -> str:
    """The value a pinned (escaped) pattern stands for: undoes :func:`escape`, cached.  Every
    backslash that has a character after it is dropped and that character kept as it is."""
    plain = _UNESCAPES.get(text)
    if plain is None:
        plain = _unescaped(text) if "\\" in text else text
        if len(_UNESCAPES) < 200_000:
            _UNESCAPES[text] = plain
    return plain


def _unescaped(text: str) -> str:
    kept = []
    start = 0
    while True:
        slash = text.find("\\", start)
        if slash < 0 or slash == len(text) - 1:
            kept.append(text[start:])
            return "".join(kept)
        kept.append(text[start:slash])
        kept.append(text[slash + 1])
        start = slash + 2


_PATTERNS: dict = {}  # pattern text -> what matches it (a _PlainText, or a compiled regex)
_WORD_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_ALTERNATIVE_CHARACTERS = _WORD_CHARACTERS | {"-"}


def is_word(text: str) -> bool:
    """``[A-Za-z0-9_]+``."""
    return bool(text) and set(text) <= _WORD_CHARACTERS


def _words(text: str) -> bool:
    """``[A-Za-z0-9_-]+(?:\\|[A-Za-z0-9_-]+)*``: plain words as alternatives."""
    return bool(text) and all(word and set(word) <= _ALTERNATIVE_CHARACTERS for word in text.split("|"))


def _regex(text: str):
    """The compiled anchored case-insensitive regex: ``re`` is imported only for the patterns
    and values the plain classes below do not answer."""
    import re

    return re.compile("^" + text + "$", re.IGNORECASE)


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
            self._regex = _regex(self.text)
        return self._regex.match(value)


class _Contains(_PlainText):
    """``.+(word).+`` (the candidate constraint) or ``.+word.+`` matched without compiling a
    regex per candidate: for plain text, the word occurs with at least one character on each
    side."""

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


class _Avoids(_PlainText):
    """``((?!word).)*``: for plain text, the word occurs nowhere (case-insensitively)."""

    __slots__ = ("word",)

    def __init__(self, text: str, word: str) -> None:
        super().__init__(text)
        self.word = word.lower()

    def plain_match(self, lowered: str) -> bool:
        return self.word not in lowered


class _Digits(_PlainText):
    """Literal text, escaped or not, with runs of digits in it, ``\\[\\('c\\d{4}', 'direct_image'\\)\\]``: for
    plain text, the same length, the literal parts equal (case-insensitively) and ASCII digits
    where the pattern has ``\\d``."""

    __slots__ = ("parts", "length")

    def __init__(self, text: str, parts: tuple) -> None:
        super().__init__(text)
        self.parts = parts
        self.length = sum(len(part) if isinstance(part, str) else part for part in parts)

    @classmethod
    def of(cls, text: str) -> _Digits | None:
        """The pattern as parts (lower-cased literal text, or a count of digits); None when it
        holds anything but escaped or plain literal characters and ``\\d`` or ``\\d{n}``."""
        parts: list = []
        literal: list[str] = []
        position, end = 0, len(text)
        while position < end:
            character = text[position]
            if character == "\\" and position + 1 < end:
                following = text[position + 1]
                if following == "d":
                    count, position = 1, position + 2
                    if text.startswith("{", position):
                        close = text.find("}", position)
                        if close < 0 or not _decimal(text[position + 1:close]):
                            return None
                        count, position = int(text[position + 1:close]), close + 1
                    if literal:
                        parts.append("".join(literal).lower())
                        literal = []
                    parts.append(count)
                    continue
                if not following.isascii() or following.isalnum() or not following.isprintable():
                    return None  # \\w, \\b, \\1 and the like
                literal.append(following)
                position += 2
                continue
            if character in _SPECIAL_TEXT:
                return None
            literal.append(character)
            position += 1
        if literal:
            parts.append("".join(literal).lower())
        return cls(text, tuple(parts))

    def plain_match(self, lowered: str) -> bool:
        if len(lowered) != self.length:
            return False
        position = 0
        for part in self.parts:
            if type(part) is int:
                digits = lowered[position:position + part]
                if not digits.isdigit():  # (ASCII text: the digits 0-9)
                    return False
                position += part
            else:
                if not lowered.startswith(part, position):
                    return False
                position += len(part)
        return True


#: what a regex reads as more than the character itself (outside a character class, without the
#: verbose flag); a backslash before any printable ASCII character but a letter or digit makes
#: it literal
_SPECIAL_TEXT = frozenset("()[]{}?*+|^$\\.")


def _pattern(text: str):
    compiled = _PATTERNS.get(text)
    if compiled is None:
        compiled = _PATTERNS[text] = _plain_pattern(text) or _regex(text)
    return compiled


def _plain_pattern(text: str) -> _PlainText | None:
    """What answers ``text`` for plain values without a regex, if its form is one of the usual."""
    if text.startswith(".+") and text.endswith(".+") and len(text) > 4:
        word = text[2:-2]
        if word[:1] == "(" and word[-1:] == ")":
            word = word[1:-1]
        if is_word(word):
            return _Contains(text, word)
    if text.startswith("((?!") and text.endswith(").)*") and is_word(text[4:-4]):
        return _Avoids(text, text[4:-4])
    if text == "()":
        return _Literal(text, "")
    if text.isascii():
        if escape(unescape(text)) == text:
            return _Literal(text, unescape(text))
        if text[:1] == "(" and text[-1:] == ")" and _words(text[1:-1]):
            return _Alternatives(text, text[1:-1], True)
        if _words(text):
            return _Alternatives(text, text, False)
        return _Digits.of(text)
    return None


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
