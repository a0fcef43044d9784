"""A Member keeps its usual keys in slots but must behave exactly as the dict it replaced."""

from __future__ import annotations

import copy
import json
import pickle
import random

import pytest

from asngen.asn_io import dumps, dumps_json
from asngen.association import _degraded, key_sharing_dict, new_product
from asngen.member import (
    ABSENT,
    Member,
    RenamedFile,
    expname_of,
    exptype_of,
    forget_renamed,
    member_name,
    member_of,
    rename_uncal,
    renamed_file,
)
from asngen.records import records_from_dicts

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
        assert member.pairs() == list(plain.items())  # what the JSON writer reads
        assert len(member) == len(plain)
        assert member == plain and plain == member
        assert (key in member) == (key in plain)
    assert dumps_json({"m": [member]}) == json.dumps({"m": [plain]}, indent=4, separators=(",", ": "))


def test_a_member_is_a_mutable_mapping_with_every_method_of_one():
    """Written out rather than inherited (a compiled member is a C structure): each method acts
    as a dict's does (``popitem`` takes the first key, as MutableMapping's does)."""
    from collections.abc import Mapping, MutableMapping

    member = Member({"expname": "a.fits", "exptype": "science", "extra": 1})
    plain = {"expname": "a.fits", "exptype": "science", "extra": 1}
    assert isinstance(member, MutableMapping) and isinstance(member, Mapping)
    assert list(member.keys()) == list(plain.keys()) and list(member.values()) == list(plain.values())
    assert ("exptype", "science") in member.items() and "extra" in member.keys()
    member.update({"exposerr": None}, note="n")
    plain.update({"exposerr": None}, note="n")
    member.update([("extra", 2)])
    plain.update([("extra", 2)])
    assert list(member.items()) == list(plain.items())
    assert member == plain and not member != plain and member != {"expname": "a.fits"}
    assert member != 3 and not member == 3
    with pytest.raises(KeyError):
        member.pop("missing")
    assert member.pop("missing", None) is None and member.pop("note") == "n"
    assert member.popitem() == ("expname", "a.fits")
    with pytest.raises(TypeError):
        hash(member)
    member.clear()
    assert len(member) == 0 and list(member) == [] and member == {}
    with pytest.raises(KeyError):
        member.popitem()


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


def _record(filename: str) -> tuple:
    return records_from_dicts(["filename", "exp_type"], [{"filename": filename, "exp_type": "nrc_image"}])[0]


@pytest.mark.parametrize("filename", ["jw1_uncal.fits", "d/jw2_nrca1_uncal.fits", "a_uncal.b_uncal.", "plain.fits"])
@pytest.mark.parametrize("suffix", ["rate", "calints", "x1d"])
def test_a_generated_member_keeps_a_suffix_and_reads_the_renamed_file(filename, suffix):
    """The name is made again from the row (dict while taken, record after), even once
    the table of names is forgotten, and it is always what rename_uncal gives."""
    expected = rename_uncal(filename, suffix)
    kept, name = member_name(filename, suffix)
    assert name == expected
    if expected == filename:
        assert kept is filename  # the pool's own string: nothing to keep
    else:
        assert kept is renamed_file(suffix) and kept.suffix == suffix  # one marker per suffix
    for row in ({"filename": filename}, _record(filename)):
        member = member_of(row, kept, "science", None)
        assert member["expname"] == expected and member.get("expname") == expected
        forget_renamed()
        assert dict(member.items()) == {"expname": expected, "exptype": "science", "exposerr": None}
        assert member.copy() == member and member.copy().expname is member.expname
        assert json.loads(dumps_json({"m": [member]}))["m"][0]["expname"] == expected


class _Text(str):
    """A str subclass, as a caller's own rows may hold (numpy's str_ is one)."""


@pytest.mark.parametrize("filename", ["jw1_uncal.fits", "plain.fits"])
def test_a_file_name_given_as_a_str_subclass_is_renamed_as_its_text(filename):
    """Compiled, the renaming takes plain strings: a subclass is read as its text."""
    given = _Text(filename)
    forget_renamed()
    assert rename_uncal(given, "rate") == rename_uncal(filename, "rate")
    kept, name = member_name(given, "cal")
    assert name == rename_uncal(filename, "cal")
    member = member_of({"filename": given}, kept, "science", None)
    forget_renamed()
    assert member["expname"] == name and expname_of(member) == name


