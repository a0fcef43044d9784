"""An association while it is being built, and its final data.

The association keeps the state of its rule's constraint tree (what it has
pinned), its members, and the validity tests it has passed.  Its ``data``
dictionary is exactly what is written to the association file, keys in the
reference order.  Values that the reference recomputes on every added member
(product name, ``asn_id``, target) are computed once when generation ends
(``seal``), which gives the same result at a fraction of the cost.
"""

from __future__ import annotations

import sys

from . import __version__
from .engine.check import Check, changed_nothing, settled, states_before, step_of
from .engine.constraints import Reprocess
from .engine.patterns import EMPTY, evaluate_literal
from .member import ABSENT, Member, expname_of, exptype_of, member_name, member_of
from .rules.dms import LEVEL2B_EXPTYPES, column, uses_integrations
from .rules.suffixes import exposure_root, is_bare_name, remove_suffix

DEGRADED_OK = "No known degraded exposures in association."
DEGRADED_NOTOK = (
    "One or more members have an error associated with them."
    "\nDetails can be found in the member.exposerr attribute."
)
PRODUCT_NAME_DEFAULT = "undefined"


class _Level2Data:
    """Its instances lend their ``__dict__`` to Level 2 association data (:func:`key_sharing_dict`)."""


class _Level3Data:
    """The same for Level 3 data (its ``target`` comes before ``asn_pool``)."""


class _ProductLayout:
    """The same for products (``name``, ``members``)."""


def key_sharing_dict(layout: type) -> dict:
    """An empty ``dict`` that stores its keys once for every dict made from ``layout``.

    A run holds every association it builds until the files are written, a
    million of them for a million-row pool, and each is a few small dicts
    with the same keys in the same order.  CPython keeps the keys of the
    instance dictionaries of one class in one shared table (PEP 412), so
    each such dict holds only its values: an association's eleven keys take
    about 250 bytes instead of 540, a product's two 170 instead of 250.  It
    is an ordinary ``dict`` in every other way (a key added out of order, or
    one no other dict has, just makes that dict keep its own table), so
    rule code and the writers see no difference.
    """
    return layout().__dict__


def new_product(name: str, members: list) -> dict:
    """A product entry, ``{"name": name, "members": members}`` (sharing its key table)."""
    product = key_sharing_dict(_ProductLayout)
    product["name"] = name
    product["members"] = members
    return product


#: what every association holds (its slots: see :class:`AssociationBase`)
FIELDS = (
    "bound", "pool_name", "rule", "level", "states", "version_id", "serial", "started",
    "filenames", "member_keys", "validity", "original_exposure_type", "sequence",
    "name_override", "frozen", "index", "closed", "data", "products", "unchanged_by",
    "first_states",
)


