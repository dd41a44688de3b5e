"""Discovery: /api/tags plus /api/show, capabilities, context length, free; settings."""

from __future__ import annotations

import pytest
from conftest import MakeProvider
from fake_ollama import MODELS, FakeOllama
from ollama_helpers import EMBED, FAST, LLAMA, NOT_PULLED, VISION, closed_port
from ollama_provider import OllamaProvider, load_settings

from mediaconduit.sdk import InvalidInputError, ProviderUnavailableError


def test_lists_the_pulled_models_with_show_facts(provider: OllamaProvider,
                                                 fake: FakeOllama) -> None:
    infos = provider.discover_models()
    assert [m.id for m in infos] == [m["name"] for m in MODELS]
    shown = [r.body["model"] for r in fake.requests_to("/api/show")]
    assert shown == [m["name"] for m in MODELS]
    by_id = {m.id: m for m in infos}
    assert by_id[LLAMA].capabilities == ("text-to-text",)
    assert by_id[LLAMA].tasks == ("text-generation",)
    assert by_id[LLAMA].context_length == 131072
    assert by_id[LLAMA].description == "llama 3.2B Q4_K_M"
    assert by_id[VISION].capabilities == ("text-to-text", "image-to-text")
    assert by_id[VISION].tasks == ("text-generation", "image-to-text")
    assert by_id[VISION].context_length == 4096
    assert by_id[EMBED].capabilities == by_id[EMBED].tasks == ()
    assert by_id[EMBED].metadata["ollama_capabilities"] == ["embedding"]


def test_every_model_is_free(provider: OllamaProvider) -> None:
    infos = provider.discover_models()
    assert all(m.free for m in infos)
    assert [m.id for m in provider.get_free_models()] == [m.id for m in infos]
    assert all(m.pricing is not None and m.pricing.prompt == 0 for m in infos)


def test_an_older_server_without_capabilities(make_provider: MakeProvider) -> None:
    with FakeOllama(show_capabilities=False) as old:
        provider = make_provider(host=old.host)
        by_id = {m.id: m for m in provider.discover_models()}
    assert by_id[LLAMA].capabilities == ("text-to-text",)
    assert by_id[VISION].capabilities == ("text-to-text", "image-to-text")
    assert by_id[EMBED].capabilities == ()


def test_a_short_name_finds_its_latest_tag(provider: OllamaProvider) -> None:
    assert provider.get_model("llama3.2").info.context_length == 131072


def test_a_model_that_is_not_pulled_can_still_be_asked_for(provider: OllamaProvider) -> None:
    model = provider.get_model(NOT_PULLED)
    assert model.info.metadata["pulled"] is False
    assert model.info.free is True


def test_a_server_that_is_not_running_says_how_to_start_it(make_provider: MakeProvider) -> None:
    port = closed_port()
    provider = make_provider(host=f"127.0.0.1:{port}")
    with pytest.raises(ProviderUnavailableError, match="ollama serve") as info:
        provider.discover_models()
    assert f"http://127.0.0.1:{port}" in str(info.value)


@pytest.mark.parametrize(("given", "host"), [
    (None, "http://127.0.0.1:11434"), ("localhost", "http://localhost:11434"),
    ("0.0.0.0:9999", "http://0.0.0.0:9999"), (":8080", "http://127.0.0.1:8080"),
    ("http://box", "http://box:80"), ("https://box", "https://box:443"),
    ("http://box:11434/", "http://box:11434"),
])
def test_ollama_host_is_read_as_ollama_reads_it(given: str | None, host: str) -> None:
    env = {} if given is None else {"OLLAMA_HOST": given}
    assert load_settings({}, env).host == host


def test_health_reports_the_server(provider: OllamaProvider,
                                   make_provider: MakeProvider) -> None:
    assert provider.health() == {"ok": True, "host": provider.settings.host,
                                 "version": "0.13.1"}
    down = make_provider(host=f"127.0.0.1:{closed_port()}").health()
    assert down["ok"] is False
    assert "ollama serve" in down["error"]


def test_config_wins_over_the_environment() -> None:
    settings = load_settings({"host": "http://a:1", "auto_pull": True}, {"OLLAMA_HOST": "b:2"})
    assert (settings.host, settings.auto_pull) == ("http://a:1", True)


@pytest.mark.parametrize(("config", "words"), [
    ({"host": "ftp://box"}, "host / OLLAMA_HOST must be"),
    ({"host": "box:port"}, "host / OLLAMA_HOST must be"),
    ({"auto_pull": "maybe"}, "config auto_pull must be true or false"),
    ({"timeout": 0}, "config timeout must be a number"),
    ({"keep_alive": [1]}, "config keep_alive must be a duration"),
])
def test_bad_settings_say_which_key(config: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        OllamaProvider(config={**FAST, **config}, env={})


def test_construction_does_no_network_io(fake: FakeOllama) -> None:
    OllamaProvider(config=FAST, env={"OLLAMA_HOST": fake.host})
    assert fake.requests == []
