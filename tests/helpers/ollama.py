"""The Ollama provider's own fake server and test constants, for the host's tests.

They live in `providers/ollama-provider/tests/` (the provider repo's tests); that
folder goes on `sys.path` here so the host's tests use the very same fake.
Neither file imports the `ollama` client, which the host never has.
"""

from __future__ import annotations

from tests.helpers.provider_tests import provider_tests

PROVIDER = provider_tests("ollama")

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
