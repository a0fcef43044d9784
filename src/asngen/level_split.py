"""The end of a ``generate -j N`` run in two processes: Level 3 finished by a forked child.

After the passes, a run finalizes its associations, describes their
constraints, names them and writes their files, and until now it did all
of that in one process while the other CPUs sat idle (about a fifth of
mega_pool's run with two CPUs).  The two levels do not meet in that work:
each built-in ``FINALIZE`` callback finalizes, prunes and numbers the
associations of its own level and passes the others through untouched
(:func:`~asngen.generator.prune.finalize_level`, marked ``finalized_level``),
and the two levels' files have different names.  So a child forked when
finalization begins finishes Level 3 and writes its files into the staging
folder of the output, while this process does the same for Level 2; the
folder is put in place once both are done, as atomically as one process
would (:class:`~asngen.output.NewFolder`).

The files are the same as one process writes: finalizing the Level 2 and
the Level 3 associations apart gives the same associations, in two blocks
whose order is that of the callbacks.  Anything the split cannot promise is
left to the one-process way: options that let finalization look across the
levels (``--merge``, ``--debug``, rule files of one's own), explanations,
a dry run, an output folder that exists and is not empty.  If the child
fails, or the two blocks name a file alike, this process finishes Level 3
itself and writes everything the usual way, so errors read as they always
did.
"""

from __future__ import annotations

import os
import sys

from ._collection_types import Callable
from .forking import kill_and_reap, write_fully

#: the levels the split needs: the child's, and this process's
CHILD_LEVEL = 3
OWN_LEVEL = 2


class LevelSplit:
    """Level 3 finished in a forked child (see the module docstring).

    Made by the command before the run (:meth:`for_command`); the driver
    calls :meth:`finalize` where it would finalize every association, and
    the command then calls :meth:`finish` instead of writing the result
    itself, and :meth:`abandon` in any case when it is done.
    """

    def __init__(self, target: str, fmt: str) -> None:
        self.target = target
        self.fmt = fmt
        self.started = False
        self._folder = None  # the output's staging folder (asngen.output.NewFolder)
        self._pid: int | None = None
        self._report: int | None = None  # read end of the child's report pipe
        self._theirs: list = []  # the child's associations, unfinished (for the fallback)
        self._finalize: Callable[[list], list] | None = None
        self._child_first = False  # the child's block comes first in the output order
        self._orphans: tuple | None = None  # (pool records, filenames this process used)

    @classmethod
    def for_command(cls, options, target: str, dry_run: bool, recording: bool) -> LevelSplit | None:
        """A split for a run of the command with these options, or None when one process must
        finish it (see the module docstring)."""
        if dry_run or recording or not sys.platform.startswith("linux"):
            return None
        if not options.finalize or options.merge or options.debug or options.per_pool_algorithm:
            return None
        if options.rules or options.ignore_default or (options.dms and options.ids):
            return None
        return cls(target, options.fmt)

    # ------------------------------------------------------------- in the driver

    def finalize(self, associations: list, finalizers: list, finalize_list: Callable[[list], list]) -> list | None:
        """Start the child on the Level 3 associations and finalize the others here: this
        process's block, or None when the run cannot be split (the caller then finalizes
        every association itself).  ``finalize_list``: what the caller would do with them."""
        from .output import NewFolder

        levels = [getattr(callback, "finalized_level", None) for callback in finalizers]
        if levels not in ([OWN_LEVEL, CHILD_LEVEL], [CHILD_LEVEL, OWN_LEVEL]):
            return None
        theirs = [asn for asn in associations if asn.level == CHILD_LEVEL]
        mine = [asn for asn in associations if asn.level == OWN_LEVEL]
        if not theirs or not mine or len(theirs) + len(mine) != len(associations):
            return None
        folder = NewFolder.open(self.target)
        if folder is None:
            return None
        try:
            readable, writable = os.pipe()
        except OSError:
            folder.discard()
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(readable)
            os.close(writable)
            folder.discard()
            return None
        self._folder, self._theirs, self._finalize = folder, theirs, finalize_list
        self._child_first = levels[0] == CHILD_LEVEL
        if pid == 0:
            os.close(readable)
            self._child(writable)  # never returns
        os.close(writable)
        self._pid, self._report, self.started = pid, readable, True
        return finalize_list(mine)

    def _child(self, report: int) -> None:
        """Finish and write Level 3, report what was written, and exit."""
        status = 1
        try:
            import _pickle

            from .api import AssociationFiles, collect

            files = AssociationFiles(self.fmt)
            written: list = []
            skipped: list = []
            used: set = set()
            collect(self._finalize(self._theirs), files, written, skipped, used)
            pairs = list(files.pending())  # each name made once
            self._folder.write(pairs, parent=os.getppid())
            summary = ([name for name, _ in pairs], [asn.asn_name() for asn in skipped], used, len(written))
            write_fully(report, _pickle.dumps(summary, protocol=5))
            status = 0
        finally:
            os._exit(status)

    # ------------------------------------------------------------- in the command

    def keep_for_orphans(self, records: list, used: set) -> None:
        """The orphans wait for the rows the child's associations use."""
        self._orphans = (records, used)

    def finish(self, result, processes: int = 1) -> tuple[int, list[str]]:
        """Write this process's files, take the child's in, and put the folder in place.

        Completes ``result.orphans``.  Returns the number of associations
        written and the names of those not written (invalid), in output order.
        """
        from .api import collect, orphans_of, write_result

        pairs = list(result.files.pending())  # each name made once
        self._folder.write(pairs)
        summary = self._join()
        names = [name for name, _ in pairs]
        if summary is not None and not set(names).intersection(summary[0]):
            child_names, child_skipped, used, count = summary
            records, own_used = self._orphans
            own_used |= used
            result.orphans = orphans_of(records, own_used)
            self._folder.commit(child_names + names if self._child_first else names + child_names)
            self._folder = None
            own_skipped = [asn.asn_name() for asn in result.skipped]
            skipped = child_skipped + own_skipped if self._child_first else own_skipped + child_skipped
            return count + len(result.associations), skipped
        # the child failed (or the blocks name a file alike): finish Level 3 here, write as usual
        self._folder.discard()
        self._folder = None
        theirs = self._finalize(self._theirs)
        mine = [*result.associations, *result.skipped]  # (collect splits them again alike)
        ordered = theirs + mine if self._child_first else mine + theirs
        _reset(result)
        records, used = self._orphans
        collect(ordered, result.files, result.associations, result.skipped, used)
        result.orphans = orphans_of(records, used)
        write_result(result, self.target, processes=processes)
        return len(result.associations), [asn.asn_name() for asn in result.skipped]

    def _join(self):
        """The child's summary, once it has exited (None if it failed)."""
        import _pickle

        chunks = []
        try:
            while data := os.read(self._report, 1 << 16):
                chunks.append(data)
        finally:
            os.close(self._report)
            self._report = None
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if status != 0 or not chunks:
            return None
        return _pickle.loads(b"".join(chunks))

    def abandon(self) -> None:
        """Stop the child and remove the staging folder, unless :meth:`finish` was through."""
        if self._pid is not None:
            kill_and_reap((self._pid,))
            self._pid = None
        if self._report is not None:
            os.close(self._report)
            self._report = None
        if self._folder is not None:
            self._folder.discard()
            self._folder = None


def _reset(result) -> None:
    from .api import AssociationFiles

    result.files = AssociationFiles(result.files.fmt)
    result.associations = []
    result.skipped = []
