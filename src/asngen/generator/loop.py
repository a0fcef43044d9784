"""One pass of the generator over a set of rows with one registry.

Rows are taken from the work queue list by list.  Each row is first offered
to the existing associations that could take it (in creation order), then to
every rule, in registry order, that may start a new association with it,
except rules that already took the row in this step.  What the constraints
ask to be tried again goes back on the queue.  With ``trace`` set, every
decision is recorded for ``asngen explain``.
"""

from __future__ import annotations

from .._collection_types import Iterator
from ..association import Association
from ..engine.constraints import Category, Reprocess
from ..engine.index import AssociationIndex
from ..engine.queue import WorkQueue, keep_after
from ..engine.screening import screened
from ..engine.static_filter import StaticFilter
from ..records import Shelved
from ..registry import BoundRule


class RunState:
    """What lives for a whole run: serial numbers and the reference's sequence counters."""

    def __init__(self) -> None:
        self.serial = 0
        self.level2_sequence = 1  # shared by all Level 2 rules, pre-incremented (first is 2)
        self.level3_sequences: dict[str, int] = {}
        self.recorder = None  # an explain.Recorder when decisions are recorded
        self.warnings: list[str] = []
        self.on_progress = None
        self.shared_states: dict = {}  # one copy of each settled constraint state (Association.settle)
        self.kept_rows: dict | None = None  # the rows passes take, kept to be copied (records.Shelved)
        self.level_split = None  # an asngen.level_split.LevelSplit: Level 3 finished in a child
        self.revisits_spared = 0  # rows asked for again that their trail showed would find nothing

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def progress(self, label: str) -> None:
        if self.on_progress is not None:
            self.on_progress(label)

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def next_sequence(self, asn) -> int:
        return self.next_sequence_of(asn.level, asn.asn_type)

    def next_sequence_of(self, level: int, asn_type: str) -> int:
        if level == 2:
            self.level2_sequence += 1
            return self.level2_sequence
        value = self.level3_sequences.get(asn_type, 0) + 1
        self.level3_sequences[asn_type] = value
        return value


