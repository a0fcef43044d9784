"""Level 3 rules: which calibrated exposures are combined into one product.

Each rule is one :class:`~asngen.rules.model.Rule`; science rules are wrapped
by :func:`~asngen.rules.level3.science` (same program and instrument, no
imprints, target acquisitions of the same observation).  Rule names are the
ones the JWST archive writes into ``asn_rule``.
"""

from __future__ import annotations

from ..engine.constraints import All, Any_, Attr, Category, NotAny, Test
from . import dms, naming
from . import level3 as l3
from .model import Rule

SCIENCE = (("has_science", l3.has_science),)
CORON = SCIENCE + (("has_psf", l3.has_psf),)


def _spec3(name, constraints, **kwargs):
    kwargs.setdefault("product_name", naming.standard)
    kwargs.setdefault("exposure_type", l3.exposure_type)
    kwargs.setdefault("validity", SCIENCE)
    kwargs.setdefault("finalize", l3.finalize_science)
    return Rule(name=name, level=3, asn_type="spec3", constraints=constraints, **kwargs)


def _rule(name, asn_type, constraints, **kwargs):
    kwargs.setdefault("product_name", naming.standard)
    kwargs.setdefault("exposure_type", l3.exposure_type)
    kwargs.setdefault("validity", SCIENCE)
    kwargs.setdefault("finalize", l3.finalize_science)
    return Rule(name=name, level=3, asn_type=asn_type, constraints=constraints, **kwargs)


