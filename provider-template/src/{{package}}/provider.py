"""{{name}}: the provider class and its models.

The models are listed in MediaConduit.provider.yml (`models:`); the SDK's
`Provider.discover_models` returns that list. A provider whose models come
from an API overrides `discover_models` to ask the API instead.

Every model here works the same way, so the template runs for any
capability: read the input (text as is, media described by its header),
then make the output kind from it. Replace `DemoModel` with your own models.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mediaconduit.sdk import (
    Asset,
    Audio,
    Capability,
    Image,
    InvalidInputError,
    Model,
    ModelNotFoundError,
    Provider,
    Text,
    Video,
)

from {{package}} import media

LIMITS = {"width": 1024, "height": 1024, "frames": 120, "seconds": 10}
DEFAULTS = {"width": 64, "height": 48, "frames": 12, "seconds": 0.5}


def number(params: dict[str, Any], name: str) -> float:
    """A size parameter, checked: a clear `InvalidInputError` when it is out of range."""
    value = params.get(name, DEFAULTS[name])
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError(f"{name} must be a number, not {value!r}")
    if not 0 < value <= LIMITS[name]:
        raise InvalidInputError(f"{name} must be more than 0 and at most {LIMITS[name]}")
    return value


def describe(asset: Asset) -> str:
    """Text as it is; media as a sentence about its format and size."""
    if isinstance(asset, Text):
        return asset.text
    if isinstance(asset, Image):
        width, height = media.png_size(asset.data)
        return f"a {width}x{height} PNG image"
    if isinstance(asset, Audio):
        return media.describe_wav(asset.data)
    return media.describe_avi(asset.data)


def make(kind: str, seed: str, params: dict[str, Any]) -> Asset:
    """An asset of `kind` made from the text `seed`."""
    if kind == "text":
        return Text(seed)
    if kind == "audio":
        return Audio.from_bytes(media.make_wav(seed, number(params, "seconds")), "audio/wav")
    size = (int(number(params, "width")), int(number(params, "height")))
    if kind == "image":
        return Image.from_bytes(media.make_png(seed, *size), "image/png")
    frames = int(number(params, "frames"))
    return Video.from_bytes(media.make_avi(seed, *size, frames), media.AVI_MIME)


class DemoModel(Model):
    """text-to-text reverses the text; media-to-text describes the media; *-to-media makes
    a small file whose colours or pitch come from the input."""

    def capability_for(self, input: Asset) -> Capability:
        for name in self.info.capabilities:
            if Capability(name).input == input.kind:
                return Capability(name)
        takes = ", ".join(Capability(name).input for name in self.info.capabilities)
        raise InvalidInputError(f"{self.id} takes {takes}, not {input.kind}")

    def transform(self, input: Asset, **params: Any) -> Asset:
        capability = self.capability_for(input)
        if capability == Capability.TEXT_TO_TEXT:
            return Text(describe(input)[::-1])
        return make(capability.output, describe(input), params)

    def stream(self, input: Asset, **params: Any) -> Iterator[str]:
        """Text, a few characters at a time (an API would stream tokens)."""
        result = self.transform(input, **params)
        if not isinstance(result, Text):
            raise InvalidInputError(f"{self.id} makes {result.kind}, not text: call transform")
        for start in range(0, len(result.text), 8):
            yield result.text[start:start + 8]


class {{class}}(Provider):
    """{{name}}. Constructed without network I/O; `self.config` holds the application's
    settings and `self.env` the environment variables the manifest declares."""

    def get_model(self, model_id: str) -> Model:
        for info in self.discover_models():
            if info.id == model_id:
                return DemoModel(info, self)
        raise ModelNotFoundError(model_id)
