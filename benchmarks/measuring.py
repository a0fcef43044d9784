"""Measuring one process run, and what a benchmark run records per pool.

Every measured command runs in a fresh ``_measure.py`` wrapper process:
``getrusage(RUSAGE_CHILDREN)`` reports the largest resident set of all the
children a process has waited for, so a fresh wrapper per run makes the peak
memory that run's alone.  Output digests make runs comparable across
versions and with the reference.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class Measurement:
    """One process run as the wrapper saw it."""

    returncode: int
    timed_out: bool
    wall_s: float
    user_s: float
    sys_s: float
    maxrss_bytes: int
    tree_rss_bytes: int | None = None  # summed over worker processes (sampled), when asked
    stderr_tail: str = ""


@dataclass
class PoolResult:
    """Everything measured on one pool."""

    pool: str
    kind: str  # "corpus" or "synthetic"
    rows: int
    seed: int | None = None
    runs: list[Measurement] = field(default_factory=list)
    associations: int | None = None
    types: dict[str, int] = field(default_factory=dict)
    digest: str | None = None
    checksum: str | None = None  # "ok", "DIFFERS", "pool changed", or None (not checked)
    reference: Measurement | None = None
    reference_associations: int | None = None
    reference_digest: str | None = None
    same_as_reference: bool | None = None
    #: seconds the file system alone needs to create and rename files of the same number and
    #: sizes as this pool's output, measured right after the first run (see file_system_floor)
    fs_floor_s: float | None = None

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.returncode == 0 and not r.timed_out for r in self.runs)

    @property
    def wall_s(self) -> float | None:
        return statistics.median(r.wall_s for r in self.runs) if self.runs else None

    @property
    def peak_bytes(self) -> int | None:
        if not self.runs:
            return None
        return max(max(r.maxrss_bytes, r.tree_rss_bytes or 0) for r in self.runs)

    @property
    def speedup(self) -> float | None:
        if not (self.reference and self.ok and self.wall_s):
            return None
        return self.reference.wall_s / self.wall_s


def measure(
    command: list[str], timeout: float, cpu: int, workdir: Path, env: dict | None = None
) -> Measurement:
    """Run ``command`` once inside a fresh wrapper process and return what it measured."""
    result = workdir / "measure.json"
    stderr = workdir / "stderr.txt"
    wrapper = [sys.executable, str(HERE / "_measure.py"), str(result), str(timeout), str(cpu)]
    subprocess.run([*wrapper, str(stderr), "--", *command], check=True, env=env)
    data = json.loads(result.read_text())
    tail = stderr.read_text(errors="replace").strip().splitlines()[-1:] if stderr.exists() else []
    return Measurement(**data, stderr_tail=tail[0][:200] if tail else "")


def output_summary(outdir: Path) -> tuple[int, dict[str, int]]:
    """Number of association files and their count per asn_type, read from the file names.

    Names are ``jw{program}-{acid}[_{stamp}]_{asn_type}_{seq}_asn.json``; no
    asn_type contains ``_``, so the type is the third field from the end.
    """
    types: dict[str, int] = {}
    n = 0
    for entry in os.scandir(outdir):
        if entry.name.endswith(".json"):
            n += 1
            parts = entry.name.removesuffix(".json").split("_")
            kind = parts[-3] if len(parts) >= 3 else "?"
            types[kind] = types.get(kind, 0) + 1
    return n, dict(sorted(types.items()))


#: Why nothing is deleted until the benchmark ends.  On ext4 without a journal (this VM's
#: disk) the kernel will not reuse an inode freed less than 30 s ago, and each new file
#: walks past every such inode of its block group (``recently_deleted`` in a kernel
#: profile): after deleting one run's 858 files, creating the next run's took 0.4-0.7 s
#: instead of 15-30 ms.  Outputs and floor files therefore stay in the work folder, which
#: is deleted once, after the last measurement.
KEEP_OUTPUTS_WHY = "a file created within 30 s of deletions costs up to 40x more on ext4 without a journal"


def _create_files(folder: Path, sizes: list[int]) -> None:
    """Files of these sizes in ``folder`` (named by number), with plain system calls, as
    asngen writes its own."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    for number, size in enumerate(sizes):
        handle = os.open(folder / f"f{number:08d}", flags, 0o666)
        os.write(handle, b"x" * size)
        os.close(handle)


def file_system_floor(outdir: Path, scratch: Path) -> float:
    """Seconds to write files like ``outdir``'s atomically, doing nothing else.

    The same number of files with the same sizes are created in a staging
    folder with plain system calls and then renamed into place, one by one,
    as asngen writes into a folder that is not empty (into a new or empty
    one it renames the staging folder once, so there this is an upper
    bound).  It is what a tool writing those files atomically needs on this file system;
    on a virtual machine's disk it varies a lot from minute to minute, so it
    is measured beside every pool.  The files stay (in ``scratch``) until the
    benchmark ends: see :data:`KEEP_OUTPUTS_WHY`.
    """
    sizes = [entry.stat().st_size for entry in os.scandir(outdir) if entry.is_file()]
    target = scratch / "fs-floor"
    staging = target / ".staging"
    staging.mkdir(parents=True)
    start = time.perf_counter()
    _create_files(staging, sizes)
    for number in range(len(sizes)):
        os.replace(staging / f"f{number:08d}", target / f"f{number:08d}")
    return time.perf_counter() - start


