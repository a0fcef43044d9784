#!/usr/bin/env python3
"""Cut whole observations out of a large pool, with the observations their candidates tie them to.

    python benchmarks/cut_pool.py POOL --seeds 1-10 --rows 300-900 -o DIR
    python benchmarks/diff_reference.py DIR/*.csv -j 1

The reference cannot run a large program's pool (a 1,000,000-row synthetic
pool has observations of a thousand exposures and more), and the cuts
``mutate_pool.py --at-most`` makes keep a random few rows of each
observation.  A pool nobody has seen may hold one observation of many
hundred exposures: a mosaic of thousands of dithers, an MSA program of many
configurations and nods.  Each cut here is one such observation, whole, as
it stands in the source pool, plus the observations that share a c-type
candidate with it (its background, PSF, mosaic or direct-image partners)
while the cut stays within the row limit.  Rows keep their order and text.

A seed picks the observation, among those whose own rows fit the
``--rows`` range (``Rng``: stable across Python versions), so a cut is
written again from its seed.  The observations taken are named in the
pool's comment lines; the pool is named ``SOURCE__cutSEED.csv``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutate_pool import _seeds  # noqa: E402 - beside this script
from pool_rows import Rng  # noqa: E402
from pool_text import CANDIDATE_ID, PoolText  # noqa: E402


class Observations:
    """A pool's rows by observation number (observations in order of first appearance), and
    the c-type candidate ids each observation's rows name."""

    def __init__(self, pool: PoolText) -> None:
        number_column = pool.column("obs_num")
        if number_column is None:
            raise SystemExit("cut_pool.py: the pool has no OBS_NUM column")
        candidate_column = pool.column("asn_candidate")
        self.rows: dict[str, list[int]] = {}
        cells: dict[str, set[str]] = {}
        for position, row in enumerate(pool.rows):
            number = row[number_column].strip().lstrip("0") or "0"
            self.rows.setdefault(number, []).append(position)
            if candidate_column is not None:
                cells.setdefault(number, set()).add(row[candidate_column])
        self.candidates: dict[str, set[str]] = {
            number: {found.lower() for cell in texts for found in CANDIDATE_ID.findall(cell)
                     if found.lower().startswith("c")}
            for number, texts in cells.items()
        }

    def partners(self, chosen: str) -> list[str]:
        """The observations sharing a c-type candidate with ``chosen``, in pool order."""
        wanted = self.candidates.get(chosen, set())
        return [number for number in self.rows
                if number != chosen and wanted & self.candidates.get(number, set())]


def cut(pool: PoolText, found: Observations, seed: int, low: int, high: int,
        tied: bool = False) -> tuple[PoolText, list[str]] | None:
    """The cut of ``seed`` (None: no observation's size is in the range), and the observations
    it holds, the chosen one first.  ``tied``: choose among observations in a c-type candidate."""
    fitting = [number for number, positions in found.rows.items()
               if low <= len(positions) <= high and (found.candidates.get(number) or not tied)]
    if not fitting:
        return None
    chosen = Rng(seed).pick(fitting)
    taken = [chosen]
    size = len(found.rows[chosen])
    for number in found.partners(chosen):
        if size + len(found.rows[number]) <= high:
            taken.append(number)
            size += len(found.rows[number])
    positions = sorted(position for number in taken for position in found.rows[number])
    rows = [list(pool.rows[position]) for position in positions]
    return PoolText(list(pool.comments), list(pool.header), rows), taken


def _range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pool", type=Path, help="source pool (pipe-delimited text)")
    parser.add_argument("--seeds", default="1-10", help="seeds, e.g. 1-40 or 3,7,9 (default 1-10)")
    parser.add_argument("--rows", default="300-900", type=_range,
                        help="rows of the chosen observation, and most rows of a cut (default 300-900)")
    parser.add_argument("--tied", action="store_true",
                        help="choose only observations that share a c-type candidate with others")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder for the new pools")
    args = parser.parse_args(argv)
    low, high = args.rows
    args.output.mkdir(parents=True, exist_ok=True)
    pool = PoolText.read(args.pool)
    found = Observations(pool)
    for seed in _seeds(args.seeds):
        made = cut(pool, found, seed, low, high, args.tied)
        if made is None:
            print(f"no observation of {low} to {high} rows in {args.pool}", file=sys.stderr)
            return 1
        part, taken = made
        part.comments.append(f"# cut_pool.py seed {seed}: observations {', '.join(taken)}")
        target = args.output / f"{args.pool.stem}__cut{seed}.csv"
        part.write(target)
        print(f"{target}: {len(part.rows)} rows; observations {', '.join(taken)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
