"""The router's and the Hub's error answers as typed errors; retries; no token in messages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fake_hf import FakeHF, Reply, error_reply
from hf_helpers import MakeProvider, in_call

from mediaconduit.sdk import (
    AuthenticationError,
    Image,
    InvalidInputError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderUnavailableError,
    RateLimitError,
)

FLUX = "black-forest-labs/FLUX.1-schnell"
BLIP = "Salesforce/blip-image-captioning-large"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
MANIFEST = Path(__file__).resolve().parents[1] / "MediaConduit.provider.yml"


def call(provider: Any, tmp_path: Path, model_id: str = FLUX, input: Any = "x",
         **params: Any) -> Any:
    with in_call(tmp_path):
        return provider.get_model(model_id).transform(input, **params)


def test_no_token_says_how_to_set_it(make_provider: MakeProvider, fake: FakeHF,
                                     tmp_path: Path) -> None:
    with pytest.raises(AuthenticationError, match="HF_TOKEN is not set"):
        call(make_provider(token=None), tmp_path)
    assert not fake.requests


def test_a_bad_token_is_refused_without_being_named(make_provider: MakeProvider, fake: FakeHF,
                                                    tmp_path: Path) -> None:
    wrong = "hf_wrongTOKEN9876543210zyxwvuts"
    with pytest.raises(AuthenticationError, match="Invalid credentials") as caught:
        call(make_provider(token=wrong), tmp_path)
    assert wrong not in str(caught.value) and "HF_TOKEN" in str(caught.value)


def test_402_is_a_payment_error(make_provider: MakeProvider, fake: FakeHF,
                                tmp_path: Path) -> None:
    fake.script("task", error_reply(402, "You have exceeded your monthly included credits"))
    with pytest.raises(PaymentRequiredError, match="monthly included credits"):
        call(make_provider(), tmp_path)


def test_422_names_the_problem(make_provider: MakeProvider, fake: FakeHF,
                               tmp_path: Path) -> None:
    fake.script("task", Reply(422, {"error": ["Input validation error: `inputs` too long"],
                                    "error_type": "validation"}))
    with pytest.raises(InvalidInputError, match="`inputs` too long"):
        call(make_provider(), tmp_path)


def test_a_bad_image_is_the_routers_400(make_provider: MakeProvider, fake: FakeHF,
                                        tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot identify image file"):
        call(make_provider(), tmp_path, BLIP, Image.from_bytes(b"not a png", "image/png"))


def test_the_error_header_is_used_when_the_body_says_nothing(
        make_provider: MakeProvider, fake: FakeHF, tmp_path: Path) -> None:
    fake.script("task", Reply(400, text="", headers=(("X-Error-Message", "Bad width"),)))
    with pytest.raises(InvalidInputError, match="Bad width"):
        call(make_provider(), tmp_path)


def test_429_is_retried_after_its_retry_after(make_provider: MakeProvider, fake: FakeHF,
                                              tmp_path: Path) -> None:
    fake.script("task", error_reply(429, "Rate limit reached", retry_after="0.05"))
    assert isinstance(call(make_provider(), tmp_path), Image)
    first, second = fake.requests_to("task")
    assert second.at - first.at >= 0.05


def test_a_long_retry_after_reaches_the_caller(make_provider: MakeProvider, fake: FakeHF,
                                               tmp_path: Path) -> None:
    fake.script("chat", error_reply(429, "Rate limit reached", retry_after="120"))
    with pytest.raises(RateLimitError) as caught:
        call(make_provider(), tmp_path, LLAMA, "hi")
    assert caught.value.retry_after == 120


def test_5xx_is_retried_with_backoff(make_provider: MakeProvider, fake: FakeHF,
                                     tmp_path: Path) -> None:
    fake.script("task", error_reply(500, "Internal error"),
                error_reply(503, "Model too busy, unable to get response in less than 120 "
                                 "second(s)"))
    assert isinstance(call(make_provider(), tmp_path), Image)
    assert len(fake.requests_to("task")) == 3


def test_a_busy_503_that_persists_is_unavailable(make_provider: MakeProvider, fake: FakeHF,
                                                 tmp_path: Path) -> None:
    fake.script("task", *[error_reply(503, "Service Unavailable")] * 4)
    with pytest.raises(ProviderUnavailableError, match="Service Unavailable") as caught:
        call(make_provider(), tmp_path)
    assert type(caught.value) is ProviderUnavailableError
    assert len(fake.requests_to("task")) == 3  # max_attempts of the fixture


def test_a_model_the_router_does_not_serve_is_not_found(make_provider: MakeProvider,
                                                        fake: FakeHF, tmp_path: Path) -> None:
    fake.script("task", error_reply(404, "Model me/gone does not exist"))
    with pytest.raises(ModelNotFoundError, match="does not exist") as caught:
        call(make_provider(), tmp_path)
    assert caught.value.model_id == FLUX


def test_a_bad_setting_names_its_key(make_provider: MakeProvider) -> None:
    with pytest.raises(InvalidInputError, match="inference_url / HF_INFERENCE_URL"):
        make_provider(inference_url="router.huggingface.co")
    with pytest.raises(InvalidInputError, match="max_load_wait"):
        make_provider(max_load_wait="long")


def test_the_manifest_lists_the_same_starting_models(make_provider: MakeProvider) -> None:
    listed = re.findall(r"^  - id: (\S+)$", MANIFEST.read_text(encoding="utf-8"), re.M)
    assert listed == [m.id for m in make_provider().discover_models()]
