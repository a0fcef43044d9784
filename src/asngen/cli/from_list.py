"""``asngen from-list``: write an association made from a list of files."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Build an association from a list of files and write it to OUT.

With the default rule (DMS_Level3_Base) or any Level 3 rule (Asn_Lv3...)
the result has one product, named by --product-name, with every FILE as a
science member.  With DMSLevel2bBase or a Level 2 rule (Asn_Lv2...) each FILE
becomes its own product, named after the file without extension and
calibration suffix.  With "Association" the file only lists the names.

The output equals what the pipeline's asn_from_list writes for the same
arguments, except code_version.  Like asn_from_list, the id given with -i is
checked for Level 2 rules but the file always says asn_id "a3001".
"""

EPILOG = """\
examples:
  asngen from-list -o mosaic_asn.json --product-name my_mosaic *_cal.fits
  asngen from-list -o image2_asn.json -r DMSLevel2bBase *_rate.fits
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("-o", "--output-file", required=True, metavar="OUT",
                        help="file to write the association to (required)")
    parser.add_argument("-r", "--rule", default="DMS_Level3_Base",
                        help='rule that decides the shape (default: "%(default)s")')
    parser.add_argument("--product-name", help="name of the product (needed by Level 3 rules)")
    parser.add_argument("-i", "--id", dest="acid", default="o999", metavar="ID",
                        help='candidate id; Level 2 needs oNNN or cNNNN (default: "%(default)s")')
    parser.add_argument("-f", "--format", dest="fmt", choices=("json", "yaml"), default="json",
                        help="file format (default: json, the only one the pipeline reads)")
    parser.add_argument("files", nargs="+", metavar="FILE", help="files to include as members")


def run(args: argparse.Namespace) -> int:
    from ..output import write_files_atomically
    from ..tools.from_list import from_list

    asn = from_list(args.files, rule=args.rule, product_name=args.product_name, acid=args.acid)
    out = Path(args.output_file)
    write_files_atomically(out.parent, [(out.name, asn.dumps(args.fmt))])
    return 0
