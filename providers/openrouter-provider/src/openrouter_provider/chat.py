"""Chat completions: the request body, the answer as `Text`, a stream as text deltas."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from mediaconduit.sdk import (
    Cost,
    ProviderUnavailableError,
    Text,
    Usage,
)
from mediaconduit.sdk.chat import chat_messages
from mediaconduit.sdk.http import SSEEvent
from openrouter_provider.catalog import as_map
from openrouter_provider.errors import stream_error

#: params the provider handles itself; every other param goes into the body as given
RESERVED = frozenset({"model", "messages", "system", "prompt", "stream", "stream_options"})
#: optional message fields copied into the result's metadata when present
MESSAGE_EXTRAS = ("reasoning", "tool_calls", "images", "annotations")


def chat_body(
    model_id: str, input: Any, params: Mapping[str, Any], stream: bool
) -> dict[str, Any]:
    """The JSON body of `POST /chat/completions`."""
    body = {k: v for k, v in params.items() if k not in RESERVED and v is not None}
    body.update(model=model_id, messages=messages(input, params))
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    return body


def messages(input: Any, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`system` (if given), the `messages` conversation (if given), then the input."""
    return chat_messages(input, params, "OpenRouter models")


def completion_text(body: Any, generation_id: str | None, model_id: str) -> Text:
    """A non-streamed answer as `Text`, with usage, cost, ids and finish reason in metadata."""
    if not isinstance(body, Mapping):
        raise ProviderUnavailableError("OpenRouter answered with a body that is not an object")
    if isinstance(body.get("error"), Mapping):
        raise stream_error(body["error"], model_id)
    choice = first_choice(body, model_id)
    message = as_map(choice.get("message"))
    usage, cost = accounts(body.get("usage"))
    return Text(content_text(message.get("content")), usage=usage, cost=cost,
                metadata=metadata(body, choice, message, generation_id))


def accounts(raw: Any) -> tuple[Usage, Cost]:
    """OpenRouter's `usage` (tokens, and `cost` in USD credits) in the SDK's one shape."""
    usage = as_map(raw)
    tokens = Usage.from_dict({"input_tokens": usage.get("prompt_tokens"),
                              "output_tokens": usage.get("completion_tokens")})
    cost = usage.get("cost")
    return tokens, Cost(usd=None if cost is None else Decimal(str(cost)), estimated=False)


def first_choice(body: Mapping[str, Any], model_id: str) -> Mapping[str, Any]:
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        raise ProviderUnavailableError(f"OpenRouter answered for {model_id} without choices")
    choice: Mapping[str, Any] = choices[0]
    if isinstance(choice.get("error"), Mapping):
        raise stream_error(choice["error"], model_id)
    if choice.get("finish_reason") == "error":
        raise ProviderUnavailableError(f"the upstream of {model_id} failed while generating")
    return choice


def content_text(content: Any) -> str:
    """`message.content`: a string, null (tool calls only), or a list of text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text") or "") for p in content if isinstance(p, Mapping))
    return ""


def metadata(
    body: Mapping[str, Any], choice: Mapping[str, Any], message: Mapping[str, Any],
    generation_id: str | None,
) -> dict[str, Any]:
    usage = as_map(body.get("usage"))
    result = {
        "usage_details": {k: v for k, v in usage.items() if isinstance(v, Mapping)},
        "generation_id": body.get("id") or generation_id, "model": body.get("model"),
        "provider": body.get("provider"), "finish_reason": choice.get("finish_reason"),
    }
    result.update({k: message[k] for k in MESSAGE_EXTRAS if message.get(k)})
    return result


def stream_deltas(events: Iterable[SSEEvent], model_id: str) -> Iterator[str | Text]:
    """The text deltas of a streamed answer, up to `data: [DONE]`, then an empty `Text`
    with the usage and cost of the final chunk (`stream_options.include_usage`).

    An `error` chunk (HTTP status stays 200 once streaming began) raises the
    typed error; a stream that stops before `[DONE]` or a finish reason is
    an error too, so a cut-off answer never passes for a whole one.
    """
    finished = False
    for event in events:
        if event.data.strip() == "[DONE]":
            return
        chunk = decode_chunk(event, model_id)
        if isinstance(chunk.get("usage"), Mapping):
            usage, cost = accounts(chunk["usage"])
            yield Text("", usage=usage, cost=cost)
        yield from chunk_deltas(chunk, model_id)
        finished = finished or any(c.get("finish_reason") for c in _choices(chunk))
    if not finished:
        raise ProviderUnavailableError(f"the stream from {model_id} ended before it finished")


def decode_chunk(event: SSEEvent, model_id: str) -> Mapping[str, Any]:
    try:
        chunk = event.json()
    except ValueError:
        chunk = None
    if not isinstance(chunk, Mapping):
        raise ProviderUnavailableError(
            f"the stream from {model_id} sent an event that is not a JSON object: "
            f"{event.data[:200]!r}"
        )
    return chunk


def chunk_deltas(chunk: Mapping[str, Any], model_id: str) -> Iterator[str]:
    if isinstance(chunk.get("error"), Mapping):
        raise stream_error(chunk["error"], model_id)
    for choice in _choices(chunk):
        if choice.get("finish_reason") == "error":
            raise ProviderUnavailableError(f"the upstream of {model_id} failed mid-stream")
        delta = choice.get("delta")
        content = delta.get("content") if isinstance(delta, Mapping) else None
        if isinstance(content, str) and content:
            yield content


def _choices(chunk: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The chunk's first choice (index 0) as a list: empty when there is none."""
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        return []
    return [c for c in choices if isinstance(c, Mapping) and c.get("index", 0) == 0][:1]
