"""Whisper for MediaConduit: whisper-asr-webservice and OpenAI-compatible servers."""

from __future__ import annotations

from whisper_provider.provider import WhisperProvider

__all__ = ["WhisperProvider"]
