"""edit: the reference's asn_edit results on associations the tests write."""

from __future__ import annotations

import copy
import json

import pytest

from asngen import asn_io
from asngen.cli.main import main
from asngen.errors import AsngenError
from asngen.tools import edit as asn_edit


def member(name, kind="science"):
    return {"expname": name, "exptype": kind}


# Same shape as the reference's test file data/asn_level2.json: six products.
LEVEL2 = {
    "asn_rule": "Asn_Lv2Image",
    "asn_pool": "jw82600_001_20160304T145416_pool",
    "program": "82600",
    "asn_type": "image2",
    "products": [
        {"name": "test_lrs1_rate", "members": [member("test_lrs1_rate.fits")]},
        {"name": "test_lrs2_rate", "members": [member("test_lrs2_rate.fits")]},
        {"name": "test_lrs3bkg_rate", "members": [member("test_lrs3bkg_rate.fits")]},
        {"name": "test_lrs4bkg_rate", "members": [member("test_lrs4bkg_rate.fits")]},
        {"name": "test_lrs3_rate", "members": [member("test_lrs3_rate.fits"),
                                               member("test_lrs3bkg_rate.fits", "background")]},
        {"name": "test_lrs4_rate", "members": [member("test_lrs4_rate.fits"),
                                               member("test_lrs4bkg_rate.fits", "background")]},
    ],
}


@pytest.fixture
def asn_file(tmp_path):
    path = tmp_path / "asn_level2.json"
    path.write_text(asn_io.dumps(LEVEL2))
    return path


def test_add_to_every_product(asn_file):
    asn = asn_edit.read(asn_file)
    asn_edit.add(asn, ["test_lrs5_rate.fits"], "science")
    assert len(asn.products) == 6
    assert len(asn_edit.find(asn, "test_lrs5_rate.fits")) == 6


@pytest.mark.parametrize("ignore", [False, True])
def test_remove_drops_emptied_product(asn_file, ignore):
    asn = asn_edit.read(asn_file)
    assert asn_edit.remove(asn, ["test_lrs1_rate.fits"], ignore_suffix=ignore) == []
    assert len(asn.products) == 5
    assert asn_edit.find(asn, "test_lrs1_rate.fits") == []


def test_remove_every_occurrence(asn_file):
    asn = asn_edit.read(asn_file)
    asn_edit.remove(asn, ["test_lrs3bkg_rate.fits"])
    assert [p.name for p in asn.products] == [
        "test_lrs1_rate", "test_lrs2_rate", "test_lrs4bkg_rate", "test_lrs3_rate", "test_lrs4_rate"]
    assert asn.product("test_lrs3_rate").expnames() == ["test_lrs3_rate.fits"]


def test_write_roundtrip(asn_file, tmp_path):
    asn = asn_edit.read(asn_file)
    copy_path = tmp_path / "tempcopy_asn_level2.json"
    asn_edit.write(asn, copy_path)
    assert asn_edit.read(copy_path) == asn
    assert copy_path.read_bytes() == asn_file.read_bytes()


# The three runs below were made with jwst 3.0.0's asn_edit on an asn_from_list
# Level 2 file for a_rate.fits, dir/b_rate.fits and c.
FROM_LIST_L2 = {
    "asn_type": "None", "asn_rule": "DMSLevel2bBase", "version_id": None, "code_version": "3.0.0",
    "degraded_status": "No known degraded exposures in association.", "program": "noprogram",
    "constraints": "No constraints", "asn_id": "a3001", "asn_pool": "none",
    "products": [
        {"name": "a", "members": [member("a_rate.fits")]},
        {"name": "dir/b", "members": [member("dir/b_rate.fits")]},
        {"name": "c", "members": [member("c")]},
    ],
}


@pytest.fixture
def l2_file(tmp_path):
    path = tmp_path / "l2.json"
    path.write_text(asn_io.dumps(FROM_LIST_L2))
    return path


def test_cli_add_keeps_only_file_names(l2_file, monkeypatch, tmp_path):
    # asn_edit -a -t background e.json /tmp/x/new_cal.fits ~/y.fits
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["edit", "-a", "-t", "background", str(l2_file), "/tmp/x/new_cal.fits", "~/y.fits"]) == 0
    expected = copy.deepcopy(FROM_LIST_L2)
    for product in expected["products"]:
        product["members"] += [member("new_cal.fits", "background"), member("y.fits", "background")]
    assert l2_file.read_text() == asn_io.dumps(expected)


def test_cli_remove_matches_whole_expname(l2_file, capsys):
    # asn_edit -r r.json a_rate.fits zz.fits dir/b_rate.fits: only a_rate.fits goes,
    # because dir/b_rate.fits is compared by its file name with the whole expname
    assert main(["edit", "-r", str(l2_file), "a_rate.fits", "zz.fits", "dir/b_rate.fits"]) == 0
    data = json.loads(l2_file.read_text())
    assert [p["name"] for p in data["products"]] == ["dir/b", "c"]
    err = capsys.readouterr().err
    assert err == f"asngen edit: warning: {l2_file}: not found, nothing removed for: zz.fits, dir/b_rate.fits\n"


def test_cli_remove_ignoring_suffix(l2_file, tmp_path):
    # asn_edit -r -i i.json dir/b_cal.fits c_x1d.fits
    out = tmp_path / "out.json"
    assert main(["edit", "-r", "-i", "-o", str(out), str(l2_file), "dir/b_cal.fits", "c_x1d.fits"]) == 0
    data = json.loads(out.read_text())
    assert data["products"] == [{"name": "a", "members": [member("a_rate.fits")]}]
    assert json.loads(l2_file.read_text()) == FROM_LIST_L2  # input untouched with -o


def test_no_action_rewrites_unchanged(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps(FROM_LIST_L2))  # compact layout
    assert main(["edit", str(path), "whatever.fits"]) == 0
    assert path.read_text() == asn_io.dumps(FROM_LIST_L2)


def test_add_and_remove_are_exclusive(l2_file):
    with pytest.raises(SystemExit):
        main(["edit", "-a", "-r", str(l2_file), "x"])


@pytest.mark.parametrize("name", ["asn.txt", "asn"])
def test_input_must_be_json(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_text(asn_io.dumps(FROM_LIST_L2))
    assert main(["edit", "-a", str(path), "x.fits"]) == 1
    assert "must end in .json" in capsys.readouterr().err


def test_output_must_be_json(l2_file, tmp_path):
    with pytest.raises(AsngenError, match="must end in .json"):
        asn_edit.edit(l2_file, ["x"], action="add", output=tmp_path / "out.txt")
    assert not (tmp_path / "out.txt").exists()


def test_bad_input_leaves_file_alone(tmp_path, capsys):
    path = tmp_path / "bad.json"
    bad = copy.deepcopy(FROM_LIST_L2)
    bad["products"][1]["members"][0]["exptype"] = 7
    path.write_text(json.dumps(bad))
    before = path.read_bytes()
    assert main(["edit", "-a", str(path), "x.fits"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "$.products[1].members[0].exptype" in err and str(path) in err
    assert path.read_bytes() == before
    path.write_text("not json")
    assert main(["edit", "-a", str(path), "x.fits"]) == 1
    assert str(path) in capsys.readouterr().err
