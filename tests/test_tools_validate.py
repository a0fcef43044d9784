"""validate: our schemas accept and reject what the reference's schemas do."""

from __future__ import annotations

import copy
import json

import pytest

from asngen.cli.main import main
from asngen.tools.validate import check, check_file, schema

GOOD_LEVEL3 = {
    "asn_type": "image3",
    "asn_rule": "candidate_Asn_Lv3Image",
    "version_id": None,
    "program": "00001",
    "asn_id": "o001",
    "target": "t001",
    "asn_pool": "pool.csv",
    "products": [
        {"name": "p", "members": [{"expname": "a_cal.fits", "exptype": "science", "exposerr": None}]}
    ],
}


def with_change(path, value, base=GOOD_LEVEL3):
    data = copy.deepcopy(base)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def paths(problems):
    return [p.path for p in problems]


def test_schemas_are_draft4_and_require_products():
    for level in (2, 3):
        assert schema(level)["$schema"].startswith("http://json-schema.org/draft-04/schema")
        assert schema(level)["required"] == ["products"]


def test_good_association_has_no_problems():
    assert check(GOOD_LEVEL3) == []
    assert check(GOOD_LEVEL3, level=2) == []


# Each case was checked against jwst 3.0.0's asn_schema_jw_level3.json / _level2b.json.
@pytest.mark.parametrize(
    "path, value, level3_paths, level2_paths",
    [
        (("products",), KeyError, ["$"], ["$"]),
        (("products",), {}, ["$.products"], ["$.products"]),
        (("asn_type",), 1, ["$.asn_type"], ["$.asn_type"]),
        (("asn_rule",), None, ["$.asn_rule"], ["$.asn_rule"]),
        (("asn_pool",), [], ["$.asn_pool"], ["$.asn_pool"]),
        (("program",), 1, ["$.program"], ["$.program"]),
        (("asn_id",), 1, ["$.asn_id"], []),  # Level 3 only
        (("target",), 1, ["$.target"], []),  # Level 3 only
        (("version_id",), 1, ["$.version_id"], []),  # Level 3: string or null
        (("version_id",), "v", [], []),
        (("degraded_status",), 1, [], []),  # not constrained
        (("products", 0, "members"), KeyError, ["$.products[0]"], ["$.products[0]"]),
        (("products", 0, "name"), 3, ["$.products[0].name"], ["$.products[0].name"]),
        (("products", 0, "name"), KeyError, [], []),  # a product name is optional
        (("products", 0), "x", ["$.products[0]"], ["$.products[0]"]),
        (("products", 0, "members", 0, "expname"), KeyError, ["$.products[0].members[0]"], ["$.products[0].members[0]"]),
        (("products", 0, "members", 0, "exptype"), 5, ["$.products[0].members[0].exptype"], ["$.products[0].members[0].exptype"]),
        (("products", 0, "members", 0, "exposerr"), 5, [], []),  # not constrained
        (("products", 0, "members", 0), "plain", [], []),  # members need not be objects
        (("extra_key",), {"x": 1}, [], []),  # no additionalProperties restriction
    ],
)
def test_constraints_match_reference(path, value, level3_paths, level2_paths):
    data = with_change(path, value)
    assert paths(check(data, level=3)) == level3_paths
    assert paths(check(data, level=2)) == level2_paths


def test_messages_are_short_and_name_the_place():
    data = with_change(("products", 0, "members", 0, "exptype"), 5)
    (problem,) = check(data, source="f.json")
    assert str(problem) == "f.json: $.products[0].members[0].exptype: must be a string, not an integer"
    (problem,) = check(with_change(("products", 0, "members", 0, "expname"), KeyError))
    assert problem.message == "missing required key 'expname'"
    (problem,) = check(with_change(("version_id",), 1))
    assert problem.message == "must be a string or null, not an integer"


def test_problems_sorted_numerically():
    data = copy.deepcopy(GOOD_LEVEL3)
    data["products"][0]["members"] = [{"expname": "a", "exptype": "science"}] * 12
    data["products"][0]["members"][2] = {"expname": 1, "exptype": "science"}
    data["products"][0]["members"][10] = {"expname": 1, "exptype": "science"}
    assert paths(check(data)) == [
        "$.products[0].members[2].expname", "$.products[0].members[10].expname"
    ]


def test_not_json_is_one_problem(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"products": [],}')
    (problem,) = check_file(bad)
    assert problem.path == "$" and "not valid JSON" in problem.message and "line 1" in problem.message


def test_cli_one_line_per_problem_and_status(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD_LEVEL3))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(with_change(("asn_id",), 7) | {"program": 1}))
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert main(["validate", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: ok (Level 3)\n"
    assert main(["validate", "-q", str(good), str(bad), str(broken)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{bad}: $.asn_id: must be a string, not an integer",
        f"{bad}: $.program: must be a string, not an integer",
        f"{broken}: $: not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2",
    ]


def test_cli_level_option(tmp_path, capsys):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(with_change(("target",), 1)))
    assert main(["validate", str(path)]) == 1
    assert main(["validate", "--level", "2", str(path)]) == 0
    assert capsys.readouterr().out.endswith("ok (Level 2)\n")


def test_missing_file(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.json")]) == 1
    assert capsys.readouterr().out == f"{tmp_path / 'nope.json'}: $: no such file\n"
