"""Copy an association and its members to a new folder (the reference's ``asn_gather``).

The copy is self-contained: every member is copied beside the association
and its ``expname`` becomes the bare file name.  Members can be chosen by
exposure type; products left without members are dropped.

Differences from the reference, all on purpose:

* files are copied in Python by default (the reference runs ``rsync``, which
  many machines lack); ``shellcmd`` restores the old way of copying;
* a relative ``expname`` with a folder part is looked up in the source
  folder, like a bare name (the reference looked it up in the current
  directory);
* nothing is copied unless every member exists, two members that would land
  on the same name are an error, and the association is written last, whole.
"""

from __future__ import annotations

import copy
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .. import __version__, asn_io
from ..errors import AsngenError
from ..model import load_asn
from ..output import write_files_atomically

#: The reference's copy command, for ``--cmd`` users who want it back.
REFERENCE_COMMAND = "rsync -urv --no-perms --chmod=ugo=rwX"


def gather(
    association: str | Path,
    destination: str | Path = ".",
    *,
    exp_types: Iterable[str] | None = None,
    exclude_types: Iterable[str] | None = None,
    source_folder: str | Path | None = None,
    shellcmd: str | None = None,
    report: Callable[[str], None] | None = None,
) -> Path:
    """Copy ``association`` and its members into ``destination``; return the new file.

    ``exp_types`` keeps only members of those types, ``exclude_types`` drops
    members of those types.  Members are looked for in ``source_folder``
    (default: the association's folder).  ``shellcmd`` is a command run as
    ``shellcmd SOURCE DEST`` for each member instead of copying in Python.
    ``report`` receives one line per copied member.
    """
    asn_path = Path(association)
    source = Path(source_folder) if source_folder is not None else asn_path.parent
    dest_folder = Path(destination)
    keep = _type_filter(exp_types, exclude_types)

    original = load_asn(asn_path).data
    products = []
    for index, product in enumerate(original.get("products", [])):
        members = []
        for number, member in enumerate(product["members"]):
            if not isinstance(member, dict):
                raise AsngenError(
                    f"$.products[{index}].members[{number}]: a member must be an object",
                    file=str(asn_path),
                )
            if keep(member["exptype"]):
                members.append(copy.deepcopy(member))
        if members:
            kept = {"name": product["name"]} if "name" in product else {}
            kept["members"] = members
            products.append(kept)
    if not products:
        raise AsngenError("no products could be gathered (no member has a wanted type)", file=str(asn_path))

    plan = _plan_copies(products, source, dest_folder, asn_path, check_exists=shellcmd is None)
    try:
        dest_folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise AsngenError(f"cannot create the folder: {err.strerror}", file=str(dest_folder)) from None
    for src, dest in plan:
        if shellcmd is None:
            _copy_file(src, dest)
        else:
            _run_command(shellcmd, src, dest)
        if report is not None:
            report(f"copied {src} -> {dest}")
    for product in products:
        for member in product["members"]:
            member["expname"] = Path(member["expname"]).name

    # The reference rebuilds the file on a fresh association object: these
    # four keys come first (with its defaults when the file lacks them).
    data: dict[str, Any] = {
        "asn_type": "None",
        "asn_rule": "Association",
        "version_id": None,
        "code_version": __version__,
    }
    data.update(original)
    data["products"] = products
    fmt = "yaml" if asn_path.suffix.lower() in (".yaml", ".yml") else "json"
    return write_files_atomically(dest_folder, [(asn_path.name, asn_io.dumps(data, fmt))])[0]


def _type_filter(
    exp_types: Iterable[str] | None, exclude_types: Iterable[str] | None
) -> Callable[[str], bool]:
    # a lone string means one type, not its letters
    wanted = None if exp_types is None else set([exp_types] if isinstance(exp_types, str) else exp_types)
    unwanted = set([exclude_types] if isinstance(exclude_types, str) else exclude_types or ())
    return lambda exptype: exptype not in unwanted and (wanted is None or exptype in wanted)


def _plan_copies(
    products: list[dict[str, Any]], source: Path, dest_folder: Path, asn_path: Path, *, check_exists: bool
) -> list[tuple[Path, Path]]:
    """(source, destination) per distinct member file, checked before anything is copied."""
    plan: dict[str, tuple[Path, Path]] = {}
    for product in products:
        for member in product["members"]:
            expname = Path(member["expname"])
            src = expname if expname.is_absolute() else source / expname
            dest = dest_folder / expname.name
            previous = plan.get(expname.name)
            if previous is not None:
                if previous[0] != src:
                    raise AsngenError(
                        f"two members would be copied to the same name {expname.name!r}: "
                        f"{previous[0]} and {src}", file=str(asn_path),
                    )
                continue
            if check_exists and not src.is_file():
                raise AsngenError(f"member {member['expname']!r} not found at {src}", file=str(asn_path))
            plan[expname.name] = (src, dest)
    if asn_path.name in plan:
        raise AsngenError(f"a member has the association's own name {asn_path.name!r}", file=str(asn_path))
    return list(plan.values())


def _copy_file(src: Path, dest: Path) -> None:
    """Copy one file whole: into a temporary name first, then renamed into place."""
    try:
        if dest.exists() and os.path.samefile(src, dest):
            return
        handle, temp_name = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
        os.close(handle)
        try:
            shutil.copyfile(src, temp_name)
            stat = os.stat(src)
            os.utime(temp_name, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            os.replace(temp_name, dest)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise AsngenError(f"cannot copy to {dest}: {err.strerror or err}", file=str(src)) from None


def _run_command(shellcmd: str, src: Path, dest: Path) -> None:
    argv = shlex.split(shellcmd) + [str(src), str(dest)]
    try:
        result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    except OSError as err:
        raise AsngenError(f"cannot run copy command {argv[0]!r}: {err.strerror or err}") from None
    if result.returncode != 0:
        output = result.stdout.decode(errors="replace").strip().splitlines()
        last = f": {output[-1]}" if output else ""
        raise AsngenError(
            f"copy command {shlex.join(argv)!r} failed with status {result.returncode}{last}",
            file=str(src),
        )
