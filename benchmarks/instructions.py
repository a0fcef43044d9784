"""Count the machine instructions one ``asngen generate`` run executes (A/B of a speed change).

    python benchmarks/instructions.py POOL [POOL ...] [--asngen CMD] [--generate-args "OPTS"]
    python benchmarks/instructions.py POOL --asngen "python -m asngen" --pythonpath A/src --pythonpath B/src

Wall and CPU seconds on the development VM drift by a third from one hour
to the next, so a change worth 3% cannot be seen in them, however often it
is timed.  The number of instructions a run executes hardly moves: this
script runs the command under valgrind's cachegrind (``--cache-sim=no``:
instructions only, about 30 times slower than a plain run) with a fixed
hash seed, outputs on ``--dry-run``, one process (``-j 1``), and prints the
count.  ``--write`` counts the files' making and writing too (into a scratch
folder; a dry run makes no texts).  Two runs of the same build give the same count to within a few
hundred instructions in several billion.

With several ``--pythonpath`` folders (source trees, each built in place)
every pool is counted for each, side by side, the first being the base of
the percentages.  Fewer instructions is not always less time (memory and
cache behaviour differ), so a change this shows should still be timed with
``run.py`` before it is called faster.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def count(command: list[str], pool: Path, generate_args: list[str], pythonpath: str | None,
          write: bool = False) -> int:
    """Instructions executed by one run of ``command generate pool`` (``write``: not a dry run)."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    with tempfile.TemporaryDirectory(prefix="asngen-instructions-") as scratch:
        out = Path(scratch) / "cachegrind.out"
        run = subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}",
             *command, "generate", str(pool), "-p", str(Path(scratch) / "asn"),
             *([] if write else ["--dry-run"]), "-j", "1", *generate_args],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
        )
        if run.returncode != 0:
            own = [line for line in run.stderr.splitlines() if line.strip() and not line.startswith("==")]
            raise SystemExit(f"instructions: {pool}: the run failed (exit {run.returncode}): "
                             f"{own[-1] if own else 'no message'}")
        for line in out.read_text().splitlines():
            if line.startswith("summary:"):
                return int(line.split()[1])
    raise SystemExit(f"instructions: {pool}: cachegrind wrote no summary")


def precompile(pythonpath: str | None) -> Path | None:
    """Byte-compile the asngen package a count runs (the one on ``pythonpath``, else the one
    this Python imports); returns its folder (None: not found).

    With ``PYTHONDONTWRITEBYTECODE`` set (as on the development VM), a tree
    copied without its ``__pycache__`` compiles every pure-Python module of
    the package again at each run: millions of instructions that no
    installed asngen executes, counted in that tree's column only.  (The
    thirty-second session's first A/B of a change showed -8.7% against a
    base in that state; compiled, -0.4%.)
    """
    import compileall

    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    found = subprocess.run(
        [sys.executable, "-c", "import asngen, os; print(os.path.dirname(asngen.__file__))"],
        env=env, capture_output=True, text=True, check=False,
    )
    if found.returncode != 0 or not found.stdout.strip():
        return None
    folder = Path(found.stdout.strip())
    compileall.compile_dir(str(folder), quiet=1)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pools", nargs="+", type=Path)
    parser.add_argument("--asngen", default=None, help="command to run (default: the asngen beside this Python)")
    parser.add_argument("--generate-args", default="", help="more options for asngen generate")
    parser.add_argument("--pythonpath", action="append", default=[],
                        help="a PYTHONPATH to count with (repeat to compare builds)")
    parser.add_argument("--write", action="store_true",
                        help="write the files (the default is a dry run, which makes no JSON texts)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (it counts the instructions)")
    for pool in args.pools:
        if not pool.is_file():
            parser.error(f"{pool}: no such file")
    if args.asngen:
        command = shlex.split(args.asngen)
    else:
        beside = Path(sys.executable).with_name("asngen")
        command = [str(beside)] if beside.exists() else [sys.executable, "-m", "asngen"]
    builds = args.pythonpath or [None]
    extra = shlex.split(args.generate_args)
    for build in builds:
        precompile(build)
    print("pool".ljust(36) + "".join(f"{(build or 'installed')[-28:]:>30}" for build in builds))
    for pool in args.pools:
        counts = [count(command, pool, extra, build, args.write) for build in builds]
        cells = [f"{counts[0]:>30,}"]
        for value in counts[1:]:
            cells.append(f"{value:>19,} ({(value - counts[0]) / counts[0]:+6.1%})")
        print(pool.name[:35].ljust(36) + "".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
