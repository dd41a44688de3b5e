from __future__ import annotations

from pathlib import Path

import pytest

from mediaconduit.sdk import Audio, Image, Text, Video, call_outputs, output_dir


def test_text() -> None:
    text = Text("hello", metadata={"usage": 3})
    assert str(text) == "hello"
    assert text.kind == "text"


def test_from_path_guesses_mime_and_reads_lazily(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"video")
    video = Video.from_path(path, fps=25)
    assert video.mime_type == "video/mp4"
    assert video.metadata == {"fps": 25}
    assert video.data == b"video"
    assert Audio.from_path(tmp_path / "x.mp3").mime_type == "audio/mpeg"
    assert Image.from_path(tmp_path / "x.unknownext").mime_type == "image/png"


def test_from_bytes_save_and_to_file(tmp_path: Path) -> None:
    image = Image.from_bytes(b"png-bytes", "image/png")
    assert image.path is None
    saved = image.save(tmp_path / "out.png")
    assert saved.read_bytes() == b"png-bytes"
    with call_outputs(tmp_path / "outputs"):
        first, second = image.to_file(), Image.from_bytes(b"other", "image/png").to_file()
        assert isinstance(first, Image)
        assert first.path is not None and second.path is not None
        assert first.path != second.path
        assert first.path.parent == second.path.parent == output_dir()
        assert first.path.suffix == ".png"
    assert first.path.parent.parent == tmp_path / "outputs"


def test_from_url(tmp_path: Path) -> None:
    source = tmp_path / "a.wav"
    source.write_bytes(b"RIFF")
    audio = Audio.from_url(source.as_uri())
    assert audio.mime_type == "audio/wav"
    assert audio.data == b"RIFF"
    assert audio.to_file() is audio


def test_each_call_gets_its_own_output_dir(tmp_path: Path) -> None:
    with call_outputs(tmp_path):
        one = output_dir()
        assert output_dir() == one
    with call_outputs(tmp_path):
        assert output_dir() != one


def test_media_without_source() -> None:
    with pytest.raises(ValueError, match="no path, bytes or URL"):
        _ = Image().data
