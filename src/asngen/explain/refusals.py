"""Which constraints refused a row, and how to say it.

A refusal's trace lists every constraint leaf that said no during one check,
including leaves whose "no" did not matter (inside a ``notany``, or in an
alternative of an ``any`` that another alternative satisfied).  The *cause*
is recovered by replaying the tree's logic over those verdicts
(:func:`blame`): the first failing child of an ``all``, every alternative of
a failed ``any``, the matching child of a ``notany``.  The other questions
answered here read a rule or an association without a recorded run: why a
rule cannot start an association with a row (:func:`static_refusals`), which
pinned values keep a row from an association (:func:`guard_mismatch`), and
whether a rule is made for the row's kind of exposure at all
(:func:`rule_is_for`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..engine.patterns import unescape


@dataclass
class Refusal:
    """One constraint that refused a row: its name, the row's value and what was required.

    ``why``: ``missing`` (no value), ``present`` (a value where none may be),
    ``mismatch`` (value differs from the pattern or pinned value), ``test``
    (a computed condition), ``excluded`` (the row matches what the rule
    excludes) or ``retry`` (refused pending a retry with one value at a time).
    """

    constraint: str
    columns: list[str]
    why: str
    seen: Any
    required: Any
    #: where ``required`` comes from: the rule's own pattern, the value the association
    #: pinned, or a value computed from the association's members
    against: str = "rule"
    position: int = -1  # depth-first position of the leaf in its rule: how far the row got
    of_kind: bool = False  # an alternative of a test of the exposure's kind (see blame)

    @property
    def about_kind(self) -> bool:
        """True when this only says the row is not the kind of exposure (or candidate) the rule is for."""
        return (self.of_kind or "exp_type" in self.columns or "asn_candidate" in self.columns
                or self.why in ("design", "retry"))

    def sentence(self) -> str:
        cols = "/".join(self.columns) or self.constraint
        seen = _show(self.seen)
        if self.why == "missing":
            return f"{self.constraint}: the row has no {cols}, which is required"
        if self.why == "present":
            return f"{self.constraint}: the row has {cols} = {seen}, which must be empty"
        if self.why == "mismatch":
            if self.against == "association":
                return f"{self.constraint}: the row has {cols} = {seen}, the association holds {_show(self.required)}"
            if self.against == "computed":
                if callable(self.required):
                    return (f"{self.constraint}: the row has {cols} = {seen}, which must match the association's "
                            "members, and a new association has none")
                return (f"{self.constraint}: the row has {cols} = {seen}, the association's members require "
                        f"{_pattern_text(self.required)}")
            return f"{self.constraint}: the row has {cols} = {seen}, the rule requires {_pattern_text(self.required)}"
        if self.why == "excluded":
            return f"{self.constraint}: the row has {self.seen}, which the rule excludes"
        if self.why == "retry":
            return f"{self.constraint}: the row lists several values and is tried again with each"
        if self.why == "design":
            return f"this rule never builds an association ({self.required})"
        if isinstance(self.seen, bool) and isinstance(self.required, bool):
            return f"{self.constraint}: {_yes(self.seen)}, but it must be {_yes(self.required)}"
        if self.seen is None or isinstance(self.seen, dict):
            return f"{self.constraint}: does not hold (must be {_show(self.required)})"
        return f"{self.constraint}: the row gives {seen}, the rule needs {_show(self.required)}"

    def to_dict(self) -> dict:
        return {
            "constraint": self.constraint, "columns": list(self.columns), "why": self.why,
            "seen": _plain_value(self.seen), "required": _plain_value(self.required),
            "against": self.against, "sentence": self.sentence(),
        }


_WORDS = re.compile(r"^[\w\-\.]+(\|[\w\-\.]+)*$")


def _unescape(text):
    return unescape(text) if isinstance(text, str) else text


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _show(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "the row"
    if callable(value):
        return "a value computed from the association's members (it has none yet)"
    return repr(_unescape(value) if isinstance(value, str) else value)


def _pattern_text(pattern) -> str:
    if isinstance(pattern, (list, tuple)):
        pattern = "|".join(str(p) for p in pattern)
    if callable(pattern):
        return _show(pattern)
    if isinstance(pattern, str):
        inner = pattern[1:-1] if pattern.startswith("(") and pattern.endswith(")") else pattern
        if _WORDS.match(inner):
            words = inner.split("|")
            return repr(words[0]) if len(words) == 1 else "one of " + ", ".join(words)
        return f"a value matching /{pattern}/"
    return repr(pattern)


def _plain_value(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return _unescape(value)
    if isinstance(value, dict):
        return "<row>"
    if callable(value):
        return "<computed>"
    return str(value)


#: what an unnamed test's function reads, and how to say it
_TEST_WORDS = (
    ("has_science", "the association already holds a science exposure"),
    ("exposure_type", "the row is science for this rule"),
    ("original_exposure_type", "the association's own exposure type"),
    ("acid", "the candidate type"),
    ("classify", "the row's exposure class"),
)


def _label(leaf) -> str:
    if leaf.name:
        return leaf.name
    if leaf.kind == "attr":
        return "/".join(leaf.sources)
    names = getattr(getattr(leaf.sources, "__code__", None), "co_names", ())
    for word, text in _TEST_WORDS:
        if word in names:
            return text
    return "a computed condition"


def _row_value(item, leaf):
    for column in leaf.sources:
        value = item.get(column)
        if value is not None and value not in _empty():
            return column, value
    return None, None


def _empty():
    from ..engine.patterns import EMPTY_SET

    return EMPTY_SET


def _from_trace(entry) -> Refusal:
    leaf, why, got, required = entry
    if leaf.name == "force_fail":
        return Refusal(leaf.name, [], "design", None, "it only sends target acquisitions to existing ones",
                       position=leaf.slot)
    if leaf.kind == "attr":
        if callable(leaf.value):
            against = "computed"
        else:
            against = "association" if why == "mismatch" and required != leaf.value else "rule"
        return Refusal(_label(leaf), list(leaf.sources), why, got, required, against, leaf.slot)
    label = _label(leaf)
    if label == "the row is science for this rule" and not isinstance(got, bool):
        label = "the member type the rule gives the row"
    return Refusal(label, list(getattr(leaf, "columns", None) or ()), "test", got, required, position=leaf.slot)


def _excluded(node, item) -> Refusal:
    """The row matches ``node``, which a ``notany``/``notall`` forbids."""
    parts = []
    for leaf in node.leaves():
        if leaf.kind == "attr":
            column, value = _row_value(item, leaf)
            if column is not None and f"{column} = {value!r}" not in parts:
                parts.append(f"{column} = {value!r}")
    name = node.name or next((leaf.name for leaf in node.leaves() if leaf.name), None)
    if name is None:
        name = next((_label(leaf) for leaf in node.leaves() if leaf.kind == "attr"), "excluded case")
    first = next(iter(node.leaves()), None)
    return Refusal(name, [], "excluded", " and ".join(parts) or "what it excludes", None,
                   position=first.slot if first is not None else -1)


def blame(bound, item, trace: list) -> list[Refusal]:
    """The constraints that really refused ``item`` under ``bound``, most telling first."""
    failed: dict[int, tuple] = {}
    for entry in trace:
        failed.setdefault(id(entry[0]), entry)
    memo: dict[int, bool] = {}

    def holds(node) -> bool:
        known = memo.get(id(node))
        if known is None:
            if node.kind != "group":
                known = id(node) not in failed
            else:
                verdicts = [holds(child) for child in node.children]
                if node.reduce == "all":
                    known = bool(verdicts) and all(verdicts)
                elif node.reduce == "any":
                    known = any(verdicts)
                elif node.reduce == "notany":
                    known = not any(verdicts)
                else:
                    known = not (bool(verdicts) and all(verdicts))
            memo[id(node)] = known
        return known

    def why(node) -> list[Refusal]:
        if node.kind != "group":
            return [_from_trace(failed[id(node)])] if id(node) in failed else []
        children = node.children
        if node.reduce == "all":
            for child in children:
                if not holds(child):
                    return why(child)
            return []
        if node.reduce == "any":
            if node.gate is not None and children:
                # a closed gate says only one child can match; an open one, that another is meant
                which = getattr(node, "gate_child", 0)
                if not _gate_open(node.gate, item):
                    return why(children[which])
                children = [c for i, c in enumerate(children) if i != which] + [children[which]]
            found = [(child, why(child)) for child in children]
            refusals = [refusal for _, part in found for refusal in part]
            if any(child.kind != "group" and any(r.about_kind for r in part) for child, part in found):
                # "exp_type is X, or tsovisit is set": together these leaves test the kind of exposure
                for child, part in found:
                    if child.kind != "group":
                        for refusal in part:
                            refusal.of_kind = True
            return refusals
        if node.reduce == "notany":
            matching = next((child for child in children if holds(child)), None)
            return [_excluded(matching, item)] if matching is not None else []
        return [_excluded(node, item)]

    if holds(bound.tree):
        return [Refusal("the rule", [], "retry", None, None)]
    return why(bound.tree) or [Refusal("the rule", [], "retry", None, None)]


def _gate_open(gate, item) -> bool:
    try:
        return bool(gate(item))
    except Exception:  # noqa: BLE001
        return True


def static_refusals(bound, item) -> list[Refusal]:
    """Why ``bound`` cannot start an association with ``item`` (empty: it can).

    Replays the rule on a scratch association with tracing on; nothing of the
    real run is touched.
    """
    from ..association import Association
    from ..engine.check import Check

    trace: list = []
    try:
        scratch = Association(bound, None, 0, "explain")
        matched, _ = Check(scratch, {}, trace).run(bound.tree, item)
    except Exception:  # noqa: BLE001 - a classifier may reject the row outright
        return [Refusal("the rule's classification", [], "test", None, "a row it can classify")]
    if matched:
        return []
    return blame(bound, item, trace)


def context_label(bound, item) -> str:
    """Which pass a decision belongs to: a candidate's, the discovery pass, or the whole pool."""
    from ..engine.patterns import evaluate_literal

    registry = bound.registry_name
    if registry == "discover":
        return "discovery pass"
    if registry != "candidate":
        return registry or "pool"
    value = evaluate_literal(item.get("asn_candidate"))
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, tuple) and len(value) == 2:
        return f"candidate {value[0]} ({str(value[1]).lower()})"
    return "candidates"


