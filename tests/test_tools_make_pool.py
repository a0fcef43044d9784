"""make-pool: the reference's asn_make_pool pools from headers the tests write."""

from __future__ import annotations

import os

import pytest
from astropy.io import fits

from asngen.cli.main import main
from asngen.errors import AsngenError
from asngen.tools.make_pool import NON_HEADER_DEFAULTS, make_pool, pool_text


def write_fits(path, **cards):
    header = fits.Header()
    for key, value in cards.items():
        header[key] = value
    fits.PrimaryHDU(header=header).writeto(path)
    return path


@pytest.fixture
def exposures(tmp_path, monkeypatch):
    """Three files in the current folder, as in the reference run recorded below."""
    monkeypatch.chdir(tmp_path)
    write_fits("a_uncal.fits", PROGRAM="01234", OBSERVTN="001", TARGNAME="NGC 1",
               EXP_TYPE="NRC_IMAGE", NEXP=3, FLT=1.5, FLAG=True, COMMENT="hello", HISTORY="hist")
    write_fits("b_uncal.fits", PROGRAM="01234", OBSERVTN="002", TARGNAME="NGC 2",
               EXP_TYPE="NRC_IMAGE", OTHER="x", PNTGTYPE="target_acquisition", DMS_NOTE="foo")
    write_fits("c_uncal.fits", PROGRAM="01234", OBSERVTN="003", TARGNAME="NGC 1", EXP_TYPE="NRC_IMAGE")
    return ["a_uncal.fits", "b_uncal.fits", "./c_uncal.fits"]


# jwst 3.0.0:  asn_make_pool pool.csv a_uncal.fits b_uncal.fits ./c_uncal.fits
REFERENCE_POOL = """\
asn_candidate|bitpix|dithptin|dms_note|exp_type|filename|flag|flt|is_imprt|mostilno|naxis|nexp|observtn|other|pntgtype|program|simple|targetid|targname
[('o001', 'observation')]|8|1||NRC_IMAGE|a_uncal.fits|True|1.5|f|1|0|3|001|null|science|01234|True|1|NGC 1
[('o002', 'observation')]|8|1||NRC_IMAGE|b_uncal.fits|null|null|f|1|0|null|002|x|science|01234|True|2|NGC 2
[('o003', 'observation')]|8|1||NRC_IMAGE|./c_uncal.fits|null|null|f|1|0|null|003|null|science|01234|True|2|NGC 1
"""


def test_cli_matches_reference_bytes(exposures):
    assert main(["make-pool", "pool.csv", *exposures]) == 0
    with open("pool.csv", newline="") as handle:
        assert handle.read() == REFERENCE_POOL


def test_targetid_counts_distinct_names_so_far(exposures):
    # c_uncal.fits observes NGC 1 again but gets 2, the number of targets seen so far
    table = make_pool(exposures)
    assert list(table["targetid"]) == ["1", "2", "2"]


def test_options_override_headers(exposures):
    # jwst 3.0.0:  asn_make_pool pool2.csv --asn-candidate "[('c1000', 'background')]"
    #              --dms-note n --is-imprt t --pntgtype tgt a_uncal.fits
    assert main(["make-pool", "pool2.csv", "--asn-candidate", "[('c1000', 'background')]",
                 "--dms-note", "n", "--is-imprt", "t", "--pntgtype", "tgt", "a_uncal.fits"]) == 0
    with open("pool2.csv", newline="") as handle:
        assert handle.read() == (
            "asn_candidate|bitpix|dithptin|dms_note|exp_type|filename|flag|flt|is_imprt|mostilno"
            "|naxis|nexp|observtn|pntgtype|program|simple|targetid|targname\n"
            "[('o001', 'observation'), ('c1000', 'background')]|8|1|n|NRC_IMAGE|a_uncal.fits"
            "|True|1.5|t|1|0|3|001|tgt|01234|True|1|NGC 1\n"
        )


# The reference's own test: these options, given through the API or the command line.
OPT_COLS = [
    ("asn_candidate", [("a3001", "coron")]),
    ("dms_note", "a note from dms"),
    ("is_imprt", "t"),
    ("pntgtype", "target_acquisition"),
]


