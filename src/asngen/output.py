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
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import AsngenError

STAGING_PREFIX = ".asngen-staging-"


def _clean_stale_staging(target: Path) -> None:
    """Remove staging folders left by killed runs (their process ids are in their names)."""
    for old in target.glob(STAGING_PREFIX + "*"):
        pids = [int(part) for part in old.name[len(STAGING_PREFIX):].split("-") if part.isdigit()]
        if not pids or os.getpid() in pids:
            continue
        if not any(_alive(pid) for pid in pids):
            shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _put_back(moved: list) -> None:
    """Undo the moves of a failed run: earlier files come back, new ones go."""
    for final_name, backup in reversed(moved):
        final = Path(final_name)
        try:
            if backup is not None:
                if final.is_dir() and not final.is_symlink():
                    continue  # what blocked the move is not ours to remove
                os.replace(backup, final)
            elif final.exists() and not final.is_dir():
                final.unlink()
        except OSError:
            pass


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _write_file(path: str, data: bytes) -> None:
    """One file, with plain system calls (a text-mode ``open`` costs more than the write)."""
    handle = os.open(path, _CREATE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)


def write_files_atomically(
    target: str | Path, files: Iterable[tuple[str, str | Callable[[], str]]]
) -> list[Path]:
    """Write ``(name, text)`` pairs into ``target`` all at once.

    A text may be given as a function that makes it: it is called when its
    file is written, so a run never holds every text at once.  Returns the
    final paths, in the order given.
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
    folder = str(target)
    name = files[0][0]
    try:
        present = set(os.listdir(folder))  # one listing instead of a look-up per file
        for name, _ in files:
            if name in present and os.path.isdir(os.path.join(folder, name)):
                raise AsngenError(f"cannot write {name}: a folder of that name is in the way", file=str(target))
    except OSError as err:
        raise AsngenError(f"cannot write {name}: {err.strerror}", file=str(target)) from None
    _clean_stale_staging(target)
    try:
        # one step: the name ends in our pid from the start, so a killed run's folder is recognised
        staging = tempfile.mkdtemp(prefix=STAGING_PREFIX, suffix=f"-{os.getpid()}", dir=folder)
    except OSError as err:
        raise AsngenError(f"cannot write into output folder: {err.strerror}", file=str(target)) from None
    moved: list[tuple[str, str | None]] = []  # (final path, backup of what it replaced)
    order: dict[str, None] = {}
    try:
        for name, text in files:
            if callable(text):
                text = text()
            _write_file(os.path.join(staging, name), text.encode("utf-8"))
            order[name] = None
        for number, name in enumerate(order):
            final = os.path.join(folder, name)
            backup = None
            if os.path.lexists(final):
                # keep the old file where it is (a second link, or a copy) until the new one
                # replaces it in one rename: the name never goes missing, even if we are killed
                backup = os.path.join(staging, f".previous-{number}")
                try:
                    os.link(final, backup, follow_symlinks=False)
                except FileNotFoundError:
                    backup = None  # gone just now: nothing to keep
                except OSError:
                    shutil.copy2(final, backup, follow_symlinks=False)
            moved.append((final, backup))
            os.replace(os.path.join(staging, name), final)
    except OSError as err:
        _put_back(moved)
        raise AsngenError(f"cannot write {name}: {err.strerror}", file=str(target)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [target / name for name, _ in files]