def guard_mismatch(asn, item) -> list[Refusal]:
    """The values ``asn`` pinned that ``item`` does not have (empty: none differ).

    These are the generator's index keys: an association whose keys differ
    from the row's values is never offered the row, because the row would
    be refused before any other condition is looked at.
    """
    bound = asn.bound
    leaves, optional = [], set()
    for number, part in enumerate(getattr(bound, "parts", ())):
        if number and _gate_open(part.gate, item) and part.lookup is None:
            break  # an open gate: the row is looked up without this part and those after it
        leaves += list(part.guards) + list(part.optional)
        optional.update(id(leaf) for leaf in part.optional)
    out = []
    for leaf in leaves:
        st = asn.states[leaf.slot]
        if st is None or st[2] or not isinstance(st[0], str) or len(st[1]) != 1:
            continue
        column = st[1][0]
        pinned = _unescape(st[0])
        value = item.get(column)
        if value is None or value in _empty():
            if id(leaf) not in optional:  # a row without an optional value passes it
                out.append(Refusal(_label(leaf), [column], "missing", None, pinned, "association", leaf.slot))
        elif str(value).lower() != pinned.lower():
            out.append(Refusal(_label(leaf), [column], "mismatch", value, pinned, "association", leaf.slot))
    return out


def pinned_values(asn) -> list[str]:
    """``column = value`` for every column test whose value the association pinned."""
    out: list[str] = []
    for leaf in asn.bound.tree.leaves():
        if leaf.kind != "attr" or leaf.is_acid or leaf.name == "asn_candidate":
            continue
        st = asn.states[leaf.slot]
        if st is None or st[2] or not isinstance(st[0], str) or not st[1]:
            continue  # never pinned, or a pattern rather than a value
        text = f"{st[1][0]} = {_unescape(st[0])!r}"
        if text not in out:
            out.append(text)
    return out


