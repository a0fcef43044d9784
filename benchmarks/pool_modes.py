"""The observing modes a synthetic pool is drawn from, and their row streams.

``MODES`` maps a mode name to its instrument, APT template, parameter planner
and row generator; ``SCALABLE`` names the modes that grow (more tiles, MSA
configurations, fields) when a large pool needs more rows than the planned
observations hold.  The modes themselves live in ``modes_imaging`` and
``modes_spectra``; the row machinery in ``pool_rows``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from modes_imaging import (
    plan_coron,
    plan_miri_image,
    plan_nircam_image,
    plan_nircam_wfss,
    plan_niriss_ami,
    plan_niriss_image,
    plan_niriss_wfss,
    rows_coron,
    rows_miri_image,
    rows_nircam_image,
    rows_nircam_wfss,
    rows_niriss_ami,
    rows_niriss_image,
    rows_niriss_wfss,
)
from modes_spectra import (
    TSO_FLAVOURS,
    plan_miri_lrs,
    plan_miri_mrs,
    plan_nirspec_fs,
    plan_nirspec_ifu,
    plan_nirspec_mos,
    plan_tso,
    rows_miri_lrs,
    rows_miri_mrs,
    rows_nirspec_fs,
    rows_nirspec_ifu,
    rows_nirspec_mos,
    rows_tso,
)
from pool_rows import COLUMNS, Observation, ObsPlan, Rng

__all__ = ["COLUMNS", "MODES", "SCALABLE", "TSO_FLAVOURS", "ObsPlan", "Rng", "observation_rows"]

MODES: dict[str, tuple[str, str, Callable[[Rng], dict], Callable]] = {
    "nircam_image": ("NIRCAM", "NIRCam Imaging", plan_nircam_image, rows_nircam_image),
    "miri_image": ("MIRI", "MIRI Imaging", plan_miri_image, rows_miri_image),
    "niriss_image": ("NIRISS", "NIRISS Imaging", plan_niriss_image, rows_niriss_image),
    "nirspec_mos": (
        "NIRSPEC",
        "NIRSpec MultiObject Spectroscopy",
        plan_nirspec_mos,
        rows_nirspec_mos,
    ),
    "nirspec_ifu": ("NIRSPEC", "NIRSpec IFU Spectroscopy", plan_nirspec_ifu, rows_nirspec_ifu),
    "nirspec_fs": ("NIRSPEC", "NIRSpec Fixed Slit Spectroscopy", plan_nirspec_fs, rows_nirspec_fs),
    "miri_mrs": ("MIRI", "MIRI Medium Resolution Spectroscopy", plan_miri_mrs, rows_miri_mrs),
    "miri_lrs": ("MIRI", "MIRI Low Resolution Spectroscopy", plan_miri_lrs, rows_miri_lrs),
    "nircam_coron": (
        "NIRCAM",
        "NIRCam Coronagraphic Imaging",
        lambda rng: plan_coron(rng, "NRC"),
        rows_coron,
    ),
    "miri_coron": (
        "MIRI",
        "MIRI Coronagraphic Imaging",
        lambda rng: plan_coron(rng, "MIR"),
        rows_coron,
    ),
    "niriss_ami": (
        "NIRISS",
        "NIRISS Aperture Masking Interferometry",
        plan_niriss_ami,
        rows_niriss_ami,
    ),
    "tso": ("", "Time Series Observation", plan_tso, rows_tso),
    "niriss_wfss": (
        "NIRISS",
        "NIRISS Wide Field Slitless Spectroscopy",
        plan_niriss_wfss,
        rows_niriss_wfss,
    ),
    "nircam_wfss": (
        "NIRCAM",
        "NIRCam Wide Field Slitless Spectroscopy",
        plan_nircam_wfss,
        rows_nircam_wfss,
    ),
}

#: Modes whose observations grow (more tiles / MSA configurations) in large pools.
#: WFSS and MIRI MRS observations keep their natural size: by the rules, every
#: direct image of a WFSS candidate joins every grism exposure's Level 2
#: association (and every MRS background joins every MRS association), so the
#: work in one such observation grows with the square of its size; real ones
#: stay small.
SCALABLE = frozenset(
    {
        "nircam_image",
        "miri_image",
        "niriss_image",
        "nirspec_mos",
        "nirspec_ifu",
    }
)

_TSO_INSTRUMENT = {
    "nrc_grism": "NIRCAM",
    "nis_soss": "NIRISS",
    "nrs_bots": "NIRSPEC",
    "mir_lrs": "MIRI",
}
_TSO_TEMPLATE = {
    "nrc_grism": "NIRCam Grism Time Series",
    "nis_soss": "NIRISS Single Object Slitless Spectroscopy",
    "nrs_bots": "NIRSpec Bright Object Time Series",
    "mir_lrs": "MIRI Low Resolution Spectroscopy",
}


def observation_rows(program: int, plan: ObsPlan) -> tuple[Observation, Iterator[dict[str, str]]]:
    """The observation's counters and its endless row stream."""
    instrument, template, _planner, rows = MODES[plan.mode]
    if plan.mode == "tso":
        instrument = _TSO_INSTRUMENT[plan.params["flavour"]]
        template = _TSO_TEMPLATE[plan.params["flavour"]]
    obs = Observation(program, plan, template, instrument)
    return obs, rows(obs, plan.params)
