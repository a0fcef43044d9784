"""Spectroscopic and time-series observing modes for synthetic pools.

NIRSpec MOS (three-shutter nods per MSA configuration), IFU (nod or cycling
dithers, leakage-calibration imprints), fixed slit (nods, sub-pixel points),
MIRI MRS and LRS slit (along-slit nods), and the four time-series flavours.
Each ``plan_*`` draws an observation's parameters; each ``rows_*`` yields its
rows forever (see ``pool_rows.Observation``).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

from pool_rows import NRS_DETS, TA, Observation, Rng, dither, gwa, miri_ta, nrs_ta

NRS_H = (("G140H", "F100LP"), ("G235H", "F170LP"), ("G395H", "F290LP"))
NRS_M = (("G140M", "F100LP"), ("G235M", "F170LP"), ("G395M", "F290LP"), ("PRISM", "CLEAR"))


def plan_nirspec_mos(rng: Rng) -> dict:
    return {
        "configs": rng.sample(NRS_M, rng.between(1, 2)),
        "confirm": rng.chance(0.5),
        "visits": 1,
    }


def rows_nirspec_mos(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    prog, obs = o.program, o.plan.num
    for v in count():
        o.new_block()
        o.new_visit()
        if v == 0:
            yield from nrs_ta(o, "NRS_MSATA")
            if p["confirm"]:
                yield from o.activity(
                    {
                        "EXP_TYPE": "NRS_CONFIRM",
                        "PNTGTYPE": TA,
                        "FILTER": "F110W",
                        "GRATING": "MIRROR",
                        "APERNAME": "NRS_FULL_MSA",
                        "LAMP": "NONE",
                    },
                    NRS_DETS,
                    1,
                )
        msa = f"jw{prog:05d}{obs:03d}{o.visit:03d}_01_msa.fits"
        for grating, filt in p["configs"]:
            fields = {
                "EXP_TYPE": "NRS_MSASPEC",
                "GRATING": grating,
                "FILTER": filt,
                "OPMODE": "MSASPEC",
                "MSAMETFL": msa,
                "MSASTATE": "PRIMARYPARK_CONFIGURED",
                "APERNAME": "NRS_FULL_MSA",
                "PATTTYPE": "NONE",
                "SUBPXPTS": "1",
                "LAMP": "NONE",
            }

            def per_exp(i: int) -> dict[str, str]:
                return {"PATT_NUM": str(i), "NUMDTHPT": "3", **gwa(i)}

            yield from o.activity(fields, NRS_DETS, 3, per_exp)


IFU_PATTERNS = (("4-POINT-NOD", 4), ("2-POINT-NOD", 2), ("CYCLING", 0), ("SMALL-CYCLING", 0))


def plan_nirspec_ifu(rng: Rng) -> dict:
    patt, n = rng.pick(IFU_PATTERNS)
    return {
        "configs": rng.sample(NRS_H + NRS_M[:1], rng.between(1, 2)),
        "patttype": patt,
        "ndith": n or rng.between(2, 8),
        "imprint": rng.chance(0.6),
        "visits": 1,
    }


def rows_nirspec_ifu(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    n = p["ndith"]
    for v in count():
        o.new_block()
        o.new_visit()
        if v == 0 and o.plan.flags.get("BKGDTARG") != "T":
            yield from nrs_ta(o, "NRS_WATA")
        for grating, filt in p["configs"]:
            fields = {
                "EXP_TYPE": "NRS_IFU",
                "GRATING": grating,
                "FILTER": filt,
                "OPMODE": "IFU",
                "APERNAME": "NRS_FULL_IFU",
                "LAMP": "NONE",
            }

            def per_exp(i: int) -> dict[str, str]:
                return {
                    "PATT_NUM": str(i),
                    "NUMDTHPT": str(n),
                    "PATTTYPE": p["patttype"],
                    **gwa(i),
                }

            yield from o.activity(fields, NRS_DETS, n, per_exp)
            if p["imprint"]:  # leakage-calibration exposure at the first dither position
                yield from o.activity(
                    {
                        **fields,
                        "IS_IMPRT": "T",
                        "DITHPTIN": "1",
                        "PATT_NUM": "1",
                        "NUMDTHPT": str(n),
                        "PATTTYPE": p["patttype"],
                    },
                    NRS_DETS,
                    1,
                )


FS_SLITS = (
    ("S200A1", "SUBS200A1"),
    ("S200A2", "SUBS200A2"),
    ("S400A1", "SUBS400A1"),
    ("S1600A1", "SUBS1600A1"),
)


def plan_nirspec_fs(rng: Rng) -> dict:
    nods = rng.pick((2, 3, 3, 5))
    return {
        "slit": rng.pick(FS_SLITS[:3]) if nods != 5 else FS_SLITS[3],
        "configs": rng.sample(NRS_H + NRS_M, rng.between(1, 2)),
        "nods": nods,
        "subpx": rng.pick((1, 1, 1, 1, 2, 3)),
        "visits": 1,
    }


def rows_nirspec_fs(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    slit, sub = p["slit"]
    nods, subpx = p["nods"], p["subpx"]
    total = nods * subpx
    for v in count():
        o.new_block()
        o.new_visit()
        if v == 0 and o.plan.flags.get("BKGDTARG") != "T":
            yield from nrs_ta(o, "NRS_WATA")
        for grating, filt in p["configs"]:
            fields = {
                "EXP_TYPE": "NRS_FIXEDSLIT",
                "GRATING": grating,
                "FILTER": filt,
                "FXD_SLIT": slit,
                "SUBARRAY": sub,
                "OPMODE": "FIXEDSLIT",
                "APERNAME": f"NRS_{slit}_SLIT",
                "PATTTYPE": f"{nods}-POINT-NOD",
                "NUMDTHPT": str(total),
                "SUBPXPTS": str(subpx),
                "LAMP": "NONE",
            }

            def per_exp(i: int) -> dict[str, str]:
                return {"PATT_NUM": str(i), "SUBPIXEL": str((i - 1) % subpx + 1), **gwa(i)}

            yield from o.activity(fields, NRS_DETS, total, per_exp)


def plan_miri_mrs(rng: Rng) -> dict:
    return {
        "bands": rng.sample(("SHORT", "MEDIUM", "LONG"), rng.between(1, 3)),
        "ndith": rng.pick((2, 4, 4)),
        "ta": rng.chance(0.5),
        "visits": 1,
    }


def rows_miri_mrs(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    n = p["ndith"]

    def per_det(det: str) -> dict[str, str]:
        return {"CHANNEL": "12" if det == "MIRIFUSHORT" else "34"}

    for v in count():
        o.new_block()
        o.new_visit()
        if v == 0 and p["ta"] and o.plan.flags.get("BKGDTARG") != "T":
            yield from miri_ta(o, "FULL")
        for band in p["bands"]:
            fields = {"EXP_TYPE": "MIR_MRS", "BAND": band, "APERNAME": "MIRIFU_CHANNEL1A"}
            yield from o.activity(
                fields, ("MIRIFUSHORT", "MIRIFULONG"), n, dither(n, f"{n}-POINT"), per_det
            )


def plan_miri_lrs(rng: Rng) -> dict:
    return {"nexp": rng.between(1, 2), "visits": 1}


def rows_miri_lrs(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    for _ in count():
        o.new_block()
        o.new_visit()
        yield from miri_ta(o, "FULL")
        for nod in (1, 2):
            fields = {
                "EXP_TYPE": "MIR_LRS-FIXEDSLIT",
                "FILTER": "P750L",
                "APERNAME": "MIRIM_SLIT",
                "PATTTYPE": "ALONG-SLIT-NOD",
                "NUMDTHPT": "2",
                "PATT_NUM": str(nod),
                "DITHPTIN": str(nod),
            }
            yield from o.activity(fields, ("MIRIMAGE",), p["nexp"])


TSO_FLAVOURS = ("nrc_grism", "nis_soss", "nrs_bots", "mir_lrs")


def plan_tso(rng: Rng) -> dict:
    return {"flavour": rng.pick(TSO_FLAVOURS), "nexp": rng.pick((1, 1, 2)), "visits": 1}


def rows_tso(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    tso = {"TSOVISIT": "T", "NINTS": "1200", "NGROUPS": "12"}
    fl, n = p["flavour"], p["nexp"]
    for _ in count():
        o.new_block()
        o.new_visit(new_tile=False)
        if fl == "nrc_grism":
            yield from o.activity(
                {
                    "EXP_TYPE": "NRC_TACQ",
                    "PNTGTYPE": TA,
                    "FILTER": "F335M",
                    "PUPIL": "CLEAR",
                    "SUBARRAY": "SUBGRISMTA",
                },
                ("NRCALONG",),
                1,
            )

            def per_det(det: str) -> dict[str, str]:
                if det == "NRCALONG":
                    return {
                        "EXP_TYPE": "NRC_TSGRISM",
                        "FILTER": "F444W",
                        "PUPIL": "GRISMR",
                        "CHANNEL": "LONG",
                    }
                return {
                    "EXP_TYPE": "NRC_TSIMAGE",
                    "FILTER": "F210M",
                    "PUPIL": "WLP8",
                    "CHANNEL": "SHORT",
                }

            fields = {
                "SUBARRAY": "SUBGRISM64",
                "MODULE": "A",
                "APERNAME": "NRCA5_GRISM64_F444W",
                **tso,
            }
            yield from o.activity(fields, ("NRCA1", "NRCALONG"), n, None, per_det)
        elif fl == "nis_soss":
            yield from o.activity(
                {
                    "EXP_TYPE": "NIS_TACQ",
                    "PNTGTYPE": TA,
                    "FILTER": "F480M",
                    "PUPIL": "CLEARP",
                    "SUBARRAY": "SUBTASOSS",
                },
                ("NIS",),
                1,
            )
            fields = {
                "EXP_TYPE": "NIS_SOSS",
                "FILTER": "CLEAR",
                "PUPIL": "GR700XD",
                "SUBARRAY": "SUBSTRIP256",
                "APERNAME": "NIS_SUBSTRIP256",
                **tso,
            }
            yield from o.activity(fields, ("NIS",), n)
        elif fl == "nrs_bots":
            yield from nrs_ta(o, "NRS_WATA")
            fields = {
                "EXP_TYPE": "NRS_BRIGHTOBJ",
                "GRATING": "G395H",
                "FILTER": "F290LP",
                "FXD_SLIT": "S1600A1",
                "SUBARRAY": "SUB2048",
                "OPMODE": "FIXEDSLIT",
                "APERNAME": "NRS_S1600A1_SLIT",
                "LAMP": "NONE",
                **tso,
            }
            yield from o.activity(fields, NRS_DETS, n)
        else:
            yield from miri_ta(o, "SLITLESSPRISM")
            fields = {
                "EXP_TYPE": "MIR_LRS-SLITLESS",
                "FILTER": "P750L",
                "SUBARRAY": "SLITLESSPRISM",
                "APERNAME": "MIRIM_SLITLESSPRISM",
                **tso,
            }
            yield from o.activity(fields, ("MIRIMAGE",), n)
