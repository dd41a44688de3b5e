"""The provider's `src/` on sys.path. These tests run in the provider's own environment
(openai, httpx): in MediaConduit's dev venv, which lacks openai, they skip; the host's
tests/test_whisper_provider.py runs them in an environment with this provider's deps.
The fake server (`fake_whisper.py`) is exercised by the host's tests, which have the
speech engines it listens with."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("openai")

PROVIDER_ROOT = Path(__file__).resolve().parents[1]
if str(PROVIDER_ROOT / "src") not in sys.path:
    sys.path.insert(0, str(PROVIDER_ROOT / "src"))
