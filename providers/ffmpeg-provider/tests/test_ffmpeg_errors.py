"""Wrong inputs and parameters: a clear `InvalidInputError`, FFmpeg not run when it need not
be, and never a file left in the output folder."""

from __future__ import annotations

import math

import pytest

from mediaconduit.sdk import Audio, Image, InvalidInputError, ModelNotFoundError, Text, Video

MEDIA_MODELS = ["extract-audio", "extract-frame", "transcode", "probe"]


def transform(provider, model_id, asset, **params):
    return provider.get_model(model_id).transform(asset, **params)


@pytest.mark.parametrize("model_id", MEDIA_MODELS)
@pytest.mark.parametrize(
    ("sample", "reason"),
    [("noise", "Invalid data found when processing input"), ("truncated", "moov atom not found")],
)
def test_a_broken_file_names_itself_and_ffmpegs_reason(provider, media, outputs, *, model_id,
                                                       sample, reason):
    path = getattr(media, sample)
    with pytest.raises(InvalidInputError) as caught:
        transform(provider, model_id, Video.from_path(path))
    assert str(path) in str(caught.value)
    assert reason in str(caught.value)
    assert outputs.files() == []


@pytest.mark.parametrize("model_id", ["extract-audio", "transcode"])
def test_a_file_cut_short_is_damaged_and_leaves_no_partial_output(provider, media, outputs,
                                                                   model_id):
    # Its headers are whole, so the probe passes; decoding stops halfway with errors.
    with pytest.raises(InvalidInputError, match="damaged") as caught:
        transform(provider, model_id, Video.from_path(media.damaged))
    assert str(media.damaged) in str(caught.value)
    assert len(list(outputs.root.iterdir())) == 1  # the call's folder was made...
    assert outputs.files() == []  # ...and the temp file in it removed


def test_an_encoder_refusing_the_settings_leaves_no_output(provider, media, outputs):
    with pytest.raises(InvalidInputError, match="incorrect parameters"):
        transform(provider, "convert-audio", Audio.from_path(media.tone), format="ogg",
                  sample_rate=22050, channels=1, bitrate="256k")
    assert outputs.files() == []


def test_a_missing_file(provider, tmp_path, outputs, no_ffmpeg):
    with pytest.raises(InvalidInputError, match="not found"):
        transform(provider, "probe", Video.from_path(tmp_path / "nowhere.mp4"))


def test_an_unreachable_url(provider, tmp_path, outputs, no_ffmpeg):
    with pytest.raises(InvalidInputError, match="cannot download"):
        transform(provider, "probe", Video.from_url((tmp_path / "nowhere.mp4").as_uri()))


@pytest.mark.parametrize(
    ("model_id", "asset", "wanted"),
    [
        ("extract-audio", Text("hello"), "takes Video input, not Text"),
        ("extract-audio", Audio.from_path("tone.wav"), "takes Video input, not Audio"),
        ("convert-audio", Video.from_path("clip.mp4"), "takes Audio input, not Video"),
        ("extract-frame", Image.from_path("x.png"), "takes Video input, not Image"),
        ("transcode", "clip.mp4", "takes Video input, not str"),
        ("probe", Text("{}"), "takes Video or Audio input, not Text"),
    ],
)
def test_the_wrong_kind_of_input(provider, outputs, no_ffmpeg, *, model_id, asset, wanted):
    with pytest.raises(InvalidInputError, match=wanted):
        transform(provider, model_id, asset)


def test_a_video_without_sound_has_no_audio_to_extract(provider, media, outputs):
    with pytest.raises(InvalidInputError, match="has no audio stream") as caught:
        transform(provider, "extract-audio", Video.from_path(media.silent))
    assert str(media.silent) in str(caught.value)
    assert "it holds: video h264" in str(caught.value)
    assert outputs.files() == []


@pytest.mark.parametrize("model_id", ["extract-frame", "transcode"])
def test_audio_has_no_video_stream(provider, media, outputs, model_id):
    with pytest.raises(InvalidInputError, match="has no video stream"):
        transform(provider, model_id, Video.from_path(media.tone))
    assert outputs.files() == []


