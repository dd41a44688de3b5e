"""Sample inputs of every kind, and checks that an asset is the media it claims to be.

Standard library only. The samples are real files: a PNG (zlib), a WAV
(wave) and an AVI of uncompressed frames (struct). A media asset passes when
its MIME type is of the expected kind, its bytes begin with the signature of
a known format of that kind, and the two agree; RIFF files (WAV, AVI, WebP)
must also be as long as their header says, and PNG files must end with IEND.
"""

from __future__ import annotations

import io
import struct
import wave
import zlib
from dataclasses import dataclass
from pathlib import Path

from mediaconduit.sdk.assets import MEDIA_TYPES, Asset, Media, Text

SAMPLE_TEXT = "Hello from the MediaConduit contract kit: one, two, three."
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"


# --- samples --------------------------------------------------------------------------------

def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def sample_png(width: int = 16, height: int = 12) -> bytes:
    """An 8-bit RGB PNG with a red-to-blue gradient."""
    row = b"\0" + b"".join(bytes((255 - 255 * x // width, 64, 255 * x // width))
                           for x in range(width))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (PNG_SIGNATURE + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(row * height)) + _png_chunk(b"IEND", b""))


def sample_wav(seconds: float = 0.25, rate: int = 8000) -> bytes:
    """A 16-bit mono WAV holding a square wave of 400 Hz."""
    period = rate // 400
    frames = b"".join(struct.pack("<h", 8000 if i % period < period // 2 else -8000)
                      for i in range(int(seconds * rate)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def _riff(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + b"\0" * (len(data) % 2)


def sample_avi(width: int = 16, height: int = 12, frames: int = 4, fps: int = 4) -> bytes:
    """An AVI of uncompressed 24-bit frames, each a flat grey a little lighter than the last."""
    size = (width * 3 + 3) // 4 * 4 * height
    images = [bytes([40 + 50 * i]) * size for i in range(frames)]
    avih = struct.pack("<14I", 1_000_000 // fps, size * fps, 0, 0x10, frames, 0, 1, size,
                       width, height, 0, 0, 0, 0)
    strh = struct.pack("<4s4sIHHIIIIIIIIhhhh", b"vids", b"DIB ", 0, 0, 0, 0, 1, fps, 0,
                       frames, size, 0xFFFFFFFF, 0, 0, 0, width, height)
    strf = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, size, 0, 0, 0, 0)
    strl = _riff(b"LIST", b"strl" + _riff(b"strh", strh) + _riff(b"strf", strf))
    hdrl = _riff(b"LIST", b"hdrl" + _riff(b"avih", avih) + strl)
    movi = _riff(b"LIST", b"movi" + b"".join(_riff(b"00db", image) for image in images))
    index = b"".join(struct.pack("<4sIII", b"00db", 0x10, 4 + i * (8 + size), size)
                     for i in range(frames))
    return _riff(b"RIFF", b"AVI " + hdrl + movi + _riff(b"idx1", index))


SAMPLE_FILES = {"image": ("sample.png", sample_png), "audio": ("sample.wav", sample_wav),
                "video": ("sample.avi", sample_avi)}


def write_samples(folder: Path) -> dict[str, Asset]:
    """One sample input of each kind; the media ones written as files into `folder`."""
    samples: dict[str, Asset] = {"text": Text(SAMPLE_TEXT)}
    for kind, (name, make) in SAMPLE_FILES.items():
        path = folder / name
        path.write_bytes(make())
        samples[kind] = MEDIA_TYPES[kind].from_path(path)
    return samples


def as_asset(kind: str, value: Asset | str | Path) -> Asset:
    """A sample input given by the caller: an asset, text, or the path of a media file."""
    if isinstance(value, (Text, Media)):
        return value
    if kind == "text":
        return Text(str(value))
    return MEDIA_TYPES[kind].from_path(value)


# --- formats --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Format:
    """A media format known by its first bytes: `(offset, bytes)` pairs that must all match."""

    name: str
    kinds: tuple[str, ...]
    mime_types: tuple[str, ...]
    magic: tuple[tuple[int, bytes], ...]

    def matches(self, data: bytes) -> bool:
        return all(data[at:at + len(sig)] == sig for at, sig in self.magic)


def _ftyp(brand: bytes) -> tuple[tuple[int, bytes], ...]:
    return ((4, b"ftyp"), (8, brand))


FORMATS: tuple[Format, ...] = (
    Format("PNG", ("image",), ("image/png", "image/apng"), ((0, PNG_SIGNATURE),)),
    Format("JPEG", ("image",), ("image/jpeg", "image/jpg", "image/pjpeg"), ((0, b"\xff\xd8\xff"),)),
    Format("GIF", ("image",), ("image/gif",), ((0, b"GIF8"),)),
    Format("WebP", ("image",), ("image/webp",), ((0, b"RIFF"), (8, b"WEBP"))),
    Format("BMP", ("image",), ("image/bmp", "image/x-bmp", "image/x-ms-bmp"), ((0, b"BM"),)),
    Format("TIFF", ("image",), ("image/tiff",), ((0, b"II*\0"),)),
    Format("TIFF", ("image",), ("image/tiff",), ((0, b"MM\0*"),)),
    Format("AVIF", ("image",), ("image/avif",), _ftyp(b"avif")),
    Format("HEIC", ("image",), ("image/heic", "image/heif"), _ftyp(b"heic")),
    Format("WAV", ("audio",), ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"),
           ((0, b"RIFF"), (8, b"WAVE"))),
    Format("AVI", ("video",), ("video/x-msvideo", "video/avi", "video/msvideo"),
           ((0, b"RIFF"), (8, b"AVI "))),
    Format("AIFF", ("audio",), ("audio/aiff", "audio/x-aiff"), ((0, b"FORM"), (8, b"AIFF"))),
    Format("FLAC", ("audio",), ("audio/flac", "audio/x-flac"), ((0, b"fLaC"),)),
    Format("MP3", ("audio",), ("audio/mpeg", "audio/mp3"), ((0, b"ID3"),)),
    *(Format("MP3", ("audio",), ("audio/mpeg", "audio/mp3"), ((0, sync),))
      for sync in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    *(Format("AAC", ("audio",), ("audio/aac", "audio/aacp"), ((0, sync),))
      for sync in (b"\xff\xf1", b"\xff\xf9")),
    Format("Ogg", ("audio", "video"), ("audio/ogg", "audio/opus", "video/ogg", "application/ogg"),
           ((0, b"OggS"),)),
    Format("MP4", ("video", "audio"), ("video/mp4", "video/quicktime", "video/3gpp",
                                       "audio/mp4", "audio/x-m4a", "audio/m4a"), ((4, b"ftyp"),)),
    Format("WebM", ("video", "audio"), ("video/webm", "video/x-matroska", "audio/webm"),
           ((0, b"\x1a\x45\xdf\xa3"),)),
)


def sniff(data: bytes) -> Format | None:
    """The format `data` begins with, if the kit knows it."""
    return next((fmt for fmt in FORMATS if fmt.matches(data)), None)


def _known(kind: str) -> str:
    return ", ".join(dict.fromkeys(fmt.name for fmt in FORMATS if kind in fmt.kinds))


def _structure(fmt: Format, data: bytes) -> str:
    """A problem with the file's framing (cut short, padded), or ""."""
    if data[:4] == b"RIFF" and struct.unpack("<I", data[4:8])[0] + 8 > len(data):
        return f"the {fmt.name} file is shorter than its RIFF header says: it was cut short"
    if fmt.name == "PNG" and not data.endswith(PNG_END):
        return "the PNG file does not end with an IEND chunk: it was cut short"
    return ""


def _read(asset: Media) -> tuple[bytes, str]:
    try:
        return asset.data, ""
    except (OSError, ValueError) as error:
        return b"", f"its bytes cannot be read: {error}"


def _byte_problems(asset: Media, kind: str, mime: str) -> list[str]:
    data, problem = _read(asset)
    if problem or not data:
        return [problem or "it is empty (0 bytes)"]
    fmt = sniff(data)
    if fmt is None:
        return [f"its bytes are no {kind} format the kit knows ({_known(kind)}): "
                f"they begin {data[:12]!r}"]
    if kind not in fmt.kinds:
        return [f"its bytes are {fmt.name}, which is not {kind}"]
    problems = [_structure(fmt, data)]
    if mime not in fmt.mime_types:
        problems.append(f"its MIME type {mime!r} does not match its bytes, which are "
                        f"{fmt.name} ({fmt.mime_types[0]})")
    return [problem for problem in problems if problem]


def asset_problems(asset: object, kind: str) -> list[str]:
    """Why `asset` is not a good output of `kind` (text, image, audio or video); [] if it is."""
    found = getattr(asset, "kind", None)
    if found != kind or not isinstance(asset, (Text, Media)):
        shown = found if isinstance(found, str) else type(asset).__name__
        return [f"it returned {shown}, not {kind}"]
    if isinstance(asset, Text):
        return [] if asset.text.strip() else ["it returned empty text"]
    mime = asset.mime_type.split(";")[0].strip().lower()
    problems = [] if mime.startswith(f"{kind}/") else [
        f"its MIME type {mime!r} is not a {kind} type ({kind}/...)"]
    return problems + _byte_problems(asset, kind, mime)


def describe_asset(asset: Asset) -> str:
    """For reports: `image/png, 1234 bytes` or `text, 5 characters: 'hello'`."""
    if isinstance(asset, Text):
        excerpt = asset.text if len(asset.text) <= 60 else asset.text[:57] + "..."
        return f"text, {len(asset.text)} characters: {excerpt!r}"
    data, _ = _read(asset)
    return f"{asset.mime_type}, {len(data)} bytes"
