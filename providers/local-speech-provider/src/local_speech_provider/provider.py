"""`LocalSpeechProvider`: offline speech in and out, with nothing to start or download."""

from __future__ import annotations

from typing import Any

from local_speech_provider.catalog import ASR_ID, TTS_ID, asr_info, tts_info
from local_speech_provider.engine import audio, espeak
from local_speech_provider.recognition import SpeechRecognitionModel
from local_speech_provider.synthesis import SpeechSynthesisModel
from mediaconduit.sdk import Model, ModelInfo, ModelNotFoundError, Provider

_MODELS = {TTS_ID: SpeechSynthesisModel, ASR_ID: SpeechRecognitionModel}


class LocalSpeechProvider(Provider):
    """espeak-ng (text-to-speech) and pocketsphinx (speech recognition). No settings."""

    def discover_models(self) -> list[ModelInfo]:
        return [tts_info(espeak.voices()), asr_info()]

    def get_model(self, model_id: str) -> Model:
        model = _MODELS.get(model_id)
        if model is None:
            raise ModelNotFoundError(model_id)
        return model(self)

    def health(self) -> dict[str, Any]:
        try:
            return {"ok": True, "voices": len(espeak.voices()), "ffmpeg": audio.ffmpeg_binary()}
        except (espeak.EspeakError, audio.AudioError) as error:
            return {"ok": False, "error": str(error)}
