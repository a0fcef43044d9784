#!/usr/bin/env python3
"""Time ``asngen generate`` on pools of other shapes than the benchmark's.

    python benchmarks/shapes.py --rows 100000 [--seed 1] [--work-dir DIR] [--dry-run]

``run.py``'s synthetic pools list each observation's exposures together,
and each row names its observation and at most a few c-type candidates.
A pool nobody has seen may be shaped otherwise, and a cost that grows with
the product of two of its sizes shows only there (the forty-second session
found one: thousands of candidates, each searched for in every text).  Each
shape below is made from the synthetic pool of (rows, seed), with as many
rows, and timed as ``run.py`` times a pool (a fresh process, pinned to one
CPU, peak memory from ``getrusage``); the last column compares it with the
plain pool.  The shapes' pools are written beside the outputs and stay
there; the script needs only the standard library.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_pool  # noqa: E402 - beside this script
from measuring import measure  # noqa: E402
from pool_rows import Rng  # noqa: E402
from pool_text import PoolText  # noqa: E402
from run import asngen_command  # noqa: E402

#: c-type candidates per row of the ``multi_candidates`` shape: 0 to this many more
MORE_CANDIDATES = 6


def _setter(pool: PoolText) -> Callable[[list[str], str, str], None]:
    """Sets a row's cell by column name (a column the pool lacks is left out); the columns
    are looked up once, not for every row."""
    columns = {name: pool.column(name) for name in (cell.strip().lower() for cell in pool.header)}

    def set_cell(row: list[str], name: str, value: str) -> None:
        column = columns.get(name)
        if column is not None:
            row[column] = value

    return set_cell


def one_observation(pool: PoolText, seed: int) -> PoolText:
    """As many rows of one imaging observation: a mosaic of that many exposures over eight
    detectors, one candidate (the shape of a program's largest observations)."""
    exp_type, pointing = pool.column("exp_type"), pool.column("pntgtype")
    template = next(
        (row for row in pool.rows if row[exp_type].upper() == "NRC_IMAGE" and row[pointing].upper() == "SCIENCE"),
        None,
    )
    if template is None:
        raise SystemExit("shapes.py: the pool has no NIRCam science image to copy")
    detectors = ["NRCA1", "NRCA2", "NRCA3", "NRCA4", "NRCB1", "NRCB2", "NRCB3", "NRCB4"]
    set_cell = _setter(pool)
    rows = []
    for number in range(len(pool.rows)):
        row = list(template)
        detector = detectors[number % 8]
        visit, exposure = 1 + number // 8 // 100, 1 + number // 8 % 100
        set_cell(row, "obs_num", "1")
        set_cell(row, "visit", str(visit))
        set_cell(row, "exposure", str(exposure))
        set_cell(row, "detector", detector)
        set_cell(row, "mostilno", str(number // 8 % 50 + 1))
        set_cell(row, "asn_candidate", "[('o001', 'OBSERVATION')]")
        set_cell(row, "filename", f"jw00001001{visit:03d}_02101_{exposure:05d}_{detector.lower()}_uncal.fits")
        rows.append(row)
    return PoolText(list(pool.comments), list(pool.header), rows)


def shuffled(pool: PoolText, seed: int) -> PoolText:
    """The rows in random order (the memos of the row before find less)."""
    return PoolText(list(pool.comments), list(pool.header), [list(row) for row in Rng(seed).shuffled(pool.rows)])


def _relisted(pool: PoolText, more: Callable[[], list[str]]) -> PoolText:
    """The pool with each row's ASN_CANDIDATE made its observation and the pairs ``more``
    gives for the row."""
    number, listed = pool.column("obs_num"), pool.column("asn_candidate")
    rows = []
    for row in pool.rows:
        row = list(row)
        row[listed] = "[" + ", ".join([f"('o{int(row[number]):03d}', 'OBSERVATION')", *more()]) + "]"
        rows.append(row)
    return PoolText(list(pool.comments), list(pool.header), rows)


def many_candidates(pool: PoolText, seed: int) -> PoolText:
    """Each row in its observation and one of a twentieth as many mosaic candidates as rows:
    about as many distinct ASN_CANDIDATE texts as rows."""
    rng = Rng(seed)
    count = max(1, len(pool.rows) // 20)
    return _relisted(pool, lambda: [f"('c{1000 + rng.below(count)}', 'MOSAIC')"])


def multi_candidates(pool: PoolText, seed: int) -> PoolText:
    """Each row in its observation and 0 to 6 more of a 250th as many c-type candidates as rows
    (mosaics and backgrounds): four candidates a row on average, each with rows of everywhere."""
    rng = Rng(seed)
    count = max(1, len(pool.rows) // 250)
    return _relisted(pool, lambda: [
        f"('c{1000 + rng.below(count)}', '{rng.pick(['MOSAIC', 'BACKGROUND'])}')"
        for _ in range(rng.below(MORE_CANDIDATES + 1))
    ])


def plain(pool: PoolText, seed: int) -> PoolText:
    return pool


#: name -> (how the pool is made from the synthetic one, more options of ``generate``)
SHAPES: dict[str, tuple[Callable[[PoolText, int], PoolText], list[str]]] = {
    "plain": (plain, []),
    "one_observation": (one_observation, []),
    "shuffled": (shuffled, []),
    "many_candidates": (many_candidates, []),
    "multi_candidates": (multi_candidates, []),
    "per_pool": (plain, ["--per-pool-algorithm"]),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows of every pool (default 10,000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic pool and the shapes")
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), help="only these shapes")
    parser.add_argument("--work-dir", type=Path, help="pools and outputs go here (default: a temporary folder)")
    parser.add_argument("--cpu", type=int, default=0, help="CPU to pin the runs to (-1: not pinned)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds a run may take")
    parser.add_argument("--dry-run", action="store_true", help="generate without writing the files")
    parser.add_argument("--asngen", help="command to run (default: the asngen beside this Python)")
    args = parser.parse_args(argv)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="asngen-shapes-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"synthetic_{args.rows}r_s{args.seed}_pool.csv"
    if not source.exists():
        make_pool.write_pool(source, args.rows, args.seed)
    synthetic = PoolText.read(source)
    asngen = asngen_command(args)
    print(f"{'shape':18} {'rows':>9} {'asns':>9} {'wall s':>9} {'user s':>9} {'peak MB':>9} {'x plain':>8}")
    base = None
    for name in args.shapes or SHAPES:
        make, options = SHAPES[name]
        pool = source if make is plain else work / f"{name}_{args.rows}r_s{args.seed}_pool.csv"
        if not pool.exists():
            make(synthetic, args.seed).write(pool)
        out = work / f"out-{name}"
        shutil.rmtree(out, ignore_errors=True)
        command = [*asngen, "generate", str(pool), "-p", str(out), "-j", "1", *options]
        result = measure([*command, "--dry-run"] if args.dry_run else command, args.timeout, args.cpu, work)
        if result.returncode != 0 or result.timed_out:
            print(f"{name:18} failed: {result.stderr_tail or 'timed out'}")
            continue
        files = "-" if args.dry_run else str(sum(1 for _ in out.iterdir()))
        base = result.user_s if name == "plain" else base
        ratio = f"{result.user_s / base:.2f}" if base else "-"
        print(f"{name:18} {args.rows:9,} {files:>9} {result.wall_s:9.2f} {result.user_s:9.2f} "
              f"{result.maxrss_bytes / 1e6:9.1f} {ratio:>8}", flush=True)
    print(f"pools and outputs: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
