"""MediaConduit provider for fal.ai (https://fal.ai): image, video and audio models as jobs.

Manifest entry: `fal_provider:FalProvider`.
"""

from __future__ import annotations

from fal_provider.provider import FalModel, FalProvider
from fal_provider.settings import Settings, load_settings

__all__ = ["FalModel", "FalProvider", "Settings", "load_settings"]
