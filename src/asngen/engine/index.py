"""Indexed matching: try a row only where it could possibly be accepted.

Two facts of the constraint semantics make this exact, not a heuristic:

* A rule's top-level ``all`` fails, with no reprocess request, as soon as one
  plain column test fails.  So a row that fails such a test on a *fresh*
  association can never start one: these "static checks" depend only on the
  row, and their verdict is memoised per distinct combination of the columns
  they read (:mod:`asngen.engine.fresh` decides them, the row-only filter
  remembers them).
* Once an association exists, every required, pinning column test in the
  leading part of its ``all`` chain holds a fixed value.  A row whose value
  differs is refused before anything with side effects runs, so the
  association is indexed by those pinned values ("guards") and only the
  associations under the row's own values are tried.

Rows whose values are not plain ASCII fall back to trying every association
of the rule, because only for ASCII is case-insensitive regex equality the
same as comparing lower-cased strings.
"""

from __future__ import annotations

from .patterns import EMPTY_SET, unescape

_UNSET = object()


def _has_side_effects(node) -> bool:
    return any(getattr(leaf, "side_effects", False) for leaf in node.leaves())


class Part:
    """One layer of what the index may rely on.

    ``guards`` are pinned column tests every accepted row passes (a row
    without the value is refused); ``optional`` ones pin a value but let a row
    without one through.  Every part but the first sits behind a *gate*: an
    ``any`` group that declares which of its children is the only one a row
    can match when ``gate(row)`` is False (Level 3 rules: a target
    acquisition may join by observation; a background or direct-image row may
    skip the target test).  A row that opens a gate is looked up without that
    part (and the parts after it), unless the group also declares
    ``gate_lookup = (column, constraint)``: then the other children can only
    match an association whose ``constraint`` has found the row's ``column``
    value, and such associations are found through a table of those values.
    """

    __slots__ = ("gate", "guards", "optional", "lookup")

    def __init__(self, gate=None, lookup=None) -> None:
        self.gate = gate
        self.guards: list = []
        self.optional: list = []
        self.lookup = lookup

    def __bool__(self) -> bool:
        return bool(self.guards or self.optional)


def analyse(tree) -> list[Part]:
    """The parts of a rule's tree the index can use, top part first."""
    parts = [Part()]
    _walk(tree, parts, parts[0], [True], onlyif_ok=False)
    return [part for number, part in enumerate(parts) if number == 0 or part]


def _guard_leaf(leaf, onlyif_ok: bool) -> bool:
    """A pinning column test whose mismatch refuses the row outright (required or not)."""
    return (
        leaf.kind == "attr" and not leaf.evaluate and not callable(leaf.value)
        and (leaf.onlyif is None or onlyif_ok)
        and leaf.force_unique and not leaf.force_undefined and leaf.invalid is EMPTY_SET
    )


def _walk(group, parts: list, part: Part, guarding: list, onlyif_ok: bool) -> None:
    for child in group.children:
        if not guarding[0]:
            return
        if child.kind == "group":
            if child.reduce == "all" and not child.reprocess_on_fail:
                _walk(child, parts, part, guarding, onlyif_ok)
            elif child.reduce == "any" and child.gate is not None and not child.reprocess_on_fail:
                level = Part(child.gate, getattr(child, "gate_lookup", None))
                parts.append(level)
                gated = child.children[child.gate_child]
                if gated.kind == "group":
                    if gated.reduce == "all" and not gated.reprocess_on_fail:
                        _walk(gated, parts, level, [True], child.gate_implies_onlyif)
                elif _guard_leaf(gated, child.gate_implies_onlyif):
                    (level.guards if gated.required else level.optional).append(gated)
                if _has_side_effects(child):
                    guarding[0] = False
            elif _has_side_effects(child):
                guarding[0] = False
            continue
        if _guard_leaf(child, onlyif_ok):
            (part.guards if child.required else part.optional).append(child)
        elif getattr(child, "side_effects", False):
            guarding[0] = False


