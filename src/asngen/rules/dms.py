"""DMS knowledge shared by the Level 2 and Level 3 rules.

Exposure-type families, how an exposure is classified into a member type,
and the optical-path tables that say which instrument configurations can be
calibrated.  These are facts about JWST, collected in one place so that a
rule reads as a list of conditions and nothing else.
"""

from __future__ import annotations

from ..engine.patterns import EMPTY, EMPTY_SET

ACQ_EXP_TYPES = (
    "mir_tacq", "mir_taconfirm", "nis_taconfirm", "nis_tacq", "nrc_taconfirm", "nrc_tacq",
    "nrs_confirm", "nrs_msata", "nrs_taconfirm", "nrs_tacq", "nrs_taslit", "nrs_verify",
    "nrs_wata",
)

#: exp_type -> member type for everything that is not plain science
EXPTYPE_CATEGORY = {
    **dict.fromkeys(("mir_darkall", "mir_darkimg", "mir_darkmrs", "nis_dark", "nrc_dark", "nrs_dark"), "dark"),
    **dict.fromkeys(
        ("mir_flatimage", "mir_flatmrs", "mir_flatimage-ext", "mir_flatmrs-ext", "nrc_flat"), "flat"
    ),
    **dict.fromkeys(
        ("mir_tacq", "mir_taconfirm", "nis_tacq", "nis_taconfirm", "nrc_tacq", "nrc_taconfirm",
         "nrs_confirm", "nrs_msata", "nrs_tacq", "nrs_taconfirm", "nrs_taslit", "nrs_wata"),
        "target_acquisition",
    ),
    **dict.fromkeys(
        ("nis_focus", "nis_lamp", "nrc_focus", "nrc_led", "nrs_focus", "nrs_image", "nrs_lamp"),
        "engineering",
    ),
    "nrs_autoflat": "autoflat",
    "nrs_autowave": "autowave",
}

CORON_EXP_TYPES = ("mir_4qpm", "mir_lyot", "nrc_coron")
IMAGE2_SCIENCE_EXP_TYPES = (
    "fgs_image", "mir_4qpm", "mir_image", "mir_lyot", "nis_ami", "nis_image", "nrc_coron",
    "nrc_image", "nrs_mimf", "nrc_tsimage",
)
IMAGE2_NONSCIENCE_EXP_TYPES = (
    "mir_coroncal", "nis_focus", "nrc_focus", "nrs_focus", "nrs_image", *ACQ_EXP_TYPES,
)
SPEC2_SCIENCE_EXP_TYPES = (
    "mir_lrs-fixedslit", "mir_lrs-slitless", "mir_mrs", "mir_wfss", "nis_soss", "nis_wfss",
    "nrc_tsgrism", "nrc_wfss", "nrs_fixedslit", "nrs_ifu", "nrs_msaspec", "nrs_brightobj",
)
TSO_EXP_TYPES = ("nrc_tsimage", "nrc_tsgrism", "nrs_brightobj")
#: exposures whose Level 2b product is a "cal" file
LEVEL2B_EXPTYPES = frozenset(IMAGE2_SCIENCE_EXP_TYPES + IMAGE2_NONSCIENCE_EXP_TYPES + SPEC2_SCIENCE_EXP_TYPES)
WFSS_EXP_TYPES = ("mir_wfss", "nis_wfss", "nrc_wfss")

#: flags that refine a science exposure, checked in this order
SPECIAL_FLAGS = (("psf", "is_psf"), ("imprint", "is_imprt"), ("background", "bkgdtarg"))

