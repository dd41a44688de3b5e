"""The Together provider's test constants for the host's tests.

They live in `providers/together-provider/tests/together_helpers.py` (the provider
repo's tests); that folder goes on `sys.path` here so both suites use the same
ones. The fake itself is `tests/helpers/openai_chat.py` in Together's dialect.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROVIDER = Path(__file__).resolve().parents[2] / "providers" / "together-provider"
_PROVIDER_TESTS = str(PROVIDER / "tests")
if _PROVIDER_TESTS not in sys.path:
    sys.path.insert(0, _PROVIDER_TESTS)

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
