"""devnen/Chatterbox-TTS-Server: /tts and /v1/audio/speech, voices, cloning by upload."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from chatterbox_helpers import SEVEN, MakeProvider, heard, reference_voice, speak
from fake_chatterbox import DEVNEN_VOICES, FakeChatterbox

from mediaconduit.sdk import InvalidInputError

MAGIC = {"wav": b"RIFF", "mp3": b"ID3", "opus": b"OggS"}


def test_speech_is_real_and_says_the_text(make_provider: MakeProvider,
                                          devnen: FakeChatterbox) -> None:
    audio = speak(make_provider(devnen), SEVEN)
    assert audio.mime_type == "audio/wav" and audio.inline is None
    assert heard(audio.path) >= 4
    assert audio.usage.characters == len(SEVEN) and audio.cost.usd == Decimal(0)
    assert audio.metadata["api"] == "devnen"


def test_the_tts_body_carries_every_control(make_provider: MakeProvider,
                                            devnen: FakeChatterbox) -> None:
    speak(make_provider(devnen), voice="Olivia.wav", exaggeration=0.7, cfg_weight=0.3,
          temperature=0.6, seed=42, speed_factor=1.1, language="en")
    body = devnen.requests_to("/tts")[-1].body
    assert body == {"text": "hello there", "voice_mode": "predefined",
                    "predefined_voice_id": "Olivia.wav", "output_format": "wav",
                    "exaggeration": 0.7, "cfg_weight": 0.3, "temperature": 0.6, "seed": 42,
                    "speed_factor": 1.1, "language": "en"}
    assert devnen.spoken[-1]["exaggeration"] == 0.7


def test_the_default_voice_is_the_servers_and_names_match_loosely(
        make_provider: MakeProvider, devnen: FakeChatterbox) -> None:
    provider = make_provider(devnen)
    assert speak(provider).metadata["voice"] == "Emily.wav"
    assert speak(provider, voice="taylor").metadata["voice"] == "Taylor.wav"
    assert speak(make_provider(devnen, voice="Henry")).metadata["voice"] == "Henry.wav"


@pytest.mark.parametrize(("fmt", "mime"), [("wav", "audio/wav"), ("mp3", "audio/mpeg"),
                                           ("opus", "audio/opus")])
def test_each_format(make_provider: MakeProvider, devnen: FakeChatterbox, fmt: str,
                     mime: str) -> None:
    audio = speak(make_provider(devnen), response_format=fmt)
    assert audio.mime_type == mime and audio.path is not None
    assert audio.path.suffix == f".{fmt}"
    assert audio.path.read_bytes().startswith(MAGIC[fmt])
    assert devnen.requests_to("/tts")[-1].body["output_format"] == fmt


def test_a_format_devnen_does_not_make_is_refused(make_provider: MakeProvider,
                                                  devnen: FakeChatterbox) -> None:
    with pytest.raises(InvalidInputError, match="wav, opus, mp3, not 'flac'"):
        speak(make_provider(devnen), response_format="flac")
    assert devnen.requests_to("/tts") == []


def test_the_openai_route(make_provider: MakeProvider, devnen: FakeChatterbox) -> None:
    audio = speak(make_provider(devnen, route="openai"), SEVEN, voice="Ryan.wav", seed=7)
    assert devnen.requests_to("/v1/audio/speech")[-1].body == {
        "model": "chatterbox", "input": SEVEN, "voice": "Ryan.wav", "response_format": "wav",
        "seed": 7}
    assert devnen.spoken[-1]["voice"] == "Ryan.wav"
    assert audio.path is not None and audio.path.read_bytes()[:4] == b"RIFF"


def test_the_openai_route_takes_no_controls(make_provider: MakeProvider,
                                            devnen: FakeChatterbox) -> None:
    with pytest.raises(InvalidInputError, match=r"takes no exaggeration.*route='tts'"):
        speak(make_provider(devnen, route="openai"), exaggeration=1.0)


def test_cloning_uploads_the_reference_then_speaks_with_it(
        make_provider: MakeProvider, devnen: FakeChatterbox, tmp_path: Path) -> None:
    voice = reference_voice(tmp_path)
    audio = speak(make_provider(devnen), SEVEN, reference=str(voice))
    (upload,) = devnen.requests_to("/upload_reference")
    name, data = upload.files["files"]
    assert data == voice.read_bytes() and name.endswith(".wav")
    body = devnen.requests_to("/tts")[-1].body
    assert (body["voice_mode"], body["reference_audio_filename"]) == ("clone", name)
    assert "predefined_voice_id" not in body
    assert audio.metadata["voice_mode"] == "clone"
    assert audio.path is not None and audio.path.read_bytes()[:4] == b"RIFF"
    assert devnen.spoken[-1]["voice"].startswith("clone-")


def test_the_same_reference_is_named_the_same(make_provider: MakeProvider,
                                              devnen: FakeChatterbox, tmp_path: Path) -> None:
    provider = make_provider(devnen)
    voice = reference_voice(tmp_path)
    speak(provider, reference=str(voice))
    speak(provider, reference=str(voice))
    names = [r.files["files"][0] for r in devnen.requests_to("/upload_reference")]
    assert len(names) == 2 and names[0] == names[1]


def test_a_reference_the_server_refuses_is_invalid(make_provider: MakeProvider,
                                                   devnen: FakeChatterbox, tmp_path: Path) -> None:
    bad = tmp_path / "noise.wav"
    bad.write_bytes(b"not audio at all")
    with pytest.raises(InvalidInputError, match="Invalid audio file"):
        speak(make_provider(devnen), reference=str(bad))
    assert devnen.requests_to("/tts") == []


@pytest.mark.parametrize(("reference", "words"), [
    ("/no/such/voice.wav", "is not a file"), (3, "must be an Audio"),
])
def test_a_bad_reference_param_says_what_to_give(make_provider: MakeProvider,
                                                 devnen: FakeChatterbox, reference: object,
                                                 words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        speak(make_provider(devnen), reference=reference)


def test_an_ogg_reference_is_refused_for_devnen(make_provider: MakeProvider,
                                                devnen: FakeChatterbox, tmp_path: Path) -> None:
    voice = tmp_path / "voice.ogg"
    voice.write_bytes(b"OggS" + bytes(100))
    with pytest.raises(InvalidInputError, match="WAV or MP3 voices to clone"):
        speak(make_provider(devnen), reference=str(voice))


def test_voices_are_the_predefined_files(make_provider: MakeProvider,
                                         devnen: FakeChatterbox) -> None:
    assert make_provider(devnen).voices() == sorted(DEVNEN_VOICES)


def test_an_unknown_voice_lists_close_matches(make_provider: MakeProvider,
                                              devnen: FakeChatterbox) -> None:
    with pytest.raises(InvalidInputError, match=r"no voice 'Olivis.wav'; did you mean Olivia\.wav"):
        speak(make_provider(devnen), voice="Olivis.wav")


def test_a_voice_added_later_is_found_by_asking_again(make_provider: MakeProvider,
                                                      devnen: FakeChatterbox) -> None:
    provider = make_provider(devnen)
    provider.voices()
    devnen.predefined.append("Zoe.wav")
    try:
        assert speak(provider, voice="Zoe.wav").metadata["voice"] == "Zoe.wav"
    finally:
        devnen.predefined.remove("Zoe.wav")


def test_discovery_names_the_server_and_its_voices(make_provider: MakeProvider,
                                                   devnen: FakeChatterbox) -> None:
    (info,) = make_provider(devnen).discover_models()
    assert (info.id, info.capabilities, info.tasks, info.free) == (
        "chatterbox", ("text-to-audio",), ("text-to-speech",), True)
    assert info.metadata["api"] == "devnen" and info.metadata["server_model"] == "original"
    assert info.metadata["voices"] == sorted(DEVNEN_VOICES)
