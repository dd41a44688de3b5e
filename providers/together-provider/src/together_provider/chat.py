"""Chat completions: the messages, the answer as `Text`, a stream as text deltas.

`transform(input, **params)`: `input` is `Text` (or an `Image` for a vision
model, sent with the `prompt` param); `system` adds a system message first and
`messages` a conversation before the input. Every other param
(`temperature`, `max_tokens`, `top_p`, `top_k`, `repetition_penalty`, `stop`,
`seed`, `response_format`, `tools`, `reasoning`, ...) goes into the request body
as given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import Cost, ModelInfo, Text, Usage
from mediaconduit.sdk.chat import chat_messages, token_cost, token_usage

#: params the provider handles itself; every other param goes into the body as given
RESERVED = frozenset({"model", "messages", "system", "prompt", "stream", "stream_options"})


def vendor_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The params that go into the request body as they are."""
    return {k: v for k, v in params.items() if k not in RESERVED and v is not None}


def messages(input: Any, params: Mapping[str, Any], info: ModelInfo) -> list[dict[str, Any]]:
    """`system` (if given), the `messages` conversation (if given), then the input."""
    blind = None if "image-to-text" in info.capabilities else (
        f"{info.id} does not read images (it is not listed as a vision model); use a "
        "model with the image-to-text capability, or name it in config vision_models")
    return chat_messages(input, params, "Together chat models", no_vision=blind)


def usage_of(raw: Any) -> Usage:
    """`usage{prompt_tokens, completion_tokens}` (an object or a mapping) as `Usage`."""
    return token_usage(raw)


def cost_of(info: ModelInfo, usage: Usage) -> Cost:
    """Estimated from the listed prices; unknown (None) when the tokens are not reported."""
    return token_cost(info.pricing, usage)


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

