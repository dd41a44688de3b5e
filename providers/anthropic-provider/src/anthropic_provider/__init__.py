"""MediaConduit provider for Anthropic's Claude models, on the official `anthropic` client.

Manifest entry: `anthropic_provider:AnthropicProvider`.
"""

from __future__ import annotations

from anthropic_provider.provider import AnthropicModel, AnthropicProvider
from anthropic_provider.settings import Settings, load_settings

__all__ = ["AnthropicModel", "AnthropicProvider", "Settings", "load_settings"]
