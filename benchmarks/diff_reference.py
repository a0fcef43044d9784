#!/usr/bin/env python3
"""Run asngen and the reference asn_generate on the same pools and report every disagreement.

    python benchmarks/diff_reference.py POOL [POOL ...] [--set NAME ...] [--args "OPTS"] [-j 2]
    python benchmarks/diff_reference.py --shrink POOL --args "OPTS" -o MIN.csv

The golden corpus proves asngen on 114 known cases; the product is judged on
pools nobody has seen.  This tool is the search loop for unseen behaviour: it
runs both programs on each (pool, options) pair, compares the written
association files with the golden corpus's own comparer (same rules as the
corpus: ``code_version`` and ``constraints`` ignored) and compares the exit
statuses.  Two deliberate differences are allowed for: where the reference stops
on rows of no exposure type, asngen's output is compared with the reference's
on the pool without them (and if no row is left, asngen must succeed writing
nothing: the reference fails on an empty table); where it cannot read a FITS or VOTable pool (it
passes such a reader a delimiter), with the reference's on the same table
written as text.  ``--shrink`` delta-debugs one disagreeing pool down to a small
reproduction (rows first, then columns), which is what goes into
``tests/data/regressions``.

The reference is only *run* (``$ASNGEN_REFERENCE``, default
``/opt/jwstref/bin/asn_generate``), never
imported.  Both programs get ``--version-id golden`` so that names are
deterministic, unless the options name a version id or ``{no_version}``.
Association files are compared as JSON, or, with ``--format yaml``, parsed
as YAML.  ``{rules_dir}`` inside an option stands for the standard rule
folder and is replaced per program: jwst's ``associations/lib`` for the
reference, ``asngen/rules`` for asngen.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pool_text import PoolText  # noqa: E402 - beside this script

GOLDEN = Path("/work/shared/golden")
# ASNGEN_REFERENCE names the reference's asn_generate, as for benchmarks/run.py; its rule
# folder is found in the same virtualenv.
REFERENCE = Path(os.environ.get("ASNGEN_REFERENCE") or "/opt/jwstref/bin/asn_generate")
REF_RULES = next(
    iter(sorted(REFERENCE.resolve().parent.parent.glob("lib/python3*/site-packages/jwst/associations/lib"))),
    Path("/opt/jwstref/lib/python3.11/site-packages/jwst/associations/lib"),
)
OURS = [sys.executable, "-m", "asngen", "generate"]  # run this tool with the dev venv python



def _our_rules() -> Path:
    """The rule folder of the asngen that ``OURS`` runs (PYTHONPATH may name another build
    than this checkout's: its built-in rule files are then the ones it recognises)."""
    found = subprocess.run(
        [sys.executable, "-c", "from asngen.registry import RULES_DIR; print(RULES_DIR)"],
        capture_output=True, text=True, check=False,
    )
    if found.returncode == 0 and found.stdout.strip():
        return Path(found.stdout.strip())
    return Path(__file__).resolve().parents[1] / "src" / "asngen" / "rules"


OUR_RULES = _our_rules()

#: in an option list: give neither program ``--version-id`` (names without a version)
NO_VERSION = "{no_version}"

# The option combinations of the golden corpus; "{ids}" is filled from the pool.
OPTION_SETS: dict[str, list[str]] = {
    "default": [],
    "all_candidates": ["--all-candidates"],
    "discover": ["--discover"],
    "ids": ["-i", "{ids}"],
    "per_pool": ["--per-pool-algorithm"],
    "dms_ids": ["--DMS", "-i", "{ids}"],
    "merge": ["--merge"],
    "no_finalize": ["--no-finalize"],
    "l2": ["-r", "{rules_dir}/rules_level2b.py", "--ignore-default"],
    "l3": ["-r", "{rules_dir}/rules_level3.py", "--ignore-default"],
    # the combinations the corpus uses most, and the options no set above covers
    "l3_per_pool": ["-r", "{rules_dir}/rules_level3.py", "--ignore-default", "--per-pool-algorithm"],
    "l2_per_pool_all": [
        "-r", "{rules_dir}/rules_level2b.py", "--ignore-default", "--per-pool-algorithm", "--all-candidates",
    ],
    "debug": ["-D"],
    "dms": ["--DMS"],
    # combinations the corpus holds a few cases of
    "l3_per_pool_all_candidates": [
        "-r", "{rules_dir}/rules_level3.py", "--ignore-default", "--per-pool-algorithm", "--all-candidates",
    ],
    "l2_discover": ["-r", "{rules_dir}/rules_level2b.py", "--ignore-default", "--discover"],
    "l3_discover": ["-r", "{rules_dir}/rules_level3.py", "--ignore-default", "--discover"],
    "l3_per_pool_no_finalize": ["-r", "{rules_dir}/rules_level3.py", "--ignore-default", "--per-pool-algorithm",
                                "--no-finalize"],
    "merge_debug_per_pool": ["--merge", "-D", "--per-pool-algorithm"],
    # the forms of output the corpus holds none of: YAML files (compared parsed, see
    # compare_yaml_dirs) and names without a version id
    "yaml": ["--format", "yaml"],
    "no_version": [NO_VERSION],
    # one pass over the whole pool for two candidates: its associations pin either one
    "per_pool_ids": ["--per-pool-algorithm", "-i", "{ids}"],
}


def _comparer():
    """The golden corpus's compare.py, loaded as a module (it is stdlib only)."""
    spec = importlib.util.spec_from_file_location("golden_compare", GOLDEN / "compare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMPARE = _comparer()


#: the reference's failure on a pool format that takes no delimiter (FITS, VOTable), which
#: asngen reads (a deliberate difference, see asngen.pool)
NO_DELIMITER = "unexpected keyword argument 'delimiter'"


def _option_value(options: list[str], name: str) -> str | None:
    for position, option in enumerate(options):
        if option == name and position + 1 < len(options):
            return options[position + 1]
        if option.startswith(name + "="):
            return option.split("=", 1)[1]
    return None


def _without_option(options: list[str], name: str) -> list[str]:
    out, skip = [], False
    for option in options:
        if skip:
            skip = False
        elif option == name:
            skip = True
        elif not option.startswith(name + "="):
            out.append(option)
    return out


def pick_ids(pool: PoolText) -> list[str]:
    """One observation and one c-type candidate, as the corpus's ``-i o001 c1001`` cases do."""
    ids = pool.candidate_ids()
    chosen = [next((i for i in ids if i.startswith("o")), None)]
    chosen.append(next((i for i in ids if i.startswith("c")), None))
    return [i for i in chosen if i] or ["o001"]


def expand(options: list[str], ids: list[str]) -> list[str]:
    out: list[str] = []
    for option in options:
        out.extend(ids if option == "{ids}" else [option])
    return out


# ---------------------------------------------------------------------------
# Running both programs
# ---------------------------------------------------------------------------
@dataclass
class Outcome:
    """One (pool, options) pair: both exit statuses and the comparer's problem lines."""

    pool: Path
    options: list[str]
    ref_status: int | str
    our_status: int | str
    problems: list[str] = field(default_factory=list)
    ref_stderr: str = ""
    our_stderr: str = ""

    #: a deliberate difference from the reference that this comparison allowed for (see compare)
    deviation: str = ""

    @property
    def skipped(self) -> bool:
        return self.ref_status == "timeout"

    @property
    def agree(self) -> bool:
        return self.skipped or (not self.problems and self.ref_status == self.our_status)

    def command(self) -> str:
        return shlex.join(["asngen", "generate", str(self.pool), *self.options])


def _run(command: list[str], out: Path, timeout: float | None) -> tuple[int | str, str]:
    out.mkdir(parents=True)  # the reference needs an existing output folder
    try:
        proc = subprocess.run(
            command, cwd=out.parent, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "timeout", ""
    return proc.returncode, proc.stderr


def _with_version(args: list[str]) -> list[str]:
    """``args`` and ``--version-id golden``, unless they name a version id or :data:`NO_VERSION`."""
    if NO_VERSION in args:
        return [arg for arg in args if arg != NO_VERSION]
    if any(arg == "--version-id" or arg.startswith("--version-id=") for arg in args):
        return args
    return [*args, "--version-id", "golden"]


def run_reference(pool: Path, options: list[str], out: Path, timeout: float | None = 300):
    args = [o.replace("{rules_dir}", str(REF_RULES)) for o in options]
    return _run([str(REFERENCE), str(pool), *_with_version(args), "-p", str(out)], out, timeout)


def run_ours(pool: Path, options: list[str], out: Path, timeout: float | None = 300):
    args = [o.replace("{rules_dir}", str(OUR_RULES)) for o in options]
    return _run([*OURS, str(pool), *_with_version(args), "-p", str(out)], out, timeout)


def compare(
    pool: Path, options: list[str], timeout: float | None = 300, keep: Path | None = None
) -> Outcome:
    """Run both programs on one pool and compare what they wrote."""
    pool = pool.resolve()  # both programs run in a scratch folder
    with tempfile.TemporaryDirectory(prefix="diffref_") as tmp:
        ref_dir, our_dir = Path(tmp) / "ref" / "out", Path(tmp) / "ours" / "out"
        ref_status, ref_err = run_reference(pool, options, ref_dir, timeout)
        outcome = Outcome(pool, options, ref_status, "not-run", ref_stderr=ref_err)
        if outcome.skipped:
            return outcome
        outcome.our_status, outcome.our_stderr = run_ours(pool, options, our_dir, timeout)
        if ref_status != 0 and outcome.our_status == 0 and UNCLASSIFIABLE in ref_err:
            # asngen sets such rows aside (issue 7) where the reference aborts: what it writes
            # must be what the reference writes for the pool without them
            reduced = set_aside_unclassifiable(PoolText.read(pool))
            if reduced is not None and not reduced.rows:
                # every row set aside: the reference would be left an empty table, on which it
                # fails (tests/data/regressions/empty_pool); asngen must succeed writing nothing
                outcome.deviation = "every row unclassifiable (asngen must write nothing)"
                outcome.ref_status, ref_dir = 0, Path(tmp) / "nothing"
                COMPARE.compare_dirs(ref_dir, our_dir, out=outcome.problems.append)
                return outcome
            if reduced is not None:
                reduced_pool = Path(tmp) / pool.name
                reduced.write(reduced_pool)
                ref_dir = Path(tmp) / "ref_set_aside" / "out"
                outcome.ref_status, outcome.ref_stderr = run_reference(
                    reduced_pool, options, ref_dir, timeout
                )
                outcome.deviation = "unclassifiable rows set aside"
                if outcome.skipped:
                    return outcome
        fmt = _option_value(options, "--pool-format")
        if ref_status != 0 and outcome.our_status == 0 and NO_DELIMITER in ref_err and fmt:
            # asngen reads such a pool; what it writes must be what the reference writes for
            # the same table as text (under the same file name: it is in every association)
            text_pool = Path(tmp) / "text" / pool.name
            text_pool.parent.mkdir()
            PoolText.read_format(pool, fmt).write(text_pool)
            ref_dir = Path(tmp) / "ref_text" / "out"
            outcome.ref_status, outcome.ref_stderr = run_reference(
                text_pool, _without_option(options, "--pool-format"), ref_dir, timeout
            )
            outcome.deviation = f"the {fmt} pool given to the reference as text"
            if outcome.skipped:
                return outcome
        COMPARE.compare_dirs(ref_dir, our_dir, out=outcome.problems.append)
        compare_yaml_dirs(ref_dir, our_dir, out=outcome.problems.append)
        if keep is not None and not outcome.agree:
            for name, src in (("ref", ref_dir), ("ours", our_dir)):
                dest = keep / f"{pool.stem}__{'_'.join(options) or 'default'}" / name
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(src, dest)
        return outcome


def compare_yaml_dirs(expected_dir: Path, actual_dir: Path, out) -> None:
    """What the corpus's comparer does for ``*.json`` files, for ``*.yaml`` ones (which it
    does not list): the same names, and the same content once parsed, ``code_version`` and
    the informational ``constraints`` text set aside."""
    import yaml

    def listing(folder: Path) -> set[str]:
        return {p.name for p in folder.glob("*.yaml")} if folder.is_dir() else set()

    expected, actual = listing(expected_dir), listing(actual_dir)
    for name in sorted(expected | actual):
        if name not in actual:
            out(f"MISSING   {name}")
        elif name not in expected:
            out(f"EXTRA     {name}")
        else:
            left, right = (yaml.safe_load((folder / name).read_text(encoding="utf-8"))
                           for folder in (expected_dir, actual_dir))
            for data in (left, right):
                if isinstance(data, dict):
                    for key in COMPARE.IGNORED_KEYS:
                        data.pop(key, None)
            if left != right:
                out(f"DIFFERING {name}: {COMPARE._first_difference(left, right) or 'content'}")


#: how the reference stops on a science row without EXP_TYPE (asngen leaves the row out)
UNCLASSIFIABLE = "Exposure type cannot be determined"


def set_aside_unclassifiable(pool: PoolText) -> PoolText | None:
    """The pool without its rows of no exposure type (EXP_TYPE empty, PNTGTYPE empty or
    science), or None if it has none: the pool asngen generates from when the reference
    aborts on such a row."""
    from asngen.engine.patterns import EMPTY_SET  # the cell texts that mean "no value"

    exp_type, pointing = pool.column("exp_type"), pool.column("pntgtype")
    if exp_type is None:
        return None

    def unclassifiable(row: list[str]) -> bool:
        if exp_type < len(row) and row[exp_type].strip() not in EMPTY_SET:
            return False
        point = row[pointing].strip() if pointing is not None and pointing < len(row) else ""
        return point in EMPTY_SET or point.lower() == "science"

    kept = [row for row in pool.rows if not unclassifiable(row)]
    if len(kept) == len(pool.rows):
        return None
    return PoolText(pool.comments, pool.header, kept)


def describe(outcome: Outcome) -> str:
    lines = [f"DISAGREE {outcome.command()}"]
    if outcome.deviation:
        lines.append(f"  (against the reference on the pool with {outcome.deviation})")
    if outcome.ref_status != outcome.our_status:
        lines.append(f"  exit status {outcome.our_status} != reference {outcome.ref_status}")
        tail = (
            outcome.ref_stderr.strip().splitlines()[-1:]
            + outcome.our_stderr.strip().splitlines()[-1:]
        )
        lines.extend(f"    {line[:200]}" for line in tail)
    lines.extend(f"  {line[:300]}" for line in outcome.problems[:5])
    if len(outcome.problems) > 5:
        lines.append(f"  ... {len(outcome.problems) - 5} more")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Shrinking (delta debugging on rows, then on columns)
# ---------------------------------------------------------------------------
def _ddmin(items: list, still_fails) -> list:
    """Classic ddmin: the smallest sub-list (1-minimal) for which ``still_fails`` holds."""
    granularity = 2
    while len(items) >= 2:
        size = max(1, len(items) // granularity)
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        for index in range(len(chunks)):
            complement = [x for j, c in enumerate(chunks) if j != index for x in c]
            if complement and still_fails(complement):
                items = complement
                granularity = max(granularity - 1, 2)
                break
        else:
            if granularity >= len(items):
                break
            granularity = min(len(items), granularity * 2)
    return items


def shrink(
    pool_path: Path, options: list[str], timeout: float = 300, same_kind: bool = True
) -> PoolText:
    """Reduce a disagreeing pool while the disagreement persists.

    With ``same_kind`` the reduced pool must keep the first problem's kind
    (exit status, MISSING, EXTRA or DIFFERING), so that shrinking does not
    drift to an unrelated disagreement.
    """
    pool = PoolText.read(pool_path)
    first = compare(pool_path, options, timeout)
    if first.agree:
        raise SystemExit(f"{pool_path}: no disagreement to shrink")
    kind = _kind(first)
    work = Path(tempfile.mkdtemp(prefix="shrink_")) / pool_path.name

    def fails(candidate: PoolText) -> bool:
        candidate.write(work)
        outcome = compare(work, options, timeout)
        return not outcome.agree and (not same_kind or _kind(outcome) == kind)

    rows = _ddmin(pool.rows, lambda rows: fails(PoolText(pool.comments, pool.header, rows)))
    pool = PoolText([], pool.header, rows)
    if not fails(pool):  # the comments were needed after all (never so far)
        pool.comments = PoolText.read(pool_path).comments
    keep_cols = _ddmin(list(range(len(pool.header))), lambda cols: fails(_columns(pool, cols)))
    pool = _columns(pool, keep_cols)
    # Finally blank every remaining cell that is not needed.
    for r, row in enumerate(pool.rows):
        for c, cell in enumerate(row):
            if cell.strip() and cell.strip().lower() != "null":
                trial = PoolText(pool.comments, pool.header, [list(x) for x in pool.rows])
                trial.rows[r][c] = "null"
                if fails(trial):
                    row[c] = "null"
    shutil.rmtree(work.parent, ignore_errors=True)
    return pool


def _columns(pool: PoolText, keep: list[int]) -> PoolText:
    return PoolText(
        pool.comments,
        [pool.header[i] for i in keep],
        [[r[i] for i in keep if i < len(r)] for r in pool.rows],
    )


def _kind(outcome: Outcome) -> str:
    if outcome.ref_status != outcome.our_status:
        return f"exit {outcome.ref_status}/{outcome.our_status}"
    return outcome.problems[0].split()[0] if outcome.problems else "?"


def save_regression(pool: Path, options: list[str], folder: Path, timeout: float = 300) -> None:
    """Write ``folder`` in the layout of tests/data/regressions.

    The expected files come from running the reference on the saved
    ``pool.csv`` itself, because ``asn_pool`` holds the pool's file name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pool, folder / "pool.csv")
    (folder / "args.json").write_text(
        json.dumps([*options, "--version-id", "golden"], indent=2) + "\n"
    )
    expected = folder / "expected"
    shutil.rmtree(expected, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="diffref_") as tmp:
        status, _ = run_reference(
            (folder / "pool.csv").resolve(), options, Path(tmp) / "out", timeout
        )
        shutil.copytree(Path(tmp) / "out", expected, ignore=shutil.ignore_patterns("*.csv"))
    (folder / "meta.json").write_text(json.dumps({"exit_code": status}, indent=2) + "\n")


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pools", nargs="+", type=Path, help="pool files")
    parser.add_argument(
        "--set",
        dest="sets",
        nargs="+",
        choices=sorted(OPTION_SETS),
        help="option combinations to run (default: all of them)",
    )
    parser.add_argument(
        "--args",
        action="append",
        metavar="OPTS",
        help="an explicit option list instead of --set (repeatable); write --args=--merge when it starts with a dash and has no space",
    )
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel pairs (default 2)")
    parser.add_argument("--timeout", type=float, default=300, help="reference seconds per run")
    parser.add_argument("--keep", type=Path, help="keep both outputs of disagreeing pairs here")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list the agreeing runs")
    parser.add_argument(
        "--shrink", action="store_true", help="shrink the one pool given (needs one --args)"
    )
    parser.add_argument("-o", "--output", type=Path, help="where --shrink writes the reduced pool")
    parser.add_argument(
        "--save-regression",
        type=Path,
        metavar="DIR",
        help="store the one pool and one --args as a regression folder DIR",
    )
    args = parser.parse_args(argv)

    if args.shrink:
        if len(args.pools) != 1 or not args.args or len(args.args) != 1 or not args.output:
            parser.error("--shrink takes one pool, one --args and -o")
        reduced = shrink(args.pools[0], shlex.split(args.args[0]), args.timeout)
        reduced.write(args.output)
        print(f"{args.output}: {len(reduced.rows)} rows, {len(reduced.header)} columns")
        return 0

    if args.save_regression:
        if len(args.pools) != 1 or not args.args or len(args.args) != 1:
            parser.error("--save-regression takes one pool and one --args")
        save_regression(
            args.pools[0], shlex.split(args.args[0]), args.save_regression, args.timeout
        )
        print(f"{args.save_regression}: saved")
        return 0

    jobs = []
    fmts = {_option_value(shlex.split(a), "--pool-format") for a in args.args or ()} - {None}
    fmt = next(iter(fmts)) if len(fmts) == 1 else None  # (the pools' format, for their ids)
    for pool in args.pools:
        ids = pick_ids(PoolText.read_format(pool, fmt))
        if args.args:
            jobs.extend((pool, shlex.split(a)) for a in args.args)
        else:
            jobs.extend((pool, expand(OPTION_SETS[name], ids)) for name in args.sets or OPTION_SETS)

    counts = {"agree": 0, "disagree": 0, "skipped": 0, "both_failed": 0, "deviation": 0}
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as executor:
        futures = [
            executor.submit(compare, pool, opts, args.timeout, args.keep) for pool, opts in jobs
        ]
        for future in futures:
            outcome = future.result()
            if outcome.skipped:
                counts["skipped"] += 1
                print(f"SKIPPED  {outcome.command()} (reference timed out)", flush=True)
            elif outcome.agree:
                counts["agree"] += 1
                if outcome.ref_status != 0:
                    counts["both_failed"] += 1
                if outcome.deviation:
                    counts["deviation"] += 1
                if args.verbose:
                    note = f"; {outcome.deviation}" if outcome.deviation else ""
                    print(f"agree    {outcome.command()} (exit {outcome.ref_status}{note})", flush=True)
            else:
                counts["disagree"] += 1
                print(describe(outcome), flush=True)
    print(
        f"{len(jobs)} runs: {counts['agree']} agree ({counts['deviation']} of them allowing for a"
        f" deliberate difference), {counts['disagree']} disagree, {counts['skipped']} skipped"
    )
    return 1 if counts["disagree"] else 0


if __name__ == "__main__":
    sys.exit(main())
