"""What a rule is: a named, declarative bundle of everything one rule does.

A :class:`Rule` says which exposures it accepts (its constraint tree), what
kind of association it builds (level, ``asn_type``), how it classifies
members, how it names its product, which validity tests the association
must pass, and what happens to it at the end (finalize).  Rule files are
plain modules that list their rules in ``RULES`` and may offer a
``FINALIZE`` callback; nothing else is needed to add a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..engine.constraints import Node


def drops_invalid(finalize: Callable) -> Callable:
    """Declare that ``finalize`` returns nothing for an association that is not valid.

    Whatever else a finalize function does (split nods, prune imprints), when
    it is known to drop every invalid association the generator can let such
    associations go as soon as their pass is over, instead of holding them
    until finalization (a third of all associations on large pools).
    """
    finalize.drops_invalid = True
    return finalize


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


@dataclass(frozen=True, eq=False)
class Rule:
    """One association rule.

    ``constraints`` is a zero-argument function returning a fresh constraint
    tree (trees hold per-rule slot numbers, so every registry builds its own).
    """

    name: str
    level: int
    asn_type: str
    constraints: Callable[[], Node]
    exposure_type: Callable[[Any, dict], str]
    product_name: Callable[[Any], str] | None = None
    validity: tuple[tuple[str, Callable[[Any, dict], bool]], ...] = ()
    finalize: Callable[[Any], list | None] = _no_finalize
    coron_members: bool = True  # False: members never get the coronagraphic "ints" suffix
    #: once the association holds a science member, only rows for which this returns True
    #: can still join (None: no such knowledge).  Must return True when unsure.
    after_science: Callable[[dict], bool] | None = None
    #: never valid unless built for an observation/background candidate (Level 2)
    needs_candidate: bool = False
    doc: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def drops_invalid(self) -> bool:
        """Its finalize drops invalid associations (see :func:`drops_invalid`)."""
        return getattr(self.finalize, "drops_invalid", False)

    def __repr__(self) -> str:
        return f"Rule({self.name})"
