"""Reading and writing association files.

The JSON layout is the one the JWST pipeline reads and writes: 4-space
indentation, ``", "``/``": "`` separators, ASCII escapes and no trailing
newline.  Key order is the insertion order of the association's data, which
the generator builds in the reference's order.  YAML is offered for people
who prefer it; the pipeline itself reads JSON.
"""

from __future__ import annotations

from ._collection_types import Mapping
from .errors import AssociationFileError
from .member import ABSENT, SLOTTED, Member, RenamedFile

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

FORMATS = ("json", "yaml")


def dumps(data: Mapping[str, Any], fmt: str = "json") -> str:
    """Serialize association data to text in ``fmt``."""
    if fmt == "json":
        return dumps_json(data)
    if fmt == "yaml":
        import yaml  # lazy: only YAML users pay for it

        # the reference's layout: block style, keys sorted
        return yaml.safe_dump(_plain(data), default_flow_style=False)
    raise AssociationFileError(f"unknown association format {fmt!r} (use one of {FORMATS})")


def dumps_json(data: Any) -> str:
    """``json.dumps(data, indent=4, separators=(",", ": "))``, character for character.

    The standard encoder falls back to its pure-Python path whenever an
    indent is asked for, and association files are mostly short strings in
    small dictionaries: writing them directly is several times faster.  Only
    the types association data is made of are handled here; anything else
    (non-string keys, other classes) goes to :func:`json.dumps` whole.
    """
    parts: list[str] = []
    try:
        _encode(data, parts, "\n")
    except _Unusual:
        import json

        return json.dumps(data, indent=4, separators=(",", ": "), default=_mapping_as_dict)
    return "".join(parts)


class _Unusual(Exception):
    """Data the direct writer leaves to the standard encoder."""


# json's own C quoting; importing the json package (its decoder too) would cost every run 1 ms
try:
    from _json import encode_basestring_ascii as _quote
except ImportError:  # an interpreter without json's accelerator
    from json.encoder import encode_basestring_ascii as _quote


#: a text -> its quoted form.  A run's files repeat most of their texts (types, candidates,
#: the constraints texts, the program, the pool): each is quoted once, not in every file
_QUOTED: dict = {}
_QUOTED_LIMIT = 20_000


def _quoted(text: str) -> str:
    """``_quote(text)``, remembered (for texts that repeat: a file name is quoted directly)."""
    found = _QUOTED.get(text)
    if found is None:
        found = _quote(text)
        if len(_QUOTED) >= _QUOTED_LIMIT:
            _QUOTED.clear()
        _QUOTED[text] = found
    return found


def _float_text(value: float) -> str:
    """A float as json.dumps spells it (NaN, Infinity...)."""
    import json

    return json.dumps(value)


def _encode(value: Any, parts: list, newline: str) -> None:
    cls = type(value)
    if cls is str:
        parts.append(_quoted(value))
    elif value is None:
        parts.append("null")
    elif cls is Member:  # most of a file: read its slots, not through the mapping protocol
        _encode_member(value, parts, newline)
    elif isinstance(value, dict):
        _encode_pairs(value.items(), parts, newline)
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        indent = _indent(newline)
        inner = indent.inner
        parts.append(indent.first_item)
        _encode(value[0], parts, inner)
        for position in range(1, len(value)):
            parts.append(indent.later_item)
            _encode(value[position], parts, inner)
        parts.append(indent.list_closing)
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif cls is int:
        parts.append(int.__repr__(value))
    elif cls is float:
        parts.append(_float_text(value))
    elif isinstance(value, str):
        parts.append(_quote(value))
    elif isinstance(value, Mapping):  # a member of a subclass, or another mapping
        _encode_pairs(value.items(), parts, newline)
    else:
        raise _Unusual


_INDENTS: dict = {}  # newline -> _Indent


class _Indent:
    """The texts of a mapping or list written at one depth (a file has four or five depths),
    made once instead of joined again for every mapping, list and pair."""

    __slots__ = ("inner", "closing", "list_closing", "first", "later", "first_item", "later_item")

    def __init__(self, newline: str) -> None:
        self.inner = newline + "    "
        self.closing = newline + "}"
        self.list_closing = newline + "]"
        self.first_item = "[" + self.inner
        self.later_item = "," + self.inner
        self.first: dict = {}  # key -> what precedes its value as a mapping's first pair
        self.later: dict = {}  # key -> what precedes its value after another pair


def _indent(newline: str) -> _Indent:
    found = _INDENTS.get(newline)
    if found is None:
        found = _Indent(newline)
        if len(_INDENTS) < 100:
            _INDENTS[newline] = found
    return found


