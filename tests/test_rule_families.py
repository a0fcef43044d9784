"""Every rule family on a small pool built here, checked against the reference's output.

Each pool below is written by the test (see tests/pools.py) and generated
in-process.  The expected associations were learnt by running the reference
``asn_generate`` (jwst 3.0.0) on exactly the same pool with ``--version-id x``;
the facts it showed are written into the assertions, so jwst is not needed.
"""

from __future__ import annotations

import json

import pytest

from asngen.api import generate
from asngen.errors import AsngenError
from asngen.options import GenerateOptions
from tests.pools import exposure, outline, run, write_pool

POOLS: dict = {}


def pool(builder):
    """Register a pool builder by name (the scratch harness that ran the reference uses it)."""
    POOLS[builder.__name__] = builder
    return builder


def fname(obs: int, visit_exp: str, detector: str, program: str = "99009") -> str:
    """A realistic raw file name: jw<program><obs:03><visit 001>_<group/seq/act><exp>_..._uncal.fits."""
    return f"jw{program}{obs:03d}001_{visit_exp}_{detector}_uncal.fits"


# -- imaging -------------------------------------------------------------------------


@pool
def imaging():
    rows = [
        exposure(fname(1, f"02101_0000{n}", "mirimage"), FILTER="F560W", PATTTYPE="4-POINT-SETS",
                 NUMDTHPT=4, PATT_NUM=n)
        for n in (1, 2, 3)
    ]
    rows += [
        exposure(fname(1, f"02103_0000{n}", "mirimage"), FILTER="F770W", ACT_ID=3, PATTTYPE="4-POINT-SETS",
                 NUMDTHPT=4, PATT_NUM=n)
        for n in (1, 2)
    ]
    return rows


@pool
def image_backgrounds():
    both = "[('o001', 'observation'), ('c1000', 'background')]"
    rows = [
        exposure(fname(1, f"02101_0000{n}", "mirimage"), FILTER="F770W", PATT_NUM=n,
                 ASN_CANDIDATE=both.replace("o001", "o001"))
        for n in (1, 2)
    ]
    rows += [
        exposure(fname(2, f"02101_0000{n}", "mirimage"), FILTER="F770W", PATT_NUM=n, OBS_NUM=2,
                 TARGETID=2, BKGDTARG="T", OBS_ID="V99009002001P0000000002101",
                 ASN_CANDIDATE=both.replace("o001", "o002"))
        for n in (1, 2)
    ]
    return rows


# -- coronagraphy and AMI ----------------------------------------------------------------

CORON = {"INSTRUME": "NIRCAM", "EXP_TYPE": "NRC_CORON", "DETECTOR": "NRCALONG", "CHANNEL": "LONG",
         "FILTER": "F335M", "PUPIL": "MASKRND", "SUBARRAY": "SUB320A335R"}


@pool
def coronagraphy():
    cand = "[('o00{obs}', 'observation'), ('c1000', 'coronagraphy')]"
    rows = [
        exposure(fname(1, f"03106_0000{n}", "nrcalong"), **CORON, PATT_NUM=n, ASN_CANDIDATE=cand.format(obs=1))
        for n in (1, 2)
    ]
    rows += [
        exposure(fname(2, f"03106_0000{n}", "nrcalong"), **CORON, PATT_NUM=n, OBS_NUM=2, TARGETID=2,
                 IS_PSF="T", OBS_ID="V99009002001P0000000003106", ASN_CANDIDATE=cand.format(obs=2))
        for n in (1, 2)
    ]
    return rows


@pool
def coronagraphy_image():
    """Full-frame short-channel coronagraphic exposures are also combined as plain images."""
    return [
        exposure(fname(1, "03106_00001", "nrca2"), **dict(CORON, DETECTOR="NRCA2", CHANNEL="SHORT",
                                                          FILTER="F210M", SUBARRAY="FULL")),
        exposure(fname(1, "03106_00002", "nrca2"), **dict(CORON, DETECTOR="NRCA2", CHANNEL="SHORT",
                                                          FILTER="F210M", SUBARRAY="FULL"), IS_PSF="T",
                 TARGETID=2),
    ]


AMI = {"INSTRUME": "NIRISS", "EXP_TYPE": "NIS_AMI", "DETECTOR": "NIS", "FILTER": "F480M", "PUPIL": "NRM",
       "SUBARRAY": "SUB80"}


@pool
def ami():
    return [
        exposure(fname(1, "01101_00001", "nis"), **AMI),
        exposure(fname(1, "01101_00002", "nis"), **AMI, PATT_NUM=2),
        exposure(fname(1, "01102_00001", "nis"), **AMI, ACT_ID=2, TARGETID=2, IS_PSF="T"),
    ]


# -- time series --------------------------------------------------------------------------


@pool
def tso():
    return [
        exposure(fname(1, "01101_00001", "nrca3"), INSTRUME="NIRCAM", EXP_TYPE="NRC_TSIMAGE", DETECTOR="NRCA3",
                 CHANNEL="SHORT", FILTER="F210M", PUPIL="CLEAR", SUBARRAY="SUB64P", TSOVISIT="T"),
        exposure(fname(1, "01101_00001", "nrcalong"), INSTRUME="NIRCAM", EXP_TYPE="NRC_TSGRISM",
                 DETECTOR="NRCALONG", CHANNEL="LONG", FILTER="F444W", PUPIL="GRISMR", SUBARRAY="SUBGRISM64",
                 TSOVISIT="T"),
    ]


# -- NIRSpec ---------------------------------------------------------------------------------

FSS = {"INSTRUME": "NIRSPEC", "EXP_TYPE": "NRS_FIXEDSLIT", "FILTER": "F290LP", "GRATING": "G395H",
       "FXD_SLIT": "S200A1", "SUBARRAY": "SUBS200A1", "PATTTYPE": "2-POINT-NOD", "NUMDTHPT": "2"}


@pool
def fixed_slit_nods():
    return [
        exposure(fname(1, f"02101_0000{n}", det), **FSS, DETECTOR=det.upper(), PATT_NUM=n)
        for n in (1, 2)
        for det in ("nrs1", "nrs2")
    ]


MSA = {"INSTRUME": "NIRSPEC", "EXP_TYPE": "NRS_MSASPEC", "FILTER": "F170LP", "GRATING": "G235M",
       "PATTTYPE": "3-SHUTTER-SLITLET", "NUMDTHPT": "3", "MSAMETFL": "jw99009001001_01_msa.fits"}


@pool
def msa():
    return [
        exposure(fname(1, f"03101_0000{n}", "nrs1"), **MSA, DETECTOR="NRS1", PATT_NUM=n)
        for n in (1, 2, 3)
    ]


IFU = {"INSTRUME": "NIRSPEC", "EXP_TYPE": "NRS_IFU", "DETECTOR": "NRS1", "FILTER": "F170LP",
       "GRATING": "G235H", "PATTTYPE": "4-POINT-NOD", "NUMDTHPT": "4"}


@pool
def ifu_imprints():
    rows = [exposure(fname(1, f"02101_0000{n}", "nrs1"), **IFU, PATT_NUM=n, DITHPTIN=n) for n in (1, 2)]
    rows += [
        exposure(fname(1, f"02103_0000{n}", "nrs1"), **IFU, PATT_NUM=n, DITHPTIN=n, ACT_ID=3, IS_IMPRT="T")
        for n in (1, 2)
    ]
    return rows


# -- MIRI spectroscopy ----------------------------------------------------------------------------

MRS = {"EXP_TYPE": "MIR_MRS", "FILTER": "NULL", "BAND": "SHORT", "PATTTYPE": "4-POINT", "NUMDTHPT": "4"}


@pool
def miri_mrs():
    both = "[('o00{obs}', 'observation'), ('c1000', 'background')]"
    rows = []
    for obs, target, bkg in ((1, 1, "F"), (2, 2, "T")):
        for n in (1, 2):
            for det, channel in (("mirifushort", "12"), ("mirifulong", "34")):
                rows.append(exposure(
                    fname(obs, f"02101_0000{n}", det), **MRS, DETECTOR=det.upper(), CHANNEL=channel, PATT_NUM=n,
                    OBS_NUM=obs, TARGETID=target, BKGDTARG=bkg, ASN_CANDIDATE=both.format(obs=obs)))
    return rows


LRS = {"EXP_TYPE": "MIR_LRS-FIXEDSLIT", "FILTER": "P750L", "PATTTYPE": "ALONG-SLIT-NOD", "NUMDTHPT": "2"}


@pool
def miri_lrs_nods():
    return [
        exposure(fname(1, "02101_00001", "mirimage"), EXP_TYPE="MIR_TACONFIRM", FILTER="F560W"),
        exposure(fname(1, "03101_00001", "mirimage"), **LRS, ACT_ID=3, PATT_NUM=1),
        exposure(fname(1, "03101_00002", "mirimage"), **LRS, ACT_ID=3, PATT_NUM=2),
    ]


# -- slitless ----------------------------------------------------------------------------------------

WFSS = {"INSTRUME": "NIRISS", "DETECTOR": "NIS", "PUPIL": "F150W"}


@pool
def wfss():
    return [
        exposure(fname(1, "02101_00001", "nis"), **WFSS, EXP_TYPE="NIS_IMAGE", FILTER="CLEAR"),
        exposure(fname(1, "02103_00001", "nis"), **WFSS, EXP_TYPE="NIS_WFSS", FILTER="GR150R", ACT_ID=3),
        exposure(fname(1, "02103_00002", "nis"), **WFSS, EXP_TYPE="NIS_WFSS", FILTER="GR150R", ACT_ID=3,
                 PATT_NUM=2),
        exposure(fname(1, "02105_00001", "nis"), **WFSS, EXP_TYPE="NIS_IMAGE", FILTER="CLEAR", ACT_ID=5),
    ]


# -- wavefront sensing -----------------------------------------------------------------------------

WFSC = {"INSTRUME": "NIRCAM", "EXP_TYPE": "NRC_IMAGE", "DETECTOR": "NRCA3", "CHANNEL": "SHORT",
        "FILTER": "F212N", "VISITYPE": "PRIME_WFSC_SENSING_CONTROL", "PATTTYPE": "WFSC"}


@pool
def wfsc():
    return [
        exposure(fname(1, "01101_00001", "nrca3"), **WFSC, PUPIL="WLP8", ACT_ID="01"),
        exposure(fname(1, "01101_00002", "nrca3"), **WFSC, PUPIL="WLP8", ACT_ID="01"),
        exposure(fname(1, "01102_00001", "nrca3"), **WFSC, PUPIL="WLM8", ACT_ID="02"),
    ]


# -- acquisitions, multi-observation candidates ---------------------------------------------------


