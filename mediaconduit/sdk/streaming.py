"""Stream parsing for `mediaconduit.sdk.http`: lines, server-sent events (SSE), NDJSON.

Standard library only: `iter_lines` and `parse_sse` work on any byte chunks
and lines. `iter_sse` and `iter_ndjson` read an httpx streaming response
(`HTTPClient.stream`); httpx is imported only when a response is read, so
importing this module does not need it. `mediaconduit.sdk.http` re-exports
all of them.
"""

from __future__ import annotations

import codecs
import dataclasses
import json as jsonlib
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from mediaconduit.sdk.errors import ProviderUnavailableError

if TYPE_CHECKING:
    import httpx

__all__ = ["SSEEvent", "iter_chunks", "iter_lines", "iter_ndjson", "iter_sse", "parse_sse"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclasses.dataclass(frozen=True)
class SSEEvent:
    """One server-sent event: `event` type, `data` (lines joined by `\\n`), last `id`."""

    data: str
    event: str = "message"
    id: str = ""
    retry: int | None = None

    def json(self) -> Any:
        return jsonlib.loads(self.data)


def iter_chunks(response: httpx.Response) -> Iterator[bytes]:
    """The raw body of a streaming response; silence past the read timeout is an error."""
    import httpx

    try:
        yield from response.iter_bytes()
    except httpx.ReadTimeout as error:
        raise _silent(response) from error
    except httpx.TransportError as error:
        raise ProviderUnavailableError(
            f"the stream from {response.request.url.path} broke off "
            f"({type(error).__name__}: {error})"
        ) from error


def _silent(response: httpx.Response) -> ProviderUnavailableError:
    seconds = (response.request.extensions.get("timeout") or {}).get("read")
    return ProviderUnavailableError(
        f"the stream from {response.request.url.path} went silent for {seconds} s "
        "(idle timeout); the service stalled"
    )


def iter_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """UTF-8 lines from byte chunks, split on CRLF, LF or CR only; a leading BOM is dropped."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    rest = ""
    for chunk in chunks:
        lines, rest = _split_lines(rest + decoder.decode(chunk))
        yield from lines
    rest += decoder.decode(b"", final=True)
    if rest:
        lines = _LINE_BREAK.split(rest)
        yield from lines[:-1] if lines[-1] == "" else lines


def _split_lines(text: str) -> tuple[list[str], str]:
    """Complete lines and the unfinished rest; a trailing CR waits for a possible LF."""
    hold = text.endswith("\r")
    lines = _LINE_BREAK.split(text[:-1] if hold else text)
    rest = lines.pop() + ("\r" if hold else "")
    return lines, rest


class _EventBuilder:
    """The parser state of the SSE spec: data lines, event type, last id, retry."""

    def __init__(self) -> None:
        self.data: list[str] = []
        self.event = ""
        self.last_id = ""
        self.retry: int | None = None

    def field(self, line: str) -> None:
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            self.data.append(value)
        elif name == "event":
            self.event = value
        elif name == "id" and "\0" not in value:
            self.last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry = int(value)

    def dispatch(self) -> SSEEvent | None:
        data, event = self.data, self.event
        self.data, self.event = [], ""
        if not data:
            return None
        return SSEEvent("\n".join(data), event or "message", self.last_id, self.retry)


def parse_sse(lines: Iterable[str]) -> Iterator[SSEEvent]:
    """Events from SSE lines, per the HTML spec: `:` comments skipped, a blank line
    dispatches, an event cut off by the end of the stream is dropped."""
    builder = _EventBuilder()
    for line in lines:
        if not line:
            event = builder.dispatch()
            if event is not None:
                yield event
        elif not line.startswith(":"):
            builder.field(line)


def iter_sse(response: httpx.Response) -> Iterator[SSEEvent]:
    """The events of a `text/event-stream` response."""
    return parse_sse(iter_lines(iter_chunks(response)))


def iter_ndjson(response: httpx.Response) -> Iterator[Any]:
    """The JSON values of a newline-delimited JSON response; blank lines are skipped."""
    for line in iter_lines(iter_chunks(response)):
        if line.strip():
            yield _json_line(line, response)


def _json_line(line: str, response: httpx.Response) -> Any:
    try:
        return jsonlib.loads(line)
    except ValueError:
        raise ProviderUnavailableError(
            f"the stream from {response.request.url.path} sent a line that is not JSON: "
            f"{line[:200]!r}"
        ) from None
