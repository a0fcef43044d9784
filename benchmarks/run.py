#!/usr/bin/env python3
"""Time ``asngen generate`` as a whole process on real and synthetic pools.

    python benchmarks/run.py                      # full run (corpus + 1k..1M rows)
    python benchmarks/run.py --quick              # a couple of minutes
    python benchmarks/run.py --sizes 1000,10000 --json results.json
    ASNGEN_REFERENCE=/opt/jwstref/bin/asn_generate python benchmarks/run.py
    python benchmarks/run.py --check              # outputs unchanged? (exit 1 if not)
    python benchmarks/run.py --update-checksums   # record the current outputs
    python benchmarks/run.py --profile 100000     # cProfile one run, print the top

Every measured command runs in a fresh ``_measure.py`` wrapper, so peak memory
(``ru_maxrss`` of RUSAGE_CHILDREN) belongs to that run alone; wall time is
``time.perf_counter`` around the child process.  By default the child is
pinned to one CPU; mega_pool is timed a second time unpinned, where
generate's default ``-j`` runs one process per CPU the benchmark may use
(the issue's mega_pool target is for default options; the 1,000,000-row
target is for one core).  When ``ASNGEN_REFERENCE`` names the reference
``asn_generate``, it runs on the same pools in the same run (pools up to
``--reference-max-rows`` rows), its outputs are compared with ours, and the
speed ratio is printed.  The growth exponent is the least-squares slope of
log(seconds) against log(rows) over the synthetic pools.

Needs only the standard library; ``make_pool.py`` writes the synthetic pools
(cached by size, seed and a hash of the pool generator's source).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_pool  # noqa: E402  (sibling modules)
from measuring import (  # noqa: E402
    Measurement,
    PoolResult,
    count_rows,
    file_sha256,
    file_system_floor,
    measure,
    output_summary,
    outputs_digest,
    settle_disk,
    short_of_room,
)
from report import ALL_CPUS, print_table, summarise  # noqa: E402

DEFAULT_SIZES = (1000, 3000, 10000, 30000, 100000, 300000, 1000000)
QUICK_SIZES = (1000, 10000, 100000)
#: Extra small synthetic sizes, timed only when the reference runs (for its growth exponent).
REFERENCE_SIZES = (100, 300)
CORPUS_POOLS = (
    "mega_pool.csv",
    "pool_004_wfs.csv",
    "pool_018_all_exptypes.csv",
    "pool_013_coron_nircam.csv",
    "pool_001_candidates.csv",
)
QUICK_CORPUS = ("mega_pool.csv",)
#: Corpus pools timed a second time unpinned, with every CPU this run may use: generate's
#: default ``-j`` takes one process per CPU for pools of 200 rows or more.
ALL_CPUS_POOLS = ("mega_pool.csv",)
DEFAULT_GOLDEN = Path("/work/shared/golden/pools")
CHECKSUM_FILE = HERE / "checksums.json"
CHECK_SIZES = (300, 1000, 10000, 100000)  # with the default --seed 1

# ---------------------------------------------------------------------------
# running things


def asngen_command(args: argparse.Namespace) -> list[str]:
    """The asngen executable: --asngen, else the one beside this Python, else on PATH."""
    if args.asngen:
        return args.asngen.split()
    beside = Path(sys.executable).with_name("asngen")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("asngen")
    if found:
        return [found]
    return [sys.executable, "-m", "asngen"]


def file_system(folder: Path | None) -> str:
    """The type and device of the file system holding ``folder`` (from /proc/mounts)."""
    path = os.path.realpath(folder or tempfile.gettempdir())
    best = ("", "unknown file system")
    try:
        with open("/proc/mounts") as mounts:
            for line in mounts:
                device, mount, kind, options = line.split()[:4]
                if (path == mount or path.startswith(mount.rstrip("/") + "/")) and len(mount) >= len(best[0]):
                    best = (mount, f"{kind} on {device}, mounted at {mount}, {options}")
    except OSError:
        pass
    return best[1]


def asngen_build(asngen: list[str]) -> str:
    """What ``asngen --version`` says: the version, and whether its hot modules are compiled."""
    try:
        done = subprocess.run([*asngen, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"unknown ({err})"
    return (done.stdout.strip() or done.stderr.strip()[-200:]) or "unknown"


def precompile(asngen: list[str]) -> str:
    """Byte-compile the asngen package that will be timed.

    Installed packages normally carry their bytecode; an editable install run
    with PYTHONDONTWRITEBYTECODE set would instead compile every module from
    source on every run, which is not what users time.
    """
    python = asngen[0] if asngen[0].endswith(("python", "python3")) else None
    if python is None:
        script = Path(asngen[0])
        first = script.read_text(errors="replace").splitlines()[:1] if script.is_file() else []
        python = first[0][2:].strip() if first and first[0].startswith("#!") else sys.executable
    code = "import asngen, compileall, os; compileall.compile_dir(os.path.dirname(asngen.__file__), quiet=2)"
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"bytecode: could not precompile ({done.stderr.strip()[-200:]})"
    return f"bytecode: asngen package precompiled with {python}"


def generator_hash() -> str:
    h = hashlib.sha256()
    for name in ("make_pool.py", "pool_modes.py"):
        h.update((HERE / name).read_bytes())
    return h.hexdigest()[:12]


def available_cpus() -> int:
    """CPUs this process may run on (its affinity, which ``taskset`` narrows)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def synthetic_pool(rows: int, seed: int, cache: Path) -> Path:
    """The cached synthetic pool for (rows, seed), written if missing."""
    folder = cache / generator_hash()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthetic_{rows}r_s{seed}_pool.csv"
    if not path.exists():
        start = time.perf_counter()
        make_pool.write_pool(path, rows, seed)
        print(f"  (wrote {path.name} in {time.perf_counter() - start:.1f} s)", flush=True)
    return path