@pool
def target_acquisition():
    return [
        exposure(fname(1, "02101_00001", "mirimage"), EXP_TYPE="MIR_TACQ", FILTER="FND", SUBARRAY="SUB64",
                 PNTGTYPE="TARGET_ACQUISITION"),
        exposure(fname(1, "03101_00001", "mirimage"), ACT_ID=3),
        exposure(fname(1, "03101_00002", "mirimage"), ACT_ID=3, PATT_NUM=2),
        exposure(fname(2, "02101_00001", "mirimage"), EXP_TYPE="MIR_TACQ", FILTER="FND", SUBARRAY="SUB64",
                 PNTGTYPE="TARGET_ACQUISITION", OBS_NUM=2, ASN_CANDIDATE="[('o002', 'observation')]"),
    ]


@pool
def mosaic():
    cand = "[('o00{obs}', 'observation'), ('c1000', 'mosaic'), ('c1001', 'group')]"
    return [
        exposure(fname(obs, "02101_00001", "mirimage"), OBS_NUM=obs, TARGETID=obs,
                 ASN_CANDIDATE=cand.format(obs=obs))
        for obs in (1, 2)
    ]


@pool
def fixed_slit_subpixel_nods():
    """Two nods of two sub-pixel dithers each: only the other nod point is background."""
    fss = dict(FSS, NUMDTHPT="4", SUBPXPTS="2")
    return [exposure(fname(1, f"02101_0000{n}", "nrs1"), **fss, DETECTOR="NRS1", PATT_NUM=n) for n in (1, 2, 3, 4)]


@pool
def fixed_slit_s1600a1_five_point():
    """S1600A1 with five nod points: neighbouring points overlap and are not background."""
    fss = dict(FSS, FXD_SLIT="S1600A1", SUBARRAY="SUB2048", PATTTYPE="5-POINT-NOD", NUMDTHPT="5")
    return [exposure(fname(1, f"02101_0000{n}", "nrs1"), **fss, DETECTOR="NRS1", PATT_NUM=n) for n in range(1, 6)]


@pool
def group_candidate():
    """A group candidate spans two observations; another covers only one and yields nothing."""
    cand = "[('o00{obs}', 'observation'), ('c1000', 'group'){more}]"
    rows = [
        exposure(fname(1, f"02101_0000{n}", "mirimage"), PATT_NUM=n, ASN_CANDIDATE=cand.format(obs=1, more=""))
        for n in (1, 2)
    ]
    rows.append(exposure(fname(2, "02101_00001", "mirimage"), OBS_NUM=2,
                         ASN_CANDIDATE=cand.format(obs=2, more=", ('c1001', 'group')")))
    return rows



# -- more configurations -----------------------------------------------------------------------------


@pool
def nirspec_lamps():
    """Lamp exposures: spectral lamps through the opaque filter, an imaging lamp through the mirror."""
    lamp = {"INSTRUME": "NIRSPEC", "DETECTOR": "NRS1", "FILTER": "OPAQUE", "PNTGTYPE": "ENGINEERING",
            "VISITYPE": "ENGINEERING"}
    return [
        exposure(fname(1, "02101_00001", "nrs1"), **lamp, EXP_TYPE="NRS_LAMP", GRATING="G140H",
                 FXD_SLIT="S200A1", LAMP="LINE1", OPMODE="FIXEDSLIT"),
        exposure(fname(1, "02102_00001", "nrs1"), **lamp, EXP_TYPE="NRS_AUTOWAVE", GRATING="G395H",
                 LAMP="LINE2", OPMODE="MSASPEC", MSAMETFL="jw99009001001_01_msa.fits"),
        exposure(fname(1, "02103_00001", "nrs1"), **lamp, EXP_TYPE="NRS_LAMP", GRATING="MIRROR",
                 LAMP="FLAT1", OPMODE="IMAGE"),
    ]


@pool
def msa_all_open():
    """An MSA exposure with every shutter open, through the mirror: a non-science image."""
    return [
        exposure(fname(1, "02101_00001", "nrs1"), **dict(MSA, GRATING="MIRROR", PATTTYPE="NONE", NUMDTHPT="1"),
                 DETECTOR="NRS1", MSASTATE="PRIMARYPARK_ALLOPEN"),
        exposure(fname(1, "03101_00001", "nrs1"), **MSA, DETECTOR="NRS1", ACT_ID=3),
        exposure(fname(1, "03101_00002", "nrs1"), **MSA, DETECTOR="NRS1", ACT_ID=3, PATT_NUM=2),
    ]


SOSS = {"INSTRUME": "NIRISS", "EXP_TYPE": "NIS_SOSS", "DETECTOR": "NIS", "FILTER": "CLEAR",
        "PUPIL": "GR700XD", "SUBARRAY": "SUBSTRIP256"}


@pool
def soss():
    """SOSS as a time series (one exposure with a single integration), and plain."""
    return [
        exposure(fname(1, "01101_00001", "nis"), **SOSS, TSOVISIT="T"),
        exposure(fname(1, "01101_00002", "nis"), **SOSS, TSOVISIT="T", NINTS=1),
        exposure(fname(2, "01101_00001", "nis"), **SOSS, OBS_NUM=2, ASN_CANDIDATE="[('o002', 'observation')]"),
        exposure(fname(3, "01101_00001", "nis"), **dict(SOSS, FILTER="F277W"), TSOVISIT="T", OBS_NUM=3,
                 ASN_CANDIDATE="[('o003', 'observation')]"),
    ]


BOTS = {"INSTRUME": "NIRSPEC", "EXP_TYPE": "NRS_BRIGHTOBJ", "FILTER": "F290LP", "GRATING": "G395H",
        "FXD_SLIT": "S1600A1", "SUBARRAY": "SUB2048", "TSOVISIT": "T"}


@pool
def bright_object():
    return [
        exposure(fname(1, "01101_00001", "nrs1"), **BOTS, DETECTOR="NRS1"),
        exposure(fname(1, "01101_00001", "nrs2"), **BOTS, DETECTOR="NRS2"),
        exposure(fname(2, "01101_00001", "nrs1"), **dict(BOTS, GRATING="G140M", FILTER="F070LP"),
                 DETECTOR="NRS1", OBS_NUM=2, ASN_CANDIDATE="[('o002', 'observation')]"),
    ]


NRC_WFSS = {"INSTRUME": "NIRCAM", "DETECTOR": "NRCALONG", "CHANNEL": "LONG", "FILTER": "F444W"}


@pool
def nircam_wfss():
    """NIRCam grism exposures with direct images before and after."""
    return [
        exposure(fname(1, "02101_00001", "nrcalong"), **NRC_WFSS, EXP_TYPE="NRC_IMAGE", PUPIL="CLEAR",
                 EXPSPCIN=1),
        exposure(fname(1, "02103_00001", "nrcalong"), **NRC_WFSS, EXP_TYPE="NRC_WFSS", PUPIL="GRISMR",
                 ACT_ID=3, EXPSPCIN=2),
        exposure(fname(1, "02105_00001", "nrcalong"), **NRC_WFSS, EXP_TYPE="NRC_WFSS", PUPIL="GRISMR",
                 ACT_ID=5, EXPSPCIN=3),
        exposure(fname(1, "02107_00001", "nrcalong"), **NRC_WFSS, EXP_TYPE="NRC_IMAGE", PUPIL="CLEAR",
                 ACT_ID=7, EXPSPCIN=4),
    ]


@pool
def miri_coronagraphy():
    coron = {"EXP_TYPE": "MIR_4QPM", "FILTER": "F1065C", "SUBARRAY": "MASK1065"}
    cand = "[('o00{obs}', 'observation'), ('c1000', 'coronagraphy')]"
    return [
        exposure(fname(1, "02101_00001", "mirimage"), **coron, ASN_CANDIDATE=cand.format(obs=1)),
        exposure(fname(2, "02101_00001", "mirimage"), **coron, OBS_NUM=2, IS_PSF="T", TARGETID=2,
                 ASN_CANDIDATE=cand.format(obs=2)),
        exposure(fname(1, "02102_00001", "mirimage"), **coron, ACT_ID=2, BKGDTARG="T",
                 ASN_CANDIDATE=cand.format(obs=1)),
    ]


@pool
def fgs():
    fgs_image = {"INSTRUME": "FGS", "EXP_TYPE": "FGS_IMAGE", "DETECTOR": "GUIDER1", "FILTER": "NULL"}
    return [exposure(fname(1, f"02101_0000{n}", "guider1"), **fgs_image, PATT_NUM=n) for n in (1, 2)]


@pool
def ifu_imprint_tiles():
    """Two mosaic tiles: each science exposure takes only the imprints of its own tile."""
    rows = []
    for tile in (1, 2):
        rows += [
            exposure(fname(1, f"0210{tile}_0000{n}", "nrs1"), **IFU, PATT_NUM=n, DITHPTIN=n, MOSTILNO=tile,
                     ACT_ID=tile)
            for n in (1, 2)
        ]
        rows.append(exposure(fname(1, f"0210{tile + 4}_00001", "nrs1"), **IFU, PATT_NUM=1, DITHPTIN=1,
                             MOSTILNO=tile, ACT_ID=tile + 4, IS_IMPRT="T"))
    return rows



@pool
def acquisition_everywhere():
    """One acquisition, two filters with a background each, and a mosaic across observations."""
    cand = "[('o001', 'observation'), ('c1000', 'background'), ('c1001', 'mosaic')]"
    rows = [exposure(fname(1, "02101_00001", "mirimage"), EXP_TYPE="MIR_TACQ", FILTER="FND", SUBARRAY="SUB64",
                     PNTGTYPE="TARGET_ACQUISITION", ASN_CANDIDATE=cand)]
    for act, filt in ((3, "F560W"), (5, "F770W")):
        rows += [
            exposure(fname(1, f"021{act:02d}_0000{n}", "mirimage"), FILTER=filt, ACT_ID=act, PATT_NUM=n,
                     ASN_CANDIDATE=cand)
            for n in (1, 2)
        ]
        rows.append(exposure(fname(1, f"021{act + 1:02d}_00001", "mirimage"), FILTER=filt, ACT_ID=act + 1,
                             BKGDTARG="T", TARGETID=2, ASN_CANDIDATE=cand))
    rows.append(exposure(fname(2, "02103_00001", "mirimage"), ACT_ID=3, OBS_NUM=2, TARGETID=3,
                         ASN_CANDIDATE="[('o002', 'observation'), ('c1001', 'mosaic')]"))
    return rows



@pool
def niriss_wfss_two_filters():
    """Direct image, both grisms, direct image again; for F115W and then F150W."""
    rows, act, spcin = [], 1, 1
    for blocking in ("F115W", "F150W"):
        sequence = [("NIS_IMAGE", "CLEAR", 1), ("NIS_WFSS", "GR150R", 2), ("NIS_WFSS", "GR150C", 2),
                    ("NIS_IMAGE", "CLEAR", 1)]
        for exp_type, filt, count in sequence:
            for n in range(1, count + 1):
                rows.append(exposure(fname(1, f"021{act:02d}_0000{n}", "nis"), **dict(WFSS, PUPIL=blocking),
                                     EXP_TYPE=exp_type, FILTER=filt, ACT_ID=act, PATT_NUM=n, EXPSPCIN=spcin))
                spcin += 1
            act += 1
    return rows


