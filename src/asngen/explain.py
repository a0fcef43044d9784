"""Why an exposure is, or is not, in an association.

The generator calls a :class:`Recorder` (when one is set on its ``RunState``)
for every decision it takes: a row offered to an existing association, a
row tried as the start of a new one, a rule skipped because the row alone
rules it out.  The recorder only keeps references (rows, rules, traces);
sentences are made afterwards and only for what someone asks about, so
recording a 10,000-row pool stays cheap, and a run without a recorder pays
nothing at all.

A refusal's trace lists every constraint leaf that said no during one check,
including leaves whose "no" did not matter (inside a ``notany``, or in an
alternative of an ``any`` that another alternative satisfied).  The *cause*
is recovered by replaying the tree's logic over those verdicts
(:func:`blame`): the first failing child of an ``all``, every alternative of
a failed ``any``, the matching child of a ``notany``.

The model (:class:`Explanation` and the per-exposure and per-association
answers) serves ``asngen explain``, ``--save-orphans`` and the HTML report;
every answer has ``lines()`` for people and ``to_dict()`` for programs.
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass, field
from typing import Any

from .engine.constraints import unescape

OFFER, CREATE, SKIP = 0, 1, 2


class Recorder:
    """Collects the generator's decisions, per exposure (pool ``filename``)."""

    def __init__(self) -> None:
        #: filename -> [(kind, item, bound, asn, matched, trace)]; for SKIP, ``bound`` is a list
        self.events: dict[str, list] = {}
        self._skips: dict[int, tuple] = {}  # id(item) -> (item, list of skipped rules)
        self.created: dict[Any, list] = {}  # bound rule -> the associations it started

    def _log(self, item, event) -> None:
        found = self.events.get(item.get("filename"))
        if found is None:
            self.events[item.get("filename")] = [event]
        else:
            found.append(event)

    def offer(self, item, asn, matched, trace) -> None:
        if matched:
            self._log(item, (OFFER, item, asn.bound, asn, True, None))
        else:
            resolved = [_resolve_required(entry, asn) for entry in trace or ()]
            self._log(item, (OFFER, item, asn.bound, asn, False, resolved))

    def create(self, item, bound, asn, trace) -> None:
        if asn is not None:
            self.created.setdefault(bound, []).append(asn)
        self._log(item, (CREATE, item, bound, asn, asn is not None, None if asn is not None else trace))

    def refuse_static(self, item, bound) -> None:
        slot = self._skips.get(id(item))
        if slot is None or slot[0] is not item:
            slot = self._skips[id(item)] = (item, [])
            self._log(item, (SKIP, item, slot[1], None, False, None))
        slot[1].append(bound)


def _resolve_required(entry, asn):
    """A required value computed from the association is computed now, while its state is current."""
    leaf, why, got, required = entry
    if callable(required):
        try:
            required = required(asn)
        except Exception:  # noqa: BLE001 - keep it unknown
            pass
    return (leaf, why, got, required)


# ---------------------------------------------------------------- refusals and their sentences


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
    from .engine.constraints import EMPTY_SET

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
    from .association import Association
    from .engine.constraints import Check

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
    from .engine.constraints import evaluate_literal

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


_VALIDITY_TEXT = {
    "has_science": "it holds no science exposure",
    "has_psf": "it holds no PSF reference exposure",
    "allowed_candidates": ("Level 2 associations are kept only for observation candidates "
                           "(and background candidates that hold a background)"),
    "is_type_mosaic": "only mosaic candidates keep this kind of association",
    "is_type_observation": "only observation candidates keep this kind of association",
    "is_not_group": "group candidates do not keep this kind of association",
    "has_pair": "it needs at least two exposures",
}


# ---------------------------------------------------------------- the answers


