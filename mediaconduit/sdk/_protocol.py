"""The wire between host and worker: length-prefixed JSON frames on a socket.

Both sides import this module, so it is standard library only. Each frame is
a 4-byte big-endian length and a UTF-8 JSON object. Requests carry an `id`;
replies carry the same `id` and one of `result`, `error`, `chunk` or `end`.
Media travels as a path or URL, never inline.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from mediaconduit.sdk.assets import MEDIA_TYPES, Asset, Media, Text

PROTOCOL_VERSION = 1
_HEADER = struct.Struct(">I")
MAX_FRAME = 256 * 1024 * 1024


def _default(value: object) -> Any:
    if isinstance(value, (Decimal, Path)):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return repr(value)


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":"), default=_default).encode()
    return _HEADER.pack(len(body)) + body


class Channel:
    """Frames over a connected socket; `send` is safe from several threads."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._reader = sock.makefile("rb")
        self._lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        data = encode(message)
        with self._lock:
            self.sock.sendall(data)

    def receive(self) -> dict[str, Any] | None:
        """The next message, or None once the other side has gone."""
        try:
            header = self._reader.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return None
            (size,) = _HEADER.unpack(header)
            body = self._reader.read(size) if size <= MAX_FRAME else b""
        except (OSError, ValueError):
            return None
        if len(body) < size:
            return None
        message: dict[str, Any] = json.loads(body)
        return message

    def close(self) -> None:
        # Shut down first: it wakes a thread blocked in `receive`, which holds the
        # reader's lock, so closing the reader before would wait for it forever.
        closers: tuple[Callable[[], object], ...] = (
            lambda: self.sock.shutdown(socket.SHUT_RDWR), self._reader.close, self.sock.close)
        for closer in closers:
            with contextlib.suppress(OSError):
                closer()


def asset_to_wire(asset: object) -> dict[str, Any]:
    """An asset as JSON-able data; media from bytes is written to a file first."""
    if isinstance(asset, str):
        asset = Text(asset)
    if isinstance(asset, Text):
        return {"kind": "text", "text": asset.text, "metadata": dict(asset.metadata)}
    if isinstance(asset, Media):
        media = asset.to_file()
        return {"kind": media.kind, "path": str(media.path) if media.path else None,
                "url": media.url, "mime_type": media.mime_type, "metadata": dict(media.metadata)}
    raise TypeError(f"expected a str, Text, Image, Audio or Video, not {type(asset).__name__}")


def asset_from_wire(data: dict[str, Any]) -> Asset:
    kind = str(data.get("kind"))
    metadata = data.get("metadata") or {}
    if kind == "text":
        return Text(str(data["text"]), metadata=metadata)
    media = MEDIA_TYPES.get(kind)
    if media is None:
        raise ValueError(f"unknown asset kind {kind!r}")
    path = data.get("path")
    return media(path=Path(path) if path else None, url=data.get("url"),
                 mime_type=data.get("mime_type") or media.default_mime_type, metadata=metadata)
