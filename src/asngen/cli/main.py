"""The ``asngen`` command: one entry point, one module per subcommand.

Each subcommand lives in ``asngen.cli.<name>`` and provides two functions:
``configure(parser)`` to declare its options and ``run(args) -> int`` to do
the work.  Subcommand modules import nothing heavy at module level, so that
``asngen --help`` answers immediately.  The argparse parser is built in
``asngen.cli.parser``, only for the subcommand named, and not at all for the
usual ``asngen generate`` line (see ``asngen.cli.arguments``).
"""

from __future__ import annotations

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


#: commands whose process ends right after the run: nothing is left to clean up but memory
_FAST_EXIT = frozenset({"generate"})


def entry() -> None:
    """The ``asngen`` command.

    A large run leaves millions of objects behind; freeing them one by one at
    exit takes seconds (12% of a 10,000-row ``generate``) and gives nothing
    back that the end of the process would not.  So ``generate`` flushes its
    output and ends the process directly.  Other commands (batch runs may
    have workers to shut down) exit normally.  ``generate`` also turns the
    cyclic garbage collector off from the start (see ``api.paused_collector``)
    and leaves it off: turned back on once the files are written, it would
    start a collection just before the process ends.
    """
    argv = sys.argv[1:]
    fast_exit = _command_of(argv) in _FAST_EXIT
    if fast_exit:
        import gc

        gc.disable()
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
    args = None
    if argv[:1] == ["generate"]:  # the usual line is read without building argparse's parser
        from .generate import plain_command_line

        args = plain_command_line(argv[1:])
    if args is None:
        from .parser import build_parser

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
