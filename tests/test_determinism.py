"""Same input, same bytes: on every machine, whatever the environment.

Golden cases, a synthetic pool and a pool with non-ASCII cells are run with
the ``asngen`` command, each in a fresh process, under several environments
that differ in what could leak into the output:

* ``PYTHONHASHSEED`` 0, 1 and 12345 (set and dict iteration over strings);
* ``LC_ALL`` ``C.UTF-8``, ``C`` (which Python coerces to UTF-8) and ``C``
  with coercion and UTF-8 mode turned off (a real ASCII locale);
* the working directory, the pool named by an absolute or a relative path,
  and ``TZ``;
* the compiled modules, or their Python source (``ASNGEN_PURE_PYTHON``).

Every configuration must write byte-identical files.  The golden cases must
moreover match the reference's files (as in ``test_golden``).

The command is run as the installed ``asngen`` script (or ``python -P -m
asngen``), never with the working directory on ``sys.path``: files lying
in the working directory must not change what runs.  A last test checks
that rule files are executed only when the user names them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from asngen.registry import RULES_DIR

from .conftest import REPO, golden_dir
from .pools import exposure, pool_text

#: golden cases: many exposure types, orphans, --DMS, per-pool, a YAML copy, the biggest pool
GOLDEN_CASES = [
    "pool_018_all_exptypes__default",
    "pool_018_all_exptypes__i_o001_save_orphans",
    "pool_010_spec_nirspec_lv2bkg__dms",
    "pool_004_wfs__l3_per_pool",
    "pool_001_candidates__default",
    "mega_pool__default",
]

#: name -> (environment, working directory below the test folder, pool path absolute?)
CONFIGS: dict[str, tuple[dict[str, str], str, bool]] = {
    "seed 0, C.UTF-8, cwd a, absolute": (
        {"PYTHONHASHSEED": "0", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "TZ": "UTC"}, "a", True),
    "seed 1, C, cwd b/deeper, relative": (
        {"PYTHONHASHSEED": "1", "LC_ALL": "C", "LANG": "C", "TZ": "Pacific/Kiritimati"},
        "b/deeper", False),
    "seed 12345, C.UTF-8, cwd b/deeper, relative": (
        {"PYTHONHASHSEED": "12345", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8",
         "TZ": "America/St_Johns"}, "b/deeper", False),
    "seed 12345, ASCII locale, cwd a, absolute": (
        {"PYTHONHASHSEED": "12345", "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
         "PYTHONCOERCECLOCALE": "0", "TZ": "UTC"}, "a", True),
    "seed 1, C.UTF-8, cwd a, absolute, Python source instead of compiled modules": (
        {"PYTHONHASHSEED": "1", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "TZ": "UTC",
         "ASNGEN_PURE_PYTHON": "1"}, "a", True),
}

#: environment variables removed before applying a configuration
LEAKY = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_COLLATE", "LC_NUMERIC", "PYTHONUTF8",
         "PYTHONCOERCECLOCALE", "PYTHONIOENCODING", "PYTHONHASHSEED", "TZ", "ASNGEN_TRACEBACK",
         "ASNGEN_PURE_PYTHON")


def asngen_command() -> list[str]:
    """The installed script, as users run it; else the module without cwd on sys.path."""
    script = Path(sys.executable).with_name("asngen")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-P", "-m", "asngen"]


def environment(overrides: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in LEAKY}
    env.update(overrides)
    return env


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


# ------------------------------------------------------------------- inputs


def _golden_inputs() -> list[tuple[str, str, list[str]]]:
    root = golden_dir()
    if root is None:
        return []
    cases = {case["id"]: case for case in json.loads((root / "cases.json").read_text())["cases"]}
    inputs = []
    for case_id in GOLDEN_CASES:
        case = cases[case_id]
        args = [arg.replace("{rules_dir}", str(RULES_DIR)) for arg in case["args"]]
        inputs.append((case_id, str(root / "pools" / case["pool"]), args))
    case = cases["pool_018_all_exptypes__default"]
    inputs.append(("pool_018_all_exptypes__yaml", str(root / "pools" / case["pool"]),
                   [*case["args"], "--format", "yaml"]))
    return inputs


def _synthetic_inputs(folder: Path) -> list[tuple[str, str, list[str]]]:
    synthetic = folder / "synthetic_pool.csv"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "make_pool.py"), "--rows", "600", "--seed", "3",
         "-o", str(synthetic)],
        check=True,
    )
    rows = [
        exposure(f"jw_{number:05d}_uncal.fits", OBS_NUM=str(number % 3 + 1),
                 ASN_CANDIDATE=f"[('o00{number % 3 + 1}', 'observation')]",
                 DMS_NOTE=["café", "ΣΑ naïve", "日本", "plain"][number % 4])
        for number in range(12)
    ]
    rows[5]["EXP_TYPE"] = "NULL"  # an orphan with a reason
    accented = folder / "accented_cells_pool.csv"
    accented.write_text(pool_text(rows), encoding="utf-8")
    return [
        ("synthetic", str(synthetic), ["--version-id", "det", "--save-orphans"]),
        ("synthetic_per_pool", str(synthetic), ["--version-id", "det", "--per-pool-algorithm"]),
        ("accented_cells", str(accented), ["--version-id", "det", "--save-orphans", "--format", "yaml"]),
    ]


def run_everywhere(root: Path, inputs) -> dict[str, dict[str, tuple[int, dict[str, bytes]]]]:
    """config -> case -> (exit status, files written)."""
    results: dict[str, dict[str, tuple[int, dict[str, bytes]]]] = {}
    for config, (overrides, cwd_name, absolute) in CONFIGS.items():
        cwd = root / cwd_name
        cwd.mkdir(parents=True, exist_ok=True)
        results[config] = {}
        for index, (case, pool, args) in enumerate(inputs):
            out = f"out-{index}"
            pool_arg = pool if absolute else os.path.relpath(pool, cwd)
            completed = subprocess.run(
                [*asngen_command(), "generate", pool_arg, *args, "-p", out],
                cwd=cwd, env=environment(overrides), capture_output=True, timeout=600,
            )
            assert b"Traceback" not in completed.stderr, completed.stderr.decode(errors="replace")
            results[config][case] = (completed.returncode, files_of(cwd / out))
            shutil.rmtree(cwd / out, ignore_errors=True)
    return results


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("determinism")
    inputs = _golden_inputs() + _synthetic_inputs(root)
    return inputs, run_everywhere(root, inputs)


def _case_names() -> list[str]:
    golden = [case for case, _, _ in _golden_inputs()]
    return golden + ["synthetic", "synthetic_per_pool", "accented_cells"]


# -------------------------------------------------------------------- tests


@pytest.mark.parametrize("case", _case_names())
def test_same_bytes_in_every_environment(case, runs):
    _, results = runs
    first_config = next(iter(CONFIGS))
    status, files = results[first_config][case]
    assert status == 0
    assert files, "the case should write files"
    for config in CONFIGS:
        other_status, other_files = results[config][case]
        assert other_status == status, f"{config}: exit {other_status}"
        assert sorted(other_files) == sorted(files), f"{config}: other file names"
        differing = [name for name in files if other_files[name] != files[name]]
        assert not differing, f"{config}: different bytes in {differing[:5]}"


def test_golden_cases_match_the_reference_in_every_environment(runs, golden, tmp_path):
    inputs, results = runs
    spec = importlib.util.spec_from_file_location("golden_compare", golden / "compare.py")
    compare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare)
    for number, config in enumerate(CONFIGS):
        for case in GOLDEN_CASES:
            folder = tmp_path / f"{number}-{case}"
            folder.mkdir()
            for name, data in results[config][case][1].items():
                (folder / name).write_bytes(data)
            problems: list[str] = []
            tally = compare.compare_dirs(golden / "cases" / case, folder, case, out=problems.append)
            assert tally.ok, f"{config}: " + "\n".join(problems[:5])


def test_non_ascii_pool_file_name_gives_the_same_bytes_in_an_ascii_locale(tmp_path):
    rows = [exposure(f"jw_{number:05d}_uncal.fits") for number in range(3)]
    pool = tmp_path / "pool_é.csv"
    pool.write_text(pool_text(rows), encoding="utf-8")
    written = []
    for name in ("seed 0, C.UTF-8, cwd a, absolute", "seed 12345, ASCII locale, cwd a, absolute"):
        out = tmp_path / f"out-{len(written)}"
        completed = subprocess.run(
            [*asngen_command(), "generate", pool.name, "--version-id", "det", "-p", str(out)],
            cwd=tmp_path, env=environment(CONFIGS[name][0]), capture_output=True, timeout=600,
        )
        assert completed.returncode == 0, completed.stderr
        written.append(files_of(out))
    assert written[0] == written[1]


# ------------------------------------------------ rule files: only when named

MARKER_RULES = """\
from pathlib import Path
Path({marker!r}).write_text("executed")
from asngen.rules.rules_level3 import RULES
"""


def test_rule_files_run_only_when_named(tmp_path):
    """Files named like rule files in the working directory or beside the pool are not run."""
    rows = [exposure(f"jw_{number:05d}_uncal.fits") for number in range(3)]
    pools = tmp_path / "pools"
    pools.mkdir()
    pool = pools / "pool.csv"
    pool.write_text(pool_text(rows))
    work = tmp_path / "work"
    work.mkdir()
    markers = []
    for folder in (work, pools):
        for name in ("rules_level2b.py", "rules_level3.py", "asngen_rules.py"):
            marker = tmp_path / f"ran-{folder.name}-{name}"
            (folder / name).write_text(MARKER_RULES.format(marker=str(marker)))
            markers.append(marker)
    env = environment({"PYTHONHASHSEED": "0", "LC_ALL": "C.UTF-8"})

    def generate(*extra: str, out: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*asngen_command(), "generate", str(pool), "--version-id", "det", "-p", out, *extra],
            cwd=work, env=env, capture_output=True, timeout=600,
        )

    completed = generate(out="plain")
    assert completed.returncode == 0, completed.stderr
    assert not [marker.name for marker in markers if marker.exists()]

    completed = generate("-r", "rules_level3.py", "--ignore-default", out="named")
    assert completed.returncode == 0, completed.stderr
    assert [marker.name for marker in markers if marker.exists()] == ["ran-work-rules_level3.py"]


def test_the_command_flushes_its_messages_before_ending_a_generate_run(tmp_path):
    """``asngen generate`` ends its process directly; nothing it printed may be lost."""
    pool = tmp_path / "pool.csv"
    pool.write_text(pool_text([exposure(f"jw00001001001_0210{n}_00001_nrca1_uncal.fits") for n in range(1, 4)]))
    out = tmp_path / "out"
    done = subprocess.run(
        [*asngen_command(), "generate", str(pool), "-p", str(out), "--verbose"],
        capture_output=True, text=True, check=False, env=environment({}),
    )
    assert done.returncode == 0, done.stderr
    assert "3 rows," in done.stderr.splitlines()[-1]
    assert sorted(path.name for path in out.iterdir())
    missing = subprocess.run(
        [*asngen_command(), "generate", str(tmp_path / "nothing.csv"), "-p", str(out)],
        capture_output=True, text=True, check=False, env=environment({}),
    )
    assert missing.returncode != 0
    assert missing.stderr.startswith("asngen generate: error:")
