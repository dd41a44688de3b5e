"""The model catalog: `GET /models` entries as `ModelInfo`, with capabilities, prices, free.

Capabilities say what a model can do *through this provider*, whose
`transform` only ever returns `Text` (`POST /chat/completions`). OpenRouter
lists `architecture.input_modalities` (text, image, file, audio, video) and
`output_modalities` (text, image, audio, video, speech, transcription,
embeddings, rerank); older catalogs only have `architecture.modality`
("text+image->text"). A model whose outputs include `text` gets `text-to-text`
when it reads text and `image-to-text` when it reads images (the two inputs this
provider can send: the `Text` and `Image` assets). A model that makes no text
(image, video, speech, music, embeddings, rerank, audio-only transcription) gets
no capabilities: it is still listed, with its prices and `free` flag, but this
provider cannot run it.

Free. A model is free when its id ends in `:free`, or when it produces text and
nothing else, lists at least one price, and every listed price (override
tiers included) is zero. A negative price ("-1": decided per request) is never
free. Media models (video, image, speech, music) often list zero token prices
because they bill per second or per item, so zero token prices alone do not
make them free.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mediaconduit.sdk import ModelInfo, Pricing, ProviderUnavailableError
from mediaconduit.sdk.http import HTTPClient

#: input modality -> the capability it gives a model that outputs text
TEXT_CAPABILITIES = {"text": "text-to-text", "image": "image-to-text"}
MAX_PAGES = 50

Entry = Mapping[str, Any]


def fetch_entries(http: HTTPClient, output_modalities: str | None) -> list[Entry]:
    """Every catalog entry from `GET /models`, following `links.next` pages."""
    params = {"output_modalities": output_modalities} if output_modalities else {}
    entries: list[Entry] = []
    for _ in range(MAX_PAGES):
        body = http.request_json("GET", "models", params=params)
        entries += _page(body)
        following = _next_params(body, params)
        if following is None:
            break
        params = following
    return entries


def _page(body: Any) -> list[Entry]:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        raise ProviderUnavailableError("GET /models answered without a 'data' list of models")
    return [entry for entry in data if isinstance(entry, Mapping)]


def _next_params(body: Mapping[str, Any], params: dict[str, str]) -> dict[str, str] | None:
    """The query of the next page (`links.next`), or None on the last page."""
    links = body.get("links")
    link = links.get("next") if isinstance(links, Mapping) else None
    if not isinstance(link, str) or not link:
        return None
    query = {key: values[-1] for key, values in parse_qs(urlsplit(link).query).items()}
    following = {**params, **query}
    return None if following == params else following


def parse_catalog(entries: list[Entry]) -> list[ModelInfo]:
    """`ModelInfo`s for the entries that have an id; the first of a repeated id wins."""
    infos: dict[str, ModelInfo] = {}
    for entry in entries:
        model_id = entry.get("id")
        if isinstance(model_id, str) and model_id and model_id not in infos:
            infos[model_id] = model_info(entry)
    return list(infos.values())


def model_info(entry: Entry) -> ModelInfo:
    """One catalog entry as a `ModelInfo` (the entry itself in `metadata["raw"]`)."""
    return ModelInfo(
        id=str(entry["id"]),
        name=str(entry.get("name") or entry["id"]),
        description=str(entry.get("description") or ""),
        context_length=context_length(entry),
        capabilities=capabilities(entry),
        pricing=pricing(entry),
        free=is_model_free(entry),
        metadata={"raw": entry},
    )


def context_length(entry: Entry) -> int | None:
    top = as_map(entry.get("top_provider"))
    for value in (entry.get("context_length"), top.get("context_length")):
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def modalities(entry: Entry) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(inputs, outputs): from the modality lists, else from `modality` ("a+b->c")."""
    arch = as_map(entry.get("architecture"))
    inputs = _strings(arch.get("input_modalities"))
    outputs = _strings(arch.get("output_modalities"))
    if inputs and outputs:
        return inputs, outputs
    return _parse_modality(arch.get("modality"))


def _parse_modality(text: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not isinstance(text, str) or "->" not in text:
        return (), ()
    left, _, right = text.partition("->")
    return _kinds(left), _kinds(right)


def _kinds(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("+") if part.strip())


def capabilities(entry: Entry) -> tuple[str, ...]:
    """What the model can do through this provider: `text-to-text`/`image-to-text` or nothing."""
    inputs, outputs = modalities(entry)
    if "text" not in outputs:
        return ()
    return tuple(cap for kind, cap in TEXT_CAPABILITIES.items() if kind in inputs)


def pricing(entry: Entry) -> Pricing | None:
    """The listed prices as decimals; non-scalar keys (`overrides`) and bad values skipped."""
    raw = entry.get("pricing")
    if not isinstance(raw, Mapping):
        return None
    return Pricing.from_mapping({k: v for k, v in raw.items() if price(v) is not None})


def price(value: Any) -> Decimal | None:
    """A price as a finite decimal, or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def all_prices(entry: Entry) -> list[Decimal]:
    """Every listed price, the ones in `overrides` tiers included."""
    raw = as_map(entry.get("pricing"))
    scalar = {k: p for k, v in raw.items() if (p := price(v)) is not None}
    return [*scalar.values(), *_tier_prices(raw.get("overrides"), set(scalar))]


def _tier_prices(tiers: Any, keys: set[str]) -> Iterator[Decimal]:
    for tier in tiers if isinstance(tiers, list) else []:
        items = as_map(tier).items()
        yield from (p for k, v in items if k in keys and (p := price(v)) is not None)


def is_model_free(entry: Entry) -> bool:
    """OpenRouter's free rule (see the module docstring) for one catalog entry."""
    prices = all_prices(entry)
    if any(p < 0 for p in prices):
        return False
    if str(entry.get("id", "")).endswith(":free"):
        return True
    return text_only(entry) and bool(prices) and all(p == 0 for p in prices)


def text_only(entry: Entry) -> bool:
    """Whether the model produces text and nothing else."""
    return set(modalities(entry)[1]) == {"text"}


def as_map(value: Any) -> Mapping[str, Any]:
    """`value` when it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> tuple[str, ...]:
    """A list of strings as a tuple; anything else as ()."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return ()