class AssociationBase:
    """What every association holds and does (the generator makes :class:`Association` objects).

    Its attributes are slots: a run holds every association until the files
    are written, a million for a million-row pool, and nineteen slots take 64
    bytes less than the same attributes kept by the instance.  Compiled, it is
    a C structure (``association.pxd``): its methods, and the index, read the
    fields directly.  It has no ``__dict__``: a C structure's would be made
    with every association, used or not (64 bytes each); the subclass has one,
    made on first use.
    """

    __slots__ = FIELDS

    def __init__(self, bound, version_id, serial: int, pool_name: str = "in-memory"):
        self.bound = bound
        self.pool_name = pool_name
        self.rule = bound.rule
        self.level = bound.rule.level
        self.states = [None] * bound.nslots
        self.version_id = version_id
        self.serial = serial
        self.started = False
        self.filenames: set[str] = set()
        self.member_keys: set = set()  # (expname, exptype) of the members, to skip duplicates
        self.validity = {name: False for name, _ in self.rule.validity}
        self.original_exposure_type = None
        self.sequence = None
        self.name_override = None
        self.frozen = None  # (product name, asn_id, target) kept from before a skipped duplicate
        self.index = None  # the generator's AssociationIndex, told about new members
        self.closed = False  # holds a science member (cached has_science)
        self.unchanged_by = None  # a row the states took as they were (see add), while rows are added
        # the settled states a new association took from a first row's check, or left for the next
        # ones (see add), until it is settled: the associations holding them share an index bucket
        # and, if no row changed them, the states they settle as
        self.first_states = None
        data = key_sharing_dict(_Level3Data if self.level == 3 else _Level2Data)
        data["asn_type"] = "None"
        data["asn_rule"] = bound.asn_rule
        data["version_id"] = version_id
        data["code_version"] = __version__
        data["degraded_status"] = DEGRADED_OK
        data["program"] = "noprogram"
        data["constraints"] = "No constraints"
        data["asn_id"] = "a3001"
        if self.level == 3:
            data["target"] = "none"
        data["asn_pool"] = "none"
        self.data = data
        self.products: list[dict] = []

    # -- constraint state ----------------------------------------------------
    def node(self, name: str):
        return self.bound.named(name)

    def state_of(self, node) -> list:
        st = self.states[node.slot]
        return st if st is not None else node.initial_state()

    def value_of(self, name: str):
        """The current value of the first constraint called ``name`` (None if absent or a group)."""
        node = self.node(name)
        if node is None or node.kind == "group":
            return None
        return self.state_of(node)[0]

    def found_of(self, name: str) -> list:
        node = self.node(name)
        if node is None:
            raise KeyError(name)
        if node.kind == "group":
            raise AttributeError(name)
        return self.state_of(node)[3]

    def found_or_none(self, name: str):
        """:meth:`found_of`, None where it raises (no constraint called ``name``, or a group):
        product names ask for tests most rules lack, and raising costs as much as a name."""
        node = self.node(name)
        if node is None or node.kind == "group":
            return None
        return self.state_of(node)[3]

    def matched_of(self, name: str) -> bool:
        node = self.node(name)
        return bool(node is not None and node.kind != "group" and self.state_of(node)[4])

    def acid(self) -> tuple[str, str]:
        """(candidate id, candidate type) from the pinned ``asn_candidate``; discovered otherwise."""
        leaf = self.bound.acid_leaf
        if leaf is None:
            return _DISCOVERED
        found = self.state_of(leaf)[3]
        # asked for several times an association (rules' tests, names): remembered by the
        # values found, which the associations of a candidate share
        key = found if type(found) is tuple else tuple(found)
        cache = _ACIDS  # a local: compiled, its type is known (association.pxd)
        known = cache.get(key)
        if known is None:
            known = _acid_of(key)
            if len(cache) >= 50_000:
                cache.clear()
            cache[key] = known
        return known

    # -- classification ------------------------------------------------------
    def exposure_type(self, item) -> str:
        return self.rule.exposure_type(self, item)

    def has_science(self) -> bool:
        return self.closed

    @property
    def members(self) -> list:
        return self.products[-1]["members"] if self.products else []

    def members_by_type(self, member_type: str) -> list:
        member_type = member_type.lower()
        return [member for member in self.members if member["exptype"].lower() == member_type]

    def pinned_tso(self) -> bool:
        node = self.node("is_tso")
        if node is None or node.kind == "group":
            return False
        return self.state_of(node)[0] == "t"

    def use_integrations(self, item) -> bool:
        return uses_integrations(
            item, self.rule.coron_members, self.pinned_tso() if self.level == 2 else False
        )

    # -- adding ----------------------------------------------------------------
    def add(self, item, trace: list | None = None, fresh: bool = False) -> tuple[bool, list]:
        """Try to add a pool row; returns (accepted, reprocess requests).

        ``fresh``: the association is new and is thrown away if the row is
        refused, so nothing needs to be rolled back.

        A row equal, in every column the rule's check reads, to the last row the
        association accepted without changing its states is accepted again without a check:
        the check would follow the same path over the same states (most rows offered to a
        Level 3 association are dithers of the ones it holds).  And a new association whose
        first row equals, in every column such a check reads, the first row of an earlier new
        association of the rule in the pass takes what that check left (see ``_first_row``).
        """
        if column(item, "filename") in self.filenames:
            return True, []
        bound = self.bound
        reads = bound.row_reads
        repeated = self.unchanged_by
        if repeated is not None and trace is None and _agrees(item, reads, repeated[0]):
            journal: dict | None = {}
            matched = True
            reprocess = _requests_again(item, repeated[1])
        else:
            cells = None
            known = None
            if fresh and trace is None and FIRST_ROWS and bound.first_stats is not None:
                cells, known = _first_row(bound, item)
            if known is not None:
                # a row equal to one that started an association of this rule before: the
                # check of a new association would walk the same path to the same states
                journal = None
                matched = known[0]
                if matched:
                    self.states = list(known[1])
                    self.first_states = known[1]
                self.original_exposure_type = known[3]
                reprocess = _requests_again(item, known[2])
            else:
                journal = None if fresh else {}
                check = Check(self, journal, trace)
                step = bound._step  # (what a check of the tree reads first: made once per bound rule)
                if step is None:
                    tree = bound._tree  # (the property makes it on first use: read directly after)
                    step = bound._step = step_of(tree if tree is not None else bound.tree)
                matched, reprocess = check.run_step(step, item)
                if not matched:
                    if journal is not None:
                        check.rollback()
                elif reads is not None and trace is None and REPEATS:
                    self.unchanged_by = _unchanged_by(item, reads, journal, self.states, reprocess)
                if cells is not None:
                    _remember_first_row(bound, cells, matched, self, item, reprocess)
        for request in reprocess:
            if request.rules is None:
                request.rules = [self.bound]
        if matched:
            if not self.started:
                self.start(item)
            self.append(item, journal)
        force = self.bound.force_match
        if force is not None:
            value = self.state_of(force)[0]
            if value is not None:
                matched = value
        return matched, reprocess

    def start(self, item) -> None:
        """First accepted row: fill in the association's identity."""
        self.started = True
        data = self.data
        if self.level == 2:
            data["target"] = column(item, "targetid")
            data["program"] = "{:0>5s}".format(column(item, "program"))
            data["asn_pool"] = self.pool_name
            data["asn_id"] = self.acid()[0]
            data["asn_type"] = self.rule.asn_type
            self.products.append(new_product(PRODUCT_NAME_DEFAULT, []))
        else:
            data["asn_type"] = self.rule.asn_type
            self.products.append(new_product(PRODUCT_NAME_DEFAULT, []))
            data["program"] = "{:0>5s}".format(column(item, "program"))
            data["asn_pool"] = self.pool_name
        data["products"] = self.products

    def make_member(self, item) -> tuple[Member, str]:
        """The member ``item`` becomes, and its file name (which the member makes on reading)."""
        exposerr = item.get("exposerr")
        if self.level == 2:
            integrations = self.use_integrations(item)
            exptype = self.exposure_type(item)
            kept, name = member_name(column(item, "filename"), "rateints" if integrations else "rate")
            return member_of(item, kept, exptype, exposerr), name
        exptype = self.exposure_type(item)
        exp_type = column(item, "exp_type")
        integrations = self.use_integrations(item)
        if exptype == "background":
            suffix = "x1d"
        elif exp_type in LEVEL2B_EXPTYPES:
            suffix = "cal"
        else:
            suffix = "rate"
        if integrations:
            suffix += "ints"
        kept, name = member_name(column(item, "filename"), suffix)
        return member_of(item, kept, exptype, exposerr, column(item, "asn_candidate")), name

    def append(self, item, journal: dict | None) -> None:
        member, name = self.make_member(item)
        members = self.products[-1]["members"]
        key = (name, member.exptype)
        keys = self.member_keys  # (a set while rows are added: compiled, typed, association.pxd)
        if key in keys:
            self._freeze_before(journal)
            return
        keys.add(key)
        if self.level == 2:
            members.append(member)
            self._update_validity(member)
        else:
            self._update_validity(member)
            members.append(member)
        filename = item["filename"]
        filenames = self.filenames  # (as the keys above)
        filenames.add(filename)
        if not self.closed and exptype_of(member).lower() == "science":
            self.closed = True
            if self.index is not None and self.rule.after_science is not None:
                self.index.close(self)
        if self.index is not None:
            self.index.note_member(self, filename)
        self.frozen = None

    def _update_validity(self, member) -> None:
        for name, check in self.rule.validity:
            if not self.validity[name]:
                self.validity[name] = bool(check(self, member))

    def _freeze_before(self, journal: dict | None) -> None:
        """A duplicate member was skipped after its row changed the state: keep the old names."""
        if self.level != 3 or self.frozen is not None or journal is None:
            return
        current = self.states
        self.states = states_before(current, journal)
        try:
            self.frozen = self._level3_identity()
        finally:
            self.states = current

    # -- finishing -----------------------------------------------------------------
    def _level3_identity(self) -> tuple[str, str, str]:
        from .rules.naming import level3_target

        name = self.rule.product_name(self)
        return name, self.acid()[0], level3_target(self)

    def seal(self) -> None:
        """Compute what the reference keeps up to date on every add."""
        data = self.data
        if self.level == 2:
            self.products[-1]["name"] = level2_product_name(self)
        else:
            name, acid, target = self.frozen or self._level3_identity()
            data["asn_id"] = acid
            data["target"] = target
            self.products[-1]["name"] = name
        # one copy of the strings every association of a program or candidate repeats
        data["program"] = sys.intern(data["program"])
        data["asn_id"] = sys.intern(data["asn_id"])
        for product in self.products:
            for member in product["members"]:
                if _degraded(member):
                    data["degraded_status"] = DEGRADED_NOTOK
                    break

    def settle(self, shared: dict, keep_files: bool = False, taken: dict | None = None) -> None:
        """The pass that built this association is over: nothing changes its states again.

        States become tuples shared between associations (``shared`` maps a
        state to its one copy: most associations pin the same program,
        instrument, candidate...), and the member-key set that only guarded
        against duplicates while rows were added goes, and so does the set of
        member file names, unless ``keep_files`` (explanations read it later;
        it is then kept as a tuple, a third of a set's size).  The validity flags are
        shared the same way: only ``append`` changes them, and nothing appends
        to a settled association (a finalizer that splits one clones it, and
        the clone gets its own copy).  On a large pool this is about half the
        memory the associations hold.

        ``taken``, one dict for the associations of a pass settled together,
        remembers what the states a first row's check left (see ``add``)
        settled as: an association still holding them all settles as the
        first one holding them did, without its states compared or hashed.
        """
        # Most states hold the very objects of the state the last association of the same rule
        # settled in the same place (75% of a synthetic pool's): that one is then taken as it
        # is, without a tuple made and hashed to find it.
        recent = shared.get(_RECENT)
        if recent is None:
            recent = shared[_RECENT] = {}
        first = self.first_states
        if first is not None:
            self.first_states = None
            if taken is None or not _same_objects(self.states, first):  # (a row changed one)
                first = None
            else:
                known = taken.get(id(first))
                if known is not None and known[0] is first:
                    self.states = known[1]
                    recent[self.rule] = self.states
                    self._settle_the_rest(shared, keep_files)
                    return
        last = recent.get(self.rule)  # (the rule, not the bound rule: a pass's bound rules go with it)
        if last is not None and len(last) != len(self.states):
            last = None
        states = []
        same = last is not None
        position = 0
        for st in self.states:
            if st is not None:
                before = last[position] if last is not None else None
                if st is before:  # (a tuple taken from a first row's check: see add)
                    pass
                elif before is not None and _same_state(st, before):
                    st = before
                else:
                    same = False
                    if type(st) is list:  # (a tuple is settled already)
                        st = settled(st)
                    try:
                        st = shared.setdefault(st, st)
                    except TypeError:  # a test state holding an unhashable value stays unshared
                        pass
            elif last is not None and last[position] is not None:
                same = False
            states.append(st)
            position += 1
        if same:
            self.states = last
        else:
            # the whole vector is shared too: associations of one rule often end in the same states
            vector = tuple(states)
            try:
                self.states = shared.setdefault(("states", vector), vector)
            except TypeError:
                self.states = vector
        recent[self.rule] = self.states
        if first is not None:
            taken[id(first)] = (first, self.states)
        self._settle_the_rest(shared, keep_files)

    def _settle_the_rest(self, shared: dict, keep_files: bool) -> None:
        """What settling does besides the states (see :meth:`settle`)."""
        self.member_keys = None
        self.filenames = tuple(self.filenames) if keep_files else None
        # lists grown by appending keep room for more (a product list of one has room for
        # four): copies hold just their items, about 30 bytes less an association
        for product in self.products:
            product["members"] = product["members"][:]
        if self.data.get("products") is self.products:
            self.products = self.data["products"] = self.products[:]
        validity = tuple(self.validity.items())
        self.validity = shared.setdefault(("validity", validity), self.validity)

    def describe_constraints(self, texts: dict | None = None, described: dict | None = None) -> None:
        """Fill in the informational ``constraints`` text: what the constraints required at the end.

        Done only for the associations that are kept (most are pruned).
        ``texts`` keeps one copy of each text: associations of one rule and
        observation often end with the same requirements, and the texts are a
        tenth of what a large run's associations hold.  ``described``
        remembers the text of a rule and a state vector by their identities
        (settled associations share equal state vectors), for callers that
        keep both alive while they use it: one table per rule, keyed by the
        vector's identity (a pair as key was 80 bytes more per vector, and a
        large run describes a third of a million vectors at once).
        """
        known = None
        text = None
        if described is not None:
            known = described.get(id(self.bound))
            if known is None:
                known = described[id(self.bound)] = {}
            text = known.get(id(self.states))
        if text is None:
            text = "\n".join(self.bound.describe(self.states))
            if known is not None:
                known[id(self.states)] = text
        self.data["constraints"] = text if texts is None else texts.setdefault(text, text)

    def is_valid(self) -> bool:
        return all(self.validity.values())

    @property
    def asn_id(self) -> str:
        return self.data["asn_id"]

    @property
    def asn_type(self) -> str:
        return self.data["asn_type"]

    @property
    def registry_name(self) -> str:
        return self.bound.registry_name

    @property
    def is_dup(self) -> bool:
        """Renamed ``dup…`` by pruning in debug mode (other names start with ``jw``)."""
        return self.name_override is not None and self.name_override.startswith("dup")

    def asn_name(self) -> str:
        if self.name_override:
            return self.name_override
        data = self.data
        acid = self.acid()[0]
        if self.version_id:
            name = f"jw{data['program']}-{acid}_{self.version_id}_{data['asn_type']}_{self.sequence:05d}_asn"
        else:
            name = f"jw{data['program']}-{acid}_{data['asn_type']}_{self.sequence:05d}_asn"
        return name.lower()

    def clone(self, products: list | None = None) -> Association:
        """A deep copy for splitting (nods): members are copied, pool rows shared.

        ``products``: the twin's products instead of copies of this one's.
        """
        twin = Association.from_fields(self.fields())
        # settled states are tuples, shared (Association.settle); only a live state is copied
        twin.states = [st if st is None or type(st) is tuple else list(st) for st in self.states]
        twin.validity = dict(self.validity)
        twin.filenames = set(self.filenames) if self.filenames is not None else None
        twin.member_keys = set(self.member_keys) if self.member_keys is not None else None
        twin.data = self.data.copy()  # a copy shares the key table too
        twin.products = products if products is not None else [
            new_product(product["name"], [m.copy() for m in product["members"]])
            for product in self.products
        ]
        twin.data["products"] = twin.products
        return twin

    def fields(self) -> dict:
        """Every attribute, by name (the slots, then any added by rule code)."""
        fields = {name: getattr(self, name) for name in FIELDS}
        added = getattr(self, "__dict__", None)
        if added:
            fields.update(added)
        return fields

    @classmethod
    def from_fields(cls, fields) -> Association:
        """An association with these attributes (as :meth:`fields` gives them, or as (name,
        value) pairs), not initialised otherwise."""
        asn = cls.__new__(cls)  # (compiled, the class is a C structure: object.__new__ refuses it)
        for name, value in (fields.items() if isinstance(fields, dict) else fields):
            setattr(asn, name, value)
        return asn


