"""Building blocks of the Level 3 rules (combining exposures into one product).

Every science rule is wrapped the same way (:func:`science`): same program and
instrument, never an imprint, and either the rule's own conditions or, for a
target acquisition, an observation the association already holds.
"""

from __future__ import annotations

from ..engine.constraints import EXPOSURE_TYPE, All, Any_, Attr, Category, NotAny, Test, reads_row
from ..engine.patterns import meets
from . import dms, naming
from .dms import classify  # (compiled: C calls, see level3.pxd)
from .level2 import target_acq, tso  # the same DMS predicates
from .model import drops_invalid, finalizes_level, only_for_candidates, requires_science
from .suffixes import exposure_root

MULTI_OBS_CANDIDATE_TYPES = ("group", "background", "mosaic")


def science(*rule_constraints, name=None):
    """The wrapper every Level 3 science rule shares (see module docstring)."""
    own = All(*rule_constraints, name=name)
    return All(
        All(Attr(["program"], name="program"), Attr(["instrume"], name="instrument"), name="base"),
        Attr(["is_imprt"], force_undefined=True),
        Any_(
            All(own, Attr(["obs_num"], name="obs_num", force_unique=False, required=False), name="rule"),
            All(
                target_acq(),
                Attr(["obs_num"], name="acq_obsnum", force_unique=False,
                     value=lambda asn: "(" + "|".join(asn.found_of("obs_num")) + ")",
                     fresh_value="()", reads=("obs_num",)),
                name="acq_constraint", work_over=Category.EXISTING,
            ),
            name="acq_check", gate=_maybe_acquisition, gate_lookup=("obs_num", "obs_num"),
        ),
        name="dmsbase_top",
    )


def _maybe_acquisition(item) -> bool:
    """Only target acquisitions can take the second branch of ``acq_check``."""
    try:
        return classify(item) == "target_acquisition"
    except LookupError:
        return True


def optical_path():
    """Same filter, pupil/grating and subarray; S200A1 and S200A2 slits may mix."""
    return All(
        Attr(["filter"], name="opt_elem", required=False),
        Attr(["pupil", "grating"], name="opt_elem2", required=False),
        Any_(
            Attr(["fxd_slit"], name="fxd_slit2", value=["s200a1|s200a2"], force_unique=False, required=False),
            Attr(["fxd_slit"], name="fxd_slit", required=False),
        ),
        Attr(["subarray"], name="subarray"),
    )


def target(checked_for_background=True):
    """Same target.  Backgrounds skip the check (and are offered to existing associations)."""
    direct = All(
        Attr(["asn_candidate"], name="acdirect", value=r"\[\('c\d{4}', 'direct_image'\)\]"),
        Test(lambda item, asn: "000", name="target", columns=()),
    )
    if not checked_for_background:
        return Any_(direct, Attr(["targetid"], name="target"), gate=_maybe_direct_image, gate_child=1)
    return Any_(
        direct,
        Attr(["targetid"], name="target", onlyif=_not_background_member,
             force_reprocess=Category.EXISTING, only_on_match=True),
        gate=_maybe_direct_or_background, gate_child=1, gate_implies_onlyif=True,
    )


_DIRECT_IMAGE = r"\[\('c\d{4}', 'direct_image'\)\]"


def _maybe_direct_image(item) -> bool:
    """Rows of a WFSS direct-image candidate may take the target-000 branch."""
    value = item.get("asn_candidate")
    return not isinstance(value, str) or meets(value, _DIRECT_IMAGE)


def _maybe_direct_or_background(item) -> bool:
    """Background rows skip the target test (for every Level 3 classifier that says so)."""
    if _maybe_direct_image(item):
        return True
    try:
        return classify(item) == "background"
    except LookupError:
        return True


def science_target():
    """Same target, checked only for science exposures (PSFs may differ)."""
    return Attr(["targetid"], name="target", onlyif=_science_member,
                force_reprocess=Category.EXISTING, only_on_match=True)


