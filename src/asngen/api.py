"""The Python entry points: generate associations from a pool, get files back.

``generate(pool, options)`` returns a :class:`GenerateResult` holding the
associations (as written) and the exact file names and texts; writing them is
a separate, atomic step (:func:`write_result`), so a failed run never leaves
half a set of files behind.
"""

from __future__ import annotations

import gc
import os

from . import asn_io
from ._collection_types import Callable, Iterator, Sequence
from .errors import AsngenError, PoolError
from .options import GenerateOptions

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


class AssociationFiles(Sequence):
    """The ``(file name, text)`` pairs of a run, texts made only when asked for.

    A large program writes gigabytes of association text; holding it all
    until the atomic write would double the memory a run needs.  Each text is
    made from its association's data when it is read (and again if read
    twice: the data does not change after generation, so neither does the
    text).  So is the file name of an association added as such: a million
    names are a hundred megabytes at the peak of a run.
    """

    def __init__(self, fmt: str = "json") -> None:
        self.fmt = fmt
        self._names: list = []  # a file name, or the association that makes it
        self._data: list = []

    def add(self, name: str, data: dict) -> None:
        self._names.append(name)
        self._data.append(data)

    def add_association(self, asn) -> None:
        """An association's file, named when read (by ``asn.asn_name()``)."""
        self._names.append(asn)
        self._data.append(asn.data)

    def _name(self, position: int) -> str:
        entry = self._names[position]
        return entry if type(entry) is str else asn_io.file_name(entry.asn_name(), self.fmt)

    def names(self) -> list[str]:
        return [self._name(position) for position in range(len(self._names))]

    def pending(self, extra: Sequence = ()) -> Sequence[tuple[str, Callable[[], str]]]:
        """``(name, make_text)`` pairs, for writers that make one text at a time (each pair is
        made when read: a million of them would be a large part of a run's memory), then
        the pairs of ``extra``."""
        return _Pending(self, list(extra))

    def _pending(self, position: int) -> tuple[str, Callable[[], str]]:
        data, fmt = self._data[position], self.fmt
        return self._name(position), lambda: asn_io.dumps(data, fmt)

    def __len__(self) -> int:
        return len(self._names)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        return self._name(position), asn_io.dumps(self._data[position], self.fmt)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for position, data in enumerate(self._data):
            yield self._name(position), asn_io.dumps(data, self.fmt)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<AssociationFiles: {len(self)} {self.fmt} files>"


class _Pending(Sequence):
    def __init__(self, files: AssociationFiles, extra: list) -> None:
        self._files = files
        self._extra = extra

    def __len__(self) -> int:
        return len(self._files) + len(self._extra)

    def __getitem__(self, position):
        count = len(self._files)
        if type(position) is int and 0 <= position < count:  # how the writers read: one by one
            return self._files._pending(position)
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        return self._files._pending(position) if position < count else self._extra[position - count]


class GenerateResult:
    """What one generation run produced.

    ``associations``: the written ones, in output order; ``skipped``: generated
    but invalid (only with --no-finalize); ``files``: (file name, text) pairs,
    an :class:`AssociationFiles`; ``excluded``: rows left out before
    generation, with the reason, as (row number, row, reason); ``columns``:
    the pool's columns.
    """

    def __init__(
        self, pool_name: str, associations: list | None = None, skipped: list | None = None,
        files: Sequence[tuple[str, str]] | None = None, orphans: list[dict] | None = None,
        warnings: list[str] | None = None, rows: int = 0, excluded: list | None = None,
        columns: list | None = None,
    ) -> None:
        self.pool_name = pool_name
        self.associations = [] if associations is None else associations
        self.skipped = [] if skipped is None else skipped
        self.files = [] if files is None else files
        self.orphans = [] if orphans is None else orphans
        self.warnings = [] if warnings is None else warnings
        self.rows = rows
        self.excluded = [] if excluded is None else excluded
        self.columns = [] if columns is None else columns

    def __repr__(self) -> str:  # the lists can hold a million entries
        return (
            f"<GenerateResult {self.pool_name}: {self.rows} rows, {len(self.associations)} associations, "
            f"{len(self.orphans)} orphans>"
        )


def _load(pool: Any, options: GenerateOptions):
    from .pool import Pool, pool_from_table, read_pool

    if isinstance(pool, Pool):
        return pool
    if isinstance(pool, (str, os.PathLike)):
        return read_pool(os.fspath(pool), delimiter=options.delimiter, fmt=options.pool_format)
    return pool_from_table(pool)