class Association(AssociationBase):
    """One association under construction (see the module docstring).  Rule code may add
    attributes of its own to it (they go to a ``__dict__`` made on first use);
    :meth:`~AssociationBase.fields` and :meth:`~AssociationBase.from_fields` copy both kinds.
    """

    __slots__ = ("__dict__",)


def level2_product_name(asn: Association) -> str:
    """The first science member's product (its name and type read from a member's slots: asked
    of every Level 2 association as it is sealed and again as it is finalized)."""
    for member in asn.members:
        if exptype_of(member).lower() == "science":
            return _exposure_product(expname_of(member))
    return PRODUCT_NAME_DEFAULT


def _exposure_product(expname: str) -> str:
    """A science exposure's Level 2 product name: the member name without extension and suffix
    (its folder kept, if it names one).  A bare file name's root is remembered
    (:func:`~asngen.rules.suffixes.exposure_root`): an exposure is the science of several
    associations (its candidates' and the discovered ones)."""
    if not is_bare_name(expname):
        # a member named with its folder: rare, and pathlib costs a run's start 3 ms
        from pathlib import PurePath

        path = PurePath(expname)
        return remove_suffix(str(path.parent / path.stem))[0]
    return exposure_root(expname)


def _degraded(member) -> bool:
    """Whether ``member`` has an ``exposerr`` that says something: read from the slot of a
    :class:`Member` that holds it (sealing asks it of every member; through the mapping
    protocol that is two method calls)."""
    if type(member) is Member:
        value = member.exposerr
        if value is not ABSENT:
            return value not in EMPTY
    return "exposerr" in member and member["exposerr"] not in EMPTY


