"""Make a pool from the primary headers of FITS files (the reference's ``asn_make_pool``).

Every keyword of every primary header becomes a column (lower-cased, sorted;
``null`` where a file lacks it) and each file becomes a row, so the generator
can be run on data that never went through the archive.  A few columns the
rules need cannot come from a header and are filled in here:

* ``asn_candidate``: ``[('o<OBSERVTN>', 'observation')]`` plus any extra
  candidates given;
* ``targetid``: how many distinct TARGNAME values have been seen so far,
  counting this file (so files of a target seen earlier get the current
  count, not that target's first number: the reference's rule, kept as is);
* ``mostilno`` and ``dithptin``: always ``1``;
* ``dms_note``, ``is_imprt`` and ``pntgtype``: from the options, overriding
  the headers.

The written file has the reference's bytes: astropy's basic ASCII table
with ``|`` between cells.  astropy is imported only when a pool is made.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import AsngenError, UsageError

#: Header cards that carry no keyword value and never become columns.
IGNORED_KEYWORDS = frozenset({"", "COMMENT", "HISTORY"})

#: Columns that cannot come from a header, with their defaults.
NON_HEADER_DEFAULTS: dict[str, str | None] = {
    "asn_candidate": None,
    "dms_note": "",
    "is_imprt": "f",
    "pntgtype": "science",
    "targetid": "1",
    "mostilno": "1",
    "dithptin": "1",
}

MISSING = "null"  # the pool spelling of "this file has no such keyword"

Candidates = str | Sequence[tuple[str, str]] | None


def make_pool(
    sources: Iterable[Any],
    *,
    asn_candidate: Candidates = None,
    dms_note: str = "",
    is_imprt: str = "f",
    pntgtype: str = "science",
) -> Any:
    """Return an astropy Table with one row per source, every cell a string.

    ``sources`` are FITS file paths, or open ``HDUList``/HDU objects (their
    file name is used for the ``filename`` column).  ``asn_candidate`` adds
    candidates to every row: a list of ``(id, type)`` pairs, or its text
    form ``"[('c1000', 'background')]"``.
    """
    from astropy.table import Table

    extra = _extra_candidates(asn_candidate)
    read = [_read_header(source) for source in sources]
    if not read:
        raise UsageError("no FITS files given")

    overrides = dict(NON_HEADER_DEFAULTS)
    overrides.update(dms_note=dms_note, is_imprt=is_imprt, pntgtype=pntgtype)
    columns = sorted(
        {key for _, values in read for key in values} | set(NON_HEADER_DEFAULTS) | {"filename"}
    )

    rows = []
    targets: set[str] = set()
    for name, values in read:
        row = dict.fromkeys(columns, MISSING)
        row.update(values)
        row["filename"] = name
        row.update(overrides)
        observation = values.get("observtn")
        if observation is None:
            raise AsngenError("the primary header has no OBSERVTN keyword", file=name)
        row["asn_candidate"] = f"[('o{observation}', 'observation'){extra}]"
        target = values.get("targname")
        if target is None:
            raise AsngenError("the primary header has no TARGNAME keyword", file=name)
        targets.add(target)
        row["targetid"] = str(len(targets))
        rows.append(row)

    table = Table(names=columns, dtype=[object] * len(columns))
    for row in rows:
        table.add_row(row)
    return table


def pool_text(table: Any) -> str:
    """The pool file's text: astropy's basic ASCII layout with ``|`` delimiters."""
    buffer = io.StringIO()
    table.write(buffer, format="ascii", delimiter="|")
    return buffer.getvalue()


def write_pool(table: Any, path: str | Path) -> Path:
    """Write ``table`` to ``path`` whole or not at all (an existing file is replaced)."""
    from ..output import write_files_atomically

    path = Path(path)
    return write_files_atomically(path.parent, [(path.name, pool_text(table))])[0]


def _extra_candidates(asn_candidate: Candidates) -> str:
    """The text to put after the observation candidate, with its leading ", "."""
    if asn_candidate is None:
        return ""
    if isinstance(asn_candidate, str):
        text = asn_candidate.strip()
        if not (text.startswith("[") and text.endswith("]")):
            raise UsageError(
                f"--asn-candidate must be a list such as \"[('c1000', 'background')]\", "
                f"not {asn_candidate!r}"
            )
        inner = text[1:-1].strip()
        return f", {inner}" if inner else ""
    pairs = [tuple(pair) for pair in asn_candidate]
    return "".join(f", {pair!r}" for pair in pairs)


def _read_header(source: Any) -> tuple[str, dict[str, str]]:
    """(file name, {lower-case keyword: str(value)}) of one source's primary header."""
    from astropy.io import fits

    if isinstance(source, (str, Path)):
        name = str(source)
        try:
            header = fits.getheader(name)
        except FileNotFoundError:
            raise AsngenError("no such file", file=name) from None
        except Exception as err:  # noqa: BLE001 - astropy raises many kinds for bad files
            raise AsngenError(f"cannot read a FITS header: {_one_line(err)}", file=name) from None
    else:
        hdu = source[0] if isinstance(source, fits.HDUList) else source
        header = getattr(hdu, "header", None)
        if header is None:
            raise AsngenError(f"not a FITS file or HDU: {source!r}")
        info = hdu.fileinfo()
        if not info or info.get("file") is None:
            raise AsngenError("an HDU that was not read from a file has no file name to record")
        name = str(info["file"].name)
    values: dict[str, str] = {}
    for keyword, value in header.items():
        if keyword in IGNORED_KEYWORDS:
            continue
        values[keyword.lower()] = "" if isinstance(value, fits.card.Undefined) else str(value)
    return name, values


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__
