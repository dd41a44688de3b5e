"""MediaConduit provider for Mistral AI (https://mistral.ai): chat and vision models.

Manifest entry: `mistral_provider:MistralProvider`.
"""

from __future__ import annotations

from mistral_provider.catalog import capabilities, model_info, parse_catalog
from mistral_provider.provider import MistralChatModel, MistralProvider
from mistral_provider.settings import Settings, load_settings

__all__ = [
    "MistralChatModel",
    "MistralProvider",
    "Settings",
    "capabilities",
    "load_settings",
    "model_info",
    "parse_catalog",
]