def generate(items, registry, version_id, pool_name: str, run: RunState, settle: bool = True) -> list[Association]:
    """Build the (unfinalized) associations of ``items`` under ``registry``.

    With ``settle`` false their states are left as they are: the caller settles the ones it
    keeps (settling is a fifth of what an association costs, and most are dropped), with one
    ``taken`` dict for the pass (see Association.settle).
    """
    if version_id is True:  # the reference stamps each pass separately
        from datetime import UTC, datetime

        version_id = datetime.now(UTC).strftime("%Y%m%dt%H%M%S")
    associations: list[Association] = []
    index = AssociationIndex()
    statics = StaticFilter(registry.rules, getattr(registry, "universe", None))
    queue = WorkQueue()
    # Rows given as an iterator (a pass over a whole pool) are made into dicts one by one and
    # queued again as records.  A list's rows (a candidate's few) keep their dicts for the
    # pass: ``records`` pins each and remembers its record (a queued row is then not remade)
    # and what its look-ups learnt (its keys, what the gates say of it: the row's alone, so
    # they hold for its next visit, which a target asks for every row it matched).
    lazy = isinstance(items, Iterator)
    records: dict | None = None if lazy else {}  # id(row) -> (record, row, look-up memo)
    queue.push(Reprocess(items if lazy else list(items), list(registry.rules), Category.BOTH))
    requeuing: set = set()  # the rules that asked for a row again in this pass (see trailing)
    recorder = run.recorder
    all_rules = registry.rules
    while True:
        work = queue.pop()
        if work is None:
            break
        allowed = work.rules if work.rules else all_rules
        allowed_set = set(allowed)
        category = work.work_over
        # what the work's category lets its rows do (asked once, not for every row)
        offered = category != Category.RULES  # to existing associations
        starting = category == Category.BOTH or category == Category.RULES  # to rules, anew
        skip_held = recorder is None and category == Category.BOTH
        # A rule that took a row asks for it again, to be offered to the rule's other
        # associations once every row had its turn; nearly always it finds none it could
        # join.  The row's first look-up leaves a trail (rules that asked before only), and
        # its second is skipped while the trail shows that it would find the same.
        trailing = TRAILS and recorder is None and category == Category.BOTH
        revisited = None
        if TRAILS and recorder is None and category == Category.EXISTING and len(allowed) == 1:
            if isinstance(allowed[0], BoundRule):
                revisited = allowed[0]
        for item in work.items:
            record = None
            memo = None
            token = None
            if type(item) is _Revisit:  # a pool pass's row, with the tokens of its first visit
                if revisited is not None:
                    token = _token_of(item, revisited)
                item = item[0]
            elif records and type(item) is not Shelved:
                pinned = records.get(id(item))
                if pinned is not None and pinned[1] is item:
                    record, memo = pinned[0], pinned[2]
                    if revisited is not None:
                        token = memo.get(revisited)
            if token is not None and index.trail_holds(revisited, token):
                run.revisits_spared += 1
                continue
            trails = None
            if type(item) is Shelved:
                shelf, item = item, item.take()
                record = shelf[0]
                if records is not None:
                    memo = {}
                    records[id(item)] = (record, item, memo)
            existing = []
            created = []
            reprocess: list = []
            filename = _filename_of(item)
            # The associations the row already joined accept it again and change nothing; a
            # row re-queued after joining many (a background exposure) would meet them all on
            # every round.  Only their rules matter (below), unless each offer is recorded for
            # explain.  (Those it joins in this step count only if they say they matched.)
            held = index.by_filename.get(filename) if skip_held else None
            held_before = len(held) if held else 0
            if offered:
                if trailing and requeuing:
                    trails = {}
                candidates = _candidates(index, item, allowed_set, filename if recorder is not None else None, memo,
                                         trails, requeuing, SCREENING and recorder is None)
                for asn in candidates:
                    if filename in asn.filenames:
                        if recorder is not None:
                            existing.append(asn)
                            recorder.offer(item, asn, True, None)
                        continue
                    trace = [] if recorder is not None else None
                    matched, requests = asn.add(item, trace)
                    reprocess.extend(requests)
                    if matched:
                        existing.append(asn)
                        index.refresh(asn)
                    if recorder is not None:
                        recorder.offer(item, asn, matched, trace)
            if starting:
                if existing or held_before:
                    taken = {asn.bound for asn in existing}
                    if held_before:
                        taken.update([asn.bound for asn in held[:held_before]])
                else:
                    taken = _NOTHING_TAKEN
                if recorder is None:  # only the rules the row alone does not turn away
                    passing = None
                    starters = [all_rules[position] for position in statics.starting(item, record)]
                else:  # explanations tell of every rule
                    passing = statics.passing(item)
                    starters = all_rules
                for bound in starters:
                    if bound not in allowed_set or bound in taken:
                        continue
                    if passing is not None and bound.template not in passing:
                        recorder.refuse_static(item, bound)
                        continue
                    asn = Association(bound, version_id, 0, pool_name)
                    trace = [] if recorder is not None else None
                    matched, requests = asn.add(item, trace, fresh=True)
                    reprocess.extend(requests)
                    if recorder is not None:
                        recorder.create(item, bound, asn if matched else None, trace)
                    if matched:
                        asn.serial = run.next_serial()
                        asn.sequence = run.next_sequence(asn)
                        associations.append(asn)
                        created.append(asn)
                        index.add(asn)
                        asn.index = index
                        for member_file in asn.filenames:
                            index.note_member(asn, member_file)
            if record is not None:  # the row is done: its members keep its record, not its dict
                _keep_record(existing, item, record)
                _keep_record(created, item, record)
            if not reprocess:
                continue
            sealed = None
            kept_requests = []
            for request in reprocess:
                kept = keep_after(request, category)
                if kept is None:
                    continue
                kept_requests.append(kept)
                if trailing and kept.work_over == Category.EXISTING and kept.rules and len(kept.rules) == 1:
                    bound = kept.rules[0]
                    if bound not in requeuing:
                        requeuing.add(bound)
                    elif trails and (sealed is None or bound not in sealed):
                        token = _sealed(index, bound, trails.get(bound), candidates, filename)
                        if sealed is None:
                            sealed = {}
                        sealed[bound] = token
                        if token is not None and memo is not None:
                            memo[bound] = token  # (a list's row: its memo lives in its pin)
            if lazy and record is not None:
                revisit = _revisit_of(shelf, sealed) if sealed else shelf
                for kept in kept_requests:
                    if kept.split == "asn_candidate":
                        kept.items = _shelved_copies(kept.items, shelf)
                    else:
                        kept.items = [revisit if queued is item else queued for queued in kept.items]
            for kept in kept_requests:
                queue.push(kept)
    for rule in all_rules:  # what the rules remembered of first rows served this pass alone
        if type(rule) is BoundRule:
            ended = rule
            if ended.first_rows is not None:
                ended.first_rows = None
    shared = run.shared_states
    taken: dict = {}
    for asn in associations:  # the pass is over: its index can go, its states are final
        asn.index = None
        asn.unchanged_by = None
        if settle:
            asn.settle(shared, recorder is not None, taken)
    return associations


