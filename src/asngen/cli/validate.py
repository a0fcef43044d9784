"""``asngen validate``: check association files against the JSON schemas."""

from __future__ import annotations

import argparse

DESCRIPTION = """\
Check association files against the Level 2b or Level 3 JSON schema (the
same constraints the pipeline applies when it loads an association).

Each problem is one line: FILE: JSON-PATH: what is wrong.  A file that is
not JSON (or YAML) is one problem at "$".  Valid files are listed as
"FILE: ok (Level N)" unless -q is given.  The level of each file is guessed
from its type, rule and layout; --level forces one.

Exit status: 0 when every file is valid, 1 otherwise.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("-l", "--level", type=int, choices=(2, 3),
                        help="check against this level's schema instead of guessing")
    parser.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    parser.add_argument("files", nargs="+", metavar="ASN", help="association files to check")


def run(args: argparse.Namespace) -> int:
    from .. import asn_io
    from ..errors import AsngenError
    from ..model import guess_level
    from ..tools.validate import Problem, check

    status = 0
    for name in args.files:
        try:
            data = asn_io.load(name)
        except AsngenError as err:
            problems = [Problem(name, "$", err.message)]
            level = args.level
        else:
            level = args.level or guess_level(data)
            problems = check(data, level=level, source=name)
        for problem in problems:
            print(problem)
        if problems:
            status = 1
        elif not args.quiet:
            print(f"{name}: ok (Level {level})")
    return status
