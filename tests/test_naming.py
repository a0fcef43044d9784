"""Names: Level 3 and Level 2 product names, member suffixes, association file names.

Product names depend on what a rule pinned while it collected members, so
most checks generate from a small pool (tests/pools.py) and read the names
written.  The expectations come from running the reference asn_generate
(jwst 3.0.0) on the same pools.
"""

from __future__ import annotations

import json
import random
import re

import pytest

from asngen.association import PRODUCT_NAME_DEFAULT, level2_product_name
from asngen.member import rename_uncal
from asngen.rules.suffixes import KNOWN_SUFFIXES, remove_suffix
from tests.pools import exposure, run

POOLS: dict = {}


def pool(builder):
    POOLS[builder.__name__] = builder
    return builder


def documents(result) -> dict[str, dict]:
    return {name: json.loads(text) for name, text in result.files}


def level3_products(result) -> list[str]:
    return sorted(
        product["name"]
        for data in documents(result).values()
        if "t" in data["target"][:1]
        for product in data["products"]
    )


NIRCAM = {"INSTRUME": "NIRCAM", "EXP_TYPE": "NRC_IMAGE", "DETECTOR": "NRCA1", "CHANNEL": "SHORT"}


@pool
def optical_elements():
    """Filters and pupils in every combination, one observation each."""
    cases = [
        ("F200W", "CLEAR"),  # sorted: clear-f200w
        ("F150W2", "F162M"),  # sorted: f150w2-f162m
        ("F212N", "NULL"),  # pupil absent
        ("NULL", "NULL"),  # nothing: "clear"
    ]
    rows = []
    for obs, (filt, pupil) in enumerate(cases, start=1):
        rows.append(exposure(f"jw01234{obs:03d}001_02101_00001_nrca1_uncal.fits", **NIRCAM, PROGRAM="1234",
                             OBS_NUM=obs, FILTER=filt, PUPIL=pupil,
                             ASN_CANDIDATE=f"[('o{obs:03d}', 'observation')]"))
    return rows


@pool
def targets_and_subarrays():
    cases = [("7", "FULL"), ("12", "SUB64"), ("1234", "SUB160")]
    rows = []
    for obs, (target, subarray) in enumerate(cases, start=1):
        rows.append(exposure(f"jw99009{obs:03d}001_02101_00001_mirimage_uncal.fits", OBS_NUM=obs,
                             TARGETID=target, SUBARRAY=subarray,
                             ASN_CANDIDATE=f"[('o{obs:03d}', 'observation')]"))
    return rows


@pool
def odd_filenames():
    names = [
        "data/jw99009001001_02101_00001_mirimage_uncal.fits",
        "jw99009001001_02101_00002_mirimage_uncal",
        "jw99009001001_02101_00003_mirimage_rate.fits",
        "jw99009001001_02101_00004_mirimage_uncal.fits.gz",
        "jw99009001001_02101_00005_mirimage_uncal_uncal.fits",
        "jw99009001001_02101_00006_mirimage-cal.fits",
        "jw99009001001_02101_00007_mirimage_cal_uncal.fits",
    ]
    return [exposure(name, PATT_NUM=n) for n, name in enumerate(names, start=1)]


@pool
def special_characters():
    """Pinned values are stored regex-escaped, and the escapes show in product names."""
    return [
        exposure("jw99009001001_02101_00001_mirimage_uncal.fits", FILTER="F1.5+X", SUBARRAY="SUB-64"),
        exposure("jw99009001001_02101_00002_mirimage_uncal.fits", FILTER="F1.5+X", SUBARRAY="SUB-64", PATT_NUM=2),
    ]


FSS = {"INSTRUME": "NIRSPEC", "EXP_TYPE": "NRS_FIXEDSLIT", "DETECTOR": "NRS1", "FILTER": "F290LP",
       "GRATING": "G395H", "FXD_SLIT": "S200A1", "SUBARRAY": "SUBS200A1", "PATTTYPE": "2-POINT-NOD",
       "NUMDTHPT": "2"}


@pool
def autowave_in_level3():
    """A lamp exposure has no Level 2b product: Level 3 lists its rate file."""
    return [
        exposure("jw99009001001_02101_00001_nrs1_uncal.fits", **FSS, PATT_NUM=1),
        exposure("jw99009001001_02101_00002_nrs1_uncal.fits", **FSS, PATT_NUM=2),
        exposure("jw99009001001_02102_00001_nrs1_uncal.fits", **dict(FSS, EXP_TYPE="NRS_AUTOWAVE"), ACT_ID=2,
                 LAMP="LINE1", OPMODE="FIXEDSLIT"),
    ]


