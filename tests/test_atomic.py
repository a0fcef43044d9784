"""All-or-nothing output: killed or failed runs never leave half a set of files.

``asngen generate`` writes its files into a staging folder inside the target
folder, then moves them in place one ``os.replace`` at a time (a target that
does not exist yet is staged beside it and renamed into place whole: see the
last tests).  These tests check what a user of the target folder can observe:

* a run killed with SIGKILL while it writes leaves every file of the target
  either as it was or as the complete run writes it -- never truncated, never
  half written -- and the next run removes the leftover staging folder and
  completes the set;
* a run killed before the move phase leaves the folder exactly as it was;
* a run that fails (bad option, bad rule file, bad pool) leaves the folder
  exactly as it was and says why in one line;
* an existing file of the same name is replaced whole: a reader that opened
  it before the run still reads the old text, entirely.

To land a SIGKILL in a given phase reliably, two tests run asngen through a
small wrapper that slows down one step (each ``open`` of the staging files,
or each ``os.replace``) by a few milliseconds; the code under test is
otherwise unchanged.  A third kills an unmodified run as soon as its staging
folder appears.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from asngen.api import generate
from asngen.cli.main import main
from asngen.options import GenerateOptions
from asngen.output import STAGING_PREFIX

from .conftest import REPO
from .pools import exposure, pool_text

#: rows of the synthetic pool: about 1,700 association files, a few seconds to generate
POOL_ROWS = 1500
POOL_SEED = 7
VERSION = ["--version-id", "atomic"]
UNRELATED = "notes.txt"

#: Run asngen's CLI, optionally slowing one output step: argv[1] is "write" (each
#: file written into the staging folder), "replace" (each os.replace), "replace-into-target" (each
#: os.replace from the staging folder into the target) or "none"; argv[2] is the
#: delay in seconds, the rest asngen's arguments.
WRAPPER = r"""
import os, sys, time
import asngen.output as output
step, delay = sys.argv[1], float(sys.argv[2])
if step == "write":
    real_write = output._write_file
    def slow_write(*args, **kwargs):
        time.sleep(delay)
        return real_write(*args, **kwargs)
    output._write_file = slow_write
elif step in ("replace", "replace-into-target"):
    real_replace = os.replace
    def slow_replace(src, dst, *args, **kwargs):
        into_target = output.STAGING_PREFIX in str(src) and output.STAGING_PREFIX not in str(dst)
        if step == "replace" or into_target:
            time.sleep(delay)
        return real_replace(src, dst, *args, **kwargs)
    os.replace = slow_replace
from asngen.cli.main import main
sys.exit(main(sys.argv[3:]))
"""


# ------------------------------------------------------------------ helpers


def snapshot(folder: Path, staging: bool = False) -> dict[str, bytes]:
    """Top-level files of ``folder`` (name -> bytes); staging folders only if asked."""
    found = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(STAGING_PREFIX):
            if staging:
                found[path.name + "/"] = b""
            continue
        found[path.name + ("/" if path.is_dir() else "")] = b"" if path.is_dir() else path.read_bytes()
    return found


def staging_folders(folder: Path) -> list[Path]:
    return [path for path in folder.iterdir() if path.name.startswith(STAGING_PREFIX)]


def old_text(name: str) -> bytes:
    return f"OLD {name}: written before the run, must stay whole\n".encode()


def fill_with_old(folder: Path, names) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(old_text(name))
    (folder / UNRELATED).write_bytes(b"not asngen's\n")
    return snapshot(folder)


def asngen_process(argv: list[str], stderr_path: Path, step: str = "none", delay: float = 0.0):
    return subprocess.Popen(
        [sys.executable, "-c", WRAPPER, step, str(delay), *argv],
        stdout=subprocess.DEVNULL,
        stderr=stderr_path.open("wb"),
        cwd=stderr_path.parent,
    )


def kill_when(process: subprocess.Popen, condition: Callable[[], bool], timeout: float = 600) -> None:
    """SIGKILL ``process`` as soon as ``condition()`` holds; fail if it ends first."""
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if condition():
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.0005)
    finally:
        if process.poll() is None and time.monotonic() >= deadline:
            process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL, (
        f"the run ended by itself (exit {process.returncode}) before the moment to kill it"
    )


def assert_each_file_old_or_new(folder: Path, before: dict[str, bytes], new: dict[str, bytes]) -> dict:
    """Every file is still there and whole: its old bytes or the complete run's bytes.  Counts both."""
    now = snapshot(folder)
    assert set(now) <= set(before) | set(new), f"unexpected files: {sorted(set(now) - set(before) - set(new))[:5]}"
    missing = sorted(set(before) - set(now))
    assert not missing, f"{len(missing)} files vanished, e.g. {missing[:3]}"
    tally = {"old": 0, "new": 0}
    for name, data in now.items():
        if name in before and data == before[name]:
            tally["old"] += 1
        elif name in new and data == new[name]:
            tally["new"] += 1
        else:
            pytest.fail(f"{name} is neither its old nor its new content ({len(data)} bytes)")
    return tally


