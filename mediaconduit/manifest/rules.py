"""Value rules for manifest keys: what one key's value must look like, and how to say so.

The patterns, the checks pydantic runs on single values (each error's message
says how to fix the value) and the annotated field types `model`
builds the model from.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from mediaconduit.sdk.models import TASKS, Capability, capability_hint

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*[a-z0-9]$"
ENV_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
ENTRY_PATTERN = r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$"
PRICE_PATTERN = r"^\s*[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?\s*$"


# --- value rules ----------------------------------------------------------------------------

def clip(value: object, limit: int = 60) -> str:
    """`repr(value)`, cut to at most `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def describe(value: object) -> str:
    """A value as a message names it: "the number 3", "a list", its text clipped."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return clip(value)
    return "a list" if isinstance(value, list) else "a mapping"


def _fix(message: str) -> PydanticCustomError:
    """An error whose message follows the key path: "<loc> must be ..."."""
    return PydanticCustomError("predicate", "{message}", {"message": message})


def _slug(value: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:64].strip("-")
    return slug if re.fullmatch(ID_PATTERN, slug) else "my-provider"


def _provider_id(value: str) -> str:
    if len(value) <= 64 and re.fullmatch(ID_PATTERN, value):
        return value
    raise _fix(
        "must be lowercase letters, digits and '-', start and end with a letter or digit and "
        f"have 2 to 64 characters, not {clip(value)}; for example {_slug(value)!r}"
    )


def _non_empty(value: str) -> str:
    if value.strip():
        return value
    raise _fix("must not be empty")


def _version(value: str) -> str:
    try:
        Version(value)
    except InvalidVersion:
        raise _fix(f"must be a version such as 1.0.0 (PEP 440), not {clip(value)}") from None
    return value


def dotted(name: str) -> bool:
    """`name` is a dotted Python name (`pkg.module`), no part of it a keyword."""
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in name.split("."))


def _entry_example(value: str) -> str:
    module = re.sub(r"\.py$", "", value.partition(":")[0].strip()).removeprefix("src/")
    module = module.replace("/", ".").removesuffix(".__init__")
    if not dotted(module):
        return "my_provider:MyProvider"
    words = module.rsplit(".", 1)[-1].split("_")
    return f"{module}:{''.join(word.capitalize() for word in words)}"


def _entry(value: str) -> str:
    module, colon, attribute = value.partition(":")
    if colon and dotted(module) and dotted(attribute):
        return value
    raise _fix(
        "must be 'module.path:ClassName', the module importable from the repository root or "
        f"src/ (for example {_entry_example(value)!r}), not {clip(value)}"
    )


def _specifier(value: str) -> str:
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        hint = f"'>={value}'" if _is_version(value) else "'>=3.10' or '>=0.1,<1'"
        raise _fix(f"must be a version range such as {hint}, not {clip(value)}") from None
    return value


def _is_version(value: str) -> bool:
    try:
        Version(value)
    except InvalidVersion:
        return False
    return True


def _requirement(value: str) -> str:
    try:
        Requirement(value)
    except InvalidRequirement as error:
        reason = str(error).splitlines()[0] if str(error) else "cannot parse it"
        raise ValueError(
            f"{clip(value)} is not a valid requirement: {reason[:1].lower()}{reason[1:]}; "
            "write it as PEP 508 says, such as 'httpx>=0.27'"
        ) from None
    return value


def _env_example(value: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]+", "_", value).strip("_").upper()
    return name if re.fullmatch(ENV_PATTERN, name) else "MY_API_KEY"


def _env_name(value: str) -> str:
    if re.fullmatch(ENV_PATTERN, value):
        return value
    raise _fix(
        "must be an environment variable name (letters, digits and '_', not starting with a "
        f"digit), not {clip(value)}; for example {_env_example(value)!r}"
    )


def _capability(value: object) -> Capability:
    if isinstance(value, Capability):
        return value
    if not isinstance(value, str):
        raise _fix(f"must be a capability such as 'text-to-text', not {describe(value)}")
    try:
        return Capability(value)
    except ValueError:
        shown = value if len(value) <= 60 else value[:56] + "..."
        raise ValueError(capability_hint(shown)) from None


def _some(value: tuple[Capability, ...]) -> tuple[Capability, ...]:
    if value:
        return value
    raise _fix("must list at least one capability, such as [text-to-text]")


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _price(value: object) -> str:
    number = _decimal(value)
    if number is None or number < 0:
        raise _fix(
            f'must be a price in USD of 0 or more, such as "0.002", not {describe(value)}'
        )
    return str(value).strip()


def _positive(value: int) -> int:
    if value >= 1:
        return value
    raise _fix(f"must be a whole number of 1 or more, not {value}")


def _mapping(what: str) -> BeforeValidator:
    def check(value: object) -> object:
        if isinstance(value, Mapping):
            return value
        raise _fix(f"must be {what}, not {describe(value)}")

    return BeforeValidator(check)


ProviderId = Annotated[
    str,
    AfterValidator(_provider_id),
    Field(json_schema_extra={"pattern": ID_PATTERN, "minLength": 2, "maxLength": 64}),
]
Text = Annotated[str, AfterValidator(_non_empty), Field(json_schema_extra={"minLength": 1})]
VersionText = Annotated[str, AfterValidator(_version)]
EntryPoint = Annotated[
    str, AfterValidator(_entry), Field(json_schema_extra={"pattern": ENTRY_PATTERN})
]
Specifier = Annotated[str, AfterValidator(_specifier)]
RequirementText = Annotated[str, AfterValidator(_requirement)]
EnvName = Annotated[
    str, AfterValidator(_env_name), Field(json_schema_extra={"pattern": ENV_PATTERN})
]
CapabilityName = Annotated[Capability, BeforeValidator(_capability)]
Capabilities = Annotated[
    tuple[CapabilityName, ...], AfterValidator(_some), Field(json_schema_extra={"minItems": 1})
]
Price = Annotated[
    str,
    BeforeValidator(_price),
    WithJsonSchema({"anyOf": [
        {"type": "string", "pattern": PRICE_PATTERN}, {"type": "number", "minimum": 0},
    ]}),
]
ContextLength = Annotated[int, Field(strict=True), AfterValidator(_positive)]
JsonSchemaObject = Annotated[
    dict[str, Any], _mapping("a JSON Schema object (a mapping such as {type: object, ...})")
]
Parameters = Annotated[dict[str, Any], _mapping("a mapping of parameter names to their schemas")]
# Any text: an unknown task is a warning (see `checks.unknown_tasks`), so the schema lists
# the vocabulary as examples rather than refusing other names; `x-` names are the author's.
TaskName = Annotated[
    str, Field(json_schema_extra={"minLength": 1, "examples": [*TASKS, "x-my-task"]}),
]
