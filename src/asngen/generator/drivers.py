"""The two generation algorithms and what follows them.

*Per candidate* (the default): for every association candidate listed in the
pool's ``asn_candidate`` column, the rows that mention it form a small pool,
generated on its own with the candidate pinned; a last pass over the whole
pool finds "discovered" associations.  *Per pool*: one pass over the whole
pool with every candidate at once.  Then come finalization (validity,
splitting, pruning duplicates, numbering), optional merging, and the
``--DMS`` filter.
"""

from __future__ import annotations

from bisect import bisect_right

from .._collection_types import int64s
from ..engine.patterns import evaluate_literal
from ..forking import release_early_worker
from ..member import forget_renamed
from ..records import cell, shelved
from ..registry import CANDIDATE, DISCOVER, Registry, RuleBinder, resolve_rule_files
from .early_drop import Unrun, failing_rules
from .early_drop import discoverable as _discoverable
from .early_drop import doomed_for as _doomed
from .loop import RunState, generate
from .parallel import PassSpec, WorkerFailed, run_pass, run_passes, usable_jobs
from .prune import PruneState, resequence, same_association

#: a run whose passes renamed fewer files keeps the table of names (see forget_renamed)
KEEP_RENAMED = 20_000
#: a pool of this many rows or fewer keeps the dict of each row its passes take, to be copied
#: when another pass takes the row (records.Shelved): 2.3 KB a row of 57 columns
KEEP_ROWS = 20_000


class MalformedCandidate(ValueError):
    """An ASN_CANDIDATE cell the reference cannot use either (it stops with a TypeError)."""

    def __init__(self, row: int | None, value):
        super().__init__(f"ASN_CANDIDATE {value!r} is not a list of (id, type) pairs")
        self.row = row
        self.value = value


def candidates_by_type(texts) -> dict[str, list[str]]:
    """Candidate ids grouped by type, both in order of first appearance.

    A cell that is not Python literal data is skipped (it is in no candidate);
    a number stands for an id of type ``unknown``; pairs that do not unpack
    into two values are skipped; data that cannot be iterated at all (a float,
    a number inside the list) stops the run, as it does the reference's.
    """
    by_type: dict[str, dict[str, None]] = {}
    for number, text in enumerate(texts, start=1):
        value = evaluate_literal(text)
        if isinstance(value, int) and not isinstance(value, bool):
            by_type.setdefault("unknown", {})[str(value)] = None
            continue
        if isinstance(value, str):
            continue
        try:
            for pair in value:
                cand_id, ctype = pair
                by_type.setdefault(ctype, {})[cand_id] = None
        except ValueError:
            continue
        except TypeError:
            raise MalformedCandidate(number, text) from None
    return {ctype: list(ids) for ctype, ids in by_type.items()}


#: the characters of a word of an ASN_CANDIDATE text; the rest separate words (see _RowsByCell)
_WORD_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
#: ``str.translate`` table making every other ASCII character a space (other characters stay:
#: a word holding one is still part of its text, and no id of word characters spans it)
_SEPARATORS = {code: " " for code in range(128) if chr(code) not in _WORD_CHARACTERS}


def _is_word(text: str) -> bool:
    """Whether ``text`` is made of word characters alone (and is not empty)."""
    return bool(text) and _WORD_CHARACTERS.issuperset(text)


class _Joined:
    """Strings joined into one, a NUL between two, to be searched in one pass for those that
    contain a text (a text without a NUL: a match then never spans two strings)."""

    __slots__ = ("text", "starts")

    def __init__(self, strings: list) -> None:
        self.text = "\0".join(strings)
        starts = [0]
        for string in strings:
            starts.append(starts[-1] + len(string) + 1)
        self.starts = starts

    def containing(self, part: str) -> list:
        """The positions of the strings that contain ``part``, in order."""
        text = self.text
        starts = self.starts
        found = []
        position = text.find(part)
        while position >= 0:
            index = bisect_right(starts, position) - 1
            found.append(index)
            position = text.find(part, starts[index + 1])  # on from the next string
        return found


