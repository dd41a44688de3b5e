"""Upstream jobs outlive their host: recorded at once, listed, fetched and cancelled later."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediaconduit.cli import main
from tests.conftest import ROOT, TEST_PROVIDERS
from tests.helpers.upstream import JobUpstream

TOOLKIT = str(TEST_PROVIDERS / "toolkit")


@pytest.fixture
def upstream() -> Iterator[JobUpstream]:
    server = JobUpstream().start()
    yield server
    server.stop()


def test_a_job_of_a_killed_host_is_listed_fetched_and_cancelled(
        module_cache: Path, upstream: JobUpstream, capsys: pytest.CaptureFixture[str]) -> None:
    script = textwrap.dedent(f"""
        from mediaconduit.registry import ProviderRegistry
        registry = ProviderRegistry({str(module_cache)!r})
        model = registry.get_provider({TOOLKIT!r}).get_model("submit")
        print("ready", flush=True)
        model.transform("orphan-job", upstream={upstream.url!r})
    """)
    app = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                           text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert app.stdout is not None and app.stdout.readline().strip() == "ready"
    assert upstream.wait_for_job("orphan-job")
    assert _recorded(module_cache, "orphan-job")  # the host has written it down
    app.kill()  # kill -9, mid-job
    app.wait(timeout=30)
    cache = ["--cache-dir", str(module_cache)]
    assert main(["jobs", "list", "--json", *cache]) == 0
    (record,) = [r for r in json.loads(capsys.readouterr().out) if r["job_id"] == "orphan-job"]
    assert (record["provider"], record["model"], record["status"]) == (
        "toolkit", "submit", "processing")
    assert len(record["input_digest"]) == 64 and record["details"]["upstream"] == upstream.url
    assert main(["jobs", "fetch", "orphan-job", *cache]) == 0
    assert capsys.readouterr().out == "outputs of orphan-job\n"
    assert upstream.wait_for_cancel("orphan-job", timeout=1) is None  # left to run upstream
    assert main(["jobs", "cancel", record["id"], *cache]) == 0
    assert upstream.wait_for_cancel("orphan-job") is not None
    assert main(["jobs", "list", "--json", *cache]) == 0
    (again,) = [r for r in json.loads(capsys.readouterr().out) if r["job_id"] == "orphan-job"]
    assert again["status"] == "canceled"


def _recorded(cache: Path, job_id: str, timeout: float = 10.0) -> bool:
    """Whether the record of `job_id` is in the cache (waiting up to `timeout`)."""
    import time

    from mediaconduit.jobs import JobStore

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if JobStore(cache).get(job_id, missing_ok=True) is not None:
            return True
        time.sleep(0.02)
    return False


def test_a_finished_job_is_recorded_as_such(module_cache: Path, upstream: JobUpstream,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from mediaconduit.registry import ProviderRegistry

    with ProviderRegistry(module_cache) as registry:
        model = registry.get_provider(TOOLKIT).get_model("submit")
        import threading

        threading.Timer(0.3, lambda: upstream._event("done-job").set()).start()
        assert model.transform("done-job", upstream=upstream.url).text == "finished"  # type: ignore[union-attr]
    assert main(["jobs", "list", "--cache-dir", str(module_cache)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "done-job" in x)
    assert "succeeded" in line and "toolkit/submit" in line


def test_an_unknown_job_is_a_clear_error(module_cache: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jobs", "fetch", "no-such-job", "--cache-dir", str(module_cache)]) == 1
    assert "no job 'no-such-job'" in capsys.readouterr().err
