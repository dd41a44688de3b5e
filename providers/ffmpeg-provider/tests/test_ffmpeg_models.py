"""Every model run for real on media FFmpeg generated, its output probed and its headers read."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from ffmpeg_provider import encoders
from ffmpeg_provider.probe import probe

from mediaconduit.sdk import Audio, Image, Text, Video

MAGIC = {
    "audio/wav": (0, b"RIFF"), "audio/flac": (0, b"fLaC"), "audio/ogg": (0, b"OggS"),
    "video/mp4": (4, b"ftyp"), "video/webm": (0, b"\x1a\x45\xdf\xa3"),
    "image/png": (0, b"\x89PNG"), "image/jpeg": (0, b"\xff\xd8"),
}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def jpeg_size(data: bytes) -> tuple[int, int]:
    assert data[:2] == b"\xff\xd8"
    at = 2
    while at < len(data):
        marker, length = data[at + 1], int.from_bytes(data[at + 2:at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    raise AssertionError("no SOF marker in the JPEG")


def wav_format(data: bytes) -> tuple[int, int, int]:
    """(channels, sample rate, bits per sample) from the fmt chunk."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    at = 12
    while at < len(data):
        chunk, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        if chunk == b"fmt ":
            _, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[at + 8:at + 24])
            return channels, rate, bits
        at += 8 + size + (size & 1)
    raise AssertionError("no fmt chunk in the WAV")


def has_magic(path: Path, mime_type: str) -> bool:
    offset, magic = MAGIC[mime_type]
    return path.read_bytes()[offset:offset + len(magic)] == magic


def run(provider, model_id, asset, **params):
    return provider.get_model(model_id).transform(asset, **params)


def test_extract_audio_gives_wav_by_default(provider, media, outputs, ffmpeg):
    audio = run(provider, "extract-audio", Video.from_path(media.clip))
    info = probe(ffmpeg, audio.path)
    assert isinstance(audio, Audio)
    assert audio.mime_type == "audio/wav"
    assert audio.path.name == "clip.wav"
    assert audio.path.parent.parent == outputs.root
    assert wav_format(audio.data) == (1, 44100, 16)
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert [s.type for s in info.streams] == ["audio"]
    assert dict(audio.metadata) == {
        "duration": info.duration, "size": audio.path.stat().st_size,
        "sample_rate": 44100, "channels": 1, "audio_codec": "pcm_s16le",
    }
    assert outputs.files() == [audio.path]


@pytest.mark.parametrize(
    ("fmt", "mime_type", "codec"),
    [("mp3", "audio/mpeg", "mp3"), ("flac", "audio/flac", "flac"), ("ogg", "audio/ogg", "vorbis"),
     ("wav", "audio/wav", "pcm_s16le")],
)
def test_extract_audio_formats_rates_and_channels(provider, media, outputs, ffmpeg, *, fmt,
                                                  mime_type, codec):
    audio = run(provider, "extract-audio", Video.from_path(media.clip), format=fmt,
                sample_rate=22050, channels=2)
    (stream,) = probe(ffmpeg, audio.path).streams
    assert audio.mime_type == mime_type
    assert audio.path.suffix == f".{fmt}"
    assert (stream.codec, stream.sample_rate, stream.channels) == (codec, 22050, 2)
    assert audio.metadata["duration"] == pytest.approx(2.0, abs=0.1)
    assert (audio.metadata["sample_rate"], audio.metadata["channels"]) == (22050, 2)
    assert fmt == "mp3" or has_magic(audio.path, mime_type)


def test_convert_audio_downmixes_and_resamples(provider, media, outputs, ffmpeg):
    audio = run(provider, "convert-audio", Audio.from_path(media.tone), format="flac",
                sample_rate=16000, channels=1)
    (stream,) = probe(ffmpeg, audio.path).streams
    assert (stream.codec, stream.sample_rate, stream.channels) == ("flac", 16000, 1)
    assert audio.metadata["duration"] == pytest.approx(2.0, abs=0.1)
    assert has_magic(audio.path, "audio/flac")


