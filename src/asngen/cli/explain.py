"""``asngen explain``: why exposures were, or were not, associated."""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = """\
Generate the pool's associations (with the same options as asngen generate)
while recording every decision, then explain:

  --exposure NAME   for each matching exposure (file name, or part of it):
                    the associations it is in, each rule that took it, and
                    each rule that refused it with the constraint, the row's
                    value and the value or pattern required;
  --orphans         every exposure that is in no written association, with
                    the most telling reason;
  --asn NAME        for a written association (file name, name, or product
                    name): why each member is in it.

With none of these, a summary and the orphans are shown.  --json prints one
JSON document for programs instead of sentences.  Nothing is written.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    from .generate import add_generate_options

    parser.description = DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("pool", help="association pool file")
    add_generate_options(parser)
    parser.add_argument("--exposure", "-e", nargs="+", action="extend", default=[], metavar="NAME",
                        help="explain these exposures (file name or a unique part of it)")
    parser.add_argument("--orphans", action="store_true", help="explain every exposure in no association")
    parser.add_argument("--asn", nargs="+", action="extend", default=[], metavar="NAME",
                        help="explain the membership of these written associations")
    parser.add_argument("--full", action="store_true",
                        help="list every refusing rule and pass separately (text output)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of sentences")


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..explain import explain
    from .generate import options_from_args

    exposures: list = []
    model = explain(args.pool, options_from_args(args))
    for name in args.exposure:
        found = model.find_exposures(name)
        if not found:
            raise UsageError(f"no exposure of the pool matches {name!r}", file=args.pool)
        exposures += [model.exposure(filename) for filename in found]
    associations = []
    for name in args.asn:
        found = model.find_associations(name)
        if not found:
            raise UsageError(f"no written association matches {name!r}", file=args.pool)
        associations += [model.association(asn) for asn in found]
    show_orphans = args.orphans or not (args.exposure or args.asn)
    orphans = model.orphans() if show_orphans else []
    result = model.result
    summary = {
        "pool": result.pool_name, "rows": result.rows, "associations": len(result.associations),
        "orphans": len(result.orphans),
    }
    if args.json:
        document = {"summary": summary}
        if args.exposure:
            document["exposures"] = [e.to_dict() for e in exposures]
        if args.asn:
            document["associations"] = [a.to_dict() for a in associations]
        if show_orphans:
            document["orphans"] = [{"filename": e.filename, "reason": e.reason} for e in orphans]
        _emit(json.dumps(document, indent=1) + "\n")
        return 0
    out = []
    for warning in result.warnings:
        out.append(f"warning: {warning}")
    for explanation in exposures:
        out += explanation.lines(full=args.full) + [""]
    for explanation in associations:
        out += explanation.lines() + [""]
    if show_orphans:
        out.append(f"{summary['rows']} rows, {summary['associations']} associations, "
                   f"{summary['orphans']} rows in no association")
        out += [f"  {e.filename}: {e.reason}" for e in orphans]
    _emit("\n".join(out).rstrip("\n") + "\n")
    return 0


def _emit(text: str) -> None:
    """Print, and end quietly when the reader of a pipe (``| head``) has gone."""
    import os

    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
