"""The Together provider's test constants for the host's tests.

They live in `providers/together-provider/tests/together_helpers.py` (the provider
repo's tests); that folder goes on `sys.path` here so both suites use the same
ones. The fake itself is `tests/helpers/openai_chat.py` in Together's dialect.
"""

from __future__ import annotations

from tests.helpers.provider_tests import provider_tests

PROVIDER = provider_tests("together")

from together_helpers import (  # noqa: E402
    CHAT,
    EMBEDDING,
    FAST,
    FREE,
    FREE_CHAT,
    FREE_IMAGE,
    FREE_VISION,
    IMAGE,
    KEY,
    VISION,
    WHISPER,
)

__all__ = ["CHAT", "EMBEDDING", "FAST", "FREE", "FREE_CHAT", "FREE_IMAGE", "FREE_VISION",
           "IMAGE", "KEY", "PROVIDER", "VISION", "WHISPER"]
