"""The `/api/chat` request, and the answer as `Text` with usage and a zero cost.

`system` is the first message; a `messages` conversation follows; the input is
the last user turn: text as is, an `Image` as `images` (its bytes, which the
client sends base64) with the `prompt` param as its text. Ollama's request has
a few top-level fields (`tools`, `format`, `keep_alive`, `think`, `logprobs`,
`top_logprobs`); every other param is a model option (`temperature`, `top_p`,
`top_k`, `seed`, `stop`, `num_ctx`, `repeat_penalty`, ...), merged over an
`options` param; `max_tokens` is Ollama's `num_predict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from mediaconduit.sdk import Cost, Image, InvalidInputError, Text, Usage

DEFAULT_IMAGE_PROMPT = "Describe this image."
TOP_LEVEL = frozenset({"tools", "format", "keep_alive", "think", "logprobs", "top_logprobs"})
#: params the provider handles itself
RESERVED = frozenset({"model", "messages", "system", "prompt", "stream", "options", "pull",
                      "max_tokens"})
FREE = Cost(usd=Decimal(0), estimated=False)


def request(model_id: str, input: Any, params: Mapping[str, Any],
            keep_alive: str | float | None) -> dict[str, Any]:
    """The keyword arguments of `client.chat`."""
    turns = ([{"role": "system", "content": _system(params["system"])}]
             if params.get("system") else [])
    turns += conversation(params.get("messages"))
    turn = user_turn(input, params.get("prompt"))
    turns += [turn] if turn else []
    if not any(t["role"] != "system" for t in turns):
        raise InvalidInputError("nothing to send: give a non-empty text input or a messages list")
    kwargs: dict[str, Any] = {"model": model_id, "messages": turns, **_fields(params)}
    options = _options_of(params)
    if options:
        kwargs["options"] = options
    if keep_alive is not None and "keep_alive" not in kwargs:
        kwargs["keep_alive"] = keep_alive
    return kwargs


def _rest(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in RESERVED and v is not None}


def _fields(params: Mapping[str, Any]) -> dict[str, Any]:
    """The params that are fields of Ollama's request itself."""
    return {k: v for k, v in _rest(params).items() if k in TOP_LEVEL}


def _options_of(params: Mapping[str, Any]) -> dict[str, Any]:
    """The model options: `options`, then every other param, then `max_tokens`."""
    options = {**_options(params.get("options")),
               **{k: v for k, v in _rest(params).items() if k not in TOP_LEVEL}}
    if params.get("max_tokens") is not None:
        options["num_predict"] = params["max_tokens"]
    return options


def _system(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"system must be a string, not {type(value).__name__}")
    return value


def _options(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"options must be a mapping of Ollama model options, "
                                f"not {value!r}")
    return dict(value)


def conversation(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(_is_message(m) for m in value):
        raise InvalidInputError(
            "messages must be a list of {'role': 'system' | 'user' | 'assistant' | 'tool', "
            "'content': ...} mappings")
    return [dict(m) for m in value]


def _is_message(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("role") in (
        "system", "user", "assistant", "tool")


def user_turn(input: Any, prompt: Any) -> dict[str, Any] | None:
    if isinstance(input, str):
        input = Text(input)
    if isinstance(input, Text):
        return {"role": "user", "content": input.text} if input.text else None
    if isinstance(input, Image):
        return {"role": "user", "content": str(prompt or DEFAULT_IMAGE_PROMPT),
                "images": [input.data]}
    raise InvalidInputError(f"Ollama models take Text or Image input, not "
                            f"{type(input).__name__}")


def usage_of(response: Any) -> Usage:
    """The counters of a final answer: tokens, and the time the server spent."""
    total = getattr(response, "total_duration", None)
    return Usage(input_tokens=getattr(response, "prompt_eval_count", None),
                 output_tokens=getattr(response, "eval_count", None), requests=1,
                 compute_seconds=total / 1e9 if isinstance(total, int) else None)


def answer_text(response: Any) -> Text:
    """A `ChatResponse` as `Text`; Ollama runs locally, so the cost is zero."""
    message = response.message
    metadata = {"model": response.model, "done_reason": response.done_reason,
                "created_at": response.created_at}
    for extra in ("thinking", "tool_calls"):
        value = getattr(message, extra, None)
        if value:
            metadata[extra] = value if extra == "thinking" else [
                call.model_dump(mode="json") for call in value]
    return Text(message.content or "", metadata=metadata, usage=usage_of(response), cost=FREE)
