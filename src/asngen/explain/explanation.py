"""A recorded run, questioned: the model behind ``asngen explain``, ``--save-orphans``
and the HTML report."""

from __future__ import annotations

import re
from typing import Any

from .answers import (
    AssociationExplanation,
    ExposureExplanation,
    MemberWhy,
    Placement,
    RuleDecision,
    cheap_reason,
    reason_from_decisions,
)
from .recorder import CREATE, SKIP, Recorder
from .refusals import (
    blame,
    context_label,
    guard_mismatch,
    pinned_values,
    rule_is_for,
    static_refusals,
)

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
        from ..registry import Registry, resolve_rule_files

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
