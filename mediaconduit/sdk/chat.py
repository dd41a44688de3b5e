"""OpenAI-style chat messages from a transform's input and params, for chat providers.

`transform(input, system=..., messages=..., prompt=...)`: `system` adds a system
message first, `messages` is a conversation that goes before the input, and the
input is the user's turn: `Text` as is, an `Image` as a text part (`prompt`, or
"Describe this image.") plus an `image_url` part. Bad values are an
`InvalidInputError` saying what to give instead. Standard library only.

    body = {"model": model_id, "messages": chat_messages(input, params, "Vendor chat models")}
    usage = token_usage(body["usage"])          # prompt_tokens / completion_tokens
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk.assets import Image, Text
from mediaconduit.sdk.errors import InvalidInputError
from mediaconduit.sdk.models import Pricing
from mediaconduit.sdk.usage import Cost, Usage, estimate_cost

DEFAULT_IMAGE_PROMPT = "Describe this image."
CONVERSATION_HINT = (
    "messages must be a list of {'role': ..., 'content': ...} mappings, e.g. "
    "[{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': 'Hello'}]")


def chat_messages(input: Any, params: Mapping[str, Any], takes: str, *,
                  no_vision: str | None = None, url_object: bool = True) -> list[dict[str, Any]]:
    """`system` (if given), the `messages` conversation (if given), then the input.

    `takes` names the models in an error ("Vendor chat models take Text or Image
    input, not Audio"); `no_vision`: the error for an `Image` input (a model that does
    not read images); `url_object`: the image part is `{"url": ...}` (OpenAI's shape),
    else the URL string.
    """
    result = [{"role": "system", "content": str(params["system"])}] if params.get("system") else []
    result += conversation(params.get("messages"))
    turn = user_turn(input, params.get("prompt"), takes, no_vision=no_vision,
                     url_object=url_object)
    if turn is not None:
        result.append(turn)
    if all(m.get("role") == "system" for m in result):
        raise InvalidInputError("nothing to send: give a non-empty text input or a messages list")
    return result


def conversation(value: Any) -> list[dict[str, Any]]:
    """A `messages` param: a list of `{"role": ..., "content": ...}` mappings (copied)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
            isinstance(m, Mapping) and isinstance(m.get("role"), str) for m in value):
        raise InvalidInputError(CONVERSATION_HINT)
    return [dict(m) for m in value]


def user_turn(input: Any, prompt: Any, takes: str, *, no_vision: str | None = None,
              url_object: bool = True) -> dict[str, Any] | None:
    """The input as a user message: text as is, an image with a text prompt; None if empty."""
    if isinstance(input, str):
        input = Text(input)
    if isinstance(input, Text):
        return {"role": "user", "content": input.text} if input.text else None
    if isinstance(input, Image):
        if no_vision is not None:
            raise InvalidInputError(no_vision)
        url = data_url(input)
        parts = [{"type": "text", "text": str(prompt or DEFAULT_IMAGE_PROMPT)},
                 {"type": "image_url", "image_url": {"url": url} if url_object else url}]
        return {"role": "user", "content": parts}
    raise InvalidInputError(f"{takes} take Text or Image input, not {type(input).__name__}")


def data_url(image: Image) -> str:
    """The image's URL, or its bytes as a `data:` URL."""
    if image.url:
        return image.url
    encoded = base64.b64encode(image.data).decode("ascii")
    return f"data:{image.mime_type};base64,{encoded}"


def token_usage(raw: Any) -> Usage:
    """`usage{prompt_tokens, completion_tokens}` (a mapping or an object) as `Usage`."""
    if raw is None:
        return Usage()
    return Usage(input_tokens=_count(_field(raw, "prompt_tokens")),
                 output_tokens=_count(_field(raw, "completion_tokens")), requests=1)


def token_cost(pricing: Pricing | None, usage: Usage) -> Cost:
    """Estimated from listed prices; unknown (None) when no tokens were reported."""
    if usage.input_tokens is None and usage.output_tokens is None:
        return Cost()
    return estimate_cost(pricing, usage)


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


__all__ = ["DEFAULT_IMAGE_PROMPT", "chat_messages", "conversation", "data_url", "token_cost",
           "token_usage", "user_turn"]
