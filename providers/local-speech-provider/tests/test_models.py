"""The two models as the worker runs them: parameters, outputs, progress, cancellation."""

from __future__ import annotations

import threading
import time
import wave
from pathlib import Path

import pytest
from local_speech_provider import LocalSpeechProvider

from mediaconduit.sdk import Audio, InvalidInputError, ModelNotFoundError, Text, Video
from mediaconduit.sdk.calls import CallContext, Progress, enter_call, leave_call

SEVEN = "one two three four five six seven"  # as in conftest.py


@pytest.fixture
def provider() -> LocalSpeechProvider:
    return LocalSpeechProvider(config={}, env={})


def test_two_free_models_with_speech_tasks(provider: LocalSpeechProvider) -> None:
    models = provider.discover_models()
    assert [(m.id, m.tasks, m.free) for m in models] == [
        ("espeak-ng", ("text-to-speech",), True),
        ("pocketsphinx-en-us", ("automatic-speech-recognition",), True)]
    with pytest.raises(ModelNotFoundError):
        provider.get_model("nope")


def test_speech_is_written_to_the_calls_output_folder(provider: LocalSpeechProvider,
                                                      outputs: Path) -> None:
    result = provider.get_model("espeak-ng").transform(Text(SEVEN), voice="en-us+f2", pitch=70)
    assert isinstance(result, Audio) and result.path is not None
    assert result.path.is_relative_to(outputs)
    with wave.open(str(result.path)) as wav:
        assert wav.getframerate() == result.metadata["sample_rate"] == 22050
    assert (result.metadata["voice"], result.metadata["pitch"]) == ("en-us+f2", 70)
    assert result.usage.characters == len(SEVEN)


@pytest.mark.parametrize(("params", "words"), [
    ({"rate": 79}, "from 80 to 450"), ({"rate": 150.5}, "whole number"),
    ({"pitch": True}, "whole number"), ({"voice": 3}, "voice must be a string"),
    ({"vocie": "en"}, "did you mean 'voice'"),
])
def test_bad_parameters(provider: LocalSpeechProvider, params: dict[str, object],
                        words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        provider.get_model("espeak-ng").transform(Text("hi"), **params)


def test_recognition_of_bytes_path_and_video_kind(provider: LocalSpeechProvider,
                                                  seven_wav: Path) -> None:
    model = provider.get_model("pocketsphinx-en-us")
    for media in (Audio.from_path(seven_wav), Audio.from_bytes(seven_wav.read_bytes()),
                  Video.from_path(seven_wav)):
        result = model.transform(media)
        assert isinstance(result, Text) and result.text == SEVEN
        assert result.metadata["complete"] is True
        assert result.usage.audio_seconds == pytest.approx(2.1, abs=0.3)


def test_a_missing_file_is_invalid_input(provider: LocalSpeechProvider, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="input file not found"):
        provider.get_model("pocketsphinx-en-us").transform(Audio.from_path(tmp_path / "no.wav"))


def _in_call(context: CallContext, fn: object) -> object:
    token = enter_call(context)
    try:
        return fn()  # type: ignore[operator]
    finally:
        leave_call(token)


def test_long_input_reports_progress_every_two_seconds(provider: LocalSpeechProvider,
                                                       long_wav: Path) -> None:
    seen: list[Progress] = []
    model = provider.get_model("pocketsphinx-en-us")
    result = _in_call(CallContext(seen.append), lambda: model.transform(Audio.from_path(long_wav)))
    assert isinstance(result, Text) and result.text == SEVEN
    assert [round(p.fraction or 0, 2) for p in seen] == [0.17, 0.33, 0.5, 0.67, 0.83, 1.0, 1.0]
    assert seen[0].message == "recognised 2 s of 12 s"


def test_a_cancelled_call_stops_between_chunks(provider: LocalSpeechProvider,
                                               long_wav: Path) -> None:
    context = CallContext()
    model = provider.get_model("pocketsphinx-en-us")
    threading.Timer(0.05, context.cancel).start()
    started = time.monotonic()
    result = _in_call(context, lambda: model.transform(Audio.from_path(long_wav)))
    assert isinstance(result, Text)
    assert result.metadata["complete"] is False
    assert result.usage.audio_seconds is not None and result.usage.audio_seconds < 12
    assert time.monotonic() - started < 5
