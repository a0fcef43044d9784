"""A candidate's rows: the rows whose ASN_CANDIDATE text contains its id, as a plain substring."""

from __future__ import annotations

import random

import pytest

from asngen.generator.drivers import _Joined, _RowsByCell


@pytest.mark.parametrize("seed", range(5))
def test_texts_mentioning_an_id_are_those_a_substring_test_finds(seed):
    rng = random.Random(seed)
    # ids of word characters are looked for in the texts' words, others in the texts joined
    alphabet = ["o001", "o0012", "c1000", "'", "(", ", ", "\0", "x", "observation", "_", "é", "\u2003", "\t", "1"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5))) for _ in range(60)]
    rows = _RowsByCell(texts)
    for cid in ["o001", "o0012", "c1000", "001", "x", "'", "o001', '", "nothing", "", "\0x", "obs", "_", "1o0",
                "é", "x_", "0\u2003"]:
        expected = [group for text, group in rows.groups.items() if cid in text]
        assert rows.mentioning(cid) == expected, cid
        positions = sorted(position for position, text in enumerate(texts) if cid in text)
        assert rows.rows(cid, list(range(len(texts)))) == positions
        assert rows.count(cid) == len(positions)


def test_many_candidates_and_texts_find_the_same_texts():
    """A pool of thousands of candidates and texts (each row's observation and mosaic): the
    words' index finds what the substring test finds, ids that hold others included."""
    rng = random.Random(7)
    texts = [f"[('o{rng.randint(1, 999):03d}', 'OBSERVATION'), ('c{rng.randint(100, 1999)}', 'MOSAIC')]"
             for _ in range(3000)]
    rows = _RowsByCell(texts)
    for cid in [*{f"c{number}" for number in range(100, 2000, 37)}, "c10", "c1", "o00", "o9", "MOSAIC", "OBS"]:
        assert rows.texts_mentioning(cid) == [text for text in rows.groups if cid in text], cid


def test_texts_that_are_not_text_are_tested_one_by_one():
    rows = _RowsByCell(["[('o001', 'observation')]", ("o001",), "[('o002', 'observation')]"])
    assert rows.rows("o001", ["a", "b", "c"]) == ["a", "b"]


def test_listed_counts_count_the_rows_whose_text_lists_an_id():
    """The weights that share passes out: rows listing the id, not every text containing it."""
    texts = ["[('o001', 'observation'), ('c1000', 'mosaic')]"] * 3 + [
        "[('o0012', 'observation')]", "[('c1000', 'mosaic')]", "not a list", "[1, 2]", "",
    ]
    rows = _RowsByCell(texts)
    assert rows.listed_counts() == {"o001": 3, "c1000": 4, "o0012": 1}
    assert rows.count("o001") == 4  # a pass reads the o0012 row too (its text contains o001)


def test_a_candidates_groups_are_searched_for_once():
    """A pass asks for its candidate's rows twice (its registry's filter, then its rows): the
    texts are searched once, and both get the same groups."""
    rows = _RowsByCell(["[('o001', 'observation')]", "[('o002', 'observation')]", "[('o001', 'observation')]"])
    first = rows.texts_mentioning("o001")
    rows._joined = rows._words = _Joined([])  # a second search would now find nothing
    assert rows.texts_mentioning("o001") is first
    assert [list(group) for group in rows.mentioning("o001")] == [[0, 2]]
    assert [(text, list(records)) for text, records in rows.parts("o001", ["a", "b", "c"])] == [
        ("[('o001', 'observation')]", ["a", "c"]),
    ]
    ((_, records),) = rows.parts("o001", ["a", "b", "c"])
    assert list(records) == list(records) == ["a", "c"]  # each rule's predicate reads a part anew
    assert rows.rows("o001", ["a", "b", "c"]) == ["a", "c"]
    assert rows.count("o001") == 2
