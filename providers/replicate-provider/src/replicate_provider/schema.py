"""A model's inputs (from its OpenAPI schema or the catalog) and the check of params
against them, made before anything is sent."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import InvalidInputError

#: words in an input's name that mark it as a file of that kind (the catalog lost
#: Replicate's `format: uri`, so names decide there)
KIND_WORDS = {"image": ("image", "img", "mask", "reference", "frame"),
              "video": ("video",), "audio": ("audio", "speech", "voice", "song", "music")}
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list, tuple), "object": (dict,),
}


@dataclasses.dataclass(frozen=True)
class Param:
    """One model input: its JSON type, whether it is required, bounds, choices."""

    name: str
    type: str = "string"
    required: bool = False
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()
    format: str | None = None
    description: str = ""
    order: int = 0

    @property
    def file_kind(self) -> str | None:
        """`image`/`video`/`audio` when this input takes a file of that kind, else None."""
        if self.type != "string":
            return None
        words = self.name.lower().split("_")
        for kind, markers in KIND_WORDS.items():
            if any(marker in word for word in words for marker in markers):
                return kind
        return "image" if self.format == "uri" else None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["choices"] = list(self.choices)
        return {k: v for k, v in data.items() if v not in (None, "", [])}


def from_catalog(parameters: Mapping[str, Any]) -> dict[str, Param]:
    """The catalog's `parameters` (type, required, default, minimum, maximum, x_order)."""
    params = [Param(name=str(name), type=str(spec.get("type", "string")),
                    required=bool(spec.get("required")), default=spec.get("default"),
                    minimum=spec.get("minimum"), maximum=spec.get("maximum"),
                    choices=tuple(spec.get("enum") or ()), format=spec.get("format"),
                    description=str(spec.get("description") or ""),
                    order=int(spec.get("x_order") or 0))
              for name, spec in parameters.items() if isinstance(spec, Mapping)]
    return {p.name: p for p in sorted(params, key=lambda p: p.order)}


def from_openapi(schema: Mapping[str, Any]) -> dict[str, Param]:
    """The `Input` of a version's `openapi_schema` (enums behind `allOf: [{$ref}]` read)."""
    schemas = _as_map(_as_map(schema.get("components")).get("schemas"))
    inputs = _as_map(schemas.get("Input"))
    required = set(inputs.get("required") or ())
    params = [_openapi_param(str(name), _resolve(spec, schemas), name in required)
              for name, spec in _as_map(inputs.get("properties")).items()]
    return {p.name: p for p in sorted(params, key=lambda p: p.order)}


def output_schema(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    return _as_map(_as_map(_as_map(schema.get("components")).get("schemas")).get("Output"))


def _openapi_param(name: str, spec: Mapping[str, Any], required: bool) -> Param:
    return Param(name=name, type=str(spec.get("type", "string")), required=required,
                 default=spec.get("default"), minimum=spec.get("minimum"),
                 maximum=spec.get("maximum"), choices=tuple(spec.get("enum") or ()),
                 format=spec.get("format"), description=str(spec.get("description") or ""),
                 order=int(spec.get("x-order") or 0))


def _resolve(spec: Any, schemas: Mapping[str, Any]) -> dict[str, Any]:
    """A property with its `allOf: [{"$ref": "#/components/schemas/X"}]` merged in."""
    result = dict(_as_map(spec))
    for part in result.pop("allOf", None) or ():
        ref = str(_as_map(part).get("$ref", ""))
        result = {**_as_map(schemas.get(ref.rsplit("/", 1)[-1])), **result}
    return result


def check_params(model_id: str, params: Mapping[str, Any], inputs: Mapping[str, Param]) -> None:
    """Raise `InvalidInputError` for an unknown, mistyped, out-of-range or missing input."""
    problems = [_unknown(name, inputs) for name in params if name not in inputs]
    problems += [p for name, value in params.items() if name in inputs
                 for p in [_bad_value(inputs[name], value)] if p]
    problems += [f"{p.name} is required" for p in inputs.values()
                 if p.required and params.get(p.name) is None]
    if problems:
        allowed = ", ".join(f"{p.name} ({p.type})" for p in inputs.values())
        raise InvalidInputError(f"{model_id}: " + "; ".join(problems)
                                + f". Its inputs are: {allowed}")


def _unknown(name: str, inputs: Mapping[str, Param]) -> str:
    close = difflib.get_close_matches(name, list(inputs), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{name!r} is not an input of this model{hint}"


def _bad_value(param: Param, value: Any) -> str | None:
    wanted = _PYTHON_TYPES.get(param.type)
    if value is None:
        return None
    if wanted and (not isinstance(value, wanted) or (isinstance(value, bool)
                                                     and bool not in wanted)):
        return (f"{param.name} must be {_article(param.type)} {param.type}, not "
                f"{value!r} ({type(value).__name__})")
    if param.choices and value not in param.choices:
        return f"{param.name} must be one of {list(param.choices)}, not {value!r}"
    return _out_of_range(param, value)


def _out_of_range(param: Param, value: Any) -> str | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    if param.minimum is not None and value < param.minimum:
        return f"{param.name} must be at least {param.minimum}, not {value!r}"
    if param.maximum is not None and value > param.maximum:
        return f"{param.name} must be at most {param.maximum}, not {value!r}"
    return None


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