# -- suffixes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "root", "separator"),
    [
        ("jw_00001_rate", "jw_00001", "_"),
        ("jw_00001_nrca1_rateints", "jw_00001_nrca1", "_"),
        ("jw_00001_i2d_cal", "jw_00001_i2d", "_"),  # only the last known word goes
        ("jw_rate_rate", "jw_rate", "_"),
        ("jw-ami-oi", "jw", "-"),  # a suffix may itself contain a dash
        ("a-b_c1d", "a-b", "_"),
        ("x.y_cal", "x.y", "_"),
        ("a_cal", "a", "_"),
        ("_cal", "_cal", "_"),  # the root cannot be empty
        ("jw_00001", "jw_00001", "_"),  # nothing known: name unchanged, "_" by default
        ("abc_", "abc_", "_"),
        ("ab_CAL", "ab_CAL", "_"),  # suffixes are case-sensitive
    ],
)
def test_remove_suffix(name, root, separator):
    assert remove_suffix(name) == (root, separator)


def test_remove_suffix_finds_what_a_look_at_every_character_finds():
    """It jumps from separator to separator; the definition looks at every position."""
    import random

    def by_definition(name):
        for index in range(1, len(name) - 1):
            if name[index] in "_-" and name[index + 1:] in KNOWN_SUFFIXES:
                return name[:index], name[index]
        return name, "_"

    pieces = ["_", "-", "__", "a", "jw01", "cal", "rate", "ami", "oi", "ami-oi", "x1d", "_-", ".", ""]
    chooser = random.Random(5)
    for _ in range(5000):
        name = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 7)))
        assert remove_suffix(name) == by_definition(name), name


class _Name(str):
    """A str subclass, as a user's rules may set as a member's name (numpy's str_ is one)."""


@pytest.mark.parametrize("path", ["jw_00001_nrca1_rate.fits", "d/jw_2_cal.fits", "plain", "x.y_x1d.fits"])
def test_exposure_roots_read_a_str_subclass_as_its_text(path):
    from asngen.rules.suffixes import exposure_root, is_bare_name, stem

    assert exposure_root(_Name(path)) == remove_suffix(stem(path))[0]
    assert exposure_root(_Name(path)) == exposure_root(path)
    assert stem(_Name(path)) == stem(path) and is_bare_name(_Name(path)) == is_bare_name(path)
    assert remove_suffix(_Name(stem(path))) == remove_suffix(stem(path))


def test_known_suffixes_include_the_member_suffixes():
    for suffix in ("uncal", "rate", "rateints", "cal", "calints", "x1d", "i2d", "cat", "s2d", "crf"):
        assert suffix in KNOWN_SUFFIXES
    assert "fits" not in KNOWN_SUFFIXES


@pytest.mark.parametrize(
    ("filename", "renamed"),
    [
        ("jw_00001_uncal.fits", "jw_00001_rate.fits"),
        ("dir/jw_00001_uncal.fits", "dir/jw_00001_rate.fits"),
        ("jw_00001_uncal.fits.gz", "jw_00001_rate.fits.gz"),
        ("jw_00001_uncal_uncal.fits", "jw_00001_uncal_rate.fits"),  # only the last _uncal
        ("jw_00001_uncal", "jw_00001_uncal"),  # no extension: unchanged
        ("jw_00001_rate.fits", "jw_00001_rate.fits"),
        ("jw_00001-uncal.fits", "jw_00001-uncal.fits"),
    ],
)
def test_rename_uncal(filename, renamed):
    assert rename_uncal(filename, "rate") == renamed


def _renamed_by_the_pattern(filename: str, suffix: str) -> str:
    """The rule as the reference states it: one regular expression, matched at the start."""
    match = re.match(r"(?P<path>.+)(?P<type>_uncal)(?P<extension>\..+)", filename)
    return filename if match is None else f"{match['path']}_{suffix}{match['extension']}"


