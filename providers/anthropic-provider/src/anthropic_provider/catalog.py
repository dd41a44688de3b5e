"""The model catalog: `GET /v1/models` pages as `ModelInfo`s.

Capabilities say what a model does *through this provider* (Messages API, text
out): `text-to-text`, plus `image-to-text` when it reads image blocks. The
current API says so in `capabilities.image_input.supported`; an entry in the
older shape (id, name, date only) gets both, since every Claude model the API
still lists reads images. A `retired` model gets none: the API refuses it.
Context length is `max_input_tokens` when listed. The API lists no prices, so
`pricing` is None (cost unknown) unless config `prices` gives a model's; no
Anthropic model is free.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import ModelInfo, Pricing

TEXT, IMAGE = "text-to-text", "image-to-text"


def model_info(entry: Mapping[str, Any], pricing: Pricing | None = None) -> ModelInfo:
    """One listing entry (a plain dict) as a `ModelInfo`; the entry in `metadata["raw"]`."""
    model_id = str(entry["id"])
    return ModelInfo(
        id=model_id, name=str(entry.get("display_name") or model_id),
        capabilities=capabilities(entry), pricing=pricing, free=False,
        context_length=_positive(entry.get("max_input_tokens")),
        parameters=_parameters(entry), metadata=_metadata(entry),
    )


def capabilities(entry: Mapping[str, Any]) -> tuple[str, ...]:
    if entry.get("lifecycle") == "retired":
        return ()
    caps = entry.get("capabilities")
    if not isinstance(caps, Mapping):
        return (TEXT, IMAGE)
    image = caps.get("image_input")
    reads_images = isinstance(image, Mapping) and image.get("supported") is True
    return (TEXT, IMAGE) if reads_images else (TEXT,)


def _parameters(entry: Mapping[str, Any]) -> dict[str, Any]:
    limit = _positive(entry.get("max_tokens"))
    return {"max_tokens": {"type": "integer", "minimum": 1, "maximum": limit}} if limit else {}


def _metadata(entry: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("created_at", "lifecycle", "line", "deprecated_at", "retires_at", "max_tokens")
    facts = {k: entry[k] for k in keys if entry.get(k) is not None}
    return {**facts, "raw": dict(entry)}


def _positive(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else None
