"""The model catalog: `GET /v1/models` cards as `ModelInfo`s.

A card's `capabilities` say what the model does: `completion_chat` gives
`text-to-text` (task `text-generation`) and `vision` adds `image-to-text`.
Models without chat (embeddings, OCR, moderation, transcription) are listed
with no capabilities: this provider cannot run them. Mistral lists no prices,
so no model is free and costs are unknown (`None`). A card's `aliases` name
the same model (`mistral-medium` for `mistral-medium-latest`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mediaconduit.sdk import ModelInfo

Card = Mapping[str, Any]


def parse_catalog(cards: Iterable[Card]) -> list[ModelInfo]:
    """`ModelInfo`s for the cards that have an id (the first of a repeated id wins)."""
    infos: dict[str, ModelInfo] = {}
    for card in cards:
        if isinstance(card, Mapping) and isinstance(card.get("id"), str) and card["id"]:
            infos.setdefault(card["id"], model_info(card))
    return list(infos.values())


def aliases(infos: Iterable[ModelInfo]) -> dict[str, str]:
    """alias -> the listed id it names (listed ids are never shadowed)."""
    infos = list(infos)
    listed = {info.id for info in infos}
    return {alias: info.id for info in infos for alias in info.metadata.get("aliases", ())
            if alias not in listed}


def model_info(card: Card) -> ModelInfo:
    """One card (kept in `metadata["raw"]`)."""
    return ModelInfo(
        id=str(card["id"]),
        name=str(card.get("name") or card["id"]),
        description=str(card.get("description") or ""),
        capabilities=capabilities(card),
        context_length=_positive(card.get("max_context_length")),
        free=False,
        metadata={"aliases": tuple(_strings(card.get("aliases"))),
                  "deprecation": card.get("deprecation"),
                  "default_temperature": card.get("default_model_temperature"),
                  "type": card.get("type"), "raw": dict(card)},
    )


def capabilities(card: Card) -> tuple[str, ...]:
    flags = card.get("capabilities")
    flags = flags if isinstance(flags, Mapping) else {}
    if not flags.get("completion_chat"):
        return ()
    return ("text-to-text", "image-to-text") if flags.get("vision") else ("text-to-text",)


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
