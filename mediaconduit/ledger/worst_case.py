"""A call's worst-case cost, from the model's listed prices and the call's own bounds.

Each listed price is multiplied by the most the call can use of its unit:

- `request`: one request.
- `prompt` (per token): the text input's UTF-8 length in bytes plus a few tokens
  for the chat template (a token covers at least one byte), capped at the
  model's `context_length`; a media input is bounded only by `context_length`.
- `completion` (per token): `max_tokens` (or `max_completion_tokens`,
  `max_output_tokens`, `max_new_tokens`), else `context_length`; times `n` choices.
- `image`: `n` (or `num_images`, `num_outputs`) output images for a model that
  makes images, plus one for an image input.
- a listed price per second (a key with `second` in it, e.g. `audio_second`): the
  call's `seconds` (or `duration`, `duration_seconds`); per character (`character`):
  the text input's length.

None when a price that applies cannot be bounded (no `max_tokens` and no
`context_length`, a per-second price and no duration, a variable price), or when
nothing that is listed applies. Free models cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from mediaconduit.sdk.assets import Asset, Media, Text
from mediaconduit.sdk.models import ModelInfo, Pricing

TEMPLATE_TOKENS = 16  # what a chat template adds around the prompt, at most (a bound, not a count)
_MAX_TOKENS = ("max_tokens", "max_completion_tokens", "max_output_tokens", "max_new_tokens")
_COUNT = ("n", "num_images", "num_outputs")
_SECONDS = ("seconds", "duration", "duration_seconds")
_UNBOUNDED = object()

Term = tuple[Decimal | None, float | None]


def worst_case(info: ModelInfo, input: str | Asset, params: Mapping[str, Any]) -> Decimal | None:
    """The most this call can cost in USD, or None when it cannot be bounded."""
    if info.free:
        return Decimal(0)
    if info.pricing is None:
        return None
    total, priced = Decimal(0), False
    for price, amount in _terms(info, info.pricing, input, params):
        if price is None or price == 0:
            continue
        if price < 0 or amount is None:
            return None
        total, priced = total + price * Decimal(str(amount)), True
    return total if priced else None


def _terms(info: ModelInfo, pricing: Pricing, input: str | Asset,
           params: Mapping[str, Any]) -> Iterator[Term]:
    yield pricing.request, 1
    yield pricing.prompt, _prompt_tokens(info, input)
    yield pricing.completion, _times(_completion_tokens(info, params), _count(params))
    yield pricing.image, _images(info, input, params)
    for key, price in pricing.extra.items():
        unit = _extra_unit(key)
        if unit is not None:
            yield price, unit(input, params)


def _text(input: str | Asset) -> str | None:
    if isinstance(input, str):
        return input
    return input.text if isinstance(input, Text) else None


def _prompt_tokens(info: ModelInfo, input: str | Asset) -> int | None:
    text = _text(input)
    if text is None:
        return info.context_length
    bound = len(text.encode()) + TEMPLATE_TOKENS
    return min(bound, info.context_length) if info.context_length else bound


def _completion_tokens(info: ModelInfo, params: Mapping[str, Any]) -> int | None:
    given = _first_number(params, _MAX_TOKENS)
    if given is _UNBOUNDED:
        return None
    return int(given) if isinstance(given, (int, float)) else info.context_length


def _count(params: Mapping[str, Any]) -> int | None:
    given = _first_number(params, _COUNT)
    if given is _UNBOUNDED:
        return None
    return int(given) if isinstance(given, (int, float)) else 1


def _images(info: ModelInfo, input: str | Asset, params: Mapping[str, Any]) -> int | None:
    makes_images = any(c.endswith("-to-image") for c in info.capabilities)
    count = _count(params) if makes_images else 0
    if count is None:
        return None
    return count + (1 if isinstance(input, Media) and input.kind == "image" else 0)


def _times(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a * b


def _extra_unit(key: str) -> Callable[[str | Asset, Mapping[str, Any]], float | None] | None:
    if "second" in key:
        return _seconds
    if "char" in key:
        return lambda input, _params: None if (t := _text(input)) is None else len(t)
    return None  # web_search, cache reads, ...: used only when asked for; not bounded here


def _seconds(_input: str | Asset, params: Mapping[str, Any]) -> float | None:
    given = _first_number(params, _SECONDS)
    return float(given) if isinstance(given, (int, float)) else None


def _first_number(params: Mapping[str, Any], names: tuple[str, ...]) -> object:
    """The first of `names` that is given: its number, `_UNBOUNDED` if not one, else None."""
    for name in names:
        value = params.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            return _UNBOUNDED
        return value
    return None
