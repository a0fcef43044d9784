"""Which of asngen's modules run compiled, and when to run their source instead.

The generator's cost is the interpreter walking rule trees, row after row.
When a C compiler and Cython are present at install time, ``setup.py``
compiles the modules named in :data:`COMPILED` from their unchanged Python
source (about a quarter less CPU).  There is one source and one behaviour:
the compiled module is the ``.py`` file beside it, translated.  Some modules
also have a ``.pxd`` file beside them (``association.pxd``, ``registry.pxd``,
``records.pxd``, ``asn_io.pxd``, ``engine/check.pxd``, ``engine/patterns.pxd``,
``engine/index.pxd``, ``engine/fresh.pxd``, ``engine/screening.pxd``,
``engine/static_filter.pxd``, ``generator/loop.pxd``, ``rules/dms.pxd``):
it tells the compiler the C layout of an association, a bound rule, the
evaluator and the association index (typed attributes, methods that call
each other directly, helpers called as C functions) and the C types of
some arguments and locals (a pool row is a ``dict``), nothing about what
they do.  A
class with a C layout cannot be changed at run time (no patching of its
methods); a Python subclass can still override them (``Association`` is
one, over the compiled ``AssociationBase``).

Python imports an extension module in preference to the ``.py`` file of the
same name, so a compiled module that is older than its source would silently
run old code (in a source checkout, after an edit, before the next
``pip install -e .``).  :func:`choose` runs when the package is imported and
then sends the import of every listed module to its source, with a warning
naming the stale ones: compiled modules read each other's C layouts (the
index reads an association's fields at fixed places), so one module from
source among compiled ones would be read as the wrong structure.  The
environment variable ``ASNGEN_PURE_PYTHON`` (any non-empty value) sends every
one of them there, to compare the two or to debug with the source.

This module is read by ``setup.py`` without being imported (the list below
must stay a literal) and imports nothing heavy: it runs on every start.
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES

#: modules compiled at install time (the generator's inner loops and what they call per row)
COMPILED = (
    "asngen.ascii_pool",
    "asngen.association",
    "asngen.asn_io",
    "asngen.engine.check",
    "asngen.engine.constraints",
    "asngen.engine.fresh",
    "asngen.engine.index",
    "asngen.engine.patterns",
    "asngen.engine.queue",
    "asngen.engine.screening",
    "asngen.engine.static_filter",
    "asngen.generator.drivers",
    "asngen.generator.early_drop",
    "asngen.generator.loop",
    "asngen.generator.parallel",
    "asngen.generator.prune",
    "asngen.member",
    "asngen.model",
    "asngen.output",
    "asngen.pool",
    "asngen.records",
    "asngen.registry",
    "asngen.rules.dms",
    "asngen.rules.level2",
    "asngen.rules.level3",
    "asngen.rules.naming",
    "asngen.rules.suffixes",
)

PURE_ENV = "ASNGEN_PURE_PYTHON"

#: a source file this much newer than its compiled module is an edit, not the same install
#: (an installer writes both within moments, in no fixed order)
_SLACK_S = 2.0


def _files(package_dir: str, name: str) -> tuple[str, str | None]:
    """The module's source path and its compiled file (None when there is none)."""
    relative = name.split(".")[1:]
    base = os.path.join(package_dir, *relative)
    for suffix in EXTENSION_SUFFIXES:
        if os.path.exists(base + suffix):
            return base + ".py", base + suffix
    return base + ".py", None


def is_stale(source: str, compiled: str) -> bool:
    """True when ``source`` was changed after ``compiled`` was built from it."""
    try:
        return os.stat(source).st_mtime > os.stat(compiled).st_mtime + _SLACK_S
    except OSError:
        return False  # no source beside it: the compiled module is all there is


class SourceFirst:
    """A finder that imports the listed modules from their ``.py`` files."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.sources = sources

    def find_spec(self, name, path=None, target=None):
        source = self.sources.get(name)
        if source is None:
            return None
        from importlib.util import spec_from_file_location

        return spec_from_file_location(name, source)


def decide(package_dir: str, pure: bool) -> tuple[dict[str, str], dict[str, str]]:
    """How each listed module should be imported, and the sources to import instead.

    The first dict maps each module name to "compiled", "source" (no
    compiled file, or ``pure``, or another module is stale) or "stale"
    (compiled file older than the source, so the source is used); the second
    maps the names to redirect to their ``.py`` files.  One stale module
    sends them all to their sources (see the module's docstring).
    """
    decision: dict[str, str] = {}
    sources: dict[str, str] = {}
    for name in COMPILED:
        source, compiled = _files(package_dir, name)
        if compiled is None:
            decision[name] = "source"
            continue
        sources[name] = source
        decision[name] = "stale" if not pure and is_stale(source, compiled) else "compiled"
    if pure or "stale" in decision.values():
        for name in sources:
            if decision[name] == "compiled":
                decision[name] = "source"
        return decision, sources
    return decision, {}


def choose(package_dir: str) -> dict[str, str]:
    """Decide, once per process, how each listed module is imported (see :func:`decide`)."""
    decision, redirect = decide(package_dir, pure=bool(os.environ.get(PURE_ENV)))
    if redirect:
        sys.meta_path.insert(0, SourceFirst(redirect))
    stale = [name for name, how in decision.items() if how == "stale"]
    if stale:
        import warnings

        warnings.warn(
            f"asngen: compiled modules older than their sources: {', '.join(stale)}; running every "
            f"module from its source instead (rebuild with `pip install -e .`)",
            RuntimeWarning,
            stacklevel=2,
        )
    return decision


def describe(decision: dict[str, str]) -> str:
    """One line for ``asngen --version``."""
    compiled = sum(1 for how in decision.values() if how == "compiled")
    if compiled == len(decision):
        return "compiled"
    if compiled == 0:
        return "pure Python"
    return f"{compiled} of {len(decision)} modules compiled"