def run_pool(
    res: PoolResult,
    pool: Path,
    args: argparse.Namespace,
    work: Path,
    reference: str | None,
    want_digest: bool,
    cpu: int | None = None,
) -> None:
    """Time asngen and, if applicable, the reference on one pool.

    By default a run that took under 5 s is repeated to three runs (the
    median is reported): short runs are the noisy ones, long runs are not
    worth repeating.  ``cpu`` overrides ``--cpu`` (-1: not pinned).
    """
    cpu = args.cpu if cpu is None else cpu
    repeat = args.repeat or 3
    for i in range(repeat):
        if not args.repeat and i > 0 and res.runs[0].wall_s >= 5.0:
            break
        out = work / f"out-{i}"
        out.mkdir()
        cmd = [*asngen_command(args), "generate", str(pool), *args.generate_args, "-p", str(out)]
        env = None
        if args.jobs:
            cmd[-2:-2] = ["-j", str(args.jobs)]
            env = {**os.environ, "ASNGEN_MEASURE_TREE": "1"}
        res.runs.append(measure(cmd, args.timeout, cpu, work, env=env))
        if i == 0 and res.runs[0].returncode == 0:
            res.associations, res.types = output_summary(out)
            if want_digest:
                res.digest = outputs_digest(out)
            res.fs_floor_s = file_system_floor(out, work)
        # the output stays until the benchmark ends (measuring.KEEP_OUTPUTS_WHY)
        if res.runs[-1].returncode != 0 or res.runs[-1].timed_out:
            break
    if reference and res.rows <= args.reference_max_rows:
        out = work / "ref-out"
        out.mkdir()
        cmd = [reference, str(pool), *args.generate_args, "-p", str(out)]
        res.reference = measure(cmd, args.reference_timeout, cpu, work)
        if res.reference.returncode == 0 and not res.reference.timed_out:
            res.reference_associations = output_summary(out)[0]
            res.reference_digest = outputs_digest(out)
            if res.ok:
                res.same_as_reference = res.digest == res.reference_digest


# ---------------------------------------------------------------------------
# reporting


# ---------------------------------------------------------------------------
# checksums


def load_checksums(path: Path) -> dict:
    if path.exists():
        return json.loads(path.read_text())
    return {"note": "", "pools": {}}


def check_key(rows: int, seed: int) -> str:
    return f"synthetic_{rows}r_s{seed}"


