"""Turn an input asset into a local file FFmpeg can read."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

from ffmpeg_provider.formats import suffix_for
from mediaconduit.sdk import InvalidInputError, Media

DOWNLOAD_TIMEOUT = 60.0


@dataclasses.dataclass(frozen=True)
class LocalInput:
    """A readable file, and how to name the input in messages."""

    path: Path
    label: str
    stem: str = "input"


def check_kind(asset: object, model_id: str, kinds: Sequence[str]) -> Media:
    """`asset` when it is media of one of `kinds`, else `InvalidInputError`."""
    kind = getattr(asset, "kind", None)
    if not isinstance(asset, Media) or kind not in kinds:
        wanted = " or ".join(k.capitalize() for k in kinds)
        raise InvalidInputError(f"{model_id} takes {wanted} input, not {type(asset).__name__}")
    return asset


@contextlib.contextmanager
def local_input(media: Media) -> Iterator[LocalInput]:
    """A file for `media`: its own path, else bytes or a download in a temp folder."""
    if media.path is not None:
        yield LocalInput(_existing(media.path), str(media.path), media.path.stem)
        return
    with tempfile.TemporaryDirectory(prefix="ffmpeg-provider-") as folder:
        target = Path(folder) / f"input{suffix_for(media.mime_type)}"
        if media.url is not None:
            _download(media.url, target)
            yield LocalInput(target, redact(media.url), _url_stem(media.url))
        else:
            target.write_bytes(media.data)
            yield LocalInput(target, f"<{len(media.data)} bytes of {media.mime_type}>")


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise InvalidInputError(f"input file not found: {path}")
    return path


def redact(url: str) -> str:
    """`url` without user, password or query, which may hold secrets (signed URLs)."""
    parts = urllib.parse.urlsplit(url)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _url_stem(url: str) -> str:
    return Path(urllib.parse.urlsplit(url).path).stem or "input"


def _download(url: str, target: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response, \
                target.open("wb") as out:
            shutil.copyfileobj(response, out)
    except (OSError, ValueError) as error:
        raise InvalidInputError(f"cannot download input {redact(url)}: {error}") from error
