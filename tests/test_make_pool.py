"""The synthetic pool generator of the benchmarks (benchmarks/make_pool.py).

The benchmark's checksums are only meaningful if a pool depends on nothing
but (rows, seed), so determinism is tested byte for byte; the other tests
check that the pools have the shape of real DMS pools.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pools import benchmark_module

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


make_pool = benchmark_module("make_pool")

#: Columns the association rules read (spec section 4.3), in upper case as DMS writes them.
RULE_COLUMNS = {
    "FILENAME", "PROGRAM", "INSTRUME", "DETECTOR", "FILTER", "BAND", "PUPIL", "GRATING",
    "FXD_SLIT", "SUBARRAY", "CHANNEL", "EXP_TYPE", "PNTGTYPE", "TARGETID", "ASN_CANDIDATE",
    "OBS_NUM", "OBS_ID", "ACT_ID", "VISITYPE", "DMS_NOTE", "TSOVISIT", "BKGDTARG", "IS_PSF",
    "IS_IMPRT", "PATTTYPE", "PATT_NUM", "NUMDTHPT", "SUBPXPTS", "EXPSPCIN", "DITHPTIN",
    "MOSTILNO", "MSAMETFL", "MSASTATE", "OPMODE", "LAMP", "NINTS", "EXPOSERR",
}  # fmt: skip


def _pool(tmp_path: Path, rows: int, seed: int, *extra: str) -> Path:
    out = tmp_path / f"pool_{rows}_{seed}{'_'.join(extra)}.csv"
    make_pool.main(["--rows", str(rows), "--seed", str(seed), "-o", str(out), *extra])
    return out


def _table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    lines = path.read_text().splitlines()
    header = lines[0].split("|")
    return header, [dict(zip(header, line.split("|"), strict=True)) for line in lines[1:]]


def test_same_seed_same_bytes_other_seed_other_pool(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _pool(tmp_path / "a", 1500, 7)
    b = _pool(tmp_path / "b", 1500, 7)
    c = _pool(tmp_path, 1500, 8)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_command_line_writes_the_same_pool(tmp_path):
    out = tmp_path / "cli.csv"
    cmd = [sys.executable, str(BENCH / "make_pool.py"), "--rows", "300", "--seed", "3", "-o"]
    subprocess.run([*cmd, str(out)], check=True)
    assert out.read_bytes() == _pool(tmp_path, 300, 3).read_bytes()


@pytest.mark.parametrize("rows", [1, 7, 250, 4321])
def test_exact_row_count(tmp_path, rows):
    _header, table = _table(_pool(tmp_path, rows, 1))
    assert len(table) == rows


def test_columns_are_those_of_real_dms_pools(tmp_path):
    header, table = _table(_pool(tmp_path, 400, 2))
    assert header[0] == "FILENAME"
    assert len(header) == len(set(header)) == 64
    assert RULE_COLUMNS <= set(header)
    assert all(len(row) == len(header) for row in table)


def test_every_candidate_cell_parses(tmp_path):
    _header, table = _table(_pool(tmp_path, 3000, 5))
    kinds = set()
    for row in table:
        value = ast.literal_eval(row["ASN_CANDIDATE"])
        assert isinstance(value, list) and value
        assert all(isinstance(c, tuple) and len(c) == 2 for c in value)
        # every row names its own observation first, as DMS pools do
        assert value[0] == (f"o{int(row['OBS_NUM']):03d}", "OBSERVATION")
        for cid, kind in value[1:]:
            assert re.fullmatch(r"c\d{4}", cid)
            kinds.add(kind)
    assert kinds == {"BACKGROUND", "MOSAIC", "PSF", "DIRECT_IMAGE"}


def test_value_forms(tmp_path):
    _header, table = _table(_pool(tmp_path, 2000, 1))
    names = [row["FILENAME"] for row in table]
    assert len(set(names)) == len(names)
    for row in table:
        prog, obs, visit = int(row["PROGRAM"]), int(row["OBS_NUM"]), int(row["VISIT"])
        det = row["DETECTOR"].lower()
        pattern = rf"jw{prog:05d}{obs:03d}{visit:03d}_\d{{2}}1{row['ACT_ID']}_\d{{5}}_{det}_uncal\.fits"
        assert re.fullmatch(pattern, row["FILENAME"])
        assert row["OBS_ID"].startswith(f"V{row['VISIT_ID']}P")
        for flag in ("BKGDTARG", "TSOVISIT"):
            assert row[flag] in {"T", "F"}
    exp_types = {row["EXP_TYPE"] for row in table}
    # the modes the benchmark is meant to exercise are all present in a 2,000-row pool
    assert {
        "NRC_IMAGE", "MIR_IMAGE", "NIS_IMAGE", "NRS_MSASPEC", "NRS_IFU", "NRS_FIXEDSLIT",
        "MIR_MRS", "MIR_LRS-FIXEDSLIT", "NRC_CORON", "NIS_WFSS", "NRC_WFSS", "NRS_WATA",
        "NRS_MSATA", "MIR_TACQ",
    } <= exp_types  # fmt: skip
    assert any(row["IS_IMPRT"] == "T" for row in table)
    assert any(row["IS_PSF"] == "T" for row in table)
    assert any(row["BKGDTARG"] == "T" for row in table)
    assert any(row["TSOVISIT"] == "T" for row in table)
    assert any(row["PNTGTYPE"] == "TARGET_ACQUISITION" for row in table)


def test_lower_option_lowercases_everything(tmp_path):
    upper = _pool(tmp_path, 200, 4).read_text()
    lower = _pool(tmp_path, 200, 4, "--lower").read_text()
    assert lower == upper.lower()


def test_large_pool_plan_keeps_three_digit_observations():
    _program, plans = make_pool.plan_pool(1_000_000, 1)
    assert sum(p.budget for p in plans) == 1_000_000
    assert max(p.num for p in plans) <= 999
    assert len(plans) > 900  # a large program: many observations ...
    assert max(p.budget for p in plans) > 1000  # ... and many exposures per observation
