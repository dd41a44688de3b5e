"""Constants and small helpers shared by the provider's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fake_openrouter import CATALOG, CATALOG_ALL, find_data

KEY = "sk-or-v1-" + "0f1e2d3c4b5a6978" * 4
#: small waits so the retry tests stay quick
FAST: dict[str, Any] = {
    "backoff": 0.01, "max_backoff": 0.05, "max_retry_wait": 2, "max_attempts": 3,
    "connect_timeout": 2, "timeout": 10, "idle_timeout": 5,
}


def catalog_entries(all_modalities: bool = False) -> list[dict[str, Any]]:
    """The entries of the real captured catalog."""
    path: Path = find_data(CATALOG_ALL if all_modalities else CATALOG)
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["data"]
    return data


def free_suffix_ids(all_modalities: bool = False) -> set[str]:
    return {m["id"] for m in catalog_entries(all_modalities) if m["id"].endswith(":free")}