class _RowsByCell:
    """Row positions grouped by their ASN_CANDIDATE text, and which texts mention a candidate.

    Pools repeat a few texts many times: each group is a compact array that
    lives for the whole run, 8 bytes a row instead of a (position, record)
    pair's 72.  A candidate's rows are those whose text contains its id (a
    plain substring test, as the reference does).  Testing every distinct
    text for every candidate was 1.5% of mega_pool's run (224 texts, 300
    candidates), so the texts are searched joined into one string, a NUL
    between two: an id never holds a NUL (ids come from parsing the texts,
    and a NUL stops the parse), so a match never spans two texts.  A pool
    of thousands of candidates has as many texts (each lists an observation
    and the c-type candidates of its rows), and that search grew with their
    product: an id made of letters, digits and underscores (every id a pool
    lists) is looked for in the words of the texts instead (see
    :meth:`texts_mentioning`).
    """

    def __init__(self, texts) -> None:
        texts = list(texts)
        sizes: dict = {}
        for text in texts:
            sizes[text] = sizes.get(text, 0) + 1
        groups = {text: int64s(size) for text, size in sizes.items()}
        filled = dict.fromkeys(sizes, 0)
        for position, text in enumerate(texts):
            groups[text][filled[text]] = position
            filled[text] += 1
        self.groups = groups
        self._texts = list(groups)
        self._found: dict = {}  # cid -> texts_mentioning(cid): a pass asks for its rows twice
        self._joined = None  # the texts, joined (None: some text is not a str)
        self._words = None  # their distinct words, joined
        self._holding = None  # for each word, the positions in _texts of the texts holding it
        if all(type(text) is str for text in self._texts):
            self._joined = _Joined(self._texts)
            words: dict = {}
            for position, text in enumerate(self._texts):
                for word in text.translate(_SEPARATORS).split():
                    held = words.get(word)
                    if held is None:
                        words[word] = [position]
                    elif held[-1] != position:
                        held.append(position)
            self._words = _Joined(list(words))
            self._holding = list(words.values())

    def listed_counts(self) -> dict:
        """Rows per candidate id, counted where their text lists the id.

        A pass reads every row whose text merely contains its id (see
        :meth:`rows`): the same rows, unless an id is part of another text.
        That is close enough to share the passes out between processes, and
        it takes one look at each text instead of a search of all the texts
        per candidate (2.3 ms of mega_pool's run, before any worker starts).
        """
        counts: dict = {}
        for text, group in self.groups.items():
            value = evaluate_literal(text)
            if isinstance(value, (list, tuple)):
                for pair in value:
                    if isinstance(pair, tuple) and len(pair) == 2 and type(pair[0]) is str:
                        counts[pair[0]] = counts.get(pair[0], 0) + len(group)
        return counts

    def mentioning(self, cid) -> list:
        """The groups of the texts that contain ``cid``, in the order the texts first appear."""
        return [self.groups[text] for text in self.texts_mentioning(cid)]

    def texts_mentioning(self, cid) -> list:
        """The texts that contain ``cid``, in the order they first appear."""
        joined = self._joined
        if joined is None or type(cid) is not str or not cid or "\0" in cid:
            return [text for text in self.groups if cid in text]
        found = self._found.get(cid)
        if found is not None:
            return found
        if _is_word(cid):
            # the texts holding a word that contains it: an occurrence of an id of word
            # characters is a run of them, so it lies inside one word of its text (and a word is
            # part of its text); the words are far fewer than the texts
            holding = self._holding
            positions = []
            for word in self._words.containing(cid):
                positions.extend(holding[word])
            if len(positions) > 1:
                positions = sorted(set(positions))
        else:
            positions = joined.containing(cid)
        texts = self._texts
        found = [texts[position] for position in positions]
        self._found[cid] = found
        return found

    def parts(self, cid, records: list) -> list:
        """The records whose text contains ``cid``, by text: (text, its records) pairs, the
        records read as they are asked for (a question about a pass's rows often stops at
        the first), as often as they are asked for."""
        return [(text, _RecordsAt(self.groups[text], records)) for text in self.texts_mentioning(cid)]

    def rows(self, cid, records: list) -> list:
        """The records whose text contains ``cid``, in pool order."""
        groups = self.mentioning(cid)
        positions = groups[0] if len(groups) == 1 else sorted(position for group in groups for position in group)
        return [records[position] for position in positions]

    def count(self, cid) -> int:
        return sum(len(group) for group in self.mentioning(cid))