# -- what the reference wrote for each pool ---------------------------------------------------
# (label, GenerateOptions fields, outline of the reference's files: see tests.pools.outline)

EXPECTED = [
    (
        "imaging", dict(),
        """
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02103_00002_mirimage
    jw99009001001_02103_00002_mirimage_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02103_00001_mirimage
    jw99009001001_02103_00001_mirimage_rate.fits science
jw99009-o001_x_image2_00003_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00003_mirimage
    jw99009001001_02101_00003_mirimage_rate.fits science
jw99009-o001_x_image2_00004_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00002_mirimage
    jw99009001001_02101_00002_mirimage_rate.fits science
jw99009-o001_x_image2_00005_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f770w
    jw99009001001_02103_00001_mirimage_cal.fits science
    jw99009001001_02103_00002_mirimage_cal.fits science
jw99009-o001_x_image3_00002_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
    jw99009001001_02101_00003_mirimage_cal.fits science
""",
    ),
    (
        "image_backgrounds", dict(),
        """
jw99009-c1000_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00002_mirimage
    jw99009001001_02101_00002_mirimage_rate.fits science
    jw99009002001_02101_00001_mirimage_rate.fits background
    jw99009002001_02101_00002_mirimage_rate.fits background
jw99009-c1000_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
    jw99009002001_02101_00001_mirimage_rate.fits background
    jw99009002001_02101_00002_mirimage_rate.fits background
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f770w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2ImageSpecial
  jw99009002001_02101_00002_mirimage
    jw99009002001_02101_00002_mirimage_rate.fits science
jw99009-o002_x_image2_00002_asn.json image2 candidate_Asn_Lv2ImageSpecial
  jw99009002001_02101_00001_mirimage
    jw99009002001_02101_00001_mirimage_rate.fits science
jw99009-o002_x_image3_00001_asn.json image3 candidate_Asn_Lv3ImageBackground
  jw99009-o002_t002_miri_f770w
    jw99009002001_02101_00001_mirimage_cal.fits science
    jw99009002001_02101_00002_mirimage_cal.fits science
""",
    ),
    (
        "coronagraphy", dict(),
        """
jw99009-c1000_x_coron3_00001_asn.json coron3 candidate_Asn_Lv3NRCCoron
  jw99009-c1000_t001_nircam_f335m-maskrnd-sub320a335r
    jw99009001001_03106_00001_nrcalong_calints.fits science
    jw99009001001_03106_00002_nrcalong_calints.fits science
    jw99009002001_03106_00001_nrcalong_calints.fits psf
    jw99009002001_03106_00002_nrcalong_calints.fits psf
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_03106_00002_nrcalong
    jw99009001001_03106_00002_nrcalong_rateints.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_03106_00001_nrcalong
    jw99009001001_03106_00001_nrcalong_rateints.fits science
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2ImageSpecial
  jw99009002001_03106_00002_nrcalong
    jw99009002001_03106_00002_nrcalong_rateints.fits science
jw99009-o002_x_image2_00002_asn.json image2 candidate_Asn_Lv2ImageSpecial
  jw99009002001_03106_00001_nrcalong
    jw99009002001_03106_00001_nrcalong_rateints.fits science
""",
    ),
    (
        "coronagraphy_image", dict(),
        """
jw99009-o001_x_coron3_00001_asn.json coron3 candidate_Asn_Lv3NRCCoron
  jw99009-o001_t001_nircam_f210m-maskrnd
    jw99009001001_03106_00001_nrca2_calints.fits science
    jw99009001001_03106_00002_nrca2_calints.fits psf
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2ImageSpecial
  jw99009001001_03106_00002_nrca2
    jw99009001001_03106_00002_nrca2_rateints.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2CoronAsRate
  jw99009001001_03106_00002_nrca2
    jw99009001001_03106_00002_nrca2_rate.fits science
jw99009-o001_x_image2_00003_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_03106_00001_nrca2
    jw99009001001_03106_00001_nrca2_rateints.fits science
jw99009-o001_x_image2_00004_asn.json image2 candidate_Asn_Lv2CoronAsRate
  jw99009001001_03106_00001_nrca2
    jw99009001001_03106_00001_nrca2_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3NRCCoronImage
  jw99009-o001_t001_nircam_f210m-maskrnd-image3
    jw99009001001_03106_00001_nrca2_cal.fits science
""",
    ),
    (
        "ami", dict(),
        """
jw99009-o001_x_ami3_00001_asn.json ami3 candidate_Asn_Lv3AMI
  jw99009-o001_t001_niriss_f480m-nrm-sub80
    jw99009001001_01101_00001_nis_calints.fits science
    jw99009001001_01101_00002_nis_calints.fits science
    jw99009001001_01102_00001_nis_calints.fits psf
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2ImageSpecial
  jw99009001001_01102_00001_nis
    jw99009001001_01102_00001_nis_rateints.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_01101_00002_nis
    jw99009001001_01101_00002_nis_rateints.fits science
jw99009-o001_x_image2_00003_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_01101_00001_nis
    jw99009001001_01101_00001_nis_rateints.fits science
""",
    ),
    (
        "tso", dict(),
        """
jw99009-o001_x_tso-image2_00001_asn.json tso-image2 candidate_Asn_Lv2ImageTSO
  jw99009001001_01101_00001_nrca3
    jw99009001001_01101_00001_nrca3_rateints.fits science
jw99009-o001_x_tso-spec2_00001_asn.json tso-spec2 candidate_Asn_Lv2SpecTSO
  jw99009001001_01101_00001_nrcalong
    jw99009001001_01101_00001_nrcalong_rateints.fits science
jw99009-o001_x_tso3_00001_asn.json tso3 candidate_Asn_Lv3TSO
  jw99009-o001_t001_nircam_f444w-grismr-subgrism64
    jw99009001001_01101_00001_nrcalong_calints.fits science
jw99009-o001_x_tso3_00002_asn.json tso3 candidate_Asn_Lv3TSO
  jw99009-o001_t001_nircam_clear-f210m-sub64p
    jw99009001001_01101_00001_nrca3_calints.fits science
""",
    ),
    (
        "fixed_slit_nods", dict(),
        """
jw99009-o001_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00002_nrs2
    jw99009001001_02101_00002_nrs2_rate.fits science
    jw99009001001_02101_00001_nrs2_rate.fits background
jw99009-o001_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00001_nrs2
    jw99009001001_02101_00001_nrs2_rate.fits science
    jw99009001001_02101_00002_nrs2_rate.fits background
jw99009-o001_x_spec2_00003_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00002_nrs1
    jw99009001001_02101_00002_nrs1_rate.fits science
    jw99009001001_02101_00001_nrs1_rate.fits background
jw99009-o001_x_spec2_00004_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00001_nrs1
    jw99009001001_02101_00001_nrs1_rate.fits science
    jw99009001001_02101_00002_nrs1_rate.fits background
jw99009-o001_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3NRSFSS
  jw99009-o001_t001-{source_id}_nirspec_f290lp-g395h-{slit_name}-subs200a1
    jw99009001001_02101_00001_nrs1_cal.fits science
    jw99009001001_02101_00001_nrs2_cal.fits science
    jw99009001001_02101_00002_nrs1_cal.fits science
    jw99009001001_02101_00002_nrs2_cal.fits science
""",
    ),
    (
        "fixed_slit_subpixel_nods", dict(),
        """
jw99009-o001_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00004_nrs1
    jw99009001001_02101_00004_nrs1_rate.fits science
    jw99009001001_02101_00001_nrs1_rate.fits background
    jw99009001001_02101_00002_nrs1_rate.fits background
jw99009-o001_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00003_nrs1
    jw99009001001_02101_00003_nrs1_rate.fits science
    jw99009001001_02101_00001_nrs1_rate.fits background
    jw99009001001_02101_00002_nrs1_rate.fits background
jw99009-o001_x_spec2_00003_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00002_nrs1
    jw99009001001_02101_00002_nrs1_rate.fits science
    jw99009001001_02101_00003_nrs1_rate.fits background
    jw99009001001_02101_00004_nrs1_rate.fits background
jw99009-o001_x_spec2_00004_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00001_nrs1
    jw99009001001_02101_00001_nrs1_rate.fits science
    jw99009001001_02101_00003_nrs1_rate.fits background
    jw99009001001_02101_00004_nrs1_rate.fits background
jw99009-o001_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3NRSFSS
  jw99009-o001_t001-{source_id}_nirspec_f290lp-g395h-{slit_name}-subs200a1
    jw99009001001_02101_00001_nrs1_cal.fits science
    jw99009001001_02101_00002_nrs1_cal.fits science
    jw99009001001_02101_00003_nrs1_cal.fits science
    jw99009001001_02101_00004_nrs1_cal.fits science
""",
    ),
    (
        "fixed_slit_s1600a1_five_point", dict(),
        """
jw99009-o001_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00005_nrs1
    jw99009001001_02101_00005_nrs1_rate.fits science
    jw99009001001_02101_00001_nrs1_rate.fits background
    jw99009001001_02101_00002_nrs1_rate.fits background
    jw99009001001_02101_00003_nrs1_rate.fits background
jw99009-o001_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00004_nrs1
    jw99009001001_02101_00004_nrs1_rate.fits science
    jw99009001001_02101_00001_nrs1_rate.fits background
    jw99009001001_02101_00002_nrs1_rate.fits background
jw99009-o001_x_spec2_00003_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00003_nrs1
    jw99009001001_02101_00003_nrs1_rate.fits science
    jw99009001001_02101_00001_nrs1_rate.fits background
    jw99009001001_02101_00005_nrs1_rate.fits background
jw99009-o001_x_spec2_00004_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00002_nrs1
    jw99009001001_02101_00002_nrs1_rate.fits science
    jw99009001001_02101_00004_nrs1_rate.fits background
    jw99009001001_02101_00005_nrs1_rate.fits background
jw99009-o001_x_spec2_00005_asn.json spec2 candidate_Asn_Lv2NRSFSS
  jw99009001001_02101_00001_nrs1
    jw99009001001_02101_00001_nrs1_rate.fits science
    jw99009001001_02101_00003_nrs1_rate.fits background
    jw99009001001_02101_00004_nrs1_rate.fits background
    jw99009001001_02101_00005_nrs1_rate.fits background
jw99009-o001_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3NRSFSS
  jw99009-o001_t001-{source_id}_nirspec_f290lp-g395h-{slit_name}-sub2048
    jw99009001001_02101_00001_nrs1_cal.fits science
    jw99009001001_02101_00002_nrs1_cal.fits science
    jw99009001001_02101_00003_nrs1_cal.fits science
    jw99009001001_02101_00004_nrs1_cal.fits science
    jw99009001001_02101_00005_nrs1_cal.fits science
""",
    ),
    (
        "msa", dict(),
        """
jw99009-o001_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2NRSMSA
  jw99009001001_03101_00003_nrs1
    jw99009001001_03101_00003_nrs1_rate.fits science
    jw99009001001_03101_00001_nrs1_rate.fits background
    jw99009001001_03101_00002_nrs1_rate.fits background
jw99009-o001_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2NRSMSA
  jw99009001001_03101_00002_nrs1
    jw99009001001_03101_00002_nrs1_rate.fits science
    jw99009001001_03101_00001_nrs1_rate.fits background
    jw99009001001_03101_00003_nrs1_rate.fits background
jw99009-o001_x_spec2_00003_asn.json spec2 candidate_Asn_Lv2NRSMSA
  jw99009001001_03101_00001_nrs1
    jw99009001001_03101_00001_nrs1_rate.fits science
    jw99009001001_03101_00002_nrs1_rate.fits background
    jw99009001001_03101_00003_nrs1_rate.fits background
jw99009-o001_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3SpectralSource
  jw99009-o001_{source_id}_nirspec_f170lp-g235m
    jw99009001001_03101_00001_nrs1_cal.fits science
    jw99009001001_03101_00002_nrs1_cal.fits science
    jw99009001001_03101_00003_nrs1_cal.fits science
""",
    ),
    (
        "ifu_imprints", dict(),
        """
jw99009-o001_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2SpecImprint
  jw99009001001_02103_00002_nrs1
    jw99009001001_02103_00002_nrs1_rate.fits science
jw99009-o001_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2SpecImprint
  jw99009001001_02103_00001_nrs1
    jw99009001001_02103_00001_nrs1_rate.fits science
jw99009-o001_x_spec2_00003_asn.json spec2 candidate_Asn_Lv2NRSIFUNod
  jw99009001001_02101_00002_nrs1
    jw99009001001_02101_00002_nrs1_rate.fits science
    jw99009001001_02101_00001_nrs1_rate.fits background
    jw99009001001_02103_00001_nrs1_rate.fits imprint
    jw99009001001_02103_00002_nrs1_rate.fits imprint
jw99009-o001_x_spec2_00004_asn.json spec2 candidate_Asn_Lv2NRSIFUNod
  jw99009001001_02101_00001_nrs1
    jw99009001001_02101_00001_nrs1_rate.fits science
    jw99009001001_02101_00002_nrs1_rate.fits background
    jw99009001001_02103_00001_nrs1_rate.fits imprint
    jw99009001001_02103_00002_nrs1_rate.fits imprint
jw99009-o001_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3NRSIFU
  jw99009-o001_t001_nirspec_g235h
    jw99009001001_02101_00001_nrs1_cal.fits science
    jw99009001001_02101_00002_nrs1_cal.fits science
""",
    ),
    (
        "miri_mrs", dict(),
        """
jw99009-c1000_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2Spec
  jw99009001001_02101_00002_mirifulong
    jw99009001001_02101_00002_mirifulong_rate.fits science
    jw99009002001_02101_00001_mirifulong_rate.fits background
    jw99009002001_02101_00002_mirifulong_rate.fits background
jw99009-c1000_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2Spec
  jw99009001001_02101_00002_mirifushort
    jw99009001001_02101_00002_mirifushort_rate.fits science
    jw99009002001_02101_00001_mirifushort_rate.fits background
    jw99009002001_02101_00002_mirifushort_rate.fits background
jw99009-c1000_x_spec2_00003_asn.json spec2 candidate_Asn_Lv2Spec
  jw99009001001_02101_00001_mirifulong
    jw99009001001_02101_00001_mirifulong_rate.fits science
    jw99009002001_02101_00001_mirifulong_rate.fits background
    jw99009002001_02101_00002_mirifulong_rate.fits background
jw99009-c1000_x_spec2_00004_asn.json spec2 candidate_Asn_Lv2Spec
  jw99009001001_02101_00001_mirifushort
    jw99009001001_02101_00001_mirifushort_rate.fits science
    jw99009002001_02101_00001_mirifushort_rate.fits background
    jw99009002001_02101_00002_mirifushort_rate.fits background
jw99009-c1000_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3MIRMRS
  jw99009-c1000_t001_miri
    jw99009001001_02101_00001_mirifushort_cal.fits science
    jw99009001001_02101_00001_mirifulong_cal.fits science
    jw99009001001_02101_00002_mirifushort_cal.fits science
    jw99009001001_02101_00002_mirifulong_cal.fits science
    jw99009002001_02101_00001_mirifushort_x1d.fits background
    jw99009002001_02101_00001_mirifulong_x1d.fits background
    jw99009002001_02101_00002_mirifushort_x1d.fits background
    jw99009002001_02101_00002_mirifulong_x1d.fits background
jw99009-o001_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3MIRMRS
  jw99009-o001_t001_miri
    jw99009001001_02101_00001_mirifushort_cal.fits science
    jw99009001001_02101_00001_mirifulong_cal.fits science
    jw99009001001_02101_00002_mirifushort_cal.fits science
    jw99009001001_02101_00002_mirifulong_cal.fits science
jw99009-o002_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2SpecSpecial
  jw99009002001_02101_00002_mirifulong
    jw99009002001_02101_00002_mirifulong_rate.fits science
jw99009-o002_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2SpecSpecial
  jw99009002001_02101_00002_mirifushort
    jw99009002001_02101_00002_mirifushort_rate.fits science
jw99009-o002_x_spec2_00003_asn.json spec2 candidate_Asn_Lv2SpecSpecial
  jw99009002001_02101_00001_mirifulong
    jw99009002001_02101_00001_mirifulong_rate.fits science
jw99009-o002_x_spec2_00004_asn.json spec2 candidate_Asn_Lv2SpecSpecial
  jw99009002001_02101_00001_mirifushort
    jw99009002001_02101_00001_mirifushort_rate.fits science
jw99009-o002_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3MIRMRSBackground
  jw99009-o002_t002_miri
    jw99009002001_02101_00001_mirifushort_cal.fits science
    jw99009002001_02101_00001_mirifulong_cal.fits science
    jw99009002001_02101_00002_mirifushort_cal.fits science
    jw99009002001_02101_00002_mirifulong_cal.fits science
""",
    ),
    (
        "miri_lrs_nods", dict(),
        """
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2ImageNonScience
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2MIRLRSFixedSlitNod
  jw99009001001_03101_00002_mirimage
    jw99009001001_03101_00002_mirimage_rate.fits science
    jw99009001001_03101_00001_mirimage_rate.fits background
    jw99009001001_02101_00001_mirimage_rate.fits target_acquisition
jw99009-o001_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2MIRLRSFixedSlitNod
  jw99009001001_03101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits target_acquisition
    jw99009001001_03101_00001_mirimage_rate.fits science
    jw99009001001_03101_00002_mirimage_rate.fits background
jw99009-o001_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3SpectralTarget
  jw99009-o001_t001_miri_p750l
    jw99009001001_03101_00001_mirimage_cal.fits science
    jw99009001001_03101_00002_mirimage_cal.fits science
    jw99009001001_02101_00001_mirimage_cal.fits target_acquisition
    jw99009001001_03101_00001_mirimage_x1d.fits background
    jw99009001001_03101_00002_mirimage_x1d.fits background
""",
    ),
    (
        "wfss", dict(),
        """
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02105_00001_nis
    jw99009001001_02105_00001_nis_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_nis
    jw99009001001_02101_00001_nis_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_niriss_clear-f150w
    jw99009001001_02101_00001_nis_cal.fits science
    jw99009001001_02105_00001_nis_cal.fits science
jw99009-o001_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2WFSSNIS
  jw99009001001_02103_00002_nis
    jw99009001001_02103_00002_nis_rate.fits science
    jw99009-o001_t001_niriss_clear-f150w_i2d.fits direct_image
    jw99009-o001_t001_niriss_clear-f150w_cat.ecsv sourcecat
    jw99009-o001_t001_niriss_clear-f150w_segm.fits segmap
jw99009-o001_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2WFSSNIS
  jw99009001001_02103_00001_nis
    jw99009001001_02103_00001_nis_rate.fits science
    jw99009-o001_t001_niriss_clear-f150w_i2d.fits direct_image
    jw99009-o001_t001_niriss_clear-f150w_cat.ecsv sourcecat
    jw99009-o001_t001_niriss_clear-f150w_segm.fits segmap
jw99009-o001_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3WFSSNIS
  jw99009-o001_t001_niriss_f150w-gr150r
    jw99009001001_02103_00001_nis_cal.fits science
    jw99009001001_02103_00002_nis_cal.fits science
""",
    ),
    (
        "wfsc", dict(),
        """
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2WFSC
  jw99009001001_01102_00001_nrca3
    jw99009001001_01102_00001_nrca3_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2WFSC
  jw99009001001_01101_00002_nrca3
    jw99009001001_01101_00002_nrca3_rate.fits science
jw99009-o001_x_image2_00003_asn.json image2 candidate_Asn_Lv2WFSC
  jw99009001001_01101_00001_nrca3
    jw99009001001_01101_00001_nrca3_rate.fits science
jw99009-o001_x_wfs-image3_00001_asn.json wfs-image3 candidate_Asn_Lv3WFSCMB
  jw99009-o001_t001_nircam_f212n-wlp8-nrca3_{suffix}-01
    jw99009001001_01101_00001_nrca3_cal.fits science
    jw99009001001_01101_00002_nrca3_cal.fits science
""",
    ),
    (
        "target_acquisition", dict(),
        """
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_03101_00002_mirimage
    jw99009001001_03101_00002_mirimage_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_03101_00001_mirimage
    jw99009001001_03101_00001_mirimage_rate.fits science
jw99009-o001_x_image2_00003_asn.json image2 candidate_Asn_Lv2ImageNonScience
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f560w
    jw99009001001_03101_00001_mirimage_cal.fits science
    jw99009001001_03101_00002_mirimage_cal.fits science
    jw99009001001_02101_00001_mirimage_cal.fits target_acquisition
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2ImageNonScience
  jw99009002001_02101_00001_mirimage
    jw99009002001_02101_00001_mirimage_rate.fits science
""",
    ),
    (
        "mosaic", dict(),
        """
jw99009-c1000_x_image3_00001_asn.json image3 candidate_Asn_Lv3ImageMosaic
  jw99009-c1000_t000_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009002001_02101_00001_mirimage_cal.fits science
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009002001_02101_00001_mirimage
    jw99009002001_02101_00001_mirimage_rate.fits science
jw99009-o002_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o002_t002_miri_f560w
    jw99009002001_02101_00001_mirimage_cal.fits science
""",
    ),
    (
        "group_candidate", dict(),
        """
jw99009-c1000_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-c1000_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
    jw99009002001_02101_00001_mirimage_cal.fits science
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00002_mirimage
    jw99009001001_02101_00002_mirimage_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009002001_02101_00001_mirimage
    jw99009002001_02101_00001_mirimage_rate.fits science
jw99009-o002_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o002_t001_miri_f560w
    jw99009002001_02101_00001_mirimage_cal.fits science
""",
    ),
    (
        "group_candidate -i o001", dict(ids=("o001",)),
        """
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00002_mirimage
    jw99009001001_02101_00002_mirimage_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
""",
    ),
    (
        "group_candidate -i c1000", dict(ids=("c1000",)),
        """
jw99009-c1000_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-c1000_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
    jw99009002001_02101_00001_mirimage_cal.fits science
""",
    ),
    (
        "group_candidate --discover", dict(discover=True),
        """
jw99009-a3001_x_image3_00001_asn.json image3 discover_Asn_Lv3Image
  jw99009-a3001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
    jw99009002001_02101_00001_mirimage_cal.fits science
""",
    ),
    (
        "group_candidate --all-candidates", dict(all_candidates=True),
        """
jw99009-c1000_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-c1000_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
    jw99009002001_02101_00001_mirimage_cal.fits science
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00002_mirimage
    jw99009001001_02101_00002_mirimage_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009002001_02101_00001_mirimage
    jw99009002001_02101_00001_mirimage_rate.fits science
jw99009-o002_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o002_t001_miri_f560w
    jw99009002001_02101_00001_mirimage_cal.fits science
""",
    ),
    (
        "group_candidate --per-pool-algorithm", dict(per_pool_algorithm=True),
        """
jw99009-a3001_x_image3_00001_asn.json image3 discover_Asn_Lv3Image
  jw99009-a3001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
    jw99009002001_02101_00001_mirimage_cal.fits science
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00002_mirimage
    jw99009001001_02101_00002_mirimage_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009002001_02101_00001_mirimage
    jw99009002001_02101_00001_mirimage_rate.fits science
jw99009-o002_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o002_t001_miri_f560w
    jw99009002001_02101_00001_mirimage_cal.fits science
""",
    ),
    (
        "group_candidate --merge", dict(merge=True),
        """
jw99009-c1000_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-c1000_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
    jw99009002001_02101_00001_mirimage_cal.fits science
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00002_mirimage
    jw99009001001_02101_00002_mirimage_rate.fits science
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009002001_02101_00001_mirimage
    jw99009002001_02101_00001_mirimage_rate.fits science
jw99009-o002_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o002_t001_miri_f560w
    jw99009002001_02101_00001_mirimage_cal.fits science
""",
    ),
    (
        "group_candidate --no-finalize", dict(finalize=False),
        """
jw99009-a3001_x_image3_00001_asn.json image3 discover_Asn_Lv3Image
  jw99009-a3001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
    jw99009002001_02101_00001_mirimage_cal.fits science
jw99009-c1000_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-c1000_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
    jw99009002001_02101_00001_mirimage_cal.fits science
jw99009-c1001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-c1001_t001_miri_f560w
    jw99009002001_02101_00001_mirimage_cal.fits science
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00002_mirimage
    jw99009001001_02101_00002_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009002001_02101_00001_mirimage
    jw99009002001_02101_00001_mirimage_rate.fits science
jw99009-o002_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o002_t001_miri_f560w
    jw99009002001_02101_00001_mirimage_cal.fits science
""",
    ),
    (
        "group_candidate -D", dict(debug=True),
        """
dup00001_jw99009-a3001_x_image3_00001_asn.json image3 discover_Asn_Lv3Image
  jw99009-a3001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
    jw99009002001_02101_00001_mirimage_cal.fits science
jw99009-c1000_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-c1000_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
    jw99009002001_02101_00001_mirimage_cal.fits science
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00002_mirimage
    jw99009001001_02101_00002_mirimage_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f560w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009002001_02101_00001_mirimage
    jw99009002001_02101_00001_mirimage_rate.fits science
jw99009-o002_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o002_t001_miri_f560w
    jw99009002001_02101_00001_mirimage_cal.fits science
""",
    ),
    (
        "image_backgrounds -i o001", dict(ids=("o001",)),
        """
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00002_mirimage
    jw99009001001_02101_00002_mirimage_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f770w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
""",
    ),
    (
        "image_backgrounds -i o001 --DMS", dict(ids=("o001",), dms=True),
        """
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f770w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
""",
    ),
    (
        "image_backgrounds --merge", dict(merge=True),
        """
jw99009-c1000_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00002_mirimage
    jw99009001001_02101_00002_mirimage_rate.fits science
    jw99009002001_02101_00001_mirimage_rate.fits background
    jw99009002001_02101_00002_mirimage_rate.fits background
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
    jw99009002001_02101_00001_mirimage_rate.fits background
    jw99009002001_02101_00002_mirimage_rate.fits background
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f770w
    jw99009001001_02101_00001_mirimage_cal.fits science
    jw99009001001_02101_00002_mirimage_cal.fits science
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2ImageSpecial
  jw99009002001_02101_00002_mirimage
    jw99009002001_02101_00002_mirimage_rate.fits science
  jw99009002001_02101_00001_mirimage
    jw99009002001_02101_00001_mirimage_rate.fits science
jw99009-o002_x_image3_00001_asn.json image3 candidate_Asn_Lv3ImageBackground
  jw99009-o002_t002_miri_f770w
    jw99009002001_02101_00001_mirimage_cal.fits science
    jw99009002001_02101_00002_mirimage_cal.fits science
""",
    ),
    (
        "nirspec_lamps", dict(),
        """
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2NRSLAMPImage
  jw99009001001_02103_00001_nrs1
    jw99009001001_02103_00001_nrs1_rate.fits science
jw99009-o001_x_nrslamp-spec2_00001_asn.json nrslamp-spec2 candidate_Asn_Lv2NRSLAMPSpectral
  jw99009001001_02102_00001_nrs1
    jw99009001001_02102_00001_nrs1_rate.fits science
jw99009-o001_x_nrslamp-spec2_00002_asn.json nrslamp-spec2 candidate_Asn_Lv2NRSLAMPSpectral
  jw99009001001_02101_00001_nrs1
    jw99009001001_02101_00001_nrs1_rate.fits science
""",
    ),
    (
        "msa_all_open", dict(),
        """
jw99009-o001_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2NRSMSA
  jw99009001001_03101_00002_nrs1
    jw99009001001_03101_00002_nrs1_rate.fits science
    jw99009001001_03101_00001_nrs1_rate.fits background
jw99009-o001_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2NRSMSA
  jw99009001001_03101_00001_nrs1
    jw99009001001_03101_00001_nrs1_rate.fits science
    jw99009001001_03101_00002_nrs1_rate.fits background
jw99009-o001_x_spec2_00003_asn.json spec2 candidate_Asn_Lv2NRSMSA
  jw99009001001_02101_00001_nrs1
    jw99009001001_02101_00001_nrs1_rate.fits science
jw99009-o001_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3SpectralSource
  jw99009-o001_{source_id}_nirspec_f170lp-g235m
    jw99009001001_03101_00001_nrs1_cal.fits science
    jw99009001001_03101_00002_nrs1_cal.fits science
jw99009-o001_x_spec3_00002_asn.json spec3 candidate_Asn_Lv3SpectralSource
  jw99009-o001_{source_id}_nirspec_f170lp-mirror
    jw99009001001_02101_00001_nrs1_cal.fits science
""",
    ),
    (
        "soss", dict(),
        """
jw99009-o001_x_tso-spec2_00001_asn.json tso-spec2 candidate_Asn_Lv2SpecTSO
  jw99009001001_01101_00002_nis
    jw99009001001_01101_00002_nis_rateints.fits science
jw99009-o001_x_tso-spec2_00002_asn.json tso-spec2 candidate_Asn_Lv2SpecTSO
  jw99009001001_01101_00001_nis
    jw99009001001_01101_00001_nis_rateints.fits science
jw99009-o001_x_tso3_00001_asn.json tso3 candidate_Asn_Lv3TSO
  jw99009-o001_t001_niriss_clear-gr700xd-substrip256
    jw99009001001_01101_00001_nis_calints.fits science
jw99009-o002_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2Spec
  jw99009002001_01101_00001_nis
    jw99009002001_01101_00001_nis_rate.fits science
jw99009-o002_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3SlitlessSpectral
  jw99009-o002_t001_niriss_clear-gr700xd-substrip256
    jw99009002001_01101_00001_nis_cal.fits science
""",
    ),
    (
        "bright_object", dict(),
        """
jw99009-o001_x_tso-spec2_00001_asn.json tso-spec2 candidate_Asn_Lv2SpecTSO
  jw99009001001_01101_00001_nrs2
    jw99009001001_01101_00001_nrs2_rateints.fits science
jw99009-o001_x_tso-spec2_00002_asn.json tso-spec2 candidate_Asn_Lv2SpecTSO
  jw99009001001_01101_00001_nrs1
    jw99009001001_01101_00001_nrs1_rateints.fits science
jw99009-o001_x_tso3_00001_asn.json tso3 candidate_Asn_Lv3TSO
  jw99009-o001_t001_nirspec_f290lp-g395h-s1600a1-sub2048
    jw99009001001_01101_00001_nrs1_calints.fits science
    jw99009001001_01101_00001_nrs2_calints.fits science
jw99009-o002_x_tso-spec2_00001_asn.json tso-spec2 candidate_Asn_Lv2SpecTSO
  jw99009002001_01101_00001_nrs1
    jw99009002001_01101_00001_nrs1_rateints.fits science
jw99009-o002_x_tso3_00001_asn.json tso3 candidate_Asn_Lv3TSO
  jw99009-o002_t001_nirspec_f070lp-g140m-s1600a1-sub2048
    jw99009002001_01101_00001_nrs1_calints.fits science
""",
    ),
    (
        "nircam_wfss", dict(),
        """
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02107_00001_nrcalong
    jw99009001001_02107_00001_nrcalong_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_nrcalong
    jw99009001001_02101_00001_nrcalong_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_nircam_clear-f444w
    jw99009001001_02101_00001_nrcalong_cal.fits science
    jw99009001001_02107_00001_nrcalong_cal.fits science
jw99009-o001_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2WFSSNRC
  jw99009001001_02105_00001_nrcalong
    jw99009001001_02105_00001_nrcalong_rate.fits science
    jw99009-o001_t001_nircam_clear-f444w_i2d.fits direct_image
    jw99009-o001_t001_nircam_clear-f444w_cat.ecsv sourcecat
    jw99009-o001_t001_nircam_clear-f444w_segm.fits segmap
jw99009-o001_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2WFSSNRC
  jw99009001001_02103_00001_nrcalong
    jw99009001001_02103_00001_nrcalong_rate.fits science
    jw99009-o001_t001_nircam_clear-f444w_i2d.fits direct_image
    jw99009-o001_t001_nircam_clear-f444w_cat.ecsv sourcecat
    jw99009-o001_t001_nircam_clear-f444w_segm.fits segmap
jw99009-o001_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3WFSSNRC
  jw99009-o001_t001_nircam_f444w-grismr
    jw99009001001_02103_00001_nrcalong_cal.fits science
    jw99009001001_02105_00001_nrcalong_cal.fits science
""",
    ),
    (
        "miri_coronagraphy", dict(),
        """
jw99009-c1000_x_coron3_00001_asn.json coron3 candidate_Asn_Lv3MIRCoron
  jw99009-c1000_t001_miri_f1065c-mask1065
    jw99009001001_02101_00001_mirimage_calints.fits science
    jw99009002001_02101_00001_mirimage_calints.fits psf
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2ImageSpecial
  jw99009001001_02102_00001_mirimage
    jw99009001001_02102_00001_mirimage_rateints.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rateints.fits science
    jw99009001001_02102_00001_mirimage_rateints.fits background
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2ImageSpecial
  jw99009002001_02101_00001_mirimage
    jw99009002001_02101_00001_mirimage_rateints.fits science
""",
    ),
    (
        "fgs", dict(),
        """
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2FGS
  jw99009001001_02101_00002_guider1
    jw99009001001_02101_00002_guider1_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2FGS
  jw99009001001_02101_00001_guider1
    jw99009001001_02101_00001_guider1_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_fgs_clear
    jw99009001001_02101_00001_guider1_cal.fits science
    jw99009001001_02101_00002_guider1_cal.fits science
""",
    ),
    (
        "ifu_imprint_tiles", dict(),
        """
jw99009-o001_x_spec2_00001_asn.json spec2 candidate_Asn_Lv2SpecImprint
  jw99009001001_02106_00001_nrs1
    jw99009001001_02106_00001_nrs1_rate.fits science
jw99009-o001_x_spec2_00002_asn.json spec2 candidate_Asn_Lv2NRSIFUNod
  jw99009001001_02102_00002_nrs1
    jw99009001001_02102_00002_nrs1_rate.fits science
    jw99009001001_02102_00001_nrs1_rate.fits background
    jw99009001001_02106_00001_nrs1_rate.fits imprint
jw99009-o001_x_spec2_00003_asn.json spec2 candidate_Asn_Lv2NRSIFUNod
  jw99009001001_02102_00001_nrs1
    jw99009001001_02102_00001_nrs1_rate.fits science
    jw99009001001_02102_00002_nrs1_rate.fits background
    jw99009001001_02106_00001_nrs1_rate.fits imprint
jw99009-o001_x_spec2_00004_asn.json spec2 candidate_Asn_Lv2SpecImprint
  jw99009001001_02105_00001_nrs1
    jw99009001001_02105_00001_nrs1_rate.fits science
jw99009-o001_x_spec2_00005_asn.json spec2 candidate_Asn_Lv2NRSIFUNod
  jw99009001001_02101_00002_nrs1
    jw99009001001_02101_00002_nrs1_rate.fits science
    jw99009001001_02101_00001_nrs1_rate.fits background
    jw99009001001_02105_00001_nrs1_rate.fits imprint
jw99009-o001_x_spec2_00006_asn.json spec2 candidate_Asn_Lv2NRSIFUNod
  jw99009001001_02101_00001_nrs1
    jw99009001001_02101_00001_nrs1_rate.fits science
    jw99009001001_02101_00002_nrs1_rate.fits background
    jw99009001001_02105_00001_nrs1_rate.fits imprint
jw99009-o001_x_spec3_00001_asn.json spec3 candidate_Asn_Lv3NRSIFU
  jw99009-o001_t001_nirspec_g235h
    jw99009001001_02101_00001_nrs1_cal.fits science
    jw99009001001_02101_00002_nrs1_cal.fits science
    jw99009001001_02102_00001_nrs1_cal.fits science
    jw99009001001_02102_00002_nrs1_cal.fits science
""",
    ),
    (
        "acquisition_everywhere", dict(),
        """
jw99009-c1001_x_image3_00001_asn.json image3 candidate_Asn_Lv3ImageMosaic
  jw99009-c1001_t000_miri_f560w
    jw99009001001_02103_00001_mirimage_cal.fits science
    jw99009001001_02103_00002_mirimage_cal.fits science
    jw99009002001_02103_00001_mirimage_cal.fits science
    jw99009001001_02101_00001_mirimage_cal.fits target_acquisition
jw99009-o001_x_image2_00001_asn.json image2 candidate_Asn_Lv2ImageSpecial
  jw99009001001_02106_00001_mirimage
    jw99009001001_02106_00001_mirimage_rate.fits science
jw99009-o001_x_image2_00002_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02105_00002_mirimage
    jw99009001001_02105_00002_mirimage_rate.fits science
    jw99009001001_02106_00001_mirimage_rate.fits background
jw99009-o001_x_image2_00003_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02105_00001_mirimage
    jw99009001001_02105_00001_mirimage_rate.fits science
    jw99009001001_02106_00001_mirimage_rate.fits background
jw99009-o001_x_image2_00004_asn.json image2 candidate_Asn_Lv2ImageSpecial
  jw99009001001_02104_00001_mirimage
    jw99009001001_02104_00001_mirimage_rate.fits science
jw99009-o001_x_image2_00005_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02103_00002_mirimage
    jw99009001001_02103_00002_mirimage_rate.fits science
    jw99009001001_02104_00001_mirimage_rate.fits background
jw99009-o001_x_image2_00006_asn.json image2 candidate_Asn_Lv2Image
  jw99009001001_02103_00001_mirimage
    jw99009001001_02103_00001_mirimage_rate.fits science
    jw99009001001_02104_00001_mirimage_rate.fits background
jw99009-o001_x_image2_00007_asn.json image2 candidate_Asn_Lv2ImageNonScience
  jw99009001001_02101_00001_mirimage
    jw99009001001_02101_00001_mirimage_rate.fits science
jw99009-o001_x_image3_00001_asn.json image3 candidate_Asn_Lv3ImageBackground
  jw99009-o001_t002_miri_f770w
    jw99009001001_02106_00001_mirimage_cal.fits science
    jw99009001001_02101_00001_mirimage_cal.fits target_acquisition
jw99009-o001_x_image3_00002_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f770w
    jw99009001001_02105_00001_mirimage_cal.fits science
    jw99009001001_02105_00002_mirimage_cal.fits science
    jw99009001001_02101_00001_mirimage_cal.fits target_acquisition
jw99009-o001_x_image3_00003_asn.json image3 candidate_Asn_Lv3ImageBackground
  jw99009-o001_t002_miri_f560w
    jw99009001001_02104_00001_mirimage_cal.fits science
    jw99009001001_02101_00001_mirimage_cal.fits target_acquisition
jw99009-o001_x_image3_00004_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o001_t001_miri_f560w
    jw99009001001_02103_00001_mirimage_cal.fits science
    jw99009001001_02103_00002_mirimage_cal.fits science
    jw99009001001_02101_00001_mirimage_cal.fits target_acquisition
jw99009-o002_x_image2_00001_asn.json image2 candidate_Asn_Lv2Image
  jw99009002001_02103_00001_mirimage
    jw99009002001_02103_00001_mirimage_rate.fits science
jw99009-o002_x_image3_00001_asn.json image3 candidate_Asn_Lv3Image
  jw99009-o002_t003_miri_f560w
    jw99009002001_02103_00001_mirimage_cal.fits science
""",
    ),
]


