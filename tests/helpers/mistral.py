"""The Mistral provider's test constants for the host's tests.

They live in `providers/mistral-provider/tests/mistral_helpers.py` (the provider
repo's tests); that folder goes on `sys.path` here so both suites use the same
ones. The fake itself is `tests/helpers/openai_chat.py` in Mistral's dialect.
"""

from __future__ import annotations

from tests.helpers.provider_tests import provider_tests

PROVIDER = provider_tests("mistral")

from mistral_helpers import CODESTRAL, EMBED, FAST, KEY, MEDIUM, NEMO, OCR, SMALL  # noqa: E402

__all__ = ["CODESTRAL", "EMBED", "FAST", "KEY", "MEDIUM", "NEMO", "OCR", "PROVIDER", "SMALL"]
