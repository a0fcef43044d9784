"""from-list: the reference's asn_from_list results, byte for byte (code_version aside)."""

from __future__ import annotations

import json

import pytest

import asngen
from asngen.cli.main import main
from asngen.errors import AsngenError
from asngen.model import load_asn
from asngen.tools.from_list import from_list, level2_product_name

# Written by jwst 3.0.0:  asn_from_list -o l3.json --product-name My_Mosaic a_cal.fits dir/b_cal.fits c
REFERENCE_LEVEL3 = """{
    "asn_type": "None",
    "asn_rule": "DMS_Level3_Base",
    "version_id": null,
    "code_version": "3.0.0",
    "degraded_status": "No known degraded exposures in association.",
    "program": "noprogram",
    "constraints": "No constraints",
    "asn_id": "a3001",
    "target": "none",
    "asn_pool": "none",
    "products": [
        {
            "name": "My_Mosaic",
            "members": [
                {
                    "expname": "a_cal.fits",
                    "exptype": "science"
                },
                {
                    "expname": "dir/b_cal.fits",
                    "exptype": "science"
                },
                {
                    "expname": "c",
                    "exptype": "science"
                }
            ]
        }
    ]
}"""

# Written by jwst 3.0.0:  asn_from_list -o l2.json -r DMSLevel2bBase a_rate.fits dir/b_rate.fits c
REFERENCE_LEVEL2 = """{
    "asn_type": "None",
    "asn_rule": "DMSLevel2bBase",
    "version_id": null,
    "code_version": "3.0.0",
    "degraded_status": "No known degraded exposures in association.",
    "program": "noprogram",
    "constraints": "No constraints",
    "asn_id": "a3001",
    "asn_pool": "none",
    "products": [
        {
            "name": "a",
            "members": [
                {
                    "expname": "a_rate.fits",
                    "exptype": "science"
                }
            ]
        },
        {
            "name": "dir/b",
            "members": [
                {
                    "expname": "dir/b_rate.fits",
                    "exptype": "science"
                }
            ]
        },
        {
            "name": "c",
            "members": [
                {
                    "expname": "c",
                    "exptype": "science"
                }
            ]
        }
    ]
}"""

# Written by jwst 3.0.0:  asn_from_list -o b.json -r Association a b
REFERENCE_BARE = """{
    "asn_type": "None",
    "asn_rule": "Association",
    "version_id": null,
    "code_version": "3.0.0",
    "members": [
        "a",
        "b"
    ]
}"""


def ours(reference: str) -> str:
    return reference.replace('"code_version": "3.0.0"', f'"code_version": "{asngen.__version__}"')


def test_level3_cli_matches_reference_bytes(tmp_path):
    out = tmp_path / "l3.json"
    argv = ["from-list", "-o", str(out), "--product-name", "My_Mosaic", "a_cal.fits", "dir/b_cal.fits", "c"]
    assert main(argv) == 0
    assert out.read_text() == ours(REFERENCE_LEVEL3)


def test_level2_cli_matches_reference_bytes(tmp_path):
    out = tmp_path / "l2.json"
    assert main(["from-list", "-o", str(out), "-r", "DMSLevel2bBase", "a_rate.fits", "dir/b_rate.fits", "c"]) == 0
    assert out.read_text() == ours(REFERENCE_LEVEL2)


def test_bare_association_rule(tmp_path):
    out = tmp_path / "b.json"
    assert main(["from-list", "-o", str(out), "-r", "Association", "a", "b"]) == 0
    assert out.read_text() == ours(REFERENCE_BARE)


def test_outputs_validate(tmp_path):
    for argv in (["--product-name", "p", "a", "b"], ["-r", "DMSLevel2bBase", "a", "b"]):
        out = tmp_path / "x.json"
        assert main(["from-list", "-o", str(out), *argv]) == 0
        assert load_asn(out).validate() == []
        assert main(["validate", str(out)]) == 0


def test_id_is_ignored_at_level3_and_checked_at_level2(tmp_path):
    # the reference never writes the -i value: asn_id stays a3001
    asn = from_list(["a"], product_name="p", acid="c1000")
    assert asn["asn_id"] == "a3001"
    asn = from_list(["a"], rule="DMSLevel2bBase", acid="o001")
    assert asn["asn_id"] == "a3001"
    with pytest.raises(AsngenError, match="x001"):
        from_list(["a"], rule="DMSLevel2bBase", acid="x001")