#: the key under which ``settle`` keeps, in its ``shared`` table, each rule's last settled states
_RECENT = ("recent states",)


_DISCOVERED = ("a3001", "DISCOVERED")
_ACIDS: dict = {}  # the values an asn_candidate test found -> (candidate id, candidate type)


def _acid_of(found: tuple) -> tuple[str, str]:
    """:meth:`AssociationBase.acid` from the values the candidate test found."""
    text = "-".join(found).replace("\\", "")
    parsed = evaluate_literal(text)
    try:
        acid, ctype = parsed
    except ValueError:  # not a pair: a discovered association, as in the reference
        return _DISCOVERED
    except TypeError:  # not iterable at all: the reference stops here
        from .generator.drivers import MalformedCandidate

        raise MalformedCandidate(None, text) from None
    if isinstance(acid, str) and isinstance(ctype, str):
        return acid, ctype
    from .generator.drivers import MalformedCandidate

    raise MalformedCandidate(None, text)


#: whether an association takes a row again without a check when it agrees with the last one
#: that left its states as they were (off: every row is checked, as the reference does; the
#: files are the same either way)
REPEATS = True

#: a row's cell that is not there, in :func:`_agrees`
_ABSENT_CELL = object()


def _unchanged_by(item: dict, reads: tuple, journal: dict | None, states: list, reprocess) -> tuple | None:
    """What :meth:`AssociationBase.add` keeps of a row just accepted: (its cells in the columns
    ``reads``, what its requests ask), or None if the check changed any state (the journal
    holds the state of each slot it touched as it was before) or made a request other than
    for the row alone (a split of its values)."""
    if journal is None or not changed_nothing(states, journal):
        return None
    asked = []
    for request in reprocess:
        items = request.items
        if type(items) is not list or len(items) != 1 or items[0] is not item:
            return None
        asked.append((request.rules, request.work_over, request.only_on_match, request.trigger))
    cells = []
    for name in reads:
        cells.append(item.get(name, _ABSENT_CELL))
    return tuple(cells), tuple(asked)


