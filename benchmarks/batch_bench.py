#!/usr/bin/env python3
"""Throughput of ``asngen batch``: pools per second on 1 and 2 workers.

    python benchmarks/batch_bench.py                      # 1,000 pools of 20 rows
    python benchmarks/batch_bench.py --pools 200 --rows 50
    python benchmarks/batch_bench.py --configs inprocess,local-2 --json batch.json

An archive rebuild is many small pools, so what matters is pools per second
with the per-task overhead included.  The pools are written once by
``make_pool.py`` (seeds 1..N, cached under the temporary folder).  Each
configuration runs in a fresh Python process, from imports to the last
file written, into an empty output folder:

- ``inprocess``: ``--workers 1``, no Dask at all;
- ``dask-1``: a one-worker local Dask cluster, to show Dask's own cost;
- ``local-2``: ``--workers 2``, the local cluster ``batch`` starts itself.

Reported per configuration: wall seconds (including Python and Dask start),
pools per second over that wall time, and the steady rate between the first
and the last finished pool (start-up excluded).  Then, once, the cost of an
``--incremental`` rerun in which every pool is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIGS = ("inprocess", "dask-1", "local-2")


def make_pools(count: int, rows: int) -> Path:
    """``count`` synthetic pools of ``rows`` rows, written once and reused."""
    sys.path.insert(0, str(HERE))
    from make_pool import write_pool

    folder = Path(tempfile.gettempdir()) / "asngen-batch-bench" / f"{count}x{rows}"
    done = folder / ".complete"
    if not done.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for seed in range(1, count + 1):
            write_pool(folder / f"synthetic_{seed:05d}.csv", rows, seed)
        done.write_text("")
    return folder


def run_config(config: str, pools: Path, outdir: Path, incremental: bool) -> dict:
    """One measured run, in this (fresh) process; returns the timings as a dict."""
    start = time.perf_counter()
    from asngen.batch import batch

    stamps: list[float] = []
    on_result = lambda result, finished, total: stamps.append(time.perf_counter())  # noqa: E731
    kwargs: dict = {"incremental": incremental, "on_result": on_result}
    cluster = client = None
    if config == "inprocess":
        kwargs["workers"] = 1
    elif config == "local-2":
        kwargs["workers"] = 2
    elif config == "dask-1":
        import logging

        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                               dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
        client = Client(cluster)
        kwargs["scheduler"] = client
    else:
        raise SystemExit(f"unknown configuration {config!r}; known: {', '.join(CONFIGS)}")
    try:
        outcome = batch([pools], outdir, **kwargs)
    finally:
        if client is not None:
            client.close()
            cluster.close()
    wall = time.perf_counter() - start
    count = len(outcome)
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 and stamps[-1] > stamps[0] else None
    return {
        "config": config, "pools": count, "done": outcome.done, "skipped": outcome.skipped,
        "failed": outcome.failed, "associations": outcome.associations, "wall_s": round(wall, 3),
        "pools_per_s": round(count / wall, 2), "steady_pools_per_s": steady and round(steady, 2),
        "first_result_s": round(stamps[0] - start, 3) if stamps else None,
    }


def measure(config: str, pools: Path, outdir: Path, incremental: bool = False) -> dict:
    """Run ``config`` in a child process so that every run pays its own start-up."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", config,
               "--pool-dir", str(pools), "--outdir", str(outdir)]
    if incremental:
        command.append("--incremental")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # CPU of the whole process tree (Dask's nanny and worker processes are reaped by their
    # parents, so their time is in here too): what a run costs, whatever else the machine runs
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result["cpu_s"] = round(cpu, 2)
    result["cpu_ms_per_pool"] = round(1000 * cpu / max(result["pools"], 1), 1)
    return result


def _commit() -> str:
    try:
        done = subprocess.run(["git", "-C", str(HERE), "describe", "--always", "--dirty"],
                              capture_output=True, text=True, timeout=10)
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pools", type=int, default=1000, help="number of pools (default 1000)")
    parser.add_argument("--rows", type=int, default=20, help="rows per pool (default 20)")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help=f"comma-separated configurations (default: {','.join(CONFIGS)})")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--pool-dir", help=argparse.SUPPRESS)
    parser.add_argument("--outdir", help=argparse.SUPPRESS)
    parser.add_argument("--incremental", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(run_config(args.child, Path(args.pool_dir), Path(args.outdir), args.incremental)))
        return 0

    pools = make_pools(args.pools, args.rows)
    print(f"{args.pools} pools of {args.rows} rows in {pools}; {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, commit {_commit()}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="asngen-batch-bench-out-") as scratch:
        for config in args.configs.split(","):
            outdir = Path(scratch) / config
            result = measure(config, pools, outdir)
            results.append(result)
            print(f"  {config}: {result['wall_s']:.1f} s, {result['pools_per_s']:.1f} pools/s, "
                  f"{result['cpu_s']:.1f} CPU s, load average {os.getloadavg()[0]:.1f}", flush=True)
            if config == "inprocess":
                rerun = measure(config, pools, outdir, incremental=True)
                rerun["config"] = "inprocess, --incremental rerun"
                results.append(rerun)
            shutil.rmtree(outdir, ignore_errors=True)

    print()
    print("| configuration | pools | failed | associations | wall s | pools/s | steady pools/s "
          "| first result s | CPU s | CPU ms/pool |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        steady = "-" if r["steady_pools_per_s"] is None else f"{r['steady_pools_per_s']:.1f}"
        print(f"| {r['config']} | {r['pools']} | {r['failed']} | {r['associations']} | {r['wall_s']:.1f} "
              f"| {r['pools_per_s']:.1f} | {steady} | {r['first_result_s']:.1f} | {r['cpu_s']:.1f} "
              f"| {r['cpu_ms_per_pool']:.0f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