def plain(value) -> bool:
    """Whether a value is plain text: ASCII, without a line break at the end.  (Compiled, the
    text is typed (index.pxd), so these are C calls; a str subclass is read as its text.)"""
    if type(value) is str:
        text = value
    elif isinstance(value, str):
        text = str.__str__(value)
    else:
        return False
    return text.isascii() and not text.endswith("\n")




#: whether a new association that took a first row's settled states is filed where the first
#: one holding them was (off: its keys are made from its states; the files are the same either way)
FIRST_BUCKETS = True

#: whether rules_for answers a row with the keys of the row asked before as it answered that
#: row, while its tables have not grown (off: every row is answered anew; the files are the
#: same either way)
REMEMBER_RULES = True

_OPEN = object()  # key of an optional guard that has pinned nothing yet
_ANY = object()  # a row value that cannot be compared as lower-cased ASCII
_WILD = object()  # a row without a value for an optional guard: every branch
_ANY_VALUE = "\0any"  # a found value that is not plain ASCII (lookup tables)


def _steps(parts) -> tuple:
    """The depths of the key tables: (part number, leaves, optional, the leaves' state slots)
    in evaluation order."""
    steps = []
    for number, part in enumerate(parts):
        if part.guards:
            steps.append((number, tuple(part.guards), False, tuple([leaf.slot for leaf in part.guards])))
        steps.extend((number, (leaf,), True, (leaf.slot,)) for leaf in part.optional)
    return tuple(steps)


