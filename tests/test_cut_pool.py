"""The observation cutter of the differential tests (benchmarks/cut_pool.py).

A cut stands for a large program's observation as the reference would be
given it: its rows must be whole observations of the source, in the
source's order and text, and the partners added must share a c-type
candidate with the chosen one.  A disagreement is reproduced from (source,
seed) alone, so determinism is tested byte for byte.
"""

from __future__ import annotations

import pytest

from tests.pools import benchmark_module, write_synthetic_pool

cut_pool = benchmark_module("cut_pool")
PoolText = cut_pool.PoolText


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return write_synthetic_pool(tmp_path_factory.mktemp("cut") / "syn.csv", 1000, 2)


def _cut(source, out, seeds="1-8", rows="20-200", tied=True) -> list:
    argv = [str(source), "--seeds", seeds, "--rows", rows, "-o", str(out)] + (["--tied"] if tied else [])
    assert cut_pool.main(argv) == 0
    return sorted(out.iterdir())


def test_a_seed_writes_the_same_cut_every_time(source, tmp_path):
    first = _cut(source, tmp_path / "a")
    second = _cut(source, tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    assert len({p.read_bytes() for p in first}) > 3  # seeds choose different observations


def test_a_cut_holds_whole_observations_in_source_order(source, tmp_path):
    whole = PoolText.read(source)
    number = whole.column("obs_num")
    for path in _cut(source, tmp_path, tied=False):
        part = PoolText.read(path)
        assert part.header == whole.header
        taken = part.comments[-1].split("observations ")[1].split(", ")
        expected = [row for row in whole.rows if (row[number].lstrip("0") or "0") in taken]
        assert part.rows == expected  # every row of those observations, nothing else, same order
        chosen = [row for row in whole.rows if (row[number].lstrip("0") or "0") == taken[0]]
        assert 20 <= len(chosen) <= 200 and len(part.rows) <= 200


def test_partners_share_a_c_type_candidate_with_the_chosen_observation(source, tmp_path):
    whole = PoolText.read(source)
    found = cut_pool.Observations(whole)
    partnered = 0
    for path in _cut(source, tmp_path, seeds="1-20"):
        taken = PoolText.read(path).comments[-1].split("observations ")[1].split(", ")
        assert found.candidates[taken[0]]  # --tied: the chosen one is in a c-type candidate
        for other in taken[1:]:
            partnered += 1
            assert found.candidates[other] & found.candidates[taken[0]]
    assert partnered  # some cut brought partners along


def test_no_observation_of_the_asked_size_writes_nothing(source, tmp_path, capsys):
    out = tmp_path / "out"
    assert cut_pool.main([str(source), "--rows", "100000-200000", "-o", str(out)]) == 1
    assert "no observation of 100000 to 200000 rows" in capsys.readouterr().err
    assert not list(out.iterdir())
