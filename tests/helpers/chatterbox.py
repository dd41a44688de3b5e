"""The Chatterbox provider's own fake servers (devnen's and travisvn's), for the host's tests.

They live in `providers/chatterbox-provider/tests/` (the provider repo's tests);
that folder goes on `sys.path` here so the host's tests use the very same fakes.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROVIDER = Path(__file__).resolve().parents[2] / "providers" / "chatterbox-provider"
_PROVIDER_TESTS = str(PROVIDER / "tests")
if _PROVIDER_TESTS not in sys.path:
    sys.path.insert(0, _PROVIDER_TESTS)

from fake_chatterbox import (  # noqa: E402
    DEVNEN_VOICES,
    FakeChatterbox,
    Reply,
    model_not_loaded,
)

__all__ = ["DEVNEN_VOICES", "PROVIDER", "FakeChatterbox", "Reply", "model_not_loaded"]
