"""The abstract collection types, ``defaultdict`` and compact integer arrays, without the
``collections`` package.

``collections.abc`` only re-exports ``_collections_abc``, which the
interpreter has already loaded by the time any code runs (``os`` needs it),
and ``defaultdict`` is defined in the C module ``_collections``.  Importing
either by its public name also runs the ``collections`` package, with
``keyword``, ``operator``, ``reprlib`` and the named-tuple machinery: about
1.3 ms at every start of the command, 1% of a whole mega_pool run, before
the passes can begin.  asngen's modules import these names from here.  An
interpreter without the private modules gets the public ones.  The ``array``
module imports ``collections.abc`` too (to register its type), so arrays of
positions and hashes are :func:`int64s` instead.
"""

from __future__ import annotations

try:
    import _collections_abc as _abc
    from _collections import defaultdict
except ImportError:  # pragma: no cover - CPython has both
    import collections.abc as _abc
    from collections import defaultdict

Callable, Iterable, Iterator, Sequence = _abc.Callable, _abc.Iterable, _abc.Iterator, _abc.Sequence
Mapping, MutableMapping = _abc.Mapping, _abc.MutableMapping
ItemsView, KeysView, ValuesView = _abc.ItemsView, _abc.KeysView, _abc.ValuesView


def int64s(count: int) -> memoryview:
    """``count`` signed 64-bit integers, all 0: 8 bytes each, like ``array("q")`` (a list
    of positions in a million-row pool holds an int object per row besides its pointer)."""
    return memoryview(bytearray(8 * count)).cast("q")


__all__ = [
    "Callable", "ItemsView", "Iterable", "Iterator", "KeysView", "Mapping", "MutableMapping", "Sequence",
    "ValuesView", "defaultdict", "int64s",
]