@pytest.mark.parametrize("seed", range(3))
def test_rename_uncal_agrees_with_the_pattern_on_odd_names(seed):
    """asngen finds the last ``_uncal.`` without the pattern when it can; names made of the
    pieces that decide the match (an earlier occurrence, nothing after the dot, a line
    break, which the pattern's ``.`` does not cross) must come out the same."""
    rng = random.Random(seed)
    pieces = ["_uncal", ".", "a", "_", "\n", "_uncal.", "x.fits", "\r", "u", "/"]
    for _ in range(20_000):
        filename = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 7)))
        for suffix in ("rate", "calints"):
            assert rename_uncal(filename, suffix) == _renamed_by_the_pattern(filename, suffix), repr(filename)


class _Level2Asn:
    """Only what the Level 2 product name reads: the members of its last product."""

    def __init__(self, *members):
        self.members = [{"expname": name, "exptype": kind} for name, kind in members]


def test_level2_product_name_is_the_first_science_root():
    asn = _Level2Asn(
        ("jw_00009_nrs1_rate.fits", "background"),
        ("jw_00002_nrs1_rate.fits", "science"),
        ("jw_00003_nrs1_rate.fits", "science"),
    )
    assert level2_product_name(asn) == "jw_00002_nrs1"


def test_level2_product_name_keeps_directories_and_inner_extensions():
    assert level2_product_name(_Level2Asn(("data/jw_00001_rate.fits", "science"))) == "data/jw_00001"
    # only the last extension is dropped, so "_rate.fits" is no known suffix
    assert level2_product_name(_Level2Asn(("jw_00001_rate.fits.gz", "science"))) == "jw_00001_rate.fits"


def test_level2_product_name_without_science():
    assert level2_product_name(_Level2Asn(("jw_00001_rate.fits", "background"))) == PRODUCT_NAME_DEFAULT
    assert PRODUCT_NAME_DEFAULT == "undefined"


# -- Level 3 product names, end to end ------------------------------------------------------------


def candidate_products(result) -> dict[str, str]:
    """asn_id -> Level 3 product name, for the observation candidates."""
    return {
        data["asn_id"]: data["products"][0]["name"]
        for data in documents(result).values()
        if data["asn_id"].startswith("o") and data["asn_type"] == "image3"
    }


def test_optical_elements_are_sorted_and_default_to_clear(tmp_path):
    result = run(tmp_path, optical_elements())
    assert candidate_products(result) == {
        "o001": "jw01234-o001_t001_nircam_clear-f200w",  # filter F200W, pupil CLEAR: sorted
        "o002": "jw01234-o002_t001_nircam_f150w2-f162m",
        "o003": "jw01234-o003_t001_nircam_f212n",  # no pupil
        "o004": "jw01234-o004_t001_nircam_clear",  # no filter, no pupil
    }
    # the program is zero-padded to five digits everywhere
    assert {data["program"] for data in documents(result).values()} == {"01234"}


def test_target_padding_and_subarray(tmp_path):
    result = run(tmp_path, targets_and_subarrays())
    assert candidate_products(result) == {
        "o001": "jw99009-o001_t007_miri_f560w",  # subarray FULL is left out
        "o002": "jw99009-o002_t012_miri_f560w-sub64",
        "o003": "jw99009-o003_t1234_miri_f560w-sub160",  # padding never truncates
    }
    level3 = {d["asn_id"]: d["target"] for d in documents(result).values() if d["asn_type"] == "image3"}
    assert level3 == {"o001": "t007", "o002": "t012", "o003": "t1234"}
    level2 = {d["asn_id"]: d["target"] for d in documents(result).values() if d["asn_type"] == "image2"}
    assert level2 == {"o001": "7", "o002": "12", "o003": "1234"}


def test_escaped_values_show_in_product_names(tmp_path):
    result = run(tmp_path, special_characters())
    assert candidate_products(result) == {"o001": r"jw99009-o001_t001_miri_f1\.5\+x-sub\-64"}


def test_placeholders_stay_literal(tmp_path):
    result = run(tmp_path, autowave_in_level3())
    (spec3,) = [d for d in documents(result).values() if d["asn_type"] == "spec3"]
    assert spec3["products"][0]["name"] == (
        "jw99009-o001_t001-{source_id}_nirspec_f290lp-g395h-{slit_name}-subs200a1"
    )


# -- member names ----------------------------------------------------------------------------------


