"""The Replicate provider loaded through the host, against a local Replicate.

`providers/replicate-provider` is published to the loopback git server as
`MediaConduit/replicate-provider` and loaded by its GitHub URL: real git, a real uv
environment (httpx), a real worker process, and the provider's own fake Replicate
(`providers/replicate-provider/tests/fake_replicate.py`) reached through the declared
`REPLICATE_BASE_URL` / `REPLICATE_API_TOKEN`. The cache and the registry are shared by
the module, so the environment is built once.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from mediaconduit import (
    AuthenticationError,
    Image,
    InvalidInputError,
    ProviderError,
    Text,
    TransformTimeoutError,
    Video,
)
from mediaconduit.handles import ProviderHandle
from mediaconduit.registry import ProviderRegistry
from mediaconduit.sdk import Progress
from tests.helpers.provider_host import assert_secret_not_in_worker_log, host_fixtures
from tests.helpers.provider_suite import run_provider_suite
from tests.helpers.replicate import (
    FAST,
    FLUX,
    PROVIDER,
    TEXT_MODEL,
    TOKEN,
    URL,
    VIDEO,
    FakeReplicate,
    Job,
    tiny_png,
)

pytestmark = pytest.mark.slow
#: what the provider's own tests import beyond its dependencies; with the official
#: client, its `test_official_client.py` runs too (it skips elsewhere)
TEST_TOOLS = ["pytest>=8", "replicate==1.0.7"]


server, fake, declared_env, commit, module_cache, host = host_fixtures(
    "replicate", PROVIDER, lambda: FakeReplicate(token=TOKEN),
    lambda fake: {"REPLICATE_BASE_URL": fake.base_url, "REPLICATE_API_TOKEN": TOKEN})


@pytest.fixture(scope="module")
def polled(host: ProviderRegistry) -> ProviderHandle:
    """No `Prefer: wait`: every prediction is polled."""
    return host.get_provider(URL, config=FAST)


@pytest.fixture(scope="module")
def held(host: ProviderRegistry) -> ProviderHandle:
    """`Prefer: wait=5`: a short prediction is answered by its create call."""
    return host.get_provider(URL, config={**FAST, "wait": 5})


def test_the_catalog_is_listed(polled: ProviderHandle) -> None:
    assert (polled.id, polled.type) == ("replicate", "remote")
    models = {m.id: m for m in polled.wait_for_models(timeout=300)}
    assert len(models) == 6
    assert models[FLUX].capabilities == ("text-to-image",)
    assert models[VIDEO].tasks == ("text-to-video", "image-to-video")
    assert polled.health()["token"] is True


def test_text_to_image_polled(polled: ProviderHandle, fake: FakeReplicate) -> None:
    fake.set_job(FLUX, Job(seconds=0.2))
    images = polled.get_model(FLUX).transform(Text("a corgi"), num_outputs=2)
    assert isinstance(images, list) and [type(i) for i in images] == [Image, Image]
    assert all(i.path.read_bytes() == tiny_png() for i in images)
    assert "prefer" not in fake.requests[0].headers
    assert len(fake.requests_to("get")) >= 2
    prediction = fake.last_prediction()
    assert images[0].metadata["prediction_id"] == prediction.id
    assert images[0].metadata["prediction_status"] == "succeeded"
    assert images[0].usage.images == 1 and images[0].usage.compute_seconds > 0
    assert images[0].cost.usd is None


def test_text_to_image_answered_by_prefer_wait(held: ProviderHandle,
                                               fake: FakeReplicate) -> None:
    fake.set_job(FLUX, Job(seconds=0.1))
    images = held.get_model(FLUX).transform("a corgi")
    assert isinstance(images, list) and isinstance(images[0], Image)
    assert fake.requests[0].headers["prefer"] == "wait=5"
    assert [r.endpoint for r in fake.requests] == ["create", "delivery", "get"]


def test_a_video_model_returns_one_video(held: ProviderHandle, fake: FakeReplicate) -> None:
    fake.set_job(VIDEO, Job(seconds=0.1))
    video = held.get_model(VIDEO).transform("a corgi surfing")
    assert isinstance(video, Video) and video.path.suffix == ".mp4"


def test_a_text_model_streamed_over_sse(polled: ProviderHandle, fake: FakeReplicate) -> None:
    fake.set_job(TEXT_MODEL, Job(seconds=0.2, tokens=("Fuzzy", ", gentle", " corgi")))
    stream = polled.get_model(TEXT_MODEL).stream("a poem")
    assert list(stream) == ["Fuzzy", ", gentle", " corgi"]
    assert stream.usage.compute_seconds is not None
    assert [r.endpoint for r in fake.requests][:3] == ["model", "create", "stream"]


def test_progress_from_logs(polled: ProviderHandle, fake: FakeReplicate) -> None:
    fake.set_job(FLUX, Job(seconds=0.3))
    seen: list[Progress] = []
    polled.get_model(FLUX).transform("a corgi", seed=3, on_progress=seen.append)
    prediction = fake.last_prediction()
    messages = [p.message for p in seen]
    assert messages[0] == f"replicate prediction {prediction.id} starting"
    assert "Using seed: 3" in messages
    assert [p.fraction for p in seen if p.fraction is not None] == [0.25, 0.5, 0.75, 1.0]


def test_params_rejected_before_sending(polled: ProviderHandle, fake: FakeReplicate) -> None:
    with pytest.raises(InvalidInputError, match=r"'num_output' is not an input of this model "
                                                r"\(did you mean 'num_outputs'\?\)"):
        polled.get_model(FLUX).transform("a corgi", num_output=2)
    with pytest.raises(InvalidInputError, match="num_outputs must be an integer"):
        polled.get_model(FLUX).transform("a corgi", num_outputs="2")
    assert fake.requests == []


def test_a_failed_prediction_is_typed_with_its_log_lines(polled: ProviderHandle,
                                                         fake: FakeReplicate) -> None:
    fake.set_job(FLUX, Job(seconds=0.05, error="NSFW content detected",
                           logs=("Using seed: 1", "running safety checker")))
    with pytest.raises(ProviderError) as caught:
        polled.get_model(FLUX).transform("a corgi")
    message = str(caught.value)
    assert "failed: NSFW content detected" in message
    assert message.endswith("last log lines:\n  | Using seed: 1\n  | running safety checker")


def test_a_timed_out_job_is_cancelled_upstream(polled: ProviderHandle,
                                               fake: FakeReplicate) -> None:
    fake.set_job(VIDEO, Job(seconds=30))
    started = time.monotonic()
    with pytest.raises(TransformTimeoutError):
        polled.get_model(VIDEO).transform("a long corgi film", timeout=0.5)
    assert time.monotonic() - started < 2
    assert fake.wait_for("cancel"), "the upstream never heard of the cancel"
    assert fake.last_prediction().status() == "canceled"


def test_a_cancelled_job_is_cancelled_upstream(polled: ProviderHandle,
                                               fake: FakeReplicate) -> None:
    fake.set_job(VIDEO, Job(seconds=30))
    model = polled.get_model(VIDEO)

    async def cancel_soon() -> None:
        task = asyncio.create_task(model.atransform("a long corgi film"))
        await asyncio.sleep(0.4)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_soon())
    assert fake.wait_for("cancel")
    prediction = fake.last_prediction()
    assert fake.requests_to("cancel")[0].path == f"/v1/predictions/{prediction.id}/cancel"


def test_a_stream_closed_early_cancels_upstream(polled: ProviderHandle,
                                                fake: FakeReplicate) -> None:
    fake.set_job(TEXT_MODEL, Job(seconds=5, tokens=tuple(f"t{i} " for i in range(50))))
    stream = polled.get_model(TEXT_MODEL).stream("a long poem")
    assert next(iter(stream)) == "t0 "
    stream.close()
    assert fake.wait_for("cancel")


def test_a_wrong_token_never_shows(host: ProviderRegistry, fake: FakeReplicate) -> None:
    wrong = "r8_" + "n0tTheT0ken" * 3
    handle = host.get_provider(URL, config={**FAST, "api_token": wrong})
    with pytest.raises(AuthenticationError) as caught:
        handle.get_model(FLUX).transform("a corgi")
    assert "You did not pass a valid authentication token" in str(caught.value)
    assert wrong not in str(caught.value)


def test_a_local_image_goes_inline(held: ProviderHandle, fake: FakeReplicate,
                                   tmp_path: Path) -> None:
    source = tmp_path / "start.png"
    source.write_bytes(tiny_png())
    fake.set_job("kwaivgi/kling-v2.1", Job(seconds=0.05))
    held.get_model("kwaivgi/kling-v2.1").transform(Image.from_path(source), prompt="run")
    sent = fake.requests_to("create")[0].body["input"]
    assert sent["start_image"].startswith("data:image/png;base64,")


def test_no_token_in_the_worker_log(polled: ProviderHandle, fake: FakeReplicate) -> None:
    fake.set_job(FLUX, Job(seconds=0.05))
    polled.get_model(FLUX).transform("a corgi")
    assert_secret_not_in_worker_log(polled, TOKEN)


def test_the_providers_own_suite_passes_with_the_official_client(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """The provider's CI: its tests in an environment with its dependencies, the SDK and
    the official `replicate` client (so the fake is proven against it), no host."""
    suite = run_provider_suite(PROVIDER, tmp_path_factory.mktemp("replicate-suite") / "cache",
                               tools=TEST_TOOLS, extra_path=[PROVIDER / "src"])
    assert suite.passed >= 45
    assert set(suite.counts) <= {"passed", "skipped"}, suite.output
    assert suite.counts.get("skipped", 0) <= 1, suite.output  # only: no ../shared to compare
    assert "could not import 'replicate'" not in suite.output


def test_a_job_killed_with_its_host_is_listed_and_fetched_later(
        host: ProviderRegistry, polled: ProviderHandle, fake: FakeReplicate,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """kill -9 of the host mid-poll: the prediction goes on upstream, its record is in the
    cache, and `jobs fetch` downloads its outputs without a second prediction."""
    import json
    import os
    import subprocess
    import sys
    import textwrap

    from mediaconduit.cli import main
    from tests.conftest import ROOT

    fake.set_job(FLUX, Job(seconds=2.0))
    cache = host.layout.root
    script = textwrap.dedent(f"""
        from mediaconduit.registry import ProviderRegistry
        registry = ProviderRegistry({str(cache)!r})
        model = registry.get_provider({URL!r}, config={FAST!r}).get_model({FLUX!r})
        print("ready", flush=True)
        model.transform("a corgi")
    """)
    app = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                           text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert app.stdout is not None and app.stdout.readline().strip() == "ready"
    assert fake.wait_for("get", timeout=60)  # created, and being polled
    from mediaconduit.jobs import JobStore

    deadline = time.monotonic() + 10
    while JobStore(cache).get(fake.last_prediction().id, missing_ok=True) is None:
        assert time.monotonic() < deadline, "the host never wrote the job down"
        time.sleep(0.02)
    app.kill()
    app.wait(timeout=30)
    prediction = fake.last_prediction()
    assert main(["jobs", "list", "--json", "--cache-dir", str(cache)]) == 0
    records = [r for r in json.loads(capsys.readouterr().out) if r["job_id"] == prediction.id]
    assert [(r["provider"], r["model"]) for r in records] == [("replicate", FLUX)]
    time.sleep(max(0.0, prediction.done_at() - time.monotonic()) + 0.3)  # it finishes upstream
    out = tmp_path / "fetched"
    assert main(["jobs", "fetch", prediction.id, "-o", str(out),
                 "--cache-dir", str(cache)]) == 0
    assert [p.read_bytes() for p in sorted(out.iterdir())] == [tiny_png()]
    assert len(fake.requests_to("create")) == 1  # fetched, not paid for again
    assert not fake.requests_to("cancel")
