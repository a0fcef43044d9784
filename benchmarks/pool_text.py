"""Pools as plain text: comment lines, header cells and rows, each cell kept as written.

The tools that change pools (``diff_reference.py --shrink``,
``mutate_pool.py``) need no pool reader: what they write must be the
pool's own text with rows or cells changed, so that both programs read it
in their own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: a candidate id inside an ASN_CANDIDATE cell, e.g. the o001 of ``('o001', 'observation')``
CANDIDATE_ID = re.compile(r"'([ocr]\d+)'", re.IGNORECASE)


@dataclass
class PoolText:
    """A pool split into comment lines, header cells and data rows (cells kept verbatim)."""

    comments: list[str]
    header: list[str]
    rows: list[list[str]]
    newline: str = "\n"  # what ends each line written
    mark: bool = False  # a byte-order mark written first

    @classmethod
    def read(cls, path: Path) -> PoolText:
        comments, header, rows = [], None, []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                comments.append(line)
            elif not line.strip():
                continue
            elif header is None:
                header = line.split("|")
            else:
                rows.append(line.split("|"))
        return cls(comments, header or [], rows)

    @classmethod
    def read_format(cls, path: Path, fmt: str | None = None) -> PoolText:
        """A pool of any table format as text cells: a text pool read as it is (``fmt``
        None or an ``ascii``/``csv`` format), another (``fits``, ``votable`` ...) through
        astropy, each value as its text (``null`` for none), ready to write as ``|`` text."""
        if fmt is None or fmt.startswith("ascii") or fmt == "csv":
            return cls.read(path)
        from astropy.table import Table

        table = Table.read(path, format=fmt)
        names = [str(name) for name in table.colnames]
        columns = [table[name].tolist() for name in names]
        rows = [["null" if value is None else str(value) for value in row] for row in zip(*columns, strict=True)]
        return cls([], names, rows)

    def write(self, path: Path) -> None:
        lines = [*self.comments, "|".join(self.header), *("|".join(r) for r in self.rows)]
        text = ("\ufeff" if self.mark else "") + self.newline.join(lines) + self.newline
        path.write_bytes(text.encode("utf-8"))  # (write_text would turn the newlines into the platform's)

    def column(self, name: str) -> int | None:
        lowered = [cell.strip().lower() for cell in self.header]
        return lowered.index(name) if name in lowered else None

    def candidate_ids(self) -> list[str]:
        """Candidate ids in order of first appearance (the ``-i`` choices)."""
        index = self.column("asn_candidate")
        seen: dict[str, None] = {}
        if index is None:
            return []
        for row in self.rows:
            if index < len(row):
                for found in CANDIDATE_ID.findall(row[index]):
                    seen.setdefault(found.lower(), None)
        return list(seen)
