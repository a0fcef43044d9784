"""The passes of a per-candidate run: in this process, or in several.

A per-candidate run is a series of independent passes (one per candidate,
then the discover pass over the whole pool).  What ties them together is
only numbering: serial and sequence numbers are handed out in creation
order across all passes.  So the passes can be shared between this process
and forked workers, each starting its numbers from zero, and the parent
renumbers their associations in the order a single process would have
created them: the result is the same, byte for byte.  The workers are plain
``os.fork`` children fed through pipes: ``multiprocessing`` and its process
pool took 25 ms to import and start, a tenth of mega_pool's whole run, and
left this process idle while they worked.

Workers send their associations back pickled, each as a tuple of its
fields, with references instead of copies for what the parent already has:
pool rows become row positions, bound rules become their rule's position
and computed constraint values (functions of the rule file) become their
slot.  The parent binds the rules named again for the pass's candidate
(only those: making the candidate's whole registry again, for every pass
a worker ran, was most of what taking the results back cost) and puts the
references back.

Anything unexpected in a worker (an error in a rule file, a malformed
candidate, a worker killed) makes the parent run every pass itself, so
errors surface exactly as they do without workers.
"""

from __future__ import annotations

import os
import sys

from .._collection_types import Callable, Iterator
from ..association import FIELDS, Association
from ..forking import EARLY, kill_and_reap, memory_file, write_fully
from ..records import shelved
from ..registry import BoundRule, Registry, RuleBinder
from .loop import RunState, generate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .early_drop import Doomed

#: below this many rows a run stays in one process (forking costs more than it saves)
MIN_ROWS = 200
_CHUNKS_PER_JOB = 6
_COMPUTED = "\0computed"  # stands for a leaf's own computed value in a detached state

_JOB: dict = {}  # what the forked workers inherit: set by the parent just before forking


#: a candidate of up to this many rows is given to its pass as a list: each row's dict is kept,
#: with what its look-ups learnt, for the row's next visit (1% fewer instructions); a larger one
#: as an iterator, each dict made as the row is taken and let go when its step is done (a pass
#: over one observation of 30,000 rows: 298 -> 229 MB, no slower)
LISTED_ROWS = 5_000


class PassSpec:
    """One pass, described so that a worker can run it and the parent can take its result back.

    ``label`` is reported as progress when the pass is done (None: not reported);
    ``weight()``: about how many rows it reads (to share the work between workers);
    ``rows()``: the records of the pass; ``registry()``: its registry (two calls give
    registries with the same rules); ``marker``: written over the rows' asn_candidate
    during the pass; ``binder()``, when given: a :class:`~asngen.registry.RuleBinder` of
    the same registry, which binds only the rules asked for (the parent then takes a
    worker's associations back without making the pass's registry again).
    """

    __slots__ = ("label", "weight", "rows", "registry", "marker", "binder")

    def __init__(
        self, label: str | None, weight: Callable[[], int], rows: Callable[[], list],
        registry: Callable[[], Registry], marker: str | None = None,
        binder: Callable[[], RuleBinder] | None = None,
    ) -> None:
        self.label = label
        self.weight = weight
        self.rows = rows
        self.registry = registry
        self.marker = marker
        self.binder = binder


