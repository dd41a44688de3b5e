"""The local models: `/api/tags` names them, `/api/show` says what each can do.

Capabilities are what a model does through this provider (`/api/chat`, text
out): `completion` gives `text-to-text`, `vision` adds `image-to-text`. An
embedding-only model gets none (it cannot chat); it stays listed. A server too
old to report `capabilities` is read from `model_info`: a `<arch>.vision.*` key
means vision, a `bert` architecture means embeddings, anything else completion.
Context length is `<arch>.context_length`. Every model is local, so free:
zero prices and `free=True`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from mediaconduit.sdk import ModelInfo, Pricing

FREE = Pricing(prompt=Decimal(0), completion=Decimal(0))
CAPABILITIES = {"completion": "text-to-text", "vision": "image-to-text"}


def model_info(name: str, shown: Mapping[str, Any], listed: Mapping[str, Any]) -> ModelInfo:
    """One model from its `/api/tags` entry and `/api/show` answer (plain dicts)."""
    details = _map(shown.get("details")) or _map(listed.get("details"))
    features = ollama_capabilities(shown)
    return ModelInfo(
        id=name, name=name, capabilities=capabilities(features), pricing=FREE, free=True,
        context_length=context_length(_map(shown.get("modelinfo") or shown.get("model_info"))),
        description=_describe(details),
        metadata={"ollama_capabilities": list(features), "details": dict(details),
                  "size": listed.get("size"), "digest": listed.get("digest")},
    )


def stub_info(name: str) -> ModelInfo:
    """A model that is not pulled (yet): assumed to chat, free like every local model."""
    return ModelInfo(id=name, name=name, capabilities=("text-to-text",), pricing=FREE,
                     free=True, metadata={"pulled": False})


def ollama_capabilities(shown: Mapping[str, Any]) -> tuple[str, ...]:
    listed = shown.get("capabilities")
    if isinstance(listed, Sequence) and not isinstance(listed, str):
        return tuple(str(c) for c in listed)
    info = _map(shown.get("modelinfo") or shown.get("model_info"))
    arch = str(info.get("general.architecture") or "")
    if "bert" in arch:
        return ("embedding",)
    vision = any(k.startswith(f"{arch}.vision.") for k in info) if arch else False
    return ("completion", "vision") if vision else ("completion",)


def capabilities(features: Sequence[str]) -> tuple[str, ...]:
    if "completion" not in features:
        return ()
    return tuple(cap for feature, cap in CAPABILITIES.items() if feature in features)


def context_length(info: Mapping[str, Any]) -> int | None:
    arch = info.get("general.architecture")
    value = info.get(f"{arch}.context_length") if arch else None
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else None


def _describe(details: Mapping[str, Any]) -> str:
    parts = [details.get("family"), details.get("parameter_size"),
             details.get("quantization_level")]
    return " ".join(str(p) for p in parts if p)


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
