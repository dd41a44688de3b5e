"""Unit tests of the models, run in this process without the host (fast)."""

from __future__ import annotations

import pytest

from mediaconduit.sdk import Audio, Image, InvalidInputError, ModelInfo, Text, Video
from {{package}} import media
from {{package}}.provider import DemoModel


def model(capability: str) -> DemoModel:
    return DemoModel(ModelInfo(id=capability, capabilities=[capability]))


def test_text_to_text_reverses_and_streams_the_same_text() -> None:
    reverse = model("text-to-text")
    assert reverse.transform(Text("hello")).text == "olleh"
    assert "".join(reverse.stream(Text("hello, world"))) == "dlrow ,olleh"


def test_a_png_reports_its_size() -> None:
    image = model("text-to-image").transform(Text("sunset"), width=40, height=30)
    assert isinstance(image, Image) and image.mime_type == "image/png"
    assert media.png_size(image.data) == (40, 30)
    assert model("image-to-text").transform(image).text == "a 40x30 PNG image"


def test_a_wav_reports_its_duration() -> None:
    audio = model("text-to-audio").transform(Text("beep"), seconds=0.25)
    assert isinstance(audio, Audio) and audio.data[8:12] == b"WAVE"
    assert model("audio-to-text").transform(audio).text.startswith("0.25 s of 16000 Hz")


def test_an_avi_reports_its_frames() -> None:
    video = model("text-to-video").transform(Text("sweep"), width=16, height=8, frames=4)
    assert isinstance(video, Video) and video.data[8:12] == b"AVI "
    assert model("video-to-text").transform(video).text == "a 16x8 AVI video, 4 frames at 12 fps"


def test_the_same_text_makes_the_same_file() -> None:
    first, second = (model("text-to-image").transform(Text("same")) for _ in range(2))
    assert first.data == second.data


@pytest.mark.parametrize("params", [{"width": 0}, {"width": 5000}, {"width": "wide"}])
def test_a_bad_size_is_a_clear_error(params: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError, match="width"):
        model("text-to-image").transform(Text("x"), **params)


def test_the_wrong_input_kind_is_a_clear_error() -> None:
    with pytest.raises(InvalidInputError, match="takes text"):
        model("text-to-image").transform(Image.from_bytes(media.make_png("x", 2, 2)))
