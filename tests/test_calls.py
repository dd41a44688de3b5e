"""Calls through the host: progress, time limits, cancellation, usage, several outputs."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from mediaconduit import Image, Text, TransformTimeoutError
from mediaconduit.handles import ProviderHandle
from mediaconduit.registry import ProviderRegistry
from mediaconduit.sdk import Progress
from tests.conftest import ROOT, TEST_PROVIDERS
from tests.helpers.upstream import JobUpstream

TOOLKIT = str(TEST_PROVIDERS / "toolkit")


@pytest.fixture(scope="module")
def upstream() -> Iterator[JobUpstream]:
    server = JobUpstream().start()
    yield server
    server.stop()


@pytest.fixture
def toolkit(module_cache: Path) -> Iterator[ProviderHandle]:
    with ProviderRegistry(module_cache) as registry:
        yield registry.get_provider(TOOLKIT)


def test_every_progress_report_reaches_the_callback_in_order(toolkit: ProviderHandle) -> None:
    seen: list[Progress] = []
    result = toolkit.get_model("steps").transform("10", on_progress=seen.append)
    assert isinstance(result, Text) and result.text == "10 steps"
    assert [p.fraction for p in seen] == pytest.approx([i / 10 for i in range(1, 11)])
    assert [p.message for p in seen] == [f"step {i} of 10" for i in range(1, 11)]


def test_a_timeout_ends_the_call_promptly_and_the_provider_sees_the_cancel(
        toolkit: ProviderHandle, upstream: JobUpstream) -> None:
    model = toolkit.get_model("patient")
    started = time.monotonic()
    with pytest.raises(TransformTimeoutError, match=r"within 0\.5 s") as caught:
        model.transform("timeout-job", upstream=upstream.url, timeout=0.5)
    took = time.monotonic() - started
    assert took < 1.0
    assert caught.value.timeout == 0.5
    seen = upstream.wait_for_cancel("timeout-job")
    assert seen is not None and seen - started < 1.0, "the upstream never heard of the cancel"
    again = toolkit.get_model("echo").transform("still works", timeout=5)
    assert isinstance(again, Text) and again.text == "still works"


def test_a_sleeping_transform_that_checks_cancelled_stops(toolkit: ProviderHandle) -> None:
    sleepy = toolkit.get_model("sleepy")  # the worker is up before the clock starts
    started = time.monotonic()
    with pytest.raises(TransformTimeoutError):
        sleepy.transform("10", timeout=0.5)
    assert time.monotonic() - started < 1.0
    assert toolkit.get_model("sleepy").transform("0.05").text == "awake"  # type: ignore[union-attr]


def test_a_stream_closed_after_two_chunks_cancels_upstream(
        toolkit: ProviderHandle, upstream: JobUpstream) -> None:
    stream = toolkit.get_model("patient").stream("stream-job", upstream=upstream.url)
    assert [next(stream), next(stream)] == ["tick,", "tick,"]
    closed = time.monotonic()
    stream.close()
    seen = upstream.wait_for_cancel("stream-job")
    assert seen is not None and seen - closed < 0.5
    assert list(stream) == []
    assert toolkit.get_model("echo").transform("next").text == "next"  # type: ignore[union-attr]


def test_a_stream_past_its_timeout_raises_with_the_text_so_far(
        toolkit: ProviderHandle, upstream: JobUpstream) -> None:
    stream = toolkit.get_model("patient").stream("slow-stream", upstream=upstream.url,
                                                 timeout=0.5)
    got: list[str] = []
    with pytest.raises(TransformTimeoutError) as caught:
        got.extend(stream)
    assert got and caught.value.partial == "".join(got)
    assert upstream.wait_for_cancel("slow-stream") is not None


def test_cancelling_an_asyncio_task_cancels_the_call(
        toolkit: ProviderHandle, upstream: JobUpstream) -> None:
    model = toolkit.get_model("patient")

    async def main() -> float:
        task = asyncio.create_task(model.atransform("async-job", upstream=upstream.url))
        await asyncio.to_thread(upstream.wait_for_job, "async-job")
        cancelled_at = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return cancelled_at

    cancelled_at = asyncio.run(main())
    seen = upstream.wait_for_cancel("async-job")
    assert seen is not None and seen - cancelled_at < 0.5
    assert toolkit.get_model("echo").transform("after").text == "after"  # type: ignore[union-attr]


def test_async_progress_arrives_on_the_event_loop(toolkit: ProviderHandle) -> None:
    model = toolkit.get_model("steps")

    async def main() -> tuple[list[float | None], set[int]]:
        fractions: list[float | None] = []
        threads: set[int] = set()

        def record(event: Progress) -> None:
            fractions.append(event.fraction)
            threads.add(__import__("threading").get_ident())

        await model.atransform("4", on_progress=record)
        await asyncio.sleep(0)  # let the last call_soon_threadsafe run
        return fractions, threads

    fractions, threads = asyncio.run(main())
    assert fractions == [0.25, 0.5, 0.75, 1.0]
    assert len(threads) == 1


def test_an_async_stream_can_be_left_early(toolkit: ProviderHandle, upstream: JobUpstream) -> None:
    model = toolkit.get_model("patient")

    async def main() -> list[str]:
        got = []
        async for chunk in model.astream("astream-job", upstream=upstream.url):
            got.append(chunk)
            if len(got) == 2:
                break
        return got

    assert asyncio.run(main()) == ["tick,", "tick,"]
    assert upstream.wait_for_cancel("astream-job") is not None


def _application(module_cache: Path, upstream: JobUpstream, job: str) -> subprocess.Popen[str]:
    """A separate application process waiting on a `patient` call for `job`."""
    script = textwrap.dedent(f"""
        import sys
        from mediaconduit.registry import ProviderRegistry
        with ProviderRegistry({str(module_cache)!r}) as registry:
            model = registry.get_provider({TOOLKIT!r}).get_model("patient")
            print("ready", flush=True)
            try:
                model.transform({job!r}, upstream={upstream.url!r})
            except KeyboardInterrupt:
                print("interrupted", flush=True)
    """)
    app = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                           text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert app.stdout is not None
    assert app.stdout.readline().strip() == "ready"
    assert upstream.wait_for_job(job)
    return app


def test_a_host_killed_mid_call_still_cancels_it_upstream(
        module_cache: Path, upstream: JobUpstream) -> None:
    app = _application(module_cache, upstream, "killed-host-job")
    killed_at = time.monotonic()
    app.kill()
    app.wait(timeout=30)
    seen = upstream.wait_for_cancel("killed-host-job")
    assert seen is not None and seen - killed_at < 1.0, "the orphaned call was never cancelled"


def test_ctrl_c_in_the_application_cancels_the_call(
        module_cache: Path, upstream: JobUpstream) -> None:
    app = _application(module_cache, upstream, "ctrl-c-job")
    assert app.stdout is not None
    interrupted_at = time.monotonic()
    app.send_signal(signal.SIGINT)
    assert app.stdout.readline().strip() == "interrupted"
    assert app.wait(timeout=30) == 0
    seen = upstream.wait_for_cancel("ctrl-c-job")
    assert seen is not None and seen - interrupted_at < 0.5


def test_several_outputs_come_back_as_a_list_of_files(toolkit: ProviderHandle) -> None:
    images = toolkit.get_model("several").transform("3")
    assert isinstance(images, list) and len(images) == 3
    assert all(isinstance(image, Image) and image.path is not None for image in images)
    assert [image.data for image in images] == [b"image 0", b"image 1", b"image 2"]
    assert len({image.path for image in images}) == 3
    assert [image.usage.images for image in images] == [1, 1, 1]


def test_usage_and_cost_cross_the_boundary(toolkit: ProviderHandle) -> None:
    result = toolkit.get_model("metered").transform("hi")
    assert result.usage.input_tokens == 3 and result.usage.output_tokens == 5  # type: ignore[union-attr]
    assert result.cost.usd == Decimal("0.0004") and not result.cost.estimated  # type: ignore[union-attr]
    plain = toolkit.get_model("echo").transform("hi")
    assert not plain.usage and plain.cost.usd is None  # type: ignore[union-attr]


def test_a_stream_reports_usage_and_cost_once_it_ends(toolkit: ProviderHandle) -> None:
    stream = toolkit.get_model("metered").stream("hi")
    assert list(stream) == ["a", "b"]
    assert stream.usage.to_dict() == {"input_tokens": 1, "output_tokens": 2}
    assert stream.cost.usd == Decimal("0.01")
    assert stream.text == "ab"
