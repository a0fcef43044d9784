"""The ``asngen`` command's argument parser (argparse), built for the subcommand named.

Imported only when a command line needs it: ``asngen generate`` usually reads
its plain line without it (:mod:`asngen.cli.arguments`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .main import SUBCOMMANDS, VERSION


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, given the terminal's width.

    Left to find the width itself, it imports ``shutil`` (and ``shutil`` its
    compression modules) for every parser and argument declared: 2 ms of
    every run's start, for help that is seldom printed.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            width = _terminal_columns() - 2  # as argparse does
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    """The width ``shutil.get_terminal_size`` gives: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; only ``command``'s module is imported to declare its options.

    With a known ``command``, the other subcommands are left out: the line
    has already chosen, and each parser declared costs argparse's message
    look-ups (1.5 ms for all of them, on every run).  Without one, every
    subcommand is there, for the top-level help and the error that lists
    the choices.
    """
    parser = argparse.ArgumentParser(
        prog="asngen",
        description="Group exposures of an association pool into Level 2 and Level 3 associations.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=VERSION)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, text) in SUBCOMMANDS.items():
        if command in SUBCOMMANDS and name != command:
            continue
        sub = subparsers.add_parser(name, help=text, description=text, formatter_class=_Formatter)
        sub.set_defaults(_module=module)
        if name == command:
            importlib.import_module(f"asngen.cli.{module}").configure(sub)
    return parser
