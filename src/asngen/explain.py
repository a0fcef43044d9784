"""Why an exposure is, or is not, in an association.

The generator calls a :class:`Recorder` (when one is set on its ``RunState``)
for every decision it takes: a row offered to an existing association, a
row tried as the start of a new one, a rule skipped because the row alone
rules it out.  The recorder only stores references (rows, rules, traces);
sentences are built afterwards, and only for the exposures someone asks
about, so recording a 10,000-row pool stays cheap.

A refusal's trace lists every constraint leaf that said no during one check,
including leaves whose "no" did not matter (inside a ``notany``, or an
alternative of an ``any`` that another alternative satisfied).  The *cause*
is recovered by replaying the tree's logic over those verdicts
(:func:`blame`): the first failing child of an ``all``, every alternative of
a failed ``any``, the matching child of a ``notany``.

The explanation model (:class:`Explanation`, :class:`ExposureExplanation`,
:class:`AssociationExplanation`) answers the three questions of ``asngen
explain`` and feeds the HTML report; every object has ``to_dict()`` for JSON.
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass, field
from typing import Any


OFFER, CREATE = 0, 1


class Recorder:
    """Collects the generator's decisions, per exposure (pool ``filename``)."""

    def __init__(self) -> None:
        self.events: dict[str, list] = {}  # filename -> [(kind, item, bound, asn, matched, trace)]
        self.statics: dict[int, list] = {}  # id(item) -> [item, [bound, ...]]

    def _log(self, item, event) -> None:
        filename = item.get("filename")
        found = self.events.get(filename)
        if found is None:
            self.events[filename] = [event]
        else:
            found.append(event)

    def offer(self, item, asn, matched, trace) -> None:
        if not matched and trace:
            trace = [_resolve_required(entry, asn) for entry in trace]
        self._log(item, (OFFER, item, asn.bound, asn, bool(matched), None if matched else trace))

    def create(self, item, bound, asn, trace) -> None:
        self._log(item, (CREATE, item, bound, asn, asn is not None, None if asn is not None else trace))

    def refuse_static(self, item, bound) -> None:
        slot = self.statics.get(id(item))
        if slot is None or slot[0] is not item:
            slot = self.statics[id(item)] = [item, []]
            self._log(item, (None, item, None, None, False, slot))
        slot[1].append(bound)


def _resolve_required(entry, asn):
    """A required value computed from the association is computed now, while its state is current."""
    leaf, why, got, required = entry
    if callable(required):
        try:
            required = required(asn)
        except Exception:  # noqa: BLE001 - keep the unknown as it is
            pass
    return (leaf, why, got, required)


# ---------------------------------------------------------------- the model


@dataclass
class Placement:
    """One association a row went into while generating (written or not)."""

    rule: str
    context: str
    how: str  # "started" or "joined"
    member_type: str | None
    written: str | None  # name of the written association holding the row, if any
    dropped: str | None  # why the association (or the row's place in it) did not survive

    def sentence(self) -> str:
        verb = "started an association" if self.how == "started" else "joined an association"
        kind = f" as {self.member_type}" if self.member_type else ""
        if self.written:
            return f"{verb}{kind}, written as {self.written}"
        return f"{verb}{kind}, but {self.dropped or 'it was not written'}"

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class RuleDecision:
    """What one rule, in one context (candidate or pass), did with one exposure."""

    rule: str
    context: str
    placements: list[Placement] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)  # why no new association could start
    skipped: bool = False  # refused from the row alone, before any association was tried
    existing: list[tuple[str, list[Refusal]]] = field(default_factory=list)  # (association, why not)

    @property
    def took(self) -> bool:
        return bool(self.placements)

    def sentences(self) -> list[str]:
        where = f"{self.context}: {rule_label(self.rule)}"
        if self.took:
            return [f"{where} {p.sentence()}." for p in self.placements]
        lines = []
        if self.existing:
            label, why = self.existing[0]
            more = f" (and {len(self.existing) - 1} more)" if len(self.existing) > 1 else ""
            lines.append(f"{where}: the existing association {label}{more} refused it: {_join(why)}.")
        if self.refusals:
            lines.append(f"{where}: could not start an association: {_join(self.refusals)}.")
        return lines or [f"{where}: refused it."]

    def to_dict(self) -> dict:
        return {
            "rule": self.rule, "context": self.context, "took": self.took, "skipped": self.skipped,
            "placements": [p.to_dict() for p in self.placements],
            "refusals": [r.to_dict() for r in self.refusals],
            "existing": [{"association": label, "refusals": [r.to_dict() for r in why]}
                         for label, why in self.existing],
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
    reason: str | None  # one line: why it is in no association (None when it is in one)

    @property
    def orphan(self) -> bool:
        return not self.written

    def lines(self) -> list[str]:
        row = self.row
        head = (f"{self.filename} (exp_type {row.get('exp_type', '?')}, observation {row.get('obs_num', '?')}, "
                f"candidates {row.get('asn_candidate', '?')})")
        out = [head]
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
        if refused:
            out.append("  refused by:")
            out += [f"    {line}" for d in refused for line in d.sentences()]
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
    shared: list[str]  # the conditions every member meets (the pinned constraint values)
    members: list[MemberWhy]

    def lines(self) -> list[str]:
        out = [f"{self.name}: {self.asn_type} built by {rule_label(self.rule)} for {self.candidate}"]
        if self.shared:
            out.append("  every member satisfies: " + "; ".join(self.shared))
        out.append(f"  {len(self.members)} member(s):")
        out += [f"    {m.expname} ({m.exptype}): {m.why}" for m in self.members]
        return out

    def to_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "members"}
        data["members"] = [m.to_dict() for m in self.members]
        return data


