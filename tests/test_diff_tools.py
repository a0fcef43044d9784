"""The differential tool of the companion commands (benchmarks/diff_tools.py).

The reference is stood in for by small scripts: one that runs asngen itself
(every case agrees), one that writes other bytes, one that fails after
leaving an empty file (as asn_from_list does on an invalid association).
"""

from __future__ import annotations

import random
import stat
import sys
from pathlib import Path

from tests.pools import benchmark_module

diff_tools = benchmark_module("diff_tools")


def _stand_in(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "asn_from_list"
    script.write_text(f"#!{sys.executable}\nimport subprocess, sys\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


def test_cases_come_from_the_seed_alone():
    first = [diff_tools.from_list_case(random.Random(seed)) for seed in range(20)]
    again = [diff_tools.from_list_case(random.Random(seed)) for seed in range(20)]
    assert first == again and len({tuple(case[0]) for case in first}) > 10


def test_a_reference_that_is_asngen_agrees_and_one_that_writes_otherwise_differs(tmp_path, monkeypatch):
    same = _stand_in(tmp_path / "same", "sys.exit(subprocess.call([sys.executable, '-m', 'asngen', "
                                         "'from-list', *sys.argv[1:]]))")
    other = _stand_in(tmp_path / "other", "open(sys.argv[2], 'w').write('{}')")
    failing = _stand_in(tmp_path / "failing", "open(sys.argv[2], 'w'); sys.exit(1)")
    argv = ["-o", "asn.json", "--product-name", "p", "a_cal.fits"]
    monkeypatch.setattr(diff_tools, "REFERENCE_BIN", same)
    assert diff_tools.compare_case("from-list", argv, "asn.json", [], None, tmp_path / "w1") is None
    monkeypatch.setattr(diff_tools, "REFERENCE_BIN", other)
    assert diff_tools.compare_case("from-list", argv, "asn.json", [], None, tmp_path / "w2") == "the files differ"
    monkeypatch.setattr(diff_tools, "REFERENCE_BIN", failing)
    problem = diff_tools.compare_case("from-list", argv, "asn.json", [], None, tmp_path / "w3")
    assert problem.startswith("exit 0 (reference 1)")
    # both fail: they agree, the reference's empty file notwithstanding
    bad = ["-o", "asn.json", "-r", "Asn_Lv3TSO", "--product-name", "p", "a_cal.fits"]
    assert diff_tools.compare_case("from-list", bad, "asn.json", [], None, tmp_path / "w4") is None
