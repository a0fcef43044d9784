"""The benchmark's report: the table, growth exponents and the issue's targets."""

from __future__ import annotations

import math
import statistics

from measuring import Measurement, PoolResult

ALL_CPUS = "corpus, all CPUs"  # the kind of a pool timed unpinned, with generate's default -j

FIT_RANGE = (10_000, 1_000_000)

#: What the issue asks for (see docs/performance.md).
TARGETS = {
    "mega_wall_s": 0.35,
    "mega_speedup": 1000.0,
    "exponent": 1.1,
    "million_wall_s": 60.0,
    "million_peak_bytes": 2 * 1024**3,
    "help_wall_s": 0.15,
}


def fit_exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(seconds) against log(rows); None with fewer than 2 sizes."""
    pts = [(math.log(n), math.log(t)) for n, t in points if n > 0 and t > 0]
    if len({x for x, _ in pts}) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    sxy = sum((x - mx) * (y - my) for x, y in pts)
    return sxy / sxx


def _fmt(value, spec: str, missing: str = "-") -> str:
    return missing if value is None else format(value, spec)


def print_table(results: list[PoolResult], help_runs: list[Measurement]) -> None:
    head = (
        f"{'pool':34s} {'rows':>9s} {'asns':>7s} {'wall s':>8s} {'fs s':>7s} {'rows/s':>9s} {'peak MB':>8s} "
        f"{'ref s':>8s} {'ref MB':>7s} {'speedup':>8s} {'=ref':>5s} {'check':>7s}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        if r.ok:
            wall = r.wall_s
            rate = _fmt(r.rows / wall if wall else None, ",.0f")
            cols = (
                f"{_fmt(r.associations, 'd'):>7s} {wall:8.3f} {_fmt(r.fs_floor_s, '7.3f'):>7s} {rate:>9s} "
                f"{r.peak_bytes / 1e6:8.1f}"
            )
        else:
            bad = r.runs[-1] if r.runs else None
            why = "timeout" if bad and bad.timed_out else f"exit {bad.returncode if bad else '?'}"
            cols = f"{'':>7s} {why:>8s} {'':>7s} {'':>9s} {'':>8s}"
        ref_s = ref_mb = speed = same = "-"
        if r.reference:
            ref_mb = f"{r.reference.maxrss_bytes / 1e6:.0f}"
            if r.reference.timed_out:
                ref_s = f">{r.reference.wall_s:.0f}"
                if r.ok:
                    speed = f">{r.reference.wall_s / r.wall_s:.0f}x"
            elif r.reference.returncode != 0:
                ref_s = f"exit {r.reference.returncode}"
            else:
                ref_s = f"{r.reference.wall_s:.2f}"
                speed = _fmt(r.speedup, ".0f") + ("x" if r.speedup else "")
            if r.same_as_reference is not None:
                same = "yes" if r.same_as_reference else "NO"
        print(
            f"{r.pool[:34]:34s} {r.rows:9d} {cols} {ref_s:>8s} {ref_mb:>7s} {speed:>8s} "
            f"{same:>5s} {r.checksum or '-':>7s}"
        )
    for r in results:
        if not r.ok and r.runs and r.runs[-1].stderr_tail:
            print(f"  {r.pool}: {r.runs[-1].stderr_tail}")
    if help_runs:
        walls = [m.wall_s for m in help_runs]
        print(
            f"\nasngen --help: median {statistics.median(walls):.3f} s, "
            f"min {min(walls):.3f} s over {len(walls)} runs"
        )


def summarise(results: list[PoolResult], help_runs: list[Measurement]) -> dict:
    """Growth exponents and the issue's targets, as data and as printed lines."""
    synth = [r for r in results if r.kind == "synthetic" and r.ok]
    lo, hi = FIT_RANGE
    fit_pts = [(r.rows, r.wall_s) for r in synth if lo <= r.rows <= hi]
    summary: dict = {
        "exponent_10k_1m": fit_exponent(fit_pts),
        "exponent_all_synthetic": fit_exponent([(r.rows, r.wall_s) for r in synth]),
        "reference_exponent": fit_exponent(
            [
                (r.rows, r.reference.wall_s)
                for r in results
                if r.kind == "synthetic"
                and r.reference
                and r.reference.returncode == 0
                and not r.reference.timed_out
            ]
        ),
        "fit_sizes": [n for n, _ in fit_pts],
    }
    print()
    print(
        f"growth exponent {lo:,}..{hi:,} rows: {_fmt(summary['exponent_10k_1m'], '.3f')} "
        f"(sizes {', '.join(f'{n:,}' for n in summary['fit_sizes']) or 'none'})"
    )
    print(f"growth exponent, all synthetic sizes: {_fmt(summary['exponent_all_synthetic'], '.3f')}")
    if summary["reference_exponent"] is not None:
        print(f"reference growth exponent (its sizes): {summary['reference_exponent']:.3f}")

    checks: list[tuple[str, bool | None, str]] = []
    mega = next((r for r in results if r.pool == "mega_pool.csv"), None)
    mega_all = next((r for r in results if r.kind == ALL_CPUS and r.pool.startswith("mega_pool.csv")), None)
    if mega_all and mega_all.ok:
        cpus = mega_all.pool.split(", ")[-1]
        checks.append(
            (
                f"mega_pool wall <= 0.35 s (default options, {cpus})",
                mega_all.wall_s <= TARGETS["mega_wall_s"],
                f"{mega_all.wall_s:.3f} s",
            )
        )
        if mega and mega.ok and mega.digest and mega_all.digest:
            checks.append(("mega_pool same output on one CPU and all", mega.digest == mega_all.digest, ""))
    if mega and mega.ok:
        checks.append(
            (
                "mega_pool wall <= 0.35 s" + (" (one CPU; informative)" if mega_all else ""),
                None if mega_all else mega.wall_s <= TARGETS["mega_wall_s"],
                f"{mega.wall_s:.3f} s",
            )
        )
        if mega.speedup is not None and mega_all and mega_all.ok:
            # the reference has one process to offer: its time is the one-CPU row's
            speedup = mega.reference.wall_s / mega_all.wall_s
            checks.append(
                (
                    "mega_pool >= 1000x the reference (default options)",
                    speedup >= TARGETS["mega_speedup"],
                    f"{speedup:.0f}x",
                )
            )
        if mega.speedup is not None:
            checks.append(
                (
                    "mega_pool >= 1000x the reference" + (" (one CPU; informative)" if mega_all else ""),
                    None if mega_all else mega.speedup >= TARGETS["mega_speedup"],
                    f"{mega.speedup:.0f}x",
                )
            )
    exp = summary["exponent_10k_1m"]
    if exp is not None:
        checks.append(("growth exponent <= 1.1", exp <= TARGETS["exponent"], f"{exp:.3f}"))
    million = next((r for r in synth if r.rows == 1_000_000), None)
    if million:
        checks.append(
            (
                "1,000,000 rows <= 60 s",
                million.wall_s <= TARGETS["million_wall_s"],
                f"{million.wall_s:.1f} s",
            )
        )
        checks.append(
            (
                "1,000,000 rows <= 2 GB peak",
                million.peak_bytes <= TARGETS["million_peak_bytes"],
                f"{million.peak_bytes / 2**30:.2f} GiB",
            )
        )
    if help_runs:
        med = statistics.median(m.wall_s for m in help_runs)
        checks.append(("asngen --help <= 0.15 s", med <= TARGETS["help_wall_s"], f"{med:.3f} s"))
    for r in results:
        if r.checksum is not None:
            checks.append((f"checksum {r.pool}", r.checksum == "ok", r.checksum))
        if r.same_as_reference is not None:
            checks.append((f"same output as reference: {r.pool}", r.same_as_reference, ""))
    if checks:
        print("\ntargets:")
        for name, passed, value in checks:
            mark = "info" if passed is None else "PASS" if passed else "FAIL"
            print(f"  [{mark}] {name:45s} {value}")
    summary["targets"] = [{"name": n, "passed": p, "value": v} for n, p, v in checks]
    return summary
