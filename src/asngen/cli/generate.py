"""``asngen generate``: the reference ``asn_generate``, option for option."""

from __future__ import annotations

import sys

from .arguments import APPEND, FLAG, OPTIONAL, SEVERAL, VALUE, Option, declare, read_plain

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    import argparse


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        import argparse

        raise argparse.ArgumentTypeError(f"expected a whole number of processes, 1 or more, not {text!r}")
    return value


#: the options that decide what is generated (shared by explain, report and batch)
GENERATE_OPTIONS = (
    Option(["-i", "--ids"], SEVERAL, "only these candidate ids (e.g. o001 c1000)", metavar="ID", exclusive=True),
    Option(["--discover"], FLAG, "only discovered (a3001) associations", exclusive=True),
    Option(["--all-candidates"], FLAG, "only candidate associations", exclusive=True),
    Option(["--version-id"], OPTIONAL, "version stamp in file names; bare: a UTC timestamp", const=True,
           metavar="ID"),
    Option(["-r", "--rules"], APPEND, "rule file to load (repeatable); see also --ignore-default",
           metavar="FILE"),
    Option(["--ignore-default"], FLAG, "do not load the built-in rules"),
    Option(["-d", "--delimiter"], VALUE, "pool column delimiter (default: |)", default="|"),
    Option(["--pool-format"], VALUE, "astropy table format of the pool (default: ascii)", default="ascii"),
    Option(["-v", "--verbose"], FLAG, "report progress and results; name every association left out as not valid"),
    Option(["-D", "--debug"], FLAG, "keep pruned duplicates, renamed dupNNNNN_<name>"),
    Option(["--DMS"], FLAG, "archive (DMS) conditions: with -i, also generate the background candidates",
           dest="dms"),
    Option(["--format"], VALUE, "association file format (default: json)", dest="fmt", default="json",
           choices=("json", "yaml")),
    Option(["--no-finalize"], FLAG, "skip finalization (validity, pruning, numbering)"),
    Option(["--merge"], FLAG, "merge Level 2 associations of one candidate"),
    Option(["--no-merge"], FLAG, "do not merge (the default; accepted for compatibility)"),
    Option(["--per-pool-algorithm"], FLAG, "one pass over the whole pool"),
    Option(["--strict"], FLAG, "stop at the first row that cannot be classified"),
)

#: the options of ``generate`` alone: where the files go, and how many processes make them
OUTPUT_OPTIONS = (
    Option(["-p", "--path"], VALUE, "folder to write the associations into (default: .)", default="."),
    Option(["--save-orphans"], OPTIONAL,
           "also write the rows that are in no association, with the reason (default name: orphaned.csv)",
           const="orphaned.csv", metavar="FILE"),
    Option(["--dry-run"], FLAG, "generate but write nothing"),
    Option(["-j", "--jobs"], VALUE,
           "processes for the candidate passes (default: every available CPU for pools of"
           " 200 rows or more; 1: this process only); the output is the same", metavar="N", convert=_jobs),
)

_POOL_HELP = "association pool file (pipe-delimited text by default)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pool", help=_POOL_HELP)
    declare(parser, GENERATE_OPTIONS)
    declare(parser, OUTPUT_OPTIONS)
    from .main import VERSION

    parser.add_argument("--version", action="version", version=VERSION)


def add_generate_options(parser: argparse.ArgumentParser) -> None:
    """The options that decide what is generated (shared by explain, report and batch)."""
    declare(parser, GENERATE_OPTIONS)


