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

A generated member's ``expname`` is its row's file name with ``_uncal``
renamed to the product it stands for (``_rate``, ``_cal``...).  Kept as a
string, those names were the largest part of the members: about 90 bytes
each, two million of them for a million-row pool.  A member made by the
rules keeps only the suffix (a :class:`RenamedFile`, one per suffix) and
makes the name again from its row when it is read, which is rarely once
generation is over (pruning, writing).
"""

from __future__ import annotations

from ._collection_types import ItemsView, KeysView, Mapping, MutableMapping, ValuesView
from .records import RecordView, cell

#: the keys kept in slots, in the order they are written
SLOTTED = ("expname", "exptype", "exposerr", "asn_candidate")


class _Absent:
    """Marks a slotted key the member does not have (``None`` is a value members hold)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"

    def __reduce__(self) -> str:
        return "ABSENT"  # unpickled as this module's one ABSENT


ABSENT = _Absent()

_UNCAL_PATTERN = r"(?P<path>.+)(?P<type>_uncal)(?P<extension>\..+)"  # compiled when first needed
_RENAMED: dict[str, dict[str, str]] = {}  # suffix -> file name -> renamed (no key tuple per name)
#: names remembered per suffix at most: a row's members are made, and read, while the
#: row is taken, so a small table answers nearly every repeat, and one of every name
#: would hold the strings that members keep as suffixes (RenamedFile)
_RENAMED_LIMIT = 20_000


def rename_uncal(filename: str, suffix: str) -> str:
    """``x_uncal.fits`` -> ``x_<suffix>.fits``; other names unchanged.

    Remembered while the passes run: an exposure is a member of several
    associations (Level 2, Level 3, candidate and discovered ones), and a
    member reads its name again while its association is built.
    """
    renamed = _RENAMED  # a local: compiled, its type is known (member.pxd): C look-ups
    names = renamed.get(suffix)
    if names is None:
        names = renamed[suffix] = {}
    name = names.get(filename)
    if name is None:
        name = _renamed(filename, suffix)
        if len(names) >= _RENAMED_LIMIT:
            names.clear()
        names[filename] = name
    return name


def _renamed(filename: str, suffix: str) -> str:
    # The pattern takes the last "_uncal." with something before it and after the dot.
    # Found with rfind when that occurrence qualifies (a name read after the passes is made
    # again each time it is read, and this takes half the time of the pattern); the
    # pattern decides the rest (an earlier occurrence, a line break the pattern stops at).
    # A str subclass (a caller's numpy str_) is read as its text: compiled, the name is a
    # plain str (member.pxd).
    name = filename if type(filename) is str else str(filename)
    at = name.rfind("_uncal.")
    if at < 0:
        return name
    if at > 0 and len(name) > at + 7 and "\n" not in name:
        return f"{name[:at]}_{suffix}{name[at + 6:]}"
    import re  # (only here: importing it costs a run's start 3 ms)

    match = re.match(_UNCAL_PATTERN, name)
    if match is None:
        return name
    return f"{match.group('path')}_{suffix}{match.group('extension')}"


def forget_renamed(unless_fewer_than: int = 0) -> None:
    """Let go of :func:`rename_uncal`'s table once a run's passes have made their members.

    Members keep suffixes, not names (:class:`RenamedFile`); the table
    (about 110 bytes a name with its string, two million names for a
    million-row pool) is then free for finalization, which comes at the
    peak of a large run, to reuse.  A name read later is made again.
    A table of fewer than ``unless_fewer_than`` names is kept: it costs
    little, and finalizing and writing read every name again (making them
    again was 1% of mega_pool's run).
    """
    if sum(map(len, _RENAMED.values())) >= unless_fewer_than:
        _RENAMED.clear()


def names_remembered() -> bool:
    """Whether :func:`rename_uncal`'s table still holds the names (see :func:`forget_renamed`):
    a generated member's name is then a look-up, not made again."""
    return bool(_RENAMED)


class RenamedFile:
    """The ``expname`` of a generated member, as the suffix its row's file name is given."""

    __slots__ = ("suffix",)

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix

    def name_for(self, row) -> str:
        filename = cell(row, "filename") if type(row) is tuple else row["filename"]
        renamed = _RENAMED  # (as in rename_uncal)
        names = renamed.get(self.suffix)
        if names is not None:
            name = names.get(filename)
            if name is not None:
                return name
        return _renamed(filename, self.suffix)  # not remembered: the passes are over

    def digest_for(self, row) -> int:
        """:func:`text_digest` of :meth:`name_for`, made without the name where it can be."""
        filename = cell(row, "filename") if type(row) is tuple else row["filename"]
        name = filename if type(filename) is str else str(filename)
        at = name.rfind("_uncal.")
        if at < 0:
            return text_digest(name)
        if at > 0 and len(name) > at + 7 and "\n" not in name:  # (as _renamed cuts it)
            return _digest_renamed(name, at, self.suffix)
        return text_digest(_renamed(filename, self.suffix))

    def __repr__(self) -> str:
        return f"RenamedFile({self.suffix!r})"

    def __reduce__(self):
        return renamed_file, (self.suffix,)