def _pair_text(indent: _Indent, labels: dict, key) -> str:
    """What precedes ``key``'s value at this depth: ``{`` (``labels`` is ``indent.first``) or
    ``,``, the indent, the quoted key and ``: ``; remembered in ``labels``."""
    text = labels.get(key)
    if text is None:
        if type(key) is not str:
            raise _Unusual
        text = ("{" if labels is indent.first else ",") + indent.inner + _quote(key) + ": "
        if len(labels) < 1000:
            labels[key] = text
    return text


def _encode_pairs(pairs, parts: list, newline: str) -> None:
    """A mapping given as its (key, value) pairs."""
    indent = _indent(newline)
    append = parts.append
    labels = indent.first
    for key, item in pairs:
        append(_pair_text(indent, labels, key))
        if type(item) is str:
            append(_quoted(item))
        else:
            _encode(item, parts, indent.inner)
        labels = indent.later
    append("{}" if labels is indent.first else indent.closing)


_MEMBER_LAYOUTS: dict = {}  # (newline, which slots are filled) -> the texts around the values


def _member_layout(newline: str, filled: int) -> tuple:
    """What precedes each value of a member whose slotted keys are ``filled`` (a bit per key,
    in :data:`~asngen.member.SLOTTED` order), then its closing: as :func:`_encode_pairs`
    writes them."""
    indent = _indent(newline)
    keys = [key for bit, key in enumerate(SLOTTED) if filled >> bit & 1]
    texts = [_pair_text(indent, indent.later if position else indent.first, key)
             for position, key in enumerate(keys)]
    layout = tuple(texts + [indent.closing])
    if len(_MEMBER_LAYOUTS) < 1000:
        _MEMBER_LAYOUTS[(newline, filled)] = layout
    return layout


def _encode_member(member: Member, parts: list, newline: str) -> None:
    """A member whose keys are all slotted and values all text (nearly every one): the texts
    around its values made once per set of keys; any other member as its pairs."""
    if member.others:
        _encode_pairs(member.pairs(), parts, newline)
        return
    values = []
    filled = 0
    value = member.expname
    if value is not ABSENT:
        if type(value) is RenamedFile:
            marker = value  # (compiled, typed: its name_for is a C call)
            value = marker.name_for(member.row)
        values.append(value)
        filled = 1
    value = member.exptype
    if value is not ABSENT:
        values.append(value)
        filled |= 2
    value = member.exposerr
    if value is not ABSENT:
        values.append(value)
        filled |= 4
    value = member.asn_candidate
    if value is not ABSENT:
        values.append(value)
        filled |= 8
    for value in values:
        if type(value) is not str:
            _encode_pairs(member.pairs(), parts, newline)
            return
    if not filled:
        parts.append("{}")
        return
    layout = _MEMBER_LAYOUTS.get((newline, filled))
    if layout is None:
        layout = _member_layout(newline, filled)
    append = parts.append
    append(layout[0])
    append(_quote(values[0]) if filled & 1 else _quoted(values[0]))  # (a name: seldom repeated)
    for position in range(1, len(values)):
        append(layout[position])
        append(_quoted(values[position]))
    append(layout[len(values)])


def _mapping_as_dict(value: Any) -> dict:
    """For :func:`json.dumps`: a mapping that is not a dict (a member) is written as one."""
    if isinstance(value, Mapping):
        return dict(value.items())
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def file_name(asn_name: str, fmt: str = "json") -> str:
    """The file name of an association called ``asn_name``."""
    suffix = "." + fmt
    return asn_name if asn_name.endswith(suffix) else asn_name + suffix


def loads(text: str, *, source: str = "<string>") -> dict[str, Any]:
    """Parse association text (JSON, or YAML when it is not JSON)."""
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as json_err:
        stripped = text.lstrip()
        if stripped.startswith("{") or stripped.startswith("["):
            raise AssociationFileError(
                f"not valid JSON: {json_err.msg} at line {json_err.lineno} column {json_err.colno}",
                file=source,
            ) from None
        try:
            import yaml

            data = yaml.safe_load(text)
        except Exception as yaml_err:  # noqa: BLE001 - any parse failure is the same to the user
            raise AssociationFileError(
                f"neither JSON nor YAML: {' '.join(str(yaml_err).split())}", file=source
            ) from None
    if not isinstance(data, dict):
        raise AssociationFileError("an association must be a mapping at top level", file=source)
    return data


def load(path: str | Path) -> dict[str, Any]:
    """Read an association file into plain data."""
    from pathlib import Path

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssociationFileError("no such file", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise AssociationFileError(f"cannot read: {err}", file=str(path)) from None
    return loads(text, source=str(path))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
