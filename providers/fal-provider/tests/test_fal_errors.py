"""fal's error answers as typed errors, retries, and the key kept out of every message."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_fal import FakeFal, Plan, Reply, error_reply, png_bytes
from fal_helpers import MakeProvider, in_call

from mediaconduit.sdk import (
    AuthenticationError,
    Image,
    InvalidInputError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)

SCHNELL = "fal-ai/flux/schnell"


def call(provider: object, tmp_path: Path, model_id: str = SCHNELL, input: object = "a fox",
         **params: object) -> object:
    with in_call(tmp_path):
        return provider.get_model(model_id).transform(input, **params)  # type: ignore[attr-defined]


def test_no_key_says_how_to_set_it(make_provider: MakeProvider, fake: FakeFal,
                                   tmp_path: Path) -> None:
    with pytest.raises(AuthenticationError, match="FAL_KEY is not set"):
        call(make_provider(key=None), tmp_path)
    assert not fake.requests


def test_a_wrong_key_is_an_authentication_error_without_the_key(
        make_provider: MakeProvider, fake: FakeFal, tmp_path: Path) -> None:
    wrong = "wrong-id:wrong-secret-0123456789"
    with pytest.raises(AuthenticationError, match="Unauthorized") as caught:
        call(make_provider(key=wrong), tmp_path)
    assert wrong not in str(caught.value) and "wrong-secret" not in str(caught.value)
    assert "FAL_KEY" in str(caught.value)


def test_a_missing_required_field_is_the_apps_422(make_provider: MakeProvider, fake: FakeFal,
                                                  tmp_path: Path) -> None:
    fake.script("submit", Reply(422, {"detail": [
        {"loc": ["body", "prompt"], "msg": "Field required", "type": "missing"}]}))
    with pytest.raises(InvalidInputError, match=r"body\.prompt: Field required \(missing\)"):
        call(make_provider(), tmp_path, "someone/unlisted-app")


def test_a_listed_models_required_field_is_checked_before_sending(
        make_provider: MakeProvider, fake: FakeFal, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="needs image_url"):
        call(make_provider(), tmp_path, "fal-ai/stable-video", "no image")
    assert not fake.requests


def test_an_unknown_app_is_model_not_found(make_provider: MakeProvider, fake: FakeFal,
                                           tmp_path: Path) -> None:
    fake.script("submit", Reply(404, text="Application 'nope' not found"))
    with pytest.raises(ModelNotFoundError, match="not found") as caught:
        call(make_provider(), tmp_path, "fal-ai/nope")
    assert caught.value.model_id == "fal-ai/nope"


def test_402_and_a_locked_balance_are_payment_errors(make_provider: MakeProvider,
                                                     fake: FakeFal, tmp_path: Path) -> None:
    fake.script("submit", error_reply(402, "Payment required"),
                error_reply(403, "User is locked. Reason: Exhausted balance."))
    for _ in range(2):
        with pytest.raises(PaymentRequiredError, match="billing"):
            call(make_provider(), tmp_path)


def test_429_is_retried_after_its_retry_after(make_provider: MakeProvider, fake: FakeFal,
                                              tmp_path: Path) -> None:
    fake.script("submit", error_reply(429, "Too many requests", retry_after="0.05"))
    image = call(make_provider(), tmp_path)
    assert isinstance(image, Image)
    first, second = fake.requests_to("submit")
    assert second.at - first.at >= 0.05


def test_a_long_retry_after_reaches_the_caller(make_provider: MakeProvider, fake: FakeFal,
                                               tmp_path: Path) -> None:
    fake.script("submit", error_reply(429, "Too many requests", retry_after="30"))
    with pytest.raises(RateLimitError) as caught:
        call(make_provider(), tmp_path)
    assert caught.value.retry_after == 30
    assert len(fake.requests_to("submit")) == 1


def test_5xx_on_a_status_poll_is_retried(make_provider: MakeProvider, fake: FakeFal,
                                         tmp_path: Path) -> None:
    fake.script("status", Reply(502, text="<html>nginx</html>"), error_reply(503, "busy"))
    assert isinstance(call(make_provider(status_stream=False), tmp_path), Image)
    assert len(fake.requests_to("status")) == 6 + 2


def test_a_status_stream_that_fails_falls_back_to_polling(
        make_provider: MakeProvider, fake: FakeFal, tmp_path: Path) -> None:
    fake.script("stream", *[error_reply(502, "Bad gateway")] * 3)
    assert isinstance(call(make_provider(), tmp_path), Image)
    assert len(fake.requests_to("stream")) == 3 and fake.requests_to("status")


def test_5xx_that_persists_is_unavailable(make_provider: MakeProvider, fake: FakeFal,
                                          tmp_path: Path) -> None:
    fake.script("submit", *[error_reply(500, "Internal error")] * 3)
    with pytest.raises(ProviderUnavailableError, match=r"fal failed \(500\)"):
        call(make_provider(), tmp_path)
    assert len(fake.requests_to("submit")) == 3  # max_attempts of the fixture


def test_a_failed_run_is_the_models_error(make_provider: MakeProvider, fake: FakeFal,
                                          tmp_path: Path) -> None:
    detail = [{"loc": ["body", "image_size"], "msg": "Input should be 'square'",
               "type": "enum"}]
    fake.plan(SCHNELL, Plan(error=(422, {"detail": detail})))
    with pytest.raises(InvalidInputError, match=r"body\.image_size: Input should be 'square'"):
        call(make_provider(), tmp_path)


def test_a_failed_upload_is_typed_and_names_no_token(make_provider: MakeProvider,
                                                     fake: FakeFal, tmp_path: Path) -> None:
    fake.script("upload", error_reply(401, "Unauthorized"))
    with pytest.raises(AuthenticationError) as caught:
        call(make_provider(data_uri_limit=0), tmp_path, "fal-ai/stable-video",
             Image.from_bytes(png_bytes(), "image/png"))
    assert "cdn-token" not in str(caught.value) and fake.key not in str(caught.value)


def test_a_missing_input_file_is_a_clear_error(make_provider: MakeProvider, fake: FakeFal,
                                               tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="neither a URL"):
        call(make_provider(), tmp_path, mask_image_url=str(tmp_path / "nope.png"))


def test_a_bad_setting_names_its_key(make_provider: MakeProvider) -> None:
    with pytest.raises(InvalidInputError, match="queue_url / FAL_QUEUE_URL"):
        make_provider(queue_url="queue.fal.run")
    with pytest.raises(InvalidInputError, match="poll_interval"):
        make_provider(poll_interval=-1)


def test_a_completed_status_with_an_error_is_raised_with_the_last_logs(
        make_provider: MakeProvider, fake: FakeFal, tmp_path: Path) -> None:
    fake.plan(SCHNELL, Plan(error=(500, "CUDA out of memory"), logs=("Loading", "OOM")))
    fake.script("result", Reply(200, {"images": []}))
    with pytest.raises(ProviderError, match=r"failed \(model_error\): CUDA out of memory") as e:
        call(make_provider(), tmp_path)
    assert "OOM" in str(e.value)
