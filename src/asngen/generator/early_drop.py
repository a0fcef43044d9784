"""What a run need not keep, or not build at all: associations finalization is sure to drop.

Finalization drops every invalid association of most rules (their finalize
says so with :func:`~asngen.rules.model.drops_invalid`).  Half of what the
candidate passes of a real pool build is such an association, and holding
them to the end is most of a large run's memory.  :class:`Doomed` tells,
as each pass ends, which ones can go at once; :class:`Unrun` goes further
and leaves out of a pass the rules whose associations there would all be
doomed and would touch nothing else; :func:`discoverable` does the same for
the discover pass without a candidate, even when nothing else is dropped
early.  None of this changes a run's files: the tests compare every case
with the run that builds and keeps everything.
"""

from __future__ import annotations

from ..engine.patterns import is_word
from ..records import ABSENT, RecordView, cell, distinct_cells
from ..registry import DISCOVER, template_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..registry import Registry
    from .loop import RunState


def failing_rules(files, records) -> frozenset:
    """The rules whose finalize may stop the run on one of this pool's ``records`` (see
    :func:`~asngen.rules.model.fails_on`).

    Every association of such a rule is built and finalized, valid or not,
    as the reference does: none is left out of a pass (:class:`Unrun`,
    :func:`discoverable`) or let go early (:class:`Doomed`).  Leaving out an
    association whose finalize would have stopped the reference's run
    turned an error into files.  Real pools seldom hold such a row; the
    rules keep every saving on the others.
    """
    by_test: dict = {}  # (row test, the columns it reads) -> the rules marked with it
    for rule_file in files:
        for rule in rule_file.rules:
            marked = rule.may_fail_on
            if marked is not None:
                by_test.setdefault(marked, []).append(rule)
    failing: list = []
    for (test, reads), rules in by_test.items():  # (asked once per distinct combination of cells)
        for cells in distinct_cells(records, reads):
            if test({name: value for name, value in zip(reads, cells, strict=True) if value is not ABSENT}):
                failing.extend(rules)
                break
    return frozenset(failing)


def doomed_for(discover_registry: Registry, discover: bool, options, run: RunState,
               failing: frozenset = frozenset()) -> Doomed | None:
    """What may be let go of as soon as its pass is over (None: keep all); see :class:`Doomed`.

    Explanations keep everything (they tell of the associations dropped), and
    so does debug mode: there the discover pass's renumbering, which counts
    invalid associations too, shows in the names of the pruned duplicates.
    """
    if not options.finalize or options.debug or run.recorder is not None:
        return None
    levels = {getattr(callback, "finalized_level", None) for callback in discover_registry.finalizers}
    if not levels or None in levels:
        return None
    return Doomed(
        frozenset(levels), discover, all(bound.acid_leaf is None for bound in discover_registry.rules), failing,
    )


class Doomed:
    """Invalid associations that finalization is sure to drop and that nothing before it
    compares with: called with an association, says whether it is one.

    Finalization drops an invalid association when its rule's finalize says so
    (:func:`~asngen.rules.model.drops_invalid`) and every ``FINALIZE``
    callback hands each association of its level straight to that finalize.
    Before it, only the discover filter looks at associations: a candidate
    association, valid or not, removes the discovered associations equal to
    it, and equality needs the same first letter of ``asn_id``.  Discovered
    associations are ``a3001`` unless a discover rule pins a candidate, so an
    invalid candidate association with an ``o``/``c`` id removes nothing.
    """

    __slots__ = ("levels", "discover", "discovered_are_a3001", "dropping", "failing")

    def __init__(self, levels: frozenset, discover: bool, discovered_are_a3001: bool,
                 failing: frozenset = frozenset()) -> None:
        self.levels = levels
        self.discover = discover
        self.discovered_are_a3001 = discovered_are_a3001
        self.failing = failing  # rules whose finalize may stop the run on this pool (failing_rules)
        self.dropping: dict = {}  # id(rule) -> (rule, whether its finalize drops invalid associations)

    def __call__(self, asn) -> bool:
        verdict = self.before_naming(asn)
        return self.once_named(asn) if verdict is None else verdict

    def once_named(self, asn) -> bool:
        """The verdict on a named association that :meth:`before_naming` left to its name: an
        ``a`` id could equal a discovered association's, which the discover filter compares."""
        return not asn.data["asn_id"].startswith("a")

    def before_naming(self, asn) -> bool | None:
        """The verdict, when it does not need the association's ``asn_id`` (None: it does).

        A pass names only the associations it keeps: on mega_pool half of
        what the candidate passes build is invalid, and naming is most of
        what a finished association costs besides.
        """
        if asn.level not in self.levels:
            return False
        rule = asn.rule
        known = self.dropping.get(id(rule))
        if known is None or known[0] is not rule:  # asked of every association: a rule answers once
            known = self.dropping[id(rule)] = (rule, rule.drops_invalid and not (self.failing and rule in self.failing))
        if not known[1] or asn.is_valid():
            return False
        if not self.discover or asn.registry_name == DISCOVER:
            return True
        return None if self.discovered_are_a3001 else False


