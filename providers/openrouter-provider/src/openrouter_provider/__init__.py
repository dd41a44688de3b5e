"""MediaConduit provider for OpenRouter (https://openrouter.ai): chat models from many vendors.

Manifest entry: `openrouter_provider:OpenRouterProvider`.
"""

from __future__ import annotations

from openrouter_provider.catalog import capabilities, is_model_free, model_info
from openrouter_provider.provider import OpenRouterModel, OpenRouterProvider
from openrouter_provider.settings import Settings, load_settings

__all__ = [
    "OpenRouterModel",
    "OpenRouterProvider",
    "Settings",
    "capabilities",
    "is_model_free",
    "load_settings",
    "model_info",
]