#: whether a new association takes the states a check of an equal row left in an earlier new
#: association of the same rule, without a check (off: every first row is checked, as the
#: reference does; the files are the same either way)
FIRST_ROWS = True
#: the most first rows a bound rule remembers (a pass over a whole pool binds each rule once)
FIRST_ROWS_KEPT = 512
#: after this many first rows of a rule's new associations, they are looked up no more if fewer
#: than one in four was found (a Level 3 rule's rows mostly join the association of the first)
FIRST_ROWS_TRIAL = 32

_NOT_KEPT = (None, None)


def _first_row(bound, item: dict) -> tuple:
    """(the cells of ``item`` to remember the check of a new association's first row by, or
    None; what that check left for an equal row before, or None): see ``add``."""
    stats = bound.first_stats  # [rows looked up, rows found, still looking], the rule's
    if not stats[2]:
        return _NOT_KEPT
    cells = _text_cells(item, bound.first_reads)
    if cells is None:
        return _NOT_KEPT
    memo = bound.first_rows
    if memo is None:
        memo = bound.first_rows = {}
    known = memo.get(cells)
    tries = stats[0] + 1
    stats[0] = tries
    if known is not None:
        stats[1] += 1
        return None, known
    if tries >= FIRST_ROWS_TRIAL and stats[1] * 4 < tries:
        stats[2] = False
    if len(memo) >= FIRST_ROWS_KEPT:
        return _NOT_KEPT
    return cells, None