class Unrun:
    """The rules a pass need not run: those whose every association there is doomed, and that
    change nothing else.

    A rule qualifies in a pass when its candidate type (``discovered`` in
    the discover pass) can never make it valid (:meth:`Rule.can_be_valid_for`:
    ``needs_candidate``, or a validity check marked with
    :func:`~asngen.rules.model.only_for_candidates`), finalization drops its
    invalid associations early (:class:`Doomed`), its candidate is the
    pass's own (no ``is_acid`` constraint of its own), and every reprocess
    request it can raise goes back to itself alone.  Its associations are
    then all it touches: the rows it would send round again are offered to
    its own associations only, and doomed associations' numbers are not
    counted.  On mega_pool the Level 2 rules in group, mosaic and
    coronagraphy candidates built some 800 such associations.  A rule that is
    valid only with a science member (:attr:`Rule.needs_science`) is also
    left out of a pass none of whose rows may be its science
    (:attr:`Rule.may_be_science`: the Level 2 WFSS rules, which start an
    association with every direct image of an observation).
    """

    def __init__(self, files, doomed: Doomed | None) -> None:
        self.doomed = doomed
        self.quiet: list = []  # rules that may be left out where they cannot be valid
        self._by_type: dict = {}  # candidate type (lower case) -> the rules it leaves out
        self._includes: dict = {}  # rules left out -> the include filter leaving them out
        self._may_be_science: dict = {}  # a rule's may_be_science -> {a part's key: its answer}
        self._verdicts: dict = {}  # a declared may_be_science -> {the cells it reads: its answer}
        if doomed is None:
            return
        for rule_file in files:
            for rule in rule_file.rules:
                if rule.level not in doomed.levels or not rule.drops_invalid or rule in doomed.failing:
                    continue
                template = template_of(rule)
                if template.acid_leaf is None and not _reprocesses_others(template.tree):
                    self.quiet.append(rule)
        # rules left out of a pass none of whose rows may be their science
        self._science_only = [rule for rule in self.quiet if rule.may_be_science is not None and rule.needs_science]

    def candidate_filter(self, cid, ctype, parts=None):
        """The include filter of candidate ``cid``'s registry (None: every rule).

        ``parts()``, when given, returns the pass's records in parts that
        passes share, as ``(key, records)`` pairs (a key stands for the same
        records in every pass; the records may be read lazily, and are read
        once for each predicate the rules ask): a rule
        valid only with a science member is also left out when none of
        them may be its science (:attr:`~asngen.rules.model.Rule.may_be_science`).
        """
        if not self.quiet or type(cid) is not str or type(ctype) is not str:
            return None
        if not (is_word(cid) and is_word(ctype)):
            return None  # the candidate constraint reads back exactly (cid, ctype) only for plain words
        doomed = self.doomed
        if doomed.discover and (not doomed.discovered_are_a3001 or cid.startswith("a")):
            return None  # see Doomed.before_naming: their asn_id would be asked
        left_out = self._left_out(ctype.lower())
        if parts is not None:
            asked = [rule for rule in self._science_only if rule not in left_out]
            if asked:
                shares = parts()
                without = [rule for rule in asked if not self._any_science(rule.may_be_science, shares)]
                if without:
                    left_out = left_out.union(without)
        return self._include(left_out)

    def discover_filter(self, discoverable):
        """The discover registry's include filter, given the one without this (None: every rule)."""
        left_out = self._include(self._left_out("discovered")) if self.quiet else None
        if left_out is None:
            return discoverable
        if discoverable is None:
            return left_out
        return lambda rule: discoverable(rule) and left_out(rule)

    def _left_out(self, ctype: str) -> frozenset:
        found = self._by_type.get(ctype)
        if found is None:
            found = self._by_type[ctype] = frozenset(rule for rule in self.quiet if not rule.can_be_valid_for(ctype))
        return found

    def _include(self, left_out: frozenset):
        if not left_out:
            return None
        include = self._includes.get(left_out)
        if include is None:
            include = self._includes[left_out] = lambda rule: rule not in left_out
        return include

    def _any_science(self, may_be_science, parts) -> bool:
        """Whether a record of ``parts`` may be a science member.  Answered per part and
        remembered by its key (a row is in 2.4 passes on average, and a pass's parts are
        those of others: an observation's rows, a background candidate's), the records of
        a part read until one may be.  A predicate that declares the columns it reads
        (:func:`~asngen.engine.constraints.reads_row`) is asked once per combination of
        their cells, and given those cells alone."""
        known = self._may_be_science.get(may_be_science)
        if known is None:
            known = self._may_be_science[may_be_science] = {}
        reads = getattr(may_be_science, "row_reads", None)
        verdicts = None
        if reads is not None:
            verdicts = self._verdicts.get(may_be_science)
            if verdicts is None:
                verdicts = self._verdicts[may_be_science] = {}
        for key, records in parts:
            answer = known.get(key)
            if answer is None:
                answer = known[key] = _any_may_be(may_be_science, records, reads, verdicts)
            if answer:
                return True
        return False


