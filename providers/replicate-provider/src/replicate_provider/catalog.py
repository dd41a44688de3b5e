"""The listed models (the packaged 2025-07 catalog) and models read on demand.

A `Spec` is what the provider needs to run a model: its ref (`owner/name`, and the
version when one is pinned or known), its inputs, the kind of output it makes and its
`ModelInfo`. Capabilities say what can go in through this provider (a text prompt and
the file inputs the model has) and what comes out.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mediaconduit.sdk import InvalidInputError, ModelInfo
from replicate_provider.schema import Param, from_catalog, from_openapi, output_schema

CATALOG = Path(__file__).resolve().parent / "data" / "replicate-models-2025-07.json"
_REF = re.compile(r"^(?P<owner>[\w.-]+)/(?P<name>[\w.-]+)(?::(?P<version>[0-9a-f]{64}))?$")
#: inputs that carry the text of a text input, in order of preference
TEXT_INPUTS = ("prompt", "text", "input", "query", "question")
KINDS = ("text", "image", "audio", "video")
OUTPUT_WORDS = {"video": ("video", "veo", "kling"), "audio": ("audio", "speech", "tts",
                                                               "music", "voice", "sound")}


@dataclasses.dataclass(frozen=True)
class Spec:
    """A runnable model: `owner/name`, a version (None: run by model name), its inputs,
    its output kind (`text`, `image`, `video`, `audio`) and its `ModelInfo`."""

    owner: str
    name: str
    version: str | None
    inputs: Mapping[str, Param]
    output: str
    info: ModelInfo

    @property
    def text_input(self) -> str | None:
        """The input a `Text` goes into (`prompt` if the model has one)."""
        for name in TEXT_INPUTS:
            if name in self.inputs and self.inputs[name].file_kind is None:
                return name
        strings = [p for p in self.inputs.values() if p.type == "string" and p.required
                   and p.file_kind is None]
        return strings[0].name if strings else None

    def file_input(self, kind: str) -> str | None:
        """The input a file of `kind` goes into (required ones first)."""
        found = sorted((p for p in self.inputs.values() if p.file_kind == kind),
                       key=lambda p: (not p.required, p.order))
        return found[0].name if found else None


def parse_ref(model_id: str) -> tuple[str, str, str | None]:
    """`owner/name` or `owner/name:version` -> (owner, name, version or None)."""
    match = _REF.match(model_id.strip())
    if match is None:
        raise InvalidInputError(
            f"{model_id!r} is not a Replicate model id: write owner/name (an official "
            "model, e.g. black-forest-labs/flux-schnell) or owner/name:<64-hex version id>")
    return match["owner"], match["name"], match["version"]


def load_catalog(path: Path = CATALOG) -> dict[str, Spec]:
    """The packaged catalog as specs, by id."""
    entries: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    specs = [catalog_spec(entry) for entry in entries.values() if isinstance(entry, Mapping)]
    return {spec.info.id: spec for spec in specs}


def catalog_spec(entry: Mapping[str, Any]) -> Spec:
    inputs = from_catalog(entry.get("parameters") or {})
    categories = [c.strip() for c in str(entry.get("category") or "").split("|") if c.strip()]
    output = _output_kind(entry.get("output_schema") or {}, categories, str(entry["id"]))
    caps = _capabilities(inputs, output, categories)
    info = ModelInfo(
        id=str(entry["id"]), name=str(entry.get("name") or entry["id"]),
        description=str(entry.get("description") or ""), capabilities=caps,
        parameters={name: p.to_dict() for name, p in inputs.items()},
        metadata=_metadata(entry, categories), pricing=_pricing(entry.get("pricing")),
    )
    return Spec(str(entry["owner"]), str(entry["name"]), None, inputs, output, info)


def _metadata(entry: Mapping[str, Any], categories: list[str]) -> dict[str, Any]:
    keys = ("owner", "tags", "visibility", "run_count", "github_url", "paper_url",
            "license_url", "cover_image_url", "output_schema", "pricing", "lastUpdated")
    return {"category": categories, **{k: entry.get(k) for k in keys if k in entry}}


def _pricing(value: Any) -> dict[str, Any] | None:
    """Listed prices (a mapping of numbers); "usage-based" and the like list none."""
    if isinstance(value, Mapping):
        return {k: v for k, v in value.items() if isinstance(v, (int, float, str))}
    return None


def spec_from_version(owner: str, name: str, version: Mapping[str, Any],
                      model: Mapping[str, Any] | None = None, pinned: bool = False) -> Spec:
    """A model read on demand: `GET /v1/models/{owner}/{name}` (or its `/versions/{id}`)."""
    schema = version.get("openapi_schema") or {}
    inputs = from_openapi(schema)
    model_id = f"{owner}/{name}"
    described = f"{model_id} {(model or {}).get('description') or ''}"
    output = _output_kind(output_schema(schema), [], described)
    version_id = str(version.get("id") or "") or None
    info = ModelInfo(
        id=f"{model_id}:{version_id}" if pinned and version_id else model_id,
        name=name, description=str((model or {}).get("description") or ""),
        capabilities=_capabilities(inputs, output, []),
        parameters={n: p.to_dict() for n, p in inputs.items()},
        metadata={"version": version_id, "owner": owner, "on_demand": True,
                  "run_count": (model or {}).get("run_count"),
                  "output_schema": dict(output_schema(schema))},
    )
    return Spec(owner, name, version_id, inputs, output, info)


def _output_kind(schema: Mapping[str, Any], categories: list[str], words: str) -> str:
    """`text` unless the output is a URI; a URI is the category's kind, else guessed."""
    items = schema.get("items") if isinstance(schema.get("items"), Mapping) else {}
    if "uri" not in (schema.get("format"), items.get("format")):
        return "text" if schema else (categories[0].split("-to-")[-1] if categories else "text")
    outs = [c.split("-to-")[-1] for c in categories]
    if outs:
        return outs[0]
    lowered = words.lower()
    return next((kind for kind, found in OUTPUT_WORDS.items()
                 if any(w in lowered for w in found)), "image")


def _capabilities(inputs: Mapping[str, Param], output: str, categories: list[str]) -> list[str]:
    """`<in>-to-<out>` for a text prompt and each kind of file input the model has.

    A category whose input the model cannot take (flux-schnell is filed under
    image-to-image but has no image input) becomes text-to-<out> when it has a prompt.
    """
    has_text = any(n in inputs for n in TEXT_INPUTS)
    available = ({"text"} if has_text else set()) | {
        p.file_kind for p in inputs.values() if p.file_kind}
    pairs = [c.split("-to-", 1) for c in categories if "-to-" in c]
    pairs = pairs or [[kind, output] for kind in sorted(available)]
    caps: list[str] = []
    for source, target in pairs:
        if source not in available and not has_text:
            continue
        cap = f"{source if source in available else 'text'}-to-{target}"
        if target in KINDS and cap not in caps:
            caps.append(cap)
    return caps
