"""MediaConduit provider for a local Ollama server, on the official `ollama` client.

Manifest entry: `ollama_provider:OllamaProvider`.
"""

from __future__ import annotations

from ollama_provider.provider import OllamaModel, OllamaProvider
from ollama_provider.settings import Settings, load_settings

__all__ = ["OllamaModel", "OllamaProvider", "Settings", "load_settings"]
