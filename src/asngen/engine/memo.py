"""Remembering that a row cannot start an association of a rule.

Starting an association means checking a row against a *fresh* association,
so the verdict depends only on the row's values that the check reads.  The
first check of a rule on a row is run on a recording copy of the row that
notes every column read; when the verdict is "refused, nothing to reprocess"
it is stored under those values, and every later row with the same values
in those columns is refused without checking.  Rows that differ in a column
the check never read share the verdict, which is what makes this pay off
(dithers, repeated exposures).

Rule functions must read rows only through ``row[key]``, ``row.get(key)`` or
``key in row``; a check that iterates the row is never remembered.
"""

from __future__ import annotations

_ABSENT = object()


class RecordingRow(dict):
    """A copy of a row that notes which columns are read."""

    __slots__ = ("read", "opaque")

    def __init__(self, row):
        super().__init__(row)
        self.read: dict = {}
        self.opaque = False

    def __getitem__(self, key):
        self.read.setdefault(key, None)
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        self.read.setdefault(key, None)
        return dict.get(self, key, default)

    def __contains__(self, key):
        self.read.setdefault(key, None)
        return dict.__contains__(self, key)

    def _opaque(self):
        self.opaque = True

    def keys(self):
        self._opaque()
        return dict.keys(self)

    def items(self):
        self._opaque()
        return dict.items(self)

    def values(self):
        self._opaque()
        return dict.values(self)

    def __iter__(self):
        self._opaque()
        return dict.__iter__(self)

    def copy(self):
        self._opaque()
        return dict(self)


class RefusalMemo:
    """Per rule: the column sets read by refused checks, and the refused value tuples."""

    def __init__(self) -> None:
        self.tables: dict = {}  # key -> [(columns, set of value tuples)]

    def refused(self, key, row) -> bool:
        entries = self.tables.get(key)
        if not entries:
            return False
        get = row.get
        for columns, values in entries:
            if tuple([get(column, _ABSENT) for column in columns]) in values:
                return True
        return False

    def remember(self, key, recorded: RecordingRow) -> None:
        if recorded.opaque:
            return
        columns = tuple(recorded.read)
        values = tuple([dict.get(recorded, column, _ABSENT) for column in columns])
        entries = self.tables.setdefault(key, [])
        for known, table in entries:
            if known == columns:
                table.add(values)
                return
        if len(entries) < 16:
            entries.append((columns, {values}))
