"""The Kokoro provider's own fake server, for the host's tests.

It lives in `providers/kokoro-provider/tests/` (the provider repo's tests); that
folder goes on `sys.path` here so the host's tests use the very same fake. Also:
the test tools the provider's own suite needs in its environment.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROVIDER = Path(__file__).resolve().parents[2] / "providers" / "kokoro-provider"
_PROVIDER_TESTS = str(PROVIDER / "tests")
if _PROVIDER_TESTS not in sys.path:
    sys.path.insert(0, _PROVIDER_TESTS)

from fake_kokoro import (  # noqa: E402
    MODELS,
    VOICES,
    FakeKokoro,
    Reply,
    detail,
    processing_error,
)

#: what the provider's own tests import beyond its dependencies (the fake speaks with
#: espeak-ng, encodes with FFmpeg; the tests listen with pocketsphinx)
TEST_TOOLS = ("pytest>=8", "espeakng-loader>=0.2", "pocketsphinx>=5", "imageio-ffmpeg>=0.5")

__all__ = ["MODELS", "PROVIDER", "TEST_TOOLS", "VOICES", "FakeKokoro", "Reply", "detail",
           "processing_error"]
