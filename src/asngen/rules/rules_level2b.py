"""Level 2b rules: which exposures are calibrated together, one science exposure each.

Each rule is one :class:`~asngen.rules.model.Rule`; the conditions read top
to bottom in the order they are tested.  Rule names are the ones the JWST
archive writes into ``asn_rule``.
"""

from __future__ import annotations

from ..engine.constraints import All, Any_, Attr, Category, NotAll, NotAny, Test, reads_row
from . import dms
from . import level2 as l2
from .model import Rule

IMAGE2, SPEC2 = "image2", "spec2"


def _exposures_one_science_or_background():
    return Any_(l2.background(), l2.single_science())


def _not_science():
    """Anything the rule's classifier does not call science (direct images, backgrounds...)."""
    return Test(l2.member_type, value="science",
                test=lambda expected, got: got != expected, force_unique=False, side_effects=l2.CLASSIFICATION)


def _is_science():
    return Test(l2.member_type, value="science",
                test=lambda expected, got: got == expected, force_unique=False, side_effects=l2.CLASSIFICATION)


def _wfss(grism: str, direct: str, *configuration):
    """A grism exposure plus direct images of the same configuration."""
    return lambda: All(
        l2.base(),
        l2.target(),
        Any_(
            Attr(["exp_type"], name="exp_type", value=grism),
            Attr(["exp_type"], name="image_exp_type", value=direct,
                 force_reprocess=Category.NONSCIENCE, only_on_match=True),
        ),
        *[Attr([column], name=name) for name, column in configuration],
        Any_(_not_science(), l2.single_science()),
    )


@reads_row(*dms.CLASSIFY_COLUMNS)
def _lrs_nod_exposure_type(asn, item, default="science"):
    """The other nod positions of an LRS slit observation are its background."""
    result = l2.exposure_type(asn, item, default)
    if result == "science" and asn.matched_of("is_current_patt_num"):
        return "background"
    return result


def _lrs_ta_confirm():
    """The science test object is shared by both branches, so what it pins holds for both."""
    science = All(
        l2.single_science(),
        Attr(["exp_type"], name="exp_type", value="mir_lrs-slitless|mir_lrs-fixedslit"),
    )
    background = All(
        l2.background(), l2.not_tso(),
        Attr(["exp_type"], name="exp_type", value="mir_lrs-slitless|mir_lrs-fixedslit"),
    )
    taconfirm = Attr(["exp_type"], name="exp_type", value="mir_taconfirm")
    return All(
        l2.base(),
        Any_(
            All(l2.mode(), Any_(science, background)),
            All(Attr(["obs_id"], name="obs_id"), Any_(science, taconfirm)),
        ),
    )


