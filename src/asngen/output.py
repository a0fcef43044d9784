"""Atomic output: a run either writes all of its files or none of them.

Into a folder that does not exist yet, the files are written into a hidden
staging folder created beside it, which is then renamed to the folder's
name: one atomic step, whatever the number of files (a rename per file
costs about 25 us on ext4, half a minute for a million files).

An existing folder that is empty (and plainly ours: see ``_empty_folder``)
is replaced the same way, by a new folder with its permissions.

Into any other existing folder, files are first written into a hidden staging
folder created inside it (same file system, so the final moves are atomic
renames).  Only when every file has been written and flushed are they moved
into place, each with ``os.replace``: an existing file of the same name is
replaced whole, never truncated.

A run that fails, or is killed, leaves the target folder as it was (or
absent); a killed run may leave a ``.asngen-staging-*`` folder behind,
which the next run writing there removes.
"""

from __future__ import annotations

import os
import stat
import sys

from ._collection_types import Callable, Iterable, Sequence
from .errors import AsngenError
from .forking import kill_and_reap, write_fully

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

STAGING_PREFIX = ".asngen-staging-"


def _clean_stale_staging(folder: str) -> None:
    """Remove staging folders left by killed runs (their process ids are in their names)."""
    try:
        with os.scandir(folder) as entries:
            stale = [entry.name for entry in entries if entry.name.startswith(STAGING_PREFIX)]
    except OSError:
        return
    for name in sorted(stale):
        pids = [int(part) for part in name[len(STAGING_PREFIX):].split("-") if part.isdigit()]
        if not pids or os.getpid() in pids:
            continue
        if not any(_alive(pid) for pid in pids):
            _remove(os.path.join(folder, name))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _put_back(folder: str, moved: list[str], backups: dict[str, str]) -> None:
    """Undo the moves of a failed run: earlier files come back, new ones go."""
    for name in reversed(moved):
        final = os.path.join(folder, name)
        backup = backups.get(name)
        try:
            if backup is not None:
                if os.path.isdir(final) and not os.path.islink(final):
                    continue  # what blocked the move is not ours to remove
                os.replace(backup, final)
            elif os.path.exists(final) and not os.path.isdir(final):
                os.unlink(final)
        except OSError:
            pass


class WrittenPaths(Sequence):
    """The paths of the files written, in the order given, made when read.

    A large run writes a million files; a list of a million ``Path`` objects
    would be the largest thing left in memory once they are written.
    """

    def __init__(self, target: str, names: Sequence[str]) -> None:
        self._target = target
        self._names = names

    def __len__(self) -> int:
        return len(self._names)

    def __getitem__(self, position):
        from pathlib import Path  # here: a run that never reads its paths does not import pathlib

        folder = Path(self._target)
        if isinstance(position, slice):
            return [folder / name for name in self._names[position]]
        return folder / self._names[position]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<WrittenPaths: {len(self)} files in {self._target}>"


class _NamesOf(Sequence):
    """The names of ``(name, text)`` pairs, read from the pairs when asked for (a run's
    file names can be made on demand too: see :class:`asngen.api.AssociationFiles`)."""

    def __init__(self, files: Sequence) -> None:
        self._files = files

    def __len__(self) -> int:
        return len(self._files)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [pair[0] for pair in self._files[position]]
        return self._files[position][0]


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _write_file(path: str, data: bytes) -> None:
    """One file, with plain system calls (a text-mode ``open`` costs more than the write)."""
    handle = os.open(path, _CREATE, 0o666)
    try:
        written = os.write(handle, data)
        if written < len(data):  # (rare for a regular file: the rest, as long as it takes)
            write_fully(handle, data[written:])
    finally:
        os.close(handle)


