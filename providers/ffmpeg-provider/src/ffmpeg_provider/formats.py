"""The output formats: container, MIME type and the encoders to use, best first.

Encoders are listed in order of preference; the first one the running FFmpeg
has is used (see `encoders.pick_encoder`), so a system FFmpeg without, say,
libx264 still works with the next one.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Encoder:
    """An FFmpeg encoder and the options it runs with."""

    name: str
    options: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class OutputFormat:
    """A file format this provider writes."""

    name: str
    suffix: str
    mime_type: str
    muxer: str
    encoders: tuple[Encoder, ...]
    audio_encoders: tuple[Encoder, ...] = ()
    muxer_options: tuple[str, ...] = ()
    lossless: bool = False


AUDIO_FORMATS = {
    f.name: f
    for f in (
        OutputFormat("wav", ".wav", "audio/wav", "wav", (Encoder("pcm_s16le"),), lossless=True),
        OutputFormat("mp3", ".mp3", "audio/mpeg", "mp3", (Encoder("libmp3lame"),)),
        OutputFormat("flac", ".flac", "audio/flac", "flac", (Encoder("flac"),), lossless=True),
        OutputFormat("ogg", ".ogg", "audio/ogg", "ogg", (Encoder("libvorbis"), Encoder("libopus"))),
    )
}

IMAGE_FORMATS = {
    f.name: f
    for f in (
        OutputFormat("png", ".png", "image/png", "image2", (Encoder("png"),), lossless=True),
        OutputFormat("jpg", ".jpg", "image/jpeg", "image2", (Encoder("mjpeg", ("-q:v", "2")),)),
    )
}

_X264 = Encoder("libx264", ("-preset", "medium", "-crf", "23"))
_MPEG4 = Encoder("mpeg4", ("-q:v", "4"))
_VP9 = Encoder(
    "libvpx-vp9", ("-crf", "32", "-b:v", "0", "-deadline", "good", "-cpu-used", "5", "-row-mt", "1")
)
_VP8 = Encoder("libvpx", ("-crf", "10", "-b:v", "1M", "-deadline", "good", "-cpu-used", "4"))

VIDEO_FORMATS = {
    f.name: f
    for f in (
        OutputFormat(
            "mp4", ".mp4", "video/mp4", "mp4", (_X264, _MPEG4),
            audio_encoders=(Encoder("aac"),), muxer_options=("-movflags", "+faststart"),
        ),
        OutputFormat(
            "webm", ".webm", "video/webm", "webm", (_VP9, _VP8),
            audio_encoders=(Encoder("libopus"), Encoder("libvorbis")),
        ),
    )
}


def suffix_for(mime_type: str) -> str:
    """A file suffix for a MIME type, so FFmpeg can guess raw formats by name."""
    known = {**AUDIO_FORMATS, **IMAGE_FORMATS, **VIDEO_FORMATS}.values()
    found = next((f.suffix for f in known if f.mime_type == mime_type), None)
    return found or {"audio/x-wav": ".wav", "video/quicktime": ".mov"}.get(mime_type, "")