#: from this many rules with associations in a pass, and allowed to take the row, on, a row asks
#: the index which of them it may find anything of (AssociationIndex.rules_for) before looking
#: under each
_MANY_RULES = 6

#: whether rows asked for again are spared while their trail holds (off: every one is looked up
#: again, as the reference does; the files are the same either way)
TRAILS = True

#: whether a pass over the whole pool leaves out of a row's offers the associations whose
#: candidate constraint is sure to refuse it (engine.screening.screened; off: every one is offered
#: and refuses, as in the reference; the files are the same either way)
SCREENING = True

_NOTHING_TAKEN: frozenset = frozenset()  # the rules a row joined no association of took


class _Revisit(tuple):
    """A pool pass's row asked for again, as (shelf, rule, token, rule, token...): the tokens
    (AssociationIndex.seal_trail) that may spare taking it again."""

    __slots__ = ()


def _revisit_of(shelf, sealed: dict):
    """What a pool pass's row is queued again as: its shelf, with the tokens it has (if any)."""
    parts = [shelf]
    for bound, token in sealed.items():
        if token is not None:
            parts.append(bound)
            parts.append(token)
    return _Revisit(parts) if len(parts) > 1 else shelf


def _token_of(revisit, bound):
    """The token ``revisit`` holds for ``bound``; None: none."""
    for position in range(1, len(revisit), 2):
        if revisit[position] is bound:
            return revisit[position + 1]
    return None


def _sealed(index: AssociationIndex, bound, trail: list | None, candidates: list, filename) -> tuple | None:
    """The token of the row's walk under ``bound``, if every association of the rule it found
    holds the row now (one that refused it may change its mind; one that holds it never)."""
    if trail is None:
        return None
    for asn in candidates:
        if asn.bound is bound and filename not in asn.filenames:
            return None
    return index.seal_trail(bound, trail)


def _keep_record(joined: list, item: dict, record: tuple) -> None:
    """Point the members ``item`` just became at its ``record`` (it was appended last, if at all)."""
    for asn in joined:
        if asn.products:
            members = asn.products[-1]["members"]
            if members and members[-1].row is item:
                members[-1].row = record


def _shelved_copies(copies: list, shelf: Shelved) -> list:
    """A pool pass's row split into one copy per candidate, as shelves of its record.

    Each copy is the row with one candidate's text in ``asn_candidate``, which
    is what a shelf's marker makes of the record when it is taken.  Held as
    dicts, the copies that joined associations stayed whole until the end of a
    pass over the whole pool (about half of what a ``--per-pool-algorithm`` run
    held); as shelves, their members keep the record, as every other row's do.
    """
    record, _, kept = shelf
    return [Shelved((record, copy["asn_candidate"], kept)) for copy in copies]


def _filename_of(row: dict):
    """The row's file name (None without one): compiled, the row is typed (loop.pxd), and this
    is a C dict look-up, not a method found on the row and called, for every row of a pass."""
    return row.get("filename")


def _candidates(index: AssociationIndex, item, allowed_set, joined_by: str | None = None,
                memo: dict | None = None, trails: dict | None = None, trailed: set | None = None,
                screening: bool = False) -> list:
    """The associations ``item`` may join, in creation order, and those that hold the file
    ``joined_by`` (the ones the row already joined).  ``memo``: what earlier look-ups of
    the row learnt (see AssociationIndex.candidates), filled in here.  ``trails``: filled
    with the walk under each rule of ``trailed`` (see generate).  ``screening``: leave out
    the associations whose candidate constraint is sure to refuse the row (see
    engine.screening.screened; off when every offer is recorded for explain)."""
    found: dict = {}
    if memo is None:
        memo = {}
    active = index.all_by_rule
    # with many rules at work (a pass over a whole pool) and allowed (not a row tried again by
    # the rules that asked for it), only those the row may find anything of
    many = len(active) >= _MANY_RULES and len(allowed_set) >= _MANY_RULES
    among = index.rules_for(item, memo) if many else None
    if among is None:
        among = allowed_set if len(allowed_set) < len(active) else active
    for bound in among:
        if bound in allowed_set and bound in active:
            slot = bound.candidate_slot if screening else -1
            into = found if slot < 0 else {}
            if trails is not None and bound in trailed:
                trail = trails[bound] = []
                index.candidates(item, bound, into, memo, trail)
            else:
                index.candidates(item, bound, into, memo)
            if slot >= 0 and into:
                screened(item, slot, into, found, memo)
    if joined_by is not None:
        for asn in index.by_filename.get(joined_by, ()):
            if asn.bound in allowed_set:
                found[asn.serial] = asn
    return [found[serial] for serial in sorted(found)]
