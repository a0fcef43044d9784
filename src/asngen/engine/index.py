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


def _uses_association(node) -> bool:
    return any(getattr(leaf, "uses_association", False) for leaf in node.leaves())


def analyse(tree) -> tuple[list, list]:
    """(guards, static checks) of a rule's constraint tree."""
    guards: list = []
    statics: list = []
    _walk(tree, guards, statics, [True])
    return guards, statics


def _walk(group, guards, statics, guarding) -> None:
    for child in group.children:
        if child.kind == "group":
            if child.reduce == "all" and not child.reprocess_on_fail:
                _walk(child, guards, statics, guarding)
            elif guarding[0] and _uses_association(child):
                guarding[0] = False
            continue
        if _usable_static(child):
            statics.append(child)
            if guarding[0] and _usable_guard(child):
                guards.append(child)
        elif guarding[0] and getattr(child, "uses_association", False):
            guarding[0] = False


def static_pass(leaf, item) -> bool:
    """The verdict of one static check on a fresh association."""
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
    if leaf.value is None:
        return True
    return meets(str(value), leaf.value)


def plain(value) -> bool:
    return isinstance(value, str) and value.isascii() and not value.endswith("\n")


class AssociationIndex:
    """Existing associations of one generation run, findable by guard values."""

    def __init__(self) -> None:
        self.by_rule: dict = {}  # bound rule -> {sources tuple: {key: [asn]}}
        self.unindexed: dict = {}  # bound rule -> [asn]
        self.all_by_rule: dict = {}  # bound rule -> [asn]
        self.by_filename: dict = {}  # filename -> [asn]

    def add(self, asn) -> None:
        bound = asn.bound
        self.all_by_rule.setdefault(bound, []).append(asn)
        guards = bound.guards
        if not guards:
            self.unindexed.setdefault(bound, []).append(asn)
            return
        sources = []
        key = []
        for leaf in guards:
            st = asn.states[leaf.slot]
            if st is None or st[2] or len(st[1]) != 1 or not asn.literal_ok(st):
                self.unindexed.setdefault(bound, []).append(asn)
                return
            sources.append(st[1][0])
            key.append(asn.literal_of(st))
        groups = self.by_rule.setdefault(bound, {})
        groups.setdefault(tuple(sources), {}).setdefault(tuple(key), []).append(asn)

    def note_member(self, asn, filename: str) -> None:
        self.by_filename.setdefault(filename, []).append(asn)

    def candidates(self, item, bound) -> list:
        """Associations of ``bound`` that ``item`` might join (superset of the true ones)."""
        found = list(self.unindexed.get(bound, ()))
        groups = self.by_rule.get(bound)
        if groups:
            for sources, table in groups.items():
                key = []
                for column in sources:
                    value = item.get(column)
                    if value is None or value in EMPTY_SET:
                        key = None
                        break
                    if not plain(value):
                        return list(self.all_by_rule.get(bound, ()))
                    key.append(value.lower())
                if key is None:
                    continue
                hit = table.get(tuple(key))
                if hit:
                    found.extend(hit)
        return found