def assert_repaired_by_next_run(pool: Path, target: Path, new: dict[str, bytes], stderr: Path) -> None:
    """A run after the kill removes the dead run's staging folder and completes the set."""
    process = asngen_process(["generate", str(pool), *VERSION, "-p", str(target)], stderr)
    assert process.wait() == 0, stderr.read_text()
    final = snapshot(target, staging=True)
    assert not [name for name in final if name.startswith(STAGING_PREFIX)], "staging folder left"
    assert {name: final[name] for name in new} == new
    assert final[UNRELATED] == b"not asngen's\n"


# ----------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """A synthetic pool and the files a complete, undisturbed run writes from it."""
    work = tmp_path_factory.mktemp("atomic")
    pool = work / "synthetic_pool.csv"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "make_pool.py"), "--rows", str(POOL_ROWS),
         "--seed", str(POOL_SEED), "-o", str(pool)],
        check=True,
    )
    out = work / "complete"
    stderr = work / "complete.err"
    process = asngen_process(["generate", str(pool), *VERSION, "-p", str(out)], stderr)
    assert process.wait() == 0, stderr.read_text()
    new = snapshot(out)
    assert len(new) > 1000, "the pool should give many files, so that writing takes a while"
    return pool, new


# ------------------------------------------------------------ SIGKILL tests


def test_sigkill_while_writing_staging_files_leaves_folder_as_it_was(big, tmp_path):
    pool, new = big
    target = tmp_path / "target"
    before = fill_with_old(target, new)
    stderr = tmp_path / "run.err"
    process = asngen_process(
        ["generate", str(pool), *VERSION, "-p", str(target)], stderr, step="write", delay=0.002
    )

    kill_when(process, lambda: _staging_holds(target, len(new) // 3))
    assert snapshot(target) == before
    assert staging_folders(target), "the kill should have hit the staging phase"
    assert_repaired_by_next_run(pool, target, new, tmp_path / "repair.err")


def test_sigkill_while_moving_files_in_place_leaves_only_whole_files(big, tmp_path):
    """Killed between two renames: some names new, the rest old, none damaged.

    (A set of renames in a shared folder cannot be one atomic step: a kill in
    this phase leaves a mix of old and new files until the next run.)
    """
    pool, new = big
    target = tmp_path / "target"
    before = fill_with_old(target, new)
    stderr = tmp_path / "run.err"
    process = asngen_process(
        ["generate", str(pool), *VERSION, "-p", str(target)], stderr, step="replace", delay=0.002
    )
    moved_enough = len(new) // 4
    peak = [0]

    def some_moved() -> bool:
        """Staging has started to shrink (files written only add to it) by a quarter."""
        entries = staging_entries(target)
        if entries is None:
            return False
        left = len(entries)
        peak[0] = max(peak[0], left)
        return left < peak[0] and left <= len(new) - moved_enough

    kill_when(process, some_moved)
    tally = assert_each_file_old_or_new(target, before, new)
    assert tally["new"] >= moved_enough
    assert snapshot(target)[UNRELATED] == before[UNRELATED]
    assert_repaired_by_next_run(pool, target, new, tmp_path / "repair.err")


def staging_entries(target: Path) -> list[str] | None:
    """What the run's staging folder holds now; None while there is none."""
    folders = staging_folders(target)
    if not folders:
        return None
    try:
        return os.listdir(folders[0])
    except FileNotFoundError:
        return None


def _staging_holds(target: Path, count: int) -> bool:
    entries = staging_entries(target)
    return entries is not None and len(entries) >= count


def test_sigkill_while_moving_files_in_place_never_loses_a_name(big, tmp_path):
    pool, new = big
    target = tmp_path / "target"
    before = fill_with_old(target, new)
    stderr = tmp_path / "run.err"
    process = asngen_process(
        ["generate", str(pool), *VERSION, "-p", str(target)], stderr,
        step="replace-into-target", delay=0.05,
    )

    peak = [0]

    def move_phase_started() -> bool:
        """Staging holds a backup of a replaced file, or has started to give up its files."""
        entries = staging_entries(target)
        if entries is None:
            return False
        peak[0] = max(peak[0], len(entries))
        return len(entries) < peak[0] or any(entry.startswith(".previous") for entry in entries)

    kill_when(process, move_phase_started)
    assert_each_file_old_or_new(target, before, new)


@pytest.mark.parametrize("moment", ["staging folder appears", "half the files staged"])
def test_sigkill_of_an_unmodified_run(moment, big, tmp_path):
    pool, new = big
    target = tmp_path / "target"
    before = fill_with_old(target, new)
    stderr = tmp_path / "run.err"
    process = asngen_process(["generate", str(pool), *VERSION, "-p", str(target)], stderr)
    wanted = 0 if moment == "staging folder appears" else len(new) // 2
    kill_when(process, lambda: _staging_holds(target, wanted))
    # Without a slowed-down step the moment is only roughly known (the kill
    # may land in the move phase), so only what holds in every phase is checked.
    assert_each_file_old_or_new(target, before, new)


def test_staging_folder_of_a_run_killed_right_after_creating_it_is_removed(small, tmp_path):
    pool, names = small
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    target = tmp_path / "target"
    fill_with_old(target, names)
    leftover = target / f"{STAGING_PREFIX}{dead.pid}-k3j_x9qz"
    leftover.mkdir()
    (leftover / names[0]).write_text("half")
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target)])
    assert status == 0, stderr
    assert not staging_folders(target)