def _text_cells(item: dict, reads: tuple):
    """The cells of ``item`` in the columns ``reads``, or None if one is neither text nor empty
    (a number equal to another of a different type may read differently to a check)."""
    cells = []
    for name in reads:
        cell = item.get(name, _ABSENT_CELL)
        if cell is not None and type(cell) is not str and cell is not _ABSENT_CELL:
            return None
        cells.append(cell)
    return tuple(cells)


def _remember_first_row(bound, cells: tuple, matched: bool, asn, item: dict, reprocess: list) -> None:
    """Keep what the check of a new association's first row left (see ``add``): the outcome,
    the states as settled tuples (which the association takes too: settling would make them
    anyway), the requests (when they ask for the row alone) and what the rule's classifier
    noted."""
    asked = []
    for request in reprocess:
        items = request.items
        if type(items) is not list or len(items) != 1 or items[0] is not item:
            return
        asked.append((request.rules, request.work_over, request.only_on_match, request.trigger))
    vector = None
    if matched:  # (a refused row's association is dropped: its states are not needed)
        states = []
        for st in asn.states:
            states.append(None if st is None else settled(st))
        vector = tuple(states)
        asn.states = states
        asn.first_states = vector
    bound.first_rows[cells] = (matched, vector, tuple(asked), asn.original_exposure_type)


