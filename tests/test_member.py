"""A Member keeps its usual keys in slots but must behave exactly as the dict it replaced."""

from __future__ import annotations

import copy
import json
import pickle
import random

import pytest

from asngen.asn_io import dumps, dumps_json
from asngen.association import key_sharing_dict, new_product
from asngen.member import Member, member_of

KEYS = ["expname", "exptype", "exposerr", "asn_candidate", "extra", "note"]


def test_a_generated_member_reads_and_writes_like_a_dict():
    row = ("record",)
    member = member_of(row, "a_rate.fits", "science", None, "[('o001', 'observation')]")
    assert list(member) == ["expname", "exptype", "exposerr", "asn_candidate"]
    assert member["exptype"] == "science" and member.get("exposerr", "x") is None
    assert "exposerr" in member and "filename" not in member and member.get("filename") is None
    assert member == {"expname": "a_rate.fits", "exptype": "science", "exposerr": None,
                      "asn_candidate": "[('o001', 'observation')]"}
    assert member.row is row
    with pytest.raises(KeyError):
        member["filename"]  # noqa: B018 - the lookup is the test
    level2 = member_of(row, "a_rate.fits", "science", "null")
    assert list(level2.items()) == [("expname", "a_rate.fits"), ("exptype", "science"), ("exposerr", "null")]


def test_a_copy_is_independent_and_keeps_the_row():
    member = Member({"expname": "a.fits", "exptype": "science", "flag": 1}, item={"filename": "a"})
    twin = member.copy()
    twin["exptype"] = "background"
    twin["flag"] = 2
    assert member["exptype"] == "science" and member["flag"] == 1
    assert twin.item is member.item
    assert list(twin) == ["expname", "exptype", "flag"]


@pytest.mark.parametrize("seed", range(40))
def test_any_sequence_of_changes_leaves_the_keys_a_dict_would_have_in_its_order(seed):
    rng = random.Random(seed)
    plain: dict = {}
    start = rng.sample(KEYS, rng.randint(0, 4))
    for key in start:
        plain[key] = rng.random()
    member = Member(plain)
    for _ in range(30):
        key = rng.choice(KEYS)
        action = rng.random()
        if action < 0.55:
            value = rng.choice([None, "text", rng.random()])
            plain[key] = value
            member[key] = value
        elif action < 0.8:
            assert plain.pop(key, "gone") == member.pop(key, "gone")
        else:
            assert plain.setdefault(key, 7) == member.setdefault(key, 7)
        assert list(member.items()) == list(plain.items())
        assert len(member) == len(plain)
        assert member == plain and plain == member
        assert (key in member) == (key in plain)
    assert dumps_json({"m": [member]}) == json.dumps({"m": [plain]}, indent=4, separators=(",", ": "))


def test_members_pickle_copy_and_write_as_yaml():
    member = Member({"expname": "a.fits", "exptype": "science", "other": [1, 2]}, item=("row",))
    again = pickle.loads(pickle.dumps(member))
    assert again == member and list(again) == list(member) and again.row == ("row",)
    deep = copy.deepcopy(member)
    deep["other"].append(3)
    assert member["other"] == [1, 2]
    assert "expname: a.fits" in dumps({"products": [{"members": [member]}]}, "yaml")


def test_the_generator_s_small_dicts_are_ordinary_dicts():
    first = key_sharing_dict(type("Layout", (), {}))
    assert type(first) is dict and first == {}
    product = new_product("name", [])
    other = new_product("other", [1])
    assert type(product) is dict and list(product.items()) == [("name", "name"), ("members", [])]
    product["extra"] = 1
    assert "extra" not in other and list(other) == ["name", "members"]
    copied = other.copy()
    copied["name"] = "changed"
    assert other["name"] == "other"