class AssociationIndex:
    """Existing associations of one generation run, findable by guard values.

    Associations are filed under the values their guards pinned, step by
    step; an association whose optional guard has pinned nothing yet is filed
    under an "open" key, and is moved when a later row pins it.  Associations
    of rules that accept a single science exposure move to a "closed" bucket
    once they have it; that bucket is searched only for rows the rule's
    ``after_science`` admits.
    """

    def __init__(self) -> None:
        self.tables: dict = {}  # bound -> {layout: nested dicts of keys -> bucket}
        self.unindexed: dict = {}  # bound -> bucket
        self.all_by_rule: dict = {}  # bound -> {serial: asn}
        self.by_filename: dict = {}  # filename -> [asn]
        self.bucket_of: dict = {}  # asn serial -> bucket
        self.unsettled: dict = {}  # serial -> the guard leaves not pinned yet
        self.lookups: dict = {}  # (bound, part number) -> {value: {serial: asn}}
        self.looked_up: dict = {}  # (serial, part number) -> how many found values are filed
        self._steps: dict = {}  # bound -> steps
        self._lookup_slots: dict = {}  # bound -> _lookup_slots_of(bound)
        self.first_buckets: dict = {}  # id(settled states) -> (those states, bucket, guards waited for)
        # which rules a row may find anything of (see rules_for), once it is first asked: (step
        # position, its columns) -> {key: {bound: None}}; the rules that does not tell about;
        # the gates to ask
        self.filtering = False
        self.by_step_key: dict = {}
        self.unfiltered: dict = {}
        self.filter_gates: dict = {}
        # what rules_for answered the row asked before, its keys at the noted steps, and the
        # version of the four tables above it read then (counted up whenever one grows)
        self.filter_version = 0
        self.last_version = -1
        self.last_keys: list = []
        self.last_rules: dict = {}

    def steps(self, bound) -> tuple:
        steps = self._steps.get(bound)
        if steps is None:
            steps = self._steps[bound] = _steps(bound.parts)
        return steps

    def add(self, asn) -> None:
        bound = asn.bound
        self.all_by_rule.setdefault(bound, {})[asn.serial] = asn
        taken = asn.first_states
        if taken is None or not FIRST_BUCKETS:
            bucket = self._bucket_for(asn)
        else:
            bucket = self._first_bucket(asn, taken)
        self.bucket_of[asn.serial] = bucket
        (bucket[1] if asn.closed else bucket[0])[asn.serial] = asn
        bucket[2] += 1
        self._file_lookups(asn)

    def _first_bucket(self, asn, taken: tuple) -> list:
        """The bucket of a new association whose states are the settled ``taken`` a first row's
        check left (Association.add): the one the first association holding them was filed
        in, waiting for the same unpinned guards.  Found from the states alone, it would be
        the same; this spares making a key per step for every dither of an exposure."""
        known = self.first_buckets.get(id(taken))
        if known is not None and known[0] is taken:
            if known[2] is not None:
                self.unsettled[asn.serial] = list(known[2])
            return known[1]
        bucket = self._bucket_for(asn)
        waiting = self.unsettled.get(asn.serial)  # (only _bucket_for made this entry)
        self.first_buckets[id(taken)] = (taken, bucket, None if waiting is None else tuple(waiting))
        return bucket

    def refresh(self, asn) -> None:
        """After a row joined ``asn``: file it anew if its pinned values grew."""
        serial = asn.serial
        waiting = self.unsettled.get(serial)
        if waiting is not None and _any_pinned_now(asn, waiting):
            del self.unsettled[serial]
            bucket = self._bucket_for(asn)
            old = self.bucket_of.get(serial)
            if bucket is not old:
                if old is not None:
                    old[0].pop(serial, None)
                    old[1].pop(serial, None)
                self.bucket_of[serial] = bucket
                (bucket[1] if asn.closed else bucket[0])[serial] = asn
                bucket[2] += 1
        self._file_lookups(asn)

    def _file_lookups(self, asn) -> None:
        bound = asn.bound
        slots = self._lookup_slots.get(bound)
        if slots is None:  # (asked after every row an association takes: the rule's answer kept)
            slots = self._lookup_slots[bound] = _lookup_slots_of(bound)
        for number, slot in slots:
            st = asn.states[slot] if slot >= 0 else None
            found = st[3] if st is not None else ()
            if not found:
                continue
            done = self.looked_up.get((asn.serial, number), 0)
            if len(found) <= done:
                continue
            table = self.lookups.setdefault((bound, number), {})
            for escaped in found[done:]:
                value = unescape(escaped)
                key = value.lower() if plain(value) else _ANY_VALUE
                table.setdefault(key, {})[asn.serial] = asn
            self.looked_up[(asn.serial, number)] = len(found)

    def _step_key(self, asn, step: tuple):
        """(sources, values) of one step; None when it cannot be indexed (yet)."""
        source = literal = None  # (one leaf, most steps: its column and value, without lists)
        sources = key = None
        states = asn.states
        slots = step[3]
        for position in range(len(slots)):
            st = states[slots[position]]
            if st is None or st[2]:
                waiting = self.unsettled.get(asn.serial)
                if waiting is None:
                    waiting = self.unsettled[asn.serial] = []
                waiting.append(step[1][position])
                return (None, _OPEN) if step[2] else None
            if st[5] is None or len(st[1]) != 1:  # (st[5]: the pinned value lower-cased, if plain)
                return None
            if source is None:
                source, literal = st[1][0], st[5]
            else:
                if sources is None:
                    sources, key = [source], [literal]
                sources.append(st[1][0])
                key.append(st[5])
        if sources is None:
            columns = _ONE_COLUMN.get(source)
            if columns is None:
                columns = _ONE_COLUMN[source] = key_columns((source,))
            return columns, _one_value_key(literal)
        return key_columns(tuple(sources)), value_key(key)

    def _bucket_for(self, asn) -> list:
        bound = asn.bound
        steps = self.steps(bound)
        parts = [self._step_key(asn, step) for step in steps]
        indexed = False  # (loops, not any(): compiled, a method with a closure cannot be a C call)
        for part in parts:
            if part is None:
                indexed = False
                break
            if part[0]:
                indexed = True
        if not indexed:
            bucket = self.unindexed.get(bound)
            if bucket is None:
                bucket = self.unindexed[bound] = [{}, {}, 0]
                self.filter_version += 1
            return bucket
        layout = tuple([part[0] for part in parts])
        if self.filtering and bound not in self.unfiltered:
            position = _filter_position(steps, layout)
            if position < 0:
                self.unfiltered[bound] = None
                self.filter_version += 1
            else:
                self._note(bound, position, layout[position], parts[position][1])
        # (each level looked up before it is made: setdefault would make an empty one every time)
        tables = self.tables.get(bound)
        if tables is None:
            tables = self.tables[bound] = {}
        node = tables.get(layout)
        if node is None:
            node = tables[layout] = {}
        last = len(parts) - 1
        for position in range(last):
            key = parts[position][1]
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            node = child
        key = parts[last][1]
        bucket = node.get(key)
        if bucket is None:
            bucket = node[key] = [{}, {}, 0]
        return bucket

    def close(self, asn) -> None:
        bucket = self.bucket_of.get(asn.serial)
        if bucket is not None and asn.serial in bucket[0]:
            del bucket[0][asn.serial]
            bucket[1][asn.serial] = asn

    def note_member(self, asn, filename: str) -> None:
        self.by_filename.setdefault(filename, []).append(asn)

    def _note(self, bound, position: int, sources, key) -> None:
        """Note that ``bound`` has an association filed under ``key`` at step ``position``."""
        bounds = self.by_step_key.setdefault((position, sources), {}).setdefault(key, {})
        if bound not in bounds:
            bounds[bound] = None
            self.filter_version += 1
        parts = bound.parts
        for number in range(1, len(parts)):
            gate = parts[number].gate
            if gate not in self.filter_gates:
                self.filter_gates[gate] = None
                self.filter_version += 1

    def _start_filtering(self) -> None:
        """Note every rule under the keys its associations are filed under so far (see
        :meth:`rules_for`); from now on, each association as it is filed."""
        self.filtering = True
        self.filter_version += 1
        for bound, tables in self.tables.items():
            steps = self.steps(bound)
            for layout, root in tables.items():
                position = _filter_position(steps, layout)
                if position < 0:
                    self.unfiltered[bound] = None
                    self.filter_version += 1
                    continue
                nodes = [root]
                for _ in range(position):
                    nodes = [child for node in nodes for child in node.values()]
                for node in nodes:
                    for key in node:
                        self._note(bound, position, layout[position], key)

    def rules_for(self, item, memo: dict) -> dict | None:
        """The rules whose associations ``item`` may find (a superset), each once; None: ask
        every rule.

        A pass over a whole pool looks a row up under eight rules on average,
        to find associations of about one: the rules' tables share their
        first step (program and instrument), and differ at the next.  Each
        rule is noted under every key an association of it was filed under
        at such a step (never taken out: a superset), and a row visits only
        the rules noted under its own key there.  Unless a part of some rule
        does not apply to the row (its gate opens: the step may be skipped,
        or a lookup finds associations), or its key at a noted step cannot
        be compared (not plain ASCII): then every rule is asked.  (Such a
        value at another step does not matter: a noted step is a guard, and
        a key that differs there refuses the row.)  Rules with unindexed
        associations, or a table with no step every row has a key for, are
        always asked.

        Rows come in pool order, and a row mostly has the very keys of the
        row asked before (the same key objects: see :func:`_columns_key`):
        while the tables read here have not grown since, its answer is that
        row's, the same dict (never changed once made: callers only read it).
        """
        if not self.filtering:
            self._start_filtering()
        for gate in self.filter_gates:
            opened = memo.get(gate)
            if opened is None:
                opened = memo[gate] = _safe_gate(gate, item)
            if opened:
                return None
        if REMEMBER_RULES and self.last_version == self.filter_version:
            keys = self.last_keys
            position = 0
            for noted in self.by_step_key:
                if _memo_key(item, noted[1], memo) is not keys[position]:
                    break
                position += 1
            else:
                return self.last_rules
        found: dict = {}
        keys = []
        for noted, table in self.by_step_key.items():
            key = _memo_key(item, noted[1], memo)
            if key is _ANY:
                return None
            keys.append(key)
            if key is not None:
                bounds = table.get(key)
                if bounds is not None:
                    found.update(bounds)
        if self.unfiltered:
            found.update(self.unfiltered)
        for bound in self.unindexed:
            found[bound] = None
        self.last_version = self.filter_version
        self.last_keys = keys
        self.last_rules = found
        return found

    def candidates(self, item, bound, found: dict, memo: dict, trail: list | None = None) -> None:
        """Add to ``found`` the associations of ``bound`` that ``item`` might join.

        ``memo`` is one dict per row, shared by every rule the row is looked
        up for: rules share gate functions and key columns.  ``trail``, when
        given, receives where the walk went, for :meth:`seal_trail`.
        """
        admit = bound.after_science
        if admit is None:
            closed_too = True
        else:  # rules share a few predicates: each is asked once per row
            admitted = memo.get(_ADMITTED)
            if admitted is None:
                admitted = memo[_ADMITTED] = {}
            said = admitted.get(admit)
            if said is None:
                said = admitted[admit] = bool(admit(item))
            closed_too = said
        bucket = self.unindexed.get(bound)
        if bucket is not None:
            found.update(bucket[0])
            if closed_too:
                found.update(bucket[1])
        tables = self.tables.get(bound)
        if trail is not None:
            trail.append(len(tables) if tables else 0)
            trail.append(bucket)
            if bound.force_match is not None:
                trail.append(None)  # (such a rule's associations may match a row they do not take)
        if not tables:
            return
        parts = bound.parts
        # which parts apply is asked of the parts' gates only once a walk gets past a step of
        # the top part (always applied): most rows leave every table at its first key
        applied = _TOP_ONLY if len(parts) == 1 else None
        steps = self.steps(bound)
        for layout, root in tables.items():
            # walk down step by step: most rows leave the table at the first key that differs,
            # before the keys of the later steps are even computed.  One node is followed
            # (``node``) until a step that does not apply makes it several (``nodes``)
            node = root
            nodes = None
            for position in range(len(layout)):
                sources = layout[position]
                step = steps[position]
                number = step[0]
                if number and applied is None:
                    applied = _applied(parts, item, memo)
                if number and not applied[number]:
                    key = _WILD
                elif sources is None:
                    key = _OPEN
                else:
                    key = _memo_key(item, sources, memo)
                    if key is _ANY:
                        found.update(self.all_by_rule.get(bound, {}))
                        if trail is not None:
                            trail.append(None)
                        return
                    if key is None:
                        if not step[2]:
                            break
                        key = _WILD
                if key is _WILD:
                    if trail is not None:
                        trail.append(None)  # (several nodes: any of them may grow)
                    if nodes is None:
                        level = node
                        nodes = list(level.values())
                    else:
                        nodes = [child for level in nodes for child in level.values()]
                    if not nodes:
                        break
                elif nodes is None:
                    level = node
                    node = level.get(key)
                    if node is None:
                        if trail is not None:  # the row finds nothing here until the key comes
                            trail.append((level, key))
                        break
                else:
                    nodes = [child for level in nodes if (child := level.get(key)) is not None]
                    if not nodes:
                        break
            else:
                if nodes is None:
                    if trail is not None:
                        trail.append(node)
                    nodes = [node]
                for bucket in nodes:
                    found.update(bucket[0])
                    if closed_too:
                        found.update(bucket[1])
        for number in range(1, len(parts)):
            part = parts[number]
            if part.lookup is not None:
                if applied is None:
                    applied = _applied(parts, item, memo)
                if applied[number] and memo[part.gate]:
                    if trail is not None:
                        trail.append(None)  # (look-up tables are not vouched for)
                    self._collect_lookup(item, bound, number, found, closed_too)

    def seal_trail(self, bound, trail: list) -> tuple | None:
        """What proves, later, that a row's look-up under ``bound`` finds what it found now.

        ``trail`` is where :meth:`candidates` went for the row, before the row
        joined or started associations; called once it has, so that those
        (which hold the row) are counted in.  None: the walk cannot be
        vouched for (a step that does not apply, a value that is not plain,
        a look-up part that applies, a rule with ``force_match``, or a key or
        table the row's own associations just brought).  See :meth:`trail_holds`.
        """
        tables = self.tables.get(bound)
        if trail[0] != (len(tables) if tables else 0):
            return None
        unindexed = self.unindexed.get(bound)
        if unindexed is not trail[1]:
            return None
        token = [trail[0], unindexed, unindexed[2] if unindexed is not None else 0]
        for position in range(2, len(trail)):
            stop = trail[position]
            if stop is None:
                return None
            if type(stop) is list:  # a bucket reached, with how many it has taken so far
                token.append(stop)
                token.append(stop[2])
            else:  # a key the row's walk did not find at a node
                level, key = stop
                if key in level:
                    return None
                token.append(level)
                token.append(key)
        return tuple(token)

    def trail_holds(self, bound, token: tuple) -> bool:
        """Whether a look-up under ``bound`` would still reach only where it reached when
        ``token`` was sealed: no new table, no association filed since in the buckets it
        reached, no key come where it found none.  (Associations leave buckets, and may
        close, but never enter one unnoticed.)"""
        tables = self.tables.get(bound)
        if token[0] != (len(tables) if tables else 0):
            return False
        unindexed = self.unindexed.get(bound)
        if unindexed is not token[1] or (unindexed is not None and unindexed[2] != token[2]):
            return False
        for position in range(3, len(token), 2):
            stop = token[position]
            if type(stop) is list:
                if stop[2] != token[position + 1]:
                    return False
            elif token[position + 1] in stop:
                return False
        return True

    def _collect_lookup(self, item, bound, number, found, closed_too) -> None:
        table = self.lookups.get((bound, number))
        if not table:
            return
        value = item.get(bound.parts[number].lookup[0])
        if value is None or value in EMPTY_SET:
            return
        if not plain(value):
            found.update(self.all_by_rule.get(bound, {}))
            return
        for key in (value.lower(), _ANY_VALUE):
            for serial, asn in table.get(key, {}).items():
                if closed_too or not asn.closed:
                    found[serial] = asn


