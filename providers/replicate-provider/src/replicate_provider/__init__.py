"""MediaConduit provider for Replicate (https://replicate.com): image, video, audio and
text models, run as predictions (jobs).

Manifest entry: `replicate_provider:ReplicateProvider`.
"""

from __future__ import annotations

from replicate_provider.catalog import Spec, load_catalog, parse_ref
from replicate_provider.errors import PredictionFailedError
from replicate_provider.provider import ReplicateModel, ReplicateProvider
from replicate_provider.settings import Settings, load_settings

__all__ = [
    "PredictionFailedError",
    "ReplicateModel",
    "ReplicateProvider",
    "Settings",
    "Spec",
    "load_catalog",
    "load_settings",
    "parse_ref",
]
