"""MediaConduit provider for Hugging Face Inference Providers (the router) and the Hub.

Manifest entry: `huggingface_provider:HuggingFaceProvider`.
"""

from __future__ import annotations

from huggingface_provider.provider import HuggingFaceModel, HuggingFaceProvider
from huggingface_provider.settings import Settings, load_settings

__all__ = ["HuggingFaceModel", "HuggingFaceProvider", "Settings", "load_settings"]
