"""The Mistral provider's test constants for the host's tests.

They live in `providers/mistral-provider/tests/mistral_helpers.py` (the provider
repo's tests); that folder goes on `sys.path` here so both suites use the same
ones. The fake itself is `tests/helpers/openai_chat.py` in Mistral's dialect.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROVIDER = Path(__file__).resolve().parents[2] / "providers" / "mistral-provider"
_PROVIDER_TESTS = str(PROVIDER / "tests")
if _PROVIDER_TESTS not in sys.path:
    sys.path.insert(0, _PROVIDER_TESTS)

from mistral_helpers import CODESTRAL, EMBED, FAST, KEY, MEDIUM, NEMO, OCR, SMALL  # noqa: E402

__all__ = ["CODESTRAL", "EMBED", "FAST", "KEY", "MEDIUM", "NEMO", "OCR", "PROVIDER", "SMALL"]
