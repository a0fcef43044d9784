"""``asngen generate``: the reference ``asn_generate``, option for option."""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pool", help="association pool file (pipe-delimited text by default)")
    add_generate_options(parser)
    parser.add_argument("-p", "--path", default=".", help="folder to write the associations into (default: .)")
    parser.add_argument(
        "--save-orphans", nargs="?", const="orphaned.csv", default=None, metavar="FILE",
        help="also write the rows that are in no association, with the reason (default name: orphaned.csv)",
    )
    parser.add_argument("--dry-run", action="store_true", help="generate but write nothing")
    parser.add_argument(
        "-j", "--jobs", type=_jobs, default=None, metavar="N",
        help="processes for the candidate passes (default: every available CPU for pools of"
        " 200 rows or more; 1: this process only); the output is the same",
    )
    from .main import VERSION

    parser.add_argument("--version", action="version", version=VERSION)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, 1 or more, not {text!r}")
    return value


def add_generate_options(parser: argparse.ArgumentParser) -> None:
    """The options that decide what is generated (shared by explain, report and batch)."""
    which = parser.add_mutually_exclusive_group()
    which.add_argument("-i", "--ids", nargs="+", metavar="ID", help="only these candidate ids (e.g. o001 c1000)")
    which.add_argument("--discover", action="store_true", help="only discovered (a3001) associations")
    which.add_argument("--all-candidates", action="store_true", help="only candidate associations")
    parser.add_argument("--version-id", nargs="?", const=True, default=None, metavar="ID",
                        help="version stamp in file names; bare: a UTC timestamp")
    parser.add_argument("-r", "--rules", action="append", metavar="FILE",
                        help="rule file to load (repeatable); see also --ignore-default")
    parser.add_argument("--ignore-default", action="store_true", help="do not load the built-in rules")
    parser.add_argument("-d", "--delimiter", default="|", help="pool column delimiter (default: |)")
    parser.add_argument("--pool-format", default="ascii", help="astropy table format of the pool (default: ascii)")
    parser.add_argument("-v", "--verbose", action="store_true", help="report progress and results")
    parser.add_argument("-D", "--debug", action="store_true",
                        help="keep pruned duplicates, renamed dupNNNNN_<name>")
    parser.add_argument("--DMS", dest="dms", action="store_true",
                        help="archive (DMS) conditions: with -i, also generate the background candidates")
    parser.add_argument("--format", dest="fmt", choices=("json", "yaml"), default="json",
                        help="association file format (default: json)")
    parser.add_argument("--no-finalize", action="store_true", help="skip finalization (validity, pruning, numbering)")
    parser.add_argument("--merge", action="store_true", help="merge Level 2 associations of one candidate")
    parser.add_argument("--no-merge", action="store_true", help="do not merge (the default; accepted for compatibility)")
    parser.add_argument("--per-pool-algorithm", action="store_true", help="one pass over the whole pool")
    parser.add_argument("--strict", action="store_true", help="stop at the first row that cannot be classified")


def options_from_args(args: argparse.Namespace):
    from ..options import GenerateOptions

    return GenerateOptions(
        ids=tuple(args.ids) if args.ids else None,
        discover=args.discover,
        all_candidates=args.all_candidates,
        rules=tuple(args.rules or ()),
        ignore_default=args.ignore_default,
        version_id=args.version_id or None,
        delimiter=args.delimiter,
        pool_format=args.pool_format,
        dms=args.dms,
        debug=args.debug,
        finalize=not args.no_finalize,
        merge=args.merge,
        per_pool_algorithm=args.per_pool_algorithm,
        fmt=args.fmt,
        strict=args.strict,
        jobs=getattr(args, "jobs", 1),
    )


def run(args: argparse.Namespace) -> int:
    from ..api import rare_collections

    with rare_collections():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from ..api import generate, write_result
    from ..generator.loop import RunState

    options = options_from_args(args)
    state = RunState()
    if args.verbose:
        state.on_progress = lambda label: print(f"candidate {label} done", file=sys.stderr)
    if args.save_orphans and not args.dry_run:
        from ..explain import Recorder

        state.recorder = Recorder()  # the orphan table says why; recording costs only then
    result = generate(args.pool, options, run=state)
    reasons = None
    if args.save_orphans and not args.dry_run:
        from ..explain import orphan_reasons

        reasons = orphan_reasons(result.orphans, result, recorder=state.recorder, options=options)
    for warning in result.warnings:
        print(f"asngen generate: warning: {warning}", file=sys.stderr)
    for asn in result.skipped:
        print(f"asngen generate: warning: not written, association is not valid: {asn.asn_name()}",
              file=sys.stderr)
    if not args.dry_run:
        from ..generator.parallel import usable_jobs

        processes = usable_jobs(options.jobs, result.rows)  # as many as generating used (or would have)
        write_result(result, args.path, args.save_orphans, reasons, processes)
    if args.verbose or args.dry_run:
        print(
            f"{result.rows} rows, {len(result.associations)} associations, "
            f"{len(result.orphans)} rows in no association", file=sys.stderr,
        )
    return 0