RULES = [
    Rule(
        name="Asn_Lv3ACQ_Reprocess", level=3, asn_type="None",
        doc="Never builds an association: sends every target acquisition to the existing ones.",
        constraints=lambda: All(
            l3.target_acq(),
            Test(lambda item, asn: item, name="force_fail", value="anything but None",
                 test=lambda expected, got: False, reprocess_on_fail=True,
                 work_over=Category.NONSCIENCE, reprocess_rules=[]),
        ),
        exposure_type=l3.exposure_type, validity=SCIENCE, product_name=naming.standard,
    ),
    _rule(
        "Asn_Lv3AMI", "ami3",
        doc="NIRISS aperture masking interferometry with its PSF references.",
        constraints=lambda: l3.science(
            l3.optical_path(),
            Attr(["exp_type"], name="exp_type", value="nis_ami"),
            l3.science_target(),
        ),
        validity=CORON,
    ),
    _rule(
        "Asn_Lv3Image", "image3",
        doc="Images of one target in one optical configuration.",
        constraints=lambda: l3.science(
            l3.optical_path(), l3.target(), l3.image(), l3.not_wfs_visit(), l3.not_background_or_tso(),
        ),
    ),
    _rule(
        "Asn_Lv3ImageBackground", "image3",
        doc="Background images combined on their own.",
        constraints=lambda: l3.science(
            l3.optical_path(), l3.target(), l3.image(), l3.not_wfs_visit(),
            Attr(["bkgdtarg"], name="bkgdtarg"), l3.not_tso(),
        ),
        exposure_type=l3.auxiliary_exposure_type,
    ),
    _rule(
        "Asn_Lv3ImageMosaic", "image3",
        doc="Mosaic candidates: images of one configuration whatever the target.",
        constraints=lambda: l3.science(
            l3.optical_path(), l3.image(), l3.not_wfs_visit(), l3.not_background_or_tso(),
        ),
        validity=SCIENCE + (("is_type_mosaic", l3.candidate_is("mosaic")),),
    ),
    _rule(
        "Asn_Lv3MIRCoron", "coron3",
        doc="MIRI coronagraphy with its PSF references.",
        constraints=lambda: l3.science(
            l3.optical_path(),
            Attr(["exp_type"], name="exp_type", value="mir_lyot|mir_4qpm"),
            l3.science_target(),
            l3.not_background(),
            name="asn_coron",
        ),
        validity=CORON,
    ),
    _spec3(
        "Asn_Lv3MIRMRS",
        doc="MIRI MRS spectra of one target, with backgrounds.",
        constraints=lambda: l3.science(
            l3.target(), Attr(["exp_type"], name="exp_type", value="mir_mrs"), l3.not_tso(),
        ),
        product_name=naming.no_optical_path,
    ),
    _spec3(
        "Asn_Lv3MIRMRSBackground",
        doc="MIRI MRS background observations combined on their own.",
        constraints=lambda: l3.science(
            l3.target(checked_for_background=False),
            Attr(["exp_type"], name="exp_type", value="mir_mrs"),
            l3.not_tso(),
            Attr(["bkgdtarg"], name="bkgdtarg", value="T"),
        ),
        product_name=naming.no_optical_path, exposure_type=l3.auxiliary_exposure_type,
    ),
    _rule(
        "Asn_Lv3NRCCoron", "coron3",
        doc="NIRCam coronagraphy with its PSF references.",
        constraints=lambda: l3.science(
            l3.optical_path(),
            Attr(["exp_type"], name="exp_type", value="nrc_coron"),
            l3.science_target(),
            l3.not_background(),
            l3.item_test(dms.nrccoron_valid_detector),
            name="asn_coron",
        ),
        validity=CORON,
    ),
    _rule(
        "Asn_Lv3NRCCoronImage", "image3",
        doc="NIRCam full-frame coronagraphic exposures also combined as plain images.",
        constraints=lambda: l3.science(
            l3.optical_path(),
            Attr(["exp_type"], name="exp_type", value="nrc_coron"),
            l3.science_target(),
            NotAny(
                Attr(["bkgdtarg"], name="bkgdtarg", force_unique=False),
                Attr(["is_psf"], name="is_psf", value="T"),
            ),
            Attr(["channel"], name="channel", value="short"),
            Attr(["subarray"], name="subarray", value="full"),
        ),
        product_name=naming.coronagraphic_image, coron_members=False,
    ),
    _spec3(
        "Asn_Lv3NRSFSS",
        doc="NIRSpec fixed-slit spectra of one target, with lamps and backgrounds.",
        constraints=lambda: l3.science(
            l3.not_tso(),
            Attr(["exp_type"], name="exp_type", value="nrs_autoflat|nrs_autowave|nrs_fixedslit",
                 force_unique=False),
            l3.item_test(dms.nrsfss_valid_detector),
            l3.optical_path(),
            l3.target(),
        ),
        product_name=naming.fixed_slit_sources,
    ),
    _spec3(
        "Asn_Lv3NRSIFU",
        doc="NIRSpec IFU cubes of one target and grating.",
        constraints=lambda: l3.science(
            l3.target(),
            Attr(["exp_type"], name="exp_type", value="nrs_autowave|nrs_ifu", force_unique=False),
            l3.item_test(dms.nrsifu_valid_detector),
            Attr(["patttype"], name="patttype", required=True),
            l3.not_tso(),
            Attr(["grating"], name="opt_elem"),
        ),
    ),
    _spec3(
        "Asn_Lv3NRSIFUBackground",
        doc="NIRSpec IFU background observations combined on their own.",
        constraints=lambda: l3.science(
            l3.target(),
            l3.not_tso(),
            Attr(["bkgdtarg"], name="bkgdtarg", value="T"),
            Attr(["exp_type"], name="allowed_bkgdtarg", value="nrs_ifu"),
            l3.item_test(dms.nrsifu_valid_detector),
            Attr(["grating"], name="opt_elem", force_unique=True),
        ),
        exposure_type=l3.auxiliary_exposure_type,
    ),
    _spec3(
        "Asn_Lv3SlitlessSpectral",
        doc="NIRISS SOSS spectra that are neither time series nor nodded.",
        constraints=lambda: l3.science(
            l3.not_tso(), l3.optical_path(), l3.target(),
            Attr(["exp_type"], name="exp_type", value="nis_soss", force_unique=False),
            NotAny(Attr(["patttype"], name="patttype_spectarg")),
            NotAny(
                Attr(["exp_type"], name="restricted_slitless", value="mir_lrs-slitless"),
                l3.tso(),
            ),
        ),
    ),
    _spec3(
        "Asn_Lv3SpecAux",
        doc="Fixed-slit background observations combined on their own.",
        constraints=lambda: l3.science(
            l3.target(), l3.not_tso(),
            Attr(["bkgdtarg"], name="bkgdtarg", value="T"),
            Attr(["exp_type"], name="allowed_bkgdtarg", value="mir_lrs-fixedslit|nrs_fixedslit"),
            l3.optical_path(),
        ),
        exposure_type=l3.auxiliary_exposure_type,
    ),
    _spec3(
        "Asn_Lv3SpectralSource",
        doc="NIRSpec MOS spectra (with lamps), combined per source by the pipeline.",
        constraints=lambda: l3.science(
            l3.not_tso(), l3.optical_path(), l3.target(),
            Any_(
                Attr(["exp_type"], name="exp_type", value="nrs_autoflat|nrs_autowave", force_unique=False),
                l3.msa(),
            ),
        ),
        product_name=naming.multi_object,
    ),
    _spec3(
        "Asn_Lv3SpectralTarget",
        doc="Nodded MIRI LRS slit and SOSS spectra; each nod's x1d is background for the others.",
        constraints=lambda: l3.science(
            l3.not_tso(), l3.optical_path(), l3.target(),
            Attr(["exp_type"], name="exp_type", value="mir_lrs-fixedslit|nis_soss", force_unique=False),
            Any_(Attr(["patttype"], name="patttype_spectarg",
                      value="2-point-nod|4-point-nod|along-slit-nod")),
        ),
        finalize=l3.finalize_fixed_slit_nods,
    ),
    _rule(
        "Asn_Lv3TSO", "tso3",
        doc="Time series of one observation, excluding uncalibratable configurations.",
        constraints=lambda: l3.science(
            l3.target(), l3.optical_path(), l3.tso(),
            Attr(["exp_type"], name="exp_type"),
            NotAny(l3.ifu()),
            NotAny(
                All(Attr(["exp_type"], name="restricted_grism", value="nrc_tsgrism"),
                    Attr(["pupil"], name="grism_clear", value="clear|gdhs0|gdhs60")),
                All(Attr(["exp_type"], name="restricted_ts", value="nrc_tsgrism"),
                    Attr(["detector"], name="module", value="nrcblong")),
                Attr(["subarray"], name="subarray",
                     value="sub260stripe4_dhs|sub41stripe1_dhs|sub82stripe2_dhs|sub164stripe4_dhs"),
            ),
            NotAny(
                All(Attr(["exp_type"], name="exp_type", value="nis_soss"),
                    Attr(["nints"], name="nints", value="1")),
                All(Attr(["exp_type"], name="exp_type", value="nis_soss"),
                    l3.item_test(dms.nissoss_calibrated_filter, expected=False)),
            ),
            NotAny(
                All(Attr(["exp_type"], name="exp_type", value="nrs_brightobj"),
                    l3.item_test(dms.nrsfss_valid_detector, expected=False)),
            ),
        ),
        validity=SCIENCE + (("is_type_observation", l3.candidate_is("observation")),),
    ),
    _rule(
        "Asn_Lv3WFSCMB", "wfs-image3",
        doc="Wavefront-sensing dither pairs, one product per detector and activity.",
        constraints=lambda: l3.science(
            l3.optical_path(), l3.target(), l3.image(),
            Attr(["patttype"], name="patttype", value="wfsc"),
            Attr(["detector"], name="detector"),
            Attr(["obs_id"], name="obs_id"),
            Attr(["act_id"], name="act_id"),
            NotAny(Attr(["dms_note"], name="dms_note", value="wfsc_los_jitter")),
        ),
        product_name=naming.wavefront_pair,
        validity=SCIENCE + (("has_pair", l3.has_pair), ("is_not_group", l3.candidate_is_not("group"))),
    ),
    _spec3(
        "Asn_Lv3WFSSMIR",
        doc="MIRI slitless (WFSS) spectra.",
        constraints=lambda: l3.science(
            l3.target(),
            Attr(["exp_type"], name="exp_type", value="mir_wfss"),
            Attr(["filter"], name="opt_elem", value="P750L"),
        ),
    ),
    _spec3(
        "Asn_Lv3WFSSNIS",
        doc="NIRISS WFSS spectra of one grism and blocking filter.",
        constraints=lambda: l3.science(
            l3.target(),
            Attr(["exp_type"], name="exp_type", value="nis_wfss"),
            Attr(["filter"], name="opt_elem", value="gr150r|gr150c", force_unique=True),
            Attr(["pupil"], name="opt_elem2"),
        ),
    ),
    _spec3(
        "Asn_Lv3WFSSNRC",
        doc="NIRCam WFSS spectra of one grism and filter.",
        constraints=lambda: l3.science(
            l3.target(),
            Attr(["exp_type"], name="exp_type", value="nrc_wfss"),
            Attr(["pupil"], name="opt_elem", value="GRISMR|GRISMC", force_unique=True),
            Attr(["filter"], name="opt_elem2"),
        ),
    ),
]

FINALIZE = l3.finalize_level3
