"""The models the fake Replicate serves: the real 2025-07 catalog, plus a text model
and a version-pinned model, each with the OpenAPI schema `GET /v1/models/...` gives.

No pytest in here: other test suites import this file by path.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CATALOG_NAME = "replicate-models-2025-07.json"
PACKAGED = Path(__file__).resolve().parents[1] / "src" / "replicate_provider" / "data"
#: names of inputs that take files: Replicate's schemas mark them `format: uri`
#: (protocols.md §5); the captured catalog kept only `type: string`.
FILE_INPUT_WORDS = ("image", "video", "audio", "reference", "mask")

TEXT_MODEL = "meta/meta-llama-3-8b-instruct"
PINNED_MODEL = "acme/upscaler"
PINNED_VERSION = hashlib.sha256(b"acme/upscaler v1").hexdigest()


def find_catalog() -> Path:
    """The captured catalog: `$REPLICATE_FAKE_DATA/<name>`, else the provider's packaged copy."""
    path = Path(os.environ.get("REPLICATE_FAKE_DATA") or PACKAGED) / CATALOG_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; set REPLICATE_FAKE_DATA to its folder")
    return path


def load_catalog() -> dict[str, dict[str, Any]]:
    with open(find_catalog(), encoding="utf-8") as handle:
        data: dict[str, dict[str, Any]] = json.load(handle)
    return data


@dataclasses.dataclass(frozen=True)
class FakeModel:
    """One model: its id, version, input properties, output schema and the kind it makes."""

    owner: str
    name: str
    properties: Mapping[str, Any]
    required: tuple[str, ...]
    output: Mapping[str, Any]
    description: str = ""
    version: str = ""

    @property
    def id(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def version_id(self) -> str:
        return self.version or hashlib.sha256(self.id.encode()).hexdigest()

    @property
    def makes_text(self) -> bool:
        items = self.output.get("items") or {}
        return self.output.get("format") != "uri" and items.get("format") != "uri"

    def openapi_schema(self) -> dict[str, Any]:
        input_schema = {"type": "object", "title": "Input", "properties": dict(self.properties),
                        "required": list(self.required)}
        schemas = {
            "Input": input_schema, "Output": dict(self.output),
            "Status": {"enum": ["starting", "processing", "succeeded", "canceled", "failed"],
                       "type": "string", "title": "Status"},
            "PredictionRequest": {"type": "object", "title": "PredictionRequest"},
            "PredictionResponse": {"type": "object", "title": "PredictionResponse"},
            "HTTPValidationError": {"type": "object", "title": "HTTPValidationError"},
            "ValidationError": {"type": "object", "title": "ValidationError"},
        }
        return {"openapi": "3.0.2", "info": {"title": "Cog", "version": "0.1.0"},
                "paths": {}, "components": {"schemas": schemas}}

    def version_object(self) -> dict[str, Any]:
        return {"id": self.version_id, "created_at": "2025-06-22T22:41:01.079Z",
                "cog_version": "0.14.1", "openapi_schema": self.openapi_schema()}

    def model_object(self, base: str) -> dict[str, Any]:
        return {
            "url": f"https://replicate.com/{self.id}", "owner": self.owner, "name": self.name,
            "description": self.description, "visibility": "public", "github_url": None,
            "paper_url": None, "license_url": None, "run_count": 1234,
            "cover_image_url": None, "default_example": None,
            "created_at": "2024-01-01T00:00:00.000Z", "latest_version": self.version_object(),
        }


def property_schema(name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A catalog parameter as the OpenAPI property Replicate serves."""
    result: dict[str, Any] = {"type": spec.get("type", "string"), "title": name.title(),
                              "x-order": spec.get("x_order", 0)}
    for key in ("description", "default", "minimum", "maximum"):
        if key in spec:
            result[key] = spec[key]
    if result["type"] == "string" and any(w in name for w in FILE_INPUT_WORDS):
        result["format"] = "uri"
    return result


def catalog_model(entry: Mapping[str, Any]) -> FakeModel:
    params: Mapping[str, Any] = entry.get("parameters") or {}
    properties = {name: property_schema(name, spec) for name, spec in params.items()}
    required = tuple(name for name, spec in params.items() if spec.get("required"))
    return FakeModel(str(entry["owner"]), str(entry["name"]), properties, required,
                     entry.get("output_schema") or {}, str(entry.get("description") or ""))


def text_model() -> FakeModel:
    """An LLM: tokens out, streamed (Replicate's `x-cog-array-type: iterator`)."""
    properties = {
        "prompt": {"type": "string", "title": "Prompt", "x-order": 0},
        "max_tokens": {"type": "integer", "title": "Max Tokens", "default": 512,
                       "minimum": 1, "x-order": 1},
        "temperature": {"type": "number", "title": "Temperature", "default": 0.7,
                        "minimum": 0, "maximum": 5, "x-order": 2},
        "system_prompt": {"type": "string", "title": "System Prompt", "x-order": 3},
    }
    output = {"type": "array", "items": {"type": "string"}, "title": "Output",
              "x-cog-array-type": "iterator", "x-cog-array-display": "concatenate"}
    owner, name = TEXT_MODEL.split("/")
    return FakeModel(owner, name, properties, ("prompt",), output, "An 8B chat model")


def pinned_model() -> FakeModel:
    """A community model run by version (`owner/name:version`): an image in, an image out."""
    properties = {
        "image": {"type": "string", "format": "uri", "title": "Image", "x-order": 0},
        "scale": {"type": "integer", "title": "Scale", "default": 2, "minimum": 1,
                  "maximum": 4, "x-order": 1},
        "face_enhance": {"type": "boolean", "title": "Face Enhance", "default": False,
                         "x-order": 2},
    }
    output = {"type": "string", "format": "uri", "title": "Output"}
    owner, name = PINNED_MODEL.split("/")
    return FakeModel(owner, name, properties, ("image",), output, "Upscales images",
                     PINNED_VERSION)


def all_models() -> dict[str, FakeModel]:
    models = [catalog_model(entry) for entry in load_catalog().values()]
    models += [text_model(), pinned_model()]
    return {model.id: model for model in models}
