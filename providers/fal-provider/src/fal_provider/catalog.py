"""The model catalog: fal's model metadata (2025-07 capture, shipped as `catalog.json`).

Each entry has `id`, `name`, `category`, `description`, `parameters` (type, default,
enum, min/max, required) and free-form `capabilities`/`tags`. The category gives
the model's capability and task; entries whose category says nothing usable
(training, 3D, "unknown") are still listed, with their parameters, and run like
any other model. The capture lists no prices, so `pricing` is None and a call's
cost is unknown (`Cost()`), never guessed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mediaconduit.sdk import ModelInfo

CATALOG = Path(__file__).with_name("catalog.json")

#: fal category (or capability word) -> (capability, task)
CATEGORIES: dict[str, tuple[str, str]] = {
    "text-to-image": ("text-to-image", "text-to-image"),
    "image-to-image": ("image-to-image", "image-to-image"),
    "text-to-video": ("text-to-video", "text-to-video"),
    "image-to-video": ("image-to-video", "image-to-video"),
    "video-to-video": ("video-to-video", "video-to-video"),
    "text-to-audio": ("text-to-audio", "text-to-audio"),
    "text-to-speech": ("text-to-audio", "text-to-speech"),
    "speech-to-text": ("audio-to-text", "automatic-speech-recognition"),
    "vision": ("image-to-text", "image-to-text"),
    "llm": ("text-to-text", "text-generation"),
}

Entry = Mapping[str, Any]


@functools.lru_cache(maxsize=1)
def load_entries() -> dict[str, Entry]:
    """The shipped catalog, by model id."""
    data: dict[str, Entry] = json.loads(CATALOG.read_text(encoding="utf-8"))
    return data


def parse_catalog(entries: Mapping[str, Entry]) -> list[ModelInfo]:
    return [model_info(entry) for entry in entries.values() if entry.get("id")]


def model_info(entry: Entry) -> ModelInfo:
    """One catalog entry as a `ModelInfo` (category and tags in `metadata`)."""
    pairs = kinds(entry)
    return ModelInfo(
        id=str(entry["id"]), name=str(entry.get("name") or entry["id"]),
        description=str(entry.get("description") or ""),
        capabilities=tuple(dict.fromkeys(cap for cap, _ in pairs)),
        tasks=tuple(dict.fromkeys(task for _, task in pairs)),
        parameters=dict(entry.get("parameters") or {}),
        metadata={"category": entry.get("category"), "tags": list(entry.get("tags") or [])},
    )


def kinds(entry: Entry) -> list[tuple[str, str]]:
    """(capability, task) pairs: from the category, else the entry's capability words."""
    category = str(entry.get("category") or "")
    if category == "vision" and _reads_video_only(entry):
        return [("video-to-text", "x-video-understanding")]
    if category in CATEGORIES:
        return [CATEGORIES[category]]
    words = entry.get("capabilities") or []
    return [CATEGORIES[w] for w in words if isinstance(w, str) and w in CATEGORIES]


def _reads_video_only(entry: Entry) -> bool:
    params = entry.get("parameters") or {}
    return "video_url" in params and not any("image" in name for name in params)


def unlisted_info(model_id: str) -> ModelInfo:
    """A model the catalog does not list: runnable, its kinds unknown until it answers."""
    return ModelInfo(id=model_id, name=model_id, metadata={"listed": False})
