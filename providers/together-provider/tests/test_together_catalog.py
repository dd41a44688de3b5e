"""Discovery: `GET /v1/models` (a bare array) as models with capabilities, tasks, prices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openai_chat import FakeChat
from together_helpers import (
    CHAT,
    CODE,
    EMBEDDING,
    FREE,
    FREE_IMAGE,
    IMAGE,
    KEY,
    VISION,
    WHISPER,
)
from together_provider import TogetherProvider
from together_provider.catalog import parse_catalog

from mediaconduit.sdk import AuthenticationError, InvalidInputError, ModelNotFoundError


def test_discovery_lists_every_model_with_the_key(provider: TogetherProvider,
                                                  fake: FakeChat) -> None:
    infos = provider.discover_models()
    assert len(infos) == 9
    (request,) = fake.requests_to("models")
    assert request.method == "GET"
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_capabilities_and_tasks_follow_the_type(provider: TogetherProvider) -> None:
    by_id = {m.id: m for m in provider.discover_models()}
    assert by_id[CHAT].capabilities == ("text-to-text",)
    assert by_id[CHAT].tasks == ("text-generation",)
    assert by_id[CODE].tasks == ("text-generation",)
    assert by_id[VISION].capabilities == ("text-to-text", "image-to-text")
    assert by_id[VISION].tasks == ("text-generation", "image-to-text")
    assert by_id[IMAGE].capabilities == ("text-to-image",)
    assert by_id[IMAGE].tasks == ("text-to-image",)
    assert by_id[EMBEDDING].capabilities == by_id[WHISPER].capabilities == ()


def test_prices_are_per_token_and_context_length_is_kept(provider: TogetherProvider) -> None:
    info = {m.id: m for m in provider.discover_models()}[CHAT]
    assert info.pricing is not None
    assert info.pricing.prompt == info.pricing.completion == Decimal("0.00000088")
    assert info.context_length == 131072
    assert info.name == "Meta Llama 3.3 70B Instruct Turbo"
    assert info.metadata["type"] == "chat"


def test_zero_priced_chat_and_image_models_are_free(provider: TogetherProvider) -> None:
    assert {m.id for m in provider.get_free_models()} == FREE
    assert provider.is_model_free(FREE_IMAGE)
    assert not provider.is_model_free(IMAGE)  # zero token prices, a per-megapixel base price
    assert not provider.is_model_free(WHISPER)  # zero token prices, billed per audio minute
    assert not provider.is_model_free(CHAT)


def test_config_vision_models_adds_image_input(make_provider: type) -> None:
    provider = make_provider(vision_models=[CHAT])
    assert "image-to-text" in provider.model_info(CHAT).capabilities


def test_an_unlisted_model_names_close_matches(provider: TogetherProvider) -> None:
    with pytest.raises(ModelNotFoundError, match="did you mean") as caught:
        provider.get_model("meta-llama/Llama-3.3-70B-Instruct")
    assert caught.value.model_id == "meta-llama/Llama-3.3-70B-Instruct"
    assert CHAT in str(caught.value)


def test_listing_without_a_key_says_how_to_set_it(make_provider: type) -> None:
    with pytest.raises(AuthenticationError, match="export TOGETHER_API_KEY"):
        make_provider(api_key=None).discover_models()


@pytest.mark.parametrize(("url", "origin"), [
    ("http://127.0.0.1:9/", "http://127.0.0.1:9"), ("https://api.together.xyz/v1",
                                                     "https://api.together.xyz")])
def test_base_url_is_the_origin(url: str, origin: str) -> None:
    provider = TogetherProvider(env={"TOGETHER_BASE_URL": url})
    assert provider.settings.base_url == origin


@pytest.mark.parametrize(("config", "words"), [
    ({"base_url": "api.together.xyz"}, "must be an http"),
    ({"max_retries": -1}, "max_retries"), ({"vision_models": "x"}, "vision_models")])
def test_bad_settings_name_the_key(config: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        TogetherProvider(config=config, env={})


def test_entries_without_id_or_prices_are_handled() -> None:
    infos = parse_catalog([{"id": "x/y", "object": "model", "type": "chat", "pricing": {}},
                           {"object": "model"}, "junk", {"id": "x/y", "type": "image"}])
    assert [(i.id, i.free, i.pricing, i.capabilities) for i in infos] == [
        ("x/y", False, None, ("text-to-text",))]


def test_config_wins_over_the_environment(fake: FakeChat) -> None:
    provider = TogetherProvider(config={"api_key": KEY, "base_url": fake.base_url},
                                env={"TOGETHER_API_KEY": "tgp_v1_env", "TOGETHER_BASE_URL": "x"})
    assert len(provider.discover_models()) == 9
    assert fake.requests_to("models")[0].headers["authorization"] == f"Bearer {KEY}"
