"""Predictions through the provider against the fake: created, held or polled, their logs
as progress, failed ones typed, cancelled ones cancelled upstream, outputs downloaded."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from conftest import MakeProvider
from fake_replicate import PINNED_MODEL, FakeReplicate, Job, tiny_png
from fake_replicate_models import PINNED_VERSION
from replicate_helpers import FLUX, VIDEO, call, cancel_later
from replicate_provider import PredictionFailedError

from mediaconduit.sdk import Image, Progress, ProviderError, Text, Video
from mediaconduit.sdk.calls import CallContext, enter_call, leave_call

FLUX_CREATE = f"/v1/models/{FLUX}/predictions"


def test_text_to_image_polled_until_it_succeeds(make_provider: MakeProvider,
                                                fake: FakeReplicate, outputs: Path) -> None:
    fake.set_job(FLUX, Job(seconds=0.3))
    images = make_provider().get_model(FLUX).transform(Text("a corgi"), num_outputs=2)
    assert isinstance(images, list)
    assert [type(i) for i in images] == [Image, Image]
    assert all(i.path.read_bytes() == tiny_png() for i in images)
    assert all(i.path.suffix == ".png" and i.path.is_relative_to(outputs) for i in images)
    create = fake.requests[0]
    assert (create.method, create.path) == ("POST", FLUX_CREATE)
    assert create.body == {"input": {"prompt": "a corgi", "num_outputs": 2}}
    assert "prefer" not in create.headers  # wait=0: no hold
    polls = fake.requests_to("get")
    assert 2 <= len(polls) <= 6
    assert len(fake.requests_to("delivery")) == 2
    prediction = fake.last_prediction()
    assert images[0].metadata["prediction_id"] == prediction.id
    assert images[0].metadata["prediction_status"] == "succeeded"
    assert images[0].usage.images == images[1].usage.images == 1
    assert images[0].usage.compute_seconds == pytest.approx(0.28)  # metrics.predict_time
    assert images[1].usage.compute_seconds is None  # counted once over the list
    assert images[0].cost.usd is None  # the catalog lists no prices ("usage-based")


class RecordingCall(CallContext):
    """A call that keeps the delay of each wait it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return super().wait(timeout)


def test_polls_back_off(make_provider: MakeProvider, fake: FakeReplicate) -> None:
    fake.set_job(FLUX, Job(seconds=0.6))
    context = RecordingCall()
    token = enter_call(context)
    try:
        make_provider(poll_interval=0.02, max_poll_interval=0.16).get_model(FLUX).transform(
            Text("a corgi"))
    finally:
        leave_call(token)
    assert context.waits[:5] == [0.02, 0.04, 0.08, 0.16, 0.16]  # doubled up to the cap
    assert set(context.waits[3:]) == {0.16}
    assert len(context.waits) <= 8
    times = [r.at for r in fake.requests if r.endpoint in ("create", "get")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.9 * wait for gap, wait in zip(gaps, context.waits, strict=False))


@pytest.mark.parametrize("code", [201, 202])
def test_prefer_wait_answered_at_once(make_provider: MakeProvider, fake: FakeReplicate,
                                      code: int) -> None:
    """Done within the hold: the 201 (once 202) carries the output while `processing`."""
    fake.set_job(FLUX, Job(seconds=0.2, wait_code=code))
    image = make_provider(wait=5).get_model(FLUX).transform(Text("a corgi"))
    assert isinstance(image, list) and len(image) == 1  # the model outputs a list
    assert fake.requests[0].headers["prefer"] == "wait=5"
    assert [r.endpoint for r in fake.requests] == ["create", "delivery", "get"]
    assert image[0].metadata["prediction_status"] == "succeeded"  # the last look says so
    assert image[0].usage.compute_seconds is not None


def test_prefer_wait_that_runs_out_goes_on_polling(make_provider: MakeProvider,
                                                   fake: FakeReplicate) -> None:
    fake.set_job(VIDEO, Job(seconds=1.15))
    video = make_provider(wait=1).get_model(VIDEO).transform(Text("a corgi surfing"))
    assert isinstance(video, Video) and video.path.suffix == ".mp4"
    endpoints = [r.endpoint for r in fake.requests]
    assert endpoints[0] == "create" and endpoints[-1] == "delivery"
    assert 1 <= endpoints.count("get") <= 8


def test_data_uri_outputs_are_decoded_into_files(make_provider: MakeProvider,
                                                 fake: FakeReplicate) -> None:
    fake.set_job(FLUX, Job(seconds=0.05, data_uri=True))
    images = make_provider(wait=5).get_model(FLUX).transform(Text("a corgi"), num_outputs=3)
    assert [i.path.read_bytes() for i in images] == [tiny_png()] * 3
    assert fake.requests_to("delivery") == []
    assert images[0].metadata["source_url"] == "data:image/png;base64,..."


