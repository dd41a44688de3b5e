"""Assets: what models take and return. Standard library only.

`Text` holds a string. `Image`, `Audio` and `Video` are media: a file on disk
(`from_path`), bytes in memory (`from_bytes`) or a URL (`from_url`). Media
crosses the host/worker boundary as a file path or URL, never inline.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from mediaconduit.sdk.usage import Cost, Usage

_M = TypeVar("_M", bound="Media")

_EXTENSIONS = {
    "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/mpeg": ".mp3", "audio/flac": ".flac",
    "audio/ogg": ".ogg", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp",
    "video/mp4": ".mp4", "video/webm": ".webm", "text/plain": ".txt",
}
_MIME_BY_SUFFIX = {v: k for k, v in reversed(_EXTENSIONS.items())}


def guess_mime_type(name: str, default: str) -> str:
    """The MIME type for a file name, by its suffix."""
    suffix = Path(name).suffix.lower()
    if suffix in _MIME_BY_SUFFIX:
        return _MIME_BY_SUFFIX[suffix]
    import mimetypes  # here, not at the top: every worker and host imports this module

    return mimetypes.guess_type(name)[0] or default


def extension_for(mime_type: str) -> str:
    """A file suffix for a MIME type (`.bin` when unknown)."""
    if mime_type in _EXTENSIONS:
        return _EXTENSIONS[mime_type]
    import mimetypes

    return mimetypes.guess_extension(mime_type) or ".bin"


@dataclasses.dataclass(frozen=True)
class Text:
    """A piece of text; `usage` and `cost` say what making it took, `metadata` the rest."""

    text: str
    metadata: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    usage: Usage = dataclasses.field(default_factory=Usage)
    cost: Cost = dataclasses.field(default_factory=Cost)
    kind: ClassVar[str] = "text"
    mime_type: ClassVar[str] = "text/plain"

    def __str__(self) -> str:
        return self.text

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        target.write_text(self.text, encoding="utf-8")
        return target


@dataclasses.dataclass(frozen=True)
class Media:
    """A media asset held as a file, bytes or a URL. Use a subclass."""

    path: Path | None = None
    url: str | None = None
    mime_type: str = "application/octet-stream"
    metadata: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    inline: bytes | None = dataclasses.field(default=None, repr=False)
    usage: Usage = dataclasses.field(default_factory=Usage)
    cost: Cost = dataclasses.field(default_factory=Cost)
    kind: ClassVar[str] = "media"
    default_mime_type: ClassVar[str] = "application/octet-stream"

    @classmethod
    def from_path(
        cls: type[_M], path: str | Path, mime_type: str | None = None, *,
        usage: Usage | None = None, cost: Cost | None = None, **metadata: Any,
    ) -> _M:
        resolved = Path(path).absolute()
        mime = mime_type or guess_mime_type(resolved.name, cls.default_mime_type)
        return cls(path=resolved, mime_type=mime, metadata=metadata, usage=usage or Usage(),
                   cost=cost or Cost())

    @classmethod
    def from_bytes(
        cls: type[_M], data: bytes, mime_type: str | None = None, *,
        usage: Usage | None = None, cost: Cost | None = None, **metadata: Any,
    ) -> _M:
        return cls(inline=bytes(data), mime_type=mime_type or cls.default_mime_type,
                   metadata=metadata, usage=usage or Usage(), cost=cost or Cost())

    @classmethod
    def from_url(
        cls: type[_M], url: str, mime_type: str | None = None, *,
        usage: Usage | None = None, cost: Cost | None = None, **metadata: Any,
    ) -> _M:
        mime = mime_type or guess_mime_type(url.split("?", maxsplit=1)[0], cls.default_mime_type)
        return cls(url=url, mime_type=mime, metadata=metadata, usage=usage or Usage(),
                   cost=cost or Cost())

    @functools.cached_property
    def data(self) -> bytes:
        """The bytes, read on first use (from memory, the file or the URL)."""
        if self.inline is not None:
            return self.inline
        if self.path is not None:
            return self.path.read_bytes()
        if self.url is not None:
            import urllib.request  # here: it costs every process that imports the SDK ~10 ms

            with urllib.request.urlopen(self.url) as response:
                return bytes(response.read())
        raise ValueError(f"{type(self).__name__} has no path, bytes or URL")

    def save(self, path: str | Path) -> Path:
        """Write the asset to `path` (a copy when it is a file already)."""
        target = Path(path)
        if self.path is not None:
            import shutil

            shutil.copyfile(self.path, target)
        else:
            target.write_bytes(self.data)
        return target

    def to_file(self: _M) -> _M:
        """The same asset as a path or URL, so it can cross to another process.

        Bytes held in memory are written to a new file of their own in the
        current call's output folder.
        """
        if self.path is not None or self.url is not None:
            return self
        import tempfile

        fd, name = tempfile.mkstemp(prefix=f"{self.kind}-", suffix=extension_for(self.mime_type),
                                    dir=output_dir())
        with os.fdopen(fd, "wb") as f:
            f.write(self.data)
        return dataclasses.replace(self, path=Path(name), inline=None)


class Image(Media):
    kind = "image"
    default_mime_type = "image/png"


class Audio(Media):
    kind = "audio"
    default_mime_type = "audio/wav"


class Video(Media):
    kind = "video"
    default_mime_type = "video/mp4"


Asset = Text | Image | Audio | Video
MEDIA_TYPES: dict[str, type[Image] | type[Audio] | type[Video]] = {
    "image": Image, "audio": Audio, "video": Video,
}

_output_root: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "mediaconduit_output_root", default=None
)
_output_dir: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "mediaconduit_output_dir", default=None
)


def output_dir() -> Path:
    """The folder where the current call writes its output files (made on first use).

    Inside the worker each call gets a fresh folder under the host's output
    root. Outside any call (a provider's own tests, say) the first use in a
    context makes a temporary folder that later uses in that context share;
    wrap work in `call_outputs(root)` to get a fresh one.
    """
    current = _output_dir.get()
    if current is None:
        root = _output_root.get()
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
        import tempfile

        current = Path(tempfile.mkdtemp(prefix="call-", dir=root))
        _output_dir.set(current)
    return current


@contextlib.contextmanager
def call_outputs(root: Path | None) -> Iterator[None]:
    """Give the calls made inside this block their own output folder under `root`."""
    root_token = _output_root.set(root)
    dir_token = _output_dir.set(None)
    try:
        yield
    finally:
        _output_dir.reset(dir_token)
        _output_root.reset(root_token)
