"""Small association pools built by the tests themselves.

A pool is pipe-delimited text with one header line.  :func:`exposure` gives
one row with plausible defaults for every column the rules read (a MIRI
image of target 1 in observation 1 of program 99009); a test overrides only
what matters to it.  :func:`write_pool` writes the rows where the test wants
them, and :func:`run` generates from that file in-process.
"""

from __future__ import annotations

import json
from pathlib import Path

from asngen.api import GenerateResult, generate
from asngen.options import GenerateOptions

COLUMNS = (
    "FILENAME", "PROGRAM", "OBS_NUM", "OBS_ID", "ACT_ID", "EXP_TYPE", "INSTRUME", "DETECTOR",
    "CHANNEL", "FILTER", "PUPIL", "GRATING", "FXD_SLIT", "BAND", "SUBARRAY", "TARGETID",
    "PNTGTYPE", "VISITYPE", "PATTTYPE", "NUMDTHPT", "PATT_NUM", "SUBPXPTS", "EXPSPCIN",
    "DITHPTIN", "MOSTILNO", "BKGDTARG", "IS_PSF", "IS_IMPRT", "TSOVISIT", "MSAMETFL",
    "MSASTATE", "OPMODE", "LAMP", "NINTS", "DMS_NOTE", "EXPOSERR", "ASN_CANDIDATE",
)

DEFAULTS = {
    "PROGRAM": "99009",
    "OBS_NUM": "1",
    "OBS_ID": "V99009001001P0000000002101",
    "ACT_ID": "1",
    "EXP_TYPE": "MIR_IMAGE",
    "INSTRUME": "MIRI",
    "DETECTOR": "MIRIMAGE",
    "CHANNEL": "NULL",
    "FILTER": "F560W",
    "PUPIL": "NULL",
    "GRATING": "NULL",
    "FXD_SLIT": "NULL",
    "BAND": "NULL",
    "SUBARRAY": "FULL",
    "TARGETID": "1",
    "PNTGTYPE": "SCIENCE",
    "VISITYPE": "PRIME_TARGETED_FIXED",
    "PATTTYPE": "NULL",
    "NUMDTHPT": "1",
    "PATT_NUM": "1",
    "SUBPXPTS": "1",
    "EXPSPCIN": "1",
    "DITHPTIN": "1",
    "MOSTILNO": "1",
    "BKGDTARG": "F",
    "IS_PSF": "F",
    "IS_IMPRT": "F",
    "TSOVISIT": "F",
    "MSAMETFL": "NULL",
    "MSASTATE": "NULL",
    "OPMODE": "NULL",
    "LAMP": "NULL",
    "NINTS": "10",
    "DMS_NOTE": "NULL",
    "EXPOSERR": "NULL",
    "ASN_CANDIDATE": "[('o001', 'observation')]",
}


def exposure(filename: str, **values: object) -> dict[str, str]:
    """One pool row: the defaults overridden by ``values`` (keys are column names, any case)."""
    row = dict(DEFAULTS, FILENAME=filename)
    for key, value in values.items():
        column = key.upper()
        if column not in row:
            raise KeyError(f"unknown pool column {key!r}")
        row[column] = str(value)
    return row


def pool_text(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> str:
    lines = ["|".join(columns)]
    lines.extend("|".join(row[column] for column in columns) for row in rows)
    return "\n".join(lines) + "\n"


def write_pool(
    directory: Path,
    rows: list[dict[str, str]],
    name: str = "test_pool.csv",
    without: tuple[str, ...] = (),
) -> Path:
    """Write ``rows`` as ``directory/name``; the columns named in ``without`` are left out."""
    path = Path(directory) / name
    path.write_text(pool_text(rows, tuple(c for c in COLUMNS if c not in without)))
    return path


def files_with(monkeypatch, pool: Path, module: object, name: str, value: object, **options: object) -> list:
    """The (file name, text) pairs of a run of ``pool`` (version id ``x``) with ``module.name``
    set to ``value`` for it: runs with a speed switch on and off must write the same files."""
    monkeypatch.setattr(module, name, value)
    return list(generate(str(pool), GenerateOptions(version_id="x", **options)).files)


def run(directory: Path, rows: list[dict[str, str]], **options: object) -> GenerateResult:
    """Write ``rows`` as a pool and generate from it with ``options`` (GenerateOptions fields)."""
    options.setdefault("version_id", "x")
    return generate(write_pool(directory, rows), GenerateOptions(**options))


def outline(files: list[tuple[str, str]]) -> str:
    """Association files (name, text) as readable lines, sorted by file name.

    One line per file (name, asn_type, asn_rule), then each product name and
    its members (expname, exptype), indented.  Tests compare this text with
    what the reference wrote for the same pool.
    """
    lines = []
    for name, text in sorted(files):
        data = json.loads(text)
        lines.append(f"{name} {data['asn_type']} {data['asn_rule']}")
        for product in data["products"]:
            lines.append(f"  {product['name']}")
            lines.extend(f"    {member['expname']} {member['exptype']}" for member in product["members"])
    return "\n".join(lines)


def summary(result: GenerateResult) -> list[tuple]:
    """Each association as (asn_type, asn_rule, [(product name, [(expname, exptype), ...])])."""
    out = []
    for asn in result.associations:
        data = asn.data
        products = [
            (product["name"], [(m["expname"], m["exptype"]) for m in product["members"]])
            for product in data["products"]
        ]
        out.append((data["asn_type"], data["asn_rule"], products))
    return out


BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def benchmark_module(name: str):
    """A script of ``benchmarks/`` loaded as a module, once per test session.

    The scripts are not a package: they import each other as siblings, so
    their folder is on ``sys.path`` while one loads, and the module is
    registered before it runs (dataclasses look their module up).
    """
    import importlib.util
    import sys

    qualified = f"asngen_bench_{name}"
    module = sys.modules.get(qualified)
    if module is None:
        spec = importlib.util.spec_from_file_location(qualified, BENCHMARKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module
        sys.path.insert(0, str(BENCHMARKS))
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[qualified]
            raise
        finally:
            sys.path.remove(str(BENCHMARKS))
    return module


def write_synthetic_pool(path: Path, rows: int, seed: int) -> Path:
    """A pool from the benchmark's generator (``benchmarks/make_pool.py``): every mode the
    benchmark pools have, candidates of every type, nods, TSO..."""
    benchmark_module("make_pool").write_pool(path, rows, seed)
    return path


def child_processes() -> set[int]:
    """This process's children still known to the system (zombies included): a test that
    forks checks that none is left behind."""
    import os

    me = str(os.getpid())
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me:
                found.add(int(entry.name))
    return found
