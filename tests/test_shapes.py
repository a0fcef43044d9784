"""The pools of other shapes that benchmarks/shapes.py times: each is the shape it says.

What they cost is the benchmark's business; here, that each shape's pool
is the pool its docstring promises (so a slow shape is slow for the stated
reason), and that the script runs them all.
"""

from __future__ import annotations

import ast

import pytest

from tests.pools import benchmark_module, write_synthetic_pool

shapes = benchmark_module("shapes")
PoolText = shapes.PoolText


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return PoolText.read(write_synthetic_pool(tmp_path_factory.mktemp("shapes") / "syn.csv", 600, 3))


def _cells(pool, name):
    column = pool.column(name)
    return [row[column] for row in pool.rows]


def test_one_observation_is_one_candidate_of_distinct_exposures(synthetic):
    pool = shapes.one_observation(synthetic, 1)
    assert len(pool.rows) == len(synthetic.rows) and pool.header == synthetic.header
    assert set(_cells(pool, "obs_num")) == {"1"}
    assert set(_cells(pool, "asn_candidate")) == {"[('o001', 'OBSERVATION')]"}
    assert set(_cells(pool, "exp_type")) == {"NRC_IMAGE"}
    assert len(set(_cells(pool, "filename"))) == len(pool.rows)


def test_shuffled_holds_the_same_rows_in_another_order(synthetic):
    pool = shapes.shuffled(synthetic, 1)
    assert sorted(pool.rows) == sorted(synthetic.rows)
    assert pool.rows != synthetic.rows
    assert shapes.shuffled(synthetic, 1).rows == pool.rows  # the seed decides


def test_many_candidates_names_a_mosaic_of_many_per_row(synthetic):
    pool = shapes.many_candidates(synthetic, 1)
    lists = [ast.literal_eval(cell) for cell in _cells(pool, "asn_candidate")]
    assert all(len(pairs) == 2 and pairs[0][1] == "OBSERVATION" and pairs[1][1] == "MOSAIC" for pairs in lists)
    assert [int(pairs[0][0][1:]) for pairs in lists] == [int(cell) for cell in _cells(synthetic, "obs_num")]
    mosaics = {pairs[1][0] for pairs in lists}
    assert 20 <= len(mosaics) <= len(pool.rows) // 20  # thousands, on a large pool
    assert len(set(_cells(pool, "asn_candidate"))) > len(pool.rows) // 3


def test_multi_candidates_lists_up_to_six_more(synthetic):
    pool = shapes.multi_candidates(synthetic, 1)
    lists = [ast.literal_eval(cell) for cell in _cells(pool, "asn_candidate")]
    assert all(pairs[0][1] == "OBSERVATION" for pairs in lists)
    more = [len(pairs) - 1 for pairs in lists]
    assert min(more) == 0 and max(more) == shapes.MORE_CANDIDATES
    assert {ctype for pairs in lists for _, ctype in pairs[1:]} == {"MOSAIC", "BACKGROUND"}


def test_the_script_runs_every_shape(tmp_path, capsys):
    assert shapes.main(["--rows", "300", "--work-dir", str(tmp_path), "--cpu", "-1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    timed = {line.split()[0]: line.split() for line in lines[1:-1]}
    assert set(timed) == set(shapes.SHAPES)
    assert all(fields[1] == "300" and int(fields[2]) > 0 for fields in timed.values())
    assert timed["plain"][-1] == "1.00"