def test_convert_audio_keeps_the_input_rate_and_channels_by_default(provider, media, outputs):
    audio = run(provider, "convert-audio", Audio.from_path(media.tone))
    assert audio.path.name == "tone.wav"
    assert wav_format(audio.data) == (2, 48000, 16)


@pytest.mark.parametrize("bitrate", ["64k", "192k"])
def test_convert_audio_bitrate(provider, media, outputs, ffmpeg, bitrate):
    audio = run(provider, "convert-audio", Audio.from_path(media.tone), format="mp3",
                bitrate=bitrate)
    (stream,) = probe(ffmpeg, audio.path).streams
    assert stream.bit_rate == int(bitrate[:-1]) * 1000
    assert audio.mime_type == "audio/mpeg"
    assert audio.metadata["duration"] == pytest.approx(2.0, abs=0.1)


def test_parameters_given_as_strings_and_in_capitals(provider, media, outputs, ffmpeg):
    audio = run(provider, "convert-audio", Audio.from_path(media.tone), format="OGG",
                sample_rate="22050", channels="1", bitrate=48000)
    (stream,) = probe(ffmpeg, audio.path).streams
    assert (stream.codec, stream.sample_rate, stream.channels) == ("vorbis", 22050, 1)


def test_extract_frame_png(provider, media, outputs):
    image = run(provider, "extract-frame", Video.from_path(media.clip), time=1.0)
    assert isinstance(image, Image)
    assert image.mime_type == "image/png"
    assert image.path.name == "clip.png"
    assert png_size(image.data) == (320, 240)
    assert dict(image.metadata) == {
        "time": 1.0, "width": 320, "height": 240, "size": image.path.stat().st_size,
    }


def test_extract_frame_jpeg(provider, media, outputs):
    image = run(provider, "extract-frame", Video.from_path(media.clip), time=0.5, format="jpeg")
    assert image.mime_type == "image/jpeg"
    assert image.path.suffix == ".jpg"
    assert jpeg_size(image.data) == (320, 240)


def test_extract_frame_takes_the_first_frame_at_or_after_the_time(provider, media, outputs):
    # testsrc draws a counter, so frames differ; at 25 fps they start every 0.04 s and the
    # last one at 1.96 s.
    def frame(time: float) -> bytes:
        return run(provider, "extract-frame", Video.from_path(media.clip), time=time).data

    assert frame(0.98) == frame(1.0)
    assert frame(1.0) != frame(1.04)
    assert frame(0) != frame(0.04)
    assert frame(1.99) == frame(1.96)  # no frame starts after 1.96 s: the last one


def test_transcode_to_mp4_by_default(provider, media, outputs, ffmpeg):
    video = run(provider, "transcode", Video.from_path(media.clip))
    info = probe(ffmpeg, video.path)
    picture, sound = info.first("video"), info.first("audio")
    assert isinstance(video, Video)
    assert video.mime_type == "video/mp4"
    assert has_magic(video.path, "video/mp4")
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert (picture.codec, picture.width, picture.height, picture.fps) == ("h264", 320, 240, 25)
    assert picture.pixel_format == "yuv420p"
    assert (sound.codec, sound.sample_rate, sound.channels) == ("aac", 44100, 1)
    assert video.metadata["video_codec"] == "h264"
    assert video.metadata["size"] == video.path.stat().st_size


def test_transcode_cuts_and_scales_keeping_the_aspect_ratio(provider, media, outputs, ffmpeg):
    video = run(provider, "transcode", Video.from_path(media.clip), start=0.5, duration=1,
                width=160)
    picture = probe(ffmpeg, video.path).first("video")
    assert video.metadata["duration"] == pytest.approx(1.0, abs=0.1)
    assert (picture.width, picture.height) == (160, 120)


