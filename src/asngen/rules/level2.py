"""Building blocks of the Level 2b rules (one exposure's calibration).

Constraint factories return fresh trees each time they are called; the
classifiers decide a member's type; the finalizers turn a grown association
into the files the pipeline needs (nod pairs, imprint selection, WFSS
source catalogs).
"""

from __future__ import annotations

from ..engine.constraints import (
    CLASSIFICATION,
    EXPOSURE_TYPE,
    All,
    Any_,
    Attr,
    Category,
    NotAll,
    NotAny,
    Test,
    reads_row,
)
from ..engine.patterns import meets
from . import dms, naming
from .dms import classify, valid  # (compiled: C calls, see level2.pxd)
from .model import (
    LEVEL2_CANDIDATE_TYPES,
    drops_invalid,
    fails_on,
    finalizes_level,
    only_for_candidates,
    requires_science,
)
from .suffixes import exposure_root

# ---------------------------------------------------------------- constraints


def base():
    """Same program; remember whether the visit is a time series."""
    return All(
        Attr(["program"], name="program"),
        Attr(["tsovisit"], name="is_tso", required=False, force_unique=True),
    )


def mode():
    """Same instrument configuration, and never a NIRSpec/opaque, blocked or WFS&C visit."""
    return All(
        Attr(["instrume"], name="instrument"),
        Attr(["detector"], name="detector"),
        Attr(["filter", "band"], name="opt_elem"),
        Attr(["pupil", "grating"], name="opt_elem2", required=False),
        Attr(["fxd_slit"], name="fxd_slit", required=False),
        Attr(["subarray"], name="subarray", required=False),
        Attr(["channel"], name="channel", required=False),
        NotAny(Attr(["detector"], value="nirspec"), Attr(["filter"], value="opaque")),
        NotAll(Attr(["detector"], value="nrcblong"), Attr(["exp_type"], value="nrc_tsgrism")),
        NotAny(Attr(["visitype"], value=".+wfsc.+")),
        Attr(["fxd_slit"], name="slit", required=False),
    )


def image_science():
    return Attr(["exp_type"], name="exp_type", value="|".join(dms.IMAGE2_SCIENCE_EXP_TYPES))


def image_nonscience():
    return Any_(
        target_acq(),
        Attr(["exp_type"], name="non_science", value="|".join(dms.IMAGE2_NONSCIENCE_EXP_TYPES)),
        All(
            Attr(["exp_type"], name="exp_type", value="nrs_msaspec"),
            Attr(["msastate"], value="primarypark_allopen"),
            Attr(["grating"], value="mirror"),
        ),
    )


def spectral_science(exclude=()):
    if exclude:
        types = set(dms.SPEC2_SCIENCE_EXP_TYPES).symmetric_difference(exclude)
        types = sorted(types)  # order is irrelevant for an alternation
    else:
        types = dms.SPEC2_SCIENCE_EXP_TYPES
    return Any_(Attr(["exp_type"], name="exp_type", value="|".join(types)))


def target_acq():
    """Classified as a target acquisition (by the plain classifier, not the rule's)."""
    return Test(
        lambda item, asn: classify(item), value="target_acquisition", name="target_acq",
        columns=dms.CLASSIFY_COLUMNS,
    )


@reads_row(EXPOSURE_TYPE)
def _is_science(item, asn) -> bool:
    return asn.exposure_type(item) == "science"


@reads_row(beyond_states=True)
def _has_science(item, asn) -> bool:
    return asn.has_science()


@reads_row(beyond_states=True)
def _original_exposure_type(item, asn):
    return asn.original_exposure_type


@reads_row(EXPOSURE_TYPE)
def member_type(item, asn) -> str:
    """The member type the rule's classifier gives the row (a Test's ``sources``)."""
    return asn.exposure_type(item)


@reads_row()
def not_background_candidate(item, asn) -> bool:
    """The association's candidate is not a background one (a Test's ``sources``)."""
    return asn.acid()[1] != "background"


def single_science(**flags):
    """The row is science and the association has no science member yet."""
    return All(
        Test(_is_science, value=True, side_effects=CLASSIFICATION),
        Test(_has_science, value=False),
        **flags,
    )


def background():
    """A background exposure; it is also offered to the existing associations."""
    return Attr(
        ["bkgdtarg"], name="background", force_unique=False,
        force_reprocess=Category.EXISTING, only_on_match=True,
    )


def special():
    return Attr(["bkgdtarg", "is_psf"], name="is_special")


