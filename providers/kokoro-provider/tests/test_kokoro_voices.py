"""Voices: both shapes of the listing, mixes, unknown voices with close matches; models."""

from __future__ import annotations

import pytest
from fake_kokoro import VOICES, FakeKokoro
from kokoro_provider import MODEL_IDS, KokoroProvider
from kokoro_provider.voices import mix_names, parse_voices

from mediaconduit.sdk import InvalidInputError, ModelNotFoundError, ProviderUnavailableError


def test_the_new_shape_is_read(provider: KokoroProvider, fake: FakeKokoro) -> None:
    assert provider.voices() == list(VOICES)
    assert fake.requests_to("/v1/audio/voices")[-1].query == {}


def test_the_legacy_shape_is_read(provider: KokoroProvider, fake: FakeKokoro) -> None:
    fake.legacy = True
    assert provider.voices() == list(VOICES)


@pytest.mark.parametrize("body", [
    {"voices": ["af_heart", "am_adam"]},
    {"voices": [{"id": "af_heart", "name": "af_heart"}, {"id": "am_adam", "name": "am_adam"}]},
    {"voices": [{"name": "af_heart"}, "am_adam", 3, None]},
])
def test_parse_voices_reads_both_shapes(body: object) -> None:
    assert parse_voices(body) == ["af_heart", "am_adam"]


@pytest.mark.parametrize("body", [{"voice": []}, [], "x", {"voices": "af_heart"}])
def test_a_listing_without_voices_is_unavailable(body: object) -> None:
    with pytest.raises(ProviderUnavailableError, match="'voices' list"):
        parse_voices(body)


def test_mixes_name_their_voices() -> None:
    assert mix_names("af_bella(2)+af_sky(1)") == ["af_bella", "af_sky"]
    assert mix_names("af_bella - am_adam(0.5)") == ["af_bella", "am_adam"]


def test_an_unknown_voice_lists_close_matches(provider: KokoroProvider) -> None:
    with pytest.raises(InvalidInputError) as info:
        provider.get_model("kokoro").transform("hi", voice="af_bela")
    message = str(info.value)
    assert "no voice 'af_bela'" in message
    assert "did you mean af_bella" in message and "af_heart" in message


def test_an_unknown_voice_inside_a_mix_is_named(provider: KokoroProvider) -> None:
    with pytest.raises(InvalidInputError, match="no voice 'af_skyy'; did you mean af_sky"):
        provider.get_model("kokoro").transform("hi", voice="af_bella(2)+af_skyy(1)")


def test_check_voice_asks_the_listing(provider: KokoroProvider) -> None:
    provider.check_voice("af_bella(2)+af_sky(1)")
    with pytest.raises(InvalidInputError, match="did you mean am_michael"):
        provider.check_voice("am_micheal")


def test_openai_voice_names_are_accepted(provider: KokoroProvider) -> None:
    assert provider.get_model("tts-1").transform("hi", voice="alloy").path is not None


def test_discovery_lists_four_free_speech_models_with_voices(provider: KokoroProvider) -> None:
    infos = provider.discover_models()
    assert [m.id for m in infos] == ["tts-1", "tts-1-hd", "kokoro", "gpt-4o-mini-tts"]
    for info in infos:
        assert info.capabilities == ("text-to-audio",) and info.tasks == ("text-to-speech",)
        assert info.free is True
        assert info.metadata["voices"] == list(VOICES)
        assert info.parameters["voice"]["examples"] == list(VOICES)


def test_get_model_knows_the_four_ids_without_asking(make_provider: object) -> None:
    provider = make_provider(base_url="http://127.0.0.1:9")  # type: ignore[operator]
    assert [provider.get_model(m).id for m in MODEL_IDS] == list(MODEL_IDS)
    with pytest.raises(ModelNotFoundError, match="its models: kokoro, tts-1"):
        provider.get_model("kokoro-2")


def test_health_counts_the_voices(provider: KokoroProvider) -> None:
    assert provider.health() == {"ok": True, "base_url": provider.settings.base_url,
                                 "voices": len(VOICES)}
