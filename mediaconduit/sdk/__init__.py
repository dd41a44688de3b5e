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
from mediaconduit.sdk.calls import (
    Progress,
    cancelled,
    on_cancel,
    report_job,
    report_progress,
    wait,
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
    TransformTimeoutError,
)
from mediaconduit.sdk.models import TASKS, Capability, ModelInfo, Pricing
from mediaconduit.sdk.provider import Model, Provider
from mediaconduit.sdk.usage import Cost, Usage, estimate_cost

__all__ = [
    "TASKS",
    "Asset",
    "Audio",
    "AuthenticationError",
    "Capability",
    "Cost",
    "Image",
    "InvalidInputError",
    "Media",
    "MediaConduitError",
    "Model",
    "ModelInfo",
    "ModelNotFoundError",
    "PaymentRequiredError",
    "Pricing",
    "Progress",
    "Provider",
    "ProviderBugError",
    "ProviderCrashedError",
    "ProviderError",
    "ProviderUnavailableError",
    "RateLimitError",
    "Text",
    "TransformTimeoutError",
    "Usage",
    "Video",
    "call_outputs",
    "cancelled",
    "estimate_cost",
    "extension_for",
    "on_cancel",
    "output_dir",
    "report_job",
    "report_progress",
    "wait",
]
