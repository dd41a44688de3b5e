"""Constants shared by the provider's tests (and the host's, through tests/helpers/mistral.py)."""

from __future__ import annotations

from typing import Any

KEY = "mst-" + "4c3b2a1f0e9d8c7b" * 2
#: no client retries (a test scripts each answer), short timeouts
FAST: dict[str, Any] = {"max_retry_seconds": 0, "timeout": 10}

MEDIUM = "mistral-medium-latest"
SMALL = "mistral-small-latest"
NEMO = "open-mistral-nemo"
CODESTRAL = "codestral-latest"
OCR = "mistral-ocr-latest"
EMBED = "mistral-embed"
