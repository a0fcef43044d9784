"""The ``asngen`` command: one entry point, one module per subcommand.

Each subcommand lives in ``asngen.cli.<name>`` and provides two functions:
``configure(parser)`` to declare its options and ``run(args) -> int`` to do
the work.  Subcommand modules import nothing heavy at module level, so that
``asngen --help`` answers immediately.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .. import NATIVE, __version__
from .._native import describe

#: what ``--version`` prints: the version, and whether the hot modules run compiled
VERSION = f"asngen {__version__} ({describe(NATIVE)})"

#: subcommand name -> (module in asngen.cli, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("generate", "generate associations from a pool (the reference's asn_generate)"),
    "explain": ("explain", "explain why exposures were or were not associated"),
    "report": ("report", "write a static HTML report of a pool's associations"),
    "batch": ("batch", "generate associations for many pools, optionally on Dask"),
    "from-list": ("from_list", "build an association from a list of files (asn_from_list)"),
    "make-pool": ("make_pool", "make a pool from FITS headers (asn_make_pool)"),
    "gather": ("gather", "copy an association's members and rewrite it (asn_gather)"),
    "edit": ("edit", "add or remove members of an association (asn_edit)"),
    "validate": ("validate", "check association files against the JSON schemas"),
    "diff": ("diff", "compare two sets of associations"),
}


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


#: commands whose process ends right after the run: nothing is left to clean up but memory
_FAST_EXIT = frozenset({"generate"})


def entry() -> None:
    """The ``asngen`` command.

    A large run leaves millions of objects behind; freeing them one by one at
    exit takes seconds (12% of a 10,000-row ``generate``) and gives nothing
    back that the end of the process would not.  So ``generate`` flushes its
    output and ends the process directly.  Other commands (batch runs may
    have workers to shut down) exit normally.  ``generate`` also keeps the
    garbage collector's rare thresholds to the end: putting the defaults
    back once the files are written would start a full collection just
    before the process ends (7 ms on mega_pool).
    """
    argv = sys.argv[1:]
    fast_exit = _command_of(argv) in _FAST_EXIT
    if fast_exit:
        import gc

        from ..api import RARE_COLLECTIONS

        gc.set_threshold(*RARE_COLLECTIONS)
    status = main(argv)
    if fast_exit:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            raise SystemExit(status) from None
        os._exit(status)
    raise SystemExit(status)


def _command_of(argv: list[str]) -> str | None:
    """The subcommand named on the command line (the first word that is not an option)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:

    if argv is None:
        argv = sys.argv[1:]
    command = _command_of(argv)
    parser = build_parser(command if command in SUBCOMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    mod = importlib.import_module(f"asngen.cli.{args._module}")
    from ..errors import AsngenError

    try:
        return int(mod.run(args) or 0)
    except AsngenError as err:
        print(f"asngen {args.command}: error: {err}", file=sys.stderr)
        return err.exit_status
    except KeyboardInterrupt:
        print(f"asngen {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - a bug must still be one line; ASNGEN_TRACEBACK=1 shows it
        if os.environ.get("ASNGEN_TRACEBACK"):
            raise
        text = " ".join(str(err).split())
        print(
            f"asngen {args.command}: internal error: {type(err).__name__}: {text} "
            "(please report it; set ASNGEN_TRACEBACK=1 for details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
