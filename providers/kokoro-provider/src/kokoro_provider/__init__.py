"""MediaConduit provider for Kokoro-FastAPI (https://github.com/remsky/Kokoro-FastAPI).

Manifest entry: `kokoro_provider:KokoroProvider`.
"""

from __future__ import annotations

from kokoro_provider.provider import MODEL_IDS, KokoroModel, KokoroProvider
from kokoro_provider.settings import START_COMMAND, Settings, load_settings

__all__ = ["MODEL_IDS", "START_COMMAND", "KokoroModel", "KokoroProvider", "Settings",
           "load_settings"]