@pytest.mark.parametrize(("label", "options", "expected"), EXPECTED, ids=[case[0] for case in EXPECTED])
def test_same_associations_as_the_reference(tmp_path, label, options, expected):
    result = run(tmp_path, POOLS[label.split()[0]](), **options)
    assert outline(result.files) == expected.strip("\n")
    # the associations and the files come in the same order
    assert [asn.asn_name() + ".json" for asn in result.associations] == [name for name, _ in result.files]


# -- the facts behind those outlines, family by family ------------------------------------------


def documents(result) -> dict[str, dict]:
    """File name -> the association as written."""
    return {name: json.loads(text) for name, text in result.files}


def of_rule(result, rule: str) -> list[dict]:
    return [data for data in documents(result).values() if data["asn_rule"].endswith("_" + rule)]


def members(data: dict, product: int = 0) -> list[tuple[str, str]]:
    return [(m["expname"], m["exptype"]) for m in data["products"][product]["members"]]


def test_imaging_one_image2_per_exposure_and_one_image3_per_filter(tmp_path):
    result = run(tmp_path, imaging())
    image2 = of_rule(result, "Asn_Lv2Image")
    assert len(image2) == 5
    for data in image2:
        (expname, exptype), = members(data)
        assert exptype == "science" and expname.endswith("_rate.fits")
        assert data["products"][0]["name"] + "_rate.fits" == expname
        assert data["target"] == "1"  # Level 2 keeps the raw target id
    image3 = {data["products"][0]["name"]: data for data in of_rule(result, "Asn_Lv3Image")}
    assert sorted(image3) == ["jw99009-o001_t001_miri_f560w", "jw99009-o001_t001_miri_f770w"]
    f560w = image3["jw99009-o001_t001_miri_f560w"]
    assert f560w["target"] == "t001" and f560w["asn_id"] == "o001"
    assert {m["asn_candidate"] for m in f560w["products"][0]["members"]} == {"[('o001', 'observation')]"}


