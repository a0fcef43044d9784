"""diff: differences between two sets of associations, in words and as JSON."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from asngen import asn_io
from asngen.cli.main import main
from asngen.tools.diff import compare

GOLDEN_CASES = Path("/work/shared/golden/cases")


def member(name, kind="science", **extra):
    return {"expname": name, "exptype": kind, **extra}


def level3(asn_id, name, members, asn_type="image3"):
    return {
        "asn_type": asn_type, "asn_rule": "candidate_Asn_Lv3Image", "version_id": "v1",
        "code_version": "1.0", "degraded_status": "No known degraded exposures in association.",
        "program": "00001", "constraints": "text", "asn_id": asn_id, "target": "t001",
        "asn_pool": "pool.csv", "products": [{"name": name, "members": members}],
    }


def level2(asn_id, products):
    return {
        "asn_type": "image2", "asn_rule": "candidate_Asn_Lv2Image", "version_id": None,
        "code_version": "1.0", "degraded_status": "No known degraded exposures in association.",
        "program": "00001", "constraints": "text", "asn_id": asn_id, "asn_pool": "pool.csv",
        "target": "1", "products": products,
    }


BASE = {
    "jw1-o001_image3_00001_asn.json": level3("o001", "jw1-o001_t001_nircam_f200w",
                                             [member("a_cal.fits"), member("b_cal.fits"), member("c_cal.fits")]),
    "jw1-o002_image3_00001_asn.json": level3("o002", "jw1-o002_t001_nircam_f444w",
                                             [member("d_cal.fits"), member("e_cal.fits")]),
    "jw1-o001_image2_00001_asn.json": level2("o001", [
        {"name": "a", "members": [member("a_rate.fits", exposerr=None)]},
        {"name": "b", "members": [member("b_rate.fits", exposerr=None)]},
    ]),
}


def write_set(folder: Path, files: dict) -> Path:
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_text(asn_io.dumps(data))
    return folder


@pytest.fixture
def sets(tmp_path):
    left = write_set(tmp_path / "left", BASE)
    changed = copy.deepcopy(BASE)
    return left, changed, tmp_path


def run(capsys, *argv):
    status = main(["diff", *argv])
    return status, capsys.readouterr().out


def test_same_sets_are_equivalent(sets, capsys):
    left, changed, tmp = sets
    # same content, other order, other layout, other version stamps: still equivalent
    reordered = {name: copy.deepcopy(changed[name]) for name in reversed(list(changed))}
    first = reordered["jw1-o001_image3_00001_asn.json"]
    first["products"][0]["members"].reverse()
    first["code_version"], first["version_id"], first["constraints"] = "2.0", "v2", "other"
    right = tmp / "right"
    right.mkdir()
    for name, data in reordered.items():
        (right / name.replace("00001", "00009")).write_text(json.dumps(data))
    status, out = run(capsys, str(left), str(right))
    assert status == 0
    assert out == "equivalent: 4 identical products, 0 changed, 0 only in left, 0 only in right (3 left files, 3 right files)\n"


def test_one_member_removed_is_named_with_its_product(sets, capsys):
    left, changed, tmp = sets
    changed["jw1-o001_image3_00001_asn.json"]["products"][0]["members"].pop(1)
    right = write_set(tmp / "right", changed)
    status, out = run(capsys, str(left), str(right))
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == ("changed:       product jw1-o001_t001_nircam_f200w (image3, o001) "
                        f"[{left}/jw1-o001_image3_00001_asn.json -> {right}/jw1-o001_image3_00001_asn.json]")
    assert lines[1] == "    member dropped: b_cal.fits (science)"
    assert lines[-1].startswith("different: 3 identical products, 1 changed, 0 only in left, 0 only in right")


def test_products_types_and_names(sets, capsys):
    left, changed, tmp = sets
    del changed["jw1-o002_image3_00001_asn.json"]  # product missing on the right
    image3 = changed["jw1-o001_image3_00001_asn.json"]
    image3["asn_type"] = "coron3"  # type change
    image3["products"][0]["members"][0]["exptype"] = "psf"  # exptype change
    image3["products"][0]["members"].append(member("z_cal.fits", "background"))  # added
    l2 = changed["jw1-o001_image2_00001_asn.json"]
    l2["products"][1]["name"] = "b_renamed"  # same members, new name
    l2["products"].append({"name": "new", "members": [member("n_rate.fits")]})  # extra product
    right = write_set(tmp / "right", changed)
    status, out = run(capsys, str(left), "--", str(right))
    assert status == 1
    assert f"only in left:  product jw1-o002_t001_nircam_f444w (image3, o002), 2 members [{left}/jw1-o002_image3_00001_asn.json]" in out
    assert f"only in right: product new (image2, o001), 1 member [{right}/jw1-o001_image2_00001_asn.json]" in out
    assert "    asn_type: \"image3\" -> \"coron3\"\n" in out
    assert "    exptype of a_cal.fits: science -> psf\n" in out
    assert "    member added: z_cal.fits (background)\n" in out
    assert "    renamed: b -> b_renamed\n" in out
    assert out.splitlines()[-1].startswith("different: 1 identical products, 2 changed, 1 only in left, 1 only in right")


def test_json_output(sets, capsys):
    left, changed, tmp = sets
    changed["jw1-o002_image3_00001_asn.json"]["products"][0]["members"].pop()
    right = write_set(tmp / "right", changed)
    status, out = run(capsys, "--json", str(left), str(right))
    assert status == 1
    report = json.loads(out)
    assert report["equivalent"] is False and report["identical"] == 3
    (entry,) = report["changed"]
    assert entry["left"]["name"] == "jw1-o002_t001_nircam_f444w"
    assert entry["changes"] == [{"kind": "member_dropped", "text": "member dropped: e_cal.fits (science)",
                                 "expname": "e_cal.fits", "exptype": "science"}]
    # flags are honoured after the paths too
    status, out = run(capsys, str(left), str(left), "--json")
    assert status == 0 and json.loads(out)["equivalent"] is True


def test_files_on_each_side(sets, capsys):
    left, changed, tmp = sets
    files = sorted(str(p) for p in left.iterdir())
    status, out = run(capsys, *files, "--", *reversed(files))
    assert status == 0
    status, out = run(capsys, files[0], files[1])
    assert status == 1


def test_member_details_and_ignore_suffix(tmp_path, capsys):
    left = write_set(tmp_path / "l", {"x_asn.json": level2("o001", [{"name": "a", "members": [member("a_rate.fits", exposerr=None)]}])})
    right = write_set(tmp_path / "r", {"x_asn.json": level2("o001", [{"name": "a", "members": [member("a_rateints.fits", exposerr="bad")]}])})
    status, out = run(capsys, str(left), str(right))
    assert status == 1
    assert "member dropped: a_rate.fits (science)" in out and "member added: a_rateints.fits (science)" in out
    status, out = run(capsys, "--ignore-suffix", str(left), str(right))
    assert status == 1
    assert '    member a_rate.fits: exposerr: null -> "bad"\n' in out


def test_bad_input_is_status_2_and_one_line(sets, capsys):
    left, changed, tmp = sets
    broken = tmp / "broken"
    broken.mkdir()
    (broken / "x_asn.json").write_text('{"products": [}')
    assert main(["diff", str(left), str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "x_asn.json" in err and "not valid JSON" in err
    (broken / "x_asn.json").write_text('{"products": [{"members": [{"expname": 1, "exptype": "science"}]}]}')
    assert main(["diff", str(left), str(broken)]) == 2
    assert "$.products[0].members[0].expname" in capsys.readouterr().err
    assert main(["diff", str(left), str(tmp / "nope")]) == 2
    assert main(["diff", str(left)]) == 2
    assert main(["diff", str(left), "--", "--"]) == 2
    with pytest.raises(SystemExit):
        main(["diff", "--bogus", str(left), str(left)])
    assert main(["diff", str(left), str(left), "--bogus"]) == 2


def test_help_mentions_both_forms(capsys):
    with pytest.raises(SystemExit):
        main(["diff", "--help"])
    out = capsys.readouterr().out
    assert "LEFT... -- RIGHT..." in out and "Exit status: 0" in out


# ---------------------------------------------------------------------------
# The golden corpus's expected files
# ---------------------------------------------------------------------------
needs_golden = pytest.mark.skipif(not GOLDEN_CASES.is_dir(), reason=f"golden corpus not found at {GOLDEN_CASES}")


@needs_golden
def test_golden_expected_files_against_themselves():
    cases = sorted(p for p in GOLDEN_CASES.iterdir() if p.is_dir())
    assert cases
    total = 0
    for case in cases:
        result = compare([case], [case])
        assert result.equivalent, case.name
        assert {Path(p).name for p in result.skipped} <= {"args.json", "meta.json"}
        total += result.identical
    assert total > 1000


@needs_golden
def test_golden_with_one_member_removed(tmp_path, capsys):
    case = GOLDEN_CASES / "pool_018_all_exptypes__default"
    copy_dir = tmp_path / case.name
    shutil.copytree(case, copy_dir)
    # the first file whose product has several members
    for target in sorted(copy_dir.glob("*_asn.json")):
        data = json.loads(target.read_text())
        if len(data["products"][0]["members"]) > 1:
            break
    removed = data["products"][0]["members"].pop()
    target.write_text(asn_io.dumps(data))
    status = main(["diff", str(case), str(copy_dir)])
    out = capsys.readouterr().out
    assert status == 1
    product = data["products"][0]["name"]
    assert f"changed:       product {product} " in out
    assert f"    member dropped: {removed['expname']} ({removed['exptype']})\n" in out
    assert "1 changed, 0 only in left, 0 only in right" in out