# --------------------------------------------------- replaced whole, in-process


@pytest.fixture
def small(tmp_path) -> tuple[Path, list[str]]:
    """A small pool and the names of the files it gives, in the order they are written."""
    rows = [
        exposure(f"jw_{number:05d}_uncal.fits", OBS_NUM=str(number % 2 + 1),
                 ASN_CANDIDATE=f"[('o00{number % 2 + 1}', 'observation')]")
        for number in range(6)
    ]
    pool = tmp_path / "small_pool.csv"
    pool.write_text(pool_text(rows))
    result = generate(pool, GenerateOptions(version_id="atomic"))
    names = [name for name, _ in result.files]
    assert len(names) > 3
    return pool, names


def run_cli(argv: list[str]) -> tuple[int, str]:
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(argv)
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return status, stderr.getvalue()


def test_existing_files_are_replaced_whole(small, tmp_path):
    pool, names = small
    target = tmp_path / "target"
    before = fill_with_old(target, names)
    handles = {name: (target / name).open("rb") for name in names}
    try:
        status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target)])
        assert status == 0, stderr
        for name, handle in handles.items():
            assert handle.read() == before[name], "the old file was changed in place"
    finally:
        for handle in handles.values():
            handle.close()
    after = snapshot(target, staging=True)
    assert set(after) == set(before)
    assert after[UNRELATED] == before[UNRELATED]
    for name in names:
        assert json.loads(after[name])["asn_id"]


# ------------------------------------------- failing runs leave the folder alone


def write_rule_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


FAILING_RUNS = {
    "unknown format": (["--format", "xml"], 2, None),
    "exclusive options": (["--discover", "--all-candidates"], 2, None),
    "missing pool": (["{tmp}/no_such_pool.csv"], 1, "no_such_pool.csv"),
    "rule file syntax error": (
        ["-r", "{rules:bad_syntax.py:RULES = [\n\ndef broken(:\n    pass\n}"], 1, "bad_syntax.py, line 3"),
    "rule file raises on import": (
        ["-r", "{rules:raises.py:x = 1\nraise ValueError('no rules today')\n}"], 1, "raises.py, line 2"),
    "rule file without rules": (["-r", "{rules:empty.py:x = 1\n}"], 1, "empty.py"),
    "rule file missing": (["-r", "{tmp}/no_such_rules.py"], 1, "no_such_rules.py"),
    "ignore default without rules": (["--ignore-default"], 1, "No rule definition files"),
    "orphan file name with a slash": (["--save-orphans", "sub/orphans.csv"], 1, "sub/orphans.csv"),
}


