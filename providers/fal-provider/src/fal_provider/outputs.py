"""A fal result as assets: its files downloaded, else its text.

fal apps answer model-specific JSON; their files are objects with a `url` (and
often `content_type`, `file_name`, `file_size`, `width`, `height`): `images: [...]`,
`image`, `video`, `audio`, `audio_file`, ... Every such object in the result,
in order, becomes an `Image`, `Video` or `Audio` file (by its content type, else
the field's name, else the URL's suffix, else the model's output kind). No file:
the result's text (`text`, `output`, `description`, ...) as `Text`, else the JSON
itself as `Text`. Several files come back as a list.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from typing import Any

from fal_provider.storage import Storage
from mediaconduit.sdk import Audio, Image, Media, ModelInfo, Video

MEDIA: dict[str, type[Media]] = {"image": Image, "video": Video, "audio": Audio}
TEXT_KEYS = ("text", "output", "description", "caption", "answer", "transcription")
SUFFIXES = {
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".webp": "image", ".gif": "image",
    ".mp4": "video", ".webm": "video", ".mov": "video",
    ".wav": "audio", ".mp3": "audio", ".flac": "audio", ".ogg": "audio", ".m4a": "audio",
}


@dataclasses.dataclass(frozen=True)
class FileRef:
    """One file object of a result: where it was (`field`) and what it says."""

    field: str
    url: str
    content_type: str | None
    extra: Mapping[str, Any]


def file_refs(result: Any, field: str = "") -> Iterator[FileRef]:
    """Every `{"url": ...}` object in the result, depth first, in order."""
    if isinstance(result, Mapping):
        if isinstance(result.get("url"), str) and field:
            yield _ref(field, result)
            return
        for key, value in result.items():
            yield from file_refs(value, key)
    elif isinstance(result, list):
        for item in result:
            yield from file_refs(item, field)


def _ref(field: str, item: Mapping[str, Any]) -> FileRef:
    content_type = item.get("content_type")
    extra = {k: v for k, v in item.items()
             if k in ("width", "height", "file_name", "file_size", "duration")}
    return FileRef(field, str(item["url"]), content_type if isinstance(content_type, str)
                   else None, extra)


def kind_of(ref: FileRef, info: ModelInfo) -> str:
    """image, video or audio: content type, field name, URL suffix, then the model."""
    major = (ref.content_type or "").split("/")[0]
    if major in MEDIA:
        return major
    for word in MEDIA:
        if word in ref.field.lower():
            return word
    path = ref.url.split("?")[0].lower()
    for suffix, kind in SUFFIXES.items():
        if path.endswith(suffix):
            return kind
    outputs = [cap.split("-to-")[1] for cap in info.capabilities]
    return next((kind for kind in outputs if kind in MEDIA), "image")


def text_of(result: Any) -> str:
    """The result's text field, else the result as JSON."""
    if isinstance(result, Mapping):
        for key in TEXT_KEYS:
            if isinstance(result.get(key), str):
                return str(result[key])
    return json.dumps(result, ensure_ascii=False)


def download_all(refs: list[FileRef], info: ModelInfo, storage: Storage) -> list[Media]:
    """Each file fetched into the call's output folder, as the right kind of asset."""
    assets: list[Media] = []
    for ref in refs:
        path, mime = storage.download(ref.url, ref.content_type)
        cls = MEDIA[kind_of(ref, info)]
        assets.append(cls.from_path(path, mime, source_url=ref.url, field=ref.field, **ref.extra))
    return assets