def test_image_background_observation_serves_the_background_candidate(tmp_path):
    result = run(tmp_path, image_backgrounds())
    science = [data for data in of_rule(result, "Asn_Lv2Image") if data["asn_id"] == "c1000"]
    assert len(science) == 2
    for data in science:
        kinds = [exptype for _, exptype in members(data)]
        assert kinds == ["science", "background", "background"]
    # the background exposures get their own (special) Level 2 and Level 3 associations
    assert len(of_rule(result, "Asn_Lv2ImageSpecial")) == 2
    (background3,) = of_rule(result, "Asn_Lv3ImageBackground")
    assert background3["target"] == "t002"
    # the o001 Level 2 associations are subsets of the c1000 ones and are pruned
    assert not [data for data in of_rule(result, "Asn_Lv2Image") if data["asn_id"] == "o001"]


def test_dms_flag_keeps_only_the_requested_candidate(tmp_path):
    plain = run(tmp_path, image_backgrounds(), ids=("o001",))
    assert sorted(data["asn_type"] for data in documents(plain).values()) == ["image2", "image2", "image3"]
    dms = run(tmp_path, image_backgrounds(), ids=("o001",), dms=True)
    # the background candidate c1000 took part (and absorbed the Level 2 ones), then was filtered out
    assert [name for name, _ in dms.files] == ["jw99009-o001_x_image3_00001_asn.json"]


