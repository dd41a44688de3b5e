"""Text-to-image through `POST /v1/images/generations`: each picture as an `Image` file.

The answer lists items of `type` `b64_json` (the bytes inline) or `url` (a link
to fetch); recorded answers also come without `type`, so an item is read by the
key it has. Params go into the body as given (`n`, `width`, `height`, `steps`,
`seed`, `negative_prompt`, `guidance_scale`, `output_format`, ...);
`response_format` defaults to `base64`, so the picture comes in the same answer.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import httpx

from mediaconduit.sdk import (
    Image,
    InvalidInputError,
    ModelInfo,
    ProviderUnavailableError,
    Text,
    Usage,
    estimate_cost,
)

MAGIC = ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"RIFF", "image/webp"))
FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "webp": "image/webp"}


def prompt_of(input: Any) -> str:
    """The prompt: a `Text` (or str) that is not empty."""
    text = input.text if isinstance(input, Text) else input if isinstance(input, str) else None
    if text is None:
        raise InvalidInputError(f"Together image models take a Text prompt, not "
                                f"{type(input).__name__}")
    if not text.strip():
        raise InvalidInputError("the prompt is empty: say what the picture should show")
    return text


def request_body(params: Mapping[str, Any]) -> dict[str, Any]:
    """The body params; `response_format` `b64_json` (another spelling) sent as `base64`."""
    body = {k: v for k, v in params.items() if v is not None and k not in ("model", "prompt")}
    if body.get("response_format", "base64") in ("base64", "b64_json"):
        body["response_format"] = "base64"
    return body


def images_of(answer: Any, info: ModelInfo, body: Mapping[str, Any],
              timeout: float) -> Image | list[Image]:
    """Every picture of the answer, as files; one `Image`, or a list when `n` asked for more."""
    items = answer.get("data") if isinstance(answer, Mapping) else None
    if not isinstance(items, list) or not items:
        raise ProviderUnavailableError(f"Together answered for {info.id} without images")
    fallback = FORMATS.get(str(body.get("output_format") or "jpeg").lower(), "image/jpeg")
    images = [_image(item, info, answer, fallback, timeout) for item in items]
    many = isinstance(body.get("n"), int) and body["n"] > 1
    return images if many or len(images) > 1 else images[0]


def _image(item: Any, info: ModelInfo, answer: Mapping[str, Any], fallback: str,
           timeout: float) -> Image:
    if not isinstance(item, Mapping):
        raise ProviderUnavailableError(f"Together answered for {info.id} with a bad image item")
    data = _bytes(item, info, timeout)
    usage = Usage(images=1)
    metadata = {"id": answer.get("id"), "model": answer.get("model"), "index": item.get("index"),
                "url": item.get("url"), "timings": item.get("timings")}
    image = Image.from_bytes(data, sniff(data, fallback), usage=usage,
                             cost=estimate_cost(info.pricing, usage),
                             **{k: v for k, v in metadata.items() if v is not None})
    return image.to_file()


def _bytes(item: Mapping[str, Any], info: ModelInfo, timeout: float) -> bytes:
    if isinstance(item.get("b64_json"), str):
        try:
            return base64.b64decode(item["b64_json"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise ProviderUnavailableError(
                f"Together sent an image for {info.id} that is not base64: {error}") from None
    if isinstance(item.get("url"), str):
        return download(item["url"], timeout)
    raise ProviderUnavailableError(f"Together sent an image item for {info.id} with neither "
                                   "b64_json nor url")


def download(url: str, timeout: float) -> bytes:
    """The picture at `url` (no credentials sent: it may be another host)."""
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise ProviderUnavailableError(f"cannot download the image at {url}: {error}") from None
    return response.content


def sniff(data: bytes, fallback: str) -> str:
    """The MIME type by the file's first bytes."""
    return next((mime for magic, mime in MAGIC if data.startswith(magic)), fallback)
