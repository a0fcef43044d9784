"""Association and load_asn: the object programs use."""

from __future__ import annotations

import io
import json

import pytest

from asngen.errors import AssociationFileError
from asngen.model import Association, guess_level, load_asn

LEVEL2 = {
    "asn_type": "image2",
    "asn_rule": "candidate_Asn_Lv2Image",
    "version_id": None,
    "code_version": "3.0.0",
    "asn_id": "o001",
    "asn_pool": "pool.csv",
    "target": "1",
    "products": [
        {"name": "jw_1", "members": [{"expname": "jw_1_rate.fits", "exptype": "science", "exposerr": None}]},
        {"name": "jw_2", "members": [{"expname": "jw_2_rate.fits", "exptype": "science"},
                                     {"expname": "jw_3_rate.fits", "exptype": "background"}]},
    ],
}


def test_accessors_are_views_over_the_data():
    data = json.loads(json.dumps(LEVEL2))
    asn = Association(data)
    assert asn.level == 2
    assert [p.name for p in asn.products] == ["jw_1", "jw_2"]
    assert asn.expnames() == ["jw_1_rate.fits", "jw_2_rate.fits", "jw_3_rate.fits"]
    assert asn.product("jw_2").members[1].exptype == "background"
    assert asn.members[0].get("exposerr", "absent") is None
    asn.product("jw_1").add("new.fits", "background")
    asn.products[0].name = "renamed"
    asn.members[0].exptype = "psf"
    assert data["products"][0] == {
        "name": "renamed",
        "members": [{"expname": "jw_1_rate.fits", "exptype": "psf", "exposerr": None},
                    {"expname": "new.fits", "exptype": "background"}],
    }
    with pytest.raises(KeyError):
        asn.product("nope")


def test_to_json_keeps_key_order_and_layout():
    asn = Association(json.loads(json.dumps(LEVEL2)))
    text = asn.to_json()
    assert text == json.dumps(LEVEL2, indent=4, separators=(",", ": "))
    assert not text.endswith("\n")


@pytest.mark.parametrize(
    "data, level",
    [
        ({"asn_type": "spec2", "products": []}, 2),
        ({"asn_type": "tso3", "products": []}, 3),
        ({"asn_type": "None", "asn_rule": "DMSLevel2bBase", "products": []}, 2),
        ({"asn_type": "None", "asn_rule": "DMS_Level3_Base", "products": []}, 3),
        ({"asn_type": "None", "asn_rule": "discover_Asn_Lv3Image", "products": []}, 3),
        ({"asn_pool": "p", "target": "1", "products": []}, 2),
        ({"target": "t001", "asn_pool": "p", "products": []}, 3),
        ({"asn_pool": "none", "products": []}, 2),
        ({"products": [{}, {}]}, 2),
        ({"products": [{}]}, 3),
    ],
)
def test_guess_level(data, level):
    assert guess_level(data) == level


def test_load_from_path_text_dict_and_stream(tmp_path):
    path = tmp_path / "a_asn.json"
    text = json.dumps(LEVEL2, indent=4)
    path.write_text(text)
    from_path = load_asn(path)
    assert from_path.source == str(path)
    assert load_asn(str(path)) == from_path
    assert load_asn(text) == from_path
    assert load_asn(io.StringIO(text)) == from_path
    data = json.loads(text)
    assert load_asn(data).data is data
    assert load_asn(from_path) is from_path


def test_load_rejects_schema_violation_with_path(tmp_path):
    path = tmp_path / "bad_asn.json"
    bad = json.loads(json.dumps(LEVEL2))
    bad["products"][1]["members"][0]["exptype"] = 3
    path.write_text(json.dumps(bad))
    with pytest.raises(AssociationFileError) as info:
        load_asn(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path)) and "$.products[1].members[0].exptype" in message
    assert load_asn(path, validate=False).products[1].members[0].exptype == 3


def test_load_rejects_non_json(tmp_path):
    path = tmp_path / "bad_asn.json"
    path.write_text('{"products": [],}')
    with pytest.raises(AssociationFileError, match="not valid JSON"):
        load_asn(path)
    with pytest.raises(AssociationFileError, match="no such file"):
        load_asn(tmp_path / "missing.json")
    with pytest.raises(AssociationFileError):
        load_asn(12)  # type: ignore[arg-type]


def test_write_is_whole(tmp_path):
    asn = Association(json.loads(json.dumps(LEVEL2)))
    out = asn.write(tmp_path / "sub" / "x_asn.json")
    assert out.read_text() == asn.to_json()
    assert load_asn(asn.write(tmp_path / "x.yaml")) == asn