@dataclass
class Placement:
    """One association a row went into while generating (written or not)."""

    serial: int  # the association's number in this run
    how: str  # "started" or "joined"
    member_type: str | None
    written: str | None  # the written association holding the row, if any
    dropped: str | None  # why it did not survive, if it did not

    def sentence(self) -> str:
        verb = "started an association" if self.how == "started" else "joined an association"
        kind = f" as {self.member_type}" if self.member_type else ""
        if self.written:
            return f"{verb}{kind}, written as {self.written}"
        return f"{verb}{kind}, but {self.dropped}"

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class RuleDecision:
    """What one rule, in one pass (a candidate's, or discovery), did with one exposure."""

    rule: str
    context: str
    placements: list[Placement] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)  # why it could start no association
    skipped: bool = False  # ruled out from the row alone, before any check ran
    for_kind: int | None = 1  # how closely the rule is made for this row's exp_type (see rule_is_for)
    existing: list[tuple[str, list[Refusal]]] = field(default_factory=list)  # associations that refused
    #: associations of the rule never offered the row, because a value they pinned differs from the row's
    elsewhere: list[tuple[str, list[Refusal]]] = field(default_factory=list)

    @property
    def took(self) -> bool:
        return bool(self.placements)

    def sentences(self) -> list[str]:
        where = f"{self.context}: {self.rule}"
        lines = [f"{where} {p.sentence()}." for p in self.placements]
        if self.elsewhere:
            label, why = self.elsewhere[0]
            more = f" (and {len(self.elsewhere) - 1} other)" if len(self.elsewhere) > 1 else ""
            lines.append(f"{where}: not offered to its association {label}{more}, which pinned other "
                         f"values: {'; '.join(r.sentence() for r in why)}.")
        if self.existing:
            label, why = self.existing[0]
            more = f" (and {len(self.existing) - 1} other)" if len(self.existing) > 1 else ""
            lines.append(f"{where}: its association {label}{more} refused it: {_join(why)}.")
        if self.took:
            return lines
        if self.refusals:
            lines.append(f"{where}: cannot start an association: {_join(self.refusals)}.")
        return lines or [f"{where}: refused it."]

    def to_dict(self) -> dict:
        return {
            "rule": self.rule, "context": self.context, "took": self.took, "skipped": self.skipped,
            "placements": [p.to_dict() for p in self.placements],
            "refusals": [r.to_dict() for r in self.refusals],
            "existing": [{"association": label, "refusals": [r.to_dict() for r in why]}
                         for label, why in self.existing],
            "elsewhere": [{"association": label, "refusals": [r.to_dict() for r in why]}
                          for label, why in self.elsewhere],
            "sentences": self.sentences(),
        }


def _join(refusals: list[Refusal]) -> str:
    return "; or ".join(r.sentence() for r in refusals) if refusals else "no single constraint"


@dataclass
class ExposureExplanation:
    """Everything the generator did with one exposure."""

    filename: str
    row: dict
    written: list[tuple[str, str]]  # (association name, member type)
    decisions: list[RuleDecision]
    reason: str | None  # why it is in no association (None when it is in one)

    @property
    def orphan(self) -> bool:
        return not self.written

    def lines(self, full: bool = False) -> list[str]:
        """Plain sentences.  Unless ``full``, rules made for other exposure types are
        named in one line, and a rule refusing the same way in several passes once."""
        row = self.row
        out = [f"{self.filename} (exp_type {row.get('exp_type', '?')}, observation {row.get('obs_num', '?')}, "
               f"candidates {row.get('asn_candidate', '?')})"]
        if self.written:
            out.append(f"  in {len(self.written)} written association(s):")
            out += [f"    {name} as {kind}" for name, kind in self.written]
        else:
            out.append(f"  in no association: {self.reason}")
        took = [d for d in self.decisions if d.took]
        refused = [d for d in self.decisions if not d.took]
        if took:
            out.append("  taken by:")
            out += [f"    {line}" for d in took for line in d.sentences()]
        if not refused:
            return out
        out.append("  refused by:")
        if full:
            return out + [f"    {line}" for d in refused for line in d.sentences()]
        other_kinds: dict[str, None] = {}
        grouped: dict[tuple, list[str]] = {}
        for decision in refused:
            if decision.for_kind == 0:
                other_kinds[decision.rule] = None
                continue
            for line in decision.sentences():
                body = line[len(decision.context) + 2:]
                grouped.setdefault((body,), []).append(decision.context)
        for (body,), contexts in grouped.items():
            where = contexts[0] if len(contexts) == 1 else f"{len(contexts)} passes ({', '.join(contexts)})"
            out.append(f"    {where}: {body}")
        if other_kinds:
            out.append(f"    {len(other_kinds)} rules made for other exposure types than "
                       f"{row.get('exp_type', '?')!r}: {', '.join(other_kinds)}")
        return out

    def to_dict(self) -> dict:
        return {
            "filename": self.filename, "orphan": self.orphan, "reason": self.reason,
            "written": [{"association": name, "member_type": kind} for name, kind in self.written],
            "decisions": [d.to_dict() for d in self.decisions],
        }