# (slit, grating, filter, detector); any slit other than s200b1 counts as "a"
NRS_FSS_VALID_PATHS = frozenset(
    [("a", g, f, d) for g, f, ds in (
        ("prism", "clear", ("nrs1",)), ("g395h", "f290lp", ("nrs1", "nrs2")),
        ("g235h", "f170lp", ("nrs1", "nrs2")), ("g140h", "f100lp", ("nrs1", "nrs2")),
        ("g140h", "f070lp", ("nrs1",)), ("g395m", "f290lp", ("nrs1",)),
        ("g235m", "f170lp", ("nrs1",)), ("g140m", "f100lp", ("nrs1",)),
        ("g140m", "f070lp", ("nrs1",)),
    ) for d in ds]
    + [("s200b1", g, f, d) for g, f, ds in (
        ("prism", "clear", ("nrs2",)), ("g395h", "f290lp", ("nrs2",)),
        ("g235h", "f170lp", ("nrs2",)), ("g140h", "f100lp", ("nrs2",)),
        ("g140h", "f070lp", ("nrs1", "nrs2")), ("g395m", "f290lp", ("nrs2",)),
        ("g235m", "f170lp", ("nrs2",)), ("g140m", "f100lp", ("nrs2",)),
        ("g140m", "f070lp", ("nrs1", "nrs2")),
    ) for d in ds]
)
# (grating, lamp, detector) for fixed-slit lamp exposures; both detectors always allowed
NRS_FSS_VALID_LAMP_PATHS = frozenset(
    (g, lamp, d)
    for g, lamps in (
        ("prism", ("line4", "flat5", "test")), ("g395h", ("flat3", "line3")),
        ("g235h", ("flat2", "line2")), ("g140h", ("flat1", "ref", "line1", "flat4")),
        ("g395m", ("flat3", "line3")), ("g235m", ("flat2", "line2")),
        ("g140m", ("flat1", "line1", "flat4")),
    )
    for lamp in lamps
    for d in ("nrs1", "nrs2")
)
# (grating, filter, detector) for IFU science
NRS_IFU_VALID_PATHS = frozenset(
    (g, f, d)
    for g, f, ds in (
        ("prism", "clear", ("nrs1",)), ("g140m", "f070lp", ("nrs1",)),
        ("g140m", "f100lp", ("nrs1",)), ("g235m", "f170lp", ("nrs1",)),
        ("g395m", "f290lp", ("nrs1",)), ("g140h", "f070lp", ("nrs1",)),
        ("g140h", "f100lp", ("nrs1", "nrs2")), ("g235h", "f170lp", ("nrs1", "nrs2")),
        ("g395h", "f290lp", ("nrs1", "nrs2")),
    )
    for d in ds
)
NIS_SOSS_UNCALIBRATED_FILTERS = ("f277w",)


#: the columns :func:`classify` reads
CLASSIFY_COLUMNS = ("pntgtype", "exp_type", "is_psf", "is_imprt", "bkgdtarg")
#: the columns each optical-path predicate reads
PREDICATE_COLUMNS = {
    "nrsfss_valid_detector": ("detector", "filter", "grating", "fxd_slit"),
    "nrsifu_valid_detector": ("exp_type", "detector", "filter", "grating"),
    "nrslamp_valid_detector": ("detector", "grating", "opmode", "lamp"),
    "nrccoron_valid_detector": ("detector", "subarray", "pupil"),
    "nissoss_calibrated_filter": ("exp_type", "filter"),
}


class MissingColumn(KeyError):
    """A column the DMS rules read directly is absent from the pool."""


def valid(item, column: str):
    """The column's value if it holds one (not empty/null/false), else None."""
    value = item.get(column)
    if value is None or value in EMPTY_SET:
        return None
    return value


def first_valid(item, columns) -> tuple[str, str] | None:
    for column in columns:
        value = item.get(column)
        if value is not None and value not in EMPTY_SET:
            return column, value
    return None


def column(item, name: str) -> str:
    """A column the rules cannot work without."""
    try:
        return item[name]
    except KeyError:
        raise MissingColumn(name) from None


def _rememberable(key: tuple) -> bool:
    """Whether a verdict on these cells may be remembered: text or nothing only (``1`` and
    ``True`` are one dictionary key, and a verdict may hand a cell back)."""
    for value in key:
        if value is not None and type(value) is not str:
            return False
    return True


def _remember(memo: dict, key: tuple, cells: tuple, verdict) -> None:
    """Keep ``verdict`` under ``key`` when its ``cells`` may be remembered (the memo is bounded)."""
    if _rememberable(cells):
        if len(memo) >= 100_000:
            memo.clear()
        memo[key] = verdict