def write_files_atomically(
    target: str | os.PathLike, files: Iterable[tuple[str, str | Callable[[], str]]], processes: int = 1,
) -> Sequence[Path]:
    """Write ``(name, text)`` pairs into ``target`` all at once.

    A text may be given as a function that makes it: it is called when its
    file is written, so a run never holds every text at once.  Returns the
    final paths, in the order given (a sequence that makes each when read).
    ``processes`` > 1: that many processes (this one and forked ones) make
    and write the texts, each a share of them (see :func:`_write_all`).
    """
    target = _folder_name(target)
    if not isinstance(files, Sequence) or isinstance(files, str):
        files = list(files)
    # (each name is checked just before its file is written: see _write_range)
    # pairs given in a list hold their texts: keep only the names; a lazy sequence makes them on demand
    names = [name for name, _ in files] if isinstance(files, (list, tuple)) else _NamesOf(files)
    staged = None
    folder = NewFolder.open(target) if files else None  # (None: an existing folder, filled in place)
    if folder is not None:  # built whole beside its place and renamed into it
        staging = folder.staging
        staged = _into_place(staging, target, lambda: _write_all(staging, files, target, processes))
        if staged is None:
            return WrittenPaths(target, names)
        # the folder appeared (or something appeared in it) meanwhile: its files are written, move them in
    _write_into_existing(target, files, staged, processes)
    return WrittenPaths(target, names)


def _folder_name(target: str | os.PathLike) -> str:
    """The output folder's name as ``pathlib`` spells it (no trailing or doubled separators,
    no ``.`` parts): it names the folder in messages, and its parent is where it is built."""
    text = os.fspath(target)
    if not text:
        return "."
    root = os.sep if text.startswith(os.sep) else ""
    if root and text.startswith(os.sep * 2) and not text.startswith(os.sep * 3):
        root = os.sep * 2  # POSIX leaves a leading "//" to the system
    parts = [part for part in text.split(os.sep) if part and part != "."]
    return root + os.sep.join(parts) if parts or root else "."


def _parent(target: str) -> str:
    """``Path(target).parent`` for a name made by :func:`_folder_name`."""
    head = os.path.dirname(target)
    return head or "."


def _write_into_existing(target: str, files: Sequence, staging: str | None, processes: int = 1) -> None:
    """Stage the files inside ``target`` (unless ``staging`` already holds them), then move
    each into place.  The staging folder goes in every case."""
    folder = target
    name = files[0][0] if files else ""
    try:
        try:
            os.makedirs(target, exist_ok=True)
        except OSError as err:
            raise AsngenError(f"cannot create output folder: {err.strerror}", file=folder) from None
        if not files:
            return
        try:
            present = set(os.listdir(folder))  # one listing instead of a look-up per file
            for name, _ in files:
                if name in present and os.path.isdir(os.path.join(folder, name)):
                    raise AsngenError(f"cannot write {name}: a folder of that name is in the way", file=folder)
        except OSError as err:
            raise AsngenError(f"cannot write {name}: {err.strerror}", file=folder) from None
        _clean_stale_staging(target)
        if staging is None:
            try:
                import tempfile

                # one step: the name ends in our pid from the start, so a killed run's folder is recognised
                staging = tempfile.mkdtemp(prefix=STAGING_PREFIX, suffix=f"-{os.getpid()}", dir=folder)
            except OSError as err:
                raise AsngenError(f"cannot write into output folder: {err.strerror}", file=folder) from None
            _write_all(staging, files, target, processes)
        _move_into_place(folder, staging, dict.fromkeys(name for name, _ in files), target)
    finally:
        _remove(staging)


def _empty_folder(target: str) -> os.stat_result | None:
    """The status of ``target`` when it is an empty folder that a new one may replace whole.

    Replacing an empty folder with one renamed into its place is as atomic
    as filling a new folder, and saves a rename per file (858 on mega_pool,
    a quarter of writing its files).  The folder must look exactly like one
    we would make: ours, no extended attributes (access lists would be
    lost), not a mount point, not this process's working folder or above it
    (a shell that ran us from inside it would be left in a deleted folder).
    Its permission bits are carried over.
    """
    try:
        status = os.lstat(target)
        if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.geteuid():
            return None
        with os.scandir(target) as entries:
            if next(entries, None) is not None:
                return None
        if os.lstat(_parent(target)).st_dev != status.st_dev:
            return None
        listxattr = getattr(os, "listxattr", None)
        if listxattr is not None and listxattr(target, follow_symlinks=False):
            return None
        here = os.getcwd()
        folder = os.path.realpath(target)
    except (OSError, ValueError):
        return None
    if here == folder or here.startswith(folder.rstrip(os.sep) + os.sep):
        return None
    return status


