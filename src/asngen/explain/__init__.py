"""Why an exposure is, or is not, in an association.

A run that explains itself records the generator's decisions as it takes
them, and puts them into sentences only for what someone asks about:

* :mod:`.recorder`: the :class:`Recorder` the generator calls for every
  decision (references only, so recording stays cheap);
* :mod:`.refusals`: which constraints refused a row, recovered from a
  check's trace, and how to say it;
* :mod:`.answers`: the answers for one exposure, one association, one
  orphan, each with ``lines()`` for people and ``to_dict()`` for programs;
* :mod:`.explanation`: :class:`Explanation`, a recorded run and its
  questions, which serves ``asngen explain``, ``--save-orphans`` and the
  HTML report.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from .answers import AssociationExplanation, ExposureExplanation, MemberWhy, Placement, RuleDecision
from .explanation import Explanation
from .recorder import Recorder
from .refusals import Refusal


def explain(pool: Any, options=None, *, run=None) -> Explanation:
    """Generate ``pool`` (path, Pool or table) with every decision recorded; the explanation model."""
    from ..api import _load, generate
    from ..generator.loop import RunState
    from ..options import GenerateOptions

    options = options or GenerateOptions()
    loaded = _load(pool, options)
    run = run or RunState()
    run.recorder = Recorder()
    result = generate(loaded, options, run=run)
    return Explanation(loaded, result, run.recorder, (options.rules, options.ignore_default))


def orphan_reasons(pool_rows, result, recorder: Recorder | None = None, options=None) -> dict[str, str]:
    """filename -> why that row of ``result.orphans`` is in no written association.

    With the ``recorder`` of the run that made ``result``, the reasons are the
    generator's own decisions.  Without one they are worked out from each
    orphan row and the rules alone (``options`` names the rule files), which
    costs a few milliseconds per orphan and nothing per associated row.
    """
    from ..pool import Pool

    rules = (options.rules, options.ignore_default) if options is not None else None
    return Explanation(Pool(columns=[], rows=list(pool_rows)), result, recorder, rules).orphan_reasons()


class _CallableModule(types.ModuleType):
    """Importing ``asngen.explain`` replaces the package's lazy ``explain`` function with this
    module; making the module callable keeps ``asngen.explain(pool)`` working either way."""

    def __call__(self, *args, **kwargs):
        return explain(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule


__all__ = [
    "AssociationExplanation", "Explanation", "ExposureExplanation", "MemberWhy", "Placement",
    "Recorder", "Refusal", "RuleDecision", "explain", "orphan_reasons",
]
