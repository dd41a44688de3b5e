"""text-generation through the router's OpenAI-compatible `POST /v1/chat/completions`.

The model is the Hub id, optionally pinned to a provider with `:provider`
(`moonshotai/Kimi-K2-Instruct:groq`). A stream is SSE `data:` chunks ending with
`data: [DONE]`; it asks for `stream_options.include_usage`, so the last chunk
carries the token counts, which end the stream as a `Text("", usage=...)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from mediaconduit.sdk import InvalidInputError, ProviderUnavailableError, Text, Usage
from mediaconduit.sdk.http import SSEEvent

CHAT_PATH = "v1/chat/completions"
RESERVED = frozenset({"model", "messages", "system", "stream", "stream_options"})


def chat_body(model_id: str, input: Any, params: Mapping[str, Any],
              stream: bool) -> dict[str, Any]:
    body = {k: v for k, v in params.items() if k not in RESERVED and v is not None}
    body.update(model=model_id, messages=messages(input, params))
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    return body


def messages(input: Any, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`system` (if given), the `messages` conversation (if given), then the input."""
    result = [{"role": "system", "content": str(params["system"])}] if params.get("system") else []
    history = params.get("messages") or []
    if not isinstance(history, list) or not all(isinstance(m, Mapping) for m in history):
        raise InvalidInputError("messages must be a list of {'role': ..., 'content': ...}")
    result += [dict(m) for m in history]
    text = input if isinstance(input, str) else getattr(input, "text", None)
    if not isinstance(text, str):
        raise InvalidInputError(f"text-generation takes Text input, not {type(input).__name__}")
    if text:
        result.append({"role": "user", "content": text})
    if all(m.get("role") == "system" for m in result):
        raise InvalidInputError("nothing to send: give a non-empty text input or a messages list")
    return result


def usage_of(body: Mapping[str, Any]) -> Usage:
    usage = body.get("usage")
    if not isinstance(usage, Mapping):
        return Usage()
    return Usage(input_tokens=_int(usage.get("prompt_tokens")),
                 output_tokens=_int(usage.get("completion_tokens")), requests=1)


def completion_text(body: Any, model_id: str, meta: Mapping[str, Any]) -> Text:
    if not isinstance(body, Mapping) or not isinstance(body.get("choices"), list):
        raise ProviderUnavailableError(f"{model_id} answered without choices: {body!r:.200}")
    choice = body["choices"][0] if body["choices"] else {}
    message = choice.get("message") or {}
    return Text(str(message.get("content") or ""), usage=usage_of(body), metadata={
        **meta, "id": body.get("id"), "finish_reason": choice.get("finish_reason")})


def stream_deltas(events: Iterable[SSEEvent], model_id: str) -> Iterator[str | Text]:
    """The text deltas, then a final `Text("")` with the usage if the stream gave one."""
    usage = Usage()
    for event in events:
        if event.data.strip() == "[DONE]":
            break
        chunk = _chunk(event, model_id)
        usage = usage_of(chunk) or usage
        for choice in chunk.get("choices") or []:
            content = (choice.get("delta") or {}).get("content")
            if isinstance(content, str) and content:
                yield content
    else:
        raise ProviderUnavailableError(f"the stream from {model_id} ended before [DONE]")
    if usage:
        yield Text("", usage=usage)


def _chunk(event: SSEEvent, model_id: str) -> Mapping[str, Any]:
    try:
        chunk = event.json()
    except ValueError:
        chunk = None
    if not isinstance(chunk, Mapping):
        raise ProviderUnavailableError(f"the stream from {model_id} sent {event.data[:200]!r}")
    if chunk.get("error"):
        error = chunk["error"]
        text = error.get("message") if isinstance(error, Mapping) else error
        raise ProviderUnavailableError(f"the stream from {model_id} failed: {text}")
    return chunk


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