def plain_command_line(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of ``asngen generate ARGV`` as argparse would give them, when the line is
    plain enough to be read without it (see :mod:`asngen.cli.arguments`); None otherwise."""
    return read_plain(argv, "pool", GENERATE_OPTIONS + OUTPUT_OPTIONS,
                      {"command": "generate", "_module": "generate"})


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
    from ..api import paused_collector

    with paused_collector():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    options = options_from_args(args)
    recording = bool(args.save_orphans and not args.dry_run)
    if options.jobs != 1 and not recording and not options.per_pool_algorithm:
        _fork_early_worker(args.pool, options)  # (before the generator's modules are imported)
    try:
        return _generate_and_write(args, options, recording)
    finally:
        from ..forking import release_early_worker

        release_early_worker()  # (unless the passes took it)


def _generate_and_write(args: argparse.Namespace, options, recording: bool) -> int:
    from ..api import generate, write_result
    from ..generator.loop import RunState

    state = RunState()
    if args.verbose:
        state.on_progress = lambda label: print(f"candidate {label} done", file=sys.stderr)
    if recording:
        from ..explain import Recorder

        state.recorder = Recorder()  # the orphan table says why; recording costs only then
    if options.jobs != 1:
        from ..level_split import LevelSplit

        state.level_split = LevelSplit.for_command(options, args.path, args.dry_run, recording)
    try:
        result = generate(args.pool, options, run=state)
        split = state.level_split if state.level_split is not None and state.level_split.started else None
        reasons = None
        if args.save_orphans and not args.dry_run:
            from ..explain import orphan_reasons

            reasons = orphan_reasons(result.orphans, result, recorder=state.recorder, options=options)
        if split is None:
            _warn(result.warnings, [asn.asn_name() for asn in result.skipped], args.verbose)
        processes = 1
        if not args.dry_run:
            from ..generator.parallel import usable_jobs

            processes = usable_jobs(options.jobs, result.rows)  # as many as generating used (or would have)
        if split is not None:  # Level 3 is finished (and written) by a child: its warnings come then
            written, skipped = split.finish(result, processes)
            _warn(result.warnings, skipped, args.verbose)
        else:
            written = len(result.associations)
            if not args.dry_run:
                write_result(result, args.path, args.save_orphans, reasons, processes)
    finally:
        if state.level_split is not None:
            state.level_split.abandon()
    if args.verbose or args.dry_run:
        print(
            f"{result.rows} rows, {written} associations, "
            f"{len(result.orphans)} rows in no association", file=sys.stderr,
        )
    return 0


def _fork_early_worker(pool: str, options) -> None:
    """Fork the passes' worker before the pool is read, when the pool is large enough to use
    one (see :func:`asngen.forking.fork_early_worker`).  The worker runs the command up to the
    passes, on a state of its own that reports nothing, and exits there."""
    import os

    from .. import forking

    if not sys.platform.startswith("linux"):
        return
    try:
        large = os.stat(pool).st_size >= forking.EARLY_MIN_BYTES
        cpus = options.jobs or len(os.sched_getaffinity(0))
    except (AttributeError, OSError, TypeError, ValueError):
        return
    if not large or cpus < 2:
        return
    if forking.fork_early_worker():
        status = 1
        try:
            from ..api import generate
            from ..generator.loop import RunState

            generate(pool, options, run=RunState())  # exits in the passes (or when it has none)
        finally:
            os._exit(status)


#: associations left out as not valid that are named one by one, unless ``-v`` names them all:
#: ``--no-finalize`` leaves out nearly two for every row of a pool (553 warnings for 300 rows)
SKIPPED_NAMED = 10


def _warn(warnings: list[str], skipped: list[str], verbose: bool = False) -> None:
    for warning in warnings:
        print(f"asngen generate: warning: {warning}", file=sys.stderr)
    named = skipped if verbose or len(skipped) <= SKIPPED_NAMED else skipped[:SKIPPED_NAMED]
    for name in named:
        print(f"asngen generate: warning: not written, association is not valid: {name}", file=sys.stderr)
    if len(named) < len(skipped):
        print(
            f"asngen generate: warning: not written, {len(skipped) - len(named)} more associations "
            f"that are not valid ({len(skipped)} in all; -v names every one)", file=sys.stderr,
        )
