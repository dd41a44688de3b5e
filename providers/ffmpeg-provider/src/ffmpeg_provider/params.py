"""Model parameters: their rules, their JSON Schema, and checking what a caller passed."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from mediaconduit.sdk import InvalidInputError

_BITRATE = re.compile(r"^[1-9]\d*(?:\.\d+)?[kKmM]?$")


@dataclasses.dataclass(frozen=True)
class Choice:
    """One of a fixed set of strings."""

    name: str
    choices: tuple[str, ...]
    default: str | None = None
    description: str = ""
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def parse(self, value: object) -> str:
        text = value.strip().lower().lstrip(".") if isinstance(value, str) else ""
        text = self.aliases.get(text, text)
        if text not in self.choices:
            raise ValueError(f"must be one of {', '.join(self.choices)}, not {value!r}")
        return text

    def schema(self) -> dict[str, Any]:
        return _schema("string", self.default, self.description, enum=list(self.choices))


@dataclasses.dataclass(frozen=True)
class Number:
    """A number of seconds, pixels, hertz...: `minimum` is inclusive unless `above` is set."""

    name: str
    integer: bool = False
    minimum: float = 0
    above: bool = False
    maximum: float | None = None
    multiple_of: int | None = None
    default: float | None = None
    description: str = ""

    def parse(self, value: object) -> float | int:
        number = _number(value)
        if number is None or not self._fits(number):
            raise ValueError(f"must be {self._rule()}, not {value!r}")
        return int(number) if self.integer else number

    def schema(self) -> dict[str, Any]:
        bound = "exclusiveMinimum" if self.above else "minimum"
        extra = {bound: self.minimum, "maximum": self.maximum, "multipleOf": self.multiple_of}
        kind = "integer" if self.integer else "number"
        return _schema(kind, self.default, self.description, **extra)

    def _fits(self, number: float) -> bool:
        low = number > self.minimum if self.above else number >= self.minimum
        high = self.maximum is None or number <= self.maximum
        whole = not self.integer or number.is_integer()
        step = self.multiple_of is None or number % self.multiple_of == 0
        return low and high and whole and step

    def _rule(self) -> str:
        kind = "an integer" if self.integer else "a number"
        low = f"{'>' if self.above else '>='} {self.minimum:g}"
        high = f" and <= {self.maximum:g}" if self.maximum is not None else ""
        step = f", a multiple of {self.multiple_of}" if self.multiple_of else ""
        return f"{kind} {low}{high}{step}"


@dataclasses.dataclass(frozen=True)
class Bitrate:
    """A bit rate as FFmpeg writes it: `128k`, `1.5M`, `96000`."""

    name: str
    description: str = ""

    def parse(self, value: object) -> str:
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if not _BITRATE.match(text):
            raise ValueError(f"must be a bit rate such as '128k' or '192000', not {value!r}")
        return text

    def schema(self) -> dict[str, Any]:
        return _schema("string", None, self.description, pattern=_BITRATE.pattern)


Param = Choice | Number | Bitrate


def validate(model_id: str, specs: Sequence[Param], params: Mapping[str, Any]) -> dict[str, Any]:
    """Every parameter checked and converted, defaults filled in; `InvalidInputError` if wrong."""
    names = {spec.name for spec in specs}
    unknown = sorted(set(params) - names)
    if unknown:
        known = ", ".join(sorted(names)) or "none"
        raise InvalidInputError(f"{model_id}: unknown parameter {unknown[0]!r} (known: {known})")
    return {spec.name: _one(model_id, spec, params.get(spec.name)) for spec in specs}


def _one(model_id: str, spec: Param, value: object) -> Any:
    if value is None:
        return spec.default if not isinstance(spec, Bitrate) else None
    try:
        return spec.parse(value)
    except ValueError as error:
        raise InvalidInputError(f"{model_id}: {spec.name} {error}") from None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _schema(kind: str, default: object, description: str, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind, **{k: v for k, v in extra.items() if v is not None}}
    if default is not None:
        schema["default"] = default
    if description:
        schema["description"] = description
    return schema
