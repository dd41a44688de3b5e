"""The official `replicate` client (1.0.x) against the fake: the fake speaks the protocol
well enough for it, and these are the facts that made the provider speak HTTP itself
(README, "Why not the replicate client").

Skipped where `replicate` is not installed (the host's dev venv, the provider's own
environment); run them with `uv run --with replicate==1.0.7 --with pytest pytest ...`.
"""

from __future__ import annotations

import time

import pytest
from fake_replicate import TEXT_MODEL, FakeReplicate, Job, rate_limited, server_error
from replicate_helpers import FLUX

replicate = pytest.importorskip("replicate")


@pytest.fixture
def client(fake: FakeReplicate) -> object:
    return replicate.Client(api_token=fake.token, base_url=fake.base_url)


def test_run_with_prefer_wait_cancel_files_and_stream_work_against_the_fake(
        client: object, fake: FakeReplicate, tmp_path: object) -> None:
    output = client.run(FLUX, input={"prompt": "a corgi", "num_outputs": 2},
                        use_file_output=False)
    assert len(output) == 2 and all(u.startswith(fake.base_url) for u in output)
    assert fake.requests_to("create")[0].headers["prefer"] == "wait"
    fake.set_job(FLUX, Job(seconds=30))
    prediction = client.models.predictions.create(model=FLUX, input={"prompt": "x"})
    prediction.cancel()
    assert prediction.status == "canceled" and fake.wait_for("cancel")
    fake.set_job(TEXT_MODEL, Job(seconds=0.1))
    streamed = client.models.predictions.create(model=TEXT_MODEL, input={"prompt": "hi"},
                                                stream=True)
    assert "".join(str(e) for e in streamed.stream()) == "Once upon a time."
    path = tmp_path / "note.txt"
    path.write_text("hello")
    uploaded = client.files.create(path)
    assert uploaded.size == 5 and uploaded.urls["get"].startswith(fake.base_url)
    assert client.files.get(uploaded.id).name == "note.txt"
    assert client.files.delete(uploaded.id) and uploaded.id not in fake.files


def test_its_errors_drop_invalid_fields(client: object) -> None:
    with pytest.raises(replicate.exceptions.ReplicateError) as caught:
        client.models.predictions.create(model=FLUX, input={"num_outputs": "x"})
    assert caught.value.status == 422
    assert not hasattr(caught.value, "invalid_fields")


def test_it_does_not_retry_a_500_nor_a_post(client: object, fake: FakeReplicate) -> None:
    fake.script("model", server_error(500))
    with pytest.raises(replicate.exceptions.ReplicateError):
        client.models.get(FLUX)
    fake.script("create", rate_limited(0.01))
    with pytest.raises(replicate.exceptions.ReplicateError):
        client.models.predictions.create(model=FLUX, input={"prompt": "x"})
    assert len(fake.requests_to("model")) == 1 and len(fake.requests_to("create")) == 1


def test_it_sleeps_out_retry_after_inside_its_transport(client: object,
                                                         fake: FakeReplicate) -> None:
    """A GET answered 429 `Retry-After: 1` blocks in the transport, where no cancel
    reaches (and it takes any number of seconds it is given, up to 10 attempts)."""
    fake.script("model", rate_limited(1))
    started = time.monotonic()
    client.models.get(FLUX)
    assert time.monotonic() - started >= 1
