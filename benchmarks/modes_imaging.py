"""Imaging-like observing modes for synthetic pools.

NIRCam, MIRI and NIRISS imaging (dithers, mosaic tiles), NIRCam and MIRI
coronagraphy and NIRISS AMI (with PSF-reference visits), and NIRISS / NIRCam
wide-field slitless spectroscopy with their direct images.  Each ``plan_*``
draws an observation's parameters; each ``rows_*`` yields its rows forever
(see ``pool_rows.Observation``).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

from pool_rows import TA, Observation, Rng, dither, target_names

NRC_PAIRS = (("F090W", "F277W"), ("F115W", "F356W"), ("F150W", "F444W"), ("F200W", "F410M"))
NRC_SW_A = ("NRCA1", "NRCA2", "NRCA3", "NRCA4")
NRC_SW_B = ("NRCB1", "NRCB2", "NRCB3", "NRCB4")


def plan_nircam_image(rng: Rng) -> dict:
    return {
        "modules": rng.pick(("A", "A", "A", "ALL")),
        "pairs": rng.sample(NRC_PAIRS, rng.pick((1, 1, 2))),
        "ndith": rng.between(2, 4),
        "visits": 1,
    }


def rows_nircam_image(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    sw = NRC_SW_A + (NRC_SW_B if p["modules"] == "ALL" else ())
    lw = ("NRCALONG",) + (("NRCBLONG",) if p["modules"] == "ALL" else ())
    n = p["ndith"]
    for _ in count():
        o.new_block()
        o.new_visit()
        for swf, lwf in p["pairs"]:
            # short and long channel are read out together in every exposure
            common = {"PUPIL": "CLEAR", "APERNAME": f"NRC{p['modules']}_FULL", "DITHERID": "1"}

            def per_det(det: str, swf=swf, lwf=lwf) -> dict[str, str]:
                long = det.endswith("LONG")
                return {
                    "EXP_TYPE": "NRC_IMAGE",
                    "FILTER": lwf if long else swf,
                    "CHANNEL": "LONG" if long else "SHORT",
                    "MODULE": det[3],
                }

            yield from o.activity(common, sw + lw, n, dither(n), per_det)


MIRI_FILTERS = ("F560W", "F770W", "F1000W", "F1130W", "F1280W", "F1500W", "F1800W", "F2100W")


def plan_miri_image(rng: Rng) -> dict:
    return {
        "filters": rng.sample(MIRI_FILTERS, rng.between(1, 3)),
        "ndith": rng.between(2, 8),
        "visits": 1,
        "subarray": rng.pick(("FULL", "FULL", "FULL", "BRIGHTSKY")),
    }


def rows_miri_image(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    n = p["ndith"]
    for _ in count():
        o.new_block()
        o.new_visit()
        for f in p["filters"]:
            fields = {
                "EXP_TYPE": "MIR_IMAGE",
                "FILTER": f,
                "SUBARRAY": p["subarray"],
                "APERNAME": "MIRIM_FULL" if p["subarray"] == "FULL" else "MIRIM_BRIGHTSKY",
                "DITHERID": "11",
                "PATTSIZE": "MEDIUM",
            }
            yield from o.activity(fields, ("MIRIMAGE",), n, dither(n, "CYCLING"))


def plan_niriss_image(rng: Rng) -> dict:
    return {
        "pupils": rng.sample(("F090W", "F115W", "F150W", "F200W"), rng.between(1, 3)),
        "ndith": rng.between(2, 8),
        "visits": 1,
    }


def rows_niriss_image(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    n = p["ndith"]
    for _ in count():
        o.new_block()
        o.new_visit()
        for pup in p["pupils"]:
            fields = {
                "EXP_TYPE": "NIS_IMAGE",
                "FILTER": "CLEAR",
                "PUPIL": pup,
                "APERNAME": "NIS_CEN",
            }
            yield from o.activity(fields, ("NIS",), n, dither(n, "MEDIUM"))


CORON = {
    "NRC": (
        ("NRC_CORON", "NRCALONG", "F335M", "MASKRND", "SUB320A335R", "LONG"),
        ("NRC_CORON", "NRCALONG", "F444W", "MASKBAR", "SUB320A430R", "LONG"),
        ("NRC_CORON", "NRCA2", "F210M", "MASKRND", "SUB640A210R", "SHORT"),
    ),
    "MIR": (
        ("MIR_4QPM", "MIRIMAGE", "F1140C", "NULL", "MASK1140", "NULL"),
        ("MIR_4QPM", "MIRIMAGE", "F1065C", "NULL", "MASK1065", "NULL"),
        ("MIR_LYOT", "MIRIMAGE", "F2300C", "NULL", "MASKLYOT", "NULL"),
    ),
}


def plan_coron(rng: Rng, inst: str) -> dict:
    return {
        "inst": inst,
        "configs": rng.sample(CORON[inst], rng.between(1, 2)),
        "nexp": rng.between(1, 3),
        "rolls": 2,
        "psf_in_obs": rng.chance(0.5),
        "sgd": rng.chance(0.5),
        "psf_target": 0,
        "visits": 1,
    }


def rows_coron(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    """Rolls of the science target, then (optionally) a PSF reference visit."""
    psf_obs = o.plan.flags.get("IS_PSF") == "T"
    for _ in count():
        o.new_block()
        visits: list[dict[str, str]] = [{}] if psf_obs else [{}] * p["rolls"]
        if p["psf_in_obs"] and not psf_obs:
            prop, name = target_names(p["psf_target"])
            visits.append(
                {
                    "IS_PSF": "T",
                    "TARGETID": str(p["psf_target"]),
                    "TARGORDN": str(p["psf_target"]),
                    "TARGPROP": prop,
                    "TARGNAME": name,
                }
            )
        for extra in visits:
            o.new_visit(new_tile=False)
            for exp_type, det, filt, pupil, sub, chan in p["configs"]:
                ta_type = "NRC_TACQ" if p["inst"] == "NRC" else "MIR_TACQ"
                yield from o.activity(
                    {
                        "EXP_TYPE": ta_type,
                        "PNTGTYPE": TA,
                        "FILTER": filt,
                        "PUPIL": pupil,
                        "SUBARRAY": sub,
                        "CHANNEL": chan,
                        **extra,
                    },
                    (det,),
                    1,
                )
                sgd = bool(extra.get("IS_PSF") == "T" or psf_obs) and p["sgd"]
                n = 5 if sgd else p["nexp"]
                fields = {
                    "EXP_TYPE": exp_type,
                    "FILTER": filt,
                    "PUPIL": pupil,
                    "SUBARRAY": sub,
                    "CHANNEL": chan,
                    "MODULE": "A" if p["inst"] == "NRC" else "NULL",
                    "APERNAME": f"{p['inst']}_{sub}",
                    "PATTTYPE": "5-POINT-DIAMOND" if sgd else "NONE",
                    "NUMDTHPT": str(n) if sgd else "1",
                    "NINTS": "10",
                    **extra,
                }
                yield from o.activity(fields, (det,), n)


def plan_niriss_ami(rng: Rng) -> dict:
    return {"nexp": rng.between(1, 4), "psf_in_obs": rng.chance(0.5), "psf_target": 0, "visits": 1}


def rows_niriss_ami(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    psf_obs = o.plan.flags.get("IS_PSF") == "T"
    for _ in count():
        o.new_block()
        targets: list[dict[str, str]] = [{}]
        if p["psf_in_obs"] and not psf_obs:
            prop, name = target_names(p["psf_target"])
            targets.append(
                {
                    "IS_PSF": "T",
                    "TARGETID": str(p["psf_target"]),
                    "TARGORDN": str(p["psf_target"]),
                    "TARGPROP": prop,
                    "TARGNAME": name,
                }
            )
        for extra in targets:
            o.new_visit(new_tile=False)
            yield from o.activity(
                {
                    "EXP_TYPE": "NIS_TACQ",
                    "PNTGTYPE": TA,
                    "FILTER": "F480M",
                    "PUPIL": "CLEARP",
                    "SUBARRAY": "SUBTAAMI",
                    **extra,
                },
                ("NIS",),
                1,
            )
            fields = {
                "EXP_TYPE": "NIS_AMI",
                "FILTER": "F480M",
                "PUPIL": "NRM",
                "SUBARRAY": "SUB80",
                "APERNAME": "NIS_AMI1",
                "NINTS": "60",
                **extra,
            }
            yield from o.activity(fields, ("NIS",), p["nexp"], dither(p["nexp"], "NONE"))


def plan_niriss_wfss(rng: Rng) -> dict:
    return {
        "pupils": rng.sample(("F115W", "F150W", "F200W"), rng.between(1, 2)),
        "grisms": rng.sample(("GR150R", "GR150C"), rng.between(1, 2)),
        "ndith": rng.between(2, 4),
        "visits": 1,
    }


def rows_niriss_wfss(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    """Per blocking filter: direct image, grism dithers, direct image, ... (the APT order)."""
    n = p["ndith"]
    for _ in count():
        o.new_block()
        o.new_visit()
        for pup in p["pupils"]:
            direct = {
                "EXP_TYPE": "NIS_IMAGE",
                "FILTER": "CLEAR",
                "PUPIL": pup,
                "APERNAME": "NIS_CEN",
            }
            yield from o.activity(direct, ("NIS",), 1)
            for grism in p["grisms"]:
                fields = {
                    "EXP_TYPE": "NIS_WFSS",
                    "FILTER": grism,
                    "PUPIL": pup,
                    "APERNAME": "NIS_CEN",
                }
                yield from o.activity(fields, ("NIS",), n, dither(n, "NONE"))
                yield from o.activity(direct, ("NIS",), 1)


def plan_nircam_wfss(rng: Rng) -> dict:
    return {
        "filters": rng.sample(("F444W", "F356W", "F322W2"), rng.pick((1, 1, 2))),
        "grism": rng.pick(("GRISMR", "GRISMC")),
        "ndith": rng.between(2, 4),
        "visits": 1,
    }


def rows_nircam_wfss(o: Observation, p: dict) -> Iterator[dict[str, str]]:
    """Long-wave grism with short-wave imaging in parallel, then long-wave direct images."""
    n = p["ndith"]
    dets = NRC_SW_A + ("NRCALONG",)
    for _ in count():
        o.new_block()
        o.new_visit()
        for lwf in p["filters"]:

            def grism_det(det: str, lwf=lwf) -> dict[str, str]:
                if det == "NRCALONG":
                    return {
                        "EXP_TYPE": "NRC_WFSS",
                        "FILTER": lwf,
                        "PUPIL": p["grism"],
                        "CHANNEL": "LONG",
                    }
                return {
                    "EXP_TYPE": "NRC_IMAGE",
                    "FILTER": "F200W",
                    "PUPIL": "CLEAR",
                    "CHANNEL": "SHORT",
                }

            def direct_det(det: str, lwf=lwf) -> dict[str, str]:
                long = det == "NRCALONG"
                return {
                    "EXP_TYPE": "NRC_IMAGE",
                    "FILTER": lwf if long else "F200W",
                    "PUPIL": "CLEAR",
                    "CHANNEL": "LONG" if long else "SHORT",
                }

            common = {"MODULE": "A", "APERNAME": "NRCA5_GRISM_F444W"}
            yield from o.activity(common, dets, n, dither(n, "NONE"), grism_det)
            yield from o.activity(common, dets, 2, dither(2, "NONE"), direct_det)