@pytest.mark.parametrize(
    ("model_id", "params", "name"),
    [
        ("extract-audio", {"format": "aac"}, "format"),
        ("extract-audio", {"format": 3}, "format"),
        ("extract-audio", {"sample_rate": 0}, "sample_rate"),
        ("extract-audio", {"sample_rate": -44100}, "sample_rate"),
        ("extract-audio", {"sample_rate": 44100.5}, "sample_rate"),
        ("extract-audio", {"sample_rate": "fast"}, "sample_rate"),
        ("extract-audio", {"sample_rate": True}, "sample_rate"),
        ("extract-audio", {"channels": 0}, "channels"),
        ("extract-audio", {"channels": -2}, "channels"),
        ("extract-audio", {"channels": 9}, "channels"),
        ("extract-audio", {"format": "mp3", "sample_rate": 96000}, "sample_rate"),
        ("extract-audio", {"format": "mp3", "channels": 6}, "channels"),
        ("convert-audio", {"bitrate": "loud", "format": "mp3"}, "bitrate"),
        ("convert-audio", {"bitrate": "-128k", "format": "mp3"}, "bitrate"),
        ("convert-audio", {"bitrate": "128k"}, "bitrate"),  # wav is lossless
        ("convert-audio", {"bitrate": "128k", "format": "flac"}, "bitrate"),
        ("convert-audio", {"volume": 2}, "volume"),
        ("extract-frame", {"time": -1}, "time"),
        ("extract-frame", {"time": "soon"}, "time"),
        ("extract-frame", {"time": math.nan}, "time"),
        ("extract-frame", {"time": math.inf}, "time"),
        ("extract-frame", {"format": "gif"}, "format"),
        ("transcode", {"format": "avi"}, "format"),
        ("transcode", {"start": -0.5}, "start"),
        ("transcode", {"duration": 0}, "duration"),
        ("transcode", {"duration": -1}, "duration"),
        ("transcode", {"width": 0}, "width"),
        ("transcode", {"width": -320}, "width"),
        ("transcode", {"width": 321}, "width"),
        ("transcode", {"height": 0}, "height"),
        ("transcode", {"fps": 0}, "fps"),
        ("transcode", {"fps": -25}, "fps"),
        ("transcode", {"fps": 1000}, "fps"),
        ("probe", {"format": "json"}, "format"),
    ],
)
def test_a_bad_parameter_is_refused_before_ffmpeg_runs(provider, media, outputs, no_ffmpeg, *,
                                                      model_id, params, name):
    asset = Audio.from_path(media.tone) if model_id == "convert-audio" else \
        Video.from_path(media.clip)
    with pytest.raises(InvalidInputError) as caught:
        transform(provider, model_id, asset, **params)
    assert name in str(caught.value)
    assert model_id in str(caught.value)
    assert no_ffmpeg == []
    assert outputs.files() == []


def test_none_means_the_default(provider, media, outputs):
    image = transform(provider, "extract-frame", Video.from_path(media.clip), time=None,
                      format=None)
    assert image.mime_type == "image/png"
    assert image.metadata["time"] == 0


@pytest.mark.parametrize(
    ("model_id", "params", "message"),
    [
        ("extract-frame", {"time": 2.0}, "time 2 s is beyond the end"),
        ("extract-frame", {"time": 30}, "time 30 s is beyond the end"),
        ("transcode", {"start": 2.5}, "start 2.5 s is beyond the end"),
    ],
)
def test_a_time_past_the_end_is_refused_after_the_probe_only(
    provider, media, outputs, ffmpeg_runs, *, model_id, params, message
):
    with pytest.raises(InvalidInputError, match=message) as caught:
        transform(provider, model_id, Video.from_path(media.clip), **params)
    assert "2.00 s long" in str(caught.value)
    assert len(ffmpeg_runs) == 1  # the probe, which runs without an output
    assert "-loglevel" not in ffmpeg_runs[0]
    assert outputs.files() == []


def test_an_unknown_model(provider):
    with pytest.raises(ModelNotFoundError) as caught:
        provider.get_model("upscale")
    assert caught.value.model_id == "upscale"


def test_a_url_in_a_message_shows_no_secrets(provider, outputs, no_ffmpeg):
    url = "http://user:hunter2@127.0.0.1:9/clip.mp4?X-Amz-Signature=abc123"
    with pytest.raises(InvalidInputError, match="cannot download") as caught:
        transform(provider, "probe", Video.from_url(url))
    assert "http://127.0.0.1:9/clip.mp4" in str(caught.value)
    assert "hunter2" not in str(caught.value)
    assert "abc123" not in str(caught.value)
