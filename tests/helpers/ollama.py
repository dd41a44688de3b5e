"""The Ollama provider's own fake server and test constants, for the host's tests.

They live in `providers/ollama-provider/tests/` (the provider repo's tests); that
folder goes on `sys.path` here so the host's tests use the very same fake.
Neither file imports the `ollama` client, which the host never has.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROVIDER = Path(__file__).resolve().parents[2] / "providers" / "ollama-provider"
_PROVIDER_TESTS = str(PROVIDER / "tests")
if _PROVIDER_TESTS not in sys.path:
    sys.path.insert(0, _PROVIDER_TESTS)

from fake_ollama import (  # noqa: E402
    MODELS,
    FakeOllama,
    Reply,
    answer,
    busy,
    error_reply,
    held,
    mid_stream_error,
)
from ollama_helpers import (  # noqa: E402
    EMBED,
    FAST,
    LLAMA,
    NOT_PULLED,
    PNG,
    VISION,
    closed_port,
)

__all__ = [
    "EMBED", "FAST", "LLAMA", "MODELS", "NOT_PULLED", "PNG", "PROVIDER", "VISION", "FakeOllama",
    "Reply", "answer", "busy", "closed_port", "error_reply", "held", "mid_stream_error",
]
