"""A member of an association: one exposure entry of a product.

A run holds every association it builds until the files are written, and
most of what an association holds is its members: three on average, a
million associations for a million-row pool.  As a ``dict`` (a subclass
with room for the pool row) a member took about 200 bytes; nearly every
member has the same three or four keys, in the same order (``expname``,
``exptype``, ``exposerr``, then ``asn_candidate`` at Level 3), so
:class:`Member` keeps those in fixed slots (about 80 bytes) and behaves as
a mutable mapping in every other way: rule code reads and writes
``member["exptype"]``, adds keys of its own, copies and compares members
as before, and the writers see the same keys in the same order.

The order is the one a dict would have.  Keys other than the four above
live in a small dict of their own after them; a change that a fixed order
cannot express (one of the four added after such a key, or after a later
one of the four) moves every key into that dict, in the order a dict
would hold them.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from .records import RecordView

#: the keys kept in slots, in the order they are written
SLOTTED = ("expname", "exptype", "exposerr", "asn_candidate")


class _Absent:
    """Marks a slotted key the member does not have (``None`` is a value members hold)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"


ABSENT = _Absent()


class Member(MutableMapping):
    """A member entry; ``item`` is the pool row it came from (not written).

    Once the generator is done with a row, the members it became keep its
    pool record instead of its dict (a third of the size, and shared by all
    of them: see :mod:`asngen.records`); ``item`` then reads the record
    through a :class:`~asngen.records.RecordView`.
    """

    __slots__ = ("expname", "exptype", "exposerr", "asn_candidate", "row", "others")

    def __init__(self, data=(), item=None) -> None:
        self.expname = self.exptype = self.exposerr = self.asn_candidate = ABSENT
        self.others = None
        self.row = item
        pairs = data.items() if isinstance(data, Mapping) else data
        for key, value in pairs:
            self[key] = value

    # -- the pool row --------------------------------------------------------
    @property
    def item(self):
        row = self.row
        return RecordView(row) if row.__class__ is tuple else row

    @item.setter
    def item(self, item) -> None:
        self.row = item

    # -- mapping -------------------------------------------------------------
    def _lookup(self, key):
        """The value of ``key``, or ABSENT."""
        if key == "expname":
            value = self.expname
        elif key == "exptype":
            value = self.exptype
        elif key == "exposerr":
            value = self.exposerr
        elif key == "asn_candidate":
            value = self.asn_candidate
        else:
            value = ABSENT
        if value is ABSENT:
            others = self.others
            if others is not None:
                return others.get(key, ABSENT)
        return value

    def __getitem__(self, key):
        value = self._lookup(key)
        if value is ABSENT:
            raise KeyError(key)
        return value

    def get(self, key, default=None):
        value = self._lookup(key)
        return default if value is ABSENT else value

    def __contains__(self, key) -> bool:
        return self._lookup(key) is not ABSENT

    def __setitem__(self, key, value) -> None:
        others = self.others
        if key in SLOTTED and (others is None or key not in others):
            later = SLOTTED[SLOTTED.index(key) + 1:]
            if getattr(self, key) is not ABSENT or (
                not others and all(getattr(self, name) is ABSENT for name in later)
            ):
                setattr(self, key, value)
                return
            others = self._spill()
        elif others is None:
            others = self.others = {}
        others[key] = value

    def __delitem__(self, key) -> None:
        if key in SLOTTED and getattr(self, key) is not ABSENT:
            setattr(self, key, ABSENT)
            return
        if self.others is None or key not in self.others:
            raise KeyError(key)
        del self.others[key]

    def __iter__(self):
        for name in SLOTTED:
            if getattr(self, name) is not ABSENT:
                yield name
        if self.others:
            yield from self.others

    def __len__(self) -> int:
        count = sum(1 for name in SLOTTED if getattr(self, name) is not ABSENT)
        return count + (len(self.others) if self.others else 0)

    def _spill(self) -> dict:
        """Move every key into ``others``, in the current order (see the module docstring)."""
        spilled = {}
        for name in SLOTTED:
            value = getattr(self, name)
            if value is not ABSENT:
                spilled[name] = value
                setattr(self, name, ABSENT)
        if self.others:
            spilled.update(self.others)
        self.others = spilled
        return spilled

    # -- what a dict offers besides --------------------------------------------
    def copy(self) -> Member:
        twin = member_of(self.row, self.expname, self.exptype, self.exposerr, self.asn_candidate)
        if self.others:
            twin.others = dict(self.others)
        return twin

    def __eq__(self, other) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return dict(self.items()) == dict(other.items())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __reduce__(self):
        return Member, (list(self.items()), self.row)


def member_of(row, expname: str, exptype: str, exposerr, asn_candidate=ABSENT) -> Member:
    """A generated member: the three (Level 2) or four (Level 3) keys every one has."""
    member = Member.__new__(Member)
    member.expname = expname
    member.exptype = exptype
    member.exposerr = exposerr
    member.asn_candidate = asn_candidate
    member.others = None
    member.row = row
    return member