def _filter_position(steps: tuple, layout: tuple) -> int:
    """The step of a table that :meth:`AssociationIndex.rules_for` notes its rule under: the
    first after the first that a row cannot pass without a key of its own (the first step is
    shared by most rules: program and instrument), else the first such; -1: none."""
    position = -1
    for number in range(len(layout)):
        if not steps[number][2] and layout[number] is not None:
            position = number
            if number:
                break
    return position


def _lookup_slots_of(bound) -> tuple:
    """(part number, state slot of the column test it looks up, or -1) of each part of
    ``bound`` that finds associations by look-up."""
    slots = []
    for number, part in enumerate(bound.parts):
        if part.lookup is None:
            continue
        leaf = bound.named(part.lookup[1])
        slots.append((number, leaf.slot if leaf is not None and leaf.kind == "attr" else -1))
    return tuple(slots)


def _any_pinned_now(asn, leaves) -> bool:
    """Whether one of ``leaves`` has pinned its value in ``asn`` by now."""
    states = asn.states
    for leaf in leaves:
        st = states[leaf.slot]
        if st is not None and not st[2]:
            return True
    return False


_TOP_ONLY = [True]  # (a list, as _applied's answers are: never changed)
_ADMITTED = object()  # a row's memo key: what each ``after_science`` predicate said of it