def test_level2_products_and_members_from_odd_file_names(tmp_path):
    result = run(tmp_path, odd_filenames())
    level2 = sorted(
        (d["products"][0]["name"], d["products"][0]["members"][0]["expname"])
        for d in documents(result).values()
        if d["asn_type"] == "image2"
    )
    assert level2 == [
        ("data/jw99009001001_02101_00001_mirimage", "data/jw99009001001_02101_00001_mirimage_rate.fits"),
        ("jw99009001001_02101_00002_mirimage", "jw99009001001_02101_00002_mirimage_uncal"),
        ("jw99009001001_02101_00003_mirimage", "jw99009001001_02101_00003_mirimage_rate.fits"),
        ("jw99009001001_02101_00004_mirimage_rate.fits", "jw99009001001_02101_00004_mirimage_rate.fits.gz"),
        ("jw99009001001_02101_00005_mirimage_uncal", "jw99009001001_02101_00005_mirimage_uncal_rate.fits"),
        ("jw99009001001_02101_00006_mirimage", "jw99009001001_02101_00006_mirimage-cal.fits"),
        ("jw99009001001_02101_00007_mirimage_cal", "jw99009001001_02101_00007_mirimage_cal_rate.fits"),
    ]
    (image3,) = [d for d in documents(result).values() if d["asn_type"] == "image3"]
    assert [m["expname"] for m in image3["products"][0]["members"]] == [
        "data/jw99009001001_02101_00001_mirimage_cal.fits",
        "jw99009001001_02101_00002_mirimage_uncal",
        "jw99009001001_02101_00003_mirimage_rate.fits",
        "jw99009001001_02101_00004_mirimage_cal.fits.gz",
        "jw99009001001_02101_00005_mirimage_uncal_cal.fits",
        "jw99009001001_02101_00006_mirimage-cal.fits",
        "jw99009001001_02101_00007_mirimage_cal_cal.fits",
    ]


def test_level3_member_suffix_follows_the_exposure_type(tmp_path):
    result = run(tmp_path, autowave_in_level3())
    (spec3,) = [d for d in documents(result).values() if d["asn_type"] == "spec3"]
    assert [(m["expname"], m["exptype"]) for m in spec3["products"][0]["members"]] == [
        ("jw99009001001_02101_00001_nrs1_cal.fits", "science"),
        ("jw99009001001_02101_00002_nrs1_cal.fits", "science"),
        # a lamp exposure has no Level 2b product: its rate file is listed
        ("jw99009001001_02102_00001_nrs1_rate.fits", "autowave"),
    ]


# -- association file names --------------------------------------------------------------------------


@pool
def two_levels():
    return [
        exposure("jw99009001001_02101_00001_mirimage_uncal.fits"),
        exposure("jw99009001001_02101_00002_mirimage_uncal.fits", PATT_NUM=2),
    ]


def file_names(result) -> list[str]:
    return [name for name, _ in result.files]


def test_file_names_with_a_version(tmp_path):
    result = run(tmp_path, two_levels(), version_id="ABC", ids=("o001",))
    # the name is lower-cased, the data keeps the version as given
    assert file_names(result) == [
        "jw99009-o001_abc_image2_00001_asn.json",
        "jw99009-o001_abc_image2_00002_asn.json",
        "jw99009-o001_abc_image3_00001_asn.json",
    ]
    assert {json.loads(text)["version_id"] for _, text in result.files} == {"ABC"}


@pytest.mark.parametrize("version", [None, ""])
def test_file_names_without_a_version(tmp_path, version):
    result = run(tmp_path, two_levels(), version_id=version, ids=("o001",))
    assert file_names(result) == [
        "jw99009-o001_image2_00001_asn.json",
        "jw99009-o001_image2_00002_asn.json",
        "jw99009-o001_image3_00001_asn.json",
    ]
    assert {json.loads(text)["version_id"] for _, text in result.files} == {version}


def test_timestamp_version(tmp_path):
    result = run(tmp_path, two_levels(), version_id=True, ids=("o001",))
    for name, text in result.files:
        stamp = json.loads(text)["version_id"]
        assert len(stamp) == 15 and stamp[8] == "t" and stamp.replace("t", "").isdigit()
        assert name.startswith(f"jw99009-o001_{stamp}_")


def test_discovered_associations_are_all_a3001(tmp_path):
    rows = two_levels() + [
        exposure("jw99009002001_02101_00001_mirimage_uncal.fits", OBS_NUM=2,
                 ASN_CANDIDATE="[('o002', 'observation')]"),
    ]
    result = run(tmp_path, rows, discover=True)
    assert file_names(result) == ["jw99009-a3001_x_image3_00001_asn.json"]
    (data,) = documents(result).values()
    assert data["asn_id"] == "a3001"
    assert data["products"][0]["name"] == "jw99009-a3001_t001_miri_f560w"