_CLASSIFIED: dict = {}  # (default, the CLASSIFY_COLUMNS cells) -> member type
#: the pool row last classified, the default it was asked with, and the answer
_LAST: list = [None, None, None]


def classify(item, default: str = "science") -> str:
    """The member type of an exposure: science, psf, background, target_acquisition, ...

    Remembered per combination of the five cells it reads: it is asked for
    every member made, and a pool has few such combinations.  The answer
    for the last pool row asked about is kept as well: a row is asked about
    several times running (by the gates the index asks of it, by checks,
    for each member made of it: 70% of the calls on mega_pool and on a
    synthetic pool), and the generator never changes a row it holds.
    """
    if type(item) is dict:  # a pool row: compiled, ``row.get`` is a C call (dms.pxd)
        last = _LAST  # a local: compiled, its type is known (dms.pxd)
        if last[0] is item and last[1] == default:
            return last[2]
        row = item
        key = (default, row.get("pntgtype"), row.get("exp_type"), row.get("is_psf"), row.get("is_imprt"),
               row.get("bkgdtarg"))
    else:
        get = item.get
        key = (default, get("pntgtype"), get("exp_type"), get("is_psf"), get("is_imprt"), get("bkgdtarg"))
    memo = _CLASSIFIED  # a local: compiled, its type is known (dms.pxd)
    try:
        result = memo.get(key)
    except TypeError:  # an unhashable cell
        return _classify(item, default)
    if result is None:
        result = _classify(item, default)
        _remember(memo, key, key, result)
    if type(item) is dict:
        last = _LAST
        last[0], last[1], last[2] = item, default, result
    return result


def _classify(item, default: str) -> str:
    pointing = valid(item, "pntgtype")
    if pointing is not None and pointing != "science":
        return pointing
    exp_type = valid(item, "exp_type")
    if exp_type is None:
        raise LookupError("Exposure type cannot be determined")
    result = EXPTYPE_CATEGORY.get(exp_type, default)
    if result != "science":
        return result
    for special, flag in SPECIAL_FLAGS:
        if valid(item, flag) is not None:
            return special
    return result


def nrsfss_valid_detector(item) -> bool:
    detector, nrs_filter = valid(item, "detector"), valid(item, "filter")
    grating, slit = valid(item, "grating"), valid(item, "fxd_slit")
    if None in (detector, nrs_filter, grating, slit):
        return False
    if slit != "s200b1":
        slit = "a"
    return (slit, grating, nrs_filter, detector) in NRS_FSS_VALID_PATHS


def nrsifu_valid_detector(item) -> bool:
    exp_type = valid(item, "exp_type")
    if exp_type is None:
        raise MissingColumn("exp_type")
    if exp_type != "nrs_ifu":
        return True
    detector, nrs_filter, grating = valid(item, "detector"), valid(item, "filter"), valid(item, "grating")
    if None in (detector, nrs_filter, grating):
        return False
    return (grating, nrs_filter, detector) in NRS_IFU_VALID_PATHS


def nrslamp_valid_detector(item) -> bool:
    detector, grating, opmode = valid(item, "detector"), valid(item, "grating"), valid(item, "opmode")
    if None in (detector, grating, opmode):
        return False
    if opmode == "msaspec":
        return True
    if opmode == "ifu":
        lamp = valid(item, "lamp")
        if lamp is None:
            return False
        if grating in ("g395h", "g235h"):
            return True
        if grating in ("g395m", "g235m", "g140m", "prism") and detector == "nrs1":
            return True
        return grating == "g140h" and not (detector == "nrs2" and lamp == "flat4")
    if opmode == "fixedslit":
        lamp = valid(item, "lamp")
        if lamp is None:
            return False
        return (grating, lamp, detector) in NRS_FSS_VALID_LAMP_PATHS
    return False