def _applied(parts, item, memo) -> list:
    """Per part: is it applied to this row (its gate closed, or open with a lookup)?

    A part whose gate the row opens, without a lookup, is skipped with every
    part after it.
    """
    applied = [True]
    for number in range(1, len(parts)):  # not parts[1:]: no copy for every row and rule
        part = parts[number]
        gate = part.gate
        opened = memo.get(gate)
        if opened is None:
            opened = memo[gate] = _safe_gate(gate, item)
        if not applied[-1]:
            applied.append(False)
        else:
            applied.append(not opened or part.lookup is not None)
    return applied


def _row_key(item, sources):
    """The row's key for the columns ``sources``: its values there, lower-cased, as one key
    (:func:`value_key`); None if one is missing; _ANY if one is not plain."""
    key = []
    known = _KEYS  # a local: compiled, its type is known (index.pxd), so no method look-ups
    for column in sources:
        value = item.get(column)
        part = known.get(value, _UNSET)
        if part is _UNSET:
            part = _key_part(value)
        if part is None or part is _ANY:
            return part
        key.append(part)
    return value_key(key)


def _columns_key(item, columns):
    """:func:`_row_key` for the columns of ``columns`` (a :class:`KeyColumns`), remembered for
    the values of the last row asked about: passes take rows in pool order, and a row
    mostly holds the very value objects of the one before (the same key is then the same
    string, its hash already known to the tables it is looked up in)."""
    names = columns.names
    last = columns.last_values
    if last is not None:  # (compared in place: most rows match, and then no list is made)
        position = 0
        for name in names:
            if item.get(name) is not last[position]:
                break
            position += 1
        else:
            return columns.last_key
    key = _row_key(item, names)
    columns.last_values = [item.get(name) for name in names]
    columns.last_key = key
    return key


