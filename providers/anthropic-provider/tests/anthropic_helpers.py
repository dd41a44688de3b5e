"""Constants shared by the provider's tests and the host's (no pytest, no client here)."""

from __future__ import annotations

import base64
from typing import Any

KEY = "sk-ant-api03-" + "9a8b7c6d5e4f3a2b" * 5
#: small waits so the retry tests stay quick
FAST: dict[str, Any] = {"backoff": 0.01, "max_backoff": 0.05, "max_retry_wait": 2,
                        "max_attempts": 3, "connect_timeout": 2, "timeout": 10}
OPUS = "claude-opus-4-6"
HAIKU = "claude-haiku-4-5-20251001"
OLD_SHAPE = "claude-sonnet-4-20250514"
RETIRED = "claude-2-1"
#: a 1x1 transparent PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
