"""MediaConduit provider for Chatterbox TTS servers: devnen/Chatterbox-TTS-Server and
travisvn/chatterbox-tts-api.

Manifest entry: `chatterbox_provider:ChatterboxProvider`.
"""

from __future__ import annotations

from chatterbox_provider.provider import MODEL_ID, ChatterboxModel, ChatterboxProvider
from chatterbox_provider.settings import START_COMMANDS, Settings, load_settings

__all__ = ["MODEL_ID", "START_COMMANDS", "ChatterboxModel", "ChatterboxProvider", "Settings",
           "load_settings"]
