"""A streamed answer: the raw events of `messages.create(stream=True)` as text deltas.

`message_start` carries the input tokens, each `content_block_delta` of type
`text_delta` a piece of text, `message_delta` the cumulative output tokens, and
`message_stop` the end; the client skips `ping` and raises `event: error` as an
`APIStatusError`. The last item is `Text("", usage=..., cost=...)`, which the
host shows as the stream's usage and cost. A stream that stops before
`message_stop` is an error, so a cut-off answer never passes for a whole one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from anthropic_provider.chat import cost_of, usage_of
from mediaconduit.sdk import Pricing, ProviderUnavailableError, Text, Usage


def deltas(events: Iterable[Any], model_id: str, pricing: Pricing | None) -> Iterator[str | Text]:
    """The text of each delta, then the usage and cost as an empty `Text`."""
    usage = Usage()
    for event in events:
        kind = getattr(event, "type", "")
        if kind == "message_start":
            usage = usage_of(event.message.usage)
        elif kind == "content_block_delta" and getattr(event.delta, "type", "") == "text_delta":
            if event.delta.text:
                yield event.delta.text
        elif kind == "message_delta":
            usage = _with_output(usage, event.usage)
        elif kind == "message_stop":
            yield Text("", usage=usage, cost=cost_of(pricing, usage))
            return
    raise ProviderUnavailableError(f"the stream from {model_id} ended before message_stop")


def _with_output(usage: Usage, delta_usage: Any) -> Usage:
    """`message_delta.usage.output_tokens` is the running total, so it replaces."""
    output = getattr(delta_usage, "output_tokens", None)
    return Usage(input_tokens=usage.input_tokens,
                 output_tokens=output if output is not None else usage.output_tokens,
                 requests=1)
