"""Model facts: capabilities, prices and `ModelInfo`. Standard library only."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

KINDS = ("text", "image", "audio", "video")


class Capability(str, enum.Enum):
    """What a model turns into what: `<in>-to-<out>`, each one of `KINDS`."""

    TEXT_TO_TEXT = "text-to-text"
    TEXT_TO_IMAGE = "text-to-image"
    TEXT_TO_AUDIO = "text-to-audio"
    TEXT_TO_VIDEO = "text-to-video"
    IMAGE_TO_TEXT = "image-to-text"
    IMAGE_TO_IMAGE = "image-to-image"
    IMAGE_TO_AUDIO = "image-to-audio"
    IMAGE_TO_VIDEO = "image-to-video"
    AUDIO_TO_TEXT = "audio-to-text"
    AUDIO_TO_IMAGE = "audio-to-image"
    AUDIO_TO_AUDIO = "audio-to-audio"
    AUDIO_TO_VIDEO = "audio-to-video"
    VIDEO_TO_TEXT = "video-to-text"
    VIDEO_TO_IMAGE = "video-to-image"
    VIDEO_TO_AUDIO = "video-to-audio"
    VIDEO_TO_VIDEO = "video-to-video"

    def __str__(self) -> str:
        return self.value

    @property
    def input(self) -> str:
        return self.value.split("-to-")[0]

    @property
    def output(self) -> str:
        return self.value.split("-to-")[1]

    @classmethod
    def parse(cls, value: object) -> Capability:
        """`"text-to-text"` -> `Capability.TEXT_TO_TEXT`; a wrong spelling names the right one."""
        if isinstance(value, Capability):
            return value
        text = str(value)
        try:
            return cls(text)
        except ValueError:
            raise ValueError(capability_hint(text)) from None


def capability_hint(text: str) -> str:
    """The message for a capability that is not spelled `<in>-to-<out>`."""
    guess = text.strip().lower().replace("_", "-").replace(" ", "-")
    if guess in Capability._value2member_map_:
        return f"{text!r} is not a capability; write it as {guess!r}"
    kinds = ", ".join(KINDS)
    return f"{text!r} is not a capability: write '<in>-to-<out>', in and out each one of {kinds}"


#: Task names: Hugging Face's pipeline tags where one fits, plus media operations.
#: Names starting `x-` are an author's own and are never questioned.
TASKS = (
    "text-generation", "automatic-speech-recognition", "text-to-speech", "text-to-image",
    "image-to-image", "image-to-text", "text-to-video", "image-to-video", "audio-to-audio",
    "feature-extraction", "extract-audio", "extract-frame", "transcode", "convert-audio",
    "probe",
)

#: The task a model gets for a capability when its provider names none. A capability
#: with no entry here gets a task named like the capability (`audio-to-image`).
DERIVED_TASKS = {
    "text-to-text": "text-generation",
    "audio-to-text": "automatic-speech-recognition",
    "text-to-audio": "text-to-speech",
    "text-to-image": "text-to-image",
    "image-to-image": "image-to-image",
    "image-to-text": "image-to-text",
    "text-to-video": "text-to-video",
    "image-to-video": "image-to-video",
    "audio-to-audio": "audio-to-audio",
    "video-to-audio": "extract-audio",
    "video-to-image": "extract-frame",
    "video-to-video": "transcode",
}


def derived_task(capability: str) -> str:
    """The default task of a capability (`audio-to-text` -> `automatic-speech-recognition`)."""
    return DERIVED_TASKS.get(capability, capability)


def is_known_task(name: str) -> bool:
    """In the vocabulary, a capability's own name, or an author's own `x-` name."""
    return name in TASKS or name.startswith("x-") or name in Capability._value2member_map_


def task_hint(name: str) -> str | None:
    """None for a known task; else a message with the closest spelling, if any."""
    if is_known_task(name):
        return None
    import difflib

    guess = name.strip().lower().replace("_", "-").replace(" ", "-")
    close = difflib.get_close_matches(guess, TASKS, n=1, cutoff=0.6)
    fix = f"did you mean {close[0]!r}?" if close else "use one of " + ", ".join(TASKS)
    return f"{name!r} is not a known task: {fix} (prefix your own task names with 'x-')"


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a price")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a price: write a decimal such as \"0.002\"") from None
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a price: it must be a finite number")
    return result


@dataclasses.dataclass(frozen=True)
class Pricing:
    """Prices in USD: `prompt`/`completion` per token, `request` per call, `image` per image.

    Other prices an API lists (`web_search`, `audio`, ...) sit in `extra`. A
    negative price means "variable" (decided per request), as some APIs say
    with `-1`.
    """

    prompt: Decimal | None = None
    completion: Decimal | None = None
    request: Decimal | None = None
    image: Decimal | None = None
    extra: Mapping[str, Decimal] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Pricing:
        """Read `{"prompt": "0.000001", ...}`; raises ValueError naming the bad key."""
        known = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        values: dict[str, Decimal] = {}
        for key, value in data.items():
            if value is None or isinstance(value, (Mapping, list)):
                continue
            try:
                values[str(key)] = _decimal(value)
            except ValueError as e:
                raise ValueError(f"pricing.{key}: {e}") from None
        extra = {k: v for k, v in values.items() if k not in known}
        return cls(**{k: v for k, v in values.items() if k in known}, extra=extra)

    def listed(self) -> dict[str, Decimal]:
        """Every price that is listed, by key."""
        fixed = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        fixed.pop("extra")
        return {**{k: v for k, v in fixed.items() if v is not None}, **self.extra}

    def to_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.listed().items()}


def default_free(pricing: Pricing | None) -> bool:
    """The SDK's rule: at least one price listed and every listed price zero."""
    prices = pricing.listed() if pricing else {}
    return bool(prices) and all(v == 0 for v in prices.values())


@dataclasses.dataclass(frozen=True)
class ModelInfo:
    """The facts about one model. `free=None` means: decide by `default_free`."""

    id: str
    name: str = ""
    capabilities: tuple[str, ...] = ()
    pricing: Pricing | None = None
    context_length: int | None = None
    description: str = ""
    free: bool | None = None
    parameters: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    metadata: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    tasks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        caps = tuple(Capability.parse(c).value for c in _as_iterable(self.capabilities))
        object.__setattr__(self, "capabilities", caps)
        tasks = tuple(dict.fromkeys(str(t) for t in _as_iterable(self.tasks)))
        object.__setattr__(self, "tasks", tasks or tuple(dict.fromkeys(map(derived_task, caps))))
        object.__setattr__(self, "name", self.name or self.id)
        if isinstance(self.pricing, Mapping):
            object.__setattr__(self, "pricing", Pricing.from_mapping(self.pricing))
        if self.free is None:
            object.__setattr__(self, "free", default_free(self.pricing))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, for the wire and the disk catalog."""
        data = dataclasses.asdict(self)
        data["capabilities"] = list(self.capabilities)
        data["tasks"] = list(self.tasks)
        data["pricing"] = self.pricing.to_dict() if self.pricing else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelInfo:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _as_iterable(value: Iterable[Any] | str) -> Iterable[Any]:
    return [value] if isinstance(value, (str, Capability)) else value
