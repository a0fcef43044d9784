"""Atomic output: a run either writes all of its files or none of them.

Files are first written into a hidden staging folder created beside the
target folder (same file system, so the final moves are atomic renames).
Only when every file has been written and flushed are they moved into place,
each with ``os.replace``: an existing file of the same name is replaced whole,
never truncated.  A run that fails, or is killed, leaves the target folder as
it was; a killed run may leave a ``.asngen-staging-*`` folder behind, which
the next run in that folder removes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import AsngenError

STAGING_PREFIX = ".asngen-staging-"


def _clean_stale_staging(target: Path) -> None:
    for old in target.glob(STAGING_PREFIX + "*"):
        try:
            pid = int(old.name.rsplit("-", 1)[-1])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_files_atomically(target: str | Path, files: Iterable[tuple[str, str]]) -> list[Path]:
    """Write ``(name, text)`` pairs into ``target`` all at once.

    Returns the final paths, in the order given.
    """
    target = Path(target)
    files = list(files)
    for name, _ in files:
        if not name or os.sep in name or (os.altsep and os.altsep in name) or name in (".", ".."):
            raise AsngenError(f"refusing to write a file named {name!r}", file=str(target))
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise AsngenError(f"cannot create output folder: {err.strerror}", file=str(target)) from None
    if not files:
        return []
    _clean_stale_staging(target)
    try:
        staging = Path(
            tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=target)
        )
        # mkdtemp adds random characters after the prefix; rename so the pid is last
        final_staging = target / f"{STAGING_PREFIX}{staging.name[len(STAGING_PREFIX):]}-{os.getpid()}"
        staging.rename(final_staging)
        staging = final_staging
    except OSError as err:
        raise AsngenError(f"cannot write into output folder: {err.strerror}", file=str(target)) from None
    written: list[Path] = []
    try:
        for name, text in files:
            path = staging / name
            with open(path, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        for name, _ in files:
            final = target / name
            os.replace(staging / name, final)
            written.append(final)
    except OSError as err:
        raise AsngenError(f"cannot write {name}: {err.strerror}", file=str(target)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
