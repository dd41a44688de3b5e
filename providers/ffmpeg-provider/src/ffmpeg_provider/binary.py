"""Find the FFmpeg binary: a configured one if named, else the one in imageio-ffmpeg."""

from __future__ import annotations

import os
import shutil

from ffmpeg_provider.runner import execute
from mediaconduit.sdk import ProviderUnavailableError


def find_ffmpeg(configured: str | None) -> str:
    """The path of the FFmpeg to run (`configured` is `ffmpeg_binary` / `FFMPEG_BINARY`)."""
    if configured:
        return _configured(configured)
    return _bundled()


def _configured(value: str) -> str:
    found = shutil.which(os.path.expanduser(value))
    if found is None:
        raise ProviderUnavailableError(
            f"ffmpeg_binary / FFMPEG_BINARY names {value!r}, which is not an executable; "
            "fix it, or unset it to use the FFmpeg from imageio-ffmpeg"
        )
    return found


def _bundled() -> str:
    try:
        import imageio_ffmpeg  # type: ignore[import-untyped]
    except ImportError as error:
        raise ProviderUnavailableError(
            "imageio-ffmpeg is not installed in this provider's environment"
        ) from error
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as error:
        raise ProviderUnavailableError(f"imageio-ffmpeg has no FFmpeg binary: {error}") from error


def ffmpeg_version(binary: str) -> str:
    """The first line of `ffmpeg -version` (raises if the binary cannot run)."""
    result = execute([binary, "-version"])
    first = (result.stdout.splitlines() or [""])[0]
    if result.returncode != 0 or not first.startswith("ffmpeg version"):
        raise ProviderUnavailableError(f"{binary} does not run as FFmpeg: {result.stderr[-300:]}")
    return first