def _any_may_be(may_be_science, records, reads: tuple | None, verdicts: dict | None) -> bool:
    """Whether ``may_be_science`` says yes of one of ``records`` (see Unrun._any_science)."""
    for record in records:
        if reads is None:
            if may_be_science(RecordView(record)):
                return True
            continue
        cells = tuple([cell(record, name, ABSENT) for name in reads])
        try:
            verdict = verdicts.get(cells)
        except TypeError:  # an unhashable cell: asked of the row itself
            verdict = bool(may_be_science(RecordView(record)))
        if verdict is None:
            verdict = verdicts[cells] = bool(may_be_science(
                {name: value for name, value in zip(reads, cells, strict=True) if value is not ABSENT}
            ))
        if verdict:
            return True
    return False


def _reprocesses_others(node) -> bool:
    """Whether a request raised by ``node`` or below may name other rules (``reprocess_rules``
    set: an empty list means every rule).  Requests that name none go to the rule that raised them."""
    if getattr(node, "reprocess_rules", None) is not None:
        return True
    return any(_reprocesses_others(child) for child in getattr(node, "children", ()))


def discoverable(options, failing: frozenset = frozenset()):
    """Rules worth running without a candidate (None: every rule).

    Level 2 rules that need an observation or background candidate can never
    produce a valid association in the discover pass; with finalization on,
    such associations are dropped before anything looks at them, so they are
    not built at all, even in debug mode or with explanations.  (With
    --no-finalize they still take sequence numbers, so they are built.)
    :meth:`Unrun.discover_filter` adds the other rules that cannot be valid
    there, when associations are dropped early.  Rules whose finalize may stop
    the run on this pool (``failing``: :func:`failing_rules`) are run all the same.
    """
    if not options.finalize:
        return None
    return lambda rule: not rule.needs_candidate or rule in failing
