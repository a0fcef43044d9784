"""Pool rows held compactly, and the dicts the rules see made from them on demand.

A large pool is mostly rows, and its rows repeat the same few values column
after column (program, instrument, filter, candidate ...).  So a pool keeps,
for each column, the list of the distinct values it holds (in its
:class:`Columns`), and each row as a *record*: the pair ``(columns, codes)``,
where ``codes`` is a short ``bytes`` string holding, for every column, the
position of the row's value in that column's list (one byte for a column of
at most a few hundred values, two or four for others).  A row of 64 columns
then takes about 170 bytes; as a tuple of its cells it took 560, as a dict
1.6 KB.

The rules read rows as plain dicts (``item.get(column)``, ``item[column]``,
at C speed; a dict subclass would be half again as slow).  The generator
makes a row's dict when it takes the row (:class:`Shelved`) and lets it go
when the row is done: the members the row became then keep its record
instead, read through a :class:`RecordView`.
"""

from __future__ import annotations

import struct
from itertools import count, repeat
from operator import getitem, itemgetter
from sys import intern

from ._collection_types import Iterable, Iterator, Mapping, Sequence, defaultdict

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from typing import Any


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"

    def __reduce__(self) -> str:
        return "ABSENT"  # unpickled as this module's ABSENT: the one instance


#: the cell of a row that has no value at all for a column (only pools built from uneven dicts)
ABSENT: Any = _Absent()

_FORMATS = {1: "B", 2: "H", 4: "I"}  # code width in bytes -> struct format (little-endian)
_CAPACITY = {1: 1 << 8, 2: 1 << 16, 4: 1 << 32}


class Columns(tuple):
    """A pool's column names, shared by its records, and what decodes them.

    A pool's records share one, or a few: the records made before a column
    outgrew its codes' width keep the narrower layout (see
    :class:`RecordBuilder`); all of them share the lists of values.

    ``values``: per column, its distinct values, a record's code being a
    position in that list; ``widths``: the bytes each column's code takes in
    a record; ``decoders``: for each name, (offset, width, values), all that
    reading one cell takes (``layout``: the same, in column order).
    ``uneven``: some records lack some cells (they hold :data:`ABSENT`).
    """

    def __new__(cls, names: Iterable[str], uneven: bool = False) -> Columns:
        columns = super().__new__(cls, [intern(name) if type(name) is str else name for name in names])
        columns.uneven = uneven
        # a dict with every key already in place: copying it and filling in the values is
        # faster than growing a dict key by key
        columns.blank = dict.fromkeys(columns)
        # what readers of many records remember about the values of the columns, for every
        # layout of a pool (RecordBuilder.finish gives them one): see StaticFilter.passing
        columns.shared = {}
        columns.lay_out([1] * len(columns), [[] for _ in columns])
        return columns

    def lay_out(self, widths: Sequence[int], values: list[list]) -> None:
        """Codes of these widths, standing for these values (records made with other widths
        are then unreadable)."""
        self.widths = tuple(widths)
        self.values = values
        layout = struct.Struct("<" + "".join(_FORMATS[width] for width in self.widths))
        self.pack = layout.pack
        self.unpack = layout.unpack
        decoders, offset = {}, 0
        for name, width, column_values in zip(self, self.widths, values, strict=True):
            decoders[name] = (offset, width, column_values)
            offset += width
        self.decoders = decoders
        _forget_layout()  # (cell and as_dict may hold this layout's earlier readers)
        self.layout = tuple((name, *decoder) for name, decoder in decoders.items())
        # for each byte of a record's codes, the layout entry of the column it belongs to
        self.spans = tuple(entry for entry in self.layout for _ in range(entry[2]))
        # what readers of many records remember by their codes, for records of this layout
        # alone (codes are written in its widths): see StaticFilter.passing
        self.memos: dict = {}

    def __reduce__(self):
        return (_columns_from, (tuple(self), self.uneven, self.values, self.widths))

    def __copy__(self) -> Columns:
        return self

    def __deepcopy__(self, memo: dict) -> Columns:
        return self  # shared by every record of a pool, and not changed once they are made


