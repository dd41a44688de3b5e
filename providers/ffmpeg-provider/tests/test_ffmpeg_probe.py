"""Probing with FFmpeg alone: the parser, on real generated files and on logs of other versions."""

from __future__ import annotations

import pytest
from ffmpeg_provider.probe import parse_input, probe
from ffmpeg_provider.runner import FFmpegError, explain, meaningful_lines
from ffmpeg_provider.stream_line import channel_count, parse_stream, split_fields

# `ffmpeg -i` as FFmpeg 4.x prints it (banner and all): streams indented by four
# spaces, a chapter with its own metadata, side data, a multi-line tag, a data stream.
FFMPEG4_LOG = """\
ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021 the FFmpeg developers
  built with gcc 11 (Ubuntu 11.2.0-19ubuntu1)
  libavutil      56. 70.100 / 56. 70.100
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'phone.mp4':
  Metadata:
    major_brand     : mp42
    compatible_brands: isommp42
    creation_time   : 2021-05-01T10:00:00.000000Z
    comment         : first line
                    : second line
  Duration: 00:01:10.03, start: 0.000000, bitrate: 17201 kb/s
  Chapters:
    Chapter #0:0: start 0.000000, end 5.000000
    Metadata:
      title           : Intro
    Stream #0:0(eng): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709), \
1920x1080 [SAR 1:1 DAR 16:9], 16951 kb/s, 29.97 fps, 29.97 tbr, 90k tbn, 59.94 tbc (default)
    Metadata:
      rotate          : 90
      handler_name    : VideoHandle
    Side data:
      displaymatrix: rotation of -90.00 degrees
    Stream #0:1(eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, 5.1(side), fltp, \
256 kb/s (default)
    Metadata:
      handler_name    : SoundHandle
    Stream #0:2(eng): Data: none (mett / 0x7474656D), 0 kb/s
At least one output file must be specified
"""

NOISE_LOG = """\
[in#0 @ 0x55a5ac0df080] Format mp3 detected only with low score of 1, misdetection possible!
[in#0 @ 0x55a5ac0df080] Failed to find two consecutive MPEG audio frames.
[in#0 @ 0x55a5ac0ded00] Error opening input: Invalid data found when processing input
Error opening input file noise.mp4.
Error opening input files: Invalid data found when processing input
"""


def test_probe_reads_a_generated_clip(ffmpeg, media):
    info = probe(ffmpeg, media.clip)
    video, audio = info.first("video"), info.first("audio")
    assert info.format == "mov,mp4,m4a,3gp,3g2,mj2"
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert info.size == media.clip.stat().st_size
    assert info.bit_rate and info.bit_rate > 0
    assert [s.type for s in info.streams] == ["video", "audio"]
    assert (video.codec, video.width, video.height, video.fps) == ("h264", 320, 240, 25.0)
    assert video.pixel_format == "yuv420p"
    assert (audio.codec, audio.sample_rate, audio.channels) == ("aac", 44100, 1)
    assert audio.channel_layout == "mono"
    assert audio.sample_format == "fltp"
    assert audio.default and audio.language == "und"
    assert video.tags["handler_name"] == "VideoHandler"
    assert info.tags["major_brand"] == "isom"


def test_probe_reads_a_generated_wav(ffmpeg, media):
    info = probe(ffmpeg, media.tone)
    (audio,) = info.streams
    assert info.format == "wav"
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert (audio.codec, audio.sample_rate, audio.channels) == ("pcm_s16le", 48000, 2)
    assert audio.bit_rate == 48000 * 2 * 16
    assert info.first("video") is None


def test_probe_of_a_video_without_sound(ffmpeg, media):
    info = probe(ffmpeg, media.silent)
    assert info.describe_streams() == "video h264"
    assert info.duration == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize(
    ("sample", "reason"),
    [("noise", "Invalid data found when processing input"), ("truncated", "moov atom not found")],
)
def test_probe_of_a_broken_file_gives_ffmpegs_reason(ffmpeg, media, sample, reason):
    with pytest.raises(FFmpegError) as caught:
        probe(ffmpeg, getattr(media, sample))
    assert reason in caught.value.reason
    assert caught.value.command[0] == ffmpeg
    assert reason in caught.value.stderr


def test_an_ffmpeg4_log_parses_the_same():
    info = parse_input(FFMPEG4_LOG, "phone.mp4", 1234)
    assert info is not None
    video, audio, data = info.streams
    assert info.duration == pytest.approx(70.03)
    assert (info.start, info.bit_rate, info.size) == (0.0, 17_201_000, 1234)
    assert info.tags["comment"] == "first line\nsecond line"
    assert "title" not in info.tags  # that is the chapter's
    assert (video.width, video.height, video.fps, video.bit_rate) == (1920, 1080, 29.97, 16_951_000)
    assert video.tags == {"rotate": "90", "handler_name": "VideoHandle"}
    assert video.language == "eng"
    assert (audio.sample_rate, audio.channels, audio.channel_layout) == (48000, 6, "5.1(side)")
    assert audio.tags == {"handler_name": "SoundHandle"}
    assert (data.type, data.codec, data.index) == ("data", "none", 2)


def test_a_log_without_an_input_section_is_not_media():
    assert parse_input(NOISE_LOG, "noise.mp4", 10) is None


def test_unavailable_duration_and_bitrate():
    log = (
        "Input #0, png_pipe, from 'x.png':\n"
        "  Duration: N/A, bitrate: N/A\n"
        "  Stream #0:0: Video: png, rgb24(pc, gbr/unknown/unknown), 64x48, 25 tbr, 25 tbn\n"
    )
    info = parse_input(log, "x.png", 99)
    assert info is not None
    assert (info.duration, info.bit_rate, info.start) == (None, None, None)
    assert (info.streams[0].width, info.streams[0].height, info.streams[0].fps) == (64, 48, None)


def test_a_hex_codec_tag_is_not_a_frame_size():
    stream = parse_stream(
        "Stream #0:0[0x1](und): Video: h264 (avc1 / 0x31637661), yuv420p, 640x360, 30 fps", {}
    )
    assert stream is not None
    assert (stream.width, stream.height) == (640, 360)


def test_split_fields_keeps_parentheses_and_brackets_whole():
    fields = split_fields("h264 (High), yuv420p(tv, bt709), 320x240 [SAR 1:1, DAR 4:3], 25 fps")
    assert fields == ["h264 (High)", "yuv420p(tv, bt709)", "320x240 [SAR 1:1, DAR 4:3]", "25 fps"]


@pytest.mark.parametrize(
    ("layout", "count"),
    [("mono", 1), ("stereo", 2), ("5.1", 6), ("5.1(side)", 6), ("7.1.4", 12), ("quad", 4),
     ("22.2", 24), ("3 channels", 3), ("2 channels (FL+LFE)", 2), ("gibberish", None)],
)
def test_channel_count(layout, count):
    assert channel_count(layout) == count


def test_explain_keeps_the_last_meaningful_lines():
    assert meaningful_lines(NOISE_LOG)[-2:] == [
        "Failed to find two consecutive MPEG audio frames.",
        "Invalid data found when processing input",
    ]
    assert explain(NOISE_LOG) == (
        "Failed to find two consecutive MPEG audio frames.; "
        "Invalid data found when processing input"
    )
    assert explain("", default="nothing") == "nothing"
