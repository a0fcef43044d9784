#!/usr/bin/env python3
"""Write a realistic synthetic association pool of a given size and seed.

    python benchmarks/make_pool.py --rows N --seed S -o FILE

The pool is one large program: up to 999 observations (observation numbers
have three digits), drawn from the observing modes of ``pool_modes`` -- NIRCam,
MIRI and NIRISS imaging with dithers and mosaics, NIRSpec MOS / IFU / fixed
slit with nods and imprints, MIRI MRS and LRS, coronagraphy and AMI with PSF
references, time series, NIRISS and NIRCam WFSS with direct images, and the
target acquisitions that go with them.  Observations are tied together by
c-type candidates the way DMS pools tie them: ``BACKGROUND`` (science and
background observation), ``MOSAIC`` (several observations of one field),
``PSF`` (science and PSF-reference observation) and ``DIRECT_IMAGE``.

How the size is reached: observations are planned group by group, each with
its natural size (tens of rows), until the natural sizes add up to the
requested row count or the 999 observations are used.  Small pools are cut
at the last observation; large pools give the remaining rows to the modes
that grow naturally (more mosaic tiles, MSA configurations, IFU dithers);
kinds whose backgrounds or PSFs join program-wide are capped (``CAPPED_KINDS``).  So
a 1,000-row pool has a few dozen observations of every kind and a
1,000,000-row pool is a large survey program with ~1,000 rows per observation.

The output depends only on (rows, seed) and is streamed: memory stays small
whatever the size.  The script needs only the standard library.
"""

from __future__ import annotations

import argparse
import operator
import os
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pool_modes import (  # noqa: E402  (the sibling module, also when imported by path)
    COLUMNS,
    MODES,
    SCALABLE,
    TSO_FLAVOURS,
    ObsPlan,
    Rng,
    observation_rows,
)

MAX_OBS = 999

#: Group kinds whose background or PSF exposures join every association of the
#: same optical path in the program, whatever its target (that is what the
#: rules say).  Real programs have a handful of such groups; drawing them in
#: every round would make the *output* grow with the square of the pool, so a
#: pool holds at most this many groups of each.
CAPPED_KINDS = frozenset(
    {"miri_image_bkg", "nirspec_ifu_bkg", "nirspec_fs_bkg", "miri_mrs", "miri_mrs_bkg",
     "nircam_coron", "miri_coron", "niriss_ami"}
)
MAX_CAPPED_GROUPS = 3

#: Group kinds and how many of each go into one shuffled round of the deck.
#: A round holds every kind, so even a 1,000-row pool shows every mode.
DECK: dict[str, int] = {
    "nircam_image": 2,
    "nircam_mosaic": 1,
    "miri_image": 2,
    "miri_image_bkg": 1,
    "miri_mosaic": 1,
    "niriss_image": 1,
    "nirspec_mos": 2,
    "nirspec_ifu": 1,
    "nirspec_ifu_bkg": 1,
    "nirspec_fs": 1,
    "nirspec_fs_bkg": 1,
    "miri_mrs": 1,
    "miri_mrs_bkg": 1,
    "miri_lrs": 1,
    "nircam_coron": 1,
    "miri_coron": 1,
    "niriss_ami": 1,
    "tso": 2,
    "niriss_wfss": 1,
    "niriss_wfss_direct": 1,
    "nircam_wfss": 1,
}


class Planner:
    """Draws groups of observations and hands out observation, target and candidate numbers."""

    def __init__(self, rng: Rng) -> None:
        self.rng = rng
        self.next_obs = 1
        self.next_target = 1
        self.next_cid = 1000
        self.tso_count = 0
        self._deck: list[str] = []
        self._drawn: dict[str, int] = {}

    def _kind(self) -> str:
        while True:
            if not self._deck:
                self._deck = self.rng.shuffled([k for k, n in DECK.items() for _ in range(n)])
            kind = self._deck.pop()
            if kind in CAPPED_KINDS and self._drawn.get(kind, 0) >= MAX_CAPPED_GROUPS:
                continue
            self._drawn[kind] = self._drawn.get(kind, 0) + 1
            return kind

    def _target(self) -> int:
        self.next_target += 1
        return self.next_target - 1

    def _cid(self) -> str:
        self.next_cid += 1
        return f"c{self.next_cid - 1}"

    def group(self) -> list[ObsPlan]:
        """The observations of the next group (not yet numbered)."""
        kind = self._kind()
        rng = self.rng
        mode = kind.removesuffix("_bkg").removesuffix("_direct")
        mode = {"nircam_mosaic": "nircam_image", "miri_mosaic": "miri_image"}.get(mode, mode)
        params = MODES[mode][2](rng)
        if mode == "tso":  # take the four time-series flavours in turn, so small pools have all
            params["flavour"] = TSO_FLAVOURS[self.tso_count % len(TSO_FLAVOURS)]
            self.tso_count += 1
        target = self._target()

        def obs(
            candidates: list[tuple[str, str]], tgt: int = target, flags=None, p=None
        ) -> ObsPlan:
            return ObsPlan(0, mode, tgt, candidates, dict(p or params), dict(flags or {}))

        if kind.endswith("_bkg"):
            cid = (self._cid(), "BACKGROUND")
            return [obs([cid]), obs([cid], self._target(), {"BKGDTARG": "T"})]
        if kind.endswith("_mosaic"):
            cid = (self._cid(), "MOSAIC")
            return [obs([cid]) for _ in range(rng.between(2, 3))]
        if kind.endswith("_direct"):
            return [obs([(self._cid(), "DIRECT_IMAGE")])]
        if "psf_in_obs" in params:  # coronagraphy and AMI
            params["psf_target"] = self._target()
            if params["psf_in_obs"]:
                return [obs([])]
            cid = (self._cid(), "PSF")
            psf = {"IS_PSF": "T"}
            return [obs([cid]), obs([cid], params["psf_target"], psf)]
        return [obs([])]

    def number(self, plans: list[ObsPlan]) -> None:
        """Give the group its observation numbers; every row lists its own observation first."""
        for plan in plans:
            plan.num = self.next_obs
            self.next_obs += 1
            plan.candidates.insert(0, (f"o{plan.num:03d}", "OBSERVATION"))