class Explanation:
    """A generation run with its decisions, answering questions lazily."""

    def __init__(self, pool, result, recorder: Recorder | None) -> None:
        self.pool = pool
        self.result = result
        self.recorder = recorder
        self.written: dict[str, list[tuple[str, str, Any]]] = {}  # filename -> [(name, type, asn)]
        for asn in result.associations:
            name = asn.asn_name()
            for product in asn.data["products"]:
                for member in product["members"]:
                    item = member.item
                    if item is not None:
                        self.written.setdefault(item.get("filename"), []).append((name, member["exptype"], asn))
        self._kept_serials = {asn.serial: asn for asn in result.associations}
        self._by_filename: dict[str, list[dict]] = {}
        for row in pool.rows:
            self._by_filename.setdefault(row.get("filename"), []).append(row)
        self._drop_cache: dict[int, str] = {}

    # -- lookups -----------------------------------------------------------------------
    def find_exposures(self, name: str) -> list[str]:
        """Pool filenames matching ``name`` exactly, else those that contain it."""
        if name in self._by_filename:
            return [name]
        lowered = name.lower()
        return [f for f in self._by_filename if f is not None and lowered in f.lower()]

    def find_associations(self, name: str) -> list:
        stem = re.sub(r"\.(json|ya?ml)$", "", name.strip().lower())
        found = [asn for asn in self.result.associations if asn.asn_name().lower() in (stem, stem + "_asn")]
        if not found:
            found = [asn for asn in self.result.associations
                     if any(product["name"].lower() == stem for product in asn.data["products"])]
        if not found:
            found = [asn for asn in self.result.associations if stem in asn.asn_name().lower()]
        return found

    @property
    def orphan_names(self) -> list[str]:
        seen, out = set(), []
        for row in self.result.orphans:
            filename = row.get("filename")
            if filename not in seen:
                seen.add(filename)
                out.append(filename)
        return out

    # -- answers ---------------------------------------------------------------------
    def exposure(self, filename: str) -> ExposureExplanation:
        rows = self._by_filename.get(filename) or [{"filename": filename}]
        written = [(name, kind) for name, kind, _ in self.written.get(filename, [])]
        decisions = self._decisions(filename)
        reason = None if written else self._orphan_reason(filename, rows[0], decisions)
        return ExposureExplanation(filename, rows[0], written, decisions, reason)

    def orphans(self) -> list[ExposureExplanation]:
        return [self.exposure(filename) for filename in self.orphan_names]

    def orphan_reasons(self) -> dict[str, str]:
        return {e.filename: e.reason or "in no association" for e in self.orphans()}

    def association(self, asn) -> AssociationExplanation:
        name = asn.asn_name()
        acid, ctype = asn.acid()
        started, joined = self._membership_events(asn)
        members = []
        for product in asn.data["products"]:
            for member in product["members"]:
                item = member.item
                filename = item.get("filename") if item is not None else None
                members.append(MemberWhy(member["expname"], member["exptype"], filename,
                                         self._member_why(asn, filename, member, started, joined)))
        shared = [line for line in asn.bound.describe(asn.states) if not line.startswith("asn_candidate")]
        return AssociationExplanation(name, asn.bound.asn_rule, asn.data["asn_type"],
                                      f"candidate {acid} ({ctype.lower()})", shared, members)

    # -- internals -----------------------------------------------------------------------
    def _events(self, filename: str) -> list:
        if self.recorder is None:
            return []
        return self.recorder.events.get(filename, [])

    def _decisions(self, filename: str) -> list[RuleDecision]:
        by_key: dict[tuple, RuleDecision] = {}
        for kind, item, bound, asn, matched, extra in self._events(filename):
            if kind is None:  # rules skipped from the row alone
                for skipped in extra[1]:
                    decision = _decision(by_key, skipped, item)
                    decision.skipped = True
                    why = static_refusals(skipped, item)
                    if why and not decision.refusals:
                        decision.refusals = why
                continue
            decision = _decision(by_key, bound, item)
            if matched:
                how = "started" if kind == CREATE else "joined"
                if asn is not None and not any(p.how == how and p.rule == decision.rule for p in decision.placements
                                               if p.written is None and p.dropped is None):
                    decision.placements.append(self._placement(asn, item, how, decision))
                continue
            why = blame(bound, item, extra or [])
            if kind == CREATE:
                if not decision.refusals or decision.skipped:
                    decision.refusals = why
                    decision.skipped = False
            else:
                label = self._asn_label(asn)
                if all(label != known for known, _ in decision.existing):
                    decision.existing.append((label, why))
        decisions = list(by_key.values())
        for decision in decisions:  # an existing association refused it, then it joined another
            if decision.took:
                decision.existing.clear()
                decision.refusals = []
        return decisions

    def _placement(self, asn, item, how: str, decision: RuleDecision) -> Placement:
        filename = item.get("filename")
        member_type = None
        for member in asn.members:
            if member.item is item:
                member_type = member["exptype"]
                break
        written = None
        dropped = None
        for name, _kind, kept in self.written.get(filename, []):
            if kept is asn or kept.serial == asn.serial:
                written = name
                break
        if written is None:
            if asn.serial in self._kept_serials:
                kept = self._kept_serials[asn.serial]
                dropped = f"it was taken out of {kept.asn_name()} when that association was finalized"
            else:
                dropped = self._drop_reason(asn)
        return Placement(decision.rule, decision.context, how, member_type, written, dropped)

    def _drop_reason(self, asn) -> str:
        found = self._drop_cache.get(id(asn))
        if found is None:
            found = f"that association ({self._asn_label(asn)}) was dropped: {drop_reason(asn, self.result)}"
            self._drop_cache[id(asn)] = found
        return found

    @staticmethod
    def _asn_label(asn) -> str:
        acid = asn.acid()[0]
        product = asn.products[-1]["name"] if asn.products else "undefined"
        if product != "undefined":
            return f"#{asn.serial} {asn.data['asn_type']} {acid} {product}"
        return f"#{asn.serial} {asn.bound.asn_rule} {acid}"

    def _orphan_reason(self, filename: str, row: dict, decisions: list[RuleDecision]) -> str:
        if self.recorder is None:
            return cheap_reason(row, self.result)
        return reason_from_decisions(decisions)

    def _membership_events(self, asn):
        started, joined = set(), set()
        if self.recorder is None:
            return started, joined
        filenames = {m.item.get("filename") for p in asn.data["products"] for m in p["members"] if m.item is not None}
        for filename in filenames:
            for kind, _item, _bound, other, matched, _extra in self._events(filename):
                if matched and other is not None and other.serial == asn.serial:
                    (started if kind == CREATE else joined).add(filename)
        return started, joined

    def _member_why(self, asn, filename, member, started, joined) -> str:
        if filename is None:
            return "added when the association was finalized (no pool row of its own)"
        rule = rule_label(asn.bound.asn_rule)
        if filename in started:
            return (f"started the association: it met every condition of {rule} and became its first "
                    f"member, as {member['exptype']}")
        if filename in joined:
            return (f"joined as {member['exptype']}: it shares the association's pinned values "
                    f"and passed the rest of {rule}")
        if self.recorder is None:
            return f"member as {member['exptype']} (run with explanations recorded for details)"
        return f"added as {member['exptype']} when the association was finalized"


