"""The model catalog: `GET /v1/models` (a bare JSON array) as `ModelInfo`s.

`type` says what a model does: `chat`, `language` and `code` models chat
(`text-to-text`, task `text-generation`); of those, vision models also read
images (`image-to-text`). Together's listing has no vision flag, so a model is
one when its id or name says so (`VL`, `Vision`, `llava`) or config
`vision_models` names it. `image` models make pictures (`text-to-image`).
Other types (embedding, rerank, moderation, audio, transcribe) are listed
without capabilities: this provider cannot run them.

Prices are USD per million tokens (`input`, `output`); `Pricing` holds them
per token. A chat or image model is free when it lists prices and every one
is zero (see `is_free`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from mediaconduit.sdk import ModelInfo, Pricing, ProviderUnavailableError

CHAT_TYPES = frozenset({"chat", "language", "code"})
VISION = re.compile(r"vision|(^|[-_/.])vl([-_.]|$)|llava|llama-4", re.IGNORECASE)
MILLION = Decimal(1_000_000)

Entry = Mapping[str, Any]


def parse_catalog(body: Any, vision_models: frozenset[str] = frozenset()) -> list[ModelInfo]:
    """`ModelInfo`s for the listed entries that have an id (the first of a repeated id wins)."""
    if not isinstance(body, list):
        raise ProviderUnavailableError("GET /v1/models answered without a JSON array of models")
    infos: dict[str, ModelInfo] = {}
    for entry in body:
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str) and entry["id"]:
            infos.setdefault(entry["id"], model_info(entry, vision_models))
    return list(infos.values())


def model_info(entry: Entry, vision_models: frozenset[str] = frozenset()) -> ModelInfo:
    """One listed model (the entry itself in `metadata["raw"]`)."""
    listed = prices(entry)
    return ModelInfo(
        id=str(entry["id"]),
        name=str(entry.get("display_name") or entry["id"]),
        description=str(entry.get("description") or ""),
        capabilities=capabilities(entry, vision_models),
        pricing=pricing(entry, listed),
        context_length=_positive(entry.get("context_length")),
        free=is_free(entry, listed),
        metadata={"type": entry.get("type"), "organization": entry.get("organization"),
                  "raw": dict(entry)},
    )


def is_free(entry: Entry, listed: Mapping[str, Decimal]) -> bool:
    """Zero-priced and billed by tokens or images (chat, code, image models): free to use.

    Audio, transcription and embedding models often list zero token prices
    because they bill by other units, so zero prices alone do not make them free.
    """
    runnable = str(entry.get("type") or "").lower() in CHAT_TYPES | {"image"}
    return runnable and bool(listed) and all(p == 0 for p in listed.values())


def capabilities(entry: Entry, vision_models: frozenset[str] = frozenset()) -> tuple[str, ...]:
    kind = str(entry.get("type") or "").lower()
    if kind == "image":
        return ("text-to-image",)
    if kind not in CHAT_TYPES:
        return ()
    return ("text-to-text", "image-to-text") if is_vision(entry, vision_models) else (
        "text-to-text",)


def is_vision(entry: Entry, vision_models: frozenset[str] = frozenset()) -> bool:
    names = f"{entry.get('id', '')} {entry.get('display_name', '')}"
    return entry.get("id") in vision_models or bool(VISION.search(names))


def prices(entry: Entry) -> dict[str, Decimal]:
    """The listed prices (`hourly`, `input`, `output`, `base`, `finetune`) as decimals."""
    raw = entry.get("pricing")
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): p for k, v in raw.items() if (p := _price(v)) is not None}


def pricing(entry: Entry, listed: Mapping[str, Decimal]) -> Pricing | None:
    """Per-token prompt/completion prices; for a free image model, a zero image price."""
    if not listed:
        return None
    extra = {k: v for k, v in listed.items() if k not in ("input", "output")}
    free = all(p == 0 for p in listed.values())
    image = Decimal(0) if entry.get("type") == "image" and free else None
    return Pricing(prompt=_per_token(listed.get("input")),
                   completion=_per_token(listed.get("output")), image=image, extra=extra)


def _per_token(per_million: Decimal | None) -> Decimal | None:
    return None if per_million is None else per_million / MILLION


def _price(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        return None
    return price if price.is_finite() else None


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