def test_coronagraphy_combines_science_and_psf_integrations(tmp_path):
    result = run(tmp_path, coronagraphy())
    (coron,) = of_rule(result, "Asn_Lv3NRCCoron")
    assert coron["asn_type"] == "coron3" and coron["asn_id"] == "c1000"
    assert [exptype for _, exptype in members(coron)] == ["science", "science", "psf", "psf"]
    assert all(name.endswith("_calints.fits") for name, _ in members(coron))
    level2 = [d for d in documents(result).values() if d["asn_type"] == "image2"]
    assert all(name.endswith("_rateints.fits") for d in level2 for name, _ in members(d))


def test_coronagraphy_without_psf_is_not_written(tmp_path):
    rows = [row for row in coronagraphy() if row["IS_PSF"] == "F"]
    result = run(tmp_path, rows)
    assert not [d for d in documents(result).values() if d["asn_type"] == "coron3"]


def test_full_frame_coronagraphy_is_also_an_image(tmp_path):
    result = run(tmp_path, coronagraphy_image())
    (image3,) = of_rule(result, "Asn_Lv3NRCCoronImage")
    assert image3["products"][0]["name"] == "jw99009-o001_t001_nircam_f210m-maskrnd-image3"
    assert members(image3) == [("jw99009001001_03106_00001_nrca2_cal.fits", "science")]  # no psf, no ints
    as_rate = of_rule(result, "Asn_Lv2CoronAsRate")
    assert sorted(name for d in as_rate for name, _ in members(d)) == [
        "jw99009001001_03106_00001_nrca2_rate.fits",
        "jw99009001001_03106_00002_nrca2_rate.fits",
    ]