def _expand(argument: str, tmp_path: Path) -> str:
    if argument.startswith("{rules:"):
        name, _, text = argument[len("{rules:"):-1].partition(":")
        return str(write_rule_file(tmp_path, name, text))
    return argument.replace("{tmp}", str(tmp_path))


@pytest.mark.parametrize("case", sorted(FAILING_RUNS))
def test_failing_run_leaves_folder_untouched(case, small, tmp_path):
    pool, names = small
    options, status_wanted, must_name = FAILING_RUNS[case]
    options = [_expand(option, tmp_path) for option in options]
    target = tmp_path / "target"
    before = fill_with_old(target, names)
    if options and options[0].endswith("no_such_pool.csv"):
        argv = ["generate", options[0], *VERSION, "-p", str(target)]
    else:
        argv = ["generate", str(pool), *VERSION, "-p", str(target), *options]
    status, stderr = run_cli(argv)
    assert status == status_wanted, stderr
    assert "Traceback" not in stderr
    assert snapshot(target, staging=True) == before
    if status_wanted == 1:
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("asngen generate: error: "), stderr
        assert must_name in lines[0], lines[0]
    else:  # argparse: usage, then the error line
        assert stderr.strip().splitlines()[-1].startswith("asngen generate: error: "), stderr


def test_strict_run_with_unclassifiable_row_leaves_folder_untouched(tmp_path):
    rows = [exposure(f"jw_{number:05d}_uncal.fits") for number in range(4)]
    rows[2]["EXP_TYPE"] = "NULL"
    pool = tmp_path / "pool.csv"
    pool.write_text(pool_text(rows))
    lenient = generate(pool, GenerateOptions(version_id="atomic"))
    target = tmp_path / "target"
    before = fill_with_old(target, [name for name, _ in lenient.files])
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target), "--strict"])
    assert status == 1
    assert stderr.strip() == (
        f"asngen generate: error: {pool}, row 3, column 'exp_type': exposure type cannot be "
        "determined (EXP_TYPE is empty and PNTGTYPE is science)"
    )
    assert snapshot(target, staging=True) == before


def test_failure_while_moving_files_in_place_restores_the_folder(small, tmp_path):
    pool, names = small
    target = tmp_path / "target"
    fill_with_old(target, names[:-1])
    (target / names[-1]).mkdir()  # the last file to be moved cannot replace a folder
    before = snapshot(target)
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target)])
    assert status == 1
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert snapshot(target, staging=True) == before


# --------------------------------------------- user rule code failing at run time


def test_user_rule_code_failing_while_generating_names_the_rule_file(small, tmp_path):
    pool, names = small
    rules = write_rule_file(tmp_path, "finalize_fails.py", (
        "from asngen.rules.rules_level3 import RULES\n"
        "\n"
        "def FINALIZE(associations, state):\n"
        "    raise RuntimeError('this rule file is broken')\n"
    ))
    target = tmp_path / "target"
    before = fill_with_old(target, names)
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target), "-r", str(rules)])
    assert snapshot(target, staging=True) == before
    assert status == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("asngen generate: error: "), stderr
    assert f"{rules}, line 4" in lines[0]


def test_rule_file_exiting_on_import_is_a_one_line_error(small, tmp_path):
    pool, names = small
    rules = write_rule_file(tmp_path, "exits.py", "import sys\nsys.exit(3)\n")
    target = tmp_path / "target"
    before = fill_with_old(target, names)
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target), "-r", str(rules)])
    assert snapshot(target, staging=True) == before
    assert status == 1
    assert stderr.strip().startswith(f"asngen generate: error: {rules}, line 2"), stderr


def test_too_long_file_name_is_a_one_line_error(tmp_path):
    rows = [exposure(f"jw_{number:05d}_uncal.fits", PROGRAM="9" * 300) for number in range(3)]
    pool = tmp_path / "pool.csv"
    pool.write_text(pool_text(rows))
    target = tmp_path / "target"
    target.mkdir()
    (target / UNRELATED).write_text("not asngen's\n")
    before = snapshot(target, staging=True)
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target)])
    assert status == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"asngen generate: error: {target}: "), stderr
    assert "too long" in lines[0]
    assert snapshot(target, staging=True) == before


