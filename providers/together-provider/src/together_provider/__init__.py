"""MediaConduit provider for Together AI (https://www.together.ai): chat, vision and images.

Manifest entry: `together_provider:TogetherProvider`.
"""

from __future__ import annotations

from together_provider.catalog import capabilities, model_info, parse_catalog
from together_provider.provider import TogetherChatModel, TogetherImageModel, TogetherProvider
from together_provider.settings import Settings, load_settings

__all__ = [
    "Settings",
    "TogetherChatModel",
    "TogetherImageModel",
    "TogetherProvider",
    "capabilities",
    "load_settings",
    "model_info",
    "parse_catalog",
]
