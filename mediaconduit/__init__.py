"""MediaConduit: load AI and media providers straight from their git repositories.

    from mediaconduit import get_provider_registry

    provider = get_provider_registry().get_provider("https://github.com/MediaConduit/ffmpeg-provider")
    audio = provider.get_model("extract-audio").transform(Video.from_path("clip.mp4"))

Importing this package is cheap: the host's heavier parts load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mediaconduit._version import __version__
from mediaconduit.sdk import (
    Asset,
    Audio,
    AuthenticationError,
    Capability,
    Cost,
    Image,
    InvalidInputError,
    MediaConduitError,
    ModelInfo,
    ModelNotFoundError,
    PaymentRequiredError,
    Pricing,
    Progress,
    ProviderBugError,
    ProviderCrashedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
    Text,
    TransformTimeoutError,
    Usage,
    Video,
)

if TYPE_CHECKING:
    from mediaconduit.handles import ModelHandle, ProviderHandle
    from mediaconduit.ledger.errors import BudgetExceededError
    from mediaconduit.registry import ProviderRegistry, get_provider_registry
    from mediaconduit.routing import NoRouteError

_LAZY = {
    "ProviderRegistry": "mediaconduit.registry",
    "get_provider_registry": "mediaconduit.registry",
    "ProviderHandle": "mediaconduit.handles",
    "ModelHandle": "mediaconduit.handles",
    "NoRouteError": "mediaconduit.routing",
    "BudgetExceededError": "mediaconduit.ledger.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mediaconduit' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "Asset",
    "Audio",
    "AuthenticationError",
    "BudgetExceededError",
    "Capability",
    "Cost",
    "Image",
    "InvalidInputError",
    "MediaConduitError",
    "ModelHandle",
    "ModelInfo",
    "ModelNotFoundError",
    "NoRouteError",
    "PaymentRequiredError",
    "Pricing",
    "Progress",
    "ProviderBugError",
    "ProviderCrashedError",
    "ProviderError",
    "ProviderHandle",
    "ProviderRegistry",
    "ProviderUnavailableError",
    "RateLimitError",
    "Text",
    "TransformTimeoutError",
    "Usage",
    "Video",
    "__version__",
    "get_provider_registry",
]