@dataclass
class MemberWhy:
    expname: str
    exptype: str
    filename: str | None
    why: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class AssociationExplanation:
    """Why each member of a written association is in it."""

    name: str
    rule: str
    asn_type: str
    candidate: str
    shared: list[str]  # the values every member had to share (the association's pinned constraints)
    members: list[MemberWhy]

    def lines(self) -> list[str]:
        out = [f"{self.name}: {self.asn_type} built by {self.rule} for {self.candidate}"]
        if self.shared:
            out.append("  values it pinned (the first member's, required of the members after it): "
                       + "; ".join(self.shared))
        out.append(f"  {len(self.members)} member(s):")
        out += [f"    {m.expname} ({m.exptype}): {m.why}" for m in self.members]
        return out

    def to_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "members"}
        data["members"] = [m.to_dict() for m in self.members]
        return data


class Explanation:
    """A generation run and its recorded decisions; questions are answered on demand."""

    def __init__(self, pool, result, recorder: Recorder | None, rule_files=None) -> None:
        self.pool = pool
        self.result = result
        self.recorder = recorder
        self.rule_files = rule_files
        self.written: dict[str, list[tuple[str, str, Any]]] = {}  # filename -> [(name, type, asn)]
        for asn in result.associations:
            name = asn.asn_name()
            for product in asn.data["products"]:
                for member in product["members"]:
                    if member.item is not None:
                        self.written.setdefault(member.item.get("filename"), []).append(
                            (name, member["exptype"], asn))
        self._kept_serials = {asn.serial: asn for asn in result.associations}
        self.rows_by_filename: dict[str, dict] = {}
        for row in pool.rows:
            self.rows_by_filename.setdefault(row.get("filename"), row)
        self._dropped: dict[int, str] = {}
        self._by_members: dict | None = None
        #: rows the generator set aside before generating (filename -> why)
        self.excluded = {row.get("filename"): why for _n, row, why in getattr(result, "excluded", ())}

    # -- lookups ---------------------------------------------------------------------
    def find_exposures(self, name: str) -> list[str]:
        """Pool filenames equal to ``name``, else those containing it (case-insensitive)."""
        if name in self.rows_by_filename:
            return [name]
        lowered = name.lower()
        return [f for f in self.rows_by_filename if f is not None and lowered in f.lower()]

    def find_associations(self, name: str) -> list:
        """Written associations by name (with or without ``_asn``/extension), else by product name."""
        stem = re.sub(r"\.(json|ya?ml)$", "", name.strip().lower())
        asns = self.result.associations
        found = [asn for asn in asns if asn.asn_name().lower() in (stem, stem + "_asn")]
        found = found or [asn for asn in asns if any(p["name"].lower() == stem for p in asn.data["products"])]
        return found or [asn for asn in asns if stem in asn.asn_name().lower()]

    @property
    def orphan_names(self) -> list[str]:
        return list(dict.fromkeys(row.get("filename") for row in self.result.orphans))

    # -- answers ---------------------------------------------------------------------
    def exposure(self, filename: str) -> ExposureExplanation:
        row = self.rows_by_filename.get(filename) or {"filename": filename}
        written = [(name, kind) for name, kind, _ in self.written.get(filename, [])]
        decisions = self._decisions(filename)
        reason = None
        if not written and filename in self.excluded:
            reason = f"left out before generating: {self.excluded[filename]}"
        elif not written:
            reason = reason_from_decisions(decisions, row) if self.recorder else self._cheap_reason(row)
        return ExposureExplanation(filename, row, written, decisions, reason)

    def orphans(self) -> list[ExposureExplanation]:
        return [self.exposure(filename) for filename in self.orphan_names]

    def orphan_reasons(self) -> dict[str, str]:
        return {e.filename: e.reason or "in no association" for e in self.orphans()}

    def association(self, asn) -> AssociationExplanation:
        acid, ctype = asn.acid()
        how = self._membership_events(asn)
        members = []
        for product in asn.data["products"]:
            for member in product["members"]:
                filename = member.item.get("filename") if member.item is not None else None
                members.append(MemberWhy(member["expname"], member["exptype"], filename,
                                         self._member_why(asn, member, how.get(filename))))
        return AssociationExplanation(asn.asn_name(), asn.bound.rule.name, asn.data["asn_type"],
                                      f"candidate {acid} ({ctype.lower()})", pinned_values(asn), members)

    # -- internals -------------------------------------------------------------------
    def _decisions(self, filename: str) -> list[RuleDecision]:
        if self.recorder is None:
            return []
        by_key: dict[tuple, RuleDecision] = {}
        tried: dict[Any, tuple] = {}  # bound -> (a row copy it saw, serials of associations tried)
        placed: set[int] = set()  # a row offered again to an association it is in "joins" it again
        for kind, item, bound, asn, matched, trace in self.recorder.events.get(filename, ()):
            if kind == SKIP:
                for rule in bound:
                    tried.setdefault(rule, (item, set()))
                    decision = _decision(by_key, rule, item)
                    if not decision.refusals:
                        decision.skipped = True
                        decision.refusals = static_refusals(rule, item)
                continue
            serials = tried.setdefault(bound, (item, set()))[1]
            if asn is not None:
                serials.add(asn.serial)
            if matched:
                if asn is not None and asn.serial not in placed:
                    placed.add(asn.serial)
                    _decision(by_key, bound, item).placements.append(
                        self._placement(asn, item, "started" if kind == CREATE else "joined"))
                continue
            decision = _decision(by_key, bound, item)
            why = blame(bound, item, trace or [])
            if kind == CREATE:
                if not decision.refusals or decision.skipped:
                    decision.refusals, decision.skipped = why, False
            else:
                label = self._label(asn)
                if all(label != known for known, _ in decision.existing):
                    decision.existing.append((label, why))
        for bound, (item, serials) in tried.items():
            key = (bound.rule.name, context_label(bound, item))
            decision = by_key.get(key)
            if decision is None or decision.for_kind == 0:
                continue  # only for decisions already made; other kinds' associations tell nothing
            for asn in self.recorder.created.get(bound, ()):
                if asn.serial not in serials and filename not in asn.filenames:
                    why = guard_mismatch(asn, item)
                    if why:
                        decision.elsewhere.append((self._label(asn), why))
        for decision in by_key.values():
            decision.elsewhere.sort(key=lambda entry: len(entry[1]))
            if decision.took:  # it could not start another association: that is no news
                decision.refusals, decision.skipped = [], False
        return list(by_key.values())

    def _label(self, asn) -> str:
        kept = self._kept_serials.get(asn.serial)
        return kept.asn_name() if kept is not None else f"{_asn_label(asn)} (not written)"

    def _written_name(self, asn, item) -> str | None:
        for name, _kind, kept in self.written.get(item.get("filename"), ()):
            if kept is asn or kept.serial == asn.serial:
                return name
        return None

    def _placement(self, asn, item, how: str) -> Placement:
        filename = item.get("filename")
        member_type = next((m["exptype"] for m in asn.members if m.item is item), None) or next(
            (m["exptype"] for m in asn.members if m.item is not None and m.item.get("filename") == filename), None)
        written = self._written_name(asn, item)
        dropped = None
        if written is None:
            kept = self._kept_serials.get(asn.serial)
            if kept is not None:
                dropped = f"it was taken out of {kept.asn_name()} when that association was finalized"
            else:
                dropped = self._drop_reason(asn)
        return Placement(asn.serial, how, member_type, written, dropped)

    def _drop_reason(self, asn) -> str:
        found = self._dropped.get(id(asn))
        if found is None:
            found = f"that association ({_asn_label(asn)}) was not written: {self._why_dropped(asn)}"
            self._dropped[id(asn)] = found
        return found

    def _why_dropped(self, asn) -> str:
        failing = [name for name, ok in asn.validity.items() if not ok]
        if failing:
            return "; ".join(_VALIDITY_TEXT.get(name, f"it fails the {name} check") for name in failing)
        ctype = asn.acid()[1].lower()
        if asn.level == 3 and ctype in ("group", "background", "mosaic"):
            try:
                observations = asn.found_of("obs_num")
            except (KeyError, AttributeError):
                observations = None
            if observations is not None and len(observations) <= 1:
                return f"a {ctype} candidate must combine more than one observation"
        finalize = getattr(asn.rule.finalize, "__name__", "")
        if "wfss" in finalize and not asn.members_by_type("direct_image"):
            return "a WFSS association is kept only when it also holds a direct image"
        mine = _filenames(asn)
        if self._by_members is None:
            self._by_members = {}
            for kept in self.result.associations:
                for filename in _filenames(kept):
                    self._by_members.setdefault(filename, []).append(kept)
        for kept in self._by_members.get(next(iter(mine), None), ()):
            if kept.data["asn_type"] != asn.data["asn_type"]:
                continue
            theirs = _filenames(kept)
            if mine == theirs:
                return f"it has the same members as {kept.asn_name()}"
            if mine < theirs:
                return f"its members are all in the larger {kept.asn_name()}"
        if self.result.skipped and any(asn is skipped for skipped in self.result.skipped):
            return "it is not valid"
        return "it was removed when the associations were finalized"

    def _cheap_reason(self, row: dict) -> str:
        from .registry import Registry, resolve_rule_files

        if getattr(self, "_cheap_registry", None) is None:
            user, ignore = self.rule_files or ((), False)
            self._cheap_registry = Registry(resolve_rule_files(user, ignore), None)
        return cheap_reason(row, self._cheap_registry.rules)

    def _membership_events(self, asn) -> dict[str, str]:
        how: dict[str, str] = {}
        if self.recorder is None:
            return how
        for filename in _filenames(asn):
            for kind, _item, _bound, other, matched, _trace in self.recorder.events.get(filename, ()):
                if matched and other is not None and kind != SKIP and other.serial == asn.serial:
                    how.setdefault(filename, "started" if kind == CREATE else "joined")
        return how

    def _member_why(self, asn, member, how: str | None) -> str:
        rule = asn.bound.rule.name
        if member.item is None:
            return "added when the association was finalized (it has no pool row of its own)"
        if how == "started":
            return f"started the association: it met every condition of {rule} and was its first member"
        if how == "joined":
            return f"joined: it matches the association's pinned values and the rest of {rule}"
        if self.recorder is None:
            return "member (run with explanations recorded to see how it joined)"
        return "added when the association was finalized (e.g. a nod or imprint counterpart)"


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


