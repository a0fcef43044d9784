"""Compare two sets of associations and say what differs, product by product.

The unit of comparison is a *product* (one output and its members), because
that is what a person reviews: "this mosaic lost an exposure", "this
spectrum gained a background".  Each side is a list of association files;
every product of every file is one unit.  Units are paired up in stages:

1. identical units (same name, same association attributes, same members);
2. units with the same product name, best member overlap first;
3. units with the same members under another name (a renamed product);

and whatever is left is "only in left" or "only in right".  For each pair
the differences are listed in words: members dropped or added, exposure
types changed, association type/id/rule or other attributes changed, or the
product renamed.  The order of files, products and members is not
compared, nor are ``code_version``, ``version_id`` and the informational
``constraints`` text.  The sets are *equivalent* when every unit pairs with
an identical one.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AsngenError
from ..rules.suffixes import remove_suffix

#: Top-level keys that say nothing about what is associated.
IGNORED_KEYS = frozenset({"products", "code_version", "version_id", "constraints"})
ASSOCIATION_PATTERNS = ("*.json", "*.yaml", "*.yml")


@dataclass
class Unit:
    """One product of one association file."""

    file: str
    index: int  # position of the product in its file
    name: str | None
    attrs: dict[str, Any]  # compared top-level keys of the association
    members: list[dict[str, Any]]

    @property
    def label(self) -> str:
        name = self.name if self.name is not None else f"<unnamed product {self.index}>"
        kind = ", ".join(str(self.attrs[key]) for key in ("asn_type", "asn_id") if key in self.attrs)
        return f"{name} ({kind})" if kind else name

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "product_index": self.index,
            "name": self.name,
            "asn_type": self.attrs.get("asn_type"),
            "asn_id": self.attrs.get("asn_id"),
            "members": len(self.members),
        }


@dataclass
class Change:
    """One difference inside a pair of units, as data and as a sentence."""

    kind: str  # renamed, attribute, member_added, member_dropped, exptype, member_detail
    text: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, **self.detail}


@dataclass
class Comparison:
    """Everything :func:`compare` found."""

    left_files: list[str]
    right_files: list[str]
    identical: int = 0
    only_left: list[Unit] = field(default_factory=list)
    only_right: list[Unit] = field(default_factory=list)
    changed: list[tuple[Unit, Unit, list[Change]]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def equivalent(self) -> bool:
        return not (self.only_left or self.only_right or self.changed)

    def summary(self) -> str:
        verdict = "equivalent" if self.equivalent else "different"
        return (
            f"{verdict}: {self.identical} identical products, {len(self.changed)} changed, "
            f"{len(self.only_left)} only in left, {len(self.only_right)} only in right "
            f"({len(self.left_files)} left files, {len(self.right_files)} right files)"
        )

    def to_text(self) -> str:
        """The report for people: one line per finding, most useful first."""
        lines = []
        for unit in self.only_left:
            lines.append(f"only in left:  product {unit.label}, {_count(unit)} [{unit.file}]")
        for unit in self.only_right:
            lines.append(f"only in right: product {unit.label}, {_count(unit)} [{unit.file}]")
        for left, right, changes in self.changed:
            where = left.file if left.file == right.file else f"{left.file} -> {right.file}"
            lines.append(f"changed:       product {left.label} [{where}]")
            lines.extend(f"    {change.text}" for change in changes)
        if self.skipped:
            names = ", ".join(dict.fromkeys(self.skipped))
            lines.append(f"skipped, not associations: {names}")
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """The same findings for programs."""
        data = {
            "equivalent": self.equivalent,
            "identical": self.identical,
            "left_files": self.left_files,
            "right_files": self.right_files,
            "only_left": [unit.to_dict() for unit in self.only_left],
            "only_right": [unit.to_dict() for unit in self.only_right],
            "changed": [
                {"left": left.to_dict(), "right": right.to_dict(),
                 "changes": [change.to_dict() for change in changes]}
                for left, right, changes in self.changed
            ],
            "skipped": self.skipped,
        }
        return json.dumps(data, indent=2) + "\n"


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """Association files named by ``paths``; a folder stands for its files.

    Returns (files, from_folders): files found inside folders are only
    candidates, since a folder may hold other JSON (such as bookkeeping).
    """
    files: list[Path] = []
    in_folders: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted({p for pattern in ASSOCIATION_PATTERNS for p in path.glob(pattern)})
            files.extend(found)
            in_folders.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise AsngenError("no such file or folder", file=str(path))
    return files, in_folders


def read_units(paths: Iterable[str | Path], skipped: list[str] | None = None) -> tuple[list[str], list[Unit]]:
    """(files read, units) for one side.  Non-associations inside folders go to ``skipped``."""
    from .. import asn_io
    from ..model import Association, raise_first_problem

    files, in_folders = collect_files(paths)
    folder_files = set(in_folders)
    read: list[str] = []
    units: list[Unit] = []
    for path in files:
        try:
            data = asn_io.load(path)
        except AsngenError:
            if path in folder_files and _is_json_but_not_mapping(path):
                if skipped is not None:
                    skipped.append(str(path))
                continue
            raise
        if "products" not in data and path in folder_files:
            if skipped is not None:
                skipped.append(str(path))
            continue
        asn = Association(data, source=str(path))
        raise_first_problem(asn)
        read.append(str(path))
        units.extend(_units(data, str(path)))
    return read, units


def _is_json_but_not_mapping(path: Path) -> bool:
    try:
        return not isinstance(json.loads(path.read_text(encoding="utf-8")), dict)
    except (OSError, ValueError):
        return False


def _units(data: dict[str, Any], file: str) -> list[Unit]:
    attrs = {key: value for key, value in data.items() if key not in IGNORED_KEYS}
    units = []
    for index, product in enumerate(data["products"]):
        members = []
        for number, member in enumerate(product["members"]):
            if not isinstance(member, dict):
                raise AsngenError(
                    f"$.products[{index}].members[{number}]: a member must be an object", file=file
                )
            members.append(member)
        units.append(Unit(file, index, product.get("name"), attrs, members))
    return units


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------
def compare(
    left: Sequence[str | Path], right: Sequence[str | Path], *, ignore_suffix: bool = False
) -> Comparison:
    """Compare the associations named by ``left`` with those named by ``right``.

    Each argument lists files and/or folders.  With ``ignore_suffix``,
    members are matched by exposure name without calibration suffix, so
    ``x_rate.fits`` and ``x_cal.fits`` count as the same member.
    """
    skipped: list[str] = []
    left_files, left_units = read_units(left, skipped)
    right_files, right_units = read_units(right, skipped)
    result = compare_units(left_units, right_units, ignore_suffix=ignore_suffix)
    result.left_files, result.right_files, result.skipped = left_files, right_files, skipped
    return result


def compare_units(left: list[Unit], right: list[Unit], *, ignore_suffix: bool = False) -> Comparison:
    """Pair the units of both sides and describe every pair that differs."""
    result = Comparison([], [])
    key = _member_key_function(ignore_suffix)

    # 1. identical units
    waiting: dict[Any, list[Unit]] = defaultdict(list)
    for unit in right:
        waiting[_signature(unit, key)].append(unit)
    rest_left = []
    for unit in left:
        matches = waiting.get(_signature(unit, key))
        if matches:
            matches.pop(0)
            result.identical += 1
        else:
            rest_left.append(unit)
    still_waiting = {id(unit) for units in waiting.values() for unit in units}
    rest_right = [unit for unit in right if id(unit) in still_waiting]

    # 2. the same product name, 3. the same members under another name
    pairs: list[tuple[Unit, Unit]] = []
    for group in (lambda unit: unit.name, lambda unit: _frozen(sorted(map(str, _members(unit, key).elements())))):
        found, rest_left, rest_right = _pair_within_groups(rest_left, rest_right, group, key)
        pairs.extend(found)

    order = {id(unit): position for position, unit in enumerate(left)}
    for a, b in sorted(pairs, key=lambda pair: order[id(pair[0])]):
        result.changed.append((a, b, describe(a, b, ignore_suffix=ignore_suffix)))
    result.only_left = rest_left
    result.only_right = rest_right
    return result


def _pair_within_groups(
    left: list[Unit], right: list[Unit], group: Any, key: Any
) -> tuple[list[tuple[Unit, Unit]], list[Unit], list[Unit]]:
    """Pair units with the same ``group`` value, most similar first; return pairs and leftovers."""
    right_groups: dict[Any, list[int]] = defaultdict(list)
    for j, unit in enumerate(right):
        right_groups[group(unit)].append(j)
    candidates = []
    for i, unit in enumerate(left):
        for j in right_groups.get(group(unit), ()):
            score = _score(unit, right[j], key)
            candidates.append((tuple(-x for x in score), i, j))
    candidates.sort()
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            pairs.append((left[i], right[j]))
    return (
        pairs,
        [unit for i, unit in enumerate(left) if i not in used_left],
        [unit for j, unit in enumerate(right) if j not in used_right],
    )


def describe(left: Unit, right: Unit, *, ignore_suffix: bool = False) -> list[Change]:
    """The differences between two paired units, in the order a reader wants them."""
    key = _member_key_function(ignore_suffix)
    changes: list[Change] = []
    if left.name != right.name:
        changes.append(Change("renamed", f"renamed: {left.name} -> {right.name}",
                              {"left": left.name, "right": right.name}))
    for attr in list(left.attrs) + [k for k in right.attrs if k not in left.attrs]:
        old, new = left.attrs.get(attr, _ABSENT), right.attrs.get(attr, _ABSENT)
        if old != new:
            changes.append(Change("attribute", f"{attr}: {_show(old)} -> {_show(new)}",
                                  {"attribute": attr, "left": _plain(old), "right": _plain(new)}))

    unmatched: dict[Any, list[int]] = defaultdict(list)
    for position, member in enumerate(right.members):
        unmatched[key(member)].append(position)
    dropped = []
    for member in left.members:
        positions = unmatched.get(key(member))
        if not positions:
            dropped.append(member)
            continue
        other = right.members[positions.pop(0)]
        changes.extend(_member_changes(member, other, ignore_suffix))
    added = [right.members[p] for p in sorted(p for ps in unmatched.values() for p in ps)]
    for kind, members in (("dropped", dropped), ("added", added)):
        for member in members:
            changes.append(Change(
                f"member_{kind}", f"member {kind}: {_member_text(member)}",
                {"expname": member.get("expname"), "exptype": member.get("exptype")},
            ))
    return changes


_ABSENT = object()


def _member_changes(left: dict[str, Any], right: dict[str, Any], ignore_suffix: bool) -> list[Change]:
    changes = []
    name = left.get("expname")
    for attr in list(left) + [k for k in right if k not in left]:
        if attr == "expname" and ignore_suffix:
            continue
        old, new = left.get(attr, _ABSENT), right.get(attr, _ABSENT)
        if old == new:
            continue
        if attr == "exptype":
            text = f"exptype of {name}: {_show(old, bare=True)} -> {_show(new, bare=True)}"
            changes.append(Change("exptype", text, {"expname": name, "left": _plain(old), "right": _plain(new)}))
        else:
            changes.append(Change(
                "member_detail", f"member {name}: {attr}: {_show(old)} -> {_show(new)}",
                {"expname": name, "key": attr, "left": _plain(old), "right": _plain(new)},
            ))
    return changes


def _member_key_function(ignore_suffix: bool) -> Any:
    if ignore_suffix:
        return lambda member: _root(Path(str(member.get("expname", ""))).stem)
    return lambda member: member.get("expname")


def _frozen(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, default=str)


def _members(unit: Unit, key: Any) -> Counter:
    return Counter(key(member) for member in unit.members)


def _signature(unit: Unit, key: Any) -> tuple:
    members = sorted(
        (str(key(member)), _frozen({k: v for k, v in member.items() if k != "expname"}))
        for member in unit.members
    )
    return (unit.name, _frozen(unit.attrs), tuple(members))


def _score(a: Unit, b: Unit, key: Any) -> tuple[int, int, int]:
    """How alike two units are: shared members, then same type, then same id."""
    overlap = sum((_members(a, key) & _members(b, key)).values())
    same_type = int(a.attrs.get("asn_type") == b.attrs.get("asn_type"))
    same_id = int(a.attrs.get("asn_id") == b.attrs.get("asn_id"))
    return (overlap, same_type, same_id)


def _show(value: Any, *, bare: bool = False) -> str:
    if value is _ABSENT:
        return "(absent)"
    return str(value) if bare and isinstance(value, str) else json.dumps(value)


def _plain(value: Any) -> Any:
    return None if value is _ABSENT else value


def _count(unit: Unit) -> str:
    number = len(unit.members)
    return f"{number} member" if number == 1 else f"{number} members"


def _member_text(member: dict[str, Any]) -> str:
    return f"{member.get('expname')} ({member.get('exptype')})"


def _root(name: str) -> str:
    """``name`` without its known calibration suffix (``x_rate`` -> ``x``)."""
    return remove_suffix(name)[0]
