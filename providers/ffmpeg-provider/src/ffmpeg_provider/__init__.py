"""FFmpeg for MediaConduit: extract and convert audio, grab frames, transcode, probe."""

from __future__ import annotations

from ffmpeg_provider.provider import FFmpegProvider

__all__ = ["FFmpegProvider"]
