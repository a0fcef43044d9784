"""``asngen report``: a static HTML page about a pool's associations."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """\
Generate the pool's associations (with the same options as asngen generate)
and write one self-contained HTML page: a summary (rows, associations by
type, orphans), a matrix of which observations' exposures went into which
types of association, a card per association with its members, and every
exposure in no association with the reason.  The page needs no network to
be viewed.  No association files are written.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    from .generate import add_generate_options

    parser.description = DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("pool", help="association pool file")
    add_generate_options(parser)
    parser.add_argument("-o", "--output", default="report.html", metavar="FILE",
                        help="the page to write (default: report.html)")
    parser.add_argument("--title", help="page title (default: Associations of POOL)")


def run(args: argparse.Namespace) -> int:
    from ..explain import explain
    from ..report import write_report
    from .generate import options_from_args

    model = explain(args.pool, options_from_args(args))
    path = write_report(model, args.output, args.title)
    if args.verbose:
        result = model.result
        print(f"{result.rows} rows, {len(result.associations)} associations, "
              f"{len(result.orphans)} rows in no association: {path}", file=sys.stderr)
    return 0