def _forget_layout() -> None:
    global _LAST_COLUMNS, _LAST_DECODERS, _ROW_COLUMNS, _ROW_SPANS, _ROW, _ROW_CODES
    _LAST_COLUMNS = _LAST_DECODERS = None
    _ROW_COLUMNS = _ROW_SPANS = _ROW = _ROW_CODES = None


def _columns_from(names: tuple, uneven: bool, values: list, widths: tuple) -> Columns:
    columns = Columns(names, uneven)
    columns.lay_out(widths, values)
    return columns


class _Identity:
    """A cell other than text, as a key that is equal only to the same object."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return type(other) is _Identity and other.value is self.value  # type: ignore[attr-defined]


class RecordBuilder:
    """Makes the records of a pool, row by row.

    Each column's values are numbered as they first appear, by a dict that
    hands out the next number for a key it lacks (so a row is encoded
    without a Python-level step per cell).  Every column's codes start one
    byte wide; a column that comes to hold more values than that takes two
    bytes, then four (a column that has a new value in most rows, four at
    once).  The records made after such a step share a new :class:`Columns`
    with the wider layout; those made before keep theirs.
    """

    def __init__(self, names: Iterable[str], uneven: bool = False) -> None:
        self.columns = Columns(names, uneven)  # the layout of the records made now
        self.layouts = [self.columns]  # every layout records were made with, oldest first
        self.records: list[tuple] = []
        self._codes: list[dict] = [defaultdict(count().__next__) for _ in self.columns]
        self._identities = False  # some key is an _Identity

    def add(self, rows: Iterable[Sequence[Any]], text: bool = False) -> None:
        """Make records of ``rows``, each a sequence of one cell per column (``text``: every
        cell is known to be a ``str``)."""
        columns = self.columns
        records = self.records
        if not columns:
            records.extend([(columns, b"") for _ in rows])
            return
        pack = columns.pack
        indexes = self._codes
        width = len(indexes)
        previous = None  # the last row's cells (a list of text) and their codes: most cells repeat them
        previous_codes = None
        for cells in rows:
            if text or _TEXT.issuperset(map(type, cells)):
                whole = type(cells) is list and len(cells) == width
                if whole and previous is not None:
                    codes = _codes_like(cells, previous, previous_codes, indexes)
                else:
                    codes = list(map(getitem, indexes, cells))
                try:
                    packed = pack(*codes)
                except struct.error:  # a column outgrew its codes' width (or a row is short)
                    packed = self._widened(cells)  # (the same codes, wider)
                    columns = self.columns
                    pack = columns.pack
                if whole:
                    previous, previous_codes = cells, codes
            else:
                # other values than text are told apart by identity: 1, 1.0 and True stay themselves
                self._identities = True
                packed = self._widened([value if type(value) is str else _Identity(value) for value in cells])
                columns = self.columns
                pack = columns.pack
            records.append((columns, packed))

    def add_lines(self, lines: Iterable[str], delimiter: str) -> None:
        """Make records of text ``lines``, each holding one cell per column between single-character
        ``delimiter``s (the caller has counted them: every line has a cell for every column).

        The same records as ``add`` of the lines split, made without splitting them: an ASCII
        line is compared in place with the one before, cell by cell, and its record is the
        record before with the codes of the cells that differ (about one in ten) written over.
        """
        columns = self.columns
        if not columns or not _WALKS_IN_C:
            self.add(map(str.split, lines, repeat(delimiter)), text=True)
            return
        records = self.records
        indexes = self._codes
        layout = columns.layout
        separator = ord(delimiter)
        previous = None  # the bytes of the last line, if ASCII, and its record's codes
        previous_packed = None
        for line in lines:
            data = line.encode("ascii") if line.isascii() else None
            packed = None
            if previous is not None and data is not None:
                packed = _changed_codes(line, data, previous, previous_packed, separator, indexes, layout)
            if packed is None:  # the first line, one not ASCII, or a column outgrew its codes
                cells = line.split(delimiter)
                try:
                    packed = columns.pack(*map(getitem, indexes, cells))
                except struct.error:
                    packed = self._widened(cells)  # (the same codes, wider)
                    columns = self.columns
                    layout = columns.layout
            records.append((columns, packed))
            previous, previous_packed = data, packed

    def _widened(self, keys: Sequence[Any]) -> bytes:
        """The codes of a row whose keys may need wider codes than the layout has.

        A wider layout is a new :class:`Columns` for the records made from
        now on: those made before keep theirs (each record names its own).
        Making them all again cost a large pool about twice its rows (a
        million-row pool widens nine times, the last time at row 992,100).
        """
        columns = self.columns
        if len(keys) != len(columns):
            raise ValueError(f"a row of {len(keys)} cells for {len(columns)} columns")
        codes = list(map(getitem, self._codes, keys))
        rows = len(self.records) + 1
        widths = tuple(max(_width(len(index), rows), width) for index, width in zip(self._codes, columns.widths, strict=True))
        if widths != columns.widths:
            wider = Columns(columns, columns.uneven)
            wider.lay_out(widths, columns.values)  # (the lists of values stay shared)
            self.layouts.append(wider)
            self.columns = columns = wider
        return columns.pack(*codes)

    def finish(self) -> list[tuple]:
        """The records, their columns' values in place (every layout shares the lists); the
        builder lets go of its tables."""
        if self._identities:
            values = [[key.value if type(key) is _Identity else key for key in index] for index in self._codes]
        else:
            values = [list(index) for index in self._codes]
        shared: dict = {}
        for columns in self.layouts:
            columns.lay_out(columns.widths, values)
            columns.shared = shared
        self._codes = []
        return self.records


_TEXT = frozenset([str])


def _codes_like(cells: list, previous: list, previous_codes: list, indexes: list) -> list:
    """The codes of a row of text cells.  A cell equal to the previous row's cell in its
    column takes that cell's code without a look-up: 88% of mega_pool's cells do, 92% of a
    synthetic pool's (pools list an observation's exposures together), and looking a
    cell up hashes the new string and compares it."""
    codes = []
    for position in range(len(cells)):
        cell = cells[position]
        if cell == previous[position]:
            codes.append(previous_codes[position])
        else:
            codes.append(indexes[position][cell])
    return codes


def _changed_codes(line: str, data: bytes, previous: bytes, previous_codes: bytes, delimiter: int,
                   indexes: list, layout: tuple) -> bytes | None:
    """The codes of an ASCII ``line`` (``data``: its bytes) laid out as ``layout`` says, from
    the line before (its bytes ``previous``, of as many cells, and its codes).  Both lines are
    walked side by side, a cell at a time: a cell that reads as its neighbour above keeps its
    code; one that does not is cut out of ``line``, looked up and its code written over.  None:
    a code does not fit its column's width.  (Compiled, the walk reads the bytes in place:
    records.pxd.)"""
    here = data
    there = previous
    codes = None
    size = len(data)
    previous_size = len(previous)
    start = 0  # where the cell begins in line
    above = 0  # where the cell above it begins in previous
    column = 0
    while True:
        offset = 0
        while True:
            end = start + offset >= size or here[start + offset] == delimiter
            end_above = above + offset >= previous_size or there[above + offset] == delimiter
            if end or end_above:
                same = end and end_above
                break
            if here[start + offset] != there[above + offset]:
                same = False
                break
            offset += 1
        stop = start + offset
        stop_above = above + offset
        if not same:
            while stop < size and here[stop] != delimiter:
                stop += 1
            while stop_above < previous_size and there[stop_above] != delimiter:
                stop_above += 1
            code = indexes[column][line[start:stop]]
            _, at, width, _ = layout[column]
            if code >> (8 * width):
                return None
            if codes is None:
                codes = bytearray(previous_codes)
            for byte in range(width):
                codes[at + byte] = (code >> (8 * byte)) & 255
        column += 1
        if stop >= size:
            return previous_codes if codes is None else bytes(codes)
        start = stop + 1
        above = stop_above + 1


#: whether this module runs compiled (its functions are then not Python functions): the walk of
#: :func:`_changed_codes` is C then, and a Python loop over characters otherwise, slower than
#: splitting the lines
_WALKS_IN_C = type(_changed_codes).__name__ != "function"


def _width(count: int, rows: int) -> int:
    """The bytes a code takes in a column of ``count`` values after ``rows`` rows (four at once
    for a column that has a new value in most rows, a file name: it will outgrow two)."""
    if count <= _CAPACITY[1]:
        return 1
    return 2 if count <= _CAPACITY[2] and count * 2 <= rows else 4


def records_from_dicts(names: list[str], rows: Iterable[Mapping]) -> list[tuple]:
    """Records of dict rows; a key outside ``names`` becomes a column of its own."""
    rows = list(rows)
    order = dict.fromkeys(names)
    keys = order.keys()
    for row in rows:
        if row.keys() != keys:
            order.update(dict.fromkeys(row))
    uneven = any(len(row) != len(order) for row in rows)  # every key is in order: same length, same keys
    builder = RecordBuilder(list(order), uneven)
    columns = builder.columns
    if uneven:
        builder.add([[row.get(name, ABSENT) for name in columns] for row in rows])
    elif len(columns) == 1:
        builder.add([(row[columns[0]],) for row in rows])
    elif columns:
        builder.add(list(map(itemgetter(*columns), rows)))  # one call per row, in C
    else:
        builder.add([() for _ in rows])
    return builder.finish()


#: the layout :func:`as_dict` read last, with its spans, its dict of the record read last (never
#: handed out) and that record's codes: read from the layout's attributes, they cost as much
#: as the cells set anew (attributes of a tuple subclass are dict look-ups)
_ROW_COLUMNS: Any = None
_ROW_SPANS: Any = None
_ROW: Any = None
_ROW_CODES: Any = None


def as_dict(record: tuple) -> dict:
    """A record as a new dict of its cells.

    Passes take rows in pool order, and a row shares most of its cells with
    the one before (an observation's exposures differ in a few columns of
    60): a dict of the last record read is kept, in which only the cells
    whose codes differ are set again, and the row is a copy of it (one block
    copied, instead of every cell set).
    """
    # (plain loops: compiled with the types of records.pxd they read the codes as C integers)
    global _ROW_COLUMNS, _ROW_SPANS, _ROW, _ROW_CODES
    columns, codes = record
    if columns is not _ROW_COLUMNS:
        if columns.uneven:
            return {name: value for name, value in zip(columns, cells(record)) if value is not ABSENT}  # noqa: B905
        row = columns.blank.copy()
        for name, offset, width, values in columns.layout:
            row[name] = values[_code(codes, offset, width)]
        _ROW_COLUMNS, _ROW_SPANS = columns, columns.spans
    elif codes is not _ROW_CODES:  # the codes compared byte by byte: a C loop, compiled
        row = _ROW
        previous = _ROW_CODES
        spans = _ROW_SPANS
        position = 0
        end = len(codes)
        while position < end:
            if codes[position] == previous[position]:
                position += 1
                continue
            name, offset, width, values = spans[position]
            row[name] = values[_code(codes, offset, width)]
            position = offset + width
    else:
        row = _ROW
    _ROW = row
    _ROW_CODES = codes
    return row.copy()


def cells(record: tuple) -> tuple:
    """A record's cells in column order (:data:`ABSENT` where an uneven row has none)."""
    columns, codes = record
    return tuple(map(getitem, columns.values, columns.unpack(codes)))


