"""Pools in the ``ascii`` format, read without astropy, exactly as astropy reads them.

The reference reads a pool with astropy's guessing ``ascii`` reader, forcing
every cell to a lower-cased string and filling empty cells with ``"null"``.
Importing astropy costs about half a second, more than a whole small run, so
the usual case (format ``ascii``, a one-character delimiter) is parsed here
in plain Python by re-doing, step by step, what astropy's ``Basic`` reader
does with such a file:

* lines are split like :meth:`str.splitlines`; a line is skipped when it is
  blank or its first non-blank character is ``#``;
* each kept line is stripped of surrounding whitespace and split on the
  delimiter with the rules of :mod:`csv` (quote character ``"``, doubled
  quotes, quoted fields may span lines); each cell then loses surrounding
  spaces and tabs (no other change: ``01`` stays ``01``; brackets, commas and
  single quotes are kept);
* cells are lower-cased, and so are column names;
* an empty cell becomes ``"null"`` -- **cut to the width of the longest value
  of its column**, because astropy stores the column as a fixed-width string
  array before filling it.  A column whose values are all one character long
  therefore fills with ``"n"``; a column holding only empty cells too.

Whenever the file could be read differently by astropy's format guessing (a
header that fails astropy's strict name test, such as a numeric or empty
name, or a trailing delimiter; fewer than two columns; lines that look like
fixed-width, RST, ECSV or HTML tables; a compressed file; only comment lines
(a comment may be taken for the header); rows whose number
of cells differs from the header's, which another guess -- no stripping,
``'`` as quote character, ... -- may still accept) :func:`parse_file` does
not guess: it answers None, and astropy itself reads the file
(:mod:`asngen.pool`).
"""

from __future__ import annotations

import gc
import os
from itertools import repeat

try:  # the C reader behind ``csv``, which imports ``re`` (3 ms of a run's start) for its Sniffer
    import _csv as csv
except ImportError:  # pragma: no cover - an interpreter without it
    import csv

from .errors import PoolError
from .records import RecordBuilder, cells

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from typing import Any

NULL = "null"

QUOTE = '"'
_CAPITAL_SIGMA = "\u03a3"
# What some editors and spreadsheet programs write first in a UTF-8 file.  Neither reader drops
# it: it stays part of the first line, a comment line then reads as the header and a header's
# first name is not the column it spells.  Errors that follow from it say so.
BYTE_ORDER_MARK = "\ufeff"
# astropy's strict column-name test (used while guessing) rejects names that
# start or end with one of these.
_BAD_NAME_ENDS = frozenset(" ,|\t'\"")
# Text size (characters) up to which rows of the wrong width are shown to
# astropy, whose other guesses may still read the file, before we call them
# an error.  Its guessing then costs about a second per megabyte.
_ASTROPY_RETRY_LIMIT = 10_000_000
# Characters astropy accepts in the position line of a fixed-width table.
_POSITION_CHARS = frozenset("`~!#$%^&*-_+=\\|\":'")
# First bytes of the compressed files astropy opens transparently.
_COMPRESSED_MAGIC = (b"\x1f\x8b\x08", b"BZh", b"\xfd7zXZ\x00", b"\x1f\x9d")


def fast_delimiter(delimiter: str) -> bool:
    """Delimiters for which our parser is known to match astropy's.

    Excluded: space (astropy's csv setup merges runs of spaces), quote and
    comment characters, line breaks, and letters/digits (lower-casing the
    text could change them).
    """
    return (
        isinstance(delimiter, str)
        and len(delimiter) == 1
        and (delimiter == "\t" or delimiter.isprintable())
        and delimiter not in " \"'#"
        and not delimiter.isalnum()
        and delimiter.lower() == delimiter
    )


def byte_order_mark_hint(columns) -> str:
    """What to add to an error about a pool whose first column name (or first line read as
    the header) starts with a byte-order mark; nothing for other pools."""
    if columns and str(columns[0]).startswith(BYTE_ORDER_MARK):
        return " (the file starts with a byte-order mark, U+FEFF, read as part of its first line: save it without one)"
    return ""


