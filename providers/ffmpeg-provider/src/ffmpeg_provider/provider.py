"""`FFmpegProvider`: FFmpeg's conversions as MediaConduit models. Local, free, offline."""

from __future__ import annotations

import functools
from typing import Any

from ffmpeg_provider.binary import ffmpeg_version, find_ffmpeg
from ffmpeg_provider.catalog import MODELS, MODELS_BY_ID
from ffmpeg_provider.model import FFmpegModel
from mediaconduit.sdk import (
    Model,
    ModelInfo,
    ModelNotFoundError,
    Provider,
    ProviderUnavailableError,
)


class FFmpegProvider(Provider):
    """Settings: `ffmpeg_binary` (or env `FFMPEG_BINARY`) names an FFmpeg to use
    instead of the one in imageio-ffmpeg."""

    def discover_models(self) -> list[ModelInfo]:
        return [spec.info() for spec in MODELS]

    def get_model(self, model_id: str) -> Model:
        spec = MODELS_BY_ID.get(model_id)
        if spec is None:
            raise ModelNotFoundError(model_id)
        return FFmpegModel(spec, self, lambda: self.ffmpeg)

    @functools.cached_property
    def ffmpeg(self) -> str:
        """The FFmpeg binary in use (found on first use, then kept)."""
        return find_ffmpeg(self.setting("ffmpeg_binary"))

    def health(self) -> dict[str, Any]:
        try:
            return {"ok": True, "ffmpeg": self.ffmpeg, "version": ffmpeg_version(self.ffmpeg)}
        except ProviderUnavailableError as error:
            return {"ok": False, "error": str(error)}
