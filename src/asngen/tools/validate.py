"""Checking association data against the Level 2b and Level 3 JSON schemas.

The schemas (``asngen/schemas/asn_level2b.json`` and ``asn_level3.json``)
accept exactly what the pipeline's own schemas accept, so "valid here" means
"the pipeline will load it".  Each problem is reported with the JSON path of
the offending value (``$.products[0].members[2].exptype``) because that is
what a person needs to find and fix it in the file.

jsonschema is imported only when a check actually runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import AsngenError

SCHEMA_FILES = {2: "asn_level2b.json", 3: "asn_level3.json"}

_JSON_TYPE_NAMES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one association file, and where."""

    file: str | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}{self.path}: {self.message}"


@cache
def schema(level: int) -> dict[str, Any]:
    """The JSON schema for Level ``level`` (2 or 3) associations."""
    if level not in SCHEMA_FILES:
        raise AsngenError(f"there is no schema for Level {level} (use 2 or 3)")
    text = resources.files("asngen").joinpath("schemas", SCHEMA_FILES[level]).read_text("utf-8")
    return json.loads(text)


def check(
    data: Any, *, level: int | None = None, source: str | None = None
) -> list[Problem]:
    """Every schema problem of ``data``, sorted by JSON path; empty when valid.

    ``level`` picks the schema; when it is None the level is guessed from the
    data (see :func:`asngen.model.guess_level`).
    """
    if level is None:
        from ..model import guess_level

        level = guess_level(data) if isinstance(data, Mapping) else 3
    if _conforms(data, schema(level)):
        return []
    validator = _validator(level)
    errors = sorted(validator.iter_errors(data), key=lambda err: _path_key(err.absolute_path))
    return [Problem(source, _json_path(err.absolute_path), _describe(err)) for err in errors]


@cache
def _validator(level: int) -> Any:
    from jsonschema import Draft4Validator  # lazy: heavy import

    return Draft4Validator(schema(level))


_TYPE_CHECKS = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}
_KNOWN_KEYWORDS = frozenset({"$schema", "title", "description", "type", "required",
                             "properties", "items", "anyOf"})


def _conforms(value: Any, rules: dict[str, Any]) -> bool:
    """Fast yes/no for the small draft-04 subset our schemas use.

    jsonschema costs milliseconds per file; this costs microseconds, so it
    answers for the (usual) valid files and jsonschema only explains the
    invalid ones.  A keyword outside the subset sends every file to jsonschema.
    """
    if not _KNOWN_KEYWORDS.issuperset(rules):
        return False
    kind = rules.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_TYPE_CHECKS[k](value) for k in kinds):
            return False
    if "anyOf" in rules and not any(_conforms(value, option) for option in rules["anyOf"]):
        return False
    if isinstance(value, dict):
        if any(name not in value for name in rules.get("required", ())):
            return False
        for name, sub in rules.get("properties", {}).items():
            if name in value and not _conforms(value[name], sub):
                return False
    if isinstance(value, list) and "items" in rules:
        return all(_conforms(item, rules["items"]) for item in value)
    return True


def check_file(path: str | Path, *, level: int | None = None) -> list[Problem]:
    """Read and check one file; a file that cannot be read is one problem."""
    from .. import asn_io

    try:
        data = asn_io.load(path)
    except AsngenError as err:
        return [Problem(str(path), "$", err.message)]
    return check(data, level=level, source=str(path))


def check_files(paths: Iterable[str | Path], *, level: int | None = None) -> list[Problem]:
    """All problems of all files, file by file, in the order given."""
    problems: list[Problem] = []
    for path in paths:
        problems.extend(check_file(path, level=level))
    return problems


def _path_key(parts: Iterable[Any]) -> list[tuple[int, int, str]]:
    # numbers in numeric order, so that members[10] comes after members[9]
    return [(0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in parts]


def _json_path(parts: Iterable[Any]) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _type_name(value: Any) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _describe(err: Any) -> str:
    """A short message: the schema's own messages can quote a whole product."""
    if err.validator == "required":
        missing = [name for name in err.validator_value if name not in err.instance]
        names = ", ".join(repr(name) for name in missing) or repr(err.validator_value)
        return f"missing required key {names}"
    if err.validator == "type":
        wanted = err.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return f"must be {_article(wanted)}, not {_article(_type_name(err.instance))}"
    if err.validator == "anyOf":
        kinds = [option.get("type") for option in err.validator_value if "type" in option]
        if kinds:
            listed = " or ".join(_article(kind) for kind in kinds)
            return f"must be {listed}, not {_article(_type_name(err.instance))}"
    message = " ".join(str(err.message).split())
    return message if len(message) <= 200 else message[:197] + "..."


def _article(word: str) -> str:
    if word == "null":
        return "null"
    return ("an " if word[:1] in "aeiou" else "a ") + word
