from __future__ import annotations

import socket
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from mediaconduit.sdk import Audio, Image, Text
from mediaconduit.sdk._protocol import Channel, asset_from_wire, asset_to_wire, encode


def test_frames_round_trip_between_threads() -> None:
    left, right = socket.socketpair()
    a, b = Channel(left), Channel(right)
    messages = [{"id": i, "chunk": "x" * i, "price": Decimal("0.1")} for i in range(200)]
    sender = threading.Thread(target=lambda: [a.send(m) for m in messages])
    sender.start()
    received = [b.receive() for _ in messages]
    sender.join()
    assert received == [{**m, "price": "0.1"} for m in messages]
    a.close()
    assert b.receive() is None


def test_truncated_frame_is_end_of_stream() -> None:
    left, right = socket.socketpair()
    left.sendall(encode({"a": 1})[:-2])
    left.close()
    assert Channel(right).receive() is None


def test_assets_on_the_wire(tmp_path: Path) -> None:
    assert asset_from_wire(asset_to_wire("hi")) == Text("hi")
    assert asset_from_wire(asset_to_wire(Text("t", {"k": 1}))) == Text("t", {"k": 1})
    path = tmp_path / "a.wav"
    path.write_bytes(b"RIFF")
    audio = asset_from_wire(asset_to_wire(Audio.from_path(path, seconds=1)))
    assert isinstance(audio, Audio)
    assert audio.path == path
    assert audio.metadata == {"seconds": 1}
    wired = asset_to_wire(Image.from_bytes(b"png", "image/png"))
    assert wired["path"] and Path(wired["path"]).read_bytes() == b"png"
    with pytest.raises(TypeError):
        asset_to_wire(3)
    with pytest.raises(ValueError, match="unknown asset kind"):
        asset_from_wire({"kind": "smell"})