def test_logs_arrive_as_progress_in_order(make_provider: MakeProvider,
                                          fake: FakeReplicate) -> None:
    fake.set_job(FLUX, Job(seconds=0.4))
    seen: list[Progress] = []
    with call(seen):
        make_provider(poll_interval=0.03, max_poll_interval=0.03).get_model(FLUX).transform(
            Text("a corgi"), seed=7)
    prediction = fake.last_prediction()
    messages = [p.message for p in seen]
    assert messages[0] == f"replicate prediction {prediction.id} starting"
    assert f"replicate prediction {prediction.id} succeeded" in messages
    assert "Using seed: 7" in messages
    fractions = [p.fraction for p in seen if p.fraction is not None]
    assert fractions == [0.25, 0.5, 0.75, 1.0]
    assert len(messages) == len(set(messages))  # each line once


@pytest.mark.parametrize("wait", [0, 5])
def test_a_failed_prediction_is_a_typed_error_with_its_last_log_lines(
        make_provider: MakeProvider, fake: FakeReplicate, wait: int) -> None:
    logs = (*(f"step {i}" for i in range(30)), "CUDA out of memory")
    fake.set_job(FLUX, Job(seconds=0.05, error="CUDA error: out of memory", logs=logs))
    with pytest.raises(PredictionFailedError) as caught:
        make_provider(log_lines=3, wait=wait).get_model(FLUX).transform(Text("a corgi"))
    message = str(caught.value)
    prediction = fake.last_prediction()
    assert message.startswith(f"Replicate prediction {prediction.id} of {FLUX} failed: "
                              "CUDA error: out of memory")
    assert message.endswith("last log lines:\n  | step 28\n  | step 29\n  | CUDA out of memory")
    assert isinstance(caught.value, ProviderError)
    assert fake.requests_to("delivery") == []


def test_a_cancelled_call_cancels_the_prediction_upstream(make_provider: MakeProvider,
                                                          fake: FakeReplicate) -> None:
    fake.set_job(VIDEO, Job(seconds=30))
    model = make_provider(poll_interval=0.05, max_poll_interval=1).get_model(VIDEO)
    with call() as context, pytest.raises(ProviderError, match="cancelled upstream"):
        cancel_later(context, 0.3)
        started = time.monotonic()
        model.transform(Text("a corgi surfing"))
    assert time.monotonic() - started < 1.5  # the poll wait woke at once
    cancels = fake.requests_to("cancel")
    assert len(cancels) == 1
    prediction = fake.last_prediction()
    assert cancels[0].path == f"/v1/predictions/{prediction.id}/cancel"
    assert cancels[0].headers["authorization"].startswith("Bearer r8_")
    assert prediction.status() == "canceled"


def test_a_cancel_during_the_held_create_cancels_as_soon_as_it_answers(
        make_provider: MakeProvider, fake: FakeReplicate) -> None:
    fake.set_job(VIDEO, Job(seconds=30))
    model = make_provider(wait=1).get_model(VIDEO)
    with call() as context, pytest.raises(ProviderError, match="cancelled"):
        cancel_later(context, 0.2)
        model.transform(Text("a corgi surfing"))
    assert [r.endpoint for r in fake.requests] == ["create", "cancel"]
    assert fake.last_prediction().status() == "canceled"


def test_a_call_cancelled_before_it_starts_sends_nothing(make_provider: MakeProvider,
                                                         fake: FakeReplicate) -> None:
    with call() as context, pytest.raises(ProviderError, match="cancelled before"):
        context.cancel()
        make_provider().get_model(FLUX).transform(Text("a corgi"))
    assert fake.requests == []


def test_a_version_pinned_model_runs_by_version_with_a_local_file_inline(
        make_provider: MakeProvider, fake: FakeReplicate, tmp_path: Path) -> None:
    source = tmp_path / "small.png"
    source.write_bytes(tiny_png())
    model = make_provider().get_model(f"{PINNED_MODEL}:{PINNED_VERSION}")
    result = model.transform(Image.from_path(source), scale=4)
    assert isinstance(result, Image)
    create = fake.requests_to("create")[0]
    assert create.path == "/v1/predictions"
    assert create.body["version"] == PINNED_VERSION
    assert create.body["input"]["image"].startswith("data:image/png;base64,iVBOR")
    assert fake.requests_to("files") == []


