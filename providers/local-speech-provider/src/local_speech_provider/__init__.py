"""Local speech for MediaConduit: espeak-ng and pocketsphinx, shipped in wheels.

`engine/` holds the speech engines and never imports MediaConduit; the rest wraps
them as models.
"""

from __future__ import annotations

from local_speech_provider.provider import LocalSpeechProvider

__all__ = ["LocalSpeechProvider"]