def _blame_rule_file(err: Exception, options) -> None:
    """An error raised by a user rule file's code names that file and line."""
    import traceback

    from .errors import RuleError

    user_files = {os.path.realpath(os.path.expanduser(path)): path for path in options.rules or ()}
    if not user_files:
        return
    blamed = None
    for frame in traceback.extract_tb(err.__traceback__):
        resolved = os.path.realpath(frame.filename)
        if resolved in user_files:
            blamed = (user_files[resolved], frame.lineno)
    if blamed is not None:
        text = " ".join(str(err).split())
        raise RuleError(
            f"rule code failed: {type(err).__name__}: {text}", file=str(blamed[0]), line=blamed[1]
        ) from None


def _check_ids(options) -> None:
    """``-i`` ids become part of a regular expression: refuse ones that are not valid there."""
    if not options.ids:
        return
    import re

    from .errors import UsageError

    for cid in options.ids:
        try:
            re.compile(".+(" + cid + ").+")
        except re.error as err:
            raise UsageError(f"candidate id {cid!r} cannot be used: {err}") from None


def _classifiable(pool, options):
    """Set aside rows whose member type cannot be determined (science pointing, no EXP_TYPE).

    The reference aborts the whole run on the first such row; such a row can
    never become a member, so leaving it out changes nothing else.  With
    ``--strict`` the run stops instead, naming the row.
    """
    from .pool import Pool
    from .records import as_dict, cell
    from .rules.dms import EMPTY_SET

    excluded = []
    keep = []
    for number, record in enumerate(pool.records, start=1):
        exp_type = cell(record, "exp_type")
        if exp_type is None or exp_type in EMPTY_SET:
            pointing = cell(record, "pntgtype")
            if pointing is None or pointing in EMPTY_SET or pointing == "science":
                if options.strict:
                    raise PoolError(
                        "exposure type cannot be determined (EXP_TYPE is empty and PNTGTYPE is science)",
                        file=pool.source, row=number, column="exp_type",
                    )
                excluded.append((number, as_dict(record), "exposure type cannot be determined: EXP_TYPE is empty"))
                continue
        keep.append(record)
    if not excluded:
        return pool, excluded
    return Pool(columns=pool.columns, records=keep, source=pool.source, comments=pool.comments), excluded


def set_aside_warning(excluded: list, rows: int) -> str:
    """One line saying which rows :func:`_classifiable` left out, and why (a user who does not
    ask for orphans would otherwise not learn that an exposure was never considered)."""
    numbers = [str(number) for number, _, _ in excluded[:5]]
    more = f" and {len(excluded) - 5} more" if len(excluded) > 5 else ""
    which = "every row" if len(excluded) == rows else f"{len(excluded)} of {rows} rows"
    return (
        f"{which} left out, exposure type cannot be determined (EXP_TYPE empty, PNTGTYPE science "
        f"or empty): {'row' if len(excluded) == 1 else 'rows'} {', '.join(numbers)}{more}; "
        "--strict stops instead"
    )


_collector_depth = 0
_collector_was_enabled = True


class paused_collector:  # a class, not contextlib.contextmanager: importing contextlib costs 0.5 ms
    """The cyclic garbage collector off while generating or writing.

    A run allocates millions of small objects (states, members, index
    entries) that nearly all live until it ends, and it makes almost no
    reference cycles (the constraint trees of each candidate's rules: 27 MB
    at a million rows, however many rows).  Every collection walks the
    young objects anyway, and each older generation's the growing heap: at
    300,000 rows even rare collections (thresholds 100,000, 50, 1000) cost
    17% of the run (37.9 -> 31.4 s) and freed nothing worth having.  The
    collector's state comes back when the outermost use ends (nest it
    around generate and write); ``gc.collect()`` still works inside.  A
    rule file whose callbacks make cycles of their own row after row would
    hold them until then.
    """

    __slots__ = ()

    def __enter__(self) -> None:
        global _collector_depth, _collector_was_enabled
        if _collector_depth == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_depth += 1

    def __exit__(self, *exc_info) -> None:
        global _collector_depth
        _collector_depth -= 1
        if _collector_depth == 0 and _collector_was_enabled:
            gc.enable()


def generate(pool: Any, options: GenerateOptions | None = None, *, run=None) -> GenerateResult:
    """Generate the associations of ``pool`` (a path, a Pool or an astropy Table)."""
    with paused_collector():
        return _generate(pool, options, run)