def _filenames(asn) -> frozenset:
    return frozenset(m.item.get("filename") for p in asn.data["products"] for m in p["members"]
                     if m.item is not None)


def _asn_label(asn) -> str:
    product = asn.products[-1]["name"] if asn.products else "undefined"
    what = product if product != "undefined" else asn.bound.rule.name
    return f"#{asn.serial} {asn.data['asn_type']} {asn.acid()[0]} {what}"


def _decision(by_key: dict, bound, item) -> RuleDecision:
    key = (bound.rule.name, context_label(bound, item))
    found = by_key.get(key)
    if found is None:
        found = by_key[key] = RuleDecision(key[0], key[1], for_kind=rule_is_for(bound, item))
    return found


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
        from .engine.constraints import meets

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


def reason_from_decisions(decisions: list[RuleDecision], row: dict) -> str:
    """One line for an orphan: the most telling of its decisions.

    An association it was in but that was not written comes first.  Then
    refusals that are about something other than the kind of exposure
    (``exp_type``): rules built for this kind of exposure that still said no
    are the ones a person wants to hear about.  Among those, a refusal by an
    existing association beats a rule that tried and refused, which beats a
    rule ruled out from the row alone; then the fewest alternatives, then
    the refusal that came furthest into its rule.
    """
    dropped = next((f"{decision.context}: {decision.rule} {placement.sentence()}"
                    for decision in decisions for placement in decision.placements
                    if placement.written is None), None)
    ranked = []
    for position, decision in enumerate(decisions):
        if decision.for_kind == 0:
            continue
        candidates = [(3, f"its association {label} refused it", why) for label, why in decision.existing[:1]]
        candidates += [(3, f"its association {label} pinned other values", why)
                       for label, why in decision.elsewhere[:1]]
        if decision.refusals:
            candidates.append((1 if decision.skipped else 2, "cannot start an association", decision.refusals))
        for tier, what, why in candidates:
            telling = [r for r in why if not r.about_kind]
            if not telling and decision.for_kind is None:
                continue
            shown = telling or why
            width = decision.for_kind or 99
            ranked.append(((bool(telling), tier, -len(shown), -width, _furthest(shown), -position),
                           f"{decision.context}: {decision.rule}: {what}: {_join(shown)}"))
    best = max(ranked) if ranked else None
    if dropped is not None:
        # the row was placed, but not where a person expects: name the best refusal too
        return dropped if best is None or not best[0][0] else f"{dropped}; and {best[1]}"
    if best is not None:
        return best[1]
    if decisions:
        return f"no rule takes exposures of exp_type {row.get('exp_type')!r}"
    return "no rule was tried on it (it is in none of the candidates generated)"


