"""travisvn/chatterbox-tts-api: WAV and SSE speech, the voice library, cloning by upload."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from chatterbox_helpers import SEVEN, MakeProvider, heard, reference_voice, speak
from fake_chatterbox import FakeChatterbox, Reply

from mediaconduit.sdk import InvalidInputError, ProviderUnavailableError


def test_speech_is_real_and_says_the_text(make_provider: MakeProvider,
                                          travisvn: FakeChatterbox) -> None:
    audio = speak(make_provider(travisvn), SEVEN)
    assert audio.mime_type == "audio/wav" and heard(audio.path) >= 4
    assert audio.metadata["api"] == "travisvn" and audio.usage.characters == len(SEVEN)


def test_the_body_carries_the_controls_and_library_voice(make_provider: MakeProvider,
                                                         travisvn: FakeChatterbox) -> None:
    speak(make_provider(travisvn), voice="storyteller", exaggeration=1.2, cfg_weight=0.4,
          temperature=0.9, streaming_strategy="sentence", seed=3)
    assert travisvn.requests_to("/v1/audio/speech")[-1].body == {
        "input": "hello there", "stream_format": "audio", "voice": "storyteller",
        "exaggeration": 1.2, "cfg_weight": 0.4, "temperature": 0.9,
        "streaming_strategy": "sentence"}
    assert travisvn.spoken[-1]["voice"] == "narrator"  # the alias reached its voice


def test_no_voice_means_the_servers_sample_and_openai_names_pass(
        make_provider: MakeProvider, travisvn: FakeChatterbox) -> None:
    provider = make_provider(travisvn)
    speak(provider)
    assert "voice" not in travisvn.requests_to("/v1/audio/speech")[-1].body
    speak(provider, voice="alloy")
    assert travisvn.requests_to("/v1/audio/speech")[-1].body["voice"] == "alloy"


def test_an_unknown_voice_is_refused_with_close_matches(make_provider: MakeProvider,
                                                        travisvn: FakeChatterbox) -> None:
    # the real server would silently use its default sample instead
    with pytest.raises(InvalidInputError, match="no voice 'narator'; did you mean narrator"):
        speak(make_provider(travisvn), voice="narator")
    assert travisvn.requests_to("/v1/audio/speech") == []


def test_voices_are_the_library_names_and_aliases(make_provider: MakeProvider,
                                                  travisvn: FakeChatterbox) -> None:
    assert make_provider(travisvn).voices() == ["narrator", "storyteller", "sarah", "bob",
                                                "robert"]


def test_sse_events_become_a_wav_file(make_provider: MakeProvider,
                                      travisvn: FakeChatterbox) -> None:
    audio = speak(make_provider(travisvn, stream_format="sse"), SEVEN)
    assert travisvn.requests_to("/v1/audio/speech")[-1].body["stream_format"] == "sse"
    with wave.open(str(audio.path)) as wav:
        frames, rate = wav.getnframes(), wav.getframerate()
    assert rate == 24000 and audio.usage.audio_seconds == pytest.approx(frames / rate)
    assert audio.metadata["server_usage"]["total_tokens"] > 0
    assert heard(audio.path) >= 4


def test_an_sse_stream_cut_before_done_is_unavailable(make_provider: MakeProvider,
                                                      travisvn: FakeChatterbox) -> None:
    travisvn.script(Reply(cut=True))
    # the real server raises inside its generator: the chunked body just stops
    with pytest.raises(ProviderUnavailableError, match=r"broke off|before speech\.audio\.done"):
        speak(make_provider(travisvn, stream_format="sse"), "One. Two. Three.")


def test_cloning_sends_the_voice_with_the_request(make_provider: MakeProvider,
                                                  travisvn: FakeChatterbox,
                                                  tmp_path: Path) -> None:
    voice = reference_voice(tmp_path)
    audio = speak(make_provider(travisvn), SEVEN, reference=str(voice), exaggeration=0.8)
    (upload,) = travisvn.requests_to("/v1/audio/speech/upload")
    assert upload.files["voice_file"][1] == voice.read_bytes()
    assert upload.form == {"input": SEVEN, "stream_format": "audio", "exaggeration": "0.8"}
    assert travisvn.spoken[-1]["voice"].startswith("clone-")
    assert audio.path is not None and audio.path.read_bytes()[:4] == b"RIFF"


def test_cloning_with_sse(make_provider: MakeProvider, travisvn: FakeChatterbox,
                          tmp_path: Path) -> None:
    audio = speak(make_provider(travisvn, stream_format="sse"), SEVEN,
                  reference=str(reference_voice(tmp_path)))
    assert travisvn.requests_to("/v1/audio/speech/upload")[-1].form["stream_format"] == "sse"
    assert audio.usage.audio_seconds and audio.usage.audio_seconds > 1
    assert travisvn.spoken[-1]["voice"].startswith("clone-")


def test_only_wav_is_asked_of_travisvn(make_provider: MakeProvider,
                                       travisvn: FakeChatterbox) -> None:
    with pytest.raises(InvalidInputError, match="always answers WAV"):
        speak(make_provider(travisvn), response_format="mp3")


def test_discovery_names_the_server(make_provider: MakeProvider,
                                    travisvn: FakeChatterbox) -> None:
    (info,) = make_provider(travisvn).discover_models()
    assert info.metadata["api"] == "travisvn" and info.metadata["status"] == "healthy"
    assert "bob" in info.metadata["voices"] and info.free is True
