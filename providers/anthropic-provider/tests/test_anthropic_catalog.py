"""Discovery: every page of GET /v1/models, capabilities, context length, prices, settings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from anthropic_helpers import FAST, HAIKU, KEY, OLD_SHAPE, OPUS, RETIRED
from anthropic_provider import AnthropicProvider, load_settings
from conftest import MakeProvider
from fake_anthropic import MODELS, FakeAnthropic

from mediaconduit.sdk import AuthenticationError, InvalidInputError, ModelNotFoundError


def test_every_page_is_read_in_order(make_provider: MakeProvider, fake: FakeAnthropic) -> None:
    infos = make_provider(page_size=3).discover_models()
    assert [m.id for m in infos] == [m["id"] for m in MODELS]
    queries = [r.query for r in fake.requests_to("/v1/models")]
    assert queries == [{"limit": "3"}, {"limit": "3", "after_id": MODELS[2]["id"]},
                       {"limit": "3", "after_id": MODELS[5]["id"]}]
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in fake.requests)
    assert all(r.headers["anthropic-version"] for r in fake.requests)


def test_capabilities_tasks_and_context(provider: AnthropicProvider) -> None:
    by_id = {m.id: m for m in provider.discover_models()}
    assert by_id[OPUS].capabilities == ("text-to-text", "image-to-text")
    assert by_id[OPUS].tasks == ("text-generation", "image-to-text")
    assert by_id[OPUS].context_length == 1_000_000
    assert by_id[OPUS].parameters["max_tokens"]["maximum"] == 128_000
    assert by_id[OPUS].name == "Claude Opus 4.6"
    assert by_id[HAIKU].context_length == 200_000
    assert by_id[OLD_SHAPE].capabilities == ("text-to-text", "image-to-text")
    assert by_id[OLD_SHAPE].context_length is None
    assert by_id[RETIRED].capabilities == by_id[RETIRED].tasks == ()
    assert by_id[RETIRED].metadata["lifecycle"] == "retired"
    assert by_id["claude-opus-4-1-20250805"].metadata["lifecycle"] == "deprecated"


def test_no_model_is_free_and_no_price_is_listed(provider: AnthropicProvider) -> None:
    infos = provider.discover_models()
    assert not any(m.free for m in infos)
    assert all(m.pricing is None for m in infos)
    assert provider.get_free_models() == []


def test_config_prices_price_a_model(make_provider: MakeProvider) -> None:
    provider = make_provider(prices={OPUS: {"prompt": "0.000005", "completion": "0.000025"}})
    by_id = {m.id: m for m in provider.discover_models()}
    assert by_id[OPUS].pricing is not None
    assert by_id[OPUS].pricing.prompt == Decimal("0.000005")
    assert by_id[OPUS].free is False
    assert by_id[HAIKU].pricing is None


def test_unknown_model_names_close_matches(provider: AnthropicProvider) -> None:
    with pytest.raises(ModelNotFoundError, match="did you mean claude-opus-4-6") as info:
        provider.get_model("claude-opus-4-7")
    assert info.value.model_id == "claude-opus-4-7"


def test_an_alias_names_its_dated_model(provider: AnthropicProvider) -> None:
    model = provider.get_model("claude-haiku-4-5")
    assert model.id == "claude-haiku-4-5"
    assert model.info.metadata["alias_of"] == HAIKU
    assert model.info.context_length == 200_000


def test_without_a_key_listing_says_how_to_set_it(make_provider: MakeProvider,
                                                  fake: FakeAnthropic) -> None:
    with pytest.raises(AuthenticationError, match="export ANTHROPIC_API_KEY"):
        make_provider(api_key=None).discover_models()
    assert fake.requests == []


def test_a_wrong_key_is_an_authentication_error(make_provider: MakeProvider) -> None:
    with pytest.raises(AuthenticationError, match="invalid x-api-key"):
        make_provider(api_key="sk-ant-api03-wrong-key-0000000000").discover_models()


def test_config_wins_over_the_environment() -> None:
    env = {"ANTHROPIC_API_KEY": "from-env", "ANTHROPIC_BASE_URL": "http://env.invalid"}
    settings = load_settings({"api_key": "from-config", "base_url": "http://x:1/v1/"}, env)
    assert (settings.api_key, settings.base_url) == ("from-config", "http://x:1")
    assert "from-config" not in repr(settings)
    assert load_settings({}, env).base_url == "http://env.invalid"
    assert load_settings({}, {}).base_url == "https://api.anthropic.com"


@pytest.mark.parametrize(("config", "words"), [
    ({"base_url": "api.anthropic.com"}, "must be an http(s) URL"),
    ({"max_tokens": 0}, "config max_tokens must be a whole number"),
    ({"backoff": "fast"}, "config backoff must be a number"),
    ({"prices": {"m": "cheap"}}, "config prices: m: expected"),
    ({"prices": {"m": {"prompt": "abc"}}}, "pricing.prompt"),
])
def test_bad_settings_say_which_key(config: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words.replace("(", r"\(").replace(")", r"\)")):
        AnthropicProvider(config={**FAST, **config}, env={})


def test_construction_does_no_network_io(fake: FakeAnthropic) -> None:
    AnthropicProvider(config=FAST, env={"ANTHROPIC_BASE_URL": fake.base_url})
    assert fake.requests == []
