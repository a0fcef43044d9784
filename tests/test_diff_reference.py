"""The differential tool against the reference (benchmarks/diff_reference.py).

The reference is stood in for by small scripts that run asngen itself (every
run agrees) or run it and then change what it wrote, so the comparison is
tested without the reference installed.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from tests.pools import benchmark_module

diff_reference = benchmark_module("diff_reference")

POOL = Path(__file__).resolve().parents[1] / "examples" / "example_pool.csv"

_RUN_ASNGEN = "import subprocess, sys, pathlib\n" \
    "status = subprocess.call([sys.executable, '-m', 'asngen', 'generate', *sys.argv[1:]])\n"


def _stand_in(folder: Path, after: str = "") -> Path:
    """An ``asn_generate`` that is asngen, then runs ``after`` on the output folder ``out``."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "asn_generate"
    script.write_text(
        f"#!{sys.executable}\n{_RUN_ASNGEN}out = pathlib.Path(sys.argv[sys.argv.index('-p') + 1])\n"
        f"{after}\nsys.exit(status)\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_a_version_id_is_added_unless_the_options_name_one_or_none():
    assert diff_reference._with_version(["--merge"]) == ["--merge", "--version-id", "golden"]
    assert diff_reference._with_version(["--version-id", "v1"]) == ["--version-id", "v1"]
    assert diff_reference._with_version(["--version-id=v1"]) == ["--version-id=v1"]
    assert diff_reference._with_version([diff_reference.NO_VERSION, "-D"]) == ["-D"]


def test_yaml_files_are_compared_parsed_and_a_changed_member_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(diff_reference, "REFERENCE", _stand_in(tmp_path / "same"))
    agreeing = diff_reference.compare(POOL, diff_reference.OPTION_SETS["yaml"])
    assert agreeing.ref_status == 0 and agreeing.agree, agreeing.problems

    rewrite = "for f in out.glob('*.yaml'):\n    f.write_text(f.read_text().replace({!r}, {!r}, 1))"
    cases = {
        "informational": (rewrite.format("code_version: ", "code_version: 9.9"), []),
        "member": (rewrite.format("_nrca1_", "_nrca9_"), ["DIFFERING"]),
        "key": (rewrite.format("asn_type: ", "new_key: 1\nasn_type: "), ["DIFFERING"]),
    }
    for name, (after, expected) in cases.items():
        monkeypatch.setattr(diff_reference, "REFERENCE", _stand_in(tmp_path / name, after))
        outcome = diff_reference.compare(POOL, diff_reference.OPTION_SETS["yaml"])
        kinds = sorted({line.split()[0] for line in outcome.problems})
        assert kinds == expected, (name, outcome.problems)


def test_a_missing_yaml_file_is_reported(tmp_path, monkeypatch):
    missing = _stand_in(tmp_path / "missing", "sorted(out.glob('*.yaml'))[0].unlink()")
    monkeypatch.setattr(diff_reference, "REFERENCE", missing)
    outcome = diff_reference.compare(POOL, diff_reference.OPTION_SETS["yaml"])
    assert [line.split()[0] for line in outcome.problems] == ["EXTRA"]


def test_without_a_version_id_neither_program_gets_one(tmp_path, monkeypatch):
    # the stand-in fails when given a version id: agreeing, it got none, and so did asngen
    # (otherwise every name would differ)
    refusing = _stand_in(tmp_path / "refusing", "if '--version-id' in sys.argv:\n    sys.exit(3)")
    monkeypatch.setattr(diff_reference, "REFERENCE", refusing)
    outcome = diff_reference.compare(POOL, diff_reference.OPTION_SETS["no_version"])
    assert outcome.ref_status == 0 and outcome.agree, outcome.problems
    assert not diff_reference.compare(POOL, diff_reference.OPTION_SETS["default"]).agree


def test_a_pool_of_unclassifiable_rows_only_must_leave_asngen_writing_nothing(tmp_path, monkeypatch):
    """The reference stops at the first science row without EXP_TYPE; with every row such,
    nothing is left to compare with but an empty table, on which it fails: asngen succeeds
    and writes nothing (a deliberate difference)."""
    source = diff_reference.PoolText.read(POOL)
    exp_type, pointing = source.column("exp_type"), source.column("pntgtype")
    for row in source.rows:
        row[exp_type], row[pointing] = "NULL", "SCIENCE"
    pool = tmp_path / "unclassifiable.csv"
    source.write(pool)
    aborting = _stand_in(tmp_path / "aborting", "sys.stderr.write('LookupError: Exposure type cannot be "
                         "determined\\n')\\nsys.exit(1)")
    monkeypatch.setattr(diff_reference, "REFERENCE", aborting)
    outcome = diff_reference.compare(pool, diff_reference.OPTION_SETS["default"])
    assert outcome.agree and outcome.our_status == 0, outcome.problems
    assert "every row unclassifiable" in outcome.deviation
