"""Recording the generator's decisions, cheaply.

The generator calls a :class:`Recorder` (when one is set on its ``RunState``)
for every decision it takes: a row offered to an existing association, a
row tried as the start of a new one, a rule skipped because the row alone
rules it out.  The recorder only keeps references (rows, rules, traces);
sentences are made afterwards (:mod:`asngen.explain.refusals`) and only for
what someone asks about, so recording a 10,000-row pool stays cheap, and a
run without a recorder pays nothing at all.
"""

from __future__ import annotations

from typing import Any

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
