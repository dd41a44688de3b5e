"""The provider SDK: the only import a provider needs.

It runs inside the provider's own environment, so it uses nothing beyond the
standard library. `mediaconduit.sdk.http` is an optional helper for remote
providers; it imports httpx, which such a provider declares itself.
"""

from __future__ import annotations

from mediaconduit.sdk.assets import (
    Asset,
    Audio,
    Image,
    Media,
    Text,
    Video,
    call_outputs,
    extension_for,
    output_dir,
)
from mediaconduit.sdk.errors import (
    AuthenticationError,
    InvalidInputError,
    MediaConduitError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderBugError,
    ProviderCrashedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)
from mediaconduit.sdk.models import Capability, ModelInfo, Pricing
from mediaconduit.sdk.provider import Model, Provider

__all__ = [
    "Asset",
    "Audio",
    "AuthenticationError",
    "Capability",
    "Image",
    "InvalidInputError",
    "Media",
    "MediaConduitError",
    "Model",
    "ModelInfo",
    "ModelNotFoundError",
    "PaymentRequiredError",
    "Pricing",
    "Provider",
    "ProviderBugError",
    "ProviderCrashedError",
    "ProviderError",
    "ProviderUnavailableError",
    "RateLimitError",
    "Text",
    "Video",
    "call_outputs",
    "extension_for",
    "output_dir",
]
