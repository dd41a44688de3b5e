"""A prediction's output as assets: URLs and `data:` URIs downloaded into files (streamed
to disk, never whole in memory), typed `Image`, `Video` or `Audio` by content type;
text output as `Text`."""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from mediaconduit.sdk import (
    Audio,
    Image,
    Media,
    ProviderUnavailableError,
    Text,
    Video,
    extension_for,
    output_dir,
    report_progress,
)
from mediaconduit.sdk.assets import guess_mime_type
from mediaconduit.sdk.http import iter_chunks
from replicate_provider.api import ReplicateAPI

MEDIA = {"image": Image, "video": Video, "audio": Audio}
#: base64 characters decoded at a time (a multiple of 4): 1 MiB of text per step
B64_STEP = 1 << 20
REPORT_EVERY = 0.1
REPORT_FROM = 1 << 20  # smaller files arrive too fast for progress to mean anything


def output_items(output: Any) -> list[Any]:
    """One output or a list of them, as a list (None: nothing)."""
    if output is None:
        return []
    return list(output) if isinstance(output, (list, tuple)) else [output]


def is_file_ref(item: Any) -> bool:
    return isinstance(item, str) and item.startswith(("http://", "https://", "data:"))


def as_text(output: Any) -> Text:
    """Text output: a string, or a list of tokens joined; anything else as JSON."""
    items = output_items(output)
    if all(isinstance(i, str) for i in items):
        return Text("".join(items))
    return Text(json.dumps(output))


def download_all(api: ReplicateAPI, output: Any, expected: str) -> list[Media]:
    return [download(api, item, expected) for item in output_items(output) if is_file_ref(item)]


def download(api: ReplicateAPI, ref: str, expected: str) -> Media:
    """One output file into the call's output folder, typed by its content type."""
    if ref.startswith("data:"):
        mime, path = _save_data_uri(ref)
    else:
        mime, path = _save_url(api, ref)
    mime = mime if mime and mime != "application/octet-stream" else guess_mime_type(
        urlsplit(ref).path if not ref.startswith("data:") else "", "")
    media = MEDIA.get((mime or "").split("/")[0], MEDIA.get(expected, Image))
    return media.from_path(_named(path, mime or media.default_mime_type),
                           mime or media.default_mime_type, source_url=_shown(ref))


def _shown(ref: str) -> str:
    return ref if not ref.startswith("data:") else ref.split(",", 1)[0] + ",..."


def _new_file() -> tuple[int, Path]:
    fd, name = tempfile.mkstemp(prefix="replicate-", suffix=".part", dir=output_dir())
    return fd, Path(name)


def _named(path: Path, mime: str) -> Path:
    """The downloaded file renamed with the suffix of its type."""
    target = path.with_suffix(extension_for(mime))
    os.replace(path, target)
    return target


def _save_url(api: ReplicateAPI, url: str) -> tuple[str, Path]:
    fd, path = _new_file()
    with api.stream(url) as response, os.fdopen(fd, "wb") as handle:
        mime = response.headers.get("content-type", "").split(";")[0].strip()
        total = int(response.headers.get("content-length") or 0)
        _copy(iter_chunks(response), handle.write, total, url)
    return mime, path


def _copy(chunks: Iterator[bytes], write: Any, total: int, url: str) -> None:
    """Write the chunks; report progress every 10 % of a known length."""
    done, next_report = 0, REPORT_EVERY
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    for chunk in chunks:
        write(chunk)
        done += len(chunk)
        if total >= REPORT_FROM and done / total >= next_report:
            report_progress(done / total, f"downloading {name}: {done >> 20} of "
                                          f"{total >> 20} MiB")
            next_report += REPORT_EVERY


def _save_data_uri(uri: str) -> tuple[str, Path]:
    """A `data:[<type>][;base64],<data>` URI decoded into a file, a block at a time."""
    header, _, data = uri.partition(",")
    mime = header[5:].split(";")[0] or "text/plain"
    fd, path = _new_file()
    with os.fdopen(fd, "wb") as handle:
        if header.endswith(";base64"):
            for block in _b64_blocks(data):
                handle.write(block)
        else:
            handle.write(unquote_to_bytes(data))
    return mime, path


def _b64_blocks(data: str) -> Iterator[bytes]:
    try:
        for start in range(0, len(data), B64_STEP):
            yield base64.b64decode(data[start:start + B64_STEP])
    except binascii.Error as error:
        raise ProviderUnavailableError(f"Replicate sent a data: URI that is not base64 "
                                       f"({error})") from None