def run_pass(
    spec: PassSpec, registry: Registry, version_id, pool_name: str, run: RunState,
    doomed: Doomed | None = None,
) -> list[Association]:
    """One pass in this process, its associations sealed (names computed: nothing changes them later).

    The pass sees its records as dicts, marked with its candidate alone, as
    the reference generates each candidate from a copy of its rows; the
    dicts are made as the rows are taken and go when the pass is over (a
    candidate of more than :data:`LISTED_ROWS` rows: when the row's step is).
    Associations that ``doomed`` says finalization will drop are neither
    named, when that verdict does not need their name, nor settled (on
    mega_pool that is half of them); the caller drops them.
    """
    records = spec.rows()
    rows = shelved(records, spec.marker, run.kept_rows)
    if run.recorder is not None:  # explanations follow each row's own dict through the pass
        rows = [row.take() for row in rows]
    elif spec.marker is not None and len(records) <= LISTED_ROWS:  # a candidate's few rows: see generate
        rows = list(rows)
    associations = generate(rows, registry, version_id, pool_name, run, settle=False)
    shared = run.shared_states
    keep_files = run.recorder is not None
    taken: dict = {}  # (what the pass's first rows' states settled as: see Association.settle)
    for asn in associations:
        verdict = False if doomed is None else doomed.before_naming(asn)
        if verdict:
            continue
        asn.seal()
        if verdict is None:  # (the verdict needed the name)
            verdict = doomed.once_named(asn)
        if not verdict:
            asn.settle(shared, keep_files, taken)
    return associations


class WorkerFailed(Exception):
    """A worker could not finish its passes; the parent runs them itself."""


def usable_jobs(requested: int | None, rows: int) -> int:
    """How many processes to use: ``None`` means one per available CPU, for pools worth it."""
    if not sys.platform.startswith("linux"):
        return 1  # workers are forked; elsewhere forking a running interpreter is not safe
    if requested is None:
        if rows < MIN_ROWS:
            return 1
        try:
            requested = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            requested = os.cpu_count() or 1
    return max(1, requested)


def run_passes(
    passes: list[PassSpec], pool_records: list, version_id, pool_name: str, jobs: int, run: RunState,
    doomed: Doomed | None = None,
) -> list[list[Association]]:
    """The associations of every pass, in pass order, numbered as one process would number them.

    This process forks ``jobs - 1`` workers and works too: all of them take
    tasks from one pipe, written in full before the fork, until it is empty.
    A worker hands each task's associations back as soon as they are made,
    without ever waiting for this process (see :class:`_Worker`), which
    takes them between its own tasks.
    ``doomed``: associations dropped instead of kept or sent back (those
    finalization is sure to drop; their numbers are then not counted, which
    only matters where finalization does not renumber).
    Raises :class:`WorkerFailed` when a worker or a pass here could not finish.
    """
    import _pickle  # noqa: F401 - here, before the fork: not once more in every worker

    chunks = _chunks([spec.weight() for spec in passes], jobs)
    _JOB.clear()
    _JOB.update(
        passes=passes, version_id=version_id, pool_name=pool_name,
        row_positions={id(record): number for number, record in enumerate(pool_records)}, doomed=doomed,
        kept_rows=run.kept_rows,
    )
    if EARLY.get("role") == "worker":
        _serve_early(chunks)  # never returns
    results: list = [None] * len(passes)
    workers: list[_Worker] = []
    try:
        tasks = _take_early(len(chunks), workers) if EARLY else _task_pipe(len(chunks))
        try:
            for _ in range(min(jobs, len(chunks)) - 1 - len(workers)):
                workers.append(_Worker.fork(tasks, chunks))  # one by one: a failed fork stops those made
            local = RunState()  # numbers restart here too; see below
            local.shared_states = run.shared_states
            local.kept_rows = run.kept_rows
            for chunk in _tasks(tasks, chunks):
                for position in chunk:
                    results[position] = _pass_here(passes[position], local)
                for worker in workers:  # what has come back meanwhile: less left to do at the end
                    for payload in worker.arrived():
                        for position, associations in _restore(payload, pool_records, passes):
                            results[position] = associations
        finally:
            os.close(tasks)
        for worker in workers:
            for payload in worker.results():
                for position, associations in _restore(payload, pool_records, passes):
                    results[position] = associations
    except Exception as err:  # noqa: BLE001 - whatever went wrong, the caller reruns in-process
        raise WorkerFailed(f"{type(err).__name__}: {err}") from err
    finally:
        for worker in workers:
            worker.stop()
        _JOB.clear()
    for spec, associations in zip(passes, results, strict=True):
        for asn in associations:
            asn.serial = run.next_serial()
            asn.sequence = run.next_sequence(asn)
        if spec.label is not None:
            run.progress(spec.label)
    return results