def test_ami_needs_and_keeps_its_psf(tmp_path):
    result = run(tmp_path, ami())
    (ami3,) = of_rule(result, "Asn_Lv3AMI")
    assert ami3["asn_type"] == "ami3"
    assert ("jw99009001001_01102_00001_nis_calints.fits", "psf") in members(ami3)
    without_psf = run(tmp_path, [row for row in ami() if row["IS_PSF"] == "F"])
    assert not of_rule(without_psf, "Asn_Lv3AMI")


def test_time_series_use_integrations_everywhere(tmp_path):
    result = run(tmp_path, tso())
    by_type = {}
    for data in documents(result).values():
        by_type.setdefault(data["asn_type"], []).append(data)
    assert sorted(by_type) == ["tso-image2", "tso-spec2", "tso3"]
    assert [m for d in by_type["tso-image2"] for m in members(d)] == [
        ("jw99009001001_01101_00001_nrca3_rateints.fits", "science")
    ]
    assert sorted(d["products"][0]["name"] for d in by_type["tso3"]) == [
        "jw99009-o001_t001_nircam_clear-f210m-sub64p",
        "jw99009-o001_t001_nircam_f444w-grismr-subgrism64",
    ]
    assert all(name.endswith("_calints.fits") for d in by_type["tso3"] for name, _ in members(d))


def test_fixed_slit_nods_split_into_one_spec2_per_exposure(tmp_path):
    result = run(tmp_path, fixed_slit_nods())
    spec2 = of_rule(result, "Asn_Lv2NRSFSS")
    assert len(spec2) == 4
    for data in spec2:
        (science, _), (background, kind) = members(data)
        assert kind == "background"
        # the other nod position of the same detector
        assert science.split("_")[3] == background.split("_")[3]
        assert science != background
    (spec3,) = of_rule(result, "Asn_Lv3NRSFSS")
    assert spec3["products"][0]["name"] == (
        "jw99009-o001_t001-{source_id}_nirspec_f290lp-g395h-{slit_name}-subs200a1"
    )


def _backgrounds(result, rule: str) -> dict[str, list[str]]:
    """Science exposure number -> the exposure numbers used as its background."""
    out = {}
    for data in of_rule(result, rule):
        numbers = {kind: [] for kind in ("science", "background")}
        for name, kind in members(data):
            numbers[kind].append(name.split("_")[2][-1])
        (science,) = numbers["science"]
        out[science] = numbers["background"]
    return out


def test_fixed_slit_subpixel_dithers_of_the_same_nod_are_not_background(tmp_path):
    result = run(tmp_path, fixed_slit_subpixel_nods())
    assert _backgrounds(result, "Asn_Lv2NRSFSS") == {
        "1": ["3", "4"], "2": ["3", "4"], "3": ["1", "2"], "4": ["1", "2"],
    }


def test_s1600a1_five_point_nods_skip_the_neighbouring_points(tmp_path):
    result = run(tmp_path, fixed_slit_s1600a1_five_point())
    assert _backgrounds(result, "Asn_Lv2NRSFSS") == {
        "1": ["3", "4", "5"], "2": ["4", "5"], "3": ["1", "5"], "4": ["1", "2"], "5": ["1", "2", "3"],
    }


def test_msa_nods_are_each_others_background(tmp_path):
    result = run(tmp_path, msa())
    assert _backgrounds(result, "Asn_Lv2NRSMSA") == {"1": ["2", "3"], "2": ["1", "3"], "3": ["1", "2"]}
    (spec3,) = of_rule(result, "Asn_Lv3SpectralSource")
    assert spec3["products"][0]["name"] == "jw99009-o001_{source_id}_nirspec_f170lp-g235m"


def test_ifu_imprints_join_the_science_but_not_level3(tmp_path):
    result = run(tmp_path, ifu_imprints())
    for data in of_rule(result, "Asn_Lv2NRSIFUNod"):
        kinds = [kind for _, kind in members(data)]
        assert kinds == ["science", "background", "imprint", "imprint"]
    assert len(of_rule(result, "Asn_Lv2SpecImprint")) == 2  # imprints also processed on their own
    (spec3,) = of_rule(result, "Asn_Lv3NRSIFU")
    assert spec3["products"][0]["name"] == "jw99009-o001_t001_nirspec_g235h"
    assert {kind for _, kind in members(spec3)} == {"science"}


def test_miri_mrs_background_candidate_uses_x1d_backgrounds(tmp_path):
    result = run(tmp_path, miri_mrs())
    spec3 = {data["asn_id"]: data for data in of_rule(result, "Asn_Lv3MIRMRS")}
    assert sorted(spec3) == ["c1000", "o001"]
    assert spec3["c1000"]["products"][0]["name"] == "jw99009-c1000_t001_miri"  # no optical path
    backgrounds = [name for name, kind in members(spec3["c1000"]) if kind == "background"]
    assert len(backgrounds) == 4 and all(name.endswith("_x1d.fits") for name in backgrounds)
    (bkg3,) = of_rule(result, "Asn_Lv3MIRMRSBackground")
    assert bkg3["target"] == "t002"


def test_miri_lrs_nods_background_each_other_and_keep_the_acquisition(tmp_path):
    result = run(tmp_path, miri_lrs_nods())
    spec2 = of_rule(result, "Asn_Lv2MIRLRSFixedSlitNod")
    assert len(spec2) == 2
    for data in spec2:
        assert sorted(kind for _, kind in members(data)) == ["background", "science", "target_acquisition"]
    (spec3,) = of_rule(result, "Asn_Lv3SpectralTarget")
    assert members(spec3)[-2:] == [
        ("jw99009001001_03101_00001_mirimage_x1d.fits", "background"),
        ("jw99009001001_03101_00002_mirimage_x1d.fits", "background"),
    ]
    assert ("jw99009001001_02101_00001_mirimage_cal.fits", "target_acquisition") in members(spec3)


def test_wfss_spectra_point_at_the_direct_image_products(tmp_path):
    result = run(tmp_path, wfss())
    spec2 = of_rule(result, "Asn_Lv2WFSSNIS")
    assert len(spec2) == 2
    root = "jw99009-o001_t001_niriss_clear-f150w"
    (image3,) = of_rule(result, "Asn_Lv3Image")
    assert image3["products"][0]["name"] == root
    for data in spec2:
        assert members(data)[1:] == [
            (root + "_i2d.fits", "direct_image"),
            (root + "_cat.ecsv", "sourcecat"),
            (root + "_segm.fits", "segmap"),
        ]
        # catalog members are names of products, not exposures: only expname and exptype
        assert [sorted(m) for m in data["products"][0]["members"][1:]] == [["expname", "exptype"]] * 3
    (spec3,) = of_rule(result, "Asn_Lv3WFSSNIS")
    assert spec3["products"][0]["name"] == "jw99009-o001_t001_niriss_f150w-gr150r"


def test_wavefront_sensing_pairs(tmp_path):
    result = run(tmp_path, wfsc())
    assert len(of_rule(result, "Asn_Lv2WFSC")) == 3
    (pair,) = of_rule(result, "Asn_Lv3WFSCMB")  # the lone WLM8 exposure makes no pair
    assert pair["asn_type"] == "wfs-image3"
    assert pair["products"][0]["name"] == "jw99009-o001_t001_nircam_f212n-wlp8-nrca3_{suffix}-01"
    assert len(members(pair)) == 2


def test_target_acquisition_joins_level3_of_its_observation_only(tmp_path):
    result = run(tmp_path, target_acquisition())
    (image3,) = of_rule(result, "Asn_Lv3Image")
    assert members(image3)[-1] == ("jw99009001001_02101_00001_mirimage_cal.fits", "target_acquisition")
    # the acquisition of observation 2 has no science to join: Level 2 only
    names = [name for data in documents(result).values() for name, _ in members(data)]
    assert "jw99009002001_02101_00001_mirimage_cal.fits" not in names
    assert len(of_rule(result, "Asn_Lv2ImageNonScience")) == 2


def test_mosaic_spans_targets_and_group_needs_one_target(tmp_path):
    result = run(tmp_path, mosaic())
    (mosaic3,) = of_rule(result, "Asn_Lv3ImageMosaic")
    assert mosaic3["asn_id"] == "c1000" and mosaic3["target"] == "t000"
    assert len(members(mosaic3)) == 2
    # the group candidate c1001 holds two targets: no association for it
    assert not [d for d in documents(result).values() if d["asn_id"] == "c1001"]


def test_group_candidate_needs_more_than_one_observation(tmp_path):
    result = run(tmp_path, group_candidate())
    ids = sorted(d["asn_id"] for d in documents(result).values() if d["asn_type"] == "image3")
    assert ids == ["c1000", "o001", "o002"]  # c1001 covers one observation only
    unfinished = run(tmp_path, group_candidate(), finalize=False)
    assert "c1001" in {d["asn_id"] for d in documents(unfinished).values()}


# -- candidate modes ---------------------------------------------------------------------------------


def names(result) -> list[str]:
    return sorted(name for name, _ in result.files)


def test_ids_select_candidates(tmp_path):
    assert names(run(tmp_path, group_candidate(), ids=("c1000",))) == ["jw99009-c1000_x_image3_00001_asn.json"]
    only = names(run(tmp_path, group_candidate(), ids=("o001",)))
    assert only and all(name.startswith("jw99009-o001_") for name in only)


def test_discover_writes_discovered_associations_only(tmp_path):
    result = run(tmp_path, group_candidate(), discover=True)
    (data,) = documents(result).values()
    assert data["asn_id"] == "a3001" and data["asn_rule"] == "discover_Asn_Lv3Image"
    # members keep the pool's full candidate list
    assert data["products"][0]["members"][0]["asn_candidate"] == "[('o001', 'observation'), ('c1000', 'group')]"


