"""Small media files, made and read with the standard library only.

Replace these with your real engine or API calls. They are here so the
template works out of the box: every file it returns is a real one that
players, FFmpeg and the MediaConduit contract kit recognise.

- image: PNG (zlib and struct)
- audio: WAV, 16-bit mono (wave)
- video: AVI holding uncompressed 24-bit frames (struct). The standard library
  has no video codec; an AVI of raw frames is a real video file that FFmpeg and
  VLC play, and it needs no dependency. Real providers return MP4 or WebM.
"""

from __future__ import annotations

import array
import hashlib
import io
import math
import struct
import sys
import wave
import zlib

from mediaconduit.sdk import InvalidInputError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WAV_RATE = 16000
AVI_MIME = "video/x-msvideo"


def colour(seed: str, index: int = 0) -> bytes:
    """Three bytes of RGB that depend on `seed`: the same text, the same colour."""
    digest = hashlib.sha256(f"{index}:{seed}".encode()).digest()
    return digest[:3]


# --- PNG ------------------------------------------------------------------------------------

def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def make_png(seed: str, width: int, height: int) -> bytes:
    """A PNG with a left-to-right gradient between two colours taken from `seed`."""
    left, right = colour(seed, 0), colour(seed, 1)
    row = bytearray([0])  # filter type 0 (None) for every row
    for x in range(width):
        t = x / max(width - 1, 1)
        row += bytes(round(a + (b - a) * t) for a, b in zip(left, right))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(bytes(row) * height)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise InvalidInputError("not a PNG image: it does not start with the PNG signature")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- WAV ------------------------------------------------------------------------------------

def make_wav(seed: str, seconds: float) -> bytes:
    """A sine tone whose pitch (220-730 Hz) comes from `seed`, as 16 kHz 16-bit mono WAV."""
    frequency = 220 + colour(seed)[0] * 2
    count = max(1, round(seconds * WAV_RATE))
    samples = array.array("h", (
        round(9000 * math.sin(2 * math.pi * frequency * i / WAV_RATE)) for i in range(count)
    ))
    if sys.byteorder == "big":
        samples.byteswap()  # WAV is little-endian
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(WAV_RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def describe_wav(data: bytes) -> str:
    try:
        with wave.open(io.BytesIO(data), "rb") as audio:
            frames, rate, channels = audio.getnframes(), audio.getframerate(), audio.getnchannels()
    except (wave.Error, EOFError) as error:
        raise InvalidInputError(f"not a WAV file this provider can read: {error}") from None
    return f"{frames / rate:.2f} s of {rate} Hz WAV audio, {channels} channel(s)"


# --- AVI ------------------------------------------------------------------------------------

def _riff(kind: bytes, data: bytes) -> bytes:
    padding = b"\0" if len(data) % 2 else b""
    return kind + struct.pack("<I", len(data)) + data + padding


def _list(kind: bytes, *chunks: bytes) -> bytes:
    return _riff(b"LIST", kind + b"".join(chunks))


def _frame(seed: str, width: int, height: int, index: int, frames: int) -> bytes:
    """One bottom-up BGR frame: a bar of colour that moves right as the frames go by."""
    background, bar = colour(seed, 0)[::-1], colour(seed, 1)[::-1]
    start = index * width // frames
    stop = max(start + 1, (index + 1) * width // frames)
    row = background * start + bar * (stop - start) + background * (width - stop)
    row += b"\0" * (-len(row) % 4)  # rows are padded to 4 bytes
    return row * height


def _avi_headers(width: int, height: int, frames: int, fps: int, frame_size: int) -> bytes:
    avih = struct.pack("<14I", 1_000_000 // fps, frame_size * fps, 0, 0x10, frames, 0, 1,
                       frame_size, width, height, 0, 0, 0, 0)
    strh = struct.pack("<4s4sIHHIIIIIIIIhhhh", b"vids", b"DIB ", 0, 0, 0, 0, 1, fps, 0,
                       frames, frame_size, 0xFFFFFFFF, 0, 0, 0, width, height)
    strf = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, frame_size, 0, 0, 0, 0)
    stream = _list(b"strl", _riff(b"strh", strh), _riff(b"strf", strf))
    return _list(b"hdrl", _riff(b"avih", avih), stream)


def make_avi(seed: str, width: int, height: int, frames: int, fps: int = 12) -> bytes:
    """An AVI of `frames` uncompressed frames (a bar sweeping across), colours from `seed`."""
    images = [_frame(seed, width, height, i, frames) for i in range(frames)]
    movi = b"".join(_riff(b"00db", image) for image in images)
    offsets, position = [], 4  # offsets count from the 'movi' fourcc
    for image in images:
        offsets.append(struct.pack("<4sIII", b"00db", 0x10, position, len(image)))
        position += 8 + len(image) + len(image) % 2
    body = _avi_headers(width, height, frames, fps, len(images[0]))
    body += _list(b"movi", movi) + _riff(b"idx1", b"".join(offsets))
    return _riff(b"RIFF", b"AVI " + body)


def describe_avi(data: bytes) -> str:
    if data[:4] != b"RIFF" or data[8:12] != b"AVI ":
        raise InvalidInputError("not an AVI video: it does not start with RIFF....AVI ")
    at = data.find(b"avih")
    if at < 0 or len(data) < at + 48:
        raise InvalidInputError("this AVI video has no main header ('avih')")
    usec, _, _, _, frames = struct.unpack("<5I", data[at + 8:at + 28])
    width, height = struct.unpack("<II", data[at + 40:at + 48])
    fps = round(1_000_000 / usec) if usec else 0
    return f"a {width}x{height} AVI video, {frames} frames at {fps} fps"
