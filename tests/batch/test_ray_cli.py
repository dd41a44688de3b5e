"""`mediaconduit batch --engine ray` with no cluster: it starts a local one and stops it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.batch.common import TOOLKIT, records, text_files

pytest.importorskip("ray")


def _raylets(marker: str) -> set[int]:
    """The Ray node processes running now whose command line names `marker`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"/raylet" in command.split(b"\0")[0] and marker.encode() in command:
                found.add(int(entry.name))
    return found


@pytest.mark.slow
def test_the_cli_starts_a_local_cluster_for_the_batch_and_stops_it(tmp_path: Path) -> None:
    text_files(tmp_path / "in", ["a", "b", "c"])
    ray_tmp = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # short: Ray's socket paths must be
    env = {**os.environ, "MEDIACONDUIT_CACHE_DIR": str(tmp_path / "cache"), "RAY_TMPDIR": ray_tmp}
    done = subprocess.run(
        [sys.executable, "-m", "mediaconduit", "batch", str(tmp_path / "in"), "--provider",
         TOOLKIT, "--model", "echo", "--out", str(tmp_path / "out"), "--engine", "ray",
         "--json"], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["done"], data["failed"], data["engine"]) == (3, 0, "ray")
    assert {r["worker"]["engine"] for r in records(tmp_path / "out")} == {"ray"}
    assert list(Path(ray_tmp).glob("ray/session_*")), "the batch started a cluster of its own"
    deadline = time.monotonic() + 20
    while _raylets(ray_tmp) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _raylets(ray_tmp), "the batch's Ray cluster outlived it"
    shutil.rmtree(ray_tmp, ignore_errors=True)