def _decision(by_key: dict, bound, item) -> RuleDecision:
    key = (bound.asn_rule, context_label(bound, item))
    found = by_key.get(key)
    if found is None:
        found = by_key[key] = RuleDecision(bound.asn_rule, key[1])
    return found


def static_refusals(bound, item) -> list[Refusal]:
    """Why ``bound`` cannot start an association with ``item``: a check on a scratch association."""
    from .association import Association
    from .engine.constraints import Check

    trace: list = []
    try:
        scratch = Association(bound, None, 0, "explain")
        matched, _ = Check(scratch, {}, trace).run(bound.tree, item)
    except Exception:  # noqa: BLE001 - a classifier may refuse the row outright
        return [Refusal("the rule's conditions", [], "test", None, None)]
    if matched:
        return []
    return blame(bound, item, trace)


def reason_from_decisions(decisions: list[RuleDecision]) -> str:
    """One line for the ``reason`` column: the most telling refusal."""
    for decision in decisions:
        for placement in decision.placements:
            if placement.written is None:
                return f"{decision.context}: {rule_label(decision.rule)} took it, but {placement.dropped}"
    ranked = []
    for position, decision in enumerate(decisions):
        if decision.existing:
            label, why = decision.existing[0]
            ranked.append((3, _furthest(why), -position,
                           f"{decision.context}: the {rule_label(decision.rule)} association {label} "
                           f"refused it: {_join(why[:1])}"))
        if decision.refusals:
            tier = 1 if decision.skipped else 2
            ranked.append((tier, _furthest(decision.refusals), -position,
                           f"no rule took it; closest: {decision.context}: {rule_label(decision.rule)}: "
                           f"{_join(decision.refusals[:1])}"))
    if not ranked:
        return "no rule was tried on it (not in the requested candidates)"
    return max(ranked)[3]


