"""Errors that reach the user as one line, never as a traceback.

Every failure a user can cause (a bad pool, a bad option, a rule file that does
not import) is raised as an :class:`AsngenError` carrying *where* it happened:
the file, and when known the row and column.  The CLI prints ``str(error)`` and
exits with ``error.exit_status``; nothing else is needed to act on it.
"""

from __future__ import annotations


class AsngenError(Exception):
    """A user-facing failure with its location and exit status."""

    exit_status: int = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        line: int | None = None,
        exit_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.line = line
        if exit_status is not None:
            self.exit_status = exit_status

    def location(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(str(self.file))
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = " ".join(str(self.message).split())  # always one line
        return f"{where}: {text}" if where else text


class PoolError(AsngenError):
    """The pool cannot be read or lacks what the rules need."""


class RuleError(AsngenError):
    """A rule file cannot be loaded or defines nothing usable."""


class UsageError(AsngenError):
    """Options that contradict each other or make no sense (argparse's status 2)."""

    exit_status = 2


class AssociationFileError(AsngenError):
    """An association file is not JSON/YAML, or does not validate."""