def test_the_written_paths_are_a_sequence_made_on_demand(tmp_path: Path) -> None:
    from asngen.output import write_files_atomically

    files = [("b.json", "1"), ("a.json", lambda: "2")]
    written = write_files_atomically(tmp_path / "out", files)
    expected = [tmp_path / "out" / "b.json", tmp_path / "out" / "a.json"]
    assert written == expected and list(written) == expected
    assert len(written) == 2 and written[-1] == expected[1] and written[:1] == expected[:1]
    assert [path.read_text() for path in written] == ["1", "2"]
    (only,) = write_files_atomically(tmp_path / "other", [("c.json", "3")])
    assert only.read_text() == "3"


def test_pending_association_files_are_made_when_read_and_end_with_the_extra_ones(tmp_path: Path) -> None:
    from asngen.api import AssociationFiles

    files = AssociationFiles("json")
    files.add("x_asn.json", {"asn_id": "o001"})
    pending = files.pending([("orphans.csv", "text")])
    assert len(pending) == 2
    name, make = pending[0]
    assert name == "x_asn.json" and json.loads(make()) == {"asn_id": "o001"}
    assert pending[-1] == ("orphans.csv", "text")
    with pytest.raises(IndexError):
        pending[2]


# ------------------------------------------------- a folder that does not exist yet


def test_new_folder_is_built_beside_and_renamed_into_place(small, tmp_path, monkeypatch):
    """Into a new folder the files are not moved one by one: the whole folder is renamed once."""
    pool, names = small
    target = tmp_path / "deeper" / "target"
    renames: list[tuple[str, str]] = []

    def recorded(real):
        def move(src, dst, *args, **kwargs):
            renames.append((os.fspath(src), os.fspath(dst)))
            return real(src, dst, *args, **kwargs)
        return move

    monkeypatch.setattr(os, "rename", recorded(os.rename))
    monkeypatch.setattr(os, "replace", recorded(os.replace))
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target)])
    assert status == 0, stderr
    assert sorted(snapshot(target, staging=True)) == sorted(names)
    assert len(renames) == 1 and renames[0][1] == str(target)
    assert Path(renames[0][0]).parent == target.parent
    assert Path(renames[0][0]).name.startswith(STAGING_PREFIX)
    assert sorted(os.listdir(target.parent)) == ["target"]  # no staging folder left beside it


def test_new_folder_gets_the_permissions_mkdir_gives(small, tmp_path):
    pool, _ = small
    old_umask = os.umask(0o027)
    try:
        (tmp_path / "made_by_mkdir").mkdir()
        status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(tmp_path / "target")])
    finally:
        os.umask(old_umask)
    assert status == 0, stderr
    assert (tmp_path / "target").stat().st_mode == (tmp_path / "made_by_mkdir").stat().st_mode


def test_new_folder_that_appears_meanwhile_gets_the_files_moved_in(small, tmp_path, monkeypatch):
    """Another run (or a user) made the folder while this run wrote: its files are kept, ours
    are moved in one by one, as into any existing folder."""
    pool, names = small
    _a_file_appears_before_the_rename(pool, names, tmp_path / "target", monkeypatch)


def _a_file_appears_before_the_rename(pool: Path, names: list[str], target: Path, monkeypatch) -> None:
    """Someone puts a file into ``target`` (making it if need be) just before the run renames
    its staging folder there: that file stays, and the run's files are moved in beside it."""
    real_rename = os.rename

    def rename(src, dst, *args, **kwargs):
        if os.fspath(dst) == str(target) and not (target / UNRELATED).exists():
            target.mkdir(exist_ok=True)
            (target / UNRELATED).write_text("not asngen's\n")
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target)])
    assert status == 0, stderr
    after = snapshot(target, staging=True)
    assert sorted(after) == sorted([*names, UNRELATED])
    assert after[UNRELATED] == b"not asngen's\n"
    assert sorted(os.listdir(target.parent)) == sorted([pool.name, "target"])


def _pool_with_too_long_names(tmp_path: Path) -> Path:
    """A pool whose association file names are too long to be written."""
    rows = [exposure(f"jw_{number:05d}_uncal.fits", PROGRAM="9" * 300) for number in range(3)]
    pool = tmp_path / "pool.csv"
    pool.write_text(pool_text(rows))
    return pool


