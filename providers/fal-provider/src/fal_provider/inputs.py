"""A call's input and params as a fal app's JSON arguments.

The input asset goes into the field the model reads it from: text into `prompt`
(or `text`, `lyrics`, ... when the catalog lists that instead), an image into
`image_url` (or the model's other `*image_url*` field; a `*_urls` list field gets
a one-item list), audio into `audio_url`, video into `video_url`. Every param goes
into the arguments as given, so a param of the same name wins over the input. A
`*_url`/`*_urls` param naming a local file is uploaded like the input.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fal_provider.storage import Storage
from mediaconduit.sdk import Audio, Image, InvalidInputError, Media, ModelInfo, Text, Video

TEXT_FIELDS = ("prompt", "text", "lyrics", "subject", "scene", "tags")
KINDS: dict[type[Media], str] = {Image: "image", Audio: "audio", Video: "video"}
REMOTE = ("http://", "https://", "data:")


def arguments(info: ModelInfo, input: Any, params: Mapping[str, Any],
              storage: Storage) -> dict[str, Any]:
    """The JSON arguments for a submit."""
    args = {k: _local_files(k, v, storage) for k, v in params.items() if v is not None}
    field, value = input_value(info, input, storage)
    if field is not None and field not in args:
        args[field] = value
    _check_required(info, args)
    return args


def input_value(info: ModelInfo, input: Any, storage: Storage) -> tuple[str | None, Any]:
    """(field, value) for the input asset; (None, None) for empty text."""
    if isinstance(input, str):
        input = Text(input)
    if isinstance(input, Text):
        return (text_field(info), input.text) if input.text else (None, None)
    kind = KINDS.get(type(input))
    if kind is None:
        raise InvalidInputError(f"fal models take Text, Image, Audio or Video, not "
                                f"{type(input).__name__}")
    field = media_field(info, kind)
    url = storage.url_for(input)
    return field, [url] if field.endswith("_urls") else url


def text_field(info: ModelInfo) -> str:
    names = info.parameters
    return next((name for name in TEXT_FIELDS if name in names), "prompt")


def media_field(info: ModelInfo, kind: str) -> str:
    """The model's field for a `kind` URL: `<kind>_url` first, then the required ones."""
    names = [n for n in info.parameters if kind in n and n.endswith(("_url", "_urls"))]
    for preferred in (f"{kind}_url", f"{kind}_urls"):
        if preferred in names:
            return preferred
    required = [n for n in names if _spec(info, n).get("required")]
    return (required or names or [f"{kind}_url"])[0]


def _local_files(name: str, value: Any, storage: Storage) -> Any:
    """A `*_url(s)` param naming local files, as uploaded URLs; any other value as is."""
    if name.endswith("_url") and _is_local(value):
        return storage.url_for(_media(Path(value), name))
    if name.endswith("_urls") and isinstance(value, list):
        return [storage.url_for(_media(Path(v), name)) if _is_local(v) else v for v in value]
    return value


def _is_local(value: Any) -> bool:
    return isinstance(value, (str, Path)) and not str(value).startswith(REMOTE)


def _media(path: Path, name: str) -> Media:
    if not path.is_file():
        raise InvalidInputError(
            f"param {name}={str(path)!r} is neither a URL (http, https, data:) nor an "
            "existing file; pass a URL or the path of a file to upload"
        )
    kind = next((cls for cls, word in KINDS.items() if word in name), Image)
    return kind.from_path(path)


def _spec(info: ModelInfo, name: str) -> Mapping[str, Any]:
    spec = info.parameters.get(name)
    return spec if isinstance(spec, Mapping) else {}


def _check_required(info: ModelInfo, args: Mapping[str, Any]) -> None:
    missing = [n for n in info.parameters if _spec(info, n).get("required") and n not in args]
    if missing:
        raise InvalidInputError(
            f"{info.id} needs {', '.join(missing)}: give the input asset or pass "
            + ", ".join(f"{n}=..." for n in missing)
        )
