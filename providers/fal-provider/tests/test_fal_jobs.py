"""Jobs through the fake fal queue: submit, status with logs, result, downloads, cancel."""

from __future__ import annotations

import contextvars
import itertools
import threading
from pathlib import Path
from typing import Any

import pytest
from fake_fal import FakeFal, Plan, Reply, endpoint_of, png_bytes
from fal_helpers import MakeProvider, in_call

from mediaconduit.sdk import Audio, Image, ProviderError, Text, Video

SCHNELL = "fal-ai/flux/schnell"
I2V = "fal-ai/stable-video"


def run(provider: Any, model_id: str, input: Any, tmp_path: Path, **params: Any) -> Any:
    with in_call(tmp_path) as (_, seen):
        result = provider.get_model(model_id).transform(input, **params)
    return result, seen


def test_text_to_image_runs_through_the_queue_with_progress(
        make_provider: MakeProvider, fake: FakeFal, tmp_path: Path) -> None:
    image, seen = run(make_provider(), SCHNELL, "a red fox", tmp_path)
    assert isinstance(image, Image) and image.path is not None
    assert image.path.parent.parent == tmp_path  # the call's own output folder
    assert image.data == png_bytes() and image.mime_type == "image/png"
    (job,) = fake.jobs.values()
    assert job.args == {"prompt": "a red fox"}
    messages = [p.message for p in seen]
    assert messages[0] == f"fal request {job.request_id} IN_QUEUE"
    assert f"fal request {job.request_id} IN_QUEUE (position 1)" in messages
    assert f"fal request {job.request_id} IN_QUEUE (position 0)" in messages
    assert [m for m in messages if "Step" in m] == ["Step 1/2", "Step 2/2"]  # each log once
    assert [p.fraction for p in seen if p.message == "Step 1/2"] == [0.5]
    assert seen[-1].fraction == 1.0
    assert image.metadata["request_id"] == job.request_id
    assert image.metadata["status"] == "COMPLETED"
    assert image.metadata["seed"] == 976168300 and image.metadata["billable_units"] == "1"
    assert image.usage.images == 1 and image.usage.compute_seconds == 1.25
    assert image.cost.usd is None  # the catalog lists no prices


def test_status_and_result_use_the_submit_urls_without_the_subpath(
        make_provider: MakeProvider, fake: FakeFal, tmp_path: Path) -> None:
    run(make_provider(), "fal-ai/flux/dev", "a lake", tmp_path)
    (job,) = fake.jobs.values()
    (submit,) = fake.requests_to("submit")
    assert submit.path == "/fal-ai/flux/dev"
    assert submit.headers["authorization"] == f"Key {fake.key}"
    (stream,) = fake.requests_to("stream")
    assert stream.path == f"/fal-ai/flux/requests/{job.request_id}/status/stream"
    assert stream.query == {"logs": "1"}
    (result,) = fake.requests_to("result")
    assert result.path == f"/fal-ai/flux/requests/{job.request_id}"


def test_a_job_followed_on_its_status_stream_takes_four_requests(
        make_provider: MakeProvider, fake: FakeFal, tmp_path: Path) -> None:
    image, seen = run(make_provider(), SCHNELL, "x", tmp_path)
    assert [endpoint_of(r.method, r.path) for r in fake.requests] == [
        "submit", "stream", "result", "file"]
    assert image.metadata["status"] == "COMPLETED"
    assert [p.message for p in seen if p.message and "Step" in p.message] == [
        "Step 1/2", "Step 2/2"]


def test_without_a_status_stream_the_job_is_polled(make_provider: MakeProvider, fake: FakeFal,
                                                   tmp_path: Path) -> None:
    fake.script("stream", Reply(404, text="Not Found"))
    image, seen = run(make_provider(), "fal-ai/flux/dev", "a lake", tmp_path)
    assert isinstance(image, Image)
    (job,) = fake.jobs.values()
    statuses = fake.requests_to("status")
    assert {r.path for r in statuses} == {f"/fal-ai/flux/requests/{job.request_id}/status"}
    assert all(r.query == {"logs": "1"} for r in statuses)
    assert f"fal request {job.request_id} IN_QUEUE (position 1)" in [p.message for p in seen]


def test_polls_are_few_and_spaced(make_provider: MakeProvider, fake: FakeFal,
                                  tmp_path: Path) -> None:
    run(make_provider(status_stream=False), SCHNELL, "x", tmp_path)
    assert not fake.requests_to("stream")
    statuses = fake.requests_to("status")
    assert len(statuses) == 6  # 2 queued, 3 in progress, completed
    gaps = [b.at - a.at for a, b in itertools.pairwise(statuses)]
    assert min(gaps) >= 0.009  # the fixture's poll_interval: never a busy loop


def test_several_images_come_back_as_a_list(make_provider: MakeProvider, fake: FakeFal,
                                            tmp_path: Path) -> None:
    images, _ = run(make_provider(), SCHNELL, "cats", tmp_path, num_images=3)
    assert isinstance(images, list) and len(images) == 3
    assert all(isinstance(i, Image) and i.data == png_bytes() for i in images)
    assert len({i.path for i in images}) == 3
    assert sum(i.usage.images for i in images) == 3
    assert [i.usage.compute_seconds for i in images] == [1.25, None, None]