def test_a_suffix_kept_survives_pickling_with_a_row_position_and_spilling():
    """A worker pickles members whose row is a position (asngen.generator.parallel): the
    suffix, not a name, travels.  A member whose keys spill into a dict gets the name."""
    record = _record("jw5_uncal.fits")
    member = member_of(record, member_name("jw5_uncal.fits", "cal")[0], "science", None)
    member.row = 3
    again = pickle.loads(pickle.dumps(member))
    assert isinstance(again.expname, RenamedFile) and again.row == 3
    again.row = record
    assert again["expname"] == "jw5_cal.fits"
    del again["exptype"]
    again["note"] = 1
    again["exptype"] = "background"  # after a key of its own: every key moves to the dict
    assert list(again.items()) == [("expname", "jw5_cal.fits"), ("exposerr", None), ("note", 1),
                                   ("exptype", "background")]
    assert again.others["expname"] == "jw5_cal.fits"
    again["expname"] = "other.fits"
    assert again["expname"] == "other.fits"


def test_a_small_table_of_renamed_files_is_kept_after_the_passes_a_large_one_goes():
    from asngen.member import _RENAMED

    forget_renamed()
    names = [rename_uncal(f"jw{number}_uncal.fits", "cal") for number in range(5)]
    forget_renamed(unless_fewer_than=6)
    assert sum(map(len, _RENAMED.values())) == 5
    forget_renamed(unless_fewer_than=5)
    assert not _RENAMED
    assert names == [f"jw{number}_cal.fits" for number in range(5)]


@pytest.mark.parametrize("asn_candidate", [ABSENT, "[('o001', 'observation')]"])
def test_a_generated_member_pickles_to_the_same_slots_and_absent_stays_the_one_absent(asn_candidate):
    record = _record("jw6_uncal.fits")
    member = member_of(record, renamed_file("cal"), "science", None, asn_candidate)
    again = pickle.loads(pickle.dumps(member, protocol=pickle.HIGHEST_PROTOCOL))
    assert pickle.loads(pickle.dumps(ABSENT)) is ABSENT
    assert again.asn_candidate is asn_candidate or again.asn_candidate == asn_candidate
    assert again.expname is renamed_file("cal") and again.row == record and again.others is None
    assert list(again.items()) == list(member.items()) and again.pairs() == member.pairs()
    member["extra"] = 1  # with keys of its own it goes the key-by-key way
    again = pickle.loads(pickle.dumps(member))
    assert list(again.items()) == list(member.items())


def test_name_and_type_readers_agree_with_the_mapping():
    """Pruning reads names and types through expname_of/exptype_of (slots read directly):
    they give what ``member[key]`` gives, or raise the same KeyError, whatever the member's
    keys, their order (spilled into ``others``), renamed file names, or a plain dict."""
    rng = random.Random(5)
    row = {"filename": "jw9_uncal.fits"}
    for _ in range(300):
        member = member_of(row, ABSENT, ABSENT, ABSENT, ABSENT)
        for key in rng.sample(KEYS, rng.randrange(len(KEYS) + 1)):
            names = ["a.fits", None, renamed_file("cal")] if key == "expname" else ["science", "psf", None]
            member[key] = rng.choice(names)
        if len(member) and rng.random() < 0.2:
            del member[rng.choice(list(member))]
        for candidate in (member, dict(member)):
            for reader, key in ((expname_of, "expname"), (exptype_of, "exptype")):
                if key in candidate:
                    assert reader(candidate) == candidate[key]
                else:
                    with pytest.raises(KeyError):
                        reader(candidate)


@pytest.mark.parametrize("exposerr", [None, "", "NULL", "some error", ABSENT])
def test_a_member_is_degraded_as_its_mapping_says_from_its_slot_or_its_other_keys(exposerr):
    """Sealing reads ``exposerr`` from the slot when it holds it, else as a mapping."""
    from asngen.engine.patterns import EMPTY

    def by_mapping(member) -> bool:
        return "exposerr" in member and member["exposerr"] not in EMPTY

    slotted = member_of({"filename": "a.fits"}, "a.fits", "science", exposerr)
    spilled = member_of({"filename": "a.fits"}, "a.fits", "science", ABSENT)
    spilled["note"] = 1
    if exposerr is not ABSENT:
        spilled["exposerr"] = exposerr  # after another key: kept with the other keys
    plain = {"expname": "a.fits"} | ({} if exposerr is ABSENT else {"exposerr": exposerr})
    for member in (slotted, spilled, plain):
        assert _degraded(member) == by_mapping(member)
    assert _degraded(slotted) == (exposerr is not ABSENT and exposerr not in EMPTY)
