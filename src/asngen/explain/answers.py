"""The answers to "why": one exposure, one association, one orphan.

Every answer has ``lines()`` (or ``sentences()``) for people and
``to_dict()`` for programs.  An orphan's one-line reason is the most telling
of the decisions about it (:func:`reason_from_decisions`), or, without a
recorded run, what the rules alone say about its row (:func:`cheap_reason`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .refusals import Refusal, rule_is_for, static_refusals


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