def _furthest(refusals: list[Refusal]) -> int:
    return max((r.position for r in refusals), default=-1)


def cheap_reason(row: dict, result) -> str:
    """A reason computed from the row and the rules alone, without a recorded run."""
    from .registry import Registry, resolve_rule_files

    files = resolve_rule_files(getattr(result, "rule_files", ()), False)
    registry = _cheap_registry(files)
    possible = []
    best = None
    for position, bound in enumerate(registry.rules):
        why = static_refusals(bound, row)
        if not why:
            possible.append(bound.asn_rule)
            continue
        rank = (_furthest(why), -position)
        if best is None or rank > best[0]:
            best = (rank, bound, why)
    if possible:
        names = ", ".join(rule_label(name) for name in possible[:3])
        more = f" and {len(possible) - 3} more" if len(possible) > 3 else ""
        return (f"{names}{more} could start an association with it, but none holding it was written "
                "(dropped as not valid or as a duplicate; asngen explain tells which)")
    if best is None:
        return "no rule applies to it"
    _, bound, why = best
    return f"no rule takes it; closest: {rule_label(bound.asn_rule)}: {_join(why[:1])}"


_REGISTRIES: dict[tuple, Any] = {}


def _cheap_registry(files):
    from .registry import Registry

    key = tuple(f.path for f in files)
    found = _REGISTRIES.get(key)
    if found is None:
        found = _REGISTRIES[key] = Registry(files, None)
    return found


# ---------------------------------------------------------------- entry points


def explain(pool: Any, options=None, *, run=None) -> Explanation:
    """Generate ``pool`` with every decision recorded, and return the explanation model."""
    from .api import _load, generate
    from .generator.loop import RunState
    from .options import GenerateOptions

    options = options or GenerateOptions()
    loaded = _load(pool, options)
    run = run or RunState()
    recorder = Recorder()
    run.recorder = recorder
    result = generate(loaded, options, run=run)
    return Explanation(loaded, result, recorder)


def orphan_reasons(pool_rows, result, recorder: Recorder | None = None, options=None) -> dict[str, str]:
    """filename -> why the row is in no written association, for the rows of ``result.orphans``.

    With the ``recorder`` of the run that made ``result`` the reasons are the
    generator's own decisions; without one they are worked out from each
    orphan row and the rules alone (cheap: only orphans are examined).
    """
    from .pool import Pool

    pool = Pool(columns=[], rows=list(pool_rows))
    if options is not None and options.rules and not hasattr(result, "rule_files"):
        result.rule_files = tuple(options.rules)  # type: ignore[attr-defined]
    return Explanation(pool, result, recorder).orphan_reasons()


class _CallableModule(types.ModuleType):
    """``asngen.explain`` is both this module and the function: importing the
    submodule would otherwise shadow the lazy ``asngen.explain`` export."""

    def __call__(self, *args, **kwargs):
        return explain(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
