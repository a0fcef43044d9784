"""The instruction counter of the benchmarks (benchmarks/instructions.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH / "instructions.py"), *args],
                          capture_output=True, text=True, check=False)


def test_counts_the_instructions_of_a_run_or_says_why_it_cannot(tmp_path):
    pool = tmp_path / "tiny_pool.csv"
    subprocess.run([sys.executable, str(BENCH / "make_pool.py"), "--rows", "20", "--seed", "1", "-o", str(pool)],
                   check=True, capture_output=True)
    done = _run(str(pool), "--asngen", f"{sys.executable} -m asngen")
    if shutil.which("valgrind") is None:
        assert done.returncode == 2 and "valgrind is not installed" in done.stderr
        return
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.splitlines()
    assert header.startswith("pool") and row.startswith("tiny_pool.csv")
    assert int(row.split()[-1].replace(",", "")) > 10_000_000  # an interpreter start alone is more


def test_a_failed_run_says_why(tmp_path):
    pool = tmp_path / "broken_pool.csv"
    pool.write_text("FILENAME|EXP_TYPE\njw_a_uncal.fits|nrc_image\n")
    done = _run(str(pool), "--asngen", f"{sys.executable} -m asngen")
    if shutil.which("valgrind") is None:
        assert done.returncode == 2 and "valgrind is not installed" in done.stderr
        return
    assert done.returncode == 1
    assert "the run failed (exit 1)" in done.stderr and "ASN_CANDIDATE" in done.stderr


def test_a_missing_pool_is_named(tmp_path):
    done = _run(str(tmp_path / "nowhere.csv"))
    assert done.returncode == 2
    assert "nowhere.csv" in done.stderr or "valgrind is not installed" in done.stderr


def test_the_package_counted_is_byte_compiled_first(tmp_path):
    """A tree copied without bytecode would compile its modules in every counted run."""
    sys.path.insert(0, str(BENCH))
    try:
        import instructions
    finally:
        sys.path.remove(str(BENCH))
    package = tmp_path / "tree" / "asngen"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "rules.py").write_text("VALUE = 1\n")
    assert instructions.precompile(str(tmp_path / "tree")) == package
    assert sorted(path.name.split(".")[0] for path in (package / "__pycache__").iterdir()) == ["__init__", "rules"]