def test_failing_run_into_a_new_folder_leaves_nothing(tmp_path):
    pool = _pool_with_too_long_names(tmp_path)
    target = tmp_path / "target"
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target)])
    assert status == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"asngen generate: error: {target}: "), stderr
    assert "too long" in lines[0]
    assert sorted(os.listdir(tmp_path)) == ["pool.csv"]


def test_sigkill_while_writing_a_new_folder_leaves_no_folder(big, tmp_path):
    pool, new = big
    target = tmp_path / "target"
    stderr = tmp_path / "run.err"
    process = asngen_process(
        ["generate", str(pool), *VERSION, "-p", str(target)], stderr, step="write", delay=0.002
    )
    kill_when(process, lambda: _staging_holds(tmp_path, len(new) // 3))
    assert not target.exists()
    assert staging_folders(tmp_path), "the kill should have hit the staging phase"
    process = asngen_process(["generate", str(pool), *VERSION, "-p", str(target)], tmp_path / "again.err")
    assert process.wait() == 0, (tmp_path / "again.err").read_text()
    assert not staging_folders(tmp_path), "the dead run's staging folder is removed"
    assert snapshot(target, staging=True) == new


def test_association_file_names_are_made_when_read(tmp_path: Path) -> None:
    """A run's files name each association from it when the name is read, and the written
    paths keep reading those names (a million names held at once are a run's peak)."""
    from asngen.api import AssociationFiles, generate, write_result

    from .pools import exposure, write_pool

    rows = [exposure(f"jw99009001001_0210{n}_00001_mirimage_uncal.fits") for n in range(1, 4)]
    result = generate(str(write_pool(tmp_path, rows)))
    files = result.files
    assert isinstance(files, AssociationFiles)
    assert all(entry.__class__ is not str for entry in files._names)  # associations, not names
    expected = [asn.asn_name() + ".json" for asn in result.associations]
    assert files.names() == expected and [name for name, _ in files] == expected
    paths = write_result(result, tmp_path / "out")
    assert [path.name for path in paths] == expected
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == sorted(expected)


# ------------------------------------------------- an existing folder that is empty


def test_empty_folder_is_replaced_by_one_rename_keeping_its_permissions(small, tmp_path, monkeypatch):
    pool, names = small
    target = tmp_path / "target"
    target.mkdir()
    target.chmod(0o750)
    before = target.stat()
    renames: list[tuple[str, str]] = []
    real_rename, real_replace = os.rename, os.replace

    def rename(src, dst, *args, **kwargs):
        renames.append((os.fspath(src), os.fspath(dst)))
        return real_rename(src, dst, *args, **kwargs)

    def replace(src, dst, *args, **kwargs):
        renames.append((os.fspath(src), os.fspath(dst)))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(os, "replace", replace)
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target)])
    assert status == 0, stderr
    assert sorted(snapshot(target, staging=True)) == sorted(names)
    assert len(renames) == 1 and renames[0][1] == str(target)
    after = target.stat()
    assert after.st_ino != before.st_ino  # a new folder took its place
    assert (after.st_mode, after.st_uid, after.st_gid) == (before.st_mode, before.st_uid, before.st_gid)
    assert sorted(os.listdir(tmp_path)) == sorted([pool.name, "target"])


def _files_moved_in(pool: Path, target: Path, names: list[str]) -> None:
    """The run wrote into ``target`` itself (the same folder), file by file."""
    inode = target.stat().st_ino
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target)])
    assert status == 0, stderr
    assert target.stat().st_ino == inode
    assert sorted(snapshot(target, staging=True)) == sorted(names)
    assert not staging_folders(target.parent) and not staging_folders(target)


def test_empty_folder_that_is_the_working_folder_is_written_into(small, tmp_path, monkeypatch):
    pool, names = small
    target = tmp_path / "target"
    target.mkdir()
    monkeypatch.chdir(target)  # a shell inside it would otherwise be left in a deleted folder
    _files_moved_in(pool, target, names)


def test_empty_folder_inside_the_working_folder_is_replaced(small, tmp_path, monkeypatch):
    pool, names = small
    target = tmp_path / "target"
    target.mkdir()
    monkeypatch.chdir(tmp_path)
    inode = target.stat().st_ino
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", "target"])
    assert status == 0, stderr
    assert target.stat().st_ino != inode
    assert sorted(snapshot(target, staging=True)) == sorted(names)


