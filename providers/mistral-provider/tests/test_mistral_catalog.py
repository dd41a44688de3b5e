"""Discovery: `GET /v1/models` cards as models with capabilities, tasks and context length."""

from __future__ import annotations

import pytest
from mistral_helpers import CODESTRAL, EMBED, KEY, MEDIUM, NEMO, OCR, SMALL
from mistral_provider import MistralProvider
from openai_chat import FakeChat

from mediaconduit.sdk import AuthenticationError, InvalidInputError, ModelNotFoundError


def test_discovery_lists_every_card_with_the_key(provider: MistralProvider,
                                                 fake: FakeChat) -> None:
    assert [m.id for m in provider.discover_models()] == [MEDIUM, SMALL, NEMO, CODESTRAL, OCR,
                                                          EMBED]
    (request,) = fake.requests_to("models")
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_capabilities_and_tasks_follow_the_card(provider: MistralProvider) -> None:
    by_id = {m.id: m for m in provider.discover_models()}
    assert by_id[MEDIUM].capabilities == ("text-to-text", "image-to-text")
    assert by_id[MEDIUM].tasks == ("text-generation", "image-to-text")
    assert by_id[NEMO].capabilities == ("text-to-text",)
    assert by_id[CODESTRAL].tasks == ("text-generation",)
    assert by_id[OCR].capabilities == by_id[EMBED].capabilities == ()


def test_context_length_aliases_and_no_prices(provider: MistralProvider) -> None:
    info = {m.id: m for m in provider.discover_models()}[MEDIUM]
    assert info.context_length == 131072
    assert info.name == "mistral-medium-2508"
    assert info.metadata["aliases"] == ("mistral-medium-2508", "mistral-medium")
    assert info.metadata["default_temperature"] == 0.3
    assert info.pricing is None and info.free is False
    assert provider.get_free_models() == []


def test_an_alias_finds_its_model(provider: MistralProvider) -> None:
    assert provider.get_model("mistral-medium").info.id == MEDIUM


def test_an_unlisted_model_names_close_matches(provider: MistralProvider) -> None:
    with pytest.raises(ModelNotFoundError, match="did you mean mistral-small-latest") as caught:
        provider.get_model("mistral-smal-latest")
    assert caught.value.model_id == "mistral-smal-latest"


def test_listing_without_a_key_says_how_to_set_it(make_provider: type) -> None:
    with pytest.raises(AuthenticationError, match="export MISTRAL_API_KEY"):
        make_provider(api_key=None).discover_models()


def test_base_url_is_the_origin() -> None:
    provider = MistralProvider(env={"MISTRAL_BASE_URL": "https://api.mistral.ai/v1/"})
    assert provider.settings.base_url == "https://api.mistral.ai"


@pytest.mark.parametrize(("config", "words"), [
    ({"base_url": "ftp://x"}, "must be an http"), ({"max_retry_seconds": -1}, "max_retry")])
def test_bad_settings_name_the_key(config: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        MistralProvider(config=config, env={})


def test_config_wins_over_the_environment(fake: FakeChat) -> None:
    provider = MistralProvider(config={"api_key": KEY, "base_url": fake.base_url},
                               env={"MISTRAL_API_KEY": "mst-env", "MISTRAL_BASE_URL": "x"})
    assert len(provider.discover_models()) == 6
    assert fake.requests_to("models")[0].headers["authorization"] == f"Bearer {KEY}"