def _begin_new_folder(target: str, replacing: os.stat_result | None) -> str | None:
    """A staging folder beside ``target`` that will become it (None: the empty folder
    ``replacing`` describes cannot be replaced by one: another group)."""
    parent = _parent(target)
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as err:
        raise AsngenError(f"cannot create output folder: {err.strerror}", file=target) from None
    _clean_stale_staging(parent)
    staging = _new_staging_folder(parent, target)
    if replacing is not None:
        try:  # the same group and permissions as the folder it replaces, or no replacing
            if os.lstat(staging).st_gid != replacing.st_gid:
                raise OSError("another group")
            os.chmod(staging, stat.S_IMODE(replacing.st_mode))
        except OSError:
            _remove(staging)
            return None
    return staging


def _into_place(staging: str, target: str, write: Callable[[], None] | None = None) -> str | None:
    """The staging folder (filled by ``write`` first) renamed to ``target``: None, or the
    staging folder itself when ``target`` appeared meanwhile (its files are then to be moved
    one by one).  On failure the staging folder goes."""
    try:
        if write is not None:
            write()
        os.rename(staging, target)
    except OSError as err:
        if os.path.lexists(target):
            return staging
        _remove(staging)
        raise AsngenError(f"cannot create output folder: {err.strerror}", file=str(target)) from None
    except BaseException:
        _remove(staging)
        raise
    return None


class NewFolder:
    """A new output folder (or one replacing an empty folder) that more than one process
    fills: what :func:`write_files_atomically` does for such a folder, in steps.

    :meth:`open` makes the staging folder beside the target; any process may
    then :meth:`write` files into it (a forked one passes the pid of the
    process it must outlive); :meth:`commit` puts the folder in place, as
    atomically as one process would, and :meth:`discard` removes it.
    """

    def __init__(self, target: str, staging: str) -> None:
        self.target = target
        self.staging: str | None = staging

    @classmethod
    def open(cls, target: str | os.PathLike) -> NewFolder | None:
        """None when ``target`` is an existing folder that is not empty (or not one a new
        folder may replace): files then go in one by one (:func:`write_files_atomically`)."""
        target = _folder_name(target)
        replacing = None
        if os.path.lexists(target):
            replacing = _empty_folder(target)
            if replacing is None:
                return None
        staging = _begin_new_folder(target, replacing)
        return None if staging is None else cls(target, staging)

    def write(self, files: Sequence, parent: int | None = None) -> None:
        """Stage ``(name, text)`` pairs (texts may be functions that make them)."""
        _write_range(self.staging, files, 0, len(files), self.target, parent)

    def commit(self, names: Iterable[str]) -> None:
        """Put the folder in place; ``names``: every file staged (moved one by one if the
        target appeared meanwhile)."""
        staging, self.staging = self.staging, None
        left = _into_place(staging, self.target)
        if left is not None:
            _write_into_existing(self.target, [(name, None) for name in names], left)

    def discard(self) -> None:
        _remove(self.staging)
        self.staging = None


def _new_staging_folder(parent: str, target: str) -> str:
    """A fresh folder in ``parent`` with the permissions ``mkdir`` gives (it becomes the output
    folder), its name ending in our pid."""
    while True:
        path = os.path.join(parent, f"{STAGING_PREFIX}new{os.urandom(4).hex()}-{os.getpid()}")
        try:
            os.mkdir(path, 0o777)
            return path
        except FileExistsError:
            continue
        except OSError as err:
            raise AsngenError(f"cannot create output folder: {err.strerror}", file=str(target)) from None


#: fewer files than this per process are not worth a fork (mega_pool, 858 files on tmpfs: no gain)
FILES_PER_PROCESS = 500


