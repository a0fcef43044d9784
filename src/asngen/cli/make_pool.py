"""``asngen make-pool``: write a pool made from FITS primary headers."""

from __future__ import annotations

import argparse

DESCRIPTION = """\
Make an association pool from the primary headers of FITS files and write
it to POOL (replacing any file of that name), in the same layout as the
pipeline's asn_make_pool.

Columns are the lower-cased union of all header keywords plus filename;
"null" marks keywords a file lacks.  The columns the rules need but headers
do not carry are filled in: asn_candidate ([('o<OBSERVTN>', 'observation')]
plus --asn-candidate), targetid (count of distinct TARGNAME values so far),
mostilno and dithptin (1), and dms_note, is_imprt and pntgtype from the
options below.  Every file needs OBSERVTN and TARGNAME keywords.
"""

EPILOG = """\
example:
  asngen make-pool my_pool.csv --asn-candidate "[('c1000', 'background')]" *_uncal.fits
  asngen generate my_pool.csv
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("pool", metavar="POOL", help="pool file to write")
    parser.add_argument("data", nargs="+", metavar="FITS", help="FITS files, one pool row each")
    parser.add_argument("--asn-candidate", default=None, metavar="LIST",
                        help="extra candidates for every row, e.g. \"[('c1000', 'background')]\"")
    parser.add_argument("--dms-note", default="", help="dms_note column (default: empty)")
    parser.add_argument("--is-imprt", default="f", help='is_imprt column; "t" marks imprint exposures (default: f)')
    parser.add_argument("--pntgtype", default="science",
                        help="pntgtype column, e.g. target_acquisition (default: science)")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="accepted for compatibility; has no effect")


def run(args: argparse.Namespace) -> int:
    from ..tools.make_pool import make_pool, write_pool

    table = make_pool(
        args.data,
        asn_candidate=args.asn_candidate,
        dms_note=args.dms_note,
        is_imprt=args.is_imprt,
        pntgtype=args.pntgtype,
    )
    write_pool(table, args.pool)
    return 0