_KINDS: dict[tuple, bool] = {}


def rule_is_for(bound, item) -> int | None:
    """How closely the rule is made for the row's kind of exposure.

    0 when none of the ``exp_type`` patterns the rule asks for (outside its
    exclusions) matches the row's ``exp_type``: refusals by rules made for
    other kinds explain nothing.  Otherwise the number of exposure types the
    narrowest matching pattern allows (1: made for exactly this kind).  None
    when the rule asks for no ``exp_type`` at all.
    """
    exp_type = item.get("exp_type")
    key = (id(bound.template), exp_type)
    found = _KINDS.get(key, _KINDS)
    if found is _KINDS:
        from ..engine.patterns import meets

        patterns = _kind_patterns(bound.template.tree, True, [])
        if not patterns:
            found = None
        else:
            widths = [len(p) if isinstance(p, (list, tuple)) else p.count("|") + 1
                      for p in patterns if isinstance(exp_type, str) and meets(exp_type, p)]
            found = min(widths, default=0)
        _KINDS[key] = found
    return found


def _kind_patterns(node, positive: bool, found: list) -> list:
    if node.kind == "group":
        flip = node.reduce in ("notany", "notall")
        for child in node.children:
            _kind_patterns(child, positive != flip, found)
    elif (positive and node.kind == "attr" and "exp_type" in node.sources
          and node.value is not None and not callable(node.value)):
        found.append(node.value)
    return found
