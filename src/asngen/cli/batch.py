"""``asngen batch``: generate many pools, each into its own folder, optionally on Dask.

The work itself is :func:`asngen.batch.batch`; this module turns the command
line into a call, draws a progress bar on a terminal, and prints the summary
that a nightly build log needs: how many pools were done, skipped and failed,
and the one-line error of each failure.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from .generate import add_generate_options, options_from_args


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pools", nargs="+", metavar="POOL_OR_FOLDER",
                        help="pool files, or folders standing for the *.csv pools inside them")
    add_generate_options(parser)
    parser.add_argument("-p", "--path", required=True, metavar="OUTDIR",
                        help="folder receiving one folder per pool, named after the pool's stem")
    parser.add_argument(
        "--save-orphans", nargs="?", const="orphaned.csv", default=None, metavar="FILE",
        help="also write each pool's rows that are in no association (default name: orphaned.csv)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="worker processes of a local Dask cluster (default: one per core); "
                            "1 runs in this process without Dask")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="use an existing Dask cluster, e.g. tcp://host:8786")
    parser.add_argument("--incremental", action="store_true",
                        help="skip pools whose bytes, options and asngen version are unchanged "
                             "since their last run (recorded in OUTDIR/asngen-batch-manifest.json)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (it is drawn only on a terminal anyway)")


class ProgressBar:
    """A one-line text bar redrawn in place; only meant for a terminal."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.drawn = False

    def update(self, finished: int, total: int, failed: int = 0) -> None:
        filled = self.width * finished // total if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        tail = f", {failed} failed" if failed else ""
        self.stream.write(f"\r[{bar}] {finished}/{total} pools{tail}")
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        """Erase the bar so that a message can be printed on a clean line."""
        if self.drawn:
            self.stream.write("\r\033[K")
            self.drawn = False

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def summary_lines(outcome) -> list[str]:
    """The end-of-run summary: totals, then one line per failed pool."""
    rate = (outcome.done + outcome.failed) / outcome.seconds if outcome.seconds > 0 else 0.0
    lines = [
        f"{len(outcome)} pools: {outcome.done} done, {outcome.skipped} skipped, "
        f"{outcome.failed} failed; {outcome.associations} associations written "
        f"in {outcome.seconds:.1f} s ({rate:.1f} pools/s)"
    ]
    failures = outcome.failures
    if failures:
        lines.append("failed pools (their output folders are untouched):")
        lines.extend(f"  {failure_text(result)}" for result in failures)
    return lines


def failure_text(result) -> str:
    """The pool and its error, naming the pool once when the error already starts with it."""
    error = result.error or "failed"
    if error.startswith(result.pool) and error[len(result.pool):len(result.pool) + 1] in (":", ","):
        return error
    return f"{result.pool}: {error}"


def run(args: argparse.Namespace) -> int:
    from ..batch import DONE, FAILED, batch

    options = options_from_args(args)
    stderr = sys.stderr
    bar = ProgressBar(stderr) if not args.no_progress and stderr.isatty() else None
    failed = 0

    def on_result(result, finished: int, total: int) -> None:
        nonlocal failed
        failed += result.status == FAILED
        if args.verbose:
            if bar is not None:
                bar.clear()
            if result.status == FAILED:
                text = f"failed {failure_text(result)}"
            elif result.status == DONE:
                text = f"done {result.pool}: {result.associations} associations, {result.seconds:.2f} s"
            else:
                text = f"skipped {result.pool}: unchanged"
            print(f"asngen batch: {text}", file=stderr)
            for warning in result.warnings:
                print(f"asngen batch: warning: {result.pool}: {warning}", file=stderr)
        if bar is not None:
            bar.update(finished, total, failed)

    try:
        outcome = batch(
            args.pools, args.path, options, workers=args.workers, scheduler=args.scheduler,
            incremental=args.incremental, orphans_file=args.save_orphans, on_result=on_result,
        )
    finally:
        if bar is not None:
            bar.close()
    for warning in outcome.warnings:
        print(f"asngen batch: warning: {warning}", file=stderr)
    for line in summary_lines(outcome):
        print(line)
    return 0 if outcome.ok else 1
