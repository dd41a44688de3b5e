"""The ray engine on a real local Ray cluster (one for the module), real providers."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from mediaconduit.batch import run
from mediaconduit.cli import main
from mediaconduit.sdk.errors import MediaConduitError
from tests.batch.common import (
    FAST,
    FFMPEG,
    FLAKY,
    TOOLKIT,
    check_frames,
    frame_rows,
    records,
    statuses,
    text_files,
)
from tests.conftest import TEST_PROVIDERS, publish
from tests.helpers.gitserver import GitServer

ray = pytest.importorskip("ray")  # the dev extra has it; without it, these tests cannot run

pytestmark = pytest.mark.slow  # a Ray cluster and actor processes


@pytest.fixture(scope="module", autouse=True)
def cluster(git_server: GitServer) -> Iterator[None]:
    """A real local cluster on this machine's two cores; the batches run on it. Started
    after the loopback git server, so its actors' git reaches it as github.com too."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ray-batch-cache")


def test_items_run_on_actors_and_outputs_come_back_as_bytes(tmp_path: Path,
                                                            cache: Path) -> None:
    """No shared path: each output travels back through the object store."""
    inputs = text_files(tmp_path / "in", [f"text {i}" for i in range(8)])
    out = tmp_path / "out"
    summary = run([tmp_path / "in"], out=out, provider=TOOLKIT, model="echo", cache_dir=cache,
                  engine="ray", shared=False, **FAST)
    assert (summary.done, summary.failed, summary.engine) == (8, 0, "ray")
    got = records(out)
    assert {r["worker"]["engine"] for r in got} == {"ray"}
    assert os.getpid() not in {r["worker"]["pid"] for r in got}  # ran in actor processes
    by_input = {r["input"]: r for r in got}
    for path in inputs:
        (name,) = by_input[str(path)]["outputs"]
        assert (out / name).read_text() == path.read_text()
    again = run([tmp_path / "in"], out=out, provider=TOOLKIT, model="echo", cache_dir=cache,
                engine="ray", shared=False)
    assert again.nothing_to_do and again.skipped == 8


