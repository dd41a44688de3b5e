"""The wire between host and worker: length-prefixed JSON frames on a socket.

Both sides import this module, so it is standard library only. Each frame is
a 4-byte big-endian length and a UTF-8 JSON object. Requests carry an `id`;
replies carry the same `id` and one of `result`, `error`, `chunk` or `end`;
while a call runs, the worker may send any number of `progress` frames for it,
and the host may send `{"op": "cancel", "target": id}`. Media travels as a path
or URL, never inline.

Version 2 added progress, cancellation, usage and cost, and lists of assets.
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
from mediaconduit.sdk.usage import Cost, Usage

PROTOCOL_VERSION = 2
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


class FrameError(ValueError):
    """A frame that breaks the protocol (too large, not UTF-8, not a JSON object)."""


def decode(body: bytes) -> dict[str, Any]:
    """One frame's body as a message; `FrameError` says what is wrong with it."""
    try:
        message = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise FrameError("a frame that is not UTF-8") from None
    except (ValueError, RecursionError) as e:
        raise FrameError(f"a frame that is not JSON ({type(e).__name__})") from None
    if not isinstance(message, dict):
        raise FrameError(f"a frame holding a JSON {type(message).__name__}, not an object")
    return message


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
        """The next message, or None once the other side has gone.

        A frame that is too large, not UTF-8, not JSON or not a JSON object raises
        `FrameError`: the stream can no longer be trusted, so the caller ends it.
        """
        try:
            header = self._reader.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return None
            (size,) = _HEADER.unpack(header)
            if size > MAX_FRAME:
                raise FrameError(f"a frame of {size} bytes (at most {MAX_FRAME} are allowed)")
            body = self._reader.read(size)
        except (OSError, ValueError) as e:
            if isinstance(e, FrameError):
                raise
            return None
        if len(body) < size:
            return None
        return decode(body)

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
        return {"kind": "text", "text": asset.text, **_accounts(asset)}
    if isinstance(asset, Media):
        media = asset.to_file()
        return {"kind": media.kind, "path": str(media.path) if media.path else None,
                "url": media.url, "mime_type": media.mime_type, **_accounts(media)}
    raise TypeError(f"expected a str, Text, Image, Audio or Video, not {type(asset).__name__}")


def _accounts(asset: Text | Media) -> dict[str, Any]:
    """Metadata, and usage and cost when there are any (an input has none to send)."""
    data: dict[str, Any] = {"metadata": dict(asset.metadata)}
    if asset.usage:
        data["usage"] = asset.usage.to_dict()
    if asset.cost.usd is not None or asset.cost.estimated:
        data["cost"] = asset.cost.to_dict()
    return data


def asset_from_wire(data: dict[str, Any]) -> Asset:
    kind = str(data.get("kind"))
    extra: dict[str, Any] = {"metadata": data.get("metadata") or {},
                             "usage": Usage.from_dict(data.get("usage")),
                             "cost": Cost.from_dict(data.get("cost"))}
    if kind == "text":
        return Text(str(data["text"]), **extra)
    media = MEDIA_TYPES.get(kind)
    if media is None:
        raise ValueError(f"unknown asset kind {kind!r}")
    path = data.get("path")
    return media(path=Path(path) if path else None, url=data.get("url"),
                 mime_type=data.get("mime_type") or media.default_mime_type, **extra)


def result_to_wire(result: object) -> dict[str, Any]:
    """One asset, or several (`{"assets": [...]}`) for a model that returned a list."""
    if isinstance(result, (list, tuple)):
        return {"assets": [asset_to_wire(a) for a in result]}
    return asset_to_wire(result)


def result_from_wire(data: dict[str, Any]) -> Asset | list[Asset]:
    if "assets" in data:
        return [asset_from_wire(a) for a in data["assets"]]
    return asset_from_wire(data)
