"""Rows of synthetic association pools: columns, seeded choices, observation counters.

Each observing mode is a generator of pool rows for one observation.  The
generators are written the way an APT program unrolls into exposures: a visit
holds activities, an activity holds exposures, and an exposure gives one row
per detector read out.  The column values copy the forms of the real DMS pools
in the golden corpus (``jw09505_*``, ``jw87800_*``): upper-case values,
``NULL`` for absent cells, ``T``/``F`` flags, unpadded numbers except where
the archive pads them (``ACT_ID``, ``VISIT_ID``, the file name).

Every generator is endless: once its natural structure (the visits the
observation was planned with) is written it keeps adding visits of the same
shape.  The caller takes exactly as many rows as the observation's budget, so
a pool of any size can be made from at most 999 observations.

Only ``Rng.random`` is used for randomness, because it is the one part of
Python's ``random`` module whose sequence is guaranteed stable across Python
versions; pools are therefore identical on every interpreter.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

#: The column set and order of the newest real DMS pool in the corpus
#: (jw09505_20251216t202003_pool.csv); it holds every column the rules read.
COLUMNS: tuple[str, ...] = (
    "FILENAME", "OBS_ID", "PROGRAM", "OBS_NUM", "VISIT", "VISIT_ID", "VISITGRP", "VISITYPE",
    "SEQ_ID", "ACT_ID", "EXPOSURE", "EXP_TYPE", "NEXPOSUR", "EXPCOUNT", "INSTRUME", "DETECTOR",
    "CHANNEL", "TARGETID", "TARGPROP", "TARGNAME", "TARGTYPE", "TEMPLATE", "PNTGTYPE", "PNTG_SEQ",
    "TARGORDN", "EXPSPCIN", "DITHPTIN", "MOSTILNO", "MODULE", "FILTER", "PUPIL", "DITHERID",
    "PATTTYPE", "PATTSTRT", "NUMDTHPT", "PATTSIZE", "SUBPXPTS", "PATT_NUM", "SUBPIXEL",
    "APERNAME", "SDP_VER", "SUBARRAY", "GRATING", "FXD_SLIT", "BAND", "GWA_XTIL", "GWA_YTIL",
    "ASN_CANDIDATE", "EXPOSERR", "IS_PSF", "IS_IMPRT", "BKGDTARG", "TSOVISIT", "MSASTATE",
    "MSAMETFL", "OPMODE", "LAMP", "SPEC_NUM", "SPAT_NUM", "DMS_NOTE", "EXSEGTOT", "NINTS",
    "NGROUPS", "MTSHADOW",
)  # fmt: skip

NULL = "NULL"

#: Values of the columns that most rows leave at their default.
DEFAULTS: dict[str, str] = dict.fromkeys(COLUMNS, NULL) | {
    "SEQ_ID": "1",
    "VISITGRP": "2",
    "VISITYPE": "PRIME_TARGETED_FIXED",
    "TARGTYPE": "FIXED",
    "PNTGTYPE": "SCIENCE",
    "SDP_VER": "2025_4a",
    "SUBARRAY": "FULL",
    "BKGDTARG": "F",
    "TSOVISIT": "F",
    "LAMP": "OFF",
    "NINTS": "1",
    "NGROUPS": "5",
    "MTSHADOW": "NONE",
    "PATTTYPE": "NONE",
}

TA = "TARGET_ACQUISITION"


class Rng:
    """A seeded source of choices built only on ``random.random`` (stable across versions)."""

    def __init__(self, seed: int) -> None:
        self._r = random.Random(seed)

    def random(self) -> float:
        return self._r.random()

    def below(self, n: int) -> int:
        """An integer in [0, n)."""
        return min(int(self._r.random() * n), n - 1)

    def between(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi], both ends included."""
        return lo + self.below(hi - lo + 1)

    def pick(self, seq):
        return seq[self.below(len(seq))]

    def chance(self, p: float) -> bool:
        return self._r.random() < p

    def sample(self, seq, k: int) -> list:
        pool = list(seq)
        out = []
        for _ in range(min(k, len(pool))):
            out.append(pool.pop(self.below(len(pool))))
        return out

    def shuffled(self, seq) -> list:
        return self.sample(seq, len(seq))


@dataclass
class ObsPlan:
    """One planned observation: its number, mode, candidates and row budget."""

    num: int
    mode: str
    target: int
    candidates: list[tuple[str, str]]
    params: dict = field(default_factory=dict)
    flags: dict[str, str] = field(default_factory=dict)  # BKGDTARG / IS_PSF for the whole obs
    natural: int = 0  # rows of the planned visits
    unit: int = 1  # rows of one further visit
    budget: int = 0

    def candidate_cell(self) -> str:
        return str([(cid, ctype) for cid, ctype in self.candidates])


_TARGET_STEMS = ("NGC", "HD", "WASP", "GJ", "HIP", "IC", "TOI", "MACS", "ABELL", "2MASS-J")


