"""The Kokoro provider's own fake server, for the host's tests.

It lives in `providers/kokoro-provider/tests/` (the provider repo's tests); that
folder goes on `sys.path` here so the host's tests use the very same fake. Also:
the environment the provider's own suite runs in (its dependencies, pytest and
the speech engines its fake speaks with).
"""

from __future__ import annotations

import sys
from pathlib import Path

from mediaconduit.cache import Layout
from mediaconduit.environment import Environment, ensure_environment
from mediaconduit.manifest.repo import read_repo_manifest

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

#: what the provider's own tests import beyond its dependencies
TEST_TOOLS = ["pytest>=8", "espeakng-loader>=0.2", "pocketsphinx>=5"]


def suite_environment(cache_root: Path) -> Environment:
    """An environment with the provider's dependencies and `TEST_TOOLS`, built by the host."""
    _facts, dependencies, error = read_repo_manifest(PROVIDER)
    assert error is None, error
    return ensure_environment(Layout(cache_root), [*dependencies, *TEST_TOOLS],
                              label="kokoro-provider (tests)")


__all__ = ["MODELS", "PROVIDER", "TEST_TOOLS", "VOICES", "FakeKokoro", "Reply", "detail",
           "processing_error", "suite_environment"]