def test_empty_folder_with_extended_attributes_is_written_into(small, tmp_path, monkeypatch):
    pool, names = small
    target = tmp_path / "target"
    target.mkdir()
    monkeypatch.setattr(os, "listxattr", lambda path, follow_symlinks=True: ["system.posix_acl_default"],
                        raising=False)
    _files_moved_in(pool, target, names)


def test_empty_folder_that_fills_meanwhile_gets_the_files_moved_in(small, tmp_path, monkeypatch):
    pool, names = small
    target = tmp_path / "target"
    target.mkdir()
    _a_file_appears_before_the_rename(pool, names, target, monkeypatch)


def test_failing_run_into_an_empty_folder_leaves_it_as_it_was(tmp_path):
    pool = _pool_with_too_long_names(tmp_path)
    target = tmp_path / "target"
    target.mkdir()
    inode = target.stat().st_ino
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(target)])
    assert status == 1 and "too long" in stderr
    assert target.stat().st_ino == inode and not os.listdir(target)
    assert sorted(os.listdir(tmp_path)) == ["pool.csv", "target"]


def test_sigkill_while_replacing_an_empty_folder_leaves_it_empty(big, tmp_path):
    pool, new = big
    target = tmp_path / "target"
    target.mkdir()
    stderr = tmp_path / "run.err"
    process = asngen_process(
        ["generate", str(pool), *VERSION, "-p", str(target)], stderr, step="write", delay=0.002
    )
    kill_when(process, lambda: _staging_holds(tmp_path, len(new) // 3))
    assert target.is_dir() and not os.listdir(target)
    assert staging_folders(tmp_path), "the kill should have hit the staging phase"
    process = asngen_process(["generate", str(pool), *VERSION, "-p", str(target)], tmp_path / "again.err")
    assert process.wait() == 0, (tmp_path / "again.err").read_text()
    assert not staging_folders(tmp_path), "the dead run's staging folder is removed"
    assert snapshot(target, staging=True) == new


# ------------------------------------------------- writing with several processes


def _pairs(count: int, made: list | None = None) -> list:
    """``count`` (name, make_text) pairs; texts are made when called."""
    def maker(number: int):
        def make() -> str:
            if made is not None:
                made.append(number)
            return json.dumps({"number": number, "pid_free": "x" * (number % 50)})
        return make
    return [(f"file_{number:05d}.json", maker(number)) for number in range(count)]


def _contents(folder: Path) -> dict[str, bytes]:
    return {entry.name: entry.read_bytes() for entry in folder.iterdir()}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="shared writing forks, on Linux")
@pytest.mark.parametrize("processes", [2, 3])
def test_files_written_by_several_processes_are_those_of_one(tmp_path, processes):
    from asngen.output import write_files_atomically

    write_files_atomically(tmp_path / "one", _pairs(1600))
    made: list[int] = []
    write_files_atomically(tmp_path / "many", _pairs(1600, made), processes)
    assert _contents(tmp_path / "many") == _contents(tmp_path / "one")
    assert len(made) < 1600  # the other shares' texts were made in the forked processes


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="shared writing forks, on Linux")
def test_a_share_whose_process_failed_is_written_here(tmp_path, monkeypatch):
    from asngen import output

    real_write_range = output._write_range

    def refuse(staging, files, start, stop, target, parent=None):
        if parent is not None:
            raise OSError("no")
        return real_write_range(staging, files, start, stop, target, parent)

    monkeypatch.setattr(output, "_write_range", refuse)  # every forked writer fails at once
    made: list[int] = []
    output.write_files_atomically(tmp_path / "many", _pairs(1200, made), 2)
    output.write_files_atomically(tmp_path / "one", _pairs(1200))
    assert _contents(tmp_path / "many") == _contents(tmp_path / "one")
    assert sorted(made) == list(range(1200))  # all made here


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="shared writing forks, on Linux")
def test_an_error_in_a_forked_share_is_reported_as_without_forking(tmp_path):
    from asngen.errors import AsngenError
    from asngen.output import write_files_atomically

    pairs = _pairs(1200)
    pairs[1100] = ("x" * 300 + ".json", pairs[1100][1])  # too long a name, in the second share
    messages = []
    for processes in (1, 2):
        with pytest.raises(AsngenError) as caught:
            write_files_atomically(tmp_path / f"out{processes}", pairs, processes)
        messages.append(str(caught.value).replace(f"out{processes}", "out"))
    assert messages[0] == messages[1] and "too long" in messages[0]
    assert sorted(os.listdir(tmp_path)) == []