def test_association_header(tmp_path):
    result = run(tmp_path, two_levels(), ids=("o001",))
    level2, _, level3 = [json.loads(text) for _, text in result.files]
    assert list(level2) == [
        "asn_type", "asn_rule", "version_id", "code_version", "degraded_status", "program",
        "constraints", "asn_id", "asn_pool", "target", "products",
    ]
    assert list(level3) == [
        "asn_type", "asn_rule", "version_id", "code_version", "degraded_status", "program",
        "constraints", "asn_id", "target", "asn_pool", "products",
    ]
    assert level2["asn_pool"] == level3["asn_pool"] == "test_pool.csv"
    assert level3["degraded_status"] == "No known degraded exposures in association."


def test_degraded_status_names_member_errors(tmp_path):
    rows = two_levels()
    rows[1]["EXPOSERR"] = "SATURATED"
    result = run(tmp_path, rows, ids=("o001",))
    status = {name: json.loads(text)["degraded_status"] for name, text in result.files}
    degraded = (
        "One or more members have an error associated with them."
        "\nDetails can be found in the member.exposerr attribute."
    )
    assert status == {
        "jw99009-o001_x_image2_00001_asn.json": degraded,  # the second exposure
        "jw99009-o001_x_image2_00002_asn.json": "No known degraded exposures in association.",
        "jw99009-o001_x_image3_00001_asn.json": degraded,
    }
    level3 = json.loads(result.files[2][1])
    assert [m["exposerr"] for m in level3["products"][0]["members"]] == ["null", "saturated"]


def _suffixes(result) -> dict[tuple[str, str], set[str]]:
    """(asn_type, exptype) -> the member suffixes seen."""
    out: dict[tuple[str, str], set[str]] = {}
    for data in documents(result).values():
        for member in data["products"][0]["members"]:
            stem = member["expname"].rsplit(".", 1)[0]
            out.setdefault((data["asn_type"], member["exptype"]), set()).add(stem.rsplit("_", 1)[1])
    return out


def test_member_suffixes_by_level_and_kind(tmp_path):
    from tests.test_rule_families import imaging, miri_mrs, tso

    assert _suffixes(run(tmp_path, imaging())) == {
        ("image2", "science"): {"rate"},
        ("image3", "science"): {"cal"},
    }
    assert _suffixes(run(tmp_path, tso())) == {
        ("tso-image2", "science"): {"rateints"},
        ("tso-spec2", "science"): {"rateints"},
        ("tso3", "science"): {"calints"},
    }
    assert _suffixes(run(tmp_path, miri_mrs())) == {
        ("spec2", "science"): {"rate"},
        ("spec2", "background"): {"rate"},
        ("spec3", "science"): {"cal"},
        ("spec3", "background"): {"x1d"},  # backgrounds are subtracted as spectra at Level 3
    }


def test_level2_product_names_remembered_per_exposure_are_the_path_arithmetic():
    from pathlib import PurePath

    from asngen.association import _exposure_product
    from asngen.rules.suffixes import remove_suffix

    names = [
        "jw00016001001_01101_00001_nrcb1_rate.fits", "d/f_1_rate.fits", "f_4_x1d.fits", "noext",
        "a.", ".hidden", "dir/sub/jw1_cal.fits", "jw1_rateints.fits", "x.tar.gz",
    ]
    for name in names * 2:  # the second round comes from the memo
        path = PurePath(name)
        assert _exposure_product(name) == remove_suffix(str(path.parent / path.stem))[0], name


@pytest.mark.parametrize(
    "name",
    ["jw1_00001_nrca1_rate.fits", "a.", "..", ".", "", ".hidden", "x.tar.gz", "noext", "a..b",
     "d/f_1_rate.fits", "d/", "a\\b_cal.fits", "..x", "._"],
)
def test_stem_and_exposure_root_are_the_path_arithmetic(name):
    """The shortcut for bare file names gives what ``PurePath`` gives, names with folders
    (or other oddities) go through ``PurePath`` itself."""
    from pathlib import PurePath

    from asngen.rules.suffixes import exposure_root, stem

    assert stem(name) == PurePath(name).stem
    for _ in range(2):  # the second answer comes from the memo
        assert exposure_root(name) == remove_suffix(PurePath(name).stem)[0]