def test_a_background_candidate_id_at_level2_needs_a_background_member(tmp_path):
    # jwst 3.0.0: asn_from_list -r DMSLevel2bBase -i c1000 a_cal.fits stops with
    # AssociationNotValidError (the id's candidate is a background one); with a background
    # member among the pairs of the API the association is valid
    with pytest.raises(AsngenError, match="background"):
        from_list(["a_cal.fits"], rule="Asn_Lv2Image", acid="c1000")
    asn = from_list([("a_cal.fits", "science"), ("b_cal.fits", "BACKGROUND")], rule="DMSLevel2bBase",
                    acid="c1000")
    assert asn["asn_id"] == "a3001" and len(asn.products) == 2
    out = tmp_path / "x.json"
    assert main(["from-list", "-o", str(out), "-r", "DMSLevel2bBase", "-i", "c1000", "a_cal.fits"]) == 1
    assert not out.exists()


def test_level3_needs_a_product_name(tmp_path, capsys):
    out = tmp_path / "x.json"
    assert main(["from-list", "-o", str(out), "a"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--product-name" in err
    assert not out.exists()


def test_level2_ignores_product_name():
    asn = from_list(["x_rate.fits"], rule="DMSLevel2bBase", product_name="ignored")
    assert [p.name for p in asn.products] == ["x"]


def test_level2_names_follow_known_suffixes():
    assert level2_product_name("d/f_1_rate.fits") == "d/f_1"
    assert level2_product_name("f_4_x1d.fits") == "f_4"
    assert level2_product_name("f5.fits.gz") == "f5.fits"  # only the last extension goes
    assert level2_product_name("./c") == "c"
    assert level2_product_name("a_calx.fits") == "a_calx"  # not a known suffix


def test_level2_pairs_match_reference_api():
    # jwst: asn_from_list([...], rule=DMSLevel2bBase, with_exptype=True)
    items = [("d/f_1_rate.fits", "science"), ("f_2_cal.fits", "background"),
             ("f_3.fits", "target_acquisition"), ("f_4_x1d.fits", ""), ("f5.fits.gz", "")]
    asn = from_list(items, rule="DMSLevel2bBase")
    assert [(p.name, p.members[0].exptype) for p in asn.products] == [
        ("d/f_1", "science"), ("undefined", "background"), ("undefined", "target_acquisition"),
        ("f_4", "science"), ("f5.fits", "science"),
    ]


def test_level3_with_types():
    items = {"a": "science", "b": "target_acq", "c": "somethingelse"}
    asn = from_list(list(items.items()), product_name="test_product")
    assert asn["asn_rule"] == "DMS_Level3_Base" and asn["asn_type"] == "None"
    (product,) = asn.products
    assert product.name == "test_product"
    assert {m.expname: m.exptype for m in product.members} == items


def test_level3_without_science_is_not_valid():
    with pytest.raises(AsngenError, match="no science member"):
        from_list([("a", "background")], product_name="p")


@pytest.mark.parametrize(
    "rule, items, ok",
    [
        ("Asn_Lv3Image", ["a"], True),
        ("Asn_Lv2Image", ["a"], True),
        ("Asn_Lv3AMI", ["a", "b"], False),  # needs a psf member
        ("Asn_Lv3AMI", [("a", "science"), ("b", "psf")], True),
        ("Asn_Lv3WFSCMB", ["a"], False),  # needs a pair
        ("Asn_Lv3WFSCMB", ["a", "b"], True),
        ("Asn_Lv3TSO", ["a", "b"], False),  # observation candidates only
        ("Asn_Lv3ImageMosaic", ["a", "b"], False),  # mosaic candidates only
        ("DMSBaseMixin", ["a"], False),  # not a rule
    ],
)
def test_rule_validity_as_in_reference(rule, items, ok):
    if ok:
        asn = from_list(items, rule=rule, product_name="P")
        assert asn["asn_rule"] == rule and asn["asn_type"] == "None"
    else:
        with pytest.raises(AsngenError):
            from_list(items, rule=rule, product_name="P")


def test_yaml_format(tmp_path):
    out = tmp_path / "x.yaml"
    assert main(["from-list", "-o", str(out), "-f", "yaml", "--product-name", "p", "a"]) == 0
    assert load_asn(out).product("p").expnames() == ["a"]


def test_cli_usage_errors():
    with pytest.raises(SystemExit):
        main(["from-list"])
    with pytest.raises(SystemExit):
        main(["from-list", "-o", "test_asn.json"])


def test_roundtrip_through_json():
    asn = from_list([("a", "science"), ("b", "psf")], product_name="p")
    again = load_asn(json.loads(asn.to_json()))
    assert again == asn