def nrccoron_valid_detector(item) -> bool:
    detector, subarray, pupil = valid(item, "detector"), valid(item, "subarray"), valid(item, "pupil")
    if None in (detector, subarray, pupil):
        return False
    return not _coron_full_frame_excluded(subarray, pupil, detector)


def _coron_full_frame_excluded(subarray, pupil, detector) -> bool:
    if subarray != "full":
        return False
    if pupil == "maskbar" and detector in ("nrca1", "nrca2", "nrca3"):
        return True
    return pupil == "maskrnd" and detector in ("nrca1", "nrca3", "nrca4")


def nissoss_calibrated_filter(item) -> bool:
    exp_type = valid(item, "exp_type")
    if exp_type is None:
        raise MissingColumn("exp_type")
    if exp_type != "nis_soss":
        return True
    nis_filter = valid(item, "filter")
    if nis_filter is None:
        return False
    return nis_filter not in NIS_SOSS_UNCALIBRATED_FILTERS


def is_science_pointing(item) -> bool:
    """Pointing is science and the exposure is not an acquisition (direct column reads)."""
    return column(item, "pntgtype") == "science" and column(item, "exp_type") not in ACQ_EXP_TYPES


def is_item_coron(item) -> bool:
    if not is_science_pointing(item):
        return False
    exp_type = valid(item, "exp_type")
    if exp_type is None or exp_type not in CORON_EXP_TYPES:
        return False
    if item["exp_type"] == "nrc_coron" and column(item, "subarray") == "full":
        if column(item, "pupil") == "maskbar" and column(item, "detector") in ("nrca1", "nrca2", "nrca3"):
            return False
        if column(item, "pupil") == "maskrnd" and column(item, "detector") in ("nrca1", "nrca3", "nrca4"):
            return False
    return True


def is_item_ami(item) -> bool:
    if not is_science_pointing(item):
        return False
    return valid(item, "exp_type") == "nis_ami"


_MISSING = object()
#: the columns :func:`uses_integrations` reads
INTEGRATIONS_COLUMNS = ("pntgtype", "exp_type", "subarray", "pupil", "detector", "tsovisit")
_INTEGRATIONS: dict = {}  # (coron, pinned_tso, the INTEGRATIONS_COLUMNS cells) -> verdict


def uses_integrations(item, coron: bool, pinned_tso: bool) -> bool:
    """Whether the exposure's per-integration product is the member (``rateints``, ``calints``):
    coronagraphy (when ``coron``), AMI, or time series.

    Remembered per combination of the cells it reads, when all of them are present (a
    missing one may be an error, which is then raised as usual).
    """
    if type(item) is dict:  # a pool row: compiled, ``row.get`` is a C call (dms.pxd)
        row = item
        key = (bool(coron), bool(pinned_tso), row.get("pntgtype", _MISSING), row.get("exp_type", _MISSING),
               row.get("subarray", _MISSING), row.get("pupil", _MISSING), row.get("detector", _MISSING),
               row.get("tsovisit", _MISSING))
    else:
        get = item.get
        key = (bool(coron), bool(pinned_tso), *[get(name, _MISSING) for name in INTEGRATIONS_COLUMNS])
    memo = _INTEGRATIONS  # a local: compiled, its type is known (dms.pxd)
    try:
        verdict = memo.get(key)
    except TypeError:  # an unhashable cell
        return _integrations(item, coron, pinned_tso)
    if verdict is None:
        verdict = _integrations(item, coron, pinned_tso)
        _remember(memo, key, key[2:], verdict)
    return verdict


def _integrations(item, coron: bool, pinned_tso: bool) -> bool:
    coronagraphy = is_item_coron(item) if coron else False
    ami = is_item_ami(item)
    tso = is_item_tso(item, pinned_tso)
    return coronagraphy or ami or tso


def is_item_tso(item, pinned_tso: bool) -> bool:
    if not is_science_pointing(item):
        return False
    return pinned_tso or valid(item, "tsovisit") == "t" or valid(item, "exp_type") in TSO_EXP_TYPES


__all__ = [name for name in dir() if not name.startswith("_")] + ["EMPTY"]