def test_a_name_given_twice_keeps_the_last_text_with_several_processes(tmp_path):
    from asngen.output import write_files_atomically

    pairs = _pairs(1200)
    pairs.append((pairs[0][0], lambda: "the last one\n"))
    write_files_atomically(tmp_path / "out", pairs, 2)
    assert (tmp_path / "out" / pairs[0][0]).read_text() == "the last one\n"


@pytest.mark.parametrize("bad", ["", ".", "..", "../escape.json", "sub/dir.json", "/abs.json"])
@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("existing", [False, True])
def test_a_name_that_leaves_the_folder_is_refused_and_nothing_is_written(tmp_path, bad, processes, existing):
    """Names are checked as their files are staged (the last of 1,200 here, so forked writers
    meet it too): the run stops with one line, and the folder is as it was."""
    from asngen.errors import AsngenError
    from asngen.output import write_files_atomically

    target = tmp_path / "out"
    if existing:
        target.mkdir()
        (target / "kept.json").write_text("old")
    before = snapshot(target, staging=True) if existing else None
    pairs = _pairs(1200)
    pairs[-1] = (bad, pairs[-1][1])
    with pytest.raises(AsngenError) as caught:
        write_files_atomically(target, pairs, processes)
    assert "refusing to write a file named" in str(caught.value) and "\n" not in str(caught.value)
    if existing:
        assert snapshot(target, staging=True) == before
    else:
        assert not target.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == (["out"] if existing else [])
    assert not (tmp_path / "escape.json").exists() and not Path("/abs.json").exists()


# --------------------------------------------------- the folder's name, without pathlib

FOLDER_NAMES = [
    "out", "out/", "out//", "./out", "a/./b", "a//b/", "a/../b", "/", "//", "///", "//a/b", "///a",
    "/tmp/x/", ".", "./", "", "..", "../x", "a/.", "a/..", ".hidden", "a b/c ", "x/.asngen-staging-1",
]


@pytest.mark.parametrize("name", FOLDER_NAMES)
def test_the_folder_and_its_parent_are_named_as_pathlib_names_them(name):
    from asngen import output

    folder = output._folder_name(name)
    assert folder == str(Path(name))
    assert output._parent(folder) == str(Path(name).parent)


def test_a_folder_named_with_a_trailing_slash_is_built_beside_its_parent(small, tmp_path):
    pool, names = small
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", f"{tmp_path}/./new//"])
    assert status == 0, stderr
    assert sorted(os.listdir(tmp_path / "new")) == sorted(names)
    assert not staging_folders(tmp_path)


def test_a_dead_runs_staging_folder_beside_a_new_folder_is_removed(small, tmp_path):
    pool, names = small
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = tmp_path / f"{STAGING_PREFIX}{dead.pid}-k3j_x9qz"
    leftover.mkdir()
    (leftover / names[0]).write_text("half")
    alive = tmp_path / f"{STAGING_PREFIX}{os.getppid()}-other"  # a live process's: kept
    alive.mkdir()
    status, stderr = run_cli(["generate", str(pool), *VERSION, "-p", str(tmp_path / "new")])
    assert status == 0, stderr
    assert staging_folders(tmp_path) == [alive]


def test_a_file_the_system_writes_in_parts_is_written_whole(tmp_path, monkeypatch):
    """``os.write`` may take only part of the bytes (a signal, a full disk's last blocks):
    the rest follows until the file is complete."""
    from asngen import output

    real_write = os.write
    calls = []

    def short_write(fd, data):
        calls.append(len(data))
        return real_write(fd, bytes(data[:7]))

    monkeypatch.setattr(os, "write", short_write)
    text = b'{"asn_type": "image3", "products": []}\n' * 3
    output._write_file(str(tmp_path / "a.json"), text)
    assert (tmp_path / "a.json").read_bytes() == text
    assert len(calls) == -(-len(text) // 7)
