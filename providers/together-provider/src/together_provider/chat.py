"""Chat completions: the messages, the answer as `Text`, a stream as text deltas.

`transform(input, **params)`: `input` is `Text` (or an `Image` for a vision
model, sent with the `prompt` param); `system` adds a system message first and
`messages` a conversation before the input. Every other param
(`temperature`, `max_tokens`, `top_p`, `top_k`, `repetition_penalty`, `stop`,
`seed`, `response_format`, `tools`, `reasoning`, ...) goes into the request body
as given.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import Cost, Image, InvalidInputError, ModelInfo, Text, Usage, estimate_cost

DEFAULT_IMAGE_PROMPT = "Describe this image."
#: params the provider handles itself; every other param goes into the body as given
RESERVED = frozenset({"model", "messages", "system", "prompt", "stream", "stream_options"})


def vendor_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The params that go into the request body as they are."""
    return {k: v for k, v in params.items() if k not in RESERVED and v is not None}


def messages(input: Any, params: Mapping[str, Any], info: ModelInfo) -> list[dict[str, Any]]:
    """`system` (if given), the `messages` conversation (if given), then the input."""
    result = [{"role": "system", "content": str(params["system"])}] if params.get("system") else []
    result += conversation(params.get("messages"))
    turn = user_turn(input, params.get("prompt"), info)
    if turn is not None:
        result.append(turn)
    if all(m.get("role") == "system" for m in result):
        raise InvalidInputError("nothing to send: give a non-empty text input or a messages list")
    return result


def conversation(value: Any) -> list[dict[str, Any]]:
    """A `messages` param: a list of `{"role": ..., "content": ...}` mappings."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
            isinstance(m, Mapping) and isinstance(m.get("role"), str) for m in value):
        raise InvalidInputError(
            "the messages param must be a list of {'role': ..., 'content': ...} mappings, "
            "e.g. [{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': 'Hello'}]"
        )
    return [dict(m) for m in value]


def user_turn(input: Any, prompt: Any, info: ModelInfo) -> dict[str, Any] | None:
    """The input as a user message: text as is, an image with a text prompt; None if empty."""
    if isinstance(input, str):
        input = Text(input)
    if isinstance(input, Text):
        return {"role": "user", "content": input.text} if input.text else None
    if isinstance(input, Image):
        if "image-to-text" not in info.capabilities:
            raise InvalidInputError(
                f"{info.id} does not read images (it is not listed as a vision model); use a "
                "model with the image-to-text capability, or name it in config vision_models")
        parts = [{"type": "text", "text": str(prompt or DEFAULT_IMAGE_PROMPT)},
                 {"type": "image_url", "image_url": {"url": image_url(input)}}]
        return {"role": "user", "content": parts}
    raise InvalidInputError(f"Together chat models take Text or Image input, not "
                            f"{type(input).__name__}")


def image_url(image: Image) -> str:
    """The image's URL, or its bytes as a `data:` URL."""
    if image.url:
        return image.url
    encoded = base64.b64encode(image.data).decode("ascii")
    return f"data:{image.mime_type};base64,{encoded}"


def usage_of(raw: Any) -> Usage:
    """`usage{prompt_tokens, completion_tokens}` (an object or a mapping) as `Usage`."""
    if raw is None:
        return Usage()
    get = raw.get if isinstance(raw, Mapping) else lambda name: getattr(raw, name, None)
    return Usage(input_tokens=_count(get("prompt_tokens")),
                 output_tokens=_count(get("completion_tokens")), requests=1)


def cost_of(info: ModelInfo, usage: Usage) -> Cost:
    """Estimated from the listed prices; unknown (None) when the tokens are not reported."""
    if usage.input_tokens is None and usage.output_tokens is None:
        return Cost()
    return estimate_cost(info.pricing, usage)


def answer(completion: Any, info: ModelInfo) -> Text:
    """A parsed `ChatCompletion` as `Text`, with usage, cost and the answer's facts."""
    choice = completion.choices[0] if completion.choices else None
    message = getattr(choice, "message", None)
    usage = usage_of(getattr(completion, "usage", None))
    metadata = {"id": completion.id, "model": completion.model,
                "finish_reason": getattr(choice, "finish_reason", None)}
    for extra in ("reasoning", "tool_calls"):
        value = getattr(message, extra, None)
        if value:
            metadata[extra] = _plain(value)
    return Text(content_text(getattr(message, "content", None)), metadata=metadata,
                usage=usage, cost=cost_of(info, usage))


def content_text(content: Any) -> str:
    """`message.content`: a string, None (tool calls only), or a list of text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(_field(p, "text") or "") for p in content)
    return ""


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    dump = getattr(value, "model_dump", None)
    return dump() if callable(dump) else value


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