def _memo_key(item, columns, memo: dict):
    """:func:`_columns_key`, made once per row: ``memo`` is the row's, shared by every rule
    and table it is looked up in."""
    key = memo.get(columns, _UNSET)
    if key is _UNSET:
        key = memo[columns] = _columns_key(item, columns)
    return key


def value_key(parts: list):
    """The key of a step's values (lower-cased texts) in the tables, made the same way for an
    association's pinned values and a row's.

    A key is looked up once for every rule and layout a row is offered to.
    A tuple is hashed anew at each look-up, a string once: so a single value
    is its own key, and several are joined by NUL.  A value holding a NUL
    keeps the tuple (it could not be told apart once joined); two keys are
    equal exactly when their values are.
    """
    if len(parts) == 1:
        return _one_value_key(parts[0])
    for part in parts:
        if "\0" in part:
            return tuple(parts)
    return "\0".join(parts)


class KeyColumns:
    """The columns of one step of the key tables, one object for each distinct tuple of
    names (:func:`key_columns`): a row's memo of its keys is keyed by it, and an object
    is hashed by identity where a tuple of names would be hashed anew at each look-up."""

    __slots__ = ("names", "last_values", "last_key")

    def __init__(self, names: tuple) -> None:
        self.names = names
        self.last_values = None  # the values of the last row whose key was made (_columns_key)
        self.last_key = None

    def __repr__(self) -> str:
        return f"KeyColumns{self.names!r}"


_KEY_COLUMNS: dict = {}  # tuple of column names -> its KeyColumns


_ONE_COLUMN: dict = {}  # column name -> key_columns((name,))


def _one_value_key(part: str):
    """:func:`value_key` of one value."""
    return part if "\0" not in part else (part,)


def key_columns(names: tuple) -> KeyColumns:
    found = _KEY_COLUMNS.get(names)
    if found is None:
        found = _KEY_COLUMNS[names] = KeyColumns(names)
    return found


_KEYS: dict = {}  # row value -> its part of a key (pools repeat a few values in every row)


def _key_part(value):
    """One value's part of a row key: lower-cased, None (no value) or _ANY (not plain); cached."""
    if value is None or value in EMPTY_SET:
        part = None
    elif not plain(value):
        part = _ANY
    else:
        part = value.lower()
    if len(_KEYS) < 200_000:
        _KEYS[value] = part
    return part


def _safe_gate(gate, item) -> bool:
    try:
        return bool(gate(item))
    except Exception:  # noqa: BLE001 - when unsure, search everything
        return True
