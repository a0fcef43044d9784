"""``asngen edit``: add files to or remove files from an association."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """\
Add files to, or remove files from, an association file, in place or into
another file (-o).  Works like the pipeline's asn_edit.

-a adds each FILE (its file name only) as a member of every product, with
the exposure type given by -t.  The files are not checked for existence.

-r removes every member whose expname is FILE's file name; with -i, names
are compared without folder, extension and calibration suffix (x_cal.fits
then also removes x_rate.fits).  Products left empty are removed.  Names
that match nothing are reported as a warning and the rest is done.

With neither -a nor -r the file is rewritten unchanged.  The file is
replaced whole, never half-written.
"""

EPILOG = """\
examples:
  asngen edit -a -t background my_asn.json ../bkg/jw01234001001_02101_00001_nrs1_rate.fits
  asngen edit -r -i -o trimmed_asn.json my_asn.json jw01234001001_01101_00002_nrs1
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("-a", "--add", action="store_true", help="add the files to every product")
    mode.add_argument("-r", "--remove", action="store_true", help="remove the files from the association")
    parser.add_argument("-t", "--type", default="science", metavar="TYPE",
                        help="exposure type of added files (default: %(default)s)")
    parser.add_argument("-i", "--ignore", action="store_true",
                        help="ignore folder, extension and calibration suffix when removing")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="write to this file (.json) instead of changing ASN")
    parser.add_argument("association", metavar="ASN", help="association file (.json)")
    parser.add_argument("filenames", nargs="+", metavar="FILE", help="files to add or remove")


def run(args: argparse.Namespace) -> int:
    from ..tools.edit import edit

    action = "add" if args.add else "remove" if args.remove else None
    written, not_found = edit(
        args.association,
        args.filenames,
        action=action,
        exptype=args.type,
        ignore_suffix=args.ignore,
        output=args.output,
    )
    if not_found:
        print(
            f"asngen edit: warning: {args.association}: not found, nothing removed for: "
            + ", ".join(not_found),
            file=sys.stderr,
        )
    return 0