def _write_all(staging: str, files: Sequence, target: str, processes: int = 1) -> None:
    """Every file into ``staging`` (a name given twice is written twice: the last text stays).

    With ``processes`` > 1 the files are cut into that many consecutive
    shares; forked processes write all shares but the first, which this
    process writes meanwhile.  Making the texts (JSON) is about half the cost
    of writing, and it is what shares well: file creations in one folder
    wait for each other in the kernel.  A share whose process failed is
    written again here, so an error is reported as without forking.  Names
    given twice keep the one-process order (the last text stays).
    """
    count = len(files)
    if sys.platform.startswith("linux"):  # forked as the passes' workers are (see usable_jobs)
        processes = min(processes, count // FILES_PER_PROCESS)
    else:
        processes = 1
    if processes <= 1 or len({name for name, _ in files}) != count:
        _write_range(staging, files, 0, count, target)
        return
    bounds = [count * share // processes for share in range(processes + 1)]
    forked: dict[int, int] = {}  # pid -> share
    try:
        for share in range(1, processes):
            forked[_fork_writer(staging, files, bounds[share], bounds[share + 1], target)] = share
        _write_range(staging, files, bounds[0], bounds[1], target)
        for pid, share in list(forked.items()):
            _, status = os.waitpid(pid, 0)
            del forked[pid]
            if status != 0:
                _write_range(staging, files, bounds[share], bounds[share + 1], target)
    finally:
        if forked:  # we are failing: stop the others before the staging folder goes
            kill_and_reap(forked)


def _fork_writer(staging: str, files: Sequence, start: int, stop: int, target: str) -> int:
    """A forked process writing files ``start`` to ``stop``: its pid.  It stops, between two
    files, when we are gone (a killed run must not leave a writer behind that puts files
    into a staging folder the next run removes)."""
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        _write_range(staging, files, start, stop, target, parent)
        status = 0
    finally:
        os._exit(status)


def _write_range(
    staging: str, files: Sequence, start: int, stop: int, target: str, parent: int | None = None,
) -> None:
    """Files ``start`` to ``stop``; in a forked writer (``parent``: the pid that forked it),
    only while that process lives."""
    name = ""
    # a checked name holds no separator: on POSIX it is joined by hand (os.path.join took
    # 0.4 ms of mega_pool's 858 files)
    prefix = os.path.join(staging, "") if os.name == "posix" else None
    try:
        for position in range(start, stop):
            if parent is not None and os.getppid() != parent:
                raise OSError("the writing process is gone")
            name, text = files[position]
            _check_name(name, target)
            if callable(text):
                text = text()
            path = prefix + name if prefix is not None else os.path.join(staging, name)
            _write_file(path, text.encode("utf-8"))
    except OSError as err:
        raise AsngenError(f"cannot write {name}: {err.strerror}", file=str(target)) from None


def _check_name(name: str, target: str) -> None:
    """A file name must stay inside the folder (a run's names are made when read, once: so
    they are checked as their files are staged, before anything is moved into place)."""
    if not name or os.sep in name or (os.altsep and os.altsep in name) or name in (".", ".."):
        raise AsngenError(f"refusing to write a file named {name!r}", file=str(target))


def _move_into_place(folder: str, staging: str, names: Iterable[str], target: str) -> None:
    """Move the staged files (each name once) into ``folder``, each replacing its namesake
    whole; undone on failure."""
    moved: list[str] = []  # names moved into place, in order
    backups: dict[str, str] = {}  # name -> a copy of the file it replaced
    name = ""
    try:
        for number, name in enumerate(names):
            final = os.path.join(folder, name)
            if os.path.lexists(final):
                # keep the old file where it is (a second link, or a copy) until the new one
                # replaces it in one rename: the name never goes missing, even if we are killed
                backup = os.path.join(staging, f".previous-{number}")
                try:
                    os.link(final, backup, follow_symlinks=False)
                except FileNotFoundError:
                    backup = None  # gone just now: nothing to keep
                except OSError:
                    import shutil

                    shutil.copy2(final, backup, follow_symlinks=False)
                if backup is not None:
                    backups[name] = backup
            moved.append(name)
            os.replace(os.path.join(staging, name), final)
    except OSError as err:
        _put_back(folder, moved, backups)
        raise AsngenError(f"cannot write {name}: {err.strerror}", file=str(target)) from None


def _remove(staging: str | None) -> None:
    if staging is not None:
        import shutil  # imported when needed: shutil and tempfile cost ``asngen generate`` 9 ms at start

        shutil.rmtree(staging, ignore_errors=True)
