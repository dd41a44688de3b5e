"""Job figures (issue 12): a Replicate prediction through the real host, against the
provider's own fake Replicate.

    python scripts/bench_jobs.py             # prints the figures as JSON
    from scripts.bench_jobs import replicate_job_figures   # what scripts/bench.py calls

The provider is published to the loopback git server and loaded by its GitHub URL
(real git, uv and worker), as in `tests/test_replicate_provider.py`. Figures:

- `job_requests` / `job_result_delay_ms`: a job the fake finishes in 3 s, with the
  provider's defaults (`Prefer: wait=10`, then polling): every HTTP request the fake
  saw (create, polls, downloads), and the time from the fake finishing the job to
  `transform` returning the asset in the application. `polled_*`: the same with
  `wait=0` (polling from the start, 0.25 s doubling to 5 s), for comparison.
- `download_peak_rss_mb`: the worker's peak RSS (`VmHWM`) above its RSS before the
  call, while it downloads a 200 MB output (streamed to disk).

Nothing here asserts: `TARGETS` says what each figure should be.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.helpers.gitserver import GitServer  # noqa: E402
from tests.helpers.replicate import (  # noqa: E402
    FLUX,
    PROVIDER,
    REPO,
    TOKEN,
    URL,
    VIDEO,
    FakeReplicate,
    Job,
)

MB = 1024 * 1024
TARGETS = {"job_requests": ("<=", 8), "job_result_delay_ms": ("<=", 200),
           "download_peak_rss_mb": ("<=", 64)}


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _world(folder: Path) -> Iterator[tuple[Any, FakeReplicate]]:
    """A registry on a fresh cache that loads the provider from the loopback git server."""
    from mediaconduit.registry import ProviderRegistry

    server = GitServer(folder / "repos").start()
    try:
        server.publish(PROVIDER, REPO)
        with FakeReplicate(token=TOKEN) as fake, _environ(
                GIT_CONFIG_GLOBAL=str(server.git_config(folder / "gitconfig")),
                GIT_CONFIG_NOSYSTEM="1", REPLICATE_BASE_URL=fake.base_url,
                REPLICATE_API_TOKEN=TOKEN), ProviderRegistry(folder / "cache") as registry:
            yield registry, fake
    finally:
        server.stop()


def _timed_job(handle: Any, fake: FakeReplicate, seconds: float) -> tuple[int, float]:
    """(requests the fake saw, ms from the job's end to the result in hand)."""
    fake.reset()
    fake.set_job(FLUX, Job(seconds=seconds))
    result = handle.get_model(FLUX).transform("a corgi")
    in_hand = time.monotonic()
    assert result and result[0].path.is_file()
    return len(fake.requests), (in_hand - fake.last_prediction().done_at()) * 1000


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def _download_peak(handle: Any, fake: FakeReplicate, size: int) -> dict[str, Any]:
    """The worker's peak RSS above its RSS before the call, downloading `size` bytes."""
    handle.get_model(FLUX).transform("warm-up")  # the download path imported and used once
    pid = int(handle.health()["worker_pid"])
    fake.set_job(VIDEO, Job(seconds=0.1, output=f"big:{size}"))
    before, hwm_before = _status(pid, "VmRSS"), _status(pid, "VmHWM")
    started = time.monotonic()
    video = handle.get_model(VIDEO).transform("a long corgi film")
    took = time.monotonic() - started
    hwm = _status(pid, "VmHWM")
    assert video.path.stat().st_size == size
    video.path.unlink()
    return {"download_peak_rss_mb": (hwm - before) / MB, "worker_rss_before_mb": before / MB,
            "worker_hwm_before_mb": hwm_before / MB, "download_s": took,
            "download_mb": size / MB}


def replicate_job_figures(job_seconds: float = 3.0, download_mb: int = 200) -> dict[str, Any]:
    """The figures above, as a dict of numbers (see `TARGETS`)."""
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp, _world(Path(tmp)) as (
            registry, fake):
        held = registry.get_provider(URL)
        requests, delay = _timed_job(held, fake, job_seconds)
        polled = registry.get_provider(URL, config={"wait": 0})
        polled_requests, polled_delay = _timed_job(polled, fake, job_seconds)
        figures = {"job_seconds": job_seconds, "job_requests": requests,
                   "job_result_delay_ms": delay, "polled_job_requests": polled_requests,
                   "polled_job_result_delay_ms": polled_delay}
        figures.update(_download_peak(held, fake, download_mb * MB))
    return figures


def verdicts(figures: dict[str, Any]) -> dict[str, str]:
    """`met` or `missed` for each figure that has a target."""
    def met(value: float, op: str, bound: float) -> bool:
        return value <= bound if op == "<=" else value >= bound

    return {name: "met" if met(figures[name], op, bound) else "missed"
            for name, (op, bound) in TARGETS.items() if figures.get(name) is not None}


if __name__ == "__main__":
    result = replicate_job_figures()
    print(json.dumps({**result, "verdicts": verdicts(result)}, indent=2))
