"""The fal provider loaded through the host, against a local fal.

`providers/fal-provider` is published to the loopback git server as
`MediaConduit/fal-provider` and loaded by its GitHub URL: real git, a real uv
environment (httpx), a real worker process, and the provider's own fake fal
(`providers/fal-provider/tests/fake_fal.py`) reached through the declared
`FAL_QUEUE_URL`, `FAL_REST_URL` and `FAL_KEY`. The environment is built once
for the module.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mediaconduit import (
    AuthenticationError,
    Image,
    InvalidInputError,
    Text,
    TransformTimeoutError,
    Video,
)
from mediaconduit.handles import ProviderHandle
from mediaconduit.sdk import Progress
from tests.helpers.fal import FAST, KEY, PROVIDER, FakeFal, Plan, error_reply, png_bytes
from tests.helpers.provider_host import (
    assert_secret_not_in_worker_log,
    host_fixtures,
    provider_fixture,
    url_of,
)

URL = url_of("fal")
SCHNELL = "fal-ai/flux/schnell"
I2V = "fal-ai/stable-video"

pytestmark = pytest.mark.slow


server, fake, declared_env, commit, module_cache, host = host_fixtures(
    "fal", PROVIDER, lambda: FakeFal(key=KEY), lambda fake: fake.env())


provider = provider_fixture(URL, FAST)


def test_loads_by_url_and_lists_the_catalog(provider: ProviderHandle, commit: str) -> None:
    assert (provider.id, provider.type, provider.commit) == ("fal", "remote", commit)
    assert len(provider.models) == 110
    schnell = next(m for m in provider.models if m.id == SCHNELL)
    assert schnell.tasks == ("text-to-image",)


def test_text_to_image_through_the_queue_with_progress(provider: ProviderHandle,
                                                       fake: FakeFal) -> None:
    seen: list[Progress] = []
    image = provider.get_model(SCHNELL).transform("a red fox", on_progress=seen.append,
                                                  image_size="square")
    assert isinstance(image, Image) and image.path is not None
    assert image.path.read_bytes() == png_bytes()
    (job,) = fake.jobs.values()
    assert job.args == {"prompt": "a red fox", "image_size": "square"}
    messages = [p.message for p in seen]
    assert messages[0] == f"fal request {job.request_id} IN_QUEUE"
    assert f"fal request {job.request_id} IN_QUEUE (position 1)" in messages
    assert "Loading model" in messages and "Step 2/2" in messages
    assert seen[-1].fraction == 1.0
    assert image.metadata["request_id"] == job.request_id
    assert image.metadata["status"] == "COMPLETED"
    assert image.usage.images == 1 and image.usage.compute_seconds == 1.25
    assert image.cost.usd is None
    (follow,) = fake.requests_to("stream")  # followed on the status stream: one request
    assert follow.path == f"/fal-ai/flux/requests/{job.request_id}/status/stream"
    assert [r.method for r in fake.requests] == ["POST", "GET", "GET", "GET"]


def test_image_to_video_through_the_queue(provider: ProviderHandle, fake: FakeFal,
                                          tmp_path: Path) -> None:
    still = tmp_path / "still.png"
    still.write_bytes(png_bytes())
    fake.plan(I2V, Plan(video_bytes=200_000, logs=("Encoding 50%", "Encoding 100%")))
    seen: list[Progress] = []
    video = provider.get_model(I2V).transform(Image.from_path(still), on_progress=seen.append)
    assert isinstance(video, Video) and video.mime_type == "video/mp4"
    assert video.path is not None and video.path.stat().st_size == 200_000
    (job,) = fake.jobs.values()
    assert job.args["image_url"].startswith("data:image/png;base64,")
    assert [p.fraction for p in seen if p.message and "Encoding" in p.message] == [0.5, 1.0]


def test_several_images_come_back_as_a_list(provider: ProviderHandle, fake: FakeFal) -> None:
    images = provider.get_model(SCHNELL).transform("two cats", num_images=2)
    assert isinstance(images, list) and len(images) == 2
    assert all(isinstance(i, Image) and i.path is not None for i in images)


def test_a_timed_out_job_is_cancelled_upstream(provider: ProviderHandle,
                                               fake: FakeFal) -> None:
    fake.plan(SCHNELL, Plan(hold=True))
    started = time.monotonic()
    with pytest.raises(TransformTimeoutError):
        provider.get_model(SCHNELL).transform("forever", timeout=1.0)
    (job,) = fake.jobs.values()
    seen = fake.wait_for_cancel(job.request_id)
    assert seen is not None and seen - started < 2.0, "fal never heard of the cancel"
    (cancel,) = fake.requests_to("cancel")
    assert cancel.path == f"/fal-ai/flux/requests/{job.request_id}/cancel"
    assert cancel.method == "PUT"
    fake.plan(SCHNELL, Plan())
    after = provider.get_model(SCHNELL).transform("after", timeout=30)
    assert isinstance(after, Image)  # the worker is free for the next job


def test_errors_cross_typed_and_without_the_key(provider: ProviderHandle,
                                                fake: FakeFal) -> None:
    fake.script("submit", error_reply(401, "Unauthorized"))
    with pytest.raises(AuthenticationError) as caught:
        provider.get_model(SCHNELL).transform("x")
    assert KEY not in str(caught.value) and KEY.split(":")[1] not in str(caught.value)
    with pytest.raises(InvalidInputError, match="needs image_url"):
        provider.get_model(I2V).transform(Text("no image"))
    assert_secret_not_in_worker_log(provider, KEY.split(":")[1])