#: the layout :func:`cell` read last, and its decoders: reading an attribute of a tuple subclass
#: cost a cell as much as the rest (a member's file name is read so, for every member written)
_LAST_COLUMNS: Any = None
_LAST_DECODERS: Any = None


def cell(record: tuple, name: str, default: Any = None) -> Any:
    """One cell of a record (``default`` when the pool has no such column or the row no value)."""
    global _LAST_COLUMNS, _LAST_DECODERS
    columns, codes = record
    if columns is _LAST_COLUMNS:
        decoders = _LAST_DECODERS
    else:
        decoders = columns.decoders
        _LAST_COLUMNS, _LAST_DECODERS = columns, decoders
    decoder = decoders.get(name)
    if decoder is None:
        return default
    offset, width, values = decoder
    value = values[_code(codes, offset, width)]
    return default if value is ABSENT else value


def distinct_cells(records: list, names: tuple) -> list[tuple]:
    """The distinct combinations of the cells ``names`` in ``records``, in the order they first
    appear (:data:`ABSENT` where a record has no such cell).

    Read straight from the records' codes, without a dict per row: a caller
    that must look at every row of a pool (a million on a large one) asks
    its question once per combination.
    """
    seen: dict = {}
    unhashable: list = []
    columns = None
    decoders: list = []
    for record in records:
        if record[0] is not columns:  # (one pool's records share their columns)
            columns = record[0]
            decoders = [columns.decoders.get(name) for name in names]
        codes = record[1]
        found = []
        for decoder in decoders:
            if decoder is None:
                found.append(ABSENT)
            else:
                offset, width, values = decoder
                found.append(values[_code(codes, offset, width)])
        key = tuple(found)
        try:
            seen[key] = None
        except TypeError:  # an unhashable cell: every such combination is kept
            unhashable.append(key)
    return [*seen, *unhashable]