class _RecordsAt:
    """The records at ``positions``, read one by one each time they are iterated (each rule's
    predicate reads a part anew: a generator would be empty for the second)."""

    __slots__ = ("positions", "records")

    def __init__(self, positions, records: list) -> None:
        self.positions = positions
        self.records = records

    def __iter__(self):
        records = self.records
        return (records[position] for position in self.positions)


def _check_candidate_id(cid, pool) -> None:
    """A candidate id must be text usable in a pattern; the reference stops otherwise."""
    problem = not isinstance(cid, str)
    if not problem and not cid.isalnum():
        import re  # (only here: importing it costs a run's start 3 ms)

        try:
            re.compile(".+(" + cid + ").+")
        except re.error:
            problem = True
    if problem:
        row = row_with_candidate_id(pool.iter_rows(), cid)
        if row is not None:
            raise MalformedCandidate(row[0], row[1].get("asn_candidate"))
        raise MalformedCandidate(None, cid)


def row_with_candidate_id(rows, cid, as_text: bool = False):
    """(row number, row) of the first row listing candidate ``cid`` (or an entry whose text is ``cid``)."""
    for number, row in enumerate(rows, start=1):
        value = evaluate_literal(row.get("asn_candidate"))
        entries = value if isinstance(value, (list, tuple)) else [value]
        for entry in entries:
            if as_text:
                if str(entry) == cid:
                    return number, row
                continue
            try:
                found_id, _ = entry
            except (TypeError, ValueError):
                continue
            if type(found_id) is type(cid) and found_id == cid:
                return number, row
    return None


def _finalize(registry: Registry, associations: list, prune_state: PruneState) -> list:
    for finalize in registry.finalizers:
        associations = finalize(associations, prune_state)
    return associations


def discover_filter(associations: list, keep_candidates: bool, debug: bool) -> list:
    """Keep discovered associations that no candidate association already is."""
    dups: list = []
    candidates: list = []
    discovered: list = []
    for asn in associations:  # (one loop: a million rows make a million associations)
        if asn.is_dup:
            dups.append(asn)
        else:
            registry_name = asn.registry_name
            if registry_name == CANDIDATE:
                candidates.append(asn)
            elif registry_name == DISCOVER:
                discovered.append(asn)
    # equality needs the same type and the same first letter of asn_id: compare only those
    by_kind: dict = {}
    for position, asn in enumerate(discovered):
        by_kind.setdefault((asn.data["asn_type"], asn.data["asn_id"][:1]), []).append(position)
    letters = {letter for _, letter in by_kind}  # (discovered ids all start with "a": candidates' never)
    dropped: set = set()
    for candidate in candidates:
        if len(dropped) == len(discovered):
            break
        letter = candidate.data["asn_id"][:1]
        if letter not in letters:
            continue
        kind = (candidate.data["asn_type"], letter)
        for position in by_kind.get(kind, ()):
            if position not in dropped and same_association(discovered[position], candidate):
                dropped.add(position)
    discovered = [asn for position, asn in enumerate(discovered) if position not in dropped]
    if keep_candidates:
        discovered.extend(candidates)
    if debug:
        discovered += dups
    return discovered


