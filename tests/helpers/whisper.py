"""The Whisper provider's own fake server, for the host's tests.

It lives in `providers/whisper-provider/tests/` (the provider repo's tests); that
folder goes on `sys.path` here so the host's tests use the very same fake.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROVIDER = Path(__file__).resolve().parents[2] / "providers" / "whisper-provider"
_PROVIDER_TESTS = str(PROVIDER / "tests")
if _PROVIDER_TESTS not in sys.path:
    sys.path.insert(0, _PROVIDER_TESTS)

from fake_whisper import (  # noqa: E402
    FLAVORS,
    FakeWhisper,
    RecordedRequest,
    Reply,
    openai_error,
)

__all__ = ["FLAVORS", "PROVIDER", "FakeWhisper", "RecordedRequest", "Reply", "openai_error"]
