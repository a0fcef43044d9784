"""Which rules could start an association with a row, decided from the row alone.

Before a rule is offered a row, :func:`~asngen.engine.fresh.fresh_verdict`
can often tell from the row's values alone that a fresh association of the
rule would refuse it.  That verdict is memoised at two levels:

* per row *profile*, for the whole rule set: the values of the columns some
  rule's test reads, which fixed patterns match, which columns hold a value.
  Pools repeat a few hundred profiles over many thousand rows.
* per rule, on a *reading* of the row reduced to what that one rule's verdict
  depends on: the outcome of each of its own patterns, each presence test and
  each row test (a row test's outcome is itself memoised on the values of the
  columns it declares: :func:`~asngen.engine.fresh.row_test_outcome`).  Rows
  that differ in columns the rule ignores, or in values the rule's tests
  treat alike, share the rule's verdict, so a new
  profile rarely costs a full evaluation of every rule's tree.  Profiles
  that differ only in values every reading treats alike (mega_pool: 511
  profiles, 220 distinct readings) share the whole rule set's verdict.

Both memos are shared by the registries of one rule set (a per-candidate run
binds every rule once per candidate), and a rule's verdicts by every rule set
that holds it.
"""

from __future__ import annotations

from ..records import ABSENT, _code
from .fresh import FAIL, fresh_verdict, row_test_outcome, test_identity
from .patterns import EMPTY_SET, meets

_NO_VALUE = EMPTY_SET | {None}


def _pattern_outcomes(value, patterns: tuple):
    """Which of ``patterns`` the value matches (None: no value).  A pattern that is a
    tuple stands for alternatives (hashable, unlike the list ``meets`` takes)."""
    if value is None or value in EMPTY_SET:
        return None
    text = str(value)
    return tuple([meets(text, list(pattern) if isinstance(pattern, tuple) else pattern)
                  for pattern in patterns])


def fresh_columns(node, raw: list, patterns: dict, presence: list) -> None:
    """The row columns :func:`fresh_verdict` may read below ``node``, by how they matter.

    ``raw``: columns whose exact value matters (read by tests); ``patterns``:
    column -> the fixed patterns tested on it (only which of them match
    matters); ``presence``: columns of which only "holds a value" matters.
    """
    for reader in readers(node):
        kind, column = reader[0], reader[1]
        if kind == "test":
            raw.extend(name for name in reader[1].columns if name not in raw)
        elif kind == "raw":
            if column not in raw:
                raw.append(column)
        elif kind == "match":
            found = patterns.setdefault(column, [])
            found.extend(pattern for pattern in reader[2] if pattern not in found)
        elif column not in presence:
            presence.append(column)
    for column in raw:
        patterns.pop(column, None)
    for column in list(presence):
        if column in raw or column in patterns:
            presence.remove(column)


def readers(node) -> list[tuple]:
    """What :func:`fresh_verdict` reads of a row below ``node``, one entry per distinct reading.

    ``("match", column, patterns)``: which of the patterns the column's value
    matches (None: no value); ``("present", column)``: whether it holds a
    value; ``("raw", column)``: its exact value (a test with its own idea of
    "no value"); ``("test", leaf)``: the outcome of a row test.
    """
    matches: dict[str, list] = {}
    present: list[str] = []
    raw: list[str] = []
    tests: list = []
    for leaf in node.leaves():
        if leaf.kind == "attr":
            if leaf.evaluate or leaf.onlyif is not None:
                continue  # undecidable from the row: fresh_verdict does not read it
            if callable(leaf.value) and leaf.fresh_value is None:
                continue
            if leaf.invalid is not EMPTY_SET:
                raw.extend(column for column in leaf.sources if column not in raw)
                continue
            pattern = leaf.fresh_value if callable(leaf.value) else leaf.value
            for column in leaf.sources:
                if pattern is None:
                    if column not in present:
                        present.append(column)
                else:
                    found = matches.setdefault(column, [])
                    value = pattern if isinstance(pattern, str) else tuple(pattern)
                    if value not in found:
                        found.append(value)
        elif leaf.columns is not None and not leaf.side_effects and leaf not in tests:
            tests.append(leaf)
    result: list[tuple] = [("raw", column) for column in raw]
    result += [("match", column, tuple(found)) for column, found in matches.items() if column not in raw]
    result += [("present", column) for column in present if column not in raw and column not in matches]
    result += [("test", leaf) for leaf in tests]
    return result


