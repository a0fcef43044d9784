"""The benchmark's wait for a slow disk (benchmarks/measuring.py: settle_disk).

The probes themselves are real file creations; what is tested is the
decision: wait while the disk is more than SETTLED_RATIO times slower than
memory, stop waiting at the limit, and say which it was.
"""

from __future__ import annotations

from pathlib import Path

from tests.pools import benchmark_module

measuring = benchmark_module("measuring")


def test_probe_creates_the_files_and_keeps_them(tmp_path):
    seconds = measuring.disk_probe(tmp_path)
    assert seconds > 0
    (folder,) = list(tmp_path.iterdir())
    files = list(folder.iterdir())
    assert len(files) == measuring.PROBE_FILES
    assert all(f.stat().st_size == measuring.PROBE_BYTES for f in files)


def _scripted(monkeypatch, tmp_path, disk_times: list[float], memory_time: float = 0.01):
    """settle_disk with probes that take the given times, and no real sleeping."""
    memory = tmp_path / "memory"
    memory.mkdir()
    disk = tmp_path / "disk"
    disk.mkdir()
    clock = [0.0]
    remaining = list(disk_times)

    def probe(folder: Path) -> float:
        return memory_time if str(folder).startswith(str(memory)) else remaining.pop(0)

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    monkeypatch.setattr(measuring, "MEMORY_FOLDER", memory)
    monkeypatch.setattr(measuring, "disk_probe", probe)
    monkeypatch.setattr(measuring.time, "sleep", sleep)
    monkeypatch.setattr(measuring.time, "monotonic", lambda: clock[0])
    return disk, remaining


def test_a_well_disk_is_not_waited_for(monkeypatch, tmp_path):
    disk, remaining = _scripted(monkeypatch, tmp_path, [0.02])
    state = measuring.settle_disk(disk, limit_s=300)
    assert state.settled and state.waited_s == 0 and state.disk_s == [0.02]
    assert "after waiting" not in state.line() and "SLOW" not in state.line()


def test_a_slow_disk_is_waited_for_until_it_recovers(monkeypatch, tmp_path):
    disk, remaining = _scripted(monkeypatch, tmp_path, [0.09, 0.12, 0.025, 0.5])
    state = measuring.settle_disk(disk, limit_s=300, pause_s=15)
    assert state.settled
    assert state.disk_s == [0.09, 0.12, 0.025]  # stopped at the first probe within 3x memory
    assert state.waited_s == 30
    assert remaining == [0.5]
    assert "after waiting 30 s (first probe 90.0 ms)" in state.line()


def test_a_disk_still_slow_at_the_limit_is_reported(monkeypatch, tmp_path):
    disk, _ = _scripted(monkeypatch, tmp_path, [0.09] * 10)
    state = measuring.settle_disk(disk, limit_s=40, pause_s=15)
    assert not state.settled
    assert len(state.disk_s) == 3  # the first probe, then two more within 40 s
    assert "STILL SLOW" in state.line()


def test_no_wait_with_a_zero_limit(monkeypatch, tmp_path):
    disk, _ = _scripted(monkeypatch, tmp_path, [0.09, 0.01])
    state = measuring.settle_disk(disk, limit_s=0)
    assert not state.settled and state.disk_s == [0.09]


class _Status:
    def __init__(self, files: int, free: int) -> None:
        self.f_files, self.f_favail = files, free


def test_a_work_folder_without_room_for_the_files_a_run_keeps_is_named(monkeypatch, tmp_path):
    sizes = [1_000_000, 300_000, 100]
    needed = measuring.FILES_PER_ROW * sum(sizes) + measuring.ROOM_SLACK
    monkeypatch.setattr(measuring.os, "statvfs", lambda folder: _Status(3_091_426, needed - 1))
    why = measuring.short_of_room(tmp_path, sizes)
    assert why is not None and str(tmp_path) in why and f"{needed:,}" in why and f"{needed - 1:,}" in why
    monkeypatch.setattr(measuring.os, "statvfs", lambda folder: _Status(3_091_426, needed))
    assert measuring.short_of_room(tmp_path, sizes) is None
    monkeypatch.setattr(measuring.os, "statvfs", lambda folder: _Status(0, 0))  # no limit on files
    assert measuring.short_of_room(tmp_path, sizes) is None


def test_the_real_work_folder_is_asked(tmp_path):
    assert measuring.short_of_room(tmp_path, [10]) is None  # a few thousand files fit anywhere
