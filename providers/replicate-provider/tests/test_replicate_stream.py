"""Text models streamed over SSE (`urls.stream`), and their cancellation."""

from __future__ import annotations

import pytest
from conftest import MakeProvider
from fake_replicate import TEXT_MODEL, FakeReplicate, Job
from replicate_helpers import FLUX, call
from replicate_provider import PredictionFailedError

from mediaconduit.sdk import InvalidInputError, Progress, ProviderError, Text


def test_tokens_arrive_as_they_are_made_then_usage(make_provider: MakeProvider,
                                                   fake: FakeReplicate) -> None:
    fake.set_job(TEXT_MODEL, Job(seconds=0.3, tokens=("Fuzzy", ", gentle", "\n", "corgi")))
    seen: list[Progress] = []
    with call(seen):
        chunks = list(make_provider().get_model(TEXT_MODEL).stream(Text("a poem"),
                                                                   max_tokens=20))
    *texts, last = chunks
    assert texts == ["Fuzzy", ", gentle", "\n", "corgi"]
    assert isinstance(last, Text) and last.text == ""
    assert last.usage.compute_seconds is not None
    prediction = fake.last_prediction()
    assert last.metadata["prediction_id"] == prediction.id
    create = fake.requests_to("create")[0]
    assert create.body["stream"] is True and "prefer" not in create.headers
    stream = fake.requests_to("stream")[0]
    assert stream.headers["accept"] == "text/event-stream"
    assert stream.headers["cache-control"] == "no-store"
    assert seen[0].message == f"replicate prediction {prediction.id} starting"
    assert any(p.fraction == 0.25 for p in seen)  # `logs` events are progress too


def test_transform_of_a_text_model_joins_its_tokens(make_provider: MakeProvider,
                                                    fake: FakeReplicate) -> None:
    fake.set_job(TEXT_MODEL, Job(seconds=0.05))
    text = make_provider(wait=5).get_model(TEXT_MODEL).transform(Text("a story"))
    assert isinstance(text, Text) and text.text == "Once upon a time."
    assert text.metadata["prediction_status"] == "succeeded"  # tokens are final only then
    assert [r.endpoint for r in fake.requests] == ["model", "create", "get"]


def test_an_image_model_cannot_stream(make_provider: MakeProvider,
                                      fake: FakeReplicate) -> None:
    with pytest.raises(InvalidInputError, match="makes image, not text, so it cannot stream"):
        next(make_provider().get_model(FLUX).stream(Text("a corgi")))
    assert fake.requests == []


def test_a_stream_error_event_is_a_typed_error(make_provider: MakeProvider,
                                               fake: FakeReplicate) -> None:
    fake.set_job(TEXT_MODEL, Job(seconds=0.1, error="prompt too long"))
    with pytest.raises(PredictionFailedError, match="failed: prompt too long"):
        list(make_provider().get_model(TEXT_MODEL).stream(Text("a poem")))


def test_closing_a_stream_early_cancels_upstream(make_provider: MakeProvider,
                                                 fake: FakeReplicate) -> None:
    fake.set_job(TEXT_MODEL, Job(seconds=5, tokens=tuple(f"t{i} " for i in range(50))))
    model = make_provider().get_model(TEXT_MODEL)
    with call() as context:
        chunks = model.stream(Text("a long poem"))
        assert next(chunks) == "t0 "
        context.cancel()  # what the worker does when the caller closes the stream
        with pytest.raises(ProviderError, match="cancel"):
            list(chunks)
    assert fake.wait_for("cancel")
    assert fake.last_prediction().status() == "canceled"