def _chunks(weights: list[int], jobs: int) -> list[list[int]]:
    """Pass positions grouped into tasks of similar weight, heaviest tasks first.

    A pass heavier than a task's share (the discover pass reads the whole
    pool) is a task of its own and starts first, so that the other workers
    share the small passes meanwhile.
    """
    target = max(1, sum(weights) // (jobs * _CHUNKS_PER_JOB))
    big = sorted((position for position, weight in enumerate(weights) if weight >= target),
                 key=lambda position: -weights[position])
    chunks = [[position] for position in big]
    current: list[int] = []
    load = 0
    for position, weight in enumerate(weights):
        if weight >= target:
            continue
        current.append(position)
        load += weight
        if load >= target:
            chunks.append(current)
            current, load = [], 0
    if current:
        chunks.append(current)
    return chunks


def _pass_here(spec: PassSpec, local: RunState) -> list[Association]:
    """A task's pass run in this process: its associations need no pickling."""
    doomed = _JOB["doomed"]
    associations = run_pass(spec, spec.registry(), _JOB["version_id"], _JOB["pool_name"], local, doomed)
    return associations if doomed is None else [asn for asn in associations if not doomed(asn)]


_TASK = 4  # bytes per task number in the task pipe


def _task_pipe(count: int, pipe: tuple[int, int] | None = None) -> int:
    """A pipe (``pipe``'s read and write ends, or a new one) holding the numbers of ``count``
    tasks, its writing end closed: the read end.

    Every number is written in one write before any worker reads, so a read
    of one number's bytes always gets exactly one number, whoever reads first.
    """
    readable, writable = os.pipe() if pipe is None else pipe
    try:
        os.set_blocking(writable, False)  # a pipe too small for them all fails here, never hangs
        data = b"".join(number.to_bytes(_TASK, "little") for number in range(count))
        if os.write(writable, data) != len(data):
            raise OSError("the task pipe is too small")
    except BaseException:
        os.close(readable)
        raise
    finally:
        os.close(writable)
    return readable


def _tasks(tasks: int, chunks: list[list[int]]) -> Iterator[list[int]]:
    """The chunks this process takes from the task pipe, until it is empty."""
    while data := os.read(tasks, _TASK):
        yield chunks[int.from_bytes(data, "little")]


class _Worker:
    """A forked worker: takes tasks from the task pipe until it is empty, then exits.

    Each task's associations (pickled) are appended to the worker's own file
    in memory, and their size is then written to its notice pipe.  Sizes
    are 8 bytes, so the pipe never fills and the worker never waits for this
    process, which reads what has arrived between its own tasks and the rest
    at the end.  (A pipe carrying the results themselves needed a thread
    here to empty it while this process worked: 2 ms of mega_pool's run to
    import and start, and the thread then competed for the interpreter.)
    """

    def __init__(self, pid: int, notices: int, store: int) -> None:
        self.pid = pid
        self._notices = notices  # read end, non-blocking until the end
        self._store = store  # the worker's results, one after another
        self._offset = 0  # where the next payload starts in the store
        self._pending = bytearray()  # notice bytes read, not yet a whole size
        self._status: int | None = None

    @classmethod
    def fork(cls, tasks: int, chunks: list[list[int]]) -> _Worker:
        store = memory_file()
        try:
            readable, writable = os.pipe()
        except BaseException:
            os.close(store)
            raise
        try:
            pid = os.fork()
        except BaseException:
            for fd in (store, readable, writable):
                os.close(fd)
            raise
        if pid == 0:  # the worker: whatever happens, it never returns into the parent's code
            status = 1
            try:
                os.close(readable)
                _serve(tasks, chunks, store, writable)
                status = 0
            finally:
                os._exit(status)
        os.close(writable)
        os.set_blocking(readable, False)
        return cls(pid, readable, store)

    def arrived(self) -> Iterator[bytes]:
        """The payloads announced so far (the worker may still be working)."""
        try:
            while data := os.read(self._notices, 4096):
                self._pending += data
        except BlockingIOError:
            pass
        return self._take()

    def results(self) -> Iterator[bytes]:
        """The worker's remaining payloads, once it has exited; :class:`WorkerFailed` if it
        did not finish."""
        os.set_blocking(self._notices, True)
        while data := os.read(self._notices, 4096):
            self._pending += data
        _, status = os.waitpid(self.pid, 0)
        self._status = status
        if status != 0:
            raise WorkerFailed(f"worker {self.pid} ended with status {status:#x}")
        yield from self._take()
        if self._pending:
            raise WorkerFailed(f"worker {self.pid} sent a truncated notice")

    def _take(self) -> Iterator[bytes]:
        pending = self._pending
        while len(pending) >= 8:
            size = int.from_bytes(pending[:8], "little")
            del pending[:8]
            yield _read_at(self._store, size, self._offset)
            self._offset += size

    def stop(self) -> None:
        """Kill the worker if it still runs, reap it, and close its pipe and file."""
        if self._status is None:
            kill_and_reap((self.pid,))
            self._status = -1
        os.close(self._notices)
        os.close(self._store)


# ---------------------------------------------------------------- a worker forked before the pool is read


def _take_early(count: int, workers: list) -> int:
    """The worker forked early (:func:`asngen.forking.fork_early_worker`) joins ``workers``, its
    pipe gets the numbers of ``count`` tasks: the pipe's read end, to take tasks from as
    :func:`_task_pipe`'s."""
    early = dict(EARLY)
    EARLY.clear()
    workers.append(_Worker(early["pid"], early["notices"], early["store"]))
    return _task_pipe(count, (early["tasks"], early["feed"]))


def _serve_early(chunks: list[list[int]]) -> None:
    """In the worker forked early: take tasks until the pipe is empty, then exit."""
    status = 1
    try:
        _serve(EARLY["tasks"], chunks, EARLY["store"], EARLY["notices"])
        status = 0
    finally:
        os._exit(status)


def _serve(tasks: int, chunks: list[list[int]], store: int, notices: int) -> None:
    """A worker's life: each task's associations into ``store``, their size to ``notices``."""
    for chunk in _tasks(tasks, chunks):
        payload = _work(chunk)
        write_fully(store, payload)  # the parent reads with pread: the offset is ours
        write_fully(notices, len(payload).to_bytes(8, "little"))


def _read_at(fd: int, size: int, offset: int) -> bytes:
    """``size`` bytes at ``offset`` (one pread may return less than asked for)."""
    parts = []
    while size:
        data = os.pread(fd, size, offset)
        if not data:
            raise WorkerFailed("a worker's results end early")
        parts.append(data)
        size -= len(data)
        offset += len(data)
    return parts[0] if len(parts) == 1 else b"".join(parts)


# ---------------------------------------------------------------- worker side


def _work(positions: list[int]) -> bytes:
    """Run some passes in a worker: their associations, pickled with references."""
    import _pickle

    passes = _JOB["passes"]
    row_positions = _JOB["row_positions"]
    local = RunState()  # numbers restart here; the parent renumbers
    local.kept_rows = _JOB["kept_rows"]
    out = []
    detached_states: dict = {}
    for position in positions:
        registry = passes[position].registry()
        associations = run_pass(
            passes[position], registry, _JOB["version_id"], _JOB["pool_name"], local, _JOB["doomed"]
        )
        if _JOB["doomed"] is not None:
            associations = [asn for asn in associations if not _JOB["doomed"](asn)]
        position_of = _rule_positions(passes[position], registry)
        out.append((position, [_detach(asn, position_of, row_positions, detached_states) for asn in associations]))
    return _pickle.dumps(out, protocol=_PROTOCOL)


def _rule_positions(spec: PassSpec, registry: Registry) -> Callable[[BoundRule], int]:
    """How a pass's associations name their rule for the parent: by its position in the
    registry, or, for a pass with a binder, among every rule of the files (the registry's
    universe), as the binder takes it."""
    if spec.binder is None:
        return registry.rules.index
    universe = registry.universe
    return lambda bound: universe.index(bound.template)


#: what a worker sends of an association, in this order (its bound rule and rule go as the
#: rule's position; the parent binds them again)
_SHIPPED = tuple(name for name in FIELDS if name not in ("bound", "rule"))


def _detach(asn: Association, position_of: Callable[[BoundRule], int], row_positions: dict,
            detached_states: dict) -> tuple:
    """The association as plain data: (its rule's position, its fields in :data:`_SHIPPED`
    order, the attributes rule code added or None); references to what the parent has are
    replaced.

    A tuple of values rather than a dict of fields: pickled and unpickled, it
    took half the time (mega_pool).  ``detached_states``: the states vectors
    already made plain in this payload (settled associations share them, and
    so do their plain forms, which pickle once)."""
    states = asn.states
    made = detached_states.get(id(states))
    if made is None:
        plain = states
        if any(st is not None and callable(st[0]) for st in states):
            plain = tuple([(_COMPUTED, *st[1:]) if st is not None and callable(st[0]) else st for st in states])
        detached_states[id(states)] = (plain, states)  # (the vector is held: its id stays its own)
    else:
        plain = made[0]
    for product in asn.products:
        for member in product["members"]:
            position = row_positions.get(id(member.row))
            if position is not None:
                member.row = position
    values = [getattr(asn, name) for name in _SHIPPED]
    values[_STATES] = plain
    added = getattr(asn, "__dict__", None)
    return position_of(asn.bound), tuple(values), dict(added) if added else None


_STATES = _SHIPPED.index("states")

#: the payloads are pickled with the C pickler itself (``_pickle``): importing ``pickle`` for
#: it, whose Python half only the pure-Python fallback needs, took 0.9 ms of every run's start
_PROTOCOL = 5


# ---------------------------------------------------------------- parent side


def _restore(payload: bytes, pool_records: list, passes: list[PassSpec]):
    import _pickle

    restored_states: dict = {}  # (bound rule, plain states vector) -> the vector restored, per payload
    for position, detached in _pickle.loads(payload):
        if not detached:
            yield position, []
            continue
        spec = passes[position]
        bind = spec.binder() if spec.binder is not None else spec.registry().rules.__getitem__
        yield position, [_attach(shipped, bind, pool_records, restored_states) for shipped in detached]


def _attach(detached: tuple, bind: Callable[[int], BoundRule], pool_records: list,
            restored_states: dict) -> Association:
    """An association from what :func:`_detach` made of it.  ``restored_states``: the states
    vectors already restored from this payload (associations that shared a vector share it
    again, as they did in the worker)."""
    position, values, added = detached
    bound = bind(position)
    asn = Association.from_fields(zip(_SHIPPED, values, strict=True))
    if added:
        asn.__dict__.update(added)
    asn.bound = bound
    asn.rule = bound.rule
    plain = asn.states
    if any(st is not None and st[0] == _COMPUTED for st in plain):
        key = (bound, id(plain))  # (the payload holds every plain vector until it is done)
        states = restored_states.get(key)
        if states is None:
            leaves = list(bound.tree.leaves())
            states = restored_states[key] = tuple([
                (leaves[slot].value, *st[1:]) if st is not None and st[0] == _COMPUTED else st
                for slot, st in enumerate(plain)
            ])
        asn.states = states
    for product in asn.products:
        for member in product["members"]:
            if type(member.row) is int:
                member.row = pool_records[member.row]
    return asn