class _Readers:
    """The distinct readings of a rule set, and each rule's share of them (pattern readings
    remember their outcome per value; row tests remember theirs in ``row_test_outcome``).

    Rules repeat the same readings (the same pattern on the same column, the
    same row test): a row's new profile evaluates each distinct one once, and
    a rule's key is a selection of the results.  The readings are kept by kind
    (row tests, raw values, patterns, presence), so that :meth:`of` reads each
    kind in one tight loop (all but the row tests as a row's profile is read:
    :func:`_profile`), and each rule's selection is an ``itemgetter``.
    """

    __slots__ = ("tests", "raw", "present", "matches", "keys")

    def __init__(self, per_rule: list[list[tuple]]) -> None:
        from operator import itemgetter

        distinct: dict = {}  # identity -> reader, in first-seen order
        for rule_readers in per_rule:
            for reader in rule_readers:
                distinct.setdefault(_identity(reader), reader)
        by_kind: dict[str, list] = {"test": [], "raw": [], "present": [], "match": []}
        for key, reader in distinct.items():
            by_kind[reader[0]].append(key)
        order = [key for kind in ("test", "raw", "match", "present") for key in by_kind[kind]]
        place = {key: position for position, key in enumerate(order)}
        self.tests = [distinct[key][1] for key in by_kind["test"]]
        self.raw = tuple([distinct[key][1] for key in by_kind["raw"]])
        self.matches = tuple([(distinct[key][1], distinct[key][2], {}) for key in by_kind["match"]])
        self.present = tuple([distinct[key][1] for key in by_kind["present"]])
        # a rule's memo key: its readings' outcomes (one reading: the outcome itself; none: ())
        self.keys = [
            itemgetter(*[place[_identity(reader)] for reader in rule_readers]) if rule_readers else None
            for rule_readers in per_rule
        ]

    def of(self, item) -> list:
        """The outcome of every reading on ``item``, in the order the rules' keys select from."""
        results = [row_test_outcome(leaf, item) for leaf in self.tests]  # remembered there
        results.extend(_profile(self.raw, self.matches, self.present, item))
        return results


def _profile(raw: tuple, patterns: tuple, presence: tuple, item) -> tuple:
    """A row's profile for a rule set (see the module docstring): its values in the ``raw``
    columns, which patterns match in the pattern columns, and which ``presence`` columns hold
    a value.  Compiled, the row and the caches are typed (static_filter.pxd).  A row taken
    from a pool record is read this way only when its record's codes are new
    (:meth:`StaticFilter.passing`), and its columns read as :func:`_coded_key` reads them."""
    profile = [item.get(column) for column in raw]
    for entry in patterns:
        profile.append(_pattern_reading(item.get(entry[0]), entry))
    for column in presence:
        profile.append(_presence_reading(item.get(column), None))
    return tuple(profile)


def _coded_key(codes: bytes, raw: tuple, offsets: tuple, widths: tuple, tables: tuple, readings: tuple,
               key: bytearray) -> str:
    """What tells a record's row apart in the profile (:func:`_profile`), read from its codes.

    A code stands for one value of its layout: the bytes of each ``raw``
    column's code are taken as they are (``raw``: their positions in the
    codes); a pattern or presence column's code is replaced by the first
    code seen with the same outcome (its ``tables`` entry, filled in by
    :func:`_canonical` from its ``readings`` entry as codes are first met), so rows whose values read
    alike share the key.  The key is written into ``key`` (kept for the
    layout: a new buffer per row cost as much as the rest) and read as a
    string, one character per byte: it hashes in one pass, where the
    profile's tuple hashed each of its forty-odd items.
    """
    at = 0
    for position in raw:
        key[at] = codes[position]
        at += 1
    for column in range(len(tables)):
        width = widths[column]
        code = _code(codes, offsets[column], width)
        table = tables[column]
        canonical = table[code] if code < len(table) else -1
        if canonical < 0:
            canonical = _canonical(table, readings[column], code)
        key[at] = canonical & 255
        if width > 1:
            key[at + 1] = (canonical >> 8) & 255
            if width > 2:
                key[at + 2] = (canonical >> 16) & 255
                key[at + 3] = (canonical >> 24) & 255
        at += width
    return key.decode("latin-1")


