"""asngen: group telescope exposures into calibration associations.

The data flows one way: a pool (one row per exposure) is read, the rules in
force are applied by the generator, and the resulting associations are
written as JSON or YAML files.  Heavy dependencies (astropy, dask) are only
imported when a function needs them, so ``import asngen`` is cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