def test_image_to_video_sends_a_small_image_inline(make_provider: MakeProvider, fake: FakeFal,
                                                   tmp_path: Path) -> None:
    fake.plan(I2V, Plan(video_bytes=300_000))
    picture = Image.from_bytes(png_bytes(), "image/png")
    video, _ = run(make_provider(), I2V, picture, tmp_path, fps=10)
    (job,) = fake.jobs.values()
    assert job.args["image_url"].startswith("data:image/png;base64,")
    assert job.args["fps"] == 10
    assert isinstance(video, Video) and video.mime_type == "video/mp4"
    assert video.path is not None and video.path.stat().st_size == 300_000
    assert video.path.read_bytes()[4:8] == b"ftyp"
    assert not fake.requests_to("upload")


def test_a_large_input_goes_through_the_storage_upload_flow(
        make_provider: MakeProvider, fake: FakeFal, tmp_path: Path) -> None:
    big = tmp_path / "still.png"
    big.write_bytes(png_bytes() + b"\x00" * 5000)
    run(make_provider(data_uri_limit=1000), I2V, Image.from_path(big), tmp_path)
    (token,) = fake.requests_to("token")
    assert token.query == {"storage_type": "fal-cdn-v3"} and token.body == {}
    assert token.headers["authorization"] == f"Key {fake.key}"
    (upload,) = fake.requests_to("upload")
    assert upload.headers["authorization"].startswith("Bearer cdn-token-")
    assert upload.headers["x-fal-file-name"] == "still.png"
    assert upload.headers["content-type"] == "image/png"
    assert upload.body == big.read_bytes()
    (job,) = fake.jobs.values()
    assert job.args["image_url"].startswith(f"{fake.base_url}/files/")
    assert job.args["image_url"].endswith("still.png")


def test_the_upload_token_is_reused(make_provider: MakeProvider, fake: FakeFal,
                                    tmp_path: Path) -> None:
    provider = make_provider(data_uri_limit=0)
    for _ in range(2):
        run(provider, I2V, Image.from_bytes(png_bytes(), "image/png"), tmp_path)
    assert len(fake.requests_to("token")) == 1 and len(fake.requests_to("upload")) == 2


def test_a_local_file_param_is_uploaded(make_provider: MakeProvider, fake: FakeFal,
                                        tmp_path: Path) -> None:
    mask = tmp_path / "mask.png"
    mask.write_bytes(png_bytes())
    run(make_provider(data_uri_limit=0), "fal-ai/flux-pro", "a door", tmp_path,
        mask_image_url=str(mask))
    (job,) = fake.jobs.values()
    assert job.args["mask_image_url"].startswith(f"{fake.base_url}/files/")


def test_speech_to_text_takes_audio_and_gives_text(make_provider: MakeProvider, fake: FakeFal,
                                                   tmp_path: Path) -> None:
    from fake_fal import wav_bytes

    text, _ = run(make_provider(), "fal-ai/whisper", Audio.from_bytes(wav_bytes(), "audio/wav"),
                  tmp_path)
    assert isinstance(text, Text) and text.text.startswith("heard ")
    (job,) = fake.jobs.values()
    assert job.args["audio_url"].startswith("data:audio/wav;base64,")
    assert text.metadata["request_id"] == job.request_id


def test_a_data_uri_output_is_decoded_into_a_file(make_provider: MakeProvider, fake: FakeFal,
                                                  tmp_path: Path) -> None:
    import base64

    uri = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    fake.plan(SCHNELL, Plan(result={"images": [{"url": uri, "content_type": "image/png"}]}))
    image, _ = run(make_provider(), SCHNELL, "sync", tmp_path, sync_mode=True)
    assert isinstance(image, Image) and image.data == png_bytes()
    assert not fake.requests_to("file")


@pytest.mark.parametrize("stream", [True, False], ids=["status-stream", "polled"])
def test_cancelling_the_call_cancels_the_job_upstream(make_provider: MakeProvider,
                                                      fake: FakeFal, tmp_path: Path,
                                                      stream: bool) -> None:
    fake.plan(SCHNELL, Plan(hold=True))
    fake.pings = False  # a silent stream: the call must still end at once
    outcome: dict[str, Any] = {}
    with in_call(tmp_path) as (context, _):
        def work() -> None:
            try:
                make_provider(status_stream=stream).get_model(SCHNELL).transform("forever")
            except ProviderError as error:
                outcome["error"] = error

        thread = threading.Thread(target=contextvars.copy_context().run, args=(work,))
        thread.start()
        job = fake.wait_for_status("IN_PROGRESS")
        assert job is not None
        context.cancel()
        thread.join(2)
    assert not thread.is_alive(), "the call did not stop when cancelled"
    assert fake.wait_for_cancel(job.request_id) is not None
    (cancel,) = fake.requests_to("cancel")
    assert cancel.method == "PUT"
    assert cancel.path == f"/fal-ai/flux/requests/{job.request_id}/cancel"
    assert cancel.headers["authorization"] == f"Key {fake.key}"
    assert "cancelled" in str(outcome["error"])
    assert not fake.requests_to("result")


def test_downloads_and_uploads_never_carry_the_key(make_provider: MakeProvider, fake: FakeFal,
                                                   tmp_path: Path) -> None:
    run(make_provider(data_uri_limit=0), I2V, Image.from_bytes(png_bytes(), "image/png"),
        tmp_path)
    for request in fake.requests_to("file") + fake.requests_to("upload"):
        assert fake.key not in str(request.headers)
    assert fake.requests_to("file")


@pytest.mark.parametrize("model_id", ["flux", "", "/fal-ai/flux", "fal ai/flux"])
def test_a_malformed_model_id_is_refused(make_provider: MakeProvider, model_id: str) -> None:
    from mediaconduit.sdk import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match="owner/app"):
        make_provider().get_model(model_id)
