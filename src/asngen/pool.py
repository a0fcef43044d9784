"""Reading and writing association pools (one row per exposure).

A pool file is a ``|``-delimited text table: ``#`` lines are comments, the
first other line names the columns, every later non-blank line is a row.
The reference reads it with astropy's guessing ``ascii`` reader, forcing every
cell to a lower-cased string and filling empty cells with ``"null"``.  We
must produce exactly the values it produces, because they end up verbatim in
the association files (``asn_candidate``, ``exposerr``, file names ...).

The usual case (format ``ascii``, a one-character delimiter) is read
without astropy, exactly as astropy would read it (:mod:`asngen.ascii_pool`);
every other file and format goes through astropy, imported only then
(``--pool-format csv``, ``fits``, ``votable`` ...).

Deliberate differences from the reference, all on input it cannot use either:
a missing, unreadable, binary or undecodable file, an empty file, rows of the
wrong width that astropy cannot read either (or, in files over ten million
characters, at all: its guessing would take minutes), and duplicated column
names raise :class:`PoolError` (one line, naming the file and where).
astropy would rename a repeated name ``x`` to ``x_1``, and the reference
crashes when two names differ only in case.  FITS and VOTable pools, which
the reference cannot read (it passes them a delimiter), are read and their
values turned into lower-cased strings.  Cells longer than Python's csv
field limit (128 KiB), on which astropy fails, are accepted.
"""

from __future__ import annotations

import io
import os

from ._collection_types import Iterable, Iterator, Mapping
from .ascii_pool import NULL, QUOTE, check_duplicates, fast_delimiter, parse_file, read_bytes
from .errors import PoolError
from .records import RecordBuilder, as_dict, records_from_dicts

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = [
    "DEFAULT_DELIMITER",
    "DEFAULT_FORMAT",
    "Pool",
    "format_pool",
    "pool_from_rows",
    "pool_from_table",
    "read_pool",
    "write_pool",
]

DEFAULT_DELIMITER = "|"
DEFAULT_FORMAT = "ascii"
IN_MEMORY = "in-memory"


