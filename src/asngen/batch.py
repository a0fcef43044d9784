"""Batch generation: many pools, one task each, in-process or on Dask.

An archive regenerates the associations of every program at each build, so
the unit of work is a whole pool: :func:`run_pool` reads one pool, generates
its associations and writes them atomically into ``OUTDIR/<pool stem>/``,
exactly as ``asngen generate`` would.  It is a top-level function taking
plain arguments and returning a small :class:`PoolResult`, so Dask can ship
it to any worker; it never raises for a bad pool -- the error travels back
as one line of text, and that pool's folder is left as it was.

:func:`batch` plans the run (which pools, which may be skipped), runs the
tasks in this process (one worker) or on a Dask cluster (a local one with a
worker per core, or an existing scheduler), and keeps a manifest in OUTDIR:
per pool, the sha256 of its bytes, the options, the asngen version and the
files written.  With ``incremental=True`` a pool whose entry still matches,
and whose files are all still there, is skipped.  The manifest is written
on every run (so a first plain run already enables incremental reruns) and
also names the files of the previous run, so that a regenerated pool loses
the association files it no longer produces.

Dask is imported only when a cluster is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AsngenError, UsageError
from .options import GenerateOptions

MANIFEST_NAME = "asngen-batch-manifest.json"
MANIFEST_FORMAT = 1
POOL_PATTERN = "*.csv"
#: seconds between manifest saves during a long run (a killed run keeps most of its record)
SAVE_INTERVAL = 15.0
#: how long to try reaching a scheduler given by address
CONNECT_TIMEOUT = "10s"

DONE, SKIPPED, FAILED = "done", "skipped", "failed"


@dataclass(frozen=True)
class PoolResult:
    """What happened to one pool; small, so that it is cheap to send back from a worker."""

    pool: str  # absolute path of the pool file
    folder: str  # the pool's output folder, OUTDIR/<pool stem>
    status: str  # "done", "skipped" or "failed"
    associations: int = 0
    files: tuple[str, ...] = ()  # names written into ``folder`` (for a skipped pool: recorded earlier)
    error: str | None = None  # one line, for a failed pool
    seconds: float = 0.0
    sha256: str | None = None  # of the pool bytes as read for this run
    rows: int = 0
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status != FAILED


@dataclass
class BatchResult:
    """The per-pool results of a batch, in the order the pools were given, and totals."""

    results: list[PoolResult] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # about the run itself (e.g. a bad manifest)

    def __iter__(self) -> Iterator[PoolResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def _count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def done(self) -> int:
        return self._count(DONE)

    @property
    def skipped(self) -> int:
        return self._count(SKIPPED)

    @property
    def failed(self) -> int:
        return self._count(FAILED)

    @property
    def failures(self) -> list[PoolResult]:
        return [result for result in self.results if result.status == FAILED]

    @property
    def associations(self) -> int:
        """Associations written by this run (skipped pools wrote nothing)."""
        return sum(result.associations for result in self.results if result.status == DONE)

    @property
    def ok(self) -> bool:
        return self.failed == 0


# -- the task ---------------------------------------------------------------------------------


def run_pool(
    pool_path: str,
    folder: str,
    options: GenerateOptions,
    orphans_file: str | None = None,
    previous_files: tuple[str, ...] = (),
) -> PoolResult:
    """Generate one pool's associations into ``folder``; any failure becomes a result.

    ``previous_files`` are the names this pool's last run wrote there; those
    not written again are removed after the new set is in place, so the
    folder ends with exactly what ``asngen generate`` would write.
    """
    from .api import generate, write_result

    start = time.perf_counter()
    digest = None
    try:
        digest = file_sha256(pool_path)
        result = generate(pool_path, options)
        write_result(result, folder, orphans_file)
        names = tuple(name for name, _ in result.files) + ((orphans_file,) if orphans_file else ())
        _remove_stale(Path(folder), previous_files, names)
    except Exception as err:  # every failure is reported, none is raised
        return PoolResult(
            pool=pool_path, folder=folder, status=FAILED, error=error_line(err),
            seconds=time.perf_counter() - start, sha256=digest,
        )
    return PoolResult(
        pool=pool_path, folder=folder, status=DONE, associations=len(result.associations),
        files=names, seconds=time.perf_counter() - start, sha256=digest, rows=result.rows,
        warnings=tuple(result.warnings),
    )


def error_line(err: BaseException) -> str:
    """The one-line text of a failure: our own errors as they are, others with their type."""
    if isinstance(err, AsngenError):
        return str(err)
    if isinstance(err, OSError) and err.strerror:
        text = f"{err.filename}: {err.strerror}" if err.filename else err.strerror
    else:
        text = f"{type(err).__name__}: {err}"
    return " ".join(text.split())


def _remove_stale(folder: Path, previous: Iterable[str], current: Iterable[str]) -> None:
    keep = set(current)
    for name in previous:
        if name in keep or not name or os.sep in name or name in (".", ".."):
            continue
        try:
            (folder / name).unlink(missing_ok=True)
        except OSError:
            pass  # a leftover file is not worth failing a pool that was written


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a file's bytes; an unreadable pool raises a one-line PoolError."""
    from .errors import PoolError

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as err:
        raise PoolError(f"cannot read the pool: {err.strerror or err}", file=str(path)) from None
    return digest.hexdigest()