def test_transcode_from_a_start_to_the_end(provider, media, outputs):
    video = run(provider, "transcode", Video.from_path(media.clip), start=1.5, height=60)
    assert video.metadata["duration"] == pytest.approx(0.5, abs=0.1)
    assert (video.metadata["width"], video.metadata["height"]) == (80, 60)


def test_transcode_to_webm_with_size_and_fps(provider, media, outputs, ffmpeg):
    video = run(provider, "transcode", Video.from_path(media.clip), format="webm", width=96,
                height=64, fps=10)
    info = probe(ffmpeg, video.path)
    picture, sound = info.first("video"), info.first("audio")
    assert video.mime_type == "video/webm"
    assert has_magic(video.path, "video/webm")
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert (picture.codec, picture.width, picture.height, picture.fps) == ("vp9", 96, 64, 10)
    assert sound.codec == "opus"


def test_transcode_of_a_silent_video_has_no_sound(provider, media, outputs, ffmpeg):
    video = run(provider, "transcode", Video.from_path(media.silent))
    info = probe(ffmpeg, video.path)
    assert info.describe_streams() == "video h264"
    assert info.duration == pytest.approx(1.0, abs=0.1)


def test_transcode_falls_back_when_the_preferred_encoder_is_missing(
    provider, media, outputs, ffmpeg, monkeypatch
):
    have = encoders.available_encoders(ffmpeg) - {"libx264"}
    monkeypatch.setattr(encoders, "available_encoders", lambda binary: have)
    video = run(provider, "transcode", Video.from_path(media.clip))
    assert probe(ffmpeg, video.path).first("video").codec == "mpeg4"


def test_the_bundled_ffmpeg_has_every_preferred_encoder(ffmpeg):
    wanted = {"pcm_s16le", "libmp3lame", "flac", "libvorbis", "png", "mjpeg", "libx264", "aac",
              "libvpx-vp9", "libopus"}
    assert wanted <= encoders.available_encoders(ffmpeg)


def test_probe_video_as_json(provider, media, outputs):
    text = run(provider, "probe", Video.from_path(media.clip))
    facts = json.loads(text.text)
    assert isinstance(text, Text)
    assert facts["duration"] == pytest.approx(2.0, abs=0.1)
    assert facts["size"] == media.clip.stat().st_size
    assert facts["name"] == "clip.mp4"
    assert [(s["type"], s["codec"]) for s in facts["streams"]] == [("video", "h264"),
                                                                  ("audio", "aac")]
    assert (facts["streams"][0]["width"], facts["streams"][0]["height"]) == (320, 240)
    assert text.metadata["sample_rate"] == 44100
    assert outputs.files() == []


def test_probe_audio_as_json(provider, media, outputs):
    facts = json.loads(run(provider, "probe", Audio.from_path(media.tone)).text)
    (stream,) = facts["streams"]
    assert (stream["codec"], stream["sample_rate"], stream["channels"]) == ("pcm_s16le", 48000, 2)
    assert facts["duration"] == pytest.approx(2.0, abs=0.1)


def test_bytes_input(provider, media, outputs, ffmpeg):
    clip = Video.from_bytes(media.clip.read_bytes(), "video/mp4")
    audio = run(provider, "extract-audio", clip, format="mp3")
    assert probe(ffmpeg, audio.path).first("audio").codec == "mp3"
    assert outputs.files() == [audio.path]  # the input's temp copy is not left among outputs


def test_url_input(provider, media, outputs):
    image = run(provider, "extract-frame", Video.from_url(media.clip.as_uri()), time=1)
    assert image.path.name == "clip.png"
    assert png_size(image.data) == (320, 240)


def test_outputs_never_overwrite_each_other(provider, media, outputs):
    model = provider.get_model("extract-audio")
    first = model.transform(Video.from_path(media.clip))
    second = model.transform(Video.from_path(media.clip))
    assert (first.path.name, second.path.name) == ("clip.wav", "clip-1.wav")
    assert outputs.files() == sorted([first.path, second.path])