class Pool:
    """A pool held as plain Python strings: fast to build, cheap to copy from.

    ``rows`` are dicts keyed by ``columns`` (file order).  ``comments`` keeps
    the text of the file's ``#`` lines (without the ``#``), so that a pool
    written back by :func:`write_pool` looks like the one read.

    A pool read from a file holds its rows as compact ``records`` (see
    :mod:`asngen.records`): the generator works from those, and ``rows``
    is made (once, and kept) only when something asks for it.
    """

    def __init__(
        self,
        columns: list[str],
        rows: list[dict[str, str]] | None = None,
        source: str = IN_MEMORY,
        comments: list[str] | None = None,
        *,
        records: list[tuple] | None = None,
    ) -> None:
        self.columns = columns
        self._rows = rows if rows is not None or records is not None else []
        self._records = records
        self.source = source
        self.comments = comments if comments is not None else []

    @property
    def rows(self) -> list[dict[str, str]]:
        if self._rows is None:
            self._rows = [as_dict(record) for record in self._records]
        return self._rows

    @rows.setter
    def rows(self, rows: list[dict[str, str]]) -> None:
        self._rows = rows
        self._records = None

    @property
    def records(self) -> list[tuple]:
        """The rows as records (made from ``rows`` the first time, if the pool was built from dicts)."""
        if self._records is None:
            self._records = records_from_dicts(self.columns, self._rows)
        return self._records

    def iter_rows(self) -> Iterator[dict[str, str]]:
        """The rows as dicts, made one at a time and not kept (``rows`` keeps them)."""
        if self._rows is not None:
            return iter(self._rows)
        return map(as_dict, self._records)

    @property
    def name(self) -> str:
        """Base name of the source file, extension included (the ``asn_pool`` value)."""
        if self.source == IN_MEMORY:
            return IN_MEMORY
        # the name as UTF-8, whatever the locale decoded it to (surrogate escapes in an ASCII locale)
        raw = os.fsencode(os.path.basename(self.source))
        return raw.decode("utf-8", "surrogateescape")

    def __len__(self) -> int:
        return len(self._rows) if self._rows is not None else len(self._records)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pool):
            return NotImplemented
        return (self.columns, self.source, self.comments) == (other.columns, other.source, other.comments) and (
            list(self.iter_rows()) == list(other.iter_rows())
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:  # the rows can number millions
        return f"Pool({self.name!r}, {len(self.columns)} columns, {len(self)} rows)"


# ---------------------------------------------------------------- reading


def read_pool(
    path: str | os.PathLike[str], *, delimiter: str = DEFAULT_DELIMITER, fmt: str = DEFAULT_FORMAT
) -> Pool:
    """Read a pool file as the reference does (see the module docstring).

    ``PoolError.row`` is the 1-based *data row* number (comment, blank and
    header lines not counted); the message also gives the file's line number.
    """
    source = os.fspath(path)
    ours = fmt == DEFAULT_FORMAT and fast_delimiter(delimiter)
    if ours:
        parsed = parse_file(source, delimiter)
        if parsed is not None:
            columns, records, comments = parsed
            return Pool(columns=columns, records=records, source=source, comments=comments)
    elif not os.path.isfile(os.path.expanduser(source)):
        read_bytes(source)  # raises the proper "no such file" error
    try:
        return _read_with_astropy(source, delimiter, fmt)
    except PoolError:
        if ours:
            # astropy's own message lists every format it tried; our parser
            # usually says more precisely what is wrong.
            parse_file(source, delimiter, diagnose=True)
        raise


# ---------------------------------------------------------- astropy paths


def _lowercasing_converters() -> dict[str, list[tuple[Any, Any]]]:
    from astropy.io.ascii import convert_numpy

    to_str, str_type = convert_numpy(str)

    def convert(values: list[str]) -> list[str]:
        return [str(value).lower() for value in to_str(values)]

    return {"*": [(convert, str_type)]}


def _read_with_astropy(source: str, delimiter: str, fmt: str) -> Pool:
    """The reference's own call, for formats and files our parser leaves alone."""
    from astropy.table import Table

    try:
        try:
            table = Table.read(
                source, format=fmt, delimiter=delimiter, converters=_lowercasing_converters()
            )
        except TypeError:
            # FITS, VOTable ... take neither option (the reference fails
            # here); read plainly and lower-case the values below.
            table = Table.read(source, format=fmt)
        try:
            table = table.filled(NULL)  # as the reference: may cut "null", see above
        except (TypeError, ValueError):
            pass  # non-string masked columns: their masked cells give "null" below
        names = [str(name) for name in table.colnames]
        values = [[_cell_text(value).lower() for value in table[name].tolist()] for name in names]
    except Exception as err:  # astropy raises many kinds; all mean "cannot read"
        raise PoolError(
            f"cannot read as format {fmt!r} with delimiter {delimiter!r}: {_summary(err)}"
            + _format_hint(fmt, delimiter),
            file=source,
        ) from None
    columns = [name.lower() for name in names]
    check_duplicates(columns, source)
    builder = RecordBuilder(columns)
    builder.add(zip(*values, strict=True), text=True)
    records = builder.finish()
    comments = [str(comment) for comment in table.meta.get("comments", [])]
    return Pool(columns=columns, records=records, source=source, comments=comments)


#: characters of astropy's message kept in an error (some quote every column name, twice)
SUMMARY_LIMIT = 240


def _summary(err: Exception) -> str:
    """One informative line from an astropy exception (its guess report is long)."""
    text = str(err).strip()
    if not text:
        return type(err).__name__
    first = text.splitlines()[0]
    if "Unable to guess table format" in first:
        return "no table layout astropy knows fits this file"
    if len(first) > SUMMARY_LIMIT:
        first = first[: SUMMARY_LIMIT - 3].rstrip() + "..."
    return first


def _format_hint(fmt: str, delimiter: str) -> str:
    """What to change when the format cannot take the delimiter (the default ``|`` included)."""
    if "ecsv" in str(fmt).lower() and delimiter not in (" ", ","):
        return " (ECSV files take -d ' ' or -d ',')"
    return ""


def _cell_text(value: object) -> str:
    if value is None or type(value).__name__ == "MaskedConstant":
        return NULL
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


# ------------------------------------------------------ in-memory pools


def pool_from_table(table: Any) -> Pool:
    """A pool from a table built in Python (an astropy Table or look-alike).

    Like the reference's in-memory pools, values are *not* lower-cased; they
    are turned into strings, and masked cells (or None) become ``"null"``.
    Needs ``table.colnames`` and iteration over rows indexable by name.
    """
    names = [str(name) for name in table.colnames]
    rows = [{name: _cell_text(row[name]) for name in names} for row in table]
    comments = []
    meta = getattr(table, "meta", None)
    if isinstance(meta, Mapping):
        comments = [str(c) for c in meta.get("comments", [])]
    return Pool(columns=names, rows=rows, source=IN_MEMORY, comments=comments)


def pool_from_rows(
    rows: Iterable[Mapping[str, object]], source: str = IN_MEMORY, lowercase: bool = False
) -> Pool:
    """A pool from dicts; columns in first-seen order, missing cells ``"null"``.

    With ``lowercase`` the names and values are lower-cased, as if read from a file.
    """
    columns: list[str] = []
    known: set[str] = set()
    materialised = [dict(row) for row in rows]
    for row in materialised:
        for key in row:
            name = str(key).lower() if lowercase else str(key)
            if name not in known:
                known.add(name)
                columns.append(name)
    out = []
    for row in materialised:
        cells = {}
        for key, value in row.items():
            text = _cell_text(value)
            name = str(key)
            if lowercase:
                text, name = text.lower(), name.lower()
            cells[name] = text
        out.append({name: cells.get(name, NULL) for name in columns})
    return Pool(columns=columns, rows=out, source=source)


# ---------------------------------------------------------------- writing


def format_pool(pool: Pool, delimiter: str = DEFAULT_DELIMITER) -> str:
    """The text :func:`write_pool` writes: the reference's orphan-table layout.

    This is what astropy's (fast) ``ascii`` writer makes of a string table,
    byte for byte: one ``# <comment>`` line per pool comment, the header
    line (column names joined by ``delimiter``), then one line per row; every
    line ends with ``\n``.  Names lose surrounding whitespace and cells
    surrounding spaces/tabs.  Minimal csv quoting applies: a cell holding
    the delimiter, a double quote or a ``\n`` is written between double
    quotes with inner quotes doubled, and a row made of one empty cell is
    written ``""``.  Reading the text back with :func:`read_pool` gives the
    same pool, except that an empty cell reads back as ``"null"`` and a row
    whose first cell starts with ``#`` reads back as a comment (both true of
    the reference's files as well).
    """
    import csv  # (here: it imports ``re``, which a run that writes no pool does without)

    buffer = io.StringIO()
    for comment in pool.comments:
        buffer.write(f"# {comment}\n")
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        quotechar=QUOTE,
        doublequote=True,
        escapechar=None,
        quoting=csv.QUOTE_MINIMAL,
        lineterminator="\n",
    )
    columns = pool.columns
    writer.writerow([name.strip() for name in columns])
    writer.writerows(
        [str(row.get(name, NULL)).strip(" \t") for name in columns] for row in pool.rows
    )
    return buffer.getvalue()


def write_pool(
    pool: Pool, path_or_stream: str | os.PathLike[str] | TextIO, delimiter: str = DEFAULT_DELIMITER
) -> None:
    """Write ``pool`` as a delimited table with a header (see :func:`format_pool`).

    Paths are written whole or not at all is *not* promised here: for
    all-or-nothing output pass the text of :func:`format_pool` to
    :func:`asngen.output.write_files_atomically`.
    """
    text = format_pool(pool, delimiter)
    if hasattr(path_or_stream, "write"):
        path_or_stream.write(text)  # type: ignore[union-attr]
        return
    target = os.fspath(path_or_stream)  # type: ignore[arg-type]
    try:
        with open(target, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as err:
        raise PoolError(f"cannot write: {err.strerror or err}", file=target) from None
