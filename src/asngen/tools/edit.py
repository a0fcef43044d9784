"""Add files to, or remove files from, an association file (the reference's ``asn_edit``).

The rules are the reference's, kept because users' scripts rely on them:

* an added file becomes a member ``{expname: <file name>, exptype}`` of
  **every** product; only its file name is kept (after ``~`` and ``$VAR``
  expansion and resolving the path), and the file need not exist;
* a removed file is matched against each member's whole ``expname`` by its
  file name; with ``ignore_suffix`` both sides are compared without folder,
  extension and calibration suffix, so ``x_cal.fits`` removes ``x_rate.fits``;
* every matching member goes, and a product left without members goes too;
* names that match nothing are reported back, and the rest is still done.

The file is rewritten in the same layout (key order kept), whole or not
at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import AsngenError, UsageError
from ..model import Association, load_asn
from ..rules.suffixes import remove_suffix

ASSOCIATION_SUFFIXES = (".json", ".yaml", ".yml")


def read(path: str | Path) -> Association:
    """Load an association file for editing; it must be ``.json`` (or YAML)."""
    path = Path(path)
    _check_suffix(path)
    asn = load_asn(path)
    for index, product in enumerate(asn.data["products"]):
        for number, member in enumerate(product["members"]):
            if not isinstance(member, dict):
                raise AsngenError(
                    f"$.products[{index}].members[{number}]: a member must be an object",
                    file=str(path),
                )
    return asn


def add(asn: Association, filenames: Iterable[str | Path], exptype: str = "science") -> Association:
    """Append each file, as a member of type ``exptype``, to every product."""
    for filename in filenames:
        expname = _expand(filename).name
        for product in asn.data["products"]:
            product["members"].append({"expname": expname, "exptype": exptype})
    return asn


def find(asn: Association, filename: str | Path, *, ignore_suffix: bool = False) -> list[tuple[int, int]]:
    """(product index, member index) of every member that ``filename`` matches."""
    path = _expand(filename)
    key = _root(path.stem) if ignore_suffix else path.name
    found = []
    for index, product in enumerate(asn.data["products"]):
        for number, member in enumerate(product["members"]):
            expname = member.get("expname")
            if not expname:
                continue
            candidate = _root(Path(expname).stem) if ignore_suffix else expname
            if candidate == key:
                found.append((index, number))
    return found


def remove(asn: Association, filenames: Iterable[str | Path], *, ignore_suffix: bool = False) -> list[str]:
    """Remove every member each file matches; return the names that matched nothing."""
    not_found = []
    products = asn.data["products"]
    for filename in filenames:
        found = find(asn, filename, ignore_suffix=ignore_suffix)
        if not found:
            not_found.append(str(filename))
        for index, number in reversed(found):  # from the end, so indices stay right
            del products[index]["members"][number]
            if not products[index]["members"]:
                del products[index]
    return not_found


def write(asn: Association, path: str | Path) -> Path:
    """Write the association to ``path`` (``.json``, or YAML), replacing it whole."""
    path = Path(path)
    _check_suffix(path)
    return asn.write(path)


def edit(
    association: str | Path,
    filenames: Iterable[str | Path],
    *,
    action: str | None = None,
    exptype: str = "science",
    ignore_suffix: bool = False,
    output: str | Path | None = None,
) -> tuple[Path, list[str]]:
    """Read, change (``action`` ``"add"``, ``"remove"`` or None) and write back.

    Returns the file written and the names ``remove`` did not find.  With no
    action the file is just rewritten, as the reference does.
    """
    out = Path(output) if output is not None else Path(association)
    _check_suffix(out)
    asn = read(association)
    not_found: list[str] = []
    if action == "add":
        add(asn, filenames, exptype)
    elif action == "remove":
        not_found = remove(asn, filenames, ignore_suffix=ignore_suffix)
    elif action is not None:
        raise UsageError(f"unknown edit action {action!r} (use 'add' or 'remove')")
    return write(asn, out), not_found


def _expand(filename: str | Path) -> Path:
    """The path as the shell user meant it: variables and ~ expanded, made absolute."""
    return Path(os.path.expandvars(str(filename))).expanduser().resolve()


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() not in ASSOCIATION_SUFFIXES:
        raise AsngenError(
            "not an association file name (it must end in .json, or .yaml for YAML)",
            file=str(path),
        )


def _root(name: str) -> str:
    """``name`` without its known calibration suffix (``x_rate`` -> ``x``)."""
    return remove_suffix(name)[0]
