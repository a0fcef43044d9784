"""How much explanation recording costs, and that it costs nothing when off.

    python benchmarks/explain_overhead.py [POOL] [--repeat N]

Times in-process generation of POOL (default: the golden corpus's
mega_pool.csv) three ways, best of N CPU times each:

* ``off``: recording off (the default of every command);
* ``off, no hooks``: recording off with the generator's recording hooks
  replaced by a loop that has none (the same loop source with the
  ``recorder`` lines removed), to show the hooks themselves cost nothing
  measurable;
* ``on``: recording on (what ``asngen explain``/``report``/``--save-orphans`` do).
"""

from __future__ import annotations

import argparse
import inspect
import textwrap
import time
from pathlib import Path

from asngen.api import generate
from asngen.explain import Recorder
from asngen.generator import loop
from asngen.generator.loop import RunState
from asngen.options import GenerateOptions

DEFAULT_POOL = Path(__file__).resolve().parents[2] / "shared" / "golden" / "pools" / "mega_pool.csv"


def _without_hooks():
    """The generation loop with every recording statement taken out."""
    source = textwrap.dedent(inspect.getsource(loop.generate))
    kept, skip_indent = [], None
    for line in source.splitlines():
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if skip_indent is not None and indent > skip_indent:
            continue
        skip_indent = None
        if stripped.startswith("if recorder is not None"):
            skip_indent = indent
            continue
        kept.append(line.replace("trace = [] if recorder is not None else None", "trace = None"))
    namespace = dict(vars(loop))
    exec("\n".join(kept), namespace)  # noqa: S102 - our own source, for a measurement
    return namespace["generate"]


def best(pool, repeat: int, recorder: bool) -> float:
    times = []
    for _ in range(repeat):
        run = RunState()
        if recorder:
            run.recorder = Recorder()
        start = time.process_time()
        generate(pool, GenerateOptions(), run=run)
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pool", nargs="?", default=str(DEFAULT_POOL))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    off = best(args.pool, args.repeat, recorder=False)
    original = loop.generate
    loop.generate = _without_hooks()
    try:
        import asngen.generator.drivers as drivers

        drivers.generate = loop.generate
        bare = best(args.pool, args.repeat, recorder=False)
    finally:
        loop.generate = original
        drivers.generate = original
    on = best(args.pool, args.repeat, recorder=True)
    print(f"pool: {args.pool}")
    print(f"recording off:            {off:7.3f} s CPU (best of {args.repeat})")
    print(f"recording off, no hooks:  {bare:7.3f} s CPU  ({(off / bare - 1) * 100:+.1f}% for the hooks)")
    print(f"recording on:             {on:7.3f} s CPU  ({(on / off - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
