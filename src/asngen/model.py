"""Associations as objects for programs: :class:`Association` and :func:`load_asn`.

An association file is plain JSON data; programs mostly want to ask it
simple questions (which products, which members, what level) and change it
a little.  :class:`Association` is a thin, explicit view over that data: the
dict stays the single source of truth, the accessors read and write it in
place, and :meth:`Association.to_json` writes it back in the exact layout the
pipeline uses, key order included.
"""

from __future__ import annotations

from pathlib import Path

from . import asn_io
from ._collection_types import Iterator, Mapping
from .errors import AssociationFileError

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from typing import IO, Any

LEVEL2_TYPES = frozenset({"image2", "tso-image2", "spec2", "tso-spec2", "nrslamp-spec2"})
LEVEL3_TYPES = frozenset({"image3", "ami3", "coron3", "spec3", "tso3", "wfs-image3"})


def guess_level(data: Mapping[str, Any]) -> int:
    """2 or 3: the processing level an association's data is for.

    Files do not state their level, so it is inferred from, in turn: the
    association type (``image2``, ``spec3``, ...), the rule name
    (``..._Lv2...``, ``DMSLevel2bBase``, ``DMS_Level3_Base``), the key order
    the generator uses (Level 2 writes ``asn_pool`` before ``target``; the
    Level 2 files of ``from-list`` have no ``target`` at all) and finally the
    product count (only Level 2 has several products).  Anything still
    undecided is Level 3, whose schema is the stricter one.
    """
    asn_type = data.get("asn_type")
    if isinstance(asn_type, str):
        lowered = asn_type.lower()
        if lowered in LEVEL2_TYPES:
            return 2
        if lowered in LEVEL3_TYPES:
            return 3
    rule = data.get("asn_rule")
    if isinstance(rule, str):
        if "Lv2" in rule or "Level2" in rule:
            return 2
        if "Lv3" in rule or "Level3" in rule:
            return 3
    keys = list(data)
    if "asn_pool" in keys:
        if "target" not in keys:
            return 2
        return 2 if keys.index("asn_pool") < keys.index("target") else 3
    products = data.get("products")
    if isinstance(products, list) and len(products) > 1:
        return 2
    return 3


class Member:
    """One input of a product: a view over its member dict."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @property
    def expname(self) -> str:
        return self.data.get("expname", "")

    @expname.setter
    def expname(self, value: str) -> None:
        self.data["expname"] = value

    @property
    def exptype(self) -> str:
        return self.data.get("exptype", "")

    @exptype.setter
    def exptype(self, value: str) -> None:
        self.data["exptype"] = value

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __repr__(self) -> str:
        return f"Member({self.expname!r}, {self.exptype!r})"


class Product:
    """One output of an association: a view over its product dict."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @property
    def name(self) -> str:
        return self.data.get("name", "")

    @name.setter
    def name(self, value: str) -> None:
        self.data["name"] = value

    @property
    def members(self) -> list[Member]:
        return [Member(member) for member in self.data.get("members", [])]

    def expnames(self) -> list[str]:
        return [member.expname for member in self.members]

    def add(self, expname: str, exptype: str = "science") -> Member:
        """Append a member (only ``expname`` and ``exptype``, as the tools write them)."""
        member = {"expname": expname, "exptype": exptype}
        self.data.setdefault("members", []).append(member)
        return Member(member)

    def __repr__(self) -> str:
        return f"Product({self.name!r}, {len(self.data.get('members', []))} members)"


class Association:
    """An association file's data with convenient accessors.

    ``data`` is the plain dict (not a copy): changes made through the
    accessors are changes to it, and ``to_json()`` serializes it as is.
    ``source`` is where it was read from, when known, for messages.
    """

    def __init__(self, data: dict[str, Any], *, source: str | None = None) -> None:
        if not isinstance(data, dict):
            raise AssociationFileError("an association must be a mapping at top level", file=source)
        self.data = data
        self.source = source

    # -- what it is ---------------------------------------------------------
    @property
    def level(self) -> int:
        """2 or 3, guessed from the data (see :func:`guess_level`)."""
        return guess_level(self.data)

    @property
    def asn_type(self) -> str | None:
        return self.data.get("asn_type")

    @property
    def asn_id(self) -> str | None:
        return self.data.get("asn_id")

    @property
    def asn_rule(self) -> str | None:
        return self.data.get("asn_rule")

    # -- what it holds ------------------------------------------------------
    @property
    def products(self) -> list[Product]:
        return [Product(product) for product in self.data.get("products", [])]

    def product(self, name: str) -> Product:
        """The first product called ``name`` (KeyError when there is none)."""
        for product in self.products:
            if product.name == name:
                return product
        raise KeyError(name)

    @property
    def members(self) -> list[Member]:
        """Every member of every product, in file order."""
        return [member for product in self.products for member in product.members]

    def expnames(self) -> list[str]:
        return [member.expname for member in self.members]

    # -- checking and writing ------------------------------------------------
    def validate(self, level: int | None = None) -> list:
        """Schema problems (:class:`asngen.tools.validate.Problem`); empty when valid."""
        from .tools.validate import check

        return check(self.data, level=level, source=self.source)

    def to_json(self) -> str:
        """The data in the pipeline's JSON layout (no trailing newline)."""
        return asn_io.dumps(self.data, "json")

    def dumps(self, fmt: str = "json") -> str:
        return asn_io.dumps(self.data, fmt)

    def write(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write to ``path`` whole or not at all; the format follows the suffix by default."""
        from .output import write_files_atomically

        path = Path(path)
        if fmt is None:
            fmt = "yaml" if path.suffix.lower() in (".yaml", ".yml") else "json"
        return write_files_atomically(path.parent, [(path.name, self.dumps(fmt))])[0]

    # -- mapping conveniences -------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.data[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Association):
            return self.data == other.data
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        where = f" from {self.source}" if self.source else ""
        return (
            f"<Association {self.asn_type} level {self.level}, "
            f"{len(self.data.get('products', []))} products{where}>"
        )


def load_asn(
    source: str | Path | Mapping[str, Any] | IO[str] | Association,
    *,
    validate: bool = True,
    level: int | None = None,
) -> Association:
    """Read an association from a file path, JSON/YAML text, a dict or an open file.

    A ``str`` is taken as text when it starts with ``{`` or spans several
    lines, and as a path otherwise.  A dict is wrapped, not copied.  With
    ``validate`` (the default) data that breaks the schema raises
    :class:`~asngen.errors.AssociationFileError` naming the first problem and
    its JSON path.
    """
    if isinstance(source, Association):
        asn = source
    elif isinstance(source, Mapping):
        data = source if isinstance(source, dict) else dict(source)
        asn = Association(data)
    elif isinstance(source, Path):
        asn = Association(asn_io.load(source), source=str(source))
    elif isinstance(source, str):
        if source.lstrip().startswith("{") or "\n" in source.strip():
            asn = Association(asn_io.loads(source))
        else:
            asn = Association(asn_io.load(source), source=source)
    elif hasattr(source, "read"):
        name = getattr(source, "name", None)
        asn = Association(asn_io.loads(source.read(), source=name or "<stream>"), source=name)
    else:
        raise AssociationFileError(f"cannot read an association from {type(source).__name__}")
    if validate:
        raise_first_problem(asn, level=level)
    return asn


def raise_first_problem(asn: Association, *, level: int | None = None) -> None:
    """Raise a one-line error for the first schema problem, if any."""
    problems = asn.validate(level)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise AssociationFileError(
            f"does not match the Level {level or asn.level} schema: {first.path}: {first.message}{more}",
            file=asn.source,
        )