def per_candidate(pool, options, version_id, run: RunState) -> list:
    records = pool.records
    texts = [cell(record, "asn_candidate") for record in records]
    files = resolve_rule_files(options.rules, options.ignore_default)
    discover, keep_candidates = options.mode()
    prune_state = PruneState(options.debug)
    ids = list(options.ids) if options.ids else None
    requested = list(ids) if ids else None
    if options.dms and ids is not None:
        selected = [text for text in texts if any(cid in text for cid in ids)]
        for cid in candidates_by_type(selected).get("background", []):
            if cid not in ids:
                ids.append(cid)
    by_type = candidates_by_type(texts)
    if ids is None:
        work = [(cid, ctype) for ctype, cids in by_type.items() for cid in cids]
    else:
        work = []
        for cid in ids:
            for ctype, cids in by_type.items():
                if cid in cids:
                    work.append((cid, ctype))
                    break
            else:
                run.warn(f"Candidate id {cid} not found in pool")
    by_cell = _RowsByCell(texts)
    del texts
    for cid, _ in work:
        _check_candidate_id(cid, pool)
    failing = failing_rules(files, records) if options.finalize else frozenset()  # (read by finalization)
    discoverable = _discoverable(options, failing)
    discover_registry = Registry(files, DISCOVER, include=discoverable)
    doomed = _doomed(discover_registry, discover, options, run, failing)
    unrun = Unrun(files, doomed)
    if discover and unrun.quiet:
        discover_registry = Registry(files, DISCOVER, include=unrun.discover_filter(discoverable))
    listed = by_cell.listed_counts()
    specs = [
        _candidate_pass(cid, ctype, files, by_cell, records, listed, unrun)
        for cid, ctype in work
    ]
    if discover:
        specs.append(PassSpec(None, lambda: len(records), lambda: records, lambda: discover_registry))
    results = None
    jobs = usable_jobs(options.jobs, len(records)) if run.recorder is None else 1
    with _KeepingRows(run, len(records)):
        if jobs > 1 and len(specs) > 1:
            try:
                results = run_passes(specs, records, version_id, pool.name, jobs, run, doomed)
            except WorkerFailed:
                pass  # run every pass here: an error then surfaces as it would anyway
        if results is None:
            release_early_worker()  # (in that worker: it ends here)
            results = _passes_in_process(
                specs, discover and run.recorder is None, version_id, pool.name, run, doomed
            )
    associations = [asn for found in results for asn in found]  # candidates', then discovered
    del results
    forget_renamed(unless_fewer_than=KEEP_RENAMED)
    if discover:
        associations = discover_filter(associations, keep_candidates, options.debug)
        resequence(associations)
    if options.finalize and associations:
        finished = None
        if run.level_split is not None and jobs > 1:  # Level 3 finished in a forked child
            finished = run.level_split.finalize(
                associations, discover_registry.finalizers,
                lambda found: _finalize(discover_registry, found, prune_state),
            )
        associations = finished if finished is not None else _finalize(discover_registry, associations, prune_state)
    if options.merge and discover_registry.merge is not None:
        associations = discover_registry.merge(associations)
    if options.dms and requested is not None:
        associations = [asn for asn in associations if any(cid in asn.data["asn_id"] for cid in requested)]
    return associations


class _KeepingRows:
    """While the passes run, a pool of up to :data:`KEEP_ROWS` rows keeps each row's dict
    (``run.kept_rows``, see records.Shelved); it goes with them."""

    __slots__ = ("run", "rows")

    def __init__(self, run: RunState, rows: int) -> None:
        self.run, self.rows = run, rows

    def __enter__(self) -> None:
        self.run.kept_rows = {} if self.rows <= KEEP_ROWS else None

    def __exit__(self, *exc_info) -> None:
        self.run.kept_rows = None