# -- planning ---------------------------------------------------------------------------------


def expand_pools(arguments: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Pool files from the command line: a folder stands for its ``*.csv`` files, sorted.

    Paths are made absolute (workers may run elsewhere) and given twice count
    once.  A missing file stays in the list: it fails as a pool, not the run.
    """
    pools: list[Path] = []
    seen: set[Path] = set()
    for argument in arguments:
        path = Path(argument).expanduser()
        found = sorted(path.glob(POOL_PATTERN)) if path.is_dir() else [path]
        for pool in found:
            pool = Path(os.path.abspath(pool))
            if pool.is_dir() or pool in seen:
                continue
            seen.add(pool)
            pools.append(pool)
    if not pools:
        raise UsageError("no pools to process (a folder argument stands for its *.csv files)")
    folders: dict[str, Path] = {}
    for pool in pools:
        other = folders.setdefault(pool.stem, pool)
        if other != pool:
            raise UsageError(
                f"two pools would write into the same folder {pool.stem!r}: {other} and {pool}"
            )
    if MANIFEST_NAME in folders:
        raise UsageError(f"a pool may not be named like the manifest: {folders[MANIFEST_NAME]}")
    return pools


def options_record(options: GenerateOptions, orphans_file: str | None = None) -> dict[str, Any]:
    """The options as a sorted, JSON-ready dict, with the content hash of each rule file.

    The rule files' bytes count as options: editing a rule file must not let
    an incremental run skip the pools it would change.
    """
    record: dict[str, Any] = {}
    for name in options.DECIDING:
        value = getattr(options, name)
        record[name] = list(value) if isinstance(value, tuple) else value
    record["save_orphans"] = orphans_file
    hashes = []
    for rule_file in options.rules:
        try:
            hashes.append(file_sha256(rule_file))
        except AsngenError:
            hashes.append(None)
    record["rules_sha256"] = hashes
    return dict(sorted(record.items()))


def _absolute_rules(options: GenerateOptions) -> GenerateOptions:
    if not options.rules:
        return options
    rules = tuple(os.path.abspath(os.path.expanduser(rule)) for rule in options.rules)
    return options.replace(rules=rules)


class Manifest:
    """The record in OUTDIR of what each pool's last successful run was made from and wrote."""

    def __init__(self, outdir: Path) -> None:
        self.path = outdir / MANIFEST_NAME
        self.pools: dict[str, dict[str, Any]] = {}
        self.warning: str | None = None
        self.changed = False

    @classmethod
    def load(cls, outdir: Path) -> Manifest:
        manifest = cls(outdir)
        try:
            data = json.loads(manifest.path.read_text(encoding="utf-8"))
            pools = data["pools"]
            if data.get("format") != MANIFEST_FORMAT or not isinstance(pools, dict):
                raise ValueError("unknown manifest format")
            manifest.pools = pools
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as err:
            manifest.warning = (
                f"{manifest.path}: manifest ignored, every pool is regenerated "
                f"({error_line(err)})"
            )
        return manifest

    def unchanged(self, pool: Path, folder: Path, digest: str, record: dict, version: str) -> bool:
        """True if ``pool`` was last generated from these bytes and options and its files remain."""
        entry = self.pools.get(str(pool))
        if not isinstance(entry, dict):
            return False
        if (entry.get("sha256"), entry.get("options"), entry.get("asngen_version"),
                entry.get("folder")) != (digest, record, version, folder.name):
            return False
        files = entry.get("files")
        return isinstance(files, list) and all((folder / name).is_file() for name in files)

    def previous_files(self, pool: Path) -> tuple[str, ...]:
        entry = self.pools.get(str(pool))
        files = entry.get("files") if isinstance(entry, dict) else None
        return tuple(name for name in files if isinstance(name, str)) if isinstance(files, list) else ()

    def entry(self, pool: Path) -> dict[str, Any]:
        return self.pools.get(str(pool), {})

    def record(self, result: PoolResult, options: dict, version: str) -> None:
        self.pools[result.pool] = {
            "sha256": result.sha256,
            "options": options,
            "asngen_version": version,
            "folder": Path(result.folder).name,
            "files": list(result.files),
            "associations": result.associations,
        }
        self.changed = True

    def save(self) -> None:
        from .output import write_files_atomically

        text = json.dumps({"format": MANIFEST_FORMAT, "pools": self.pools}, indent=1, sort_keys=True)
        write_files_atomically(self.path.parent, [(self.path.name, text + "\n")])
        self.changed = False


# -- running ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    pool: str
    folder: str
    previous: tuple[str, ...]


def batch(
    pools: Iterable[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    options: GenerateOptions | None = None,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    incremental: bool = False,
    orphans_file: str | None = None,
    on_result: Callable[[PoolResult, int, int], None] | None = None,
) -> BatchResult:
    """Generate the associations of every pool into ``outdir/<pool stem>/``.

    ``pools``: pool files or folders (a folder means its ``*.csv`` files).
    ``workers``: 1 runs in this process without Dask; more (default: one
    per core) start a local Dask cluster with that many single-threaded
    worker processes.  ``scheduler``: the address of an existing Dask
    scheduler (``tcp://host:port``) or a ``distributed.Client``.
    ``on_result(result, finished, total)`` is called as each pool finishes
    (skipped pools first).  Failed pools are results, never exceptions.
    """
    from . import __version__

    start = time.perf_counter()
    if workers is not None and workers < 1:
        raise UsageError("--workers must be at least 1")
    if workers is not None and scheduler is not None:
        raise UsageError("give either a number of workers or a scheduler, not both")
    options = _absolute_rules(options or GenerateOptions())
    paths = expand_pools(pools)
    outdir = Path(os.path.abspath(os.path.expanduser(outdir)))
    manifest = Manifest.load(outdir)
    record = options_record(options, orphans_file)
    outcome = BatchResult(warnings=[manifest.warning] if manifest.warning else [])
    by_pool: dict[str, PoolResult] = {}
    tasks: list[_Task] = []
    finished = 0

    def report(result: PoolResult) -> None:
        nonlocal finished
        by_pool[result.pool] = result
        finished += 1
        if on_result is not None:
            on_result(result, finished, len(paths))

    for pool in paths:
        folder = outdir / pool.stem
        if incremental:
            skipped = _skipped(pool, folder, manifest, record, __version__)
            if skipped is not None:
                report(skipped)
                continue
        tasks.append(_Task(str(pool), str(folder), manifest.previous_files(pool)))

    last_save = time.monotonic()
    try:
        with closing(_execute(tasks, options, orphans_file, workers, scheduler)) as results:
            for result in results:
                if result.status == DONE:
                    manifest.record(result, record, __version__)
                    if time.monotonic() - last_save > SAVE_INTERVAL:
                        manifest.save()
                        last_save = time.monotonic()
                report(result)
    finally:
        if manifest.changed:  # also after an interrupt: the pools done so far stay recorded
            manifest.save()
    outcome.results = [by_pool[str(pool)] for pool in paths]
    outcome.seconds = time.perf_counter() - start
    return outcome


def _skipped(pool: Path, folder: Path, manifest: Manifest, record: dict, version: str) -> PoolResult | None:
    try:
        digest = file_sha256(pool)
    except AsngenError:
        return None  # unreadable: let the task report it
    if not manifest.unchanged(pool, folder, digest, record, version):
        return None
    entry = manifest.entry(pool)
    return PoolResult(
        pool=str(pool), folder=str(folder), status=SKIPPED, associations=entry.get("associations", 0),
        files=tuple(entry.get("files", ())), sha256=digest,
    )


def _execute(
    tasks: list[_Task], options: GenerateOptions, orphans_file: str | None,
    workers: int | None, scheduler: Any,
) -> Iterator[PoolResult]:
    if not tasks:
        return
    if scheduler is None:
        workers = min(workers or os.cpu_count() or 1, len(tasks))
        if workers == 1:
            for task in tasks:
                yield run_pool(task.pool, task.folder, options, orphans_file, task.previous)
            return
    yield from _execute_dask(tasks, options, orphans_file, workers, scheduler)


def _execute_dask(
    tasks: list[_Task], options: GenerateOptions, orphans_file: str | None,
    workers: int | None, scheduler: Any,
) -> Iterator[PoolResult]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError(
            "Dask is not installed: pip install 'asngen[dask]', or run with --workers 1"
        ) from None
    import logging

    cluster = client = None
    own_client = not isinstance(scheduler, Client)
    try:
        if scheduler is None:
            # Generation is pure Python: one single-threaded process per worker.
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        elif own_client:
            try:
                client = Client(str(scheduler), timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as err:
                raise AsngenError(
                    f"cannot connect to the Dask scheduler at {scheduler}: {error_line(err)}"
                ) from None
        else:
            client = scheduler
        futures = client.map(
            run_pool,
            [task.pool for task in tasks],
            [task.folder for task in tasks],
            [options] * len(tasks),
            [orphans_file] * len(tasks),
            [task.previous for task in tasks],
            key=[f"asngen-pool-{Path(task.pool).stem}-{os.urandom(4).hex()}" for task in tasks],
        )
        task_of = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        try:
            # results come with their futures (no round trip per result); errors as values
            for future, result in as_completed(futures, with_results=True, raise_errors=False):
                if not isinstance(result, PoolResult):  # a lost worker fails its pool only
                    err = result[1] if isinstance(result, tuple) else result
                    task = task_of[future.key]
                    result = PoolResult(
                        pool=task.pool, folder=task.folder, status=FAILED,
                        error=f"task failed on the cluster: {error_line(err)}",
                    )
                future.release()
                yield result
        finally:
            client.cancel([future for future in futures if not future.done()])
    finally:
        if own_client and client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


class _CallableModule(type(os)):
    """Lets ``asngen.batch(...)`` call :func:`batch` whatever the import order.

    ``asngen`` exports the function ``batch`` lazily, but importing this
    module (``from asngen.batch import ...``) makes the package attribute
    ``asngen.batch`` this module; making the module callable keeps both
    spellings working.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> BatchResult:
        return batch(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
