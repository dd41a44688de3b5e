"""The Messages API request, and the answer as `Text` with usage and cost.

`system` becomes the request's `system`; a `messages` conversation goes before
the input (its `system` turns join `system`, since the API has no such role);
the input is the last user turn: text as is, an `Image` as an image block
(base64, or a `url` source for an http(s) image) with the `prompt` param as
its text. `max_tokens` defaults to config `max_tokens`. Every other param
(`temperature`, `top_p`, `top_k`, `stop_sequences`, `tools`, `thinking`,
`metadata`, ...) is passed through: as a keyword when the client's `create`
takes it, else in `extra_body`, so parameters newer or older than the client
still reach the API.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import Cost, Image, InvalidInputError, Pricing, Text, Usage, estimate_cost

DEFAULT_IMAGE_PROMPT = "Describe this image."
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
#: params the provider handles itself
RESERVED = frozenset({"model", "messages", "system", "prompt", "stream", "max_tokens"})


def request(model_id: str, input: Any, params: Mapping[str, Any], default_max_tokens: int,
            accepted: frozenset[str]) -> dict[str, Any]:
    """The keyword arguments of `client.messages.create`."""
    system, turns = conversation(params.get("messages"))
    turn = user_turn(input, params.get("prompt"))
    turns += [turn] if turn else []
    if not turns:
        raise InvalidInputError("nothing to send: give a non-empty text input or a messages list")
    system = "\n\n".join(s for s in (_system(params.get("system")), system) if s)
    kwargs: dict[str, Any] = {"model": model_id, "messages": turns,
                              "max_tokens": _max_tokens(params, default_max_tokens)}
    if system:
        kwargs["system"] = system
    return {**kwargs, **pass_through(params, accepted)}


def pass_through(params: Mapping[str, Any], accepted: frozenset[str]) -> dict[str, Any]:
    """The other params: keywords `create` takes, the rest in `extra_body`."""
    extra = {k: v for k, v in params.items() if k not in RESERVED and v is not None}
    kwargs = {k: v for k, v in extra.items() if k in accepted}
    others = {k: v for k, v in extra.items() if k not in accepted}
    return {**kwargs, "extra_body": others} if others else kwargs


def _system(value: Any) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    raise InvalidInputError(f"system must be a string, not {type(value).__name__}")


def _max_tokens(params: Mapping[str, Any], default: int) -> int:
    value = params.get("max_tokens", default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"max_tokens must be a whole number of at least 1, not {value!r}")
    return value


def conversation(value: Any) -> tuple[str, list[dict[str, Any]]]:
    """(the system turns' text, the other turns) of a `messages` param."""
    if value is None:
        return "", []
    if not isinstance(value, list) or not all(_is_message(m) for m in value):
        raise InvalidInputError(
            "messages must be a list of {'role': 'user' | 'assistant' | 'system', "
            "'content': ...} mappings")
    system = [str(m["content"]) for m in value if m["role"] == "system"]
    turns = [{"role": m["role"], "content": m["content"]} for m in value if m["role"] != "system"]
    return "\n\n".join(system), turns


def _is_message(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("role") in ("user", "assistant", "system") \
        and "content" in value


def user_turn(input: Any, prompt: Any) -> dict[str, Any] | None:
    """The input as a user turn; None for empty text."""
    if isinstance(input, str):
        input = Text(input)
    if isinstance(input, Text):
        return {"role": "user", "content": input.text} if input.text else None
    if isinstance(input, Image):
        text = {"type": "text", "text": str(prompt or DEFAULT_IMAGE_PROMPT)}
        return {"role": "user", "content": [image_block(input), text]}
    raise InvalidInputError(f"Anthropic models take Text or Image input, not "
                            f"{type(input).__name__}")


def image_block(image: Image) -> dict[str, Any]:
    """An image content block: a `url` source for a web image, else the bytes in base64."""
    if image.url and image.url.startswith(("http://", "https://")) and image.path is None:
        return {"type": "image", "source": {"type": "url", "url": image.url}}
    if image.mime_type not in IMAGE_TYPES:
        raise InvalidInputError(
            f"Anthropic reads {', '.join(IMAGE_TYPES)} images, not {image.mime_type}; "
            "convert the image first")
    data = base64.b64encode(image.data).decode("ascii")
    return {"type": "image", "source": {"type": "base64", "media_type": image.mime_type,
                                        "data": data}}


def usage_of(usage: Any) -> Usage:
    """The API's usage object as `Usage` (cache reads and writes count as input)."""
    names = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    parts = [p for n in names if isinstance(p := getattr(usage, n, None), int)]
    input_tokens = sum(parts) if parts else None
    return Usage(input_tokens=input_tokens, output_tokens=getattr(usage, "output_tokens", None),
                 requests=1)


def cost_of(pricing: Pricing | None, usage: Usage) -> Cost:
    """From config prices when given (estimated), else unknown: the API reports no cost."""
    return estimate_cost(pricing, usage) if pricing else Cost()


def answer_text(message: Any, pricing: Pricing | None,
                headers: Mapping[str, str] | None = None) -> Text:
    """A `Message` as `Text`: its text blocks joined; usage, cost, ids and the
    answer's `anthropic-ratelimit-*` headers (`rate_limits`) attached."""
    text = "".join(b.text for b in message.content if getattr(b, "type", "") == "text")
    usage = usage_of(message.usage)
    metadata = {"id": message.id, "model": message.model, "stop_reason": message.stop_reason,
                "request_id": getattr(message, "_request_id", None),
                "usage": message.usage.to_dict(mode="json")}
    extras = [b.to_dict(mode="json") for b in message.content if getattr(b, "type", "") != "text"]
    if extras:
        metadata["blocks"] = extras
    limits = {k: v for k, v in (headers or {}).items() if k.startswith("anthropic-ratelimit-")}
    if limits:
        metadata["rate_limits"] = limits
    return Text(text, metadata=metadata, usage=usage, cost=cost_of(pricing, usage))