@reads_row(EXPOSURE_TYPE)
def _not_background_member(item, asn) -> bool:
    return asn.exposure_type(item) != "background"


@reads_row(EXPOSURE_TYPE)
def _science_member(item, asn) -> bool:
    return asn.exposure_type(item) == "science"


def image():
    return Attr(["exp_type"], name="exp_type", value="nrc_image|mir_image|nis_image|fgs_image|nrs_mimf")


def not_wfs_visit():
    return Attr(["visitype"], name="wfsvisit", value="((?!wfsc).)*", required=False)


def ifu():
    return Attr(["exp_type"], name="exp_type", value="mir_mrs|mir_flatmrs|nrs_autowave|nrs_ifu", force_unique=False)


def msa():
    return All(
        Attr(["exp_type"], name="exp_type", value="nrs_msaspec", force_unique=False),
        Attr(["msametfl"], name="is_msa", force_unique=False),
        name="msa_spectral",
    )


def not_tso():
    return NotAny(tso())


def not_background():
    return NotAny(Attr(["bkgdtarg"], name="bkgdtarg", force_unique=False))


def not_background_or_tso():
    return NotAny(Attr(["bkgdtarg"], name="bkgdtarg"), tso())


def item_test(predicate, expected=True):
    return Test(lambda item, asn: item, value=expected,
                test=lambda value, item: predicate(item) == value,
                force_unique=False, columns=dms.PREDICATE_COLUMNS[predicate.__name__])


# ---------------------------------------------------------------- classification


@reads_row(*dms.CLASSIFY_COLUMNS)
def exposure_type(asn, item, default="science") -> str:
    return classify(item, default)


@reads_row(*dms.CLASSIFY_COLUMNS)
def auxiliary_exposure_type(asn, item, default="science") -> str:
    """Auxiliary-data rules take everything as science, except target acquisitions."""
    result = classify(item, default)
    return result if result == "target_acquisition" else "science"


# ---------------------------------------------------------------- validity


@requires_science
def has_science(asn, member) -> bool:
    return member["exptype"] == "science"


def has_psf(asn, member) -> bool:
    return member["exptype"] == "psf"


def candidate_is(ctype):
    @only_for_candidates(lambda actual: actual == ctype)
    def check(asn, member) -> bool:
        return asn.acid()[1].lower() == ctype

    check.__name__ = f"candidate_is_{ctype}"
    return check


def candidate_is_not(ctype):
    @only_for_candidates(lambda actual: actual != ctype)
    def check(asn, member) -> bool:
        return asn.acid()[1].lower() != ctype

    return check


def has_pair(asn, member) -> bool:
    """Fires when a second exposure is added (validity is checked before the member is appended)."""
    return len(asn.members) == 1


# ---------------------------------------------------------------- finalizers


@drops_invalid
def finalize_science(asn):
    """Group, background and mosaic candidates must combine more than one observation."""
    if asn.acid()[1].lower() in MULTI_OBS_CANDIDATE_TYPES and len(asn.found_of("obs_num")) <= 1:
        return None
    return [asn] if asn.is_valid() else None


@drops_invalid
def finalize_fixed_slit_nods(asn):
    """Nodded slit spectra: each science exposure's x1d also serves as background for the others."""
    if not asn.is_valid():
        return None
    found = asn.found_of("patttype_spectarg")
    if "nod" not in found[-1]:
        return [asn]
    for product in asn.products:
        members = product["members"]
        sciences = [m for m in members if m["exptype"] == "science"]
        if len(sciences) < 2:
            return [asn]
        for sci in sciences:
            background = sci.copy()
            background["expname"] = exposure_root(sci["expname"]) + "_x1d.fits"
            background["exptype"] = "background"
            members.append(background)
        return [asn] if asn.is_valid() else []
    return [asn]


@finalizes_level(3)
def finalize_level3(associations, prune_state):
    """The Level 3 finalize callback: Level 3 associations finalized, pruned, numbered, last."""
    from ..generator.prune import finalize_level

    return finalize_level(associations, 3, prune_state)


__all__ = ["naming"]