def read_bytes(source: str) -> bytes:
    try:
        with open(os.path.expanduser(source), "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise PoolError("no such file", file=source) from None
    except IsADirectoryError:
        raise PoolError("is a directory, not a pool file", file=source) from None
    except OSError as err:
        raise PoolError(f"cannot read: {err.strerror or err}", file=source) from None


def _decode(data: bytes, source: str) -> str:
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise PoolError(f"looks binary (NUL byte on line {line}), not a text pool", file=source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise PoolError(
            f"not valid UTF-8 text (byte offset {err.start}, line {line})", file=source
        ) from None


def parse_file(source: str, delimiter: str, diagnose: bool = False) -> tuple[list[str], list, list[str]] | None:
    """A pool file's columns, records and comment lines; None when astropy must decide (see
    the module docstring).

    With ``diagnose`` the cases normally left to astropy are parsed too, only
    to raise our precise error if there is one; the result is then None.

    A large pool's text is several times the size of its records while it is
    split, so each stage lets go of the one before as soon as it can: the
    bytes once decoded, the text once lowered and split into lines, each line
    once it is a record.  (A 1,000,000-row pool is about 450 MB of text.)
    Error messages that need a file line number read the file again.
    """
    data = read_bytes(source)
    if data.startswith(_COMPRESSED_MAGIC):
        return None
    text = _decode(data, source)
    del data
    if not diagnose and _may_be_other_format(text, source):
        return None
    size = len(text)
    # Lower-casing is context-free except for the Greek final sigma, so
    # unless a capital sigma occurs the text is lowered at once, or line by
    # line (the reference lowers cell by cell, after splitting and stripping).
    per_cell = _CAPITAL_SIGMA in text
    quoted = QUOTE in text
    commented = "#" in text
    if commented:  # the comment lines are kept as they are, from the one split of the text
        lines = list(map(str.strip, text.splitlines()))
        del text
        comments = [line[1:].strip() for line in lines if line[:1] == "#"]
        content = [line for line in lines if line and line[0] != "#"]
        del lines
        if not per_cell:
            content = [line.lower() for line in content]
    else:
        comments = []
        work = text if per_cell else text.lower()
        del text
        content = [line for line in map(str.strip, work.splitlines()) if line]
        del work
    if not content:
        if not diagnose and commented:
            return None  # astropy may take a comment line for the header
        raise PoolError("empty pool: no header line (only blank or comment lines)", file=source)
    if not diagnose and any(_position_line(line, delimiter) for line in content[:4]):
        return None  # astropy may read a fixed-width or RST table instead

    line_of = None
    if quoted:
        names, cell_rows, line_of = _split_csv(content, delimiter, source)
    else:
        names = [cell.strip(" \t") for cell in content[0].split(delimiter)]
    if not diagnose and (len(names) < 2 or any(_bad_name(name) for name in names)):
        return None
    columns = [name.lower() for name in names]
    check_duplicates(columns, source)

    body = content[1:]
    del content
    with _GcPaused():
        if quoted or per_cell:
            if not quoted:
                cell_rows = [line.split(delimiter) for line in body]
            del body
            rows, error = _records_from_cells(columns, cell_rows, per_cell, (source, line_of))
            del cell_rows
        else:
            rows, error = _rows_from_plain_lines(columns, body, delimiter, source)
        if error is not None:
            # Another of astropy's guesses (no stripping, ' as quote, ...)
            # may still read the file; ask it, unless the file is too big for
            # its guessing to finish soon.
            if diagnose or size > _ASTROPY_RETRY_LIMIT:
                error.message += byte_order_mark_hint(names)
                raise error
            return None
    if diagnose:
        return None
    return columns, rows, comments


class _GcPaused:
    """Pause the cyclic GC while building millions of short-lived containers.

    Nothing built here can form a cycle, and scanning the growing row list
    again and again would cost more than the parsing itself.  (A class, not
    ``contextlib.contextmanager``: importing ``contextlib`` costs a run's
    start 0.5 ms.)
    """

    __slots__ = ("enabled",)

    def __enter__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info) -> None:
        if self.enabled:
            gc.enable()


def _may_be_other_format(text: str, source: str) -> bool:
    """Inputs on which astropy's guessing might pick a reader other than Basic."""
    head = text[:100000]
    if "%ECSV" in head:
        return True
    # (plain string tests: a pattern compiled here costs every run's start 0.1 ms)
    name = source[:-1] if source.endswith("\n") else source  # where ``$`` matches
    if name[-4:].lower() == ".htm" or name[-5:].lower() == ".html":
        return True
    if _starts_doctype_html(head):
        return True
    if "<" not in head:
        return False
    import re

    return all(re.search(rf"<\s*{tag}[^>]*>", head, re.IGNORECASE) for tag in ("table", "tr", "td"))


def _starts_doctype_html(head: str) -> bool:
    """``re.match(r"\\s*<!\\s*DOCTYPE\\s*HTML", head, re.IGNORECASE)``."""
    rest = head.lstrip()
    if not rest.startswith("<!"):
        return False
    rest = rest[2:].lstrip()
    if rest[:7].upper() != "DOCTYPE":
        return False
    return rest[7:].lstrip()[:4].upper() == "HTML"


def _position_line(line: str, delimiter: str) -> bool:
    """Could this be the ``---- ----`` line of a fixed-width (or ``====`` of an RST) table?"""
    rest = set(line) - {delimiter, " ", "\t"}
    return len(rest) <= 1 and rest <= _POSITION_CHARS


def _bad_name(name: str) -> bool:
    """astropy's strict name test: empty, numeric, or a suspicious first/last character."""
    if not name or name[0] in _BAD_NAME_ENDS or name[-1] in _BAD_NAME_ENDS:
        return True
    try:
        float(name)
    except ValueError:
        return False
    return True


def _blank_edged(values: list) -> bool:
    """Does one of a column's distinct ``values`` start or end with a space or tab (which
    astropy strips)?

    Asked of the values, not of the file's text: a pool holds far fewer
    distinct values than cells, and searching a large text for the two
    characters of a blank beside a delimiter took a tenth of reading it.
    """
    for value in values:
        if value and (value[0] in " \t" or value[-1] in " \t"):
            return True
    return False


def _split_csv(
    content: list[str], delimiter: str, source: str
) -> tuple[list[str], list[list[str]], list[int]]:
    """Split with astropy's csv settings; also give each row's first content line."""
    options: dict[str, Any] = {
        "delimiter": delimiter,
        "quotechar": QUOTE,
        "doublequote": True,
        "escapechar": None,
        "quoting": csv.QUOTE_MINIMAL,
        "skipinitialspace": True,
    }
    try:
        header = next(csv.reader([content[0] + "\n"], **options), [])
        reader = csv.reader((line + "\n" for line in content[1:]), **options)
        rows: list[list[str]] = []
        line_of: list[int] = []
        consumed = 0
        for row in reader:
            line_of.append(consumed + 1)  # index in content of the row's first line
            consumed = reader.line_num
            rows.append(row)
    except csv.Error as err:
        raise PoolError(f"cannot split line: {err}", file=source) from None
    return [cell.strip(" \t") for cell in header], rows, line_of


def check_duplicates(columns: list[str], source: str) -> None:
    if len(set(columns)) == len(columns):
        return
    seen: dict[str, int] = {}
    for number, name in enumerate(columns, start=1):
        if name in seen:
            raise PoolError(
                f"duplicated column name {name!r} (columns {seen[name]} and {number},"
                " names compared lower-cased)",
                file=source,
                column=name,
            )
        seen[name] = number


def _width_error(
    rows: list[list[str]], ncols: int, source: str, line_of: list[int] | None
) -> PoolError | None:
    bad = next((i for i, row in enumerate(rows) if len(row) != ncols), None)
    if bad is None:
        return None
    content_index = line_of[bad] if line_of is not None else bad + 1
    line = _physical_line(source, content_index)
    where = f"line {line}" if line is not None else "the row"
    return PoolError(
        f"{where} has {len(rows[bad])} cells but the header names {ncols} columns",
        file=source,
        row=bad + 1,
    )


def _physical_line(source: str, content_index: int) -> int | None:
    """1-based file line number of the ``content_index``-th kept line (0 = header).

    Only an error message needs it: the file is read again rather than its
    lines kept all along.  A pipe cannot be read twice (None: unknown; the
    error still names the row).
    """
    if not os.path.isfile(os.path.expanduser(source)):
        return None
    lines = _decode(read_bytes(source), source).splitlines()
    seen = -1
    for number, line in enumerate(lines, start=1):
        kept = line.strip()
        if kept and kept[0] != "#":
            seen += 1
            if seen == content_index:
                return number
    return len(lines)


def _rows_from_plain_lines(
    columns: list[str], body: list[str], delimiter: str, source: str
) -> tuple[list, PoolError | None]:
    """Records of quote-free lower-cased lines: the speed-critical case.

    Everything per cell happens in C (the record builder compares each line
    with the one before in place and looks up only the cells that differ:
    ``RecordBuilder.add_lines``); empty cells are filled in afterwards, once
    per column (:func:`_fill_empty_values`).  Should a cell have blanks at its
    edges (its column's values tell), the records are made again from the
    cells stripped.
    """
    ncols = len(columns)
    if set(map(str.count, body, repeat(delimiter))) - {ncols - 1}:
        cell_rows = [line.split(delimiter) for line in body]
        return [], _width_error(cell_rows, ncols, source, None)
    records = _records_consuming(columns, body, delimiter)
    if records and any(map(_blank_edged, records[0][0].values)):
        # cells with blanks at their edges (rare): made again from the cells as split, stripped
        cell_rows = [list(cells(record)) for record in records]
        del records
        return _records_from_cells(columns, cell_rows, False, (source, None))
    if records:
        _fill_empty_values(records[0][0])
    return records, None


_RECORD_BATCH = 65536  # lines made records before those lines are let go


def _records_consuming(columns: list[str], body: list[str], delimiter: str) -> list[tuple]:
    """The records of ``body``'s lines, emptying ``body`` batch by batch as it goes.

    Each distinct value is kept once, in its column's list of values (see
    :mod:`asngen.records`).  Letting each line go once it is a record keeps
    the text and the records from being held whole at the same time.
    """
    builder = RecordBuilder(columns)
    for start in range(0, len(body), _RECORD_BATCH):
        batch = body[start : start + _RECORD_BATCH]
        builder.add_lines(batch, delimiter)
        body[start : start + len(batch)] = repeat(None, len(batch))
        del batch
    return builder.finish()


def _fill_empty_values(columns) -> None:
    """Empty cells become ``"null"`` cut to the width of the column's widest value, at least 1.

    (astropy first fills empty cells with ``"0"``, makes a fixed-width string
    array of the column, then fills again with ``"null"``, which the width
    cuts.)  A column holds each distinct value once, so this is one change
    per column, whatever the number of rows: the empty value then reads as
    the fill.  Should the fill also be a value of the column, two codes read
    the same text; records are only ever read through their values.
    """
    for values in columns.values:
        if "" in values:
            values[values.index("")] = NULL[: max(1, *map(len, values))]


def _records_from_cells(
    columns: list[str],
    cell_rows: list[list[str]],
    lower: bool,
    where: tuple,
) -> tuple[list, PoolError | None]:
    """Records from split cells, for the slower cases (quotes, blanks, capital sigma).

    Every cell is stripped of blanks at its edges, as astropy strips them
    (a cell without such blanks stays as it is).
    """
    cell_rows = [[cell.strip(" \t") for cell in row] for row in cell_rows]
    if lower:
        cell_rows = [[cell.lower() for cell in row] for row in cell_rows]
    error = _width_error(cell_rows, len(columns), *where)
    if error is not None:
        return [], error
    builder = RecordBuilder(columns)
    builder.add(cell_rows, text=True)
    records = builder.finish()
    if records:
        _fill_empty_values(records[0][0])
    return records, None
