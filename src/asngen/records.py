"""Pool rows held compactly, and the dicts the rules see made from them on demand.

A pool row as a dict of 64 columns takes about 1.6 KB; the same cells as a
tuple take about 0.55 KB, and a large pool is mostly rows.  So a pool keeps
each row as a *record*: a tuple whose first item is the pool's
:class:`Columns` and whose other items are the cells, in column order.

The rules read rows as plain dicts (``item.get(column)``, ``item[column]``,
at C speed; a dict subclass would be half again as slow).  The generator
makes a row's dict when it takes the row (:class:`Shelved`) and lets it go
when the row is done: the members the row became then keep its record
instead, read through a :class:`RecordView`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Any


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"


#: the cell of a row that has no value at all for a column (only pools built from uneven dicts)
ABSENT: Any = _Absent()


class Columns(tuple):
    """A pool's column names, shared by all its records, with each name's place in a record.

    ``uneven``: some records lack some cells (they hold :data:`ABSENT`).
    """

    def __new__(cls, names: Iterable[str], uneven: bool = False) -> Columns:
        columns = super().__new__(cls, names)
        columns.places = {name: place for place, name in enumerate(columns, start=1)}
        columns.uneven = uneven
        # a dict with every key already in place: copying it and filling in the values is
        # faster than growing a dict key by key
        columns.blank = dict.fromkeys(columns)
        return columns

    def __reduce__(self):
        return (Columns, (tuple(self), self.uneven))


def records_from_dicts(names: list[str], rows: Iterable[Mapping]) -> list[tuple]:
    """Records of dict rows; a key outside ``names`` becomes a column of its own."""
    rows = list(rows)
    order = dict.fromkeys(names)
    keys = order.keys()
    for row in rows:
        if row.keys() != keys:
            order.update(dict.fromkeys(row))
    uneven = any(len(row) != len(order) for row in rows)  # every key is in order: same length, same keys
    columns = Columns(list(order), uneven)
    if uneven:
        return [(columns, *(row.get(name, ABSENT) for name in columns)) for row in rows]
    if not columns:
        return [(columns,) for _ in rows]
    if len(columns) == 1:
        return [(columns, row[columns[0]]) for row in rows]
    cells = itemgetter(*columns)  # one call per row, in C
    return [(columns, *cells(row)) for row in rows]


def as_dict(record: tuple) -> dict:
    columns = record[0]
    if columns.uneven:
        return {name: value for name, value in zip(columns, record[1:], strict=True) if value is not ABSENT}
    row = columns.blank.copy()
    # a record holds one cell per column by construction; zip's strict keyword would cost a
    # keyword-argument call for every row of every pass
    row.update(zip(columns, record[1:]))  # noqa: B905
    return row


def cell(record: tuple, name: str, default: Any = None) -> Any:
    """One cell of a record (``default`` when the pool has no such column or the row no value)."""
    place = record[0].places.get(name)
    if place is None:
        return default
    value = record[place]
    return default if value is ABSENT else value


class Shelved(tuple):
    """A row not taken yet, as (record, marker): the generator makes it a dict when it takes it.

    ``marker`` is the ``asn_candidate`` text the row shows in its pass (None:
    its own).  A pass's rows wait as these, and so do rows queued to be
    tried again: a pass over a whole pool queues most rows again at least
    once, and holding their dicts all that time would hold the pool as dicts.
    """

    __slots__ = ()

    def take(self) -> dict:
        record, marker = self
        row = as_dict(record)
        if marker is not None:
            row["asn_candidate"] = marker
        return row


def shelved(records: Iterable[tuple], marker: str | None = None) -> Iterator[Shelved]:
    """The records of a pass, one by one, as rows to take."""
    for record in records:
        yield Shelved((record, marker))


class RecordView(Mapping):
    """A read-only dict-like view of a record: what a member's ``item`` is once its pass is over."""

    __slots__ = ("record",)

    def __init__(self, record: tuple) -> None:
        self.record = record

    def __getitem__(self, name: str) -> Any:
        record = self.record
        place = record[0].places.get(name)
        if place is None or record[place] is ABSENT:
            raise KeyError(name)
        return record[place]

    def get(self, name: str, default: Any = None) -> Any:
        return cell(self.record, name, default)

    def __contains__(self, name: object) -> bool:
        return cell(self.record, name, ABSENT) is not ABSENT  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[str]:
        return iter(as_dict(self.record))

    def __len__(self) -> int:
        return len(as_dict(self.record))

    def copy(self) -> dict:
        return as_dict(self.record)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordView):
            other = as_dict(other.record)
        return as_dict(self.record) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RecordView({as_dict(self.record)!r})"
