"""What to render: the provider's names, capabilities and type, and the value of every marker.

Each capability gets one static model: `text-to-text` reverses the text,
`<media>-to-text` describes the media, `*-to-<media>` makes a small file
(PNG, WAV, or AVI of uncompressed frames) from the text or a description.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from packaging.version import Version

from mediaconduit._version import __version__
from mediaconduit.scaffold.names import Names, ScaffoldError
from mediaconduit.sdk.models import Capability

TYPES = ("local", "remote")


@dataclass(frozen=True)
class ModelPlan:
    """The template's model for one capability: what the manifest lists."""

    id: str
    name: str
    description: str
    capability: Capability
    parameters: tuple[tuple[str, str], ...]


_SIZE = (("width", "{type: integer, minimum: 1, maximum: 1024, default: 64, "
          "description: pixels}"),
         ("height", "{type: integer, minimum: 1, maximum: 1024, default: 48, "
          "description: pixels}"))
_MAKES = {
    "image": ("swatch", "a PNG gradient whose colours come from {}", _SIZE),
    "audio": ("tone", "a WAV tone whose pitch comes from {}", (
        ("seconds", "{type: number, exclusiveMinimum: 0, maximum: 10, default: 0.5, "
                    "description: length in seconds}"),)),
    "video": ("clip", "an AVI clip of uncompressed frames whose colours come from {}", (
        *_SIZE, ("frames", "{type: integer, minimum: 1, maximum: 120, default: 12, "
                           "description: frames at 12 per second}"))),
}
_DESCRIBES = {"image": "its format and size", "audio": "its length and sample rate",
              "video": "its size and frame count"}


def plan_model(capability: Capability) -> ModelPlan:
    """`text-to-text` reverses; `<media>-to-text` describes; `*-to-<media>` makes a file."""
    source, target = capability.input, capability.output
    if target == "text" and source == "text":
        return ModelPlan("reverse", "Reverse", "The text, reversed (it streams too).",
                         capability, ())
    if target == "text":
        return ModelPlan(f"describe-{source}", f"Describe {source}",
                         f"Says what the {source} is: {_DESCRIBES[source]}.", capability, ())
    base, made, parameters = _MAKES[target]
    model_id = base if source == "text" else f"{source}-{base}"
    what = "the text" if source == "text" else f"a description of the {source}"
    title = " ".join(word.capitalize() for word in model_id.split("-"))
    sentence = made.format(what)
    return ModelPlan(model_id, title, sentence[0].upper() + sentence[1:] + ".", capability,
                     parameters)


@dataclass(frozen=True)
class Blueprint:
    """Everything `mediaconduit new` was asked for."""

    names: Names
    capabilities: tuple[Capability, ...] = (Capability.TEXT_TO_TEXT,)
    type: str = "local"
    author: str = ""
    description: str = ""

    @property
    def models(self) -> list[ModelPlan]:
        return [plan_model(capability) for capability in self.capabilities]

    @property
    def summary(self) -> str:
        caps = ", ".join(c.value for c in self.capabilities)
        return self.description or f"{self.names.title}: a MediaConduit provider for {caps}."


def parse_capabilities(values: Sequence[str]) -> tuple[Capability, ...]:
    """Capabilities from option values (each may hold several, split by commas or spaces)."""
    names = [part for value in values for part in re.split(r"[,\s]+", value) if part]
    try:
        parsed = [Capability.parse(name) for name in names]
    except ValueError as error:
        raise ScaffoldError(str(error)) from None
    return tuple(dict.fromkeys(parsed)) or (Capability.TEXT_TO_TEXT,)


def _yaml_models(plans: Sequence[ModelPlan]) -> str:
    lines = []
    for plan in plans:
        lines += [f"  - id: {plan.id}", f"    name: {json.dumps(plan.name)}",
                  f"    description: {json.dumps(plan.description)}",
                  f"    capabilities: [{plan.capability.value}]", '    pricing: {request: "0"}']
        if plan.parameters:
            lines += ["    parameters:", *(f"      {k}: {v}" for k, v in plan.parameters)]
    return "\n".join(lines)


def _env_block(blueprint: Blueprint) -> str:
    if blueprint.type != "remote":
        return ""
    name = blueprint.names.id.upper().replace("-", "_") + "_API_KEY"
    name = name if not name[0].isdigit() else "PROVIDER_" + name
    return (f"# The only environment variables that reach the provider's process.\nenv:\n"
            f"  - name: {name}\n    required: false\n    secret: true\n"
            "    description: The API key of the service (the template's models do not "
            "need it yet).\n")


_SAMPLE = {"text": '"Hello, world"', "image": 'Image.from_path("picture.png")',
           "audio": 'Audio.from_path("sound.wav")', "video": 'Video.from_path("clip.avi")'}
_FILE = {"image": "picture.png", "audio": "sound.wav", "video": "clip.avi"}
_SUFFIX = {"image": ".png", "audio": ".wav", "video": ".avi"}


def _usage(names: Names, plan: ModelPlan) -> str:
    source, target = plan.capability.input, plan.capability.output
    imports = "" if source == "text" else f"{source.capitalize()}, "
    output = ("print(result.text)" if target == "text"
              else f'result.save("{plan.id}{_SUFFIX[target]}")')
    return "\n".join([
        f"from mediaconduit import {imports}get_provider_registry", "",
        "provider = get_provider_registry().get_provider(",
        f'    "https://github.com/OWNER/{names.folder}")',
        "print([model.id for model in provider.models])",
        f'result = provider.get_model("{plan.id}").transform({_SAMPLE[source]})', output,
    ])


def _try_it(plan: ModelPlan) -> str:
    source, target = plan.capability.input, plan.capability.output
    given = '"Hello, world"' if source == "text" else _FILE[source]
    output = "" if target == "text" else f" -o {plan.id}{_SUFFIX[target]}"
    return f"mediaconduit run . {plan.id} {given}{output}   # try a model by hand"


def _author_line(author: str) -> str:
    return f"author: {json.dumps(author)}" if author else "# author: Your Name"


def _table(plans: Sequence[ModelPlan]) -> str:
    return "\n".join(f"| `{p.id}` | {p.capability.value} | {p.description} |" for p in plans)


def placeholders(blueprint: Blueprint) -> dict[str, str]:
    """The value of every `{{marker}}` in the template."""
    names, plans = blueprint.names, blueprint.models
    floor = Version(__version__)
    return {
        "id": names.id, "package": names.package, "class": names.class_name,
        "name": names.title, "name_yaml": json.dumps(names.title), "dist": names.folder,
        "type": blueprint.type, "author_line": _author_line(blueprint.author),
        "description": blueprint.summary, "description_yaml": json.dumps(blueprint.summary),
        "description_toml": json.dumps(blueprint.summary),
        "host_floor": f"{floor.major}.{floor.minor}",
        "capabilities": "[" + ", ".join(c.value for c in blueprint.capabilities) + "]",
        "env": _env_block(blueprint), "models": _yaml_models(plans),
        "model_table": _table(plans), "usage": _usage(names, plans[0]),
        "try_it": _try_it(plans[0]),
    }