def imprint():
    return All(Attr(["is_imprt"], name="imprint"), reprocess_on_match=True, work_over=Category.EXISTING)


def imprint_special():
    return All(
        Attr(["is_imprt"], name="imprint", force_reprocess=Category.EXISTING, only_on_match=True),
        Attr(["mostilno"], name="mosaic_tile"),
        Test(_original_exposure_type, value="imprint",
             test=lambda expected, got: expected != got, force_unique=False, reads_effects=(CLASSIFICATION,)),
    )


def target():
    """Same target; WFSS direct-image candidates all count as target 000."""
    from .level3 import _maybe_direct_image

    return Any_(
        All(
            Attr(["asn_candidate"], name="acdirect", value=r"\[\('c\d{4}', 'direct_image'\)\]"),
            Test(lambda item, asn: "000", name="target", columns=()),
        ),
        Attr(["targetid"], name="target"),
        gate=_maybe_direct_image, gate_child=1,
    )


def tso():
    return All(
        Attr(["pntgtype"], value="science"),
        Any_(Attr(["tsovisit"], value="t"), Attr(["exp_type"], value="|".join(dms.TSO_EXP_TYPES))),
        name="is_tso",
    )


def not_tso():
    return NotAny(tso())


def wfsc():
    return All(All(Attr(["visitype"], name="wfsc", value=".+wfsc.+", force_unique=True)))


def item_test(predicate, expected=True):
    """A pure test of the row (no association state)."""
    return Test(lambda item, asn: item, value=expected,
                test=lambda value, item: predicate(item) == value,
                force_unique=False, columns=dms.PREDICATE_COLUMNS[predicate.__name__])


# ---------------------------------------------------------------- closed associations
# Predicates for Rule.after_science: which rows can still join an association that
# already has its one science exposure.  They must answer True when unsure.


def never(item) -> bool:
    return False


def is_background_row(item) -> bool:
    return valid(item, "bkgdtarg") is not None


def is_background_or_imprint_row(item) -> bool:
    return valid(item, "bkgdtarg") is not None or valid(item, "is_imprt") is not None


def is_background_or_taconfirm_row(item) -> bool:
    if valid(item, "bkgdtarg") is not None:
        return True
    exp_type = valid(item, "exp_type")
    return exp_type is not None and meets(str(exp_type), "mir_taconfirm")


def is_not_wfss_science_row(item) -> bool:
    return _wfss_row_type(item) != "science"


@reads_row(*dms.CLASSIFY_COLUMNS)
def may_be_wfss_science(item) -> bool:
    """Whether a row may be a WFSS rule's science member (a grism exposure, not its direct image)."""
    return _wfss_row_type(item) in ("science", None)


def _wfss_row_type(item) -> str | None:
    """The member type a WFSS rule gives ``item`` in any association (None: it cannot be told)."""
    try:
        return wfss_exposure_type(_Scratch(), item)
    except (LookupError, KeyError):
        return None


class _Scratch:
    original_exposure_type = None


# ---------------------------------------------------------------- classification


@reads_row(*dms.CLASSIFY_COLUMNS)
def exposure_type(asn, item, default="science") -> str:
    """Level 2 type: like the base classification, but a PSF is just science here."""
    kind = asn.original_exposure_type = classify(item, default)
    if kind == "psf":
        return default
    return kind


@reads_row(*dms.CLASSIFY_COLUMNS, beyond_states=True)
def special_exposure_type(asn, item, default="science") -> str:
    """Special rules make their one exposure the science; imprints follow it."""
    kind = asn.original_exposure_type = exposure_type(asn, item, default)
    if asn.has_science() and kind == "imprint":
        return "imprint"
    return default


@reads_row(*dms.CLASSIFY_COLUMNS)
def wfss_exposure_type(asn, item, default="science") -> str:
    result = exposure_type(asn, item, default)
    if result == "science" and dms.column(item, "exp_type") in _DIRECT_EXP_TYPES:
        return "direct_image"
    return result


# ---------------------------------------------------------------- validity


@requires_science
def has_science(asn, member) -> bool:
    return member["exptype"] == "science"


@only_for_candidates(lambda ctype: ctype in LEVEL2_CANDIDATE_TYPES)
def allowed_candidates(asn, member) -> bool:
    """Level 2 is made for observation candidates, and background ones with a background."""
    ctype = asn.acid()[1].lower()
    if ctype == "observation":
        return True
    if ctype == "background":
        return any(entry["exptype"].lower() == "background" for entry in asn.members)
    return False


