"""Reading and writing association files.

The JSON layout is the one the JWST pipeline reads and writes: 4-space
indentation, ``", "``/``": "`` separators, ASCII escapes and no trailing
newline.  Key order is the insertion order of the association's data, which
the generator builds in the reference's order.  YAML is offered for people
who prefer it; the pipeline itself reads JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import AssociationFileError

FORMATS = ("json", "yaml")


def dumps(data: Mapping[str, Any], fmt: str = "json") -> str:
    """Serialize association data to text in ``fmt``."""
    if fmt == "json":
        return json.dumps(data, indent=4, separators=(",", ": "))
    if fmt == "yaml":
        import yaml  # lazy: only YAML users pay for it

        # the reference's layout: block style, keys sorted
        return yaml.safe_dump(_plain(data), default_flow_style=False)
    raise AssociationFileError(f"unknown association format {fmt!r} (use one of {FORMATS})")


def file_name(asn_name: str, fmt: str = "json") -> str:
    """The file name of an association called ``asn_name``."""
    suffix = "." + fmt
    return asn_name if asn_name.endswith(suffix) else asn_name + suffix


def loads(text: str, *, source: str = "<string>") -> dict[str, Any]:
    """Parse association text (JSON, or YAML when it is not JSON)."""
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