class _Reading:
    """How a pattern or presence column's values read in the profile, and the first code met
    with each outcome (see :func:`_canonical`)."""

    __slots__ = ("values", "reading", "given", "first")

    def __init__(self, values: list, reading, given) -> None:
        self.values = values
        self.reading = reading
        self.given = given
        self.first: dict = {}  # a reading's outcome -> the first code that had it


def _canonical(table: list, column: _Reading, code: int) -> int:
    """The first code whose value reads as ``code``'s does, remembered in ``table``."""
    if code >= len(table):  # (a value added after the table was made)
        table.extend([-1] * (len(column.values) - len(table)))
    value = column.values[code]
    outcome = column.reading(None if value is ABSENT else value, column.given)
    canonical = table[code] = column.first.setdefault(outcome, code)
    return canonical


def _pattern_reading(value, column: tuple):
    """Which of a pattern column's patterns ``value`` matches, remembered by value (``column``:
    the filter's ``patterns`` entry, (name, its patterns, outcomes by value))."""
    outcomes = column[2]
    found = outcomes.get(value, outcomes)
    if found is outcomes:
        found = outcomes[value] = _pattern_outcomes(value, column[1])
    return found


def _presence_reading(value, given) -> bool:
    """Whether ``value`` is one, as the profile reads it."""
    return value not in _NO_VALUE


def _identity(reader: tuple):
    """Readers that always give the same outcome share one identity (and memo)."""
    if reader[0] != "test":
        return reader
    return ("test", test_identity(reader[1]))


#: What the filters of a run share, for as long as the process lives (see StaticFilter):
#: templates -> (raw, patterns, presence, profile memo, (readers, memos, readings memo, templates))
_SHARED: dict = {}
#: template -> its verdicts by the outcomes of its readings
_PER_TEMPLATE: dict = {}
#: a registry's templates -> the positions in its rule list that a verdict lets start
_POSITIONS: dict = {}
#: (a registry's templates, its universe) -> (what it shares, its positions): a per-candidate
#: run makes a registry per candidate, from a few sets of rules
_RESOLVED: dict = {}


