"""Chat completions: the messages, the params, the answer as `Text`.

`transform(input, **params)`: `input` is `Text` (or an `Image` for a vision
model, sent with the `prompt` param); `system` adds a system message first and
`messages` a conversation before the input. Every other param is one of the
client's own (`temperature`, `max_tokens`, `top_p`, `random_seed`, `stop`,
`safe_prompt`, `response_format`, `tools`, `tool_choice`, `prompt_mode`, ...),
passed as given; `seed` is taken as `random_seed`. An unknown param is an
`InvalidInputError` that lists the known ones.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from mediaconduit.sdk import Cost, InvalidInputError, ModelInfo, Text, Usage
from mediaconduit.sdk.chat import chat_messages, token_cost, token_usage

#: params the provider handles itself
RESERVED = frozenset({"model", "messages", "system", "prompt", "stream"})
#: the client's own call options, not API params
CLIENT_OPTIONS = frozenset({"retries", "server_url", "timeout_ms", "http_headers"})
RENAMED = {"seed": "random_seed"}


def vendor_params(params: Mapping[str, Any], method: Callable[..., Any]) -> dict[str, Any]:
    """The params for the client's `method`; unknown ones are an `InvalidInputError`."""
    known = set(inspect.signature(method).parameters) - RESERVED - CLIENT_OPTIONS
    given = {RENAMED.get(k, k): v for k, v in params.items() if k not in RESERVED}
    unknown = sorted(set(given) - known)
    if unknown:
        raise InvalidInputError(f"Mistral chat has no parameter {', '.join(unknown)}; it takes "
                                f"{', '.join(sorted(known))} (plus system, messages, prompt)")
    return {k: v for k, v in given.items() if v is not None}


def messages(input: Any, params: Mapping[str, Any], info: ModelInfo) -> list[dict[str, Any]]:
    """`system` (if given), the `messages` conversation (if given), then the input (an
    image part's `image_url` is the URL string, as the client takes it)."""
    blind = None if "image-to-text" in info.capabilities else (
        f"{info.id} does not read images (its card has no vision capability); use a model "
        "with image-to-text")
    return chat_messages(input, params, "Mistral chat models", no_vision=blind, url_object=False)


def usage_of(raw: Any) -> Usage:
    """The client's `UsageInfo` as `Usage`."""
    return token_usage(raw)


def cost_of(info: ModelInfo, usage: Usage) -> Cost:
    """From listed prices; Mistral lists none, so unknown (None) unless a card has some."""
    return token_cost(info.pricing, usage)


def answer(completion: Any, info: ModelInfo) -> Text:
    """A `ChatCompletionResponse` as `Text`, with usage, cost and the answer's facts."""
    choice = completion.choices[0] if completion.choices else None
    message = getattr(choice, "message", None)
    usage = usage_of(completion.usage)
    metadata: dict[str, Any] = {"id": completion.id, "model": completion.model,
                                "finish_reason": getattr(choice, "finish_reason", None)}
    thinking = thinking_text(getattr(message, "content", None))
    if thinking:
        metadata["thinking"] = thinking
    tool_calls = getattr(message, "tool_calls", None)
    if tool_calls:
        metadata["tool_calls"] = [call.model_dump() for call in tool_calls]
    return Text(content_text(getattr(message, "content", None)), metadata=metadata,
                usage=usage, cost=cost_of(info, usage))


def content_text(content: Any) -> str:
    """`content`: a string, or a list of chunks of which the `text` ones are the answer."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(_get(c, "text") or "") for c in content if _get(c, "type") == "text")
    return ""


def thinking_text(content: Any) -> str:
    """The reasoning of a reasoning model: its `thinking` chunks' text."""
    if not isinstance(content, list):
        return ""
    inner = [part for c in content if _get(c, "type") == "thinking"
             for part in _get(c, "thinking") or []]
    return content_text(inner)


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)

