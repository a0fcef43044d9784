"""The direct JSON writer must give exactly what ``json.dumps`` gives."""

from __future__ import annotations

import json
import math
import random
from collections import OrderedDict

import pytest

from asngen.asn_io import dumps, dumps_json
from asngen.association import Member
from asngen.member import ABSENT, SLOTTED, RenamedFile, member_of, renamed_file


def reference(data) -> str:
    # a Member is a mapping but not a dict: the standard encoder is told to write it as one
    return json.dumps(data, indent=4, separators=(",", ": "), default=dict)


SHAPES = [
    {},
    [],
    {"a": [], "b": {}},
    {"asn_type": "image3", "products": [{"name": "x", "members": [Member({"expname": "f.fits", "exposerr": None})]}]},
    [1, -7, 2.5, -0.0, 1e300, 10**30, True, False, None],
    [math.nan, math.inf, -math.inf],
    {"text": "é ü \n \t \"quoted\" \\ \u2028 \ud800 \x00"},
    {"tuple": (1, ("a", "b")), "ordered": OrderedDict(b=1, a=2)},
    "plain string",
    None,
    {1: "non-string key", None: 2},
    {"deep": [[[[{}]]]]},
]


@pytest.mark.parametrize("data", SHAPES, ids=range(len(SHAPES)))
def test_same_text_as_json_dumps(data):
    assert dumps_json(data) == reference(data)


def test_random_nested_data_matches_json_dumps():
    rng = random.Random(7)
    alphabet = "abcXYZ019 _-./\\\"'\n\té\u00ff\u0100\U0001f600"

    def text():
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(6)))

    def value(depth):
        kind = rng.randrange(8 if depth < 4 else 5)
        if kind == 0:
            return text()
        if kind == 1:
            return rng.choice([None, True, False])
        if kind == 2:
            return rng.randrange(-10**6, 10**6)
        if kind == 3:
            return rng.uniform(-1e6, 1e6)
        if kind == 4:
            return text()
        if kind == 5:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        return {text(): value(depth + 1) for _ in range(rng.randrange(4))}

    for _ in range(500):
        data = value(0)
        assert dumps_json(data) == reference(data)


def test_texts_quoted_once_are_the_same_when_repeated_and_after_the_table_is_full(monkeypatch):
    """Texts are quoted once and remembered (asn_io._quoted); the table starts again when full
    (here every few texts)."""
    from asngen import asn_io

    monkeypatch.setattr(asn_io, "_QUOTED_LIMIT", 3)
    texts = ["science", "a\nb \"c\" é", "background", "null", "science", "\u2028", "x" * 500]
    for round_number in range(3):
        data = {text + str(round_number % 2): [text, {"expname": text, "other": texts}] for text in texts}
        data["members"] = [member_of({}, text, "science", text) for text in texts]
        assert dumps_json(data) == reference(data)


def test_members_of_every_shape_match_json_dumps():
    """Members are written from a layout per set of slotted keys (asn_io._encode_member):
    every set of keys, values that are not text, keys of their own (in any order), renamed
    file names and labels at every depth must still read as json.dumps writes the same data
    as dicts."""
    rng = random.Random(11)
    alphabet = "ab_%s\\\"\n\u00e9\U0001f600"
    row = {"filename": "jw001_uncal.fits"}

    def text():
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(5)))

    def member():
        made = member_of(row, ABSENT, ABSENT, ABSENT, ABSENT)
        for key in SLOTTED:
            if rng.random() < 0.7:
                value = rng.choice([text(), text(), "science", None, 3, ["x"], renamed_file("rate")])
                if key != "expname" and isinstance(value, RenamedFile):
                    value = "null"
                made[key] = value
        if rng.random() < 0.2:
            made[rng.choice(["extra%s", "expname", "z"])] = text()
        return made

    for _ in range(400):
        members = [member() for _ in range(rng.randrange(4))]
        data = rng.choice([
            members,
            {"products": [{"name": text(), "members": members}]},
            {"deep": [[{"members": members}]], "again": members[:1]},
        ])
        assert dumps_json(data) == reference(data)
    many = [Member({"exptype": f"type{number}", "expname": "same"}) for number in range(25_000)]
    assert dumps_json(many) == reference(many)


def test_unknown_types_fail_as_json_dumps_does():
    with pytest.raises(TypeError):
        dumps({"value": object()})


# -- the files of a generation run ----------------------------------------------------


def test_association_files_read_like_a_list_of_name_and_text():
    from asngen.api import AssociationFiles

    files = AssociationFiles("json")
    first, second = {"asn_id": "o001", "products": []}, {"asn_id": "o002"}
    files.add("a_asn.json", first)
    files.add("b_asn.json", second)
    expected = [("a_asn.json", reference(first)), ("b_asn.json", reference(second))]
    assert len(files) == 2
    assert list(files) == expected
    assert files == expected
    assert files[1] == expected[1] and files[-1] == expected[1]
    assert files[:1] == expected[:1]
    assert files.names() == ["a_asn.json", "b_asn.json"]
    assert [(name, make()) for name, make in files.pending()] == expected


def test_the_collector_is_off_inside_and_as_it_was_after_nested_use():
    import gc

    from asngen.api import paused_collector

    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            with paused_collector():
                assert not gc.isenabled()
                with paused_collector():
                    assert not gc.isenabled()
                assert not gc.isenabled()
            assert gc.isenabled() == enabled
        finally:
            gc.enable()


def test_the_collector_comes_back_after_a_failed_generate(tmp_path):
    import gc

    from asngen.api import generate
    from asngen.errors import AsngenError

    assert gc.isenabled()
    with pytest.raises(AsngenError):
        generate(str(tmp_path / "missing_pool.csv"))
    assert gc.isenabled()


def test_unknown_format_is_refused_before_generating(tmp_path):
    from asngen.api import generate
    from asngen.errors import UsageError
    from asngen.options import GenerateOptions

    pool = tmp_path / "pool.csv"
    pool.write_text("filename|exp_type|asn_candidate\nx_uncal.fits|nrc_image|[('o001', 'observation')]\n")
    with pytest.raises(UsageError, match="unknown association format"):
        generate(str(pool), GenerateOptions(fmt="xml"))