def _code(codes, offset, width):  # (typed in records.pxd)
    """The code ``width`` bytes wide at ``offset`` (little-endian)."""
    if width == 1:
        return codes[offset]
    if width == 2:
        return codes[offset] | codes[offset + 1] << 8
    return codes[offset] | codes[offset + 1] << 8 | codes[offset + 2] << 16 | codes[offset + 3] << 24


class Shelved(tuple):
    """A row not taken yet, as (record, marker, kept): the generator makes it a dict when it
    takes it.

    ``marker`` is the ``asn_candidate`` text the row shows in its pass (None:
    its own).  A pass's rows wait as these, and so do rows queued to be
    tried again: a pass over a whole pool queues most rows again at least
    once, and holding their dicts all that time would hold the pool as dicts.

    ``kept`` (None: nothing is kept): id(record) -> a dict of the record that
    is never handed out.  A small pool's row is taken 3 to 4 times in a run
    (its candidates' passes, the discover pass, rows tried again): the first
    dict is kept, and the later ones are copies of it (a dict copied is one
    block copied; a dict made sets each of its columns, 57 in mega_pool).
    """

    __slots__ = ()

    def take(self) -> dict:
        record, marker, kept = self
        if kept is None:
            row = as_dict(record)
        else:
            row = kept.get(id(record))
            if row is None:
                row = kept[id(record)] = as_dict(record)
            row = row.copy()
        if marker is not None:
            row["asn_candidate"] = marker
        return row


def shelved(records: Iterable[tuple], marker: str | None = None, kept: dict | None = None) -> Iterator[Shelved]:
    """The records of a pass, one by one, as rows to take (``kept``: see :class:`Shelved`; the
    records must outlive it)."""
    for record in records:
        yield Shelved((record, marker, kept))


class RecordView(Mapping):
    """A read-only dict-like view of a record: what a member's ``item`` is once its pass is over."""

    __slots__ = ("record",)

    def __init__(self, record: tuple) -> None:
        self.record = record

    def __getitem__(self, name: str) -> Any:
        value = cell(self.record, name, ABSENT)
        if value is ABSENT:
            raise KeyError(name)
        return value

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