VALIDITY = (("has_science", has_science), ("allowed_candidates", allowed_candidates))


# ---------------------------------------------------------------- finalizers


@drops_invalid
def finalize_plain(asn):
    return [asn] if asn.is_valid() else None


def prune_imprints(asn) -> None:
    """Keep only the imprint exposures that belong with the science exposures."""
    members = asn.products[0]["members"]
    science, imprint_sci, imprint_bkg = [], [], []
    science_is_background = False
    science_targets = set()
    for member in members:
        row = member.item
        if row is None or "targetid" not in row or "bkgdtarg" not in row:
            continue
        if member["exptype"] == "science":
            science.append(member)
            science_targets.add(str(row["targetid"]))
            if row["bkgdtarg"] == "t":
                science_is_background = True
        elif member["exptype"] == "imprint":
            (imprint_bkg if row["bkgdtarg"] == "t" else imprint_sci).append(member)
    to_check = imprint_bkg if science_is_background else imprint_sci
    matching, not_matching = [], []
    for member in to_check:
        if "targetid" in member.item and str(member.item["targetid"]) in science_targets:
            matching.append(member)
        else:
            not_matching.append(member)
    if matching:
        to_check = matching
        for member in not_matching:
            _remove_equal(members, member)
    if 1 <= len(science) < len(to_check):
        keep = set()
        for sci in science:
            if "dithptin" not in sci.item:
                continue
            for imp in to_check:
                if "dithptin" in imp.item and imp.item["dithptin"] == sci.item["dithptin"]:
                    keep.add(imp["expname"])
        if keep:
            for member in to_check:
                if member["expname"] not in keep:
                    _remove_equal(members, member)


def _remove_equal(members: list, member) -> None:
    """list.remove semantics with the reference's member equality (expname and exptype)."""
    for position, other in enumerate(members):
        if other["expname"] == member["expname"] and other["exptype"] == member["exptype"]:
            del members[position]
            return
    raise ValueError("member not in list")


@drops_invalid
def finalize_imprint(asn):
    if asn.is_valid():
        prune_imprints(asn)
    return finalize_plain(asn)


def _int_or_none(row, column):
    try:
        return int(row[column])
    except (KeyError, ValueError):
        return None


def nod_overlap(science: dict, other: dict) -> bool:
    """Whether another nod position cannot serve as background for ``science``."""
    try:
        exptype = str(science["exp_type"]).lower()
    except KeyError:
        return False
    if exptype not in ("nrs_fixedslit", "nrs_msaspec"):
        return False
    try:
        sci_target = str(science["targetid"]).lower()
        bkg_target = str(other["targetid"]).lower()
    except KeyError:
        sci_target = bkg_target = None
    if sci_target != bkg_target:
        return True
    try:
        numdthpt = int(science["numdthpt"])
        patt_num = int(science["patt_num"])
        bkg_num = int(other["patt_num"])
    except (KeyError, ValueError):
        numdthpt, patt_num, bkg_num = 0, None, None
    subpx = _int_or_none(science, "subpxpts")
    if subpx is None:
        subpx = _int_or_none(science, "subpxpns")
    bkg_subpx = _int_or_none(other, "subpxpts")
    if bkg_subpx is None:
        bkg_subpx = _int_or_none(other, "subpxpns")
    if None in (patt_num, bkg_num, subpx, bkg_subpx) or subpx == 0 or bkg_subpx == 0:
        return exptype == "nrs_fixedslit"
    sci_point = (patt_num - 1) // subpx
    bkg_point = (bkg_num - 1) // bkg_subpx
    if sci_point == bkg_point:
        return True
    if exptype == "nrs_msaspec":
        return False
    slit = str(science["fxd_slit"]).lower() if "fxd_slit" in science else None
    return slit == "s1600a1" and numdthpt // subpx == 5 and abs(sci_point - bkg_point) <= 1


@drops_invalid
def split_nods(asn):
    """One association per science exposure; the other nods become its background."""
    if not asn.is_valid():
        return None
    from ..association import new_product

    for product in asn.products:
        members = product["members"]
        sciences = [m for m in members if m["exptype"] == "science"]
        others = [m for m in members if m["exptype"] != "science"]
        names = [sci["expname"] for sci in sciences]  # read once: members make their names on reading
        results = []
        for sci, sci_name in zip(sciences, names, strict=True):
            name = exposure_root(sci_name)
            new_members = [sci]
            for other, other_name in zip(sciences, names, strict=True):
                if other_name != sci_name and not nod_overlap(sci.item, other.item):
                    background = other.copy()
                    background["exptype"] = "background"
                    new_members.append(background)
            new_members += others
            twin = asn.clone([new_product(name, new_members)])
            if twin.is_valid():
                results.append(twin)
        return results
    return []