def test_media_travels_as_bytes_through_the_object_store(tmp_path: Path, cache: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    for i in range(3):
        (images / f"{i}.png").write_bytes(b"\x89PNG " + bytes([i]) * 100)
    out = tmp_path / "out"
    summary = run([images], out=out, provider=TOOLKIT, model="flip", cache_dir=cache,
                  engine="ray", shared=False)
    assert summary.done == 3
    for record in records(out):
        (name,) = record["outputs"]
        assert (out / name).read_bytes() == Path(record["input"]).read_bytes()[::-1]
    assert not list((cache / "outputs").rglob("*.png"))  # sent back, not left in the cache


def test_a_provider_crash_inside_an_actor_is_retried(tmp_path: Path, cache: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    text_files(tmp_path / "in", ["one", "two", "three"])
    summary = run([tmp_path / "in"], out=tmp_path / "crash", provider=FLAKY, model="flaky",
                  cache_dir=cache, engine="ray", retries=1, **FAST,
                  params={"state": str(state), "times": 1, "how": "crash"})
    assert (summary.done, summary.failed) == (3, 0)
    got = records(tmp_path / "crash")
    assert [r["attempts"] for r in got] == [2, 2, 2]  # the provider's worker crashed once each
    assert sorted((tmp_path / "crash" / r["outputs"][0]).read_text() for r in got) == [
        "ONE", "THREE", "TWO"]


def _mark_node(folder: str) -> None:
    Path(folder, str(os.getpid())).write_text("synced")


def _broken_node() -> None:
    raise RuntimeError("this node's lock does not match")


def test_node_setup_runs_in_every_actor_before_it_loads(tmp_path: Path, cache: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    text_files(tmp_path / "in", ["a", "b", "c", "d"])
    summary = run([tmp_path / "in"], out=tmp_path / "out", provider=TOOLKIT, model="echo",
                  cache_dir=cache, engine="ray", concurrency=2,
                  node_setup=lambda: _mark_node(str(marks)))
    assert summary.done == 4
    pids = {str(r["worker"]["pid"]) for r in records(tmp_path / "out")}
    assert pids <= {p.name for p in marks.iterdir()} and len(list(marks.iterdir())) == 2
    with pytest.raises(MediaConduitError, match="this node's lock does not match"):
        run([tmp_path / "in"], out=tmp_path / "broken", provider=TOOLKIT, model="echo",
            cache_dir=cache, engine="ray", node_setup=_broken_node)


def test_actors_load_the_locked_commit_after_syncing_the_lock(
        tmp_path: Path, cache: Path, git_server: GitServer) -> None:
    """A lock beside the project: every actor syncs it (`sync --locked`) and loads its commit,
    though the tag has moved since; a stale lock stops the actors before they load."""
    from mediaconduit.lock import read_lock

    locked_commit = publish(git_server, "reverse", "BatchLocks/reverse", tag="v1")
    project = tmp_path / "app" / "mediaconduit.yaml"
    project.parent.mkdir()
    spec = "https://github.com/BatchLocks/reverse@v1"
    project.write_text(f"providers:\n  - {spec}\n")
    assert main(["lock", "--project", str(project), "--cache-dir", str(cache)]) == 0
    assert read_lock(project.with_name("mediaconduit.lock")).providers[0].commit == locked_commit
    moved = tmp_path / "moved"
    shutil.copytree(TEST_PROVIDERS / "reverse", moved)
    (moved / "NEW.txt").write_text("new code under the old tag\n")
    assert git_server.publish(moved, "BatchLocks/reverse", tag="v1") != locked_commit
    text_files(tmp_path / "in", ["abc", "xyz"])
    fresh = tmp_path / "fresh-cache"
    summary = run([tmp_path / "in"], out=tmp_path / "out", provider=spec, model="reverse",
                  project=project, cache_dir=fresh, engine="ray", update=True)
    assert (summary.done, summary.commit) == (2, locked_commit)
    got = records(tmp_path / "out")
    assert {r["commit"] for r in got} == {locked_commit}
    assert sorted((tmp_path / "out" / r["outputs"][0]).read_text() for r in got) == [
        "cba", "zyx"]
    project.write_text(f"providers:\n  - {spec}\n  - {TOOLKIT}\n")  # the lock is stale now
    here = run([tmp_path / "in"], out=tmp_path / "here", provider=spec, model="reverse",
               project=project, cache_dir=fresh)
    assert here.commit == locked_commit  # this machine's loads still use the lock's commit...
    with pytest.raises(MediaConduitError, match=r"does not match mediaconduit\.yaml"):
        run([tmp_path / "in"], out=tmp_path / "stale", provider=spec, model="reverse",
            project=project, cache_dir=fresh, engine="ray")  # ...but a node never syncs it


def test_200_frames_with_an_actor_killed_mid_run_then_a_rerun_that_does_nothing(
        tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The actor's items are run elsewhere; the frames travel as bytes (no shared path)."""
    rows = frame_rows(tmp_path, 200)
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_one(record: Mapping[str, Any]) -> None:
        if not killed and len(records(out)) >= 30:
            killed.append(record["worker"]["pid"])
            os.kill(record["worker"]["pid"], signal.SIGKILL)

    summary = run([rows], out=out, provider=FFMPEG, model="extract-frame", cache_dir=cache,
                  engine="ray", shared=False, on_record=kill_one)
    assert killed
    assert (summary.done, summary.failed) == (200, 0)
    check_frames(out, 200)
    workers = {r["worker"]["pid"] for r in records(out)}
    assert killed[0] in workers and len(workers) >= 3  # the dead one's place was taken
    args = ["batch", str(rows), "--provider", FFMPEG, "--model", "extract-frame",
            "--out", str(out), "--cache-dir", str(cache), "--engine", "ray"]
    assert main(args) == 0
    assert "nothing to do: all 200 items are already done" in capsys.readouterr().out
    assert statuses(out) == {"done": 200}


def test_broken_inputs_on_ray_fail_with_their_reasons(tmp_path: Path, cache: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    rows = frame_rows(tmp_path, 40, broken=5)
    args = ["batch", str(rows), "--provider", FFMPEG, "--model", "extract-frame",
            "--out", str(tmp_path / "out"), "--cache-dir", str(cache), "--engine", "ray",
            "--concurrency", "2", "--json"]
    assert main(args) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["done"], data["failed"], data["skipped"]) == (35, 5, 0)
    assert statuses(tmp_path / "out") == {"done": 35, "failed": 5}
    check_frames(tmp_path / "out", 35)
    reasons = [r["error"]["message"] for r in records(tmp_path / "out") if r["error"]]
    assert sum("is beyond the end of" in m for m in reasons) == 2
    assert any("corrupt-0.mp4" in m for m in reasons)
