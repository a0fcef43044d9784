"""Indexed matching: try a row only where it could possibly be accepted.

Two facts of the constraint semantics make this exact, not a heuristic:

* A rule's top-level ``all`` fails, with no reprocess request, as soon as one
  plain column test fails.  So a row that fails such a test on a *fresh*
  association can never start one: these "static checks" depend only on the
  row, and their verdict is memoised per distinct combination of the columns
  they read.
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

from .constraints import EMPTY_SET, meets


_UNSET = object()


def _usable_static(leaf) -> bool:
    return (
        leaf.kind == "attr"
        and not leaf.evaluate
        and leaf.onlyif is None
        and not callable(leaf.value)
        and leaf.force_reprocess is None
    )


def _usable_guard(leaf) -> bool:
    return _usable_static(leaf) and leaf.required and leaf.force_unique and not leaf.force_undefined


def _has_side_effects(node) -> bool:
    return any(getattr(leaf, "side_effects", False) for leaf in node.leaves())


class Analysis:
    """What the index may rely on for one rule's tree.

    ``guards`` are pinned column tests every accepted row passes; ``gated``
    are further guards that hold unless the row opens the ``gate`` of an
    ``any`` group (for Level 3 rules: target acquisitions, which join by
    observation instead of by the rule's own conditions).
    """

    def __init__(self) -> None:
        self.guards: list = []
        self.gated: list = []
        self.gate = None
        self.statics: list = []
        self.gated_statics: list = []


def analyse(tree) -> Analysis:
    found = Analysis()
    _walk(tree, found, found.guards, [True], statics=True)
    return found


def _walk(group, found: Analysis, guards: list, guarding: list, statics: bool) -> None:
    for child in group.children:
        if child.kind == "group":
            if child.reduce == "all" and not child.reprocess_on_fail:
                _walk(child, found, guards, guarding, statics)
            elif (
                guarding[0] and child.reduce == "any" and child.gate is not None
                and found.gate is None and guards is found.guards and child.children
                and child.children[0].kind == "group" and child.children[0].reduce == "all"
            ):
                found.gate = child.gate
                _walk(child.children[0], found, found.gated, [True], statics="gated")
                if _has_side_effects(child):
                    guarding[0] = False
            elif guarding[0] and _has_side_effects(child):
                guarding[0] = False
            continue
        if _usable_static(child):
            if statics == "gated":
                found.gated_statics.append(child)
            elif statics:
                found.statics.append(child)
            if guarding[0] and _usable_guard(child):
                guards.append(child)
        elif guarding[0] and getattr(child, "side_effects", False):
            guarding[0] = False


def static_pass(leaf, item, pattern=_UNSET) -> bool:
    """The verdict of one column test on a fresh association (``pattern``: its value there)."""
    value = None
    for column in leaf.sources:
        candidate = item.get(column)
        if candidate is not None and candidate not in EMPTY_SET:
            value = candidate
            break
    if value is None:
        return not (leaf.required and not leaf.force_undefined)
    if leaf.force_undefined:
        return False
    if pattern is _UNSET:
        pattern = leaf.value
    if pattern is None:
        return True
    return meets(str(value), pattern)


PASS, FAIL, UNKNOWN = 1, 0, 2


def fresh_verdict(node, item, touched: set | None = None) -> int:
    """What checking ``item`` against a *fresh* association gives at ``node``, if decidable.

    PASS and FAIL mean "matches / refuses, with no reprocess request"; UNKNOWN
    means the answer needs the real check.  Only leaves that depend on the row
    alone are decided: column tests with a fixed pattern, tests that declare
    the columns they read, and computed patterns whose inputs nothing before
    them in the check can have changed (``touched`` collects the names of
    constraints that may have changed state so far, in evaluation order).
    """
    if touched is None:
        touched = set()
    kind = node.kind
    if kind == "attr":
        value = node.value
        if node.evaluate or node.onlyif is not None:
            _touch(node, touched)
            return UNKNOWN
        if callable(value):
            if node.fresh_value is None or touched.intersection(node.reads):
                _touch(node, touched)
                return UNKNOWN
            value = node.fresh_value
        if static_pass(node, item, value):
            touched.add(node.name)
            return UNKNOWN if node.force_reprocess is not None else PASS
        return FAIL
    if kind == "test":
        if node.columns is None or node.side_effects:
            _touch(node, touched)
            return UNKNOWN
        try:
            got = node.sources(item, None)
        except Exception:  # noqa: BLE001 - undecidable here; the real check will tell
            _touch(node, touched)
            return UNKNOWN
        expected = node.value
        if expected is None:
            satisfied = True
        elif node.test is None:
            satisfied = expected == got
        else:
            satisfied = bool(node.test(expected, got))
        if satisfied:
            touched.add(node.name)
        if (satisfied and node.reprocess_on_match) or (not satisfied and node.reprocess_on_fail):
            return UNKNOWN
        return PASS if satisfied else FAIL
    reduce = node.reduce
    if reduce in ("all", "notall"):
        result = PASS
        for child in node.children:
            verdict = fresh_verdict(child, item, touched)
            if verdict == FAIL:
                result = FAIL
                break
            if verdict == UNKNOWN:
                result = UNKNOWN
        if reduce == "notall" and result != UNKNOWN:
            result = PASS if result == FAIL else FAIL
    else:
        result = FAIL
        for child in node.children:
            verdict = fresh_verdict(child, item, touched)
            if verdict == FAIL:
                continue
            if verdict == PASS:
                if result == FAIL:
                    result = PASS
                break
            result = UNKNOWN
        if reduce == "notany" and result != UNKNOWN:
            result = PASS if result == FAIL else FAIL
    if (result == PASS and node.reprocess_on_match) or (result == FAIL and node.reprocess_on_fail):
        return UNKNOWN
    return result


def _touch(node, touched: set) -> None:
    for leaf in node.leaves():
        touched.add(leaf.name)


def fresh_columns(node, raw: list, patterns: dict, presence: list) -> None:
    """The row columns :func:`fresh_verdict` may read below ``node``, by how they matter.

    ``raw``: columns whose exact value matters (read by tests); ``patterns``:
    column -> the fixed patterns tested on it (only which of them match
    matters); ``presence``: columns of which only "holds a value" matters.
    """
    for leaf in node.leaves():
        if leaf.kind == "attr":
            if leaf.evaluate or leaf.onlyif is not None:
                continue  # undecidable from the row: fresh_verdict does not read it
            if callable(leaf.value) and leaf.fresh_value is None:
                continue
            pattern = leaf.fresh_value if callable(leaf.value) else leaf.value
            for column in leaf.sources:
                if pattern is None:
                    if column not in presence:
                        presence.append(column)
                else:
                    found = patterns.setdefault(column, [])
                    value = pattern if isinstance(pattern, str) else tuple(pattern)
                    if value not in found:
                        found.append(value)
        elif leaf.columns is not None and not leaf.side_effects:
            for column in leaf.columns:
                if column not in raw:
                    raw.append(column)
    for column in raw:
        patterns.pop(column, None)
    for column in list(presence):
        if column in raw or column in patterns:
            presence.remove(column)


def plain(value) -> bool:
    return isinstance(value, str) and value.isascii() and not value.endswith("\n")


class AssociationIndex:
    """Existing associations of one generation run, findable by guard values.

    Associations are filed under the values their guards pinned, then under
    the values of their gated guards.  Associations of rules that accept a
    single science exposure move to a "closed" bucket once they have it; that
    bucket is searched only for rows the rule's ``after_science`` admits.
    """

    def __init__(self) -> None:
        self.tables: dict = {}  # bound -> {(sources, gated sources): {key: {gated key: bucket}}}
        self.unindexed: dict = {}  # bound -> bucket
        self.all_by_rule: dict = {}  # bound -> {serial: asn}
        self.by_filename: dict = {}  # filename -> [asn]
        self.bucket_of: dict = {}  # asn serial -> bucket

    def add(self, asn) -> None:
        bound = asn.bound
        self.all_by_rule.setdefault(bound, {})[asn.serial] = asn
        bucket = self._bucket_for(asn)
        self.bucket_of[asn.serial] = bucket
        (bucket[1] if asn.closed else bucket[0])[asn.serial] = asn

    @staticmethod
    def _pinned(asn, leaves):
        sources, key = [], []
        for leaf in leaves:
            st = asn.states[leaf.slot]
            if st is None or st[2] or len(st[1]) != 1 or not asn.literal_ok(st):
                return None
            sources.append(st[1][0])
            key.append(asn.literal_of(st))
        return tuple(sources), tuple(key)

    def _bucket_for(self, asn) -> list:
        bound = asn.bound
        primary = self._pinned(asn, bound.guards)
        secondary = self._pinned(asn, bound.gated)
        if primary is None or secondary is None or not (bound.guards or bound.gated):
            return self.unindexed.setdefault(bound, [{}, {}])
        table = self.tables.setdefault(bound, {}).setdefault((primary[0], secondary[0]), {})
        return table.setdefault(primary[1], {}).setdefault(secondary[1], [{}, {}])

    def close(self, asn) -> None:
        bucket = self.bucket_of.get(asn.serial)
        if bucket is not None and asn.serial in bucket[0]:
            del bucket[0][asn.serial]
            bucket[1][asn.serial] = asn

    def note_member(self, asn, filename: str) -> None:
        self.by_filename.setdefault(filename, []).append(asn)

    def candidates(self, item, bound, found: dict) -> None:
        """Add to ``found`` the associations of ``bound`` that ``item`` might join."""
        admit = bound.rule.after_science
        closed_too = admit is None or admit(item)
        bucket = self.unindexed.get(bound)
        if bucket is not None:
            found.update(bucket[0])
            if closed_too:
                found.update(bucket[1])
        tables = self.tables.get(bound)
        if not tables:
            return
        gate = bound.gate
        gate_open = None
        for (sources, gated_sources), table in tables.items():
            key = _row_key(item, sources)
            if key is _ANY:
                found.update(self.all_by_rule.get(bound, {}))
                return
            if key is None:
                continue
            by_gated = table.get(key)
            if not by_gated:
                continue
            if gated_sources:
                if gate_open is None:
                    gate_open = gate is not None and _safe_gate(gate, item)
                if not gate_open:
                    gated_key = _row_key(item, gated_sources)
                    if gated_key is _ANY:
                        buckets = by_gated.values()
                    elif gated_key is None:
                        continue
                    else:
                        hit = by_gated.get(gated_key)
                        buckets = (hit,) if hit else ()
                else:
                    buckets = by_gated.values()
            else:
                buckets = by_gated.values()
            for hit in buckets:
                found.update(hit[0])
                if closed_too:
                    found.update(hit[1])


_ANY = object()


def _row_key(item, sources):
    """The row's values for ``sources`` (lower-cased); None if one is missing; _ANY if not plain."""
    key = []
    for column in sources:
        value = item.get(column)
        if value is None or value in EMPTY_SET:
            return None
        if not plain(value):
            return _ANY
        key.append(value.lower())
    return tuple(key)


def _safe_gate(gate, item) -> bool:
    try:
        return bool(gate(item))
    except Exception:  # noqa: BLE001 - when unsure, search everything
        return True