def measure(program: int, plan: ObsPlan) -> None:
    """Set ``natural`` (rows of the planned visits) and ``unit`` (rows of one more visit)."""
    obs, rows = observation_rows(program, plan)
    planned = plan.params.get("visits", 1)
    natural = unit = 0
    for _ in rows:
        if obs.block <= planned:
            natural += 1
        elif obs.block == planned + 1:
            unit += 1
        else:
            break
    plan.natural, plan.unit = natural, max(unit, 1)


def plan_pool(rows: int, seed: int) -> tuple[int, list[ObsPlan]]:
    """The program number and the observations, with budgets that add up to ``rows``."""
    rng = Rng(seed)
    program = rng.between(1000, 9999)
    planner = Planner(rng)
    plans: list[ObsPlan] = []
    total = 0
    while total < rows:
        group = planner.group()
        if planner.next_obs + len(group) - 1 > MAX_OBS:
            break
        planner.number(group)
        for plan in group:
            measure(program, plan)
            total += plan.natural
        plans.extend(group)

    if total >= rows:  # cut: the last observations lose their tail
        left = rows
        for plan in plans:
            plan.budget = min(plan.natural, left)
            left -= plan.budget
        return program, [p for p in plans if p.budget > 0]

    for plan in plans:
        plan.budget = plan.natural
    # backgrounds do not grow: each background exposure joins every association of its path
    grow = [p for p in plans if p.mode in SCALABLE and "BKGDTARG" not in p.flags] or plans[-1:]
    weights = [p.unit * (0.5 + rng.random()) for p in grow]
    extra = rows - total
    shares = [extra * w / sum(weights) for w in weights]
    given = [int(s) for s in shares]
    # largest remainders first, ties by position, so the budgets add up exactly
    order = sorted(range(len(grow)), key=lambda i: (given[i] - shares[i], i))
    for i in order[: extra - sum(given)]:
        given[i] += 1
    for plan, g in zip(grow, given, strict=True):
        plan.budget += g
    return program, plans


def pool_lines(rows: int, seed: int, lower: bool = False) -> Iterator[str]:
    """The pool's lines (header first), without line ends, one at a time."""
    program, plans = plan_pool(rows, seed)
    getter = operator.itemgetter(*COLUMNS)
    errs = Rng(seed ^ 0x5EED)
    yield "|".join(COLUMNS).lower() if lower else "|".join(COLUMNS)
    for plan in plans:
        _obs, stream = observation_rows(program, plan)
        for _, row in zip(range(plan.budget), stream, strict=False):
            if errs.random() < 0.002:  # a few exposures flagged by the operations team
                row["EXPOSERR"] = "UNSUCCESSFUL"
            line = "|".join(getter(row))
            yield line.lower() if lower else line


def write_pool(path: str | os.PathLike, rows: int, seed: int, lower: bool = False) -> None:
    """Write the pool to ``path`` atomically (a partial file never has the final name)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    try:
        with open(tmp, "w", encoding="ascii", newline="\n") as out:
            chunk: list[str] = []
            for line in pool_lines(rows, seed, lower):
                chunk.append(line)
                if len(chunk) >= 20000:
                    out.write("\n".join(chunk) + "\n")
                    chunk.clear()
            if chunk:
                out.write("\n".join(chunk) + "\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="number of exposure rows")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", required=True, help="pool file to write")
    parser.add_argument(
        "--lower", action="store_true", help="write everything lower-case, like the test pools"
    )
    parser.add_argument("--summary", action="store_true", help="print the plan per mode")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    write_pool(args.output, args.rows, args.seed, args.lower)
    if args.summary:
        _program, plans = plan_pool(args.rows, args.seed)
        by_mode: dict[str, list[int]] = {}
        for p in plans:
            by_mode.setdefault(p.mode, []).append(p.budget)
        print(f"{len(plans)} observations, {args.rows} rows")
        for mode, budgets in sorted(by_mode.items()):
            print(f"  {mode:14s} {len(budgets):4d} obs {sum(budgets):9d} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
