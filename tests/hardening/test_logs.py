"""Finding 6: a worker's log is capped and rotated, and its tail is read from the end."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mediaconduit import ProviderCrashedError
from mediaconduit.registry import ProviderRegistry
from mediaconduit.worker.logs import WorkerLog

Hostile = Callable[..., str]

PRINTS_THEN_CRASHES = """
line = "x" * 1023 + "\\n"
for _ in range(12 * 1024):  # 12 MiB
    sys.stdout.write(line)
sys.stdout.flush()
os.write(2, b"last words\\n")
os._exit(5)
"""


def test_finding6_a_worker_printing_without_end_uses_at_most_twice_the_cap(
        registry: ProviderRegistry, hostile: Hostile, monkeypatch: pytest.MonkeyPatch,
        cache_dir: Path) -> None:
    monkeypatch.setenv("MEDIACONDUIT_WORKER_LOG_MB", "1")
    handle = registry.get_provider(hostile(PRINTS_THEN_CRASHES))
    with pytest.raises(ProviderCrashedError) as info:
        handle.get_model("m").transform("x", timeout=60)
    assert info.value.last_lines[-1] == "last words"
    logs = [p for p in (cache_dir / "logs").rglob("worker-*") if p.is_file()]
    total = sum(p.stat().st_size for p in logs)
    assert total <= 2 * 1024 * 1024 + 128 * 1024, f"{total} bytes of logs"
    assert any(p.name.endswith(".log.1") for p in logs)


def test_finding6_the_tail_is_read_by_seeking(tmp_path: Path) -> None:
    path = tmp_path / "worker.log"
    with open(path, "wb") as f:
        f.truncate(8 * 1024**3)  # 8 GiB, sparse: reading it whole would take the memory
        f.seek(0, os.SEEK_END)
        f.write(b"one\ntwo\nthree\n")
    log = WorkerLog(path)
    log.abandon()
    started = time.monotonic()
    assert log.tail(2) == ["two", "three"]
    assert time.monotonic() - started < 1


def test_finding6_rotation_keeps_one_older_file(tmp_path: Path) -> None:
    log = WorkerLog(tmp_path / "w.log", max_bytes=1000)
    for i in range(30):
        os.write(log.write_fd, f"line {i:03d} ".encode() + b"." * 90 + b"\n")
    os.close(log.write_fd)
    log.drain()
    assert (tmp_path / "w.log").stat().st_size <= 1100
    assert (tmp_path / "w.log.1").is_file()
    assert log.tail(1)[0].startswith("line 029")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.log", "w.log.1"]