RULES = [
    Rule(
        name="Asn_Lv2CoronAsRate", level=2, asn_type=IMAGE2,
        after_science=l2.is_background_row, needs_candidate=True,
        doc="NIRCam coronagraphy in full frame, also calibrated per integration-less rate.",
        constraints=lambda: All(
            l2.base(), l2.mode(),
            Attr(["exp_type"], name="exp_type", value="nrc_coron"),
            Attr(["subarray"], name="subarray", value="full"),
            l2.item_test(dms.nrccoron_valid_detector),
            _exposures_one_science_or_background(),
        ),
        exposure_type=l2.exposure_type, validity=l2.VALIDITY, coron_members=False,
    ),
    Rule(
        name="Asn_Lv2FGS", level=2, asn_type=IMAGE2,
        after_science=l2.never, needs_candidate=True,
        doc="One FGS image, outside wavefront-sensing visits.",
        constraints=lambda: All(
            l2.base(), l2.single_science(),
            Attr(["exp_type"], name="exp_type", value="fgs_image|fgs_focus"),
            NotAny(l2.wfsc()),
        ),
        exposure_type=l2.exposure_type, validity=l2.VALIDITY,
    ),
    Rule(
        name="Asn_Lv2Image", level=2, asn_type=IMAGE2,
        after_science=l2.is_background_row, needs_candidate=True,
        doc="One science image with its background exposures.",
        constraints=lambda: All(
            l2.base(), l2.mode(), l2.image_science(), l2.not_tso(),
            _exposures_one_science_or_background(),
        ),
        exposure_type=l2.exposure_type, validity=l2.VALIDITY,
    ),
    Rule(
        name="Asn_Lv2ImageNonScience", level=2, asn_type=IMAGE2,
        after_science=l2.never, needs_candidate=True,
        doc="One non-science image (acquisitions, focus, MSA imaging) calibrated on its own.",
        constraints=lambda: All(l2.base(), l2.image_nonscience(), l2.single_science()),
        exposure_type=l2.special_exposure_type, validity=l2.VALIDITY,
    ),
    Rule(
        name="Asn_Lv2ImageSpecial", level=2, asn_type=IMAGE2,
        after_science=l2.never, needs_candidate=True,
        doc="One background or PSF image calibrated as science.",
        constraints=lambda: All(
            l2.base(), l2.mode(), l2.image_science(), l2.single_science(), l2.special(),
        ),
        exposure_type=l2.special_exposure_type, validity=l2.VALIDITY,
    ),
    Rule(
        name="Asn_Lv2ImageTSO", level=2, asn_type="tso-image2",
        after_science=l2.never, needs_candidate=True,
        doc="One time-series image.",
        constraints=lambda: All(
            l2.base(), l2.mode(), l2.image_science(), l2.single_science(), l2.tso(),
        ),
        exposure_type=l2.exposure_type, validity=l2.VALIDITY,
    ),
    Rule(
        name="Asn_Lv2MIRLRSFixedSlitNod", level=2, asn_type=SPEC2,
        needs_candidate=True,
        doc="MIRI LRS slit nods: each nod is science with the other nods as background.",
        constraints=lambda: All(
            All(
                l2.base(),
                Test(l2.not_background_candidate, value=True, force_unique=False),
            ),
            Any_(
                All(
                    Attr(["exp_type"], name="exp_type", value="mir_lrs-fixedslit"),
                    Attr(["patt_num"], name="patt_num"),
                    l2.single_science(reprocess_on_match=True, work_over=Category.EXISTING),
                    Attr(["patttype"], name="patttype", value="along-slit-nod", force_unique=False),
                ),
                All(
                    Attr(["exp_type"], name="exp_type", value="mir_lrs-fixedslit"),
                    Attr(["patt_num"], name="is_current_patt_num",
                         value=lambda asn: "((?!{}).)*".format(asn.value_of("patt_num"))),
                    Test(lambda item, asn: False, name="force_match", value=None,
                         test=lambda expected, got: True, force_unique=True),
                    Attr(["patttype"], name="patttype", value="along-slit-nod", force_unique=False),
                ),
                Attr(["exp_type"], name="exp_type", value="mir_taconfirm"),
            ),
        ),
        exposure_type=_lrs_nod_exposure_type, validity=l2.VALIDITY,
    ),
    Rule(
        name="Asn_Lv2NRSFSS", level=2, asn_type=SPEC2,
        needs_candidate=True,
        doc="NIRSpec fixed-slit nods of one pointing, split into one association per nod.",
        constraints=lambda: All(
            l2.base(), l2.mode(),
            Attr(["exp_type"], name="exp_type", value="nrs_fixedslit"),
            l2.item_test(dms.nrsfss_valid_detector),
            Any_(
                _not_science(),
                All(
                    Attr(["expspcin"], name="expspcin"),
                    Attr(["numdthpt"], name="nods"),
                    Attr(["subpxpns", "subpxpts"], name="subpxpts"),
                    _is_science(),
                ),
            ),
        ),
        exposure_type=l2.exposure_type, validity=l2.VALIDITY, finalize=l2.split_nods,
    ),
    Rule(
        name="Asn_Lv2NRSIFUNod", level=2, asn_type=SPEC2,
        needs_candidate=True,
        doc="NIRSpec IFU nods of one mosaic tile, split into one association per nod.",
        constraints=lambda: All(
            l2.base(), l2.mode(),
            Attr(["exp_type"], name="exp_type", value="nrs_ifu"),
            l2.item_test(dms.nrsifu_valid_detector),
            Attr(["patttype"], name="patttype", value="2-point-nod|4-point-nod", force_unique=True),
            Attr(["mostilno"], name="mosaic_tile"),
        ),
        exposure_type=l2.exposure_type, validity=l2.VALIDITY, finalize=l2.finalize_imprint_then_nods,
    ),
    Rule(
        name="Asn_Lv2NRSLAMPImage", level=2, asn_type=IMAGE2,
        after_science=l2.never, needs_candidate=True,
        doc="One NIRSpec lamp exposure through the mirror.",
        constraints=lambda: All(
            l2.base(), l2.single_science(),
            Attr(["exp_type"], name="exp_type", value="nrs_lamp"),
            Attr(["grating"], value="mirror"),
            Attr(["opmode"], value="image", required=False),
        ),
        exposure_type=l2.special_exposure_type, validity=l2.VALIDITY,
    ),
    Rule(
        name="Asn_Lv2NRSLAMPSpectral", level=2, asn_type="nrslamp-spec2",
        after_science=l2.never, needs_candidate=True,
        doc="One NIRSpec lamp, autoflat or autowave exposure through a grating.",
        constraints=lambda: All(
            l2.base(), l2.single_science(),
            Attr(["exp_type"], name="exp_type", value="nrs_autoflat|nrs_autowave|nrs_lamp"),
            Attr(["filter"], name="opt_elem", value="opaque"),
            l2.item_test(dms.nrslamp_valid_detector),
            Any_(
                NotAny(Attr(["opmode"], name="opmode", value="msaspec")),
                All(Attr(["opmode"], value="msaspec"), Attr(["msametfl"])),
            ),
            Attr(["lamp"], name="lamp"),
            NotAny(
                Attr(["grating"], value="mirror", force_unique=False),
                Attr(["opmode"], value="grating-only", force_unique=False),
                Attr(["lamp"], value="nolamp", force_unique=False),
            ),
        ),
        exposure_type=l2.special_exposure_type, validity=l2.VALIDITY,
    ),
    Rule(
        name="Asn_Lv2NRSMSA", level=2, asn_type=SPEC2,
        needs_candidate=True,
        doc="NIRSpec MOS exposures of one spectral configuration, split per nod.",
        constraints=lambda: All(
            l2.base(), l2.mode(),
            All(
                Attr(["exp_type"], name="exp_type", value="nrs_msaspec"),
                Attr(["msametfl"]),
                Attr(["expspcin"], name="expspcin"),
            ),
        ),
        exposure_type=l2.exposure_type, validity=l2.VALIDITY, finalize=l2.split_nods,
    ),
    Rule(
        name="Asn_Lv2Spec", level=2, asn_type=SPEC2,
        after_science=l2.is_background_or_imprint_row, needs_candidate=True,
        doc="One spectral science exposure with its imprints (same tile) and backgrounds.",
        constraints=lambda: All(
            l2.base(), l2.mode(),
            l2.spectral_science(exclude=(
                "nis_wfss", "nrc_wfss", "nrs_fixedslit", "nrs_msaspec",
                "mir_lrs-slitless", "mir_lrs-fixedslit",
            )),
            # A row that is not a background can only be the science or an imprint of the
            # same tile (the gate), so the index files associations by tile for such rows.
            # The tile is tested first: a row of another tile is then refused before the
            # science test, whose one side effect (the association's remembered exposure
            # type) this rule never reads; refusals and re-queues are the same either way.
            Any_(
                l2.background(),
                All(
                    Attr(["mostilno"], name="mostilno"),
                    Any_(l2.imprint(), l2.single_science()),
                ),
                gate=l2.is_background_row, gate_child=1,
            ),
            NotAny(
                l2.tso(),
                Attr(["patttype"], name="patttype", value="2-point-nod|4-point-nod|along-slit-nod"),
            ),
            l2.item_test(dms.nrsifu_valid_detector),
        ),
        exposure_type=l2.exposure_type, validity=l2.VALIDITY, finalize=l2.finalize_imprint,
    ),
    Rule(
        name="Asn_Lv2SpecImprint", level=2, asn_type=SPEC2,
        after_science=l2.never, needs_candidate=True,
        doc="One imprint exposure calibrated as science.",
        constraints=lambda: All(
            l2.base(), l2.mode(), l2.spectral_science(), l2.single_science(),
            l2.item_test(dms.nrsifu_valid_detector),
            Attr(["is_imprt"], name="imprint"),
        ),
        exposure_type=l2.special_exposure_type, validity=l2.VALIDITY,
    ),
    Rule(
        name="Asn_Lv2SpecSpecial", level=2, asn_type=SPEC2,
        needs_candidate=True,
        doc="One background or PSF spectrum calibrated as science, with its imprints.",
        constraints=lambda: All(
            l2.base(), l2.mode(), l2.spectral_science(), l2.special(),
            l2.item_test(dms.nrsifu_valid_detector),
            Any_(l2.imprint_special(), l2.single_science()),
        ),
        exposure_type=l2.special_exposure_type, validity=l2.VALIDITY, finalize=l2.finalize_imprint,
    ),
    Rule(
        name="Asn_Lv2SpecTSO", level=2, asn_type="tso-spec2",
        after_science=l2.never, needs_candidate=True,
        doc="One time-series spectrum, excluding uncalibratable configurations.",
        constraints=lambda: All(
            All(
                l2.base(), l2.mode(),
                l2.spectral_science(exclude=(
                    "nrs_msaspec", "nrs_fixedslit", "mir_lrs-slitless", "mir_lrs-fixedslit",
                )),
                l2.single_science(), l2.tso(),
            ),
            NotAny(All(
                Attr(["exp_type"], name="exp_type", value="nrc_tsgrism"),
                Attr(["pupil"], name="pupil", value="clear"),
            )),
            NotAny(All(
                Attr(["exp_type"], name="exp_type", value="nrs_brightobj"),
                l2.item_test(dms.nrsfss_valid_detector, expected=False),
            )),
            NotAny(All(
                Attr(["exp_type"], name="exp_type", value="nis_soss"),
                l2.item_test(dms.nissoss_calibrated_filter, expected=False),
            )),
        ),
        exposure_type=l2.exposure_type, validity=l2.VALIDITY,
    ),
    Rule(
        name="Asn_Lv2WFSC", level=2, asn_type=IMAGE2,
        after_science=l2.never, needs_candidate=True,
        doc="One wavefront-sensing image (not line-of-sight jitter NIRCam images).",
        constraints=lambda: All(
            l2.base(), l2.image_science(), l2.single_science(), l2.wfsc(),
            NotAll(
                Attr(["dms_note"], name="dms_note", value="wfsc_los_jitter"),
                Attr(["exp_type"], name="exp_type", value="nrc_image"),
            ),
        ),
        exposure_type=l2.exposure_type, validity=l2.VALIDITY,
    ),
    Rule(
        name="Asn_Lv2WFSSMIR", level=2, asn_type=SPEC2,
        after_science=l2.is_not_wfss_science_row, needs_candidate=True,
        may_be_science=l2.may_be_wfss_science,
        doc="One MIRI WFSS exposure with the direct images that locate its sources.",
        constraints=_wfss("mir_wfss", "mir_image", ("instrument", "instrume"), ("detector", "detector")),
        exposure_type=l2.wfss_exposure_type, validity=l2.VALIDITY, finalize=l2.wfss_catalog,
    ),
    Rule(
        name="Asn_Lv2WFSSNIS", level=2, asn_type=SPEC2,
        after_science=l2.is_not_wfss_science_row, needs_candidate=True,
        may_be_science=l2.may_be_wfss_science,
        doc="One NIRISS WFSS exposure with the direct images that locate its sources.",
        constraints=_wfss(
            "nis_wfss", "nis_image", ("instrument", "instrume"), ("instrument", "instrume"),
            ("pupil", "pupil"), ("subarray", "subarray"),
        ),
        exposure_type=l2.wfss_exposure_type, validity=l2.VALIDITY, finalize=l2.wfss_catalog,
    ),
    Rule(
        name="Asn_Lv2WFSSNRC", level=2, asn_type=SPEC2,
        after_science=l2.is_not_wfss_science_row, needs_candidate=True,
        may_be_science=l2.may_be_wfss_science,
        doc="One NIRCam WFSS exposure with the direct images that locate its sources.",
        constraints=_wfss("nrc_wfss", "nrc_image", ("instrument", "instrume"), ("detector", "detector")),
        exposure_type=l2.wfss_exposure_type, validity=l2.VALIDITY, finalize=l2.wfss_catalog,
    ),
    Rule(
        name="Asn_Lv2WFSSParallel", level=2, asn_type=SPEC2,
        after_science=l2.is_not_wfss_science_row,
        doc="Parallel WFSS (direct_image candidates): grism plus the long-wavelength direct image.",
        constraints=lambda: All(
            Attr(["asn_candidate"], name="acdirect", value=r"\[\('c\d{4}', 'direct_image'\)\]"),
            Any_(
                Attr(["exp_type"], name="exp_type", value="nis_wfss|nrc_wfss|mir_wfss"),
                Attr(["exp_type"], name="image_exp_type", value="nis_image|nrc_image|mir_image",
                     force_reprocess=Category.NONSCIENCE, only_on_match=True),
            ),
            Any_(_not_science(), l2.single_science()),
            l2.target(),
            Attr(["instrume"], name="instrument"),
        ),
        exposure_type=l2.wfss_exposure_type,
        validity=(("has_science", l2.has_science), ("allowed_candidates", lambda asn, member: True)),
        finalize=l2.finalize_wfss_parallel,
    ),
    Rule(
        name="Asn_MIRLRSTAConfirm", level=2, asn_type=SPEC2,
        after_science=l2.is_background_or_taconfirm_row, needs_candidate=True,
        doc="One MIRI LRS science exposure with its backgrounds and its target-acquisition confirmation.",
        constraints=lambda: _lrs_ta_confirm(),
        exposure_type=l2.exposure_type, validity=l2.VALIDITY,
    ),
]

FINALIZE = l2.finalize_level2
MERGE = l2.merge_level2