def expected(column, value):
    if column == "asn_candidate":
        return "[" + str(("o001", "observation")) + ", " + str(value)[1:]
    return value


def test_optional_columns_api(exposures):
    table = make_pool(exposures, **dict(OPT_COLS))
    for column, value in OPT_COLS:
        assert table[0][column] == expected(column, value)
    assert table[0]["mostilno"] == "1" and table[0]["dithptin"] == "1"


def test_optional_columns_cli(exposures):
    argv = ["make-pool", "pool.csv"]
    for column, value in OPT_COLS:
        argv += [f"--{column.replace('_', '-')}", str(value)]
    assert main(argv + exposures) == 0
    with open("pool.csv") as handle:
        header, first = handle.read().splitlines()[:2]
    row = dict(zip(header.split("|"), first.split("|"), strict=True))
    for column, value in OPT_COLS:
        assert row[column] == expected(column, value)


def test_defaults_for_non_header_columns(exposures):
    table = make_pool(exposures)
    for column, default in NON_HEADER_DEFAULTS.items():
        assert column in table.colnames
        if column not in ("asn_candidate", "targetid"):
            assert table[0][column] == default
    assert {"program", "filename"} <= set(table.colnames)
    assert list(table["filename"]) == exposures


def test_hdus_and_hdulists(exposures):
    with fits.open("a_uncal.fits") as first, fits.open("b_uncal.fits") as second:
        from_lists = make_pool([first, second])
        from_hdus = make_pool([first[0], second[0]])
    for table in (from_lists, from_hdus):
        assert len(table) == 2
        assert [os.path.basename(name) for name in table["filename"]] == ["a_uncal.fits", "b_uncal.fits"]
        assert table[1]["asn_candidate"] == "[('o002', 'observation')]"


def test_quoting_of_awkward_values(tmp_path):
    # checked against jwst 3.0.0's output for the same header
    path = write_fits(tmp_path / "d.fits", OBSERVTN=7, TARGNAME="NGC 3", S1="has|pipe",
                      S2='it\'s "q"', S3="", B=False)
    text = pool_text(make_pool([path]))
    header, row = text.splitlines()
    assert header.startswith("asn_candidate|b|")
    assert '|"has|pipe"|"it\'s ""q"""||' in row
    assert row.startswith("[('o7', 'observation')]|False|")


@pytest.mark.parametrize("missing, keyword", [("OBSERVTN", "OBSERVTN"), ("TARGNAME", "TARGNAME")])
def test_missing_keyword_is_one_line_and_writes_nothing(exposures, capsys, missing, keyword):
    cards = {"OBSERVTN": "001", "TARGNAME": "x"}
    del cards[missing]
    write_fits("bad.fits", **cards)
    assert main(["make-pool", "out.csv", "a_uncal.fits", "bad.fits"]) == 1
    err = capsys.readouterr().err
    assert err == f"asngen make-pool: error: bad.fits: the primary header has no {keyword} keyword\n"
    assert not os.path.exists("out.csv")


def test_not_fits_and_missing_file(exposures, capsys):
    with open("junk.fits", "w") as handle:
        handle.write("junk")
    assert main(["make-pool", "out.csv", "junk.fits"]) == 1
    assert main(["make-pool", "out.csv", "nope.fits"]) == 1
    first, second = capsys.readouterr().err.splitlines()
    assert first.startswith("asngen make-pool: error: junk.fits: cannot read a FITS header")
    assert second == "asngen make-pool: error: nope.fits: no such file"
    assert not os.path.exists("out.csv")


def test_failed_run_keeps_existing_pool(exposures):
    with open("out.csv", "w") as handle:
        handle.write("old")
    write_fits("bad.fits", TARGNAME="x")
    assert main(["make-pool", "out.csv", "a_uncal.fits", "bad.fits"]) == 1
    with open("out.csv") as handle:
        assert handle.read() == "old"


def test_bad_candidate_text(exposures):
    with pytest.raises(AsngenError, match="must be a list"):
        make_pool(exposures, asn_candidate="('c1000', 'background')")
    assert make_pool(exposures, asn_candidate="[]")[0]["asn_candidate"] == "[('o001', 'observation')]"