def test_a_large_local_file_is_uploaded_first(make_provider: MakeProvider,
                                              fake: FakeReplicate, tmp_path: Path) -> None:
    source = tmp_path / "big.png"
    source.write_bytes(tiny_png() + b"\0" * 5000)
    model = make_provider(inline_limit=1000).get_model(f"{PINNED_MODEL}:{PINNED_VERSION}")
    model.transform(Image.from_path(source))
    upload = fake.requests_to("files")[0]
    assert upload.method == "POST"
    assert upload.headers["content-type"].startswith("multipart/form-data")
    file_id = next(iter(fake.files))
    assert fake.files[file_id]["size"] == source.stat().st_size
    assert fake.files[file_id]["name"] == "big.png"
    create = fake.requests_to("create")[0]
    assert create.body["input"]["image"] == f"{fake.base_url}/v1/files/{file_id}"


def test_an_assets_url_is_passed_through(make_provider: MakeProvider,
                                         fake: FakeReplicate) -> None:
    fake.set_job("kwaivgi/kling-v2.1", Job(seconds=0.05))
    make_provider(wait=5).get_model("kwaivgi/kling-v2.1").transform(
        Image.from_url("https://example.test/start.png"), prompt="the corgi runs")
    create = fake.requests_to("create")[0]
    assert create.body["input"] == {"start_image": "https://example.test/start.png",
                                    "prompt": "the corgi runs"}
    assert fake.requests_to("files") == []


def test_a_large_output_is_streamed_to_disk(make_provider: MakeProvider,
                                            fake: FakeReplicate) -> None:
    import tracemalloc

    size = 12 << 20
    fake.set_job(VIDEO, Job(seconds=0.05, output=f"big:{size}"))
    seen: list[Progress] = []
    tracemalloc.start()
    try:
        with call(seen):
            video = make_provider(wait=5).get_model(VIDEO).transform(Text("a long corgi"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(video, Video) and video.path.stat().st_size == size
    assert peak < 4 << 20  # a few chunks at a time, never the whole file
    fractions = [p.fraction for p in seen if p.message and p.message.startswith("downloading")]
    assert len(fractions) >= 9 and fractions[-1] == 1.0


def test_outputs_are_typed_by_their_content_type(make_provider: MakeProvider,
                                                 fake: FakeReplicate) -> None:
    fake.set_job(FLUX, Job(seconds=0.05, output=["speech.wav", "clip.mp4", "blob.xyz"]))
    assets = make_provider(wait=5).get_model(FLUX).transform(Text("a corgi"))
    assert [type(a).__name__ for a in assets] == ["Audio", "Video", "Image"]
    assert [a.mime_type for a in assets[:2]] == ["audio/wav", "video/mp4"]
    assert assets[0].path.suffix == ".wav" and assets[1].path.suffix == ".mp4"
    assert [a.usage.images for a in assets] == [None, None, 1]


def test_cost_is_estimated_from_listed_prices(make_provider: MakeProvider,
                                              fake: FakeReplicate) -> None:
    from replicate_provider.catalog import catalog_spec, load_catalog

    provider = make_provider(wait=5)
    entry = {**json_entry(FLUX), "pricing": {"image": "0.003"}}
    provider.catalog[FLUX] = catalog_spec(entry)
    assert load_catalog()[FLUX].info.pricing is None  # the packaged catalog lists none
    images = provider.get_model(FLUX).transform(Text("a corgi"), num_outputs=2)
    assert [str(i.cost.usd) for i in images] == ["0.003", "0.003"]
    assert all(i.cost.estimated for i in images)


def json_entry(model_id: str) -> dict[str, object]:
    import json

    from replicate_provider.catalog import CATALOG

    entry: dict[str, object] = json.loads(CATALOG.read_text())[model_id]
    return entry


def test_a_local_path_given_for_a_file_input_is_sent_as_a_file(
        make_provider: MakeProvider, fake: FakeReplicate, tmp_path: Path) -> None:
    start = tmp_path / "first.png"
    start.write_bytes(tiny_png())
    fake.set_job(VIDEO, Job(seconds=0.05))
    make_provider(wait=5).get_model(VIDEO).transform(
        Text("the corgi runs"), first_frame_image=str(start),
        subject_reference="https://example.test/corgi.png")
    sent = fake.requests_to("create")[0].body["input"]
    assert sent["first_frame_image"].startswith("data:image/png;base64,iVBOR")
    assert sent["subject_reference"] == "https://example.test/corgi.png"


def test_a_missing_local_file_is_refused_before_sending(make_provider: MakeProvider,
                                                        fake: FakeReplicate) -> None:
    with pytest.raises(ProviderError, match=r"first_frame_image: '/no/such.png' is neither"):
        make_provider().get_model(VIDEO).transform(Text("x"), first_frame_image="/no/such.png")
    assert fake.requests == []
