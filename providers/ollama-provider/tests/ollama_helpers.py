"""Constants shared by the provider's tests and the host's (no pytest, no client here)."""

from __future__ import annotations

import base64
import socket
from typing import Any

#: small waits so the retry tests stay quick
FAST: dict[str, Any] = {"backoff": 0.01, "max_backoff": 0.05, "max_attempts": 3,
                        "connect_timeout": 2, "timeout": 10}
LLAMA = "llama3.2:latest"
VISION = "llava:7b"
EMBED = "nomic-embed-text:latest"
NOT_PULLED = "smollm2:135m"
#: a 1x1 transparent PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        return int(spare.getsockname()[1])
