"""asngen: group telescope exposures into calibration associations.

The data flows one way: a pool (one row per exposure) is read, the rules in
force are applied by the generator, and the resulting associations are
written as JSON or YAML files.  Heavy dependencies (astropy, dask) are only
imported when a function needs them, so ``import asngen`` is cheap; the
public names below are loaded on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import _native  # noqa: E402 - must run before any compiled module is imported

#: how each compiled module was imported ("compiled", "source" or "stale"); see asngen._native
NATIVE = _native.choose(__path__[0])

_EXPORTS = {
    "generate": ("asngen.api", "generate"),
    "write_result": ("asngen.api", "write_result"),
    "GenerateOptions": ("asngen.options", "GenerateOptions"),
    "GenerateResult": ("asngen.api", "GenerateResult"),
    "read_pool": ("asngen.pool", "read_pool"),
    "Pool": ("asngen.pool", "Pool"),
    "Association": ("asngen.model", "Association"),
    "load_asn": ("asngen.model", "load_asn"),
    "from_list": ("asngen.tools.from_list", "from_list"),
    "make_pool": ("asngen.tools.make_pool", "make_pool"),
    "gather": ("asngen.tools.gather", "gather"),
    "edit_association": ("asngen.tools.edit", "edit"),
    "validate_data": ("asngen.tools.validate", "check"),
    "check_file": ("asngen.tools.validate", "check_file"),
    "compare_associations": ("asngen.tools.diff", "compare"),
    "batch": ("asngen.batch", "batch"),
    "explain": ("asngen.explain", "explain"),
    "AsngenError": ("asngen.errors", "AsngenError"),
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    try:
        module_name, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'asngen' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(module_name), attribute)
    globals()[name] = value
    return value
