"""gather: the reference's asn_gather results, copying in Python by default."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import asngen
from asngen.cli.main import main
from asngen.errors import AsngenError
from asngen.model import load_asn
from asngen.tools.from_list import from_list
from asngen.tools.gather import gather

PRIMARY_MEMBERS = [
    ("sci_1.txt", "science"),
    ("sci_2.txt", "science"),
    ("bkg_1.txt", "background"),
    ("imprint_1.txt", "imprint"),
]
PRIMARY = "primary_asn.json"


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "source"
    folder.mkdir()
    for expname, _ in PRIMARY_MEMBERS:
        (folder / expname).write_text(expname)
    from_list(PRIMARY_MEMBERS, product_name="primary").write(folder / PRIMARY)
    return folder


TYPE_CASES = [(None, None), (["science"], None), (None, ["science"]), (None, "science")]


def expected_members(exp_types, excludes):
    excludes = [excludes] if isinstance(excludes, str) else excludes or []
    return [name for name, kind in PRIMARY_MEMBERS
            if kind not in excludes and (exp_types is None or kind in exp_types)]


@pytest.mark.parametrize("exp_types, excludes", TYPE_CASES)
def test_gather_simple(source, tmp_path, exp_types, excludes):
    dest = tmp_path / "dest"
    path = gather(source / PRIMARY, dest, exp_types=exp_types, exclude_types=excludes)
    assert isinstance(path, Path) and path == dest / PRIMARY
    asn = load_asn(path)
    names = expected_members(exp_types, excludes)
    assert asn.expnames() == names
    for name in names:
        assert (dest / name).read_text() == name
    assert sorted(p.name for p in dest.iterdir()) == sorted([PRIMARY, *names])


@pytest.mark.parametrize("exp_types, excludes", TYPE_CASES)
def test_gather_alternate_source(source, tmp_path, exp_types, excludes):
    asn_folder = tmp_path / "asn_only"
    asn_folder.mkdir()
    shutil.copy2(source / PRIMARY, asn_folder / PRIMARY)
    dest = tmp_path / "dest"
    path = gather(asn_folder / PRIMARY, dest, exp_types=exp_types, exclude_types=excludes,
                  source_folder=source)
    for name in load_asn(path).expnames():
        assert (dest / name).exists()
    assert load_asn(path).expnames() == expected_members(exp_types, excludes)


def test_output_layout_matches_reference(tmp_path):
    """Recorded with jwst 3.0.0: asn_gather -c cp src/a_asn.json dst.

    Input had an extra leading key, an extra product key and code_version 9.9:
    the four base keys come first, the rest keep their order, the product is
    reduced to name + members, members keep all their keys.
    """
    src = tmp_path / "src"
    src.mkdir()
    (src / "jw_00001_rate.fits").write_text("x")
    (src / "sub").mkdir()
    original = {
        "zzz": 1,
        "asn_type": "image2",
        "asn_rule": "candidate_Asn_Lv2Image",
        "version_id": "golden",
        "code_version": "9.9",
        "degraded_status": "No known degraded exposures in association.",
        "program": "99009",
        "constraints": "No constraints",
        "asn_id": "o001",
        "asn_pool": "pool_018_all_exptypes.csv",
        "target": "1",
        "products": [{"name": "jw_00001", "members": [
            {"expname": "./jw_00001_rate.fits", "exptype": "science", "exposerr": None}], "extra": "x"}],
    }
    (src / "a_asn.json").write_text(json.dumps(original))
    out = gather(src / "a_asn.json", tmp_path / "dst")
    data = json.loads(out.read_text())
    assert list(data) == ["asn_type", "asn_rule", "version_id", "code_version", "zzz",
                          "degraded_status", "program", "constraints", "asn_id", "asn_pool",
                          "target", "products"]
    assert data["code_version"] == "9.9"
    assert data["products"] == [{"name": "jw_00001", "members": [
        {"expname": "jw_00001_rate.fits", "exptype": "science", "exposerr": None}]}]
    assert out.read_text() == asngen.asn_io.dumps(data)


def test_missing_base_keys_get_defaults(tmp_path):
    (tmp_path / "a.fits").write_text("a")
    (tmp_path / "x_asn.json").write_text(json.dumps({"products": [{"members": [{"expname": "a.fits", "exptype": "science"}]}]}))
    data = json.loads(gather(tmp_path / "x_asn.json", tmp_path / "out").read_text())
    assert data == {"asn_type": "None", "asn_rule": "Association", "version_id": None,
                    "code_version": asngen.__version__,
                    "products": [{"members": [{"expname": "a.fits", "exptype": "science"}]}]}


def test_nothing_to_gather(source, tmp_path, capsys):
    dest = tmp_path / "dest"
    assert main(["gather", "-t", "psf", str(source / PRIMARY), str(dest)]) == 1
    assert "no products could be gathered" in capsys.readouterr().err
    assert not dest.exists()


def test_missing_member_copies_nothing(source, tmp_path, capsys):
    (source / "bkg_1.txt").unlink()
    dest = tmp_path / "dest"
    assert main(["gather", str(source / PRIMARY), str(dest)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bkg_1.txt" in err and PRIMARY in err
    assert not dest.exists() or list(dest.iterdir()) == []


def test_not_json_is_one_line_error(tmp_path, capsys):
    bad = tmp_path / "bad_asn.json"
    bad.write_text("{,}")
    assert main(["gather", str(bad), str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"asngen gather: error: {bad}: not valid JSON") and err.count("\n") == 1


def test_cli_with_shell_command(source, tmp_path, capsys):
    dest = tmp_path / "dest"
    assert main(["gather", "-v", "-c", "cp -p", "-x", "imprint", "-x", "background",
                 str(source / PRIMARY), str(dest)]) == 0
    assert load_asn(dest / PRIMARY).expnames() == ["sci_1.txt", "sci_2.txt"]
    assert (dest / "sci_2.txt").read_text() == "sci_2.txt"
    assert "copied" in capsys.readouterr().err


def test_failing_shell_command(source, tmp_path, capsys):
    assert main(["gather", "-c", "false", str(source / PRIMARY), str(tmp_path / "d")]) == 1
    assert "failed with status 1" in capsys.readouterr().err
    assert main(["gather", "-c", "no-such-command-here", str(source / PRIMARY), str(tmp_path / "d")]) == 1
    assert "cannot run copy command" in capsys.readouterr().err
    assert not (tmp_path / "d" / PRIMARY).exists()


def test_members_in_subfolders_and_name_clash(tmp_path):
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    (src / "a" / "x.fits").write_text("a")
    (src / "b" / "x.fits").write_text("b")
    from_list(["a/x.fits"], product_name="p").write(src / "one_asn.json")
    out = gather(src / "one_asn.json", tmp_path / "d1")
    assert load_asn(out).expnames() == ["x.fits"] and (tmp_path / "d1" / "x.fits").read_text() == "a"
    from_list(["a/x.fits", "b/x.fits"], product_name="p").write(src / "two_asn.json")
    with pytest.raises(AsngenError, match="same name 'x.fits'"):
        gather(src / "two_asn.json", tmp_path / "d2")


def test_gather_into_own_folder_is_harmless(source):
    path = gather(source / PRIMARY, source)
    assert load_asn(path).expnames() == [name for name, _ in PRIMARY_MEMBERS]
    assert (source / "sci_1.txt").read_text() == "sci_1.txt"