#: files and bytes of a disk probe: mega_pool's output, about
PROBE_FILES, PROBE_BYTES = 858, 1400
#: files a pool of n rows leaves in the work folder until the run ends: its associations
#: (about one a row in the synthetic pools) and as many for the file system's floor
FILES_PER_ROW = 2
#: the corpus pools, probes, staging and the reference's outputs: a full run that passed with
#: 20,000 to spare ran out of files 48,000 short, at the last pool's floor
ROOM_SLACK = 100_000


def short_of_room(folder: Path, rows: list[int]) -> str | None:
    """Why ``folder`` cannot hold a run over pools of these sizes (None: it can, or its file
    system does not say how many files it can take).

    A run keeps every output until it ends (see KEEP_OUTPUTS_WHY): a full
    run leaves about 2.9 million files, and a tmpfs of 24 GB holds about
    3.1 million.  Found out at the last pool, that is ten minutes lost.
    """
    needed = FILES_PER_ROW * sum(rows) + ROOM_SLACK
    status = os.statvfs(folder)
    if status.f_files == 0:  # no fixed number of files (btrfs, some network file systems)
        return None
    free = status.f_favail
    if free >= needed:
        return None
    return (f"{folder} can take {free:,} more files and this run keeps about {needed:,} until it ends "
            "(every pool's outputs and the file system floor's copies): free some, or choose "
            "another --work-dir")


#: the disk counts as settled when a probe costs at most this many times a probe in memory
SETTLED_RATIO = 3.0
MEMORY_FOLDER = Path("/dev/shm")


def disk_probe(scratch: Path) -> float:
    """Seconds to create :data:`PROBE_FILES` small files in a new folder under ``scratch``.

    The files stay until the benchmark ends (deleting them is what would
    slow the disk: see :data:`KEEP_OUTPUTS_WHY`).
    """
    folder = Path(tempfile.mkdtemp(prefix="disk-probe-", dir=scratch))
    start = time.perf_counter()
    _create_files(folder, [PROBE_BYTES] * PROBE_FILES)
    return time.perf_counter() - start


@dataclass
class DiskState:
    """What :func:`settle_disk` found: the probe in memory, the disk's probes, the wait."""

    memory_s: float | None
    disk_s: list[float] = field(default_factory=list)
    waited_s: float = 0.0
    settled: bool = True

    def line(self) -> str:
        if self.memory_s is None:
            return "disk not probed (no memory file system to compare with)"
        last = self.disk_s[-1]
        text = (f"disk probe: {PROBE_FILES} files in {last * 1e3:.1f} ms "
                f"(in memory {self.memory_s * 1e3:.1f} ms)")
        if self.waited_s:
            text += f", after waiting {self.waited_s:.0f} s (first probe {self.disk_s[0] * 1e3:.1f} ms)"
        if not self.settled:
            text += "; STILL SLOW: file-writing times and ratios in this run understate asngen"
        return text


def settle_disk(scratch: Path, limit_s: float, pause_s: float = 15.0) -> DiskState:
    """Wait, up to ``limit_s``, until creating files on ``scratch``'s disk costs at most
    :data:`SETTLED_RATIO` times what it costs in memory (tmpfs).

    A virtual machine's disk that has just deleted many files (a reference
    comparison's, an earlier benchmark's) creates files five to ten times
    slower for minutes, and mega_pool's whole run is about 0.2 s of which its
    files are 0.02-0.05 s when the disk is well: a run started then measures
    the disk, not asngen.  The probes make that visible, and waiting for the
    disk to recover is what a person timing by hand would do.
    """
    if not MEMORY_FOLDER.is_dir():
        return DiskState(None)
    with tempfile.TemporaryDirectory(prefix="asngen-probe-", dir=MEMORY_FOLDER) as memory:
        memory_s = min(disk_probe(Path(memory)) for _ in range(3))
    state = DiskState(memory_s, [disk_probe(scratch)])
    start = time.monotonic()
    while state.disk_s[-1] > SETTLED_RATIO * memory_s:
        if time.monotonic() - start + pause_s > limit_s:
            state.settled = False
            break
        time.sleep(pause_s)
        state.disk_s.append(disk_probe(scratch))
    state.waited_s = time.monotonic() - start if len(state.disk_s) > 1 else 0.0
    return state


def outputs_digest(outdir: Path) -> str:
    """SHA-256 over all output files, names included, independent of informational fields.

    Association files are compared as parsed JSON without ``code_version``
    (the producing package) and ``constraints`` (each implementation's own
    text), exactly what the golden comparer ignores; other files byte for byte.
    """
    h = hashlib.sha256()
    for name in sorted(os.listdir(outdir)):
        data = (outdir / name).read_bytes()
        if name.endswith(".json"):
            try:
                obj = json.loads(data)
            except ValueError:
                pass
            else:
                if isinstance(obj, dict):
                    obj.pop("code_version", None)
                    obj.pop("constraints", None)
                data = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def count_rows(pool: Path) -> int:
    """Exposure rows of a pool file: non-comment, non-empty lines after the header."""
    with open(pool, encoding="utf-8", errors="replace") as f:
        n = sum(1 for line in f if line.strip() and not line.startswith("#"))
    return max(n - 1, 0)