class StaticFilter:
    """The rules of one registry a row may start an association of (see the module docstring).

    ``universe``: the templates of every rule of the registry's files.  A
    registry holding some of them (the discover pass's, which leaves out
    the rules that need a candidate) then shares the profiles, readings
    and verdicts of the registries holding all of them (the candidates'):
    a rule's verdict depends on the row alone, and a finer profile tells
    rows apart at least as well as its own would.
    """

    def __init__(self, rules, universe: tuple | None = None) -> None:
        self.rules = rules
        own = tuple([bound.template for bound in rules])
        resolved = _RESOLVED.get((own, universe))
        if resolved is None:
            resolved = _RESOLVED[(own, universe)] = (self._share(own, universe), _POSITIONS.setdefault(own, {}))
        shared, self.positions = resolved
        self.raw, self.patterns, self.presence, self.memo, more = shared
        self.readers, self.memos, self.by_reading, self.templates = more
        self.layout = None  # the record layout of the last row asked about with its record,
        self.by_codes = None  # and what is remembered for that layout (see passing)
        self.coded = None  # how the layout's codes are read (see _learn_layout)
        self.candidate = None  # how the profile reads asn_candidate, if it does: (reading, given)

    def _share(self, own: tuple, universe: tuple | None) -> tuple:
        """What the registries of ``own`` templates share (those of the universe, when the
        registry holds some of them)."""
        key = universe if universe is not None and universe != own and set(own) <= set(universe) else own
        shared = _SHARED.get(key)
        if shared is None:
            raw: list[str] = []
            patterns: dict[str, list] = {}
            presence: list[str] = []
            for template in key:
                fresh_columns(template.tree, raw, patterns, presence)
            reading = _Readers([readers(template.tree) for template in key])
            # a rule's verdicts depend on its own readings only: rule sets that share a rule (the
            # discover pass's and the candidates') share its memo
            memos = [_PER_TEMPLATE.setdefault(template, {}) for template in key]
            # a pattern column: its patterns, and which of them each value matches (remembered)
            by_column = tuple([(column, tuple(found), {}) for column, found in patterns.items()])
            shared = (tuple(raw), by_column, tuple(presence), {}, (reading, memos, {}, key))
            _SHARED[key] = shared
        return shared

    def starting(self, item, record: tuple | None = None) -> tuple:
        """The positions, in the rule list, of the rules whose fresh association might accept
        ``item``: what the generator offers a row to, without trying every rule of the list
        (44 on the standard rules, a few of which pass a given row).  ``record``: see
        :meth:`passing`."""
        verdict = self.passing(item, record)
        positions = self.positions.get(verdict)
        if positions is None:
            positions = self.positions[verdict] = tuple(
                [position for position, bound in enumerate(self.rules) if bound.template in verdict]
            )
        return positions

    def passing(self, item, record: tuple | None = None) -> frozenset:
        """The templates of the rules whose fresh association might accept ``item`` (of the
        universe's rules, when the filter shares theirs: callers ask about their own).

        ``record``: the pool record ``item`` was made from (``asn_candidate``
        aside, which a pass may mark).  Rows are then told apart by their
        record's codes in the columns the profile reads (:func:`_coded_key`),
        instead of by the profile: reading forty-odd columns of the dict and
        hashing their texts was a twentieth of a run, for every row of every
        pass, and pools repeat a few hundred profiles.
        """
        if record is None:
            return self._verdict(item)
        layout = record[0]
        if layout is not self.layout:
            self._learn_layout(layout)
        coded = self.coded
        key = _coded_key(record[1], coded[0], coded[1], coded[2], coded[3], coded[4], coded[5])
        candidate = self.candidate
        if candidate is not None:  # (read from the row, and as the profile reads it)
            value = item.get("asn_candidate")
            key = (key, value if candidate[0] is None else candidate[0](value, candidate[1]))
        by_codes = self.by_codes
        verdict = by_codes.get(key)
        if verdict is None:
            verdict = by_codes[key] = self._verdict(item)
        return verdict

    def _learn_layout(self, layout) -> None:
        """How the profile's columns are read from the codes of ``layout``'s records (a column
        the layout lacks is None in every row of it, and ``asn_candidate`` is read from the
        row: a pass may mark it); what their codes decide is remembered with the layout, for
        every filter of this rule set, and what a column's codes read as, with the pool."""
        found = layout.memos.get(id(self.memo))
        if found is None or found[0] is not self.memo:
            raw: list = []
            offsets: list = []
            widths: list = []
            tables: list = []
            readings: list = []
            size = 0
            candidate = None
            columns: list = [(column, None, None) for column in self.raw]
            columns += [(entry[0], _pattern_reading, entry) for entry in self.patterns]
            columns += [(column, _presence_reading, None) for column in self.presence]
            for column, reading, given in columns:
                if column == "asn_candidate":
                    candidate = (reading, given)
                    continue
                decoder = layout.decoders.get(column)
                if decoder is None:
                    continue
                offset, width, values = decoder
                if reading is None:
                    raw.extend(range(offset, offset + width))
                else:
                    offsets.append(offset)
                    widths.append(width)
                    # a column's table is one for every layout of the pool (a code stands for
                    # the same value in each; a million rows make ten layouts)
                    entry = layout.shared.get((id(self.memo), id(values)))
                    if entry is None or entry[0] is not self.memo or entry[1] is not values:
                        entry = layout.shared[(id(self.memo), id(values))] = (
                            self.memo, values, [-1] * len(values), _Reading(values, reading, given),
                        )
                    tables.append(entry[2])
                    readings.append(entry[3])
                    size += width
            coded = (tuple(raw), tuple(offsets), tuple(widths), tuple(tables), tuple(readings),
                     bytearray(size + len(raw)))
            found = layout.memos[id(self.memo)] = (self.memo, coded, {}, candidate)
        self.layout = layout
        _, self.coded, self.by_codes, self.candidate = found

    def _verdict(self, item) -> frozenset:
        key = _profile(self.raw, self.patterns, self.presence, item)
        verdict = self.memo.get(key)
        if verdict is None:
            results = self.readers.of(item)
            reading = tuple(results)
            verdict = self.by_reading.get(reading)
            if verdict is None:
                passing = []
                for template, key_of, memo in zip(self.templates, self.readers.keys, self.memos, strict=True):
                    part = key_of(results) if key_of is not None else ()
                    ok = memo.get(part)
                    if ok is None:
                        ok = memo[part] = fresh_verdict(template.tree, item) != FAIL
                    if ok:
                        passing.append(template)
                verdict = self.by_reading[reading] = frozenset(passing)
            self.memo[key] = verdict
        return verdict
