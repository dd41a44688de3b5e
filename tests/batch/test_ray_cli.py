"""`mediaconduit batch --engine ray` as a command: with no cluster it starts a local one and
stops it; with `--address` it joins a running one (`ray start --head` on loopback)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: A loopback test cluster: no token to share between the head and the batch.
NO_AUTH = {"RAY_AUTH_MODE": "disabled"}


@pytest.fixture
def head(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`ray start --head --block` on this machine, its node's cache of its own; stopped by
    its process group (never `ray stop`, which would stop every cluster on the machine)."""
    import ray.util

    ray_tmp = tempfile.mkdtemp(prefix="rh", dir="/tmp")
    node_cache, log = tmp_path / "node-cache", tmp_path / "head.log"
    port = _free_port()
    env = {**os.environ, **NO_AUTH, "MEDIACONDUIT_CACHE_DIR": str(node_cache)}
    command = [str(Path(sys.executable).with_name("ray")), "start", "--head", "--block",
               f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
               f"--temp-dir={ray_tmp}"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        _wait_for(lambda: b"Ray runtime started" in log.read_bytes(), 120)
        yield f"{ray.util.get_node_ip_address()}:{port}", node_cache
    finally:
        _stop_group(process)
        shutil.rmtree(ray_tmp, ignore_errors=True)


def _wait_for(ready: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, "the Ray head did not start"
        time.sleep(0.2)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the head's process group, then SIGKILL to what is left of it."""
    os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.slow
def test_address_joins_a_running_cluster_and_bytes_travel_through_it(
        tmp_path: Path, head: tuple[str, Path]) -> None:
    """No shared path assumed with --address: inputs and outputs go through Ray, and the
    actors build the provider in their node's cache, not the caller's."""
    address, node_cache = head
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.png").write_bytes(b"\x89PNG joined")
    caller_cache = tmp_path / "caller-cache"
    env = {**os.environ, **NO_AUTH, "MEDIACONDUIT_CACHE_DIR": str(caller_cache)}
    done = subprocess.run(
        [sys.executable, "-m", "mediaconduit", "batch", str(tmp_path / "in"), "--provider",
         TOOLKIT, "--model", "flip", "--out", str(tmp_path / "out"), "--engine", "ray",
         "--address", address, "--json"], capture_output=True, text=True, env=env,
        timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["done"] == 1
    (record,) = records(tmp_path / "out")
    assert (tmp_path / "out" / record["outputs"][0]).read_bytes() == b"\x89PNG joined"[::-1]
    assert record["worker"]["pid"] != os.getpid()
    assert list((node_cache / "envs").iterdir())  # the actor's node built its own environment
