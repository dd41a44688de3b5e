"""Checking a call's parameters against the model's declared ones."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from mediaconduit.sdk import InvalidInputError


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter: an integer in a range, or a string (from `choices` when given)."""

    name: str
    description: str
    default: Any
    bounds: tuple[int, int] | None = None
    choices: Sequence[str] = ()

    def schema(self, choices: Sequence[str] = ()) -> dict[str, Any]:
        listed = list(choices or self.choices)
        schema: dict[str, Any] = {"type": "integer" if self.bounds else "string",
                                  "default": self.default, "description": self.description}
        if self.bounds:
            schema.update(minimum=self.bounds[0], maximum=self.bounds[1])
        if listed:
            schema["enum"] = listed
        return schema

    def check(self, model: str, value: Any) -> Any:
        return self._integer(model, value) if self.bounds else self._string(model, value)

    def _integer(self, model: str, value: Any) -> int:
        low, high = self.bounds or (0, 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or int(value) != value or not low <= value <= high:
            raise InvalidInputError(f"{model}: {self.name} must be a whole number from {low} "
                                    f"to {high} ({self.description}), not {value!r}")
        return int(value)

    def _string(self, model: str, value: Any) -> str:
        if not isinstance(value, str) or (self.choices and value not in self.choices):
            raise InvalidInputError(f"{model}: {self.name} must be {_one_of(self.choices)}, "
                                    f"not {value!r}")
        return value


def _one_of(choices: Sequence[str]) -> str:
    return "one of " + ", ".join(choices) if choices else "a string"


def validate(model: str, params: Sequence[Param], given: Mapping[str, Any]) -> dict[str, Any]:
    """`given` checked and completed with defaults; unknown names are `InvalidInputError`."""
    known = {p.name: p for p in params}
    for name in given:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise InvalidInputError(f"{model} has no parameter {name!r}; {hint}"
                                    f"it takes {', '.join(known) or 'none'}")
    return {p.name: p.check(model, given[p.name]) if given.get(p.name) is not None else p.default
            for p in params}