def apply_checksum(res: PoolResult, pool: Path, book: dict) -> None:
    """Compare one synthetic result with the checksum book ('ok', 'DIFFERS', ...)."""
    entry = book.get("pools", {}).get(check_key(res.rows, res.seed or 0))
    if entry is None or not res.ok:
        return
    if entry.get("pool_sha256") != file_sha256(pool):
        res.checksum = "POOL"  # make_pool output changed: the recorded digest is stale
    elif not entry.get("outputs_sha256"):
        res.checksum = "unset"
    else:
        res.checksum = "ok" if entry["outputs_sha256"] == res.digest else "DIFFERS"


def update_checksums(results: list[PoolResult], pools: dict[str, Path], path: Path) -> None:
    """Record the digests of this run's synthetic pools (and the reference's, if it ran)."""
    book = load_checksums(path)
    book["note"] = (
        "Digests of `asngen generate` outputs on synthetic pools (benchmarks/run.py "
        "--update-checksums); see docs/performance.md. reference_* fields come from the "
        "reference asn_generate when it ran beside it."
    )
    for r in results:
        if r.kind != "synthetic":
            continue
        key = check_key(r.rows, r.seed or 0)
        entry = book["pools"].get(key, {})
        entry.update(
            rows=r.rows,
            seed=r.seed,
            pool_sha256=file_sha256(pools[r.pool]),
        )
        if r.ok:
            entry.update(outputs_sha256=r.digest, files=r.associations, types=r.types)
        if r.reference_digest:
            entry.update(
                reference_outputs_sha256=r.reference_digest,
                reference_files=r.reference_associations,
            )
        book["pools"][key] = entry
    path.write_text(json.dumps(book, indent=2, sort_keys=True) + "\n")
    print(f"\nwrote {path}")


# ---------------------------------------------------------------------------
# profiling


def profile(target: str, args: argparse.Namespace, work: Path) -> None:
    """Run asngen generate once under cProfile and print where the time goes."""
    import pstats

    if target.isdigit():
        pool = synthetic_pool(int(target), args.seed, args.pool_cache)
    else:
        pool = Path(target) if Path(target).exists() else args.golden / target
    out = work / "prof-out"
    out.mkdir()
    stats = work / "asngen.prof"
    # Through main(), not the console entry: `generate` ends its process with
    # os._exit, which would leave cProfile no chance to write its file.
    script = work / "profiled_main.py"
    script.write_text(
        "import sys\nfrom asngen.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    cmd = [
        sys.executable,
        "-m",
        "cProfile",
        "-o",
        str(stats),
        str(script),
        "generate",
        str(pool),
        *args.generate_args,
        "-p",
        str(out),
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL)
    print(f"profiled {pool.name}: exit {proc.returncode}, {time.perf_counter() - start:.2f} s")
    if stats.exists():
        for order in ("tottime", "cumulative"):
            print(f"\n--- top {args.profile_top} by {order} ---")
            pstats.Stats(str(stats)).sort_stats(order).print_stats(args.profile_top)
        if args.profile_keep:
            shutil.copy(stats, args.profile_keep)
            print(f"profile kept in {args.profile_keep}")


# ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", help="synthetic pool sizes, comma-separated (default: 1k..1M)")
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"sizes {','.join(map(str, QUICK_SIZES))} and mega_pool only",
    )
    p.add_argument("--seed", type=int, default=1, help="seed of the synthetic pools (default 1)")
    p.add_argument("--corpus", help="corpus pools to time, comma-separated ('' for none)")
    p.add_argument("--golden", type=Path, default=DEFAULT_GOLDEN, help="golden pools folder")
    p.add_argument("--asngen", help="asngen command (default: beside this Python, else PATH)")
    p.add_argument(
        "--generate-args",
        default="",
        help="extra options for generate (default: none = default options)",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=0,
        help="runs per pool (default: 3 if a run takes under 5 s, else 1); median is reported",
    )
    p.add_argument("--help-runs", type=int, default=5, help="timed runs of `asngen --help`")
    p.add_argument(
        "--settle", type=float, default=300, metavar="SECONDS",
        help="before timing, wait up to this long for the work folder's disk to create files at "
        "no more than 3x the cost in memory (a disk that just deleted many files is slow for "
        "minutes); 0: probe once, do not wait (default: 300)",
    )
    p.add_argument(
        "--cpu",
        type=int,
        default=None,
        help="pin measured processes to this CPU (default 0, or none with --jobs); -1 = no pinning",
    )
    p.add_argument(
        "--jobs",
        type=int,
        help="run asngen with -j N (worker processes); the runs are not pinned unless --cpu "
        "says so, and peak memory is the sum over the workers (sampled every 50 ms)",
    )
    p.add_argument("--timeout", type=float, default=900, help="asngen timeout per run (s)")
    p.add_argument(
        "--reference-max-rows",
        type=int,
        default=900,
        help="run the reference only on pools up to this many rows (default 900: mega_pool's "
        "838 rows take it 6-10 minutes, a 1,000-row synthetic pool over 10)",
    )
    p.add_argument(
        "--reference-timeout",
        type=float,
        default=1200,
        help="kill the reference after this many seconds (default 1200)",
    )
    p.add_argument("--no-reference", action="store_true", help="ignore ASNGEN_REFERENCE")
    p.add_argument(
        "--pool-cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "asngen-bench-pools",
        help="where synthetic pools are cached",
    )
    p.add_argument(
        "--work-dir",
        type=Path,
        help="where the runs write their outputs (default: the system's temporary folder); "
        "its file system is printed, and what it costs is measured beside every pool",
    )
    p.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    p.add_argument(
        "--check",
        action="store_true",
        help="only run the checksum pools and compare with the checksum file",
    )
    p.add_argument(
        "--update-checksums",
        action="store_true",
        help="only run the checksum pools and rewrite the checksum file",
    )
    p.add_argument("--checksum-file", type=Path, default=CHECKSUM_FILE)
    p.add_argument(
        "--profile",
        metavar="ROWS_OR_POOL",
        help="profile one run (a synthetic size or a pool file) and exit",
    )
    p.add_argument("--profile-top", type=int, default=30)
    p.add_argument("--profile-keep", type=Path, help="copy the .prof file here")
    args = p.parse_args(argv)
    args.generate_args = args.generate_args.split()
    if args.cpu is None:
        args.cpu = -1 if args.jobs else 0
    if args.check and args.update_checksums:
        p.error("--check and --update-checksums are exclusive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress lines appear as they happen
    reference = None if args.no_reference else os.environ.get("ASNGEN_REFERENCE") or None
    checking = args.check or args.update_checksums
    if checking:
        if args.generate_args:
            print("run.py: checksums are defined for default generate options", file=sys.stderr)
            return 2
        sizes: tuple[int, ...] = CHECK_SIZES
        if args.sizes:
            sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
        corpus: tuple[str, ...] = ()
    else:
        sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
        if args.sizes is not None:
            sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
        corpus = QUICK_CORPUS if args.quick else CORPUS_POOLS
        if args.corpus is not None:
            corpus = tuple(c for c in args.corpus.split(",") if c.strip())
        if reference and args.sizes is None and not args.quick:
            sizes = tuple(sorted(set(sizes) | set(REFERENCE_SIZES)))

    asngen = asngen_command(args)
    build = asngen_build(asngen)
    print(f"asngen: {' '.join(asngen)}" + (f" (generate -j {args.jobs})" if args.jobs else "") + f": {build}")
    print(
        f"reference: {reference or '(not set: ASNGEN_REFERENCE)'}"
        + (f", pools up to {args.reference_max_rows:,} rows" if reference else "")
    )
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{available_cpus()} usable, pinned to {'CPU ' + str(args.cpu) if args.cpu >= 0 else 'none'}"
        f"{' (except the all-CPUs rows)' if args.cpu >= 0 and not args.jobs else ''}, "
        f"Python {platform.python_version()}"
    )

    if args.work_dir:
        args.work_dir.mkdir(parents=True, exist_ok=True)
    print(f"outputs written under: {args.work_dir or tempfile.gettempdir()} ({file_system(args.work_dir)})")
    if not args.profile:
        short = short_of_room(args.work_dir or Path(tempfile.gettempdir()), list(sizes))
        if short:
            print(f"run.py: {short}", file=sys.stderr)
            return 2
    print(precompile(asngen) + "\n")

    book = load_checksums(args.checksum_file)
    results: list[PoolResult] = []
    pools: dict[str, Path] = {}
    help_runs: list[Measurement] = []
    disk = None
    with tempfile.TemporaryDirectory(prefix="asngen-bench-", dir=args.work_dir) as tmp:
        work = Path(tmp)
        if args.profile:
            profile(args.profile, args, work)
            return 0
        if not checking:
            for _ in range(args.help_runs):
                help_runs.append(measure([*asngen, "--help"], 60, args.cpu, work))
            disk = settle_disk(work, args.settle)
            print(disk.line() + "\n")
        jobs: list[tuple[str, Path, PoolResult]] = []
        for name in corpus:
            path = args.golden / name
            if not path.exists():
                print(f"  (skipping {name}: not found in {args.golden})")
                continue
            jobs.append((name, path, PoolResult(name, "corpus", count_rows(path))))
        cpus = available_cpus()
        if not checking and args.cpu >= 0 and not args.jobs and cpus > 1:
            for name, path, res in list(jobs):
                if name in ALL_CPUS_POOLS:  # default options use every CPU: the target
                    # timed right after its one-CPU twin, so that both meet the disk in one state
                    jobs.insert(jobs.index((name, path, res)) + 1,
                                (name, path, PoolResult(f"{name}, {cpus} CPUs", ALL_CPUS, res.rows)))
        for n in sizes:
            path = synthetic_pool(n, args.seed, args.pool_cache)
            jobs.append((path.name, path, PoolResult(path.name, "synthetic", n, args.seed)))
        for name, path, res in jobs:
            print(f"running {name} ({res.rows:,} rows) ...", flush=True)
            pools[name] = path
            in_book = check_key(res.rows, res.seed or 0) in book.get("pools", {})
            ref_runs = bool(reference) and res.rows <= args.reference_max_rows
            want_digest = checking or ref_runs or (res.kind == "synthetic" and in_book) or name in ALL_CPUS_POOLS
            run_dir = work / f"run-{len(results)}"
            run_dir.mkdir()
            if res.kind == ALL_CPUS:  # not pinned; the reference has only one process to offer
                run_pool(res, path, args, run_dir, None, True, cpu=-1)
            else:
                run_pool(res, path, args, run_dir, reference, want_digest)
            if res.kind == "synthetic" and not args.update_checksums:
                apply_checksum(res, path, book)
            results.append(res)
    print()
    print_table(results, help_runs)
    summary = summarise(results, help_runs)

    status = 0
    if args.update_checksums:
        update_checksums(results, pools, args.checksum_file)
        status = 0 if all(r.ok for r in results) else 1
    elif args.check:
        for r in results:
            if r.checksum != "ok":
                what = {
                    None: "no checksum recorded (run --update-checksums)" if r.ok else "run failed",
                    "unset": "no checksum recorded (run --update-checksums)",
                    "POOL": "make_pool output changed; checksums are stale",
                    "DIFFERS": "outputs differ from the recorded checksum",
                }[r.checksum]
                print(f"check {r.pool}: {what}")
                status = 1
        print("check: all outputs identical" if status == 0 else "check: FAILED")
    if args.json:
        payload = {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": {
                "node": platform.node(),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "pinned_cpu": args.cpu,
            },
            "asngen": asngen,
            "asngen_build": build,
            "reference": reference,
            "generate_args": args.generate_args,
            "jobs": args.jobs,
            "help_runs": [asdict(m) for m in help_runs],
            "disk": asdict(disk) if disk is not None else None,
            "pools": [
                {
                    **asdict(r),
                    "wall_s": r.wall_s,
                    "peak_bytes": r.peak_bytes,
                    "rows_per_s": r.rows / r.wall_s if r.ok and r.wall_s else None,
                    "speedup": r.speedup,
                }
                for r in results
            ],
            "summary": summary,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return status


if __name__ == "__main__":
    sys.exit(main())