@drops_invalid
def finalize_imprint_then_nods(asn):
    if asn.is_valid():
        prune_imprints(asn)
    return split_nods(asn)


def closest_direct(science, directs):
    """The direct image taken soonest after the grism exposure (by expspcin)."""
    closest = directs[0]
    sci = valid(science.item, "expspcin")
    if sci is None:
        return closest
    sci = int(sci)
    best = 9999
    for direct in directs:
        value = valid(direct.item, "expspcin")
        if value is None:
            continue
        diff = int(value) - sci
        if 0 < diff < best:
            best = diff
            closest = direct
    return closest


def closest_direct_parallel(science, directs):
    longs = [d for d in directs if "long" in d["expname"]]
    return longs[0] if longs else directs[0]


def direct_optical_elements(row) -> str:
    elements = []
    if str(row.get("instrume", "UNKNOWN")).lower() == "miri":
        value = row.get("filter")
        if value is not None:
            elements.append(str(value))
    else:
        for columns in (("filter", "band"), ("pupil", "grating")):
            found = dms.first_valid(row, columns)
            if found is None:  # the reference fails here too (exit 1)
                raise dms.MissingColumn("/".join(columns))
            if found[1]:
                elements.append(found[1])
    elements.sort(key=str.lower)
    return "-".join(elements) or "clear"


def unnamable_direct_image(row) -> bool:
    """Whether ``row``, chosen as a WFSS association's direct image, stops the run when the
    association is finalized (:func:`direct_optical_elements` finds no value to name it by),
    as it stops the reference's, whether the association is valid or not."""
    if row.get("exp_type") not in _DIRECT_EXP_TYPES:
        return False
    try:
        direct_optical_elements(row)
    except LookupError:
        return True
    return False


_DIRECT_EXP_TYPES = ("nis_image", "nrc_image", "mir_image")  # (see wfss_exposure_type)
_DIRECT_NAME_COLUMNS = ("exp_type", "instrume", "filter", "band", "pupil", "grating")


@drops_invalid
@fails_on(unnamable_direct_image, reads=_DIRECT_NAME_COLUMNS)
def wfss_catalog(asn, chooser=closest_direct):
    """Replace the direct images by the Level 3 products the grism calibration needs."""
    from ..association import Member

    directs = asn.members_by_type("direct_image")
    sciences = asn.members_by_type("science")
    if not directs or not sciences:
        return None
    members = asn.members
    members[:] = [m for m in members if m["exptype"] != "direct_image"]
    direct = chooser(sciences[0], directs)
    root = naming.standard(asn, opt_elem=direct_optical_elements(direct.item))
    members.append(Member({"expname": root + "_i2d.fits", "exptype": "direct_image"}))
    members.append(Member({"expname": root + "_cat.ecsv", "exptype": "sourcecat"}))
    members.append(Member({"expname": root + "_segm.fits", "exptype": "segmap"}))
    return finalize_plain(asn)


@drops_invalid
@fails_on(unnamable_direct_image, reads=_DIRECT_NAME_COLUMNS)
def finalize_wfss_parallel(asn):
    return wfss_catalog(asn, closest_direct_parallel)


# ---------------------------------------------------------------- callbacks


@finalizes_level(2)
def finalize_level2(associations, prune_state):
    """The Level 2 finalize callback: Level 2 associations finalized, pruned, numbered, last."""
    from ..generator.prune import finalize_level

    return finalize_level(associations, 2, prune_state)


def merge_level2(associations):
    """Combine Level 2 associations of the same type and candidate into one, product per exposure."""
    others, merged = [], {}
    for asn in associations:
        if asn.level != 2:
            others.append(asn)
            continue
        key = f"{asn.data['asn_type']}_{asn.data['asn_id']}"
        current = merged.setdefault(key, asn)
        for product in list(asn.data["products"]):
            combined = False
            for current_product in current.data["products"]:
                if product["name"] == current_product["name"]:
                    names = {m["expname"] for m in product["members"]}
                    new = names.difference(m["expname"] for m in current_product["members"])
                    current_product["members"].extend(m for m in product["members"] if m["expname"] in new)
                    combined = True
            if not combined:
                current.data["products"].append(product)
    return others + list(merged.values())