def _furthest(refusals: list[Refusal]) -> int:
    return max((r.position for r in refusals), default=-1)


def cheap_reason(row: dict, rules) -> str:
    """Why ``row`` is an orphan, from the row and the rules alone (no recorded run)."""
    possible, best = [], None
    for position, bound in enumerate(rules):
        kind = rule_is_for(bound, row)
        if kind == 0:
            continue
        why = static_refusals(bound, row)
        if not why:
            possible.append(bound.rule.name)
            continue
        telling = [r for r in why if not r.about_kind]
        if not telling and kind is None:
            continue
        shown = telling or why
        rank = (bool(telling), -len(shown), -(kind or 99), _furthest(shown), -position)
        if best is None or rank > best[0]:
            best = (rank, bound, shown)
    if possible:
        more = f" and {len(possible) - 3} more" if len(possible) > 3 else ""
        return (f"{', '.join(possible[:3])}{more} can start an association with it, but none holding it "
                "was written (dropped as not valid or as a duplicate; asngen explain tells which)")
    if best is None:
        return f"no rule takes exposures of exp_type {row.get('exp_type')!r}"
    return f"no rule takes it; closest: {best[1].rule.name}: cannot start an association: {_join(best[2])}"


# ---------------------------------------------------------------- entry points


def explain(pool: Any, options=None, *, run=None) -> Explanation:
    """Generate ``pool`` (path, Pool or table) with every decision recorded; the explanation model."""
    from .api import _load, generate
    from .generator.loop import RunState
    from .options import GenerateOptions

    options = options or GenerateOptions()
    loaded = _load(pool, options)
    run = run or RunState()
    run.recorder = Recorder()
    result = generate(loaded, options, run=run)
    return Explanation(loaded, result, run.recorder, (options.rules, options.ignore_default))


def orphan_reasons(pool_rows, result, recorder: Recorder | None = None, options=None) -> dict[str, str]:
    """filename -> why that row of ``result.orphans`` is in no written association.

    With the ``recorder`` of the run that made ``result``, the reasons are the
    generator's own decisions.  Without one they are worked out from each
    orphan row and the rules alone (``options`` names the rule files), which
    costs a few milliseconds per orphan and nothing per associated row.
    """
    from .pool import Pool

    rules = (options.rules, options.ignore_default) if options is not None else None
    return Explanation(Pool(columns=[], rows=list(pool_rows)), result, recorder, rules).orphan_reasons()


class _CallableModule(types.ModuleType):
    """Importing ``asngen.explain`` replaces the package's lazy ``explain`` function with this
    module; making the module callable keeps ``asngen.explain(pool)`` working either way."""

    def __call__(self, *args, **kwargs):
        return explain(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