def target_names(target: int) -> tuple[str, str]:
    """TARGPROP and TARGNAME of a target number, deterministic and plausible."""
    stem = _TARGET_STEMS[target % len(_TARGET_STEMS)]
    num = 100 + (target * 7919) % 9800
    return f"{stem}-{num}", f"{stem} {num}"


class Observation:
    """Counters and common values of one observation; turns activities into rows.

    Why a class: file names, OBS_ID, VISIT_ID, ACT_ID, EXPSPCIN and PNTG_SEQ
    all derive from the same running counters, and keeping them in one place
    is what makes every file name in a pool unique.
    """

    def __init__(self, program: int, plan: ObsPlan, template: str, instrument: str) -> None:
        self.program = program
        self.plan = plan
        self.visit = 0
        self.visitgrp = 2
        self.act = 0
        self.expspcin = 0
        self.pntg = 0
        self.tile = 0
        self.block = 0  # repetitions of the observation's planned unit started so far
        prop, name = target_names(plan.target)
        self.common = {
            **DEFAULTS,
            "PROGRAM": str(program),
            "OBS_NUM": str(plan.num),
            "TARGETID": str(plan.target),
            "TARGORDN": str(plan.target),
            "TARGPROP": prop,
            "TARGNAME": name,
            "TEMPLATE": template,
            "INSTRUME": instrument,
            "ASN_CANDIDATE": plan.candidate_cell(),
            **plan.flags,
        }

    def new_block(self) -> None:
        """Mark the start of one more repetition of the planned unit (for sizing)."""
        self.block += 1

    def new_visit(self, new_tile: bool = True) -> None:
        """Start the next visit (a new mosaic tile unless told otherwise)."""
        self.visit += 1
        if self.visit > 999:  # keep file names unique past 999 visits
            self.visit = 1
            self.visitgrp += 1
        self.act = 0
        self.pntg = 0
        if new_tile:
            self.tile += 1

    def activity(
        self,
        fields: dict[str, str],
        detectors: list[str] | tuple[str, ...],
        nexp: int,
        per_exposure: Callable[[int], dict[str, str]] | None = None,
        per_detector: Callable[[str], dict[str, str]] | None = None,
    ) -> Iterator[dict[str, str]]:
        """Rows of one activity: ``nexp`` exposures, each read out on ``detectors``."""
        self.act += 1
        self.expspcin += 1
        visit_id = f"{self.program:05d}{self.plan.num:03d}{self.visit:03d}"
        act = f"{self.act:02d}"
        stem = f"jw{visit_id}_{self.visitgrp:02d}1{act}"
        base = {
            **self.common,
            "VISIT": str(self.visit),
            "VISIT_ID": visit_id,
            "VISITGRP": str(self.visitgrp),
            "ACT_ID": act,
            "OBS_ID": f"V{visit_id}P00000000{self.visitgrp:02d}1{act}",
            "NEXPOSUR": str(nexp),
            "EXPCOUNT": str(self.act),
            "EXPSPCIN": str(self.expspcin),
            "MOSTILNO": str(max(self.tile, 1)),
            **fields,
        }
        for i in range(1, nexp + 1):
            self.pntg += 1
            exp = dict(base)
            exp["EXPOSURE"] = str(i)
            exp["PNTG_SEQ"] = str(self.pntg)
            if "DITHPTIN" not in fields:
                exp["DITHPTIN"] = str(i)
            if per_exposure is not None:
                exp.update(per_exposure(i))
            for det in detectors:
                row = dict(exp)
                row["DETECTOR"] = det
                row["FILENAME"] = f"{stem}_{i:05d}_{det.lower()}_uncal.fits"
                if per_detector is not None:
                    row.update(per_detector(det))
                yield row


NRS_DETS = ("NRS1", "NRS2")


def dither(n: int, patt: str = "INTRAMODULEX") -> Callable[[int], dict[str, str]]:
    return lambda i: {"PATT_NUM": str(i), "NUMDTHPT": str(n), "PATTTYPE": patt, "PATTSTRT": "1"}


def gwa(i: int) -> dict[str, str]:
    return {"GWA_XTIL": f"0.{3300 + i}", "GWA_YTIL": f"0.{1200 + i}"}


def nrs_ta(o: Observation, exp_type: str) -> Iterator[dict[str, str]]:
    fields = {
        "EXP_TYPE": exp_type,
        "PNTGTYPE": TA,
        "FILTER": "F110W",
        "GRATING": "MIRROR",
        "SUBARRAY": "SUB32" if exp_type == "NRS_WATA" else "FULL",
        "APERNAME": "NRS_S1600A1_SLIT" if exp_type == "NRS_WATA" else "NRS_FULL_MSA",
        "LAMP": "NONE",
    }
    yield from o.activity(fields, ("NRS1",), 1)


def miri_ta(o: Observation, subarray: str) -> Iterator[dict[str, str]]:
    fields = {
        "EXP_TYPE": "MIR_TACQ",
        "PNTGTYPE": TA,
        "FILTER": "F1000W",
        "SUBARRAY": subarray,
        "APERNAME": "MIRIM_TA",
    }
    yield from o.activity(fields, ("MIRIMAGE",), 1)
