"""Hypothesis: the channel decoder and the specifier parser take any input calmly."""

from __future__ import annotations

import json
import socket
import struct
import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediaconduit.errors import SpecifierError
from mediaconduit.sdk._protocol import Channel, FrameError, decode, encode
from mediaconduit.specifier import parse_specifier

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_decode_any_bytes_gives_a_message_or_a_frame_error(body: bytes) -> None:
    try:
        message = decode(body)
    except FrameError:
        return
    assert isinstance(message, dict)


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_decode_reads_back_what_encode_wrote(message: dict[str, object]) -> None:
    assert decode(encode(message)[4:]) == json.loads(json.dumps(message))


def _receive_all(data: bytes) -> list[object]:
    """Everything a channel reads from a stream of `data`, then end-of-file; never hangs."""
    ours, theirs = socket.socketpair()
    ours.settimeout(5)
    writer = threading.Thread(target=lambda: (theirs.sendall(data), theirs.close()))
    writer.start()
    channel, seen = Channel(ours), []
    try:
        while True:
            try:
                message = channel.receive()
            except FrameError as e:
                seen.append(e)
                break
            if message is None:
                break
            seen.append(message)
    finally:
        channel.close()
        writer.join(5)
    return seen


frames = st.lists(st.binary(max_size=64).map(lambda b: struct.pack(">I", len(b)) + b),
                  max_size=4).map(b"".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), frames))
def test_channel_on_any_byte_stream_ends_with_messages_or_a_typed_error(data: bytes) -> None:
    seen = _receive_all(data)
    assert all(isinstance(item, (dict, FrameError)) for item in seen)
    assert not any(isinstance(item, FrameError) for item in seen[:-1])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_specifier_parsing_any_text_gives_a_specifier_or_a_specifier_error(text: str) -> None:
    try:
        spec = parse_specifier(text)
    except SpecifierError:
        return
    assert spec.display and "\n" not in spec.display


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["https://github.com/", "github:", "git@github.com:", "file:///", "./",
                        "https://gitlab.com/", "ssh://git@host/"]),
       st.text(alphabet=st.characters(codec="ascii"), max_size=60),
       st.one_of(st.none(), st.text(max_size=20)))
def test_specifier_parsing_url_shaped_text(prefix: str, rest: str, ref: str | None) -> None:
    try:
        spec = parse_specifier(prefix + rest, ref)
    except SpecifierError:
        return
    assert "\x00" not in spec.url
