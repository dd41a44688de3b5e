"""Speech: the request the server sees, the file the provider writes, real speech in it."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from fake_kokoro import FakeKokoro, Reply, host_helper
from kokoro_provider import KokoroProvider

from mediaconduit.sdk import Audio, InvalidInputError, ProviderUnavailableError, Text
from mediaconduit.sdk.calls import CallContext, enter_call, leave_call

SEVEN = "one two three four five six seven"
#: a voice the fake speaks with plain `en-us`, which pocketsphinx hears best
CLEAR_VOICE = "bf_emma"
#: how each format's file starts (pcm has no header: it is checked by its length)
MAGIC = {"wav": (b"RIFF",), "flac": (b"fLaC",), "opus": (b"OggS",),
         "mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"), "aac": (b"\xff\xf1", b"\xff\xf9")}


def speak(provider: KokoroProvider, text: str = "hello there", **params: object) -> Audio:
    return provider.get_model("kokoro").transform(Text(text), **params)


def test_the_speech_is_real_and_is_written_to_a_file(provider: KokoroProvider) -> None:
    speech = host_helper("speech")
    audio = speak(provider, SEVEN, voice=CLEAR_VOICE, response_format="wav")
    assert audio.path is not None and audio.inline is None
    assert audio.path.read_bytes()[:4] == b"RIFF"
    heard, _words = speech.recognize(audio.path)
    assert speech.words_recovered(SEVEN, heard) >= 4, heard  # most of the seven


@pytest.mark.parametrize("fmt", ["mp3", "opus", "aac", "flac", "wav", "pcm"])
def test_every_format_comes_back_as_that_format(provider: KokoroProvider, fake: FakeKokoro,
                                                fmt: str) -> None:
    audio = speak(provider, response_format=fmt)
    data = audio.path.read_bytes() if audio.path else b""
    assert fake.requests_to("/v1/audio/speech")[-1].body["response_format"] == fmt
    assert audio.metadata["format"] == fmt and audio.metadata["bytes"] == len(data)
    if fmt == "pcm":
        assert audio.mime_type == "audio/pcm" and len(data) > 4800 and len(data) % 2 == 0
    else:
        assert data.startswith(MAGIC[fmt]), data[:8]


def test_the_body_carries_voice_mix_speed_and_kokoro_fields(provider: KokoroProvider,
                                                            fake: FakeKokoro) -> None:
    speak(provider, voice="af_bella(2)+af_sky(1)", speed=1.5, format="flac", lang_code="a",
          volume_multiplier=0.8)
    body = fake.requests_to("/v1/audio/speech")[-1].body
    assert body == {"model": "kokoro", "input": "hello there", "voice": "af_bella(2)+af_sky(1)",
                    "response_format": "flac", "speed": 1.5, "stream": True, "lang_code": "a",
                    "volume_multiplier": 0.8}


def test_defaults_come_from_the_config(make_provider: object, fake: FakeKokoro) -> None:
    provider = make_provider(voice="bf_emma", response_format="wav")  # type: ignore[operator]
    audio = speak(provider)
    body = fake.requests_to("/v1/audio/speech")[-1].body
    assert (body["voice"], body["response_format"], body["speed"]) == ("bf_emma", "wav", 1.0)
    assert audio.mime_type == "audio/wav"


def test_usage_is_characters_and_the_cost_is_zero(provider: KokoroProvider) -> None:
    audio = speak(provider, SEVEN)
    assert audio.usage.characters == len(SEVEN)
    assert audio.cost.usd == Decimal(0) and not audio.cost.estimated


@pytest.mark.parametrize(("params", "words"), [
    ({"speed": 9}, "0.25 to 4.0"), ({"speed": "fast"}, "0.25 to 4.0"),
    ({"response_format": "ogg"}, "mp3, opus, aac, flac, wav, pcm"),
    ({"voice": "af_bella(0)+af_sky"}, "positive weight"),
    ({"voice": "af_bella++af_sky"}, "joined by"),
])
def test_bad_params_are_refused_before_any_request(provider: KokoroProvider, fake: FakeKokoro,
                                                   params: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words.replace("(", r"\(").replace(".", r"\.")):
        speak(provider, **params)
    assert fake.requests_to("/v1/audio/speech") == []


@pytest.mark.parametrize("value", ["", "   ", 7])
def test_empty_or_non_text_input_is_refused(provider: KokoroProvider, value: object) -> None:
    with pytest.raises(InvalidInputError, match="non-empty Text"):
        provider.get_model("kokoro").transform(value)


def test_cancelling_closes_the_download_and_the_server_sees_it(provider: KokoroProvider,
                                                               fake: FakeKokoro) -> None:
    fake.script(Reply(hold=10))
    call = CallContext()
    token = enter_call(call)
    timer = threading.Timer(0.3, call.cancel)
    timer.start()
    try:
        with pytest.raises(ProviderUnavailableError, match="cancelled"):
            speak(provider, SEVEN, response_format="wav")
    finally:
        leave_call(token)
        timer.cancel()
    assert fake.disconnected.wait(5)


def test_a_plain_answer_works_too(provider: KokoroProvider, fake: FakeKokoro) -> None:
    audio = speak(provider, response_format="wav", stream=False)
    assert fake.requests_to("/v1/audio/speech")[-1].body["stream"] is False
    assert audio.path is not None and audio.path.read_bytes()[:4] == b"RIFF"
