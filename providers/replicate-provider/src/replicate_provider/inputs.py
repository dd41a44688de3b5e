"""The input of a prediction: the asset put into the model's matching input (a text
into `prompt`, a file into the input of its kind), params checked against the schema,
files (the asset, or a local path given for a file input) sent as `data:` URIs when
small, uploaded (`POST /v1/files`) otherwise."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mediaconduit.sdk import Audio, Image, InvalidInputError, Media, Text, Video
from mediaconduit.sdk.assets import guess_mime_type
from replicate_provider.api import ReplicateAPI
from replicate_provider.catalog import Spec
from replicate_provider.schema import check_params

KIND_OF = {Image: "image", Video: "video", Audio: "audio"}
PLACEHOLDER = "data:application/octet-stream;base64,"
REMOTE = ("http://", "https://", "data:")
DEFAULT_MIME = "application/octet-stream"


def input_field(spec: Spec, asset: Any) -> str | None:
    """The model input the asset goes into (None for an empty text)."""
    if isinstance(asset, Text):
        return _text_field(spec) if asset.text else None
    kind = KIND_OF.get(type(asset))
    if kind is None:
        raise InvalidInputError(f"Replicate models take Text, Image, Video or Audio input, "
                                f"not {type(asset).__name__}")
    field = spec.file_input(kind)
    if field is None:
        raise InvalidInputError(f"{spec.info.id} has no {kind} input; its inputs are: "
                                + ", ".join(spec.inputs))
    return field


def _text_field(spec: Spec) -> str:
    if spec.text_input is None:
        raise InvalidInputError(f"{spec.info.id} takes no text input; its inputs are: "
                                + ", ".join(spec.inputs))
    return spec.text_input


def prepare(api: ReplicateAPI, spec: Spec, asset: Any, params: Mapping[str, Any],
            inline_limit: int) -> dict[str, Any]:
    """The `input` object: checked first (nothing is sent for a bad one), then files sent."""
    asset = Text(asset) if isinstance(asset, str) else asset
    values = {k: v for k, v in params.items() if v is not None}
    field = input_field(spec, asset)
    if field is not None and field in values:
        raise InvalidInputError(f"{spec.info.id}: the input already fills {field!r}; "
                                f"do not pass {field}= as well")
    if field is not None:
        values[field] = asset.text if isinstance(asset, Text) else PLACEHOLDER
    check_params(spec.info.id, values, spec.inputs)
    files = {name: _local_file(name, value) for name, value in values.items()
             if name != field and spec.inputs[name].file_kind and isinstance(value, str)
             and not value.startswith(REMOTE)}
    for name, path in files.items():
        values[name] = _file_value(api, path, guess_mime_type(path.name, DEFAULT_MIME),
                                   inline_limit)
    if field is not None and isinstance(asset, Media):
        values[field] = media_value(api, asset, inline_limit)
    return values


def _local_file(name: str, value: str) -> Path:
    """A file input given as a local path (checked before anything is sent)."""
    path = Path(value).expanduser()
    if not path.is_file():
        raise InvalidInputError(f"{name}: {value!r} is neither a URL, a data: URI nor an "
                                "existing local file")
    return path


def media_value(api: ReplicateAPI, media: Media, inline_limit: int) -> str:
    """An asset's `url` as is; a small file as a `data:` URI; a larger one uploaded."""
    if media.url:
        return media.url
    if media.path is not None:
        return _file_value(api, Path(media.path), media.mime_type, inline_limit)
    data = media.data
    if len(data) > inline_limit:
        raise InvalidInputError(
            f"an in-memory {media.kind} of {len(data)} bytes is over the {inline_limit} "
            "byte data: URI limit; save it to a file so it can be uploaded")
    return _data_uri(data, media.mime_type)


def _file_value(api: ReplicateAPI, path: Path, mime_type: str, inline_limit: int) -> str:
    if not path.is_file():
        raise InvalidInputError(f"the input file {path} does not exist")
    if path.stat().st_size <= inline_limit:
        return _data_uri(path.read_bytes(), mime_type)
    urls = api.upload(path, mime_type).get("urls")
    url = urls.get("get") if isinstance(urls, Mapping) else None
    if not url:
        raise InvalidInputError(f"Replicate's upload of {path.name} answered without urls.get")
    return str(url)


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
