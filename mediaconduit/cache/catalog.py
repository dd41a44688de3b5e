"""The models each provider discovered last, kept on disk.

A later load lists them at once, without the network; once the file is
older than the TTL (`MEDIACONDUIT_CATALOG_TTL` seconds, default six hours)
the handle rediscovers in the background, and a failed rediscovery keeps
the last good list. The key covers the provider, its commit, its config and
its declared environment (hashed), so a different API base URL or key never
sees another's list.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mediaconduit import cache
from mediaconduit.sdk.models import ModelInfo

DEFAULT_TTL = 6 * 3600.0


def ttl() -> float:
    try:
        return float(os.environ.get("MEDIACONDUIT_CATALOG_TTL", DEFAULT_TTL))
    except ValueError:
        return DEFAULT_TTL


def catalog_key(dirname: str, commit: str | None, config: Mapping[str, Any],
                env: Mapping[str, str]) -> str:
    identity = json.dumps([commit, config, sorted(env.items())], sort_keys=True, default=str)
    return f"{dirname}-{hashlib.sha256(identity.encode()).hexdigest()[:16]}"


def age(path: Path) -> float | None:
    """Seconds since the catalog was written, or None when there is none."""
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return None


def load(path: Path) -> list[ModelInfo] | None:
    data = cache.read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        return None
    try:
        return [ModelInfo.from_dict(m) for m in data["models"]]
    except (TypeError, ValueError):
        return None


def save(path: Path, models: list[ModelInfo]) -> None:
    cache.write_json(path, {"fetched_at": time.time(), "models": [m.to_dict() for m in models]})