def _generate(pool: Any, options: GenerateOptions | None, run) -> GenerateResult:
    from .ascii_pool import byte_order_mark_hint
    from .generator.drivers import MalformedCandidate, per_candidate, per_pool
    from .generator.loop import RunState
    from .registry import forget_first_rows
    from .rules.dms import MissingColumn

    options = options or GenerateOptions()
    pool = _load(pool, options)
    run = run or RunState()
    forget_first_rows()
    mark = byte_order_mark_hint(pool.columns)  # (an error about a column may come of it)
    if not options.per_pool_algorithm and len(pool) and "asn_candidate" not in pool.columns:
        raise PoolError("the pool has no ASN_CANDIDATE column" + mark, file=pool.source, column="asn_candidate")
    if not len(pool):
        raise PoolError("the pool has no rows", file=pool.source)
    for required in ("filename", "exp_type"):
        if required not in pool.columns:
            raise PoolError(f"the pool has no {required.upper()} column{mark}", file=pool.source, column=required)
    _check_ids(options)
    if options.fmt not in asn_io.FORMATS:
        from .errors import UsageError

        raise UsageError(f"unknown association format {options.fmt!r} (use one of {', '.join(asn_io.FORMATS)})")
    usable, excluded = _classifiable(pool, options)
    algorithm = per_pool if options.per_pool_algorithm else per_candidate
    try:
        associations = algorithm(usable, options, options.version_id, run)
    except MalformedCandidate as err:
        if err.row is None:  # found while naming an association: find the row it came from
            from .generator.drivers import row_with_candidate_id

            found = row_with_candidate_id(usable.iter_rows(), err.value, as_text=True)
            if found is not None:
                err = MalformedCandidate(found[0], found[1].get("asn_candidate"))
        raise PoolError(str(err), file=pool.source, row=err.row, column="asn_candidate") from None
    except MissingColumn as err:
        raise PoolError(
            "the pool lacks a value the rules need (no column, or only empty cells)" + mark,
            file=pool.source, column=err.args[0],
        ) from None
    except AsngenError:
        raise
    except Exception as err:
        _blame_rule_file(err, options)
        raise
    result = GenerateResult(pool_name=pool.name, rows=len(pool), warnings=list(run.warnings))
    result.excluded = excluded
    if excluded:
        result.warnings.insert(0, set_aside_warning(excluded, len(pool)))
    if mark:  # (the rules may have done without the column, as the reference does: say so anyway)
        result.warnings.insert(0, f"the first column is read as {pool.columns[0]!r}" + mark)
    result.columns = list(pool.columns)
    used: set = set()  # file names of the rows the written members came from
    result.files = AssociationFiles(options.fmt)
    collect(associations, result.files, result.associations, result.skipped, used)
    split = getattr(run, "level_split", None)
    if split is not None and split.started:  # the rows of the other process's files are not known yet
        split.keep_for_orphans(pool.records, used)
    else:
        result.orphans = orphans_of(pool.records, used)
    return result


def orphans_of(records: list, used: set) -> list[dict]:
    """The rows (as dicts) whose file name is not in ``used``."""
    from .records import as_dict, cell

    return [as_dict(record) for record in records if cell(record, "filename") not in used]


def collect(associations: list, files: AssociationFiles, written: list, skipped: list, used: set) -> None:
    """Finished associations into a result: each described, then its file added to ``files``
    and itself to ``written`` (or, when invalid, to ``skipped``); ``used`` gets the file
    names of the rows their members came from."""
    from .records import cell

    texts: dict = {}
    described: dict = {}
    for asn in associations:
        asn.describe_constraints(texts, described)
        if not asn.is_valid():
            skipped.append(asn)
            continue
        written.append(asn)
        files.add_association(asn)
        for product in asn.data["products"]:
            for member in product["members"]:
                row = member.row
                if row is not None:
                    used.add(cell(row, "filename") if type(row) is tuple else row.get("filename"))


def write_result(
    result: GenerateResult, path: str | Path, orphans_file: str | None = None,
    reasons: dict[str, str] | None = None, processes: int = 1,
) -> Sequence[Path]:
    """Write the association files (and the orphan table) into ``path`` atomically.

    The orphan table holds only the rows that are in no written association,
    each with a ``reason`` column (``reasons``: filename -> reason).  This
    deliberately differs from the reference, whose table lists every row.
    ``processes`` > 1 shares making and writing the files with forked
    processes (Linux; the files are the same).
    """
    with paused_collector():
        return _write_result(result, path, orphans_file, reasons, processes)


def _write_result(result: GenerateResult, path, orphans_file, reasons, processes: int = 1) -> Sequence[Path]:
    from .output import write_files_atomically

    extra: list = []
    if orphans_file:
        from .pool import Pool, format_pool

        reasons = reasons or {}
        excluded = {row.get("filename"): why for _, row, why in result.excluded}
        rows = [
            dict(row, reason=reasons.get(row.get("filename")) or excluded.get(row.get("filename"))
                 or "in no association")
            for row in result.orphans
        ]
        columns = list(result.columns) + ["reason"] if result.columns else (list(rows[0]) if rows else ["reason"])
        extra.append((orphans_file, format_pool(Pool(columns=columns, rows=rows))))
    if isinstance(result.files, AssociationFiles):
        return write_files_atomically(path, result.files.pending(extra), processes)
    return write_files_atomically(path, [*result.files, *extra], processes)
