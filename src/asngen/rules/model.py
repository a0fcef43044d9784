"""What a rule is: a named, declarative bundle of everything one rule does.

A :class:`Rule` says which exposures it accepts (its constraint tree), what
kind of association it builds (level, ``asn_type``), how it classifies
members, how it names its product, which validity tests the association
must pass, and what happens to it at the end (finalize).  Rule files are
plain modules that list their rules in ``RULES`` and may offer a
``FINALIZE`` callback; nothing else is needed to add a rule.
"""

from __future__ import annotations

from .._collection_types import Callable
from ..engine.constraints import Node

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from typing import Any


#: the candidate types a rule that ``needs_candidate`` can be valid for (Level 2)
LEVEL2_CANDIDATE_TYPES = ("observation", "background")


def drops_invalid(finalize: Callable) -> Callable:
    """Declare that ``finalize`` returns nothing for an association that is not valid.

    Whatever else a finalize function does (split nods, prune imprints), when
    it is known to drop every invalid association the generator can let such
    associations go as soon as their pass is over, instead of holding them
    until finalization (a third of all associations on large pools).
    """
    finalize.drops_invalid = True
    return finalize


def fails_on(row_test: Callable[[Any], bool], reads: tuple[str, ...]) -> Callable[[Callable], Callable]:
    """Declare that ``finalize`` may stop the run, valid association or not, when one of its
    members is a row for which ``row_test`` is true (``reads``: the columns the test reads;
    it is given a dict of those, and asked once per distinct combination of their values).

    Such a finalize does work before it looks at validity, as the
    reference's does (the WFSS rules name the direct image's Level 3
    product first, and a direct image without the values of its name stops
    the reference with an error).  On a pool holding such a row, the
    generator then builds and finalizes every association of the rule, as
    the reference does, instead of leaving out the ones that would be
    dropped as invalid (see :mod:`asngen.generator.early_drop`).
    """

    def mark(finalize: Callable) -> Callable:
        finalize.fails_on = (row_test, tuple(reads))
        return finalize

    return mark


def only_for_candidates(accepts: Callable[[str], bool]) -> Callable[[Callable], Callable]:
    """Declare that a validity check can pass only when ``accepts(candidate type)`` is true.

    The type is the association's candidate type in lower case
    (``discovered`` when it has no candidate).  Where a check says a pass's
    candidate can never make its rule valid, the generator need not run the
    rule there at all (see :meth:`Rule.can_be_valid_for`); ``accepts`` must
    return True when unsure.
    """

    def mark(check: Callable) -> Callable:
        check.accepts_candidate = accepts
        return check

    return mark


def requires_science(check: Callable) -> Callable:
    """Declare that a validity check passes only for a member whose ``exptype`` is science
    (see :attr:`Rule.needs_science`)."""
    check.requires_science = True
    return check


def finalizes_level(level: int) -> Callable[[Callable], Callable]:
    """Declare that a rule file's ``FINALIZE`` callback hands every association of ``level``
    to its rule's own finalize before anything else looks at it, and leaves other levels alone."""

    def mark(callback: Callable) -> Callable:
        callback.finalized_level = level
        return callback

    return mark


@drops_invalid
def _no_finalize(asn) -> list | None:
    return [asn] if asn.is_valid() else None


class Rule:
    """One association rule.

    ``constraints`` is a zero-argument function returning a fresh constraint
    tree (trees hold per-rule slot numbers, so every registry builds its own).
    ``coron_members``: False when members never get the coronagraphic "ints"
    suffix.  ``after_science``: once the association holds a science member,
    only rows for which this returns True can still join (None: no such
    knowledge); it must return True when unsure.  ``may_be_science(row)``:
    False only for a row the rule can never make a science member, in any
    association (it must return True when unsure, and read the row's own
    cells, not ``asn_candidate``, which a pass overwrites); a pass none of
    whose rows may be science need not run a rule whose validity requires a
    science member (see :func:`requires_science`).  ``needs_candidate``: never
    valid unless built for an observation or background candidate (Level 2).

    A rule does not change once made (assigning an attribute raises), and two
    rules are equal only if they are the same object.
    """

    __slots__ = (
        "name", "level", "asn_type", "constraints", "exposure_type", "product_name", "validity",
        "finalize", "coron_members", "after_science", "needs_candidate", "may_be_science", "doc", "extra",
    )

    def __init__(
        self, name: str, level: int, asn_type: str, constraints: Callable[[], Node],
        exposure_type: Callable[[Any, dict], str], product_name: Callable[[Any], str] | None = None,
        validity: tuple[tuple[str, Callable[[Any, dict], bool]], ...] = (),
        finalize: Callable[[Any], list | None] = _no_finalize, coron_members: bool = True,
        after_science: Callable[[dict], bool] | None = None, needs_candidate: bool = False,
        may_be_science: Callable[[Any], bool] | None = None, doc: str = "", extra: dict | None = None,
    ) -> None:
        values = (
            name, level, asn_type, constraints, exposure_type, product_name, validity, finalize,
            coron_members, after_science, needs_candidate, may_be_science, doc, {} if extra is None else extra,
        )
        for slot, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, slot, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a rule cannot be changed (cannot assign {name!r} of {self!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a rule cannot be changed (cannot delete {name!r} of {self!r})")

    def can_be_valid_for(self, ctype: str) -> bool:
        """False when an association of this rule whose candidate has type ``ctype`` is never
        valid: the rule ``needs_candidate`` and that is neither an observation nor a background
        candidate, or one of its validity checks says so (see :func:`only_for_candidates`)."""
        ctype = ctype.lower()
        if self.needs_candidate and ctype not in LEVEL2_CANDIDATE_TYPES:
            return False
        for _, check in self.validity:
            accepts = getattr(check, "accepts_candidate", None)
            if accepts is not None and not accepts(ctype):
                return False
        return True

    @property
    def needs_science(self) -> bool:
        """Valid only with a science member: one of its validity checks is marked with
        :func:`requires_science`."""
        return any(getattr(check, "requires_science", False) for _, check in self.validity)

    @property
    def drops_invalid(self) -> bool:
        """Its finalize drops invalid associations (see :func:`drops_invalid`)."""
        return getattr(self.finalize, "drops_invalid", False)

    @property
    def may_fail_on(self) -> tuple[Callable[[Any], bool], tuple[str, ...]] | None:
        """The row test of :func:`fails_on` its finalize was marked with, and the columns it
        reads (None: none)."""
        return getattr(self.finalize, "fails_on", None)

    def __repr__(self) -> str:
        return f"Rule({self.name})"