def _passes_in_process(specs: list, discover_first: bool, version_id, pool_name: str, run: RunState,
                       doomed) -> list[list]:
    """The associations of every pass, in pass order, numbered in that order.

    With ``discover_first``, the discover pass (the last of ``specs``) runs
    first all the same.  It reads the whole pool, and while it runs it holds
    its associations' live states, member sets and index: on a large pool
    that is several hundred megabytes, which the candidate passes' finished
    associations then add to if it runs last.  Run first, it leaves its
    memory to be reused by them.  Numbers are handed out as if it had run
    last (the candidate passes take them first, then the discover pass's
    associations, doomed ones included, in the order it made them), and an
    error it raises is raised only once the candidate passes are through, as
    it would have been.
    """
    results: list = [None] * len(specs)
    deferred = None
    created: list = []  # the discover pass's associations in creation order (None: doomed)
    if discover_first:
        spec = specs[-1]
        scratch = RunState()  # its numbers are thrown away
        scratch.shared_states = run.shared_states
        scratch.kept_rows = run.kept_rows
        try:
            found = run_pass(spec, spec.registry(), version_id, pool_name, scratch, doomed)
        except Exception as err:  # noqa: BLE001 - raised below, after the passes that come first
            deferred = err
        else:
            created = [(None if doomed is not None and doomed(asn) else asn, asn.level, asn.asn_type)
                       for asn in found]
            results[-1] = [asn for asn, _, _ in created if asn is not None]
            del found
    for position, spec in enumerate(specs[:-1] if discover_first else specs):
        found = run_pass(spec, spec.registry(), version_id, pool_name, run, doomed)
        results[position] = found if doomed is None else [asn for asn in found if not doomed(asn)]
        if spec.label is not None:
            run.progress(spec.label)
    if deferred is not None:
        raise deferred
    for asn, level, asn_type in created:
        serial = run.next_serial()
        sequence = run.next_sequence_of(level, asn_type)
        if asn is not None:
            asn.serial = serial
            asn.sequence = sequence
    return results


def _candidate_pass(
    cid: str, ctype: str, files, by_cell: _RowsByCell, records: list, listed: dict, unrun: Unrun,
) -> PassSpec:
    """One candidate's pass: its rows, under its own registry, marked with the candidate alone.
    Its weight is the count of rows listing it (``listed``), else of those it is found in.
    ``unrun``: which rules the pass need not run."""

    def registry() -> Registry:
        include = unrun.candidate_filter(cid, ctype, lambda: by_cell.parts(cid, records))
        return Registry(files, CANDIDATE, global_ids=(cid,), has_global=True, include=include)

    return PassSpec(
        cid,
        lambda: listed.get(cid) or by_cell.count(cid),
        lambda: by_cell.rows(cid, records),
        registry,
        f"[('{cid}', '{ctype}')]",
        lambda: RuleBinder(files, CANDIDATE, global_ids=(cid,), has_global=True),
    )


def per_pool(pool, options, version_id, run: RunState) -> list:
    files = resolve_rule_files(options.rules, options.ignore_default)
    discover, keep_candidates = options.mode()
    prune_state = PruneState(options.debug)
    if discover or keep_candidates:
        registry = Registry(files, CANDIDATE, global_ids=None, has_global=True)
    elif options.ids:
        registry = Registry(files, CANDIDATE, global_ids=tuple(options.ids), has_global=True)
    else:
        registry = Registry(files, CANDIDATE)
    if discover:
        failing = failing_rules(files, pool.records) if options.finalize else frozenset()
        registry.extend(Registry(files, DISCOVER, include=_discoverable(options, failing)))
    with _KeepingRows(run, len(pool.records)):
        associations = generate(_rows_for(pool.records, run), registry, version_id, pool.name, run)
    forget_renamed(unless_fewer_than=KEEP_RENAMED)
    _seal(associations)
    if options.finalize:
        associations = _finalize(registry, associations, prune_state)
    if discover:
        associations = discover_filter(associations, keep_candidates, options.debug)
        resequence(associations)
    if options.merge and registry.merge is not None:
        associations = registry.merge(associations)
    return associations


def _rows_for(records: list, run: RunState):
    """A whole-pool pass's rows: taken one by one, unless explanations follow each row's dict."""
    rows = shelved(records, None, run.kept_rows)
    return rows if run.recorder is None else [row.take() for row in rows]


def _seal(associations: list) -> None:
    for asn in associations:
        asn.seal()