def _agrees(item: dict, reads: tuple, cells: tuple) -> bool:
    """Whether ``item`` holds ``cells`` in the columns ``reads``: the same objects, or equal
    text (other equal values may differ to a check: ``1`` and ``1.0`` print differently)."""
    position = 0
    for name in reads:
        cell = item.get(name, _ABSENT_CELL)
        kept = cells[position]
        position += 1
        if cell is not kept and not (type(cell) is str and type(kept) is str and cell == kept):
            return False
    return True


def _requests_again(item: dict, asked: tuple) -> list:
    """The requests a check made for an earlier row (as :func:`_unchanged_by` kept them),
    made again for ``item``."""
    requests = []
    for rules, work_over, only_on_match, trigger in asked:
        requests.append(Reprocess([item], rules, work_over, only_on_match, trigger))
    return requests


def _same_objects(left, right) -> bool:
    """Whether two sequences hold the very same objects, position by position."""
    if len(left) != len(right):
        return False
    for position in range(len(left)):
        if left[position] is not right[position]:
            return False
    return True


def _same_state(live, settled: tuple) -> bool:
    """Whether a state (a list still being changed, or a tuple a first row's check left) holds
    the very objects of a settled one (which is then equal to it: settling it would find that
    one)."""
    if (live[0] is not settled[0] or live[1] is not settled[1] or live[2] is not settled[2]
            or live[4] is not settled[4] or live[5] is not settled[5]):
        return False
    return _same_objects(live[3], settled[3])