_RENAMED_FILES: dict[str, RenamedFile] = {}


def renamed_file(suffix: str) -> RenamedFile:
    """The one :class:`RenamedFile` for ``suffix``."""
    markers = _RENAMED_FILES  # (a typed local, as in rename_uncal)
    marker = markers.get(suffix)
    if marker is None:
        marker = markers[suffix] = RenamedFile(suffix)
    return marker


def member_name(filename: str, suffix: str) -> tuple:
    """(what a generated member keeps as its ``expname``, the name): the file name itself
    when the suffix leaves it unchanged (the pool holds that string anyway), else the suffix."""
    name = rename_uncal(filename, suffix)
    return (filename if name == filename else renamed_file(suffix)), name


class Member:
    """A member entry; ``item`` is the pool row it came from (not written).

    Once the generator is done with a row, the members it became keep its
    pool record instead of its dict (a third of the size, and shared by all
    of them: see :mod:`asngen.records`); ``item`` then reads the record
    through a :class:`~asngen.records.RecordView`.

    A registered :class:`~collections.abc.MutableMapping` with every method
    of one written out here, rather than a subclass: compiled, a member is
    then a C structure (member.pxd) whose slots the generator, pruning and
    the JSON writer read directly, about a million times for 10,000 rows.
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
        return RecordView(row) if type(row) is tuple else row

    @item.setter
    def item(self, item) -> None:
        self.row = item

    # -- mapping -------------------------------------------------------------
    def _lookup(self, key):
        """The value of ``key``, or ABSENT."""
        if key == "expname":
            value = self.expname
            if type(value) is RenamedFile:
                return value.name_for(self.row)
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
        if key == "exptype":  # what rules read most (validity, science or not): read directly
            value = self.exptype
            if value is not ABSENT:
                return value
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
                spilled[name] = self._lookup(name)
                setattr(self, name, ABSENT)
        if self.others:
            spilled.update(self.others)
        self.others = spilled
        return spilled

    def pairs(self) -> list:
        """``list(self.items())``, read straight from the slots.

        The JSON writer reads a member this way when it has keys of its
        own or values that are not text (the others it reads slot by
        slot); the mapping protocol (``__iter__``, then ``__getitem__``
        per key) was half of the time spent making the JSON text.
        """
        found = []
        value = self.expname
        if value is not ABSENT:
            found.append(("expname", value.name_for(self.row) if type(value) is RenamedFile else value))
        if self.exptype is not ABSENT:
            found.append(("exptype", self.exptype))
        if self.exposerr is not ABSENT:
            found.append(("exposerr", self.exposerr))
        if self.asn_candidate is not ABSENT:
            found.append(("asn_candidate", self.asn_candidate))
        if self.others:
            found.extend(self.others.items())
        return found

    # -- the rest of a mutable mapping (what MutableMapping's mixins would give) --
    def keys(self) -> KeysView:
        return KeysView(self)

    def items(self) -> ItemsView:
        return ItemsView(self)

    def values(self) -> ValuesView:
        return ValuesView(self)

    def pop(self, key, default=ABSENT):
        value = self._lookup(key)
        if value is ABSENT:
            if default is ABSENT:
                raise KeyError(key)
            return default
        del self[key]
        return value

    def popitem(self) -> tuple:
        for key in self:
            value = self[key]
            del self[key]
            return key, value
        raise KeyError("popitem(): the member is empty")

    def clear(self) -> None:
        for key in list(self):
            del self[key]

    def update(self, other=(), /, **more) -> None:
        if isinstance(other, Mapping) or hasattr(other, "keys"):
            for key in other.keys():
                self[key] = other[key]
        else:
            for key, value in other:
                self[key] = value
        for key, value in more.items():
            self[key] = value

    def setdefault(self, key, default=None):
        value = self._lookup(key)
        if value is ABSENT:
            self[key] = default
            return default
        return value

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

    def __ne__(self, other) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __reduce__(self):
        # names as kept, not as read: a worker pickles members whose row is a position;
        # a generated member (slots only) is rebuilt by member_of, without a key-by-key init
        if not self.others:
            return member_of, (self.row, self.expname, self.exptype, self.exposerr, self.asn_candidate)
        pairs = [(name, getattr(self, name)) for name in SLOTTED if getattr(self, name) is not ABSENT]
        return Member, (pairs + list(self.others.items()), self.row)


MutableMapping.register(Member)


def expname_of(member) -> str:
    """``member["expname"]``, read from a :class:`Member`'s slot when it holds the key.

    Pruning reads the name and type of every member of every association it
    compares; through the mapping protocol each read is a method call and a
    key test (about 1,800 instructions: 13 million on mega_pool).
    """
    if type(member) is Member:
        own = member  # (compiled, typed: its slots are C fields)
        name = own.expname
        if name is not ABSENT:  # (a slot that holds a value holds the key's)
            if type(name) is RenamedFile:
                marker = name  # (compiled, typed: its name_for is a C call)
                return marker.name_for(own.row)
            return name
    return member["expname"]


def same_member(left, right) -> bool:
    """True when two generated members have equal names and types, told without making
    the names: both name the same string, or both rename the same pool row with the same
    marker.  False says nothing (the same name may come from two rows).

    The association a candidate pass and the discover pass both build from the same
    rows holds such members in the same order: pruning tells the two apart by this
    instead of making every name of both.
    """
    if type(left) is not Member or type(right) is not Member:
        return False
    one = left  # (compiled, typed: its slots are C fields)
    other = right
    kind = one.exptype
    if kind is ABSENT or other.exptype is ABSENT or kind != other.exptype:
        return False
    name = one.expname
    other_name = other.expname
    if type(name) is RenamedFile:
        return name is other_name and one.row is other.row
    return type(name) is str and type(other_name) is str and name == other_name


#: 64-bit FNV-1a over a text's code points (see text_digest)
_DIGEST_START = 0xCBF29CE484222325
_DIGEST_PRIME = 0x100000001B3
_DIGEST_MASK = 0xFFFFFFFFFFFFFFFF


def text_digest(text: str) -> int:
    """A 64-bit digest of ``text`` (FNV-1a over its code points).  Unlike ``hash``, it can
    be made piece by piece: a generated member's name has one (:func:`expname_digest`)
    without the name being made.  (Compiled: C arithmetic on 64 bits.)"""
    digest = _DIGEST_START
    for character in text:
        digest = ((digest ^ ord(character)) * _DIGEST_PRIME) & _DIGEST_MASK
    return digest


def _digest_renamed(name: str, at: int, suffix: str) -> int:
    """:func:`text_digest` of ``name`` with the ``_uncal`` at ``at`` made ``_<suffix>``."""
    digest = _DIGEST_START
    position = 0
    for character in name:
        if position == at:
            digest = ((digest ^ 95) * _DIGEST_PRIME) & _DIGEST_MASK  # ("_")
            for kept in suffix:
                digest = ((digest ^ ord(kept)) * _DIGEST_PRIME) & _DIGEST_MASK
        if position < at or position >= at + 6:
            digest = ((digest ^ ord(character)) * _DIGEST_PRIME) & _DIGEST_MASK
        position += 1
    return digest


def expname_digest(member) -> int | None:
    """:func:`text_digest` of ``member["expname"]`` (None when the name is not text), made
    without the name for a generated member: pruning compares every member of most
    associations, and making a name costs several times its digest."""
    name = ABSENT
    if type(member) is Member:
        own = member  # (as in expname_of)
        name = own.expname
        if type(name) is RenamedFile:
            marker = name
            return marker.digest_for(own.row)
    if name is ABSENT:
        name = member["expname"]
    return text_digest(str.__str__(name)) if isinstance(name, str) else None


def exptype_of(member) -> str:
    """``member["exptype"]``, read as :func:`expname_of` reads the name."""
    if type(member) is Member:
        own = member  # (as in expname_of)
        kind = own.exptype
        if kind is not ABSENT:
            return kind
    return member["exptype"]


def member_of(row, expname, exptype: str, exposerr, asn_candidate=ABSENT) -> Member:
    """A generated member: the three (Level 2) or four (Level 3) keys every one has
    (``expname``: a name, or a :class:`RenamedFile` that makes it from ``row``)."""
    member = Member.__new__(Member)
    member.expname = expname
    member.exptype = exptype
    member.exposerr = exposerr
    member.asn_candidate = asn_candidate
    member.others = None
    member.row = row
    return member
