"""``asngen gather``: copy an association and its members to another folder."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """\
Copy an association and the files it lists into DEST, rewriting each
member's expname to the bare file name, so that DEST is self-contained.
The association keeps its file name.

Members are looked for in the association's folder (or --source).  With
-t only members of those exposure types are kept, with -x those types are
left out; products left empty are dropped.  Nothing is copied unless every
member file exists, and the association is written last.

Files are copied by asngen itself.  -c runs a command instead, as
"CMD SOURCE DEST" per member (the pipeline's asn_gather used
"rsync -urv --no-perms --chmod=ugo=rwX").
"""

EPILOG = """\
example:
  asngen gather -t science jw01234-o001_image3_00001_asn.json ~/work/mosaic
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("association", metavar="ASN", help="association file to gather")
    parser.add_argument("destination", metavar="DEST", help="folder to copy it into (created if needed)")
    parser.add_argument("-s", "--source", dest="source_folder", metavar="DIR",
                        help="folder holding the members (default: the association's folder)")
    parser.add_argument("-t", "--exp-types", action="append", metavar="TYPE",
                        help="keep only members of this exposure type (repeatable)")
    parser.add_argument("-x", "--exclude-types", action="append", metavar="TYPE",
                        help="leave out members of this exposure type (repeatable)")
    parser.add_argument("-c", "--cmd", dest="shellcmd", metavar="CMD",
                        help="copy each member with this command instead of in Python")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="list each file copied")


def run(args: argparse.Namespace) -> int:
    from ..tools.gather import gather

    def report(line: str) -> None:
        print(line, file=sys.stderr)

    written = gather(
        args.association,
        args.destination,
        exp_types=args.exp_types,
        exclude_types=args.exclude_types,
        source_folder=args.source_folder,
        shellcmd=args.shellcmd,
        report=report if args.verbose else None,
    )
    if args.verbose:
        report(f"wrote {written}")
    return 0