def test_all_candidates_is_the_default_here(tmp_path):
    default = run(tmp_path, group_candidate())
    assert names(run(tmp_path, group_candidate(), all_candidates=True)) == names(default)


def test_per_pool_algorithm_loses_the_c_candidate(tmp_path):
    result = run(tmp_path, group_candidate(), per_pool_algorithm=True)
    ids = sorted({d["asn_id"] for d in documents(result).values()})
    assert ids == ["a3001", "o001", "o002"]
    (o001,) = [d for d in documents(result).values() if d["asn_id"] == "o001" and d["asn_type"] == "image3"]
    # the candidate is recorded as the single pair it was matched with
    assert o001["products"][0]["members"][0]["asn_candidate"] == "('o001', 'observation')"


def test_merge_joins_level2_products_of_one_candidate(tmp_path):
    result = run(tmp_path, group_candidate(), merge=True)
    (o001,) = [d for d in documents(result).values() if d["asn_id"] == "o001" and d["asn_type"] == "image2"]
    assert [p["name"] for p in o001["products"]] == [
        "jw99009001001_02101_00002_mirimage",
        "jw99009001001_02101_00001_mirimage",
    ]
    assert names(result)[1] == "jw99009-o001_x_image2_00001_asn.json"


def test_debug_renames_duplicates_instead_of_dropping_them(tmp_path):
    result = run(tmp_path, group_candidate(), debug=True)
    dups = [name for name in names(result) if name.startswith("dup")]
    assert dups == ["dup00001_jw99009-a3001_x_image3_00001_asn.json"]
    plain = run(tmp_path, group_candidate())
    assert sorted(set(names(result)) - set(dups)) == names(plain)


def test_lamps_go_to_their_own_level2_types(tmp_path):
    result = run(tmp_path, nirspec_lamps())
    kinds = sorted((d["asn_type"], d["asn_rule"]) for d in documents(result).values())
    assert kinds == [
        ("image2", "candidate_Asn_Lv2NRSLAMPImage"),
        ("nrslamp-spec2", "candidate_Asn_Lv2NRSLAMPSpectral"),
        ("nrslamp-spec2", "candidate_Asn_Lv2NRSLAMPSpectral"),
    ]  # and no Level 3 for lamps


def test_soss_time_series_skips_single_integrations(tmp_path):
    result = run(tmp_path, soss())
    (tso3,) = of_rule(result, "Asn_Lv3TSO")
    assert members(tso3) == [("jw99009001001_01101_00001_nis_calints.fits", "science")]
    # a SOSS exposure outside a time series is plain slitless spectroscopy
    (spec3,) = of_rule(result, "Asn_Lv3SlitlessSpectral")
    assert spec3["asn_id"] == "o002"
    # the uncalibrated F277W time series yields nothing at all
    assert "o003" not in {d["asn_id"] for d in documents(result).values()}


def test_wfss_direct_images_on_both_sides(tmp_path):
    result = run(tmp_path, nircam_wfss())
    spec2 = of_rule(result, "Asn_Lv2WFSSNRC")
    assert len(spec2) == 2
    for data in spec2:
        assert members(data)[1] == ("jw99009-o001_t001_nircam_clear-f444w_i2d.fits", "direct_image")
    (spec3,) = of_rule(result, "Asn_Lv3WFSSNRC")
    assert spec3["products"][0]["name"] == "jw99009-o001_t001_nircam_f444w-grismr"


def test_ifu_imprints_stay_with_their_mosaic_tile(tmp_path):
    result = run(tmp_path, ifu_imprint_tiles())
    for data in of_rule(result, "Asn_Lv2NRSIFUNod"):
        (science,) = [name for name, kind in members(data) if kind == "science"]
        (imprint,) = [name for name, kind in members(data) if kind == "imprint"]
        tile = science.split("_")[1][4]  # activity 1 or 2
        assert imprint.split("_")[1] == f"0210{int(tile) + 4}"


def test_imprints_are_tried_only_against_their_own_tile(tmp_path, monkeypatch):
    """Asn_Lv2Spec (dithers, not nods): each science exposure takes the imprint of its tile,
    and the index never offers an imprint to an association of another tile (the tile's
    ``any`` group is gated on "may be a background"), so none is refused for its tile.
    (The reference wrote the same seven files for this pool with ``--version-id x``.)"""
    from asngen.association import Association
    from asngen.generator import loop

    rows = [dict(row, PATTTYPE="CYCLING") for row in ifu_imprint_tiles()]
    refused_other_tile = []
    offers = []

    class Counting(Association):  # (compiled, Association is a C type: it cannot be patched)
        def add(self, item, trace=None, fresh=False):
            accepted, requests = super().add(item, trace, fresh)
            offers.append(fresh)
            if (not fresh and not accepted and self.rule.name == "Asn_Lv2Spec" and self.members
                    and self.members[0].item["mostilno"] != item["mostilno"]):
                refused_other_tile.append(item["filename"])
            return accepted, requests

    monkeypatch.setattr(loop, "Association", Counting)  # what the generator makes
    result = run(tmp_path, rows)
    spec2 = of_rule(result, "Asn_Lv2Spec")
    assert len(spec2) == 4
    for data in spec2:
        (science,) = [name for name, kind in members(data) if kind == "science"]
        (imprint,) = [name for name, kind in members(data) if kind == "imprint"]
        tile = science.split("_")[1][4]
        assert imprint.split("_")[1] == f"0210{int(tile) + 4}"
    assert False in offers  # rows were offered to existing associations, and counted
    assert refused_other_tile == []


def test_a_subclass_overriding_the_methods_an_association_calls_on_itself_is_obeyed(tmp_path, monkeypatch):
    """Compiled, an association calls its own methods as C functions; a Python subclass that
    overrides one (here how a row's exposure type is read, and what sealing does) must
    still be the one called."""
    from asngen.association import Association
    from asngen.generator import loop

    sealed = []

    class Relabelled(Association):
        def exposure_type(self, item):
            found = super().exposure_type(item)
            return "psf" if found == "imprint" else found

        def seal(self):
            super().seal()
            sealed.append(self.rule.name)

    (tmp_path / "plain").mkdir()
    (tmp_path / "relabelled").mkdir()
    rows = [dict(row, PATTTYPE="CYCLING") for row in ifu_imprint_tiles()]
    plain = run(tmp_path / "plain", rows)
    monkeypatch.setattr(loop, "Association", Relabelled)
    relabelled = run(tmp_path / "relabelled", rows)
    before = [kind for data in of_rule(plain, "Asn_Lv2Spec") for _, kind in members(data)]
    after = [kind for data in of_rule(relabelled, "Asn_Lv2Spec") for _, kind in members(data)]
    assert "imprint" in before
    assert after == ["psf" if kind == "imprint" else kind for kind in before]
    assert "Asn_Lv2Spec" in sealed


def test_acquisition_joins_every_level3_association_of_its_observation(tmp_path):
    result = run(tmp_path, acquisition_everywhere())
    acquisition = ("jw99009001001_02101_00001_mirimage_cal.fits", "target_acquisition")
    level3 = [d for d in documents(result).values() if d["asn_type"] == "image3"]
    with_acq = sorted((d["asn_id"], d["products"][0]["name"]) for d in level3 if acquisition in members(d))
    assert with_acq == [
        ("c1001", "jw99009-c1001_t000_miri_f560w"),
        ("o001", "jw99009-o001_t001_miri_f560w"),
        ("o001", "jw99009-o001_t001_miri_f770w"),
        ("o001", "jw99009-o001_t002_miri_f560w"),
        ("o001", "jw99009-o001_t002_miri_f770w"),
    ]
    # observation 2 has no acquisition of its own
    (o002,) = [d for d in level3 if d["asn_id"] == "o002"]
    assert [kind for _, kind in members(o002)] == ["science"]


# -- pools that lack a column the rules read -------------------------------------------------------


def test_pool_without_an_optional_column_still_generates(tmp_path):
    # EXPOSERR is only copied into members: the reference does without it
    path = write_pool(tmp_path, imaging(), without=("EXPOSERR",))
    result = generate(path, GenerateOptions(version_id="x"))
    assert len(result.files) == 7
    # members still carry the key, as null
    errors = [m["exposerr"] for d in documents(result).values() for m in d["products"][0]["members"]]
    assert len(errors) == 10 and set(errors) == {None}


def test_pool_without_exp_type_is_an_error(tmp_path):
    path = write_pool(tmp_path, imaging(), without=("EXP_TYPE",))
    with pytest.raises(AsngenError):
        generate(path, GenerateOptions(version_id="x"))


def test_wfss_pool_without_filter_is_a_one_line_error(tmp_path):
    path = write_pool(tmp_path, wfss(), without=("FILTER",))
    with pytest.raises(AsngenError):
        generate(path, GenerateOptions(version_id="x"))


def _direct_image_of(result) -> dict[str, str]:
    """WFSS science exposure -> the direct image its spec2 association names."""
    out = {}
    for data in of_rule(result, "Asn_Lv2WFSSNIS"):
        (science, _), (direct, kind) = members(data)[:2]
        assert kind == "direct_image"
        out[science.split("_")[1] + "_" + science.split("_")[2]] = direct
    return out


def test_wfss_spectra_take_the_direct_image_of_their_blocking_filter(tmp_path):
    result = run(tmp_path, niriss_wfss_two_filters())
    f115w = "jw99009-o001_t001_niriss_clear-f115w_i2d.fits"
    f150w = "jw99009-o001_t001_niriss_clear-f150w_i2d.fits"
    assert _direct_image_of(result) == {
        "02102_00001": f115w, "02102_00002": f115w, "02103_00001": f115w, "02103_00002": f115w,
        "02106_00001": f150w, "02106_00002": f150w, "02107_00001": f150w, "02107_00002": f150w,
    }
    assert sorted(d["products"][0]["name"] for d in of_rule(result, "Asn_Lv3WFSSNIS")) == [
        "jw99009-o001_t001_niriss_f115w-gr150c",
        "jw99009-o001_t001_niriss_f115w-gr150r",
        "jw99009-o001_t001_niriss_f150w-gr150c",
        "jw99009-o001_t001_niriss_f150w-gr150r",
    ]


def test_wfss_spectra_without_their_direct_image_get_no_spec2(tmp_path):
    rows = [r for r in niriss_wfss_two_filters() if not (r["EXP_TYPE"] == "NIS_IMAGE" and r["PUPIL"] == "F150W")]
    result = run(tmp_path, rows)
    assert sorted(_direct_image_of(result)) == ["02102_00001", "02102_00002", "02103_00001", "02103_00002"]
    # Level 3 does not need the direct image
    assert len(of_rule(result, "Asn_Lv3WFSSNIS")) == 4
