"""`ProviderFacts`: what a valid manifest says, as a plain value, and its dict form."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mediaconduit.manifest import EnvFacts, ProviderFacts, check_manifest_text
from mediaconduit.sdk.models import ModelInfo

FULL = """\
id: whisper
name: Whisper
description: Speech to text.
version: 2.3.1
type: local
capabilities: [audio-to-text, text-to-text]
entry: whisper_provider.provider:WhisperProvider
python: ">=3.10"
dependencies: ["httpx>=0.27"]
env:
  - {name: WHISPER_HOME, description: where models live}
  - {name: HF_TOKEN, required: true, secret: true}
models:
  - id: whisper-base
    capabilities: [audio-to-text]
    pricing: {prompt: 0.000001, request: 0}
    tasks: [automatic-speech-recognition, x-subtitles]
  - id: echo
    capabilities: [text-to-text]
config:
  type: object
  properties:
    device: {type: string, enum: [cpu, cuda]}
"""


@pytest.fixture
def facts() -> ProviderFacts:
    report = check_manifest_text(FULL, Path("m.yml"))
    assert report.manifest is not None, report.errors
    return report.manifest.facts()


def test_fields_are_typed(facts: ProviderFacts) -> None:
    assert (facts.id, facts.name, facts.version, facts.type) == (
        "whisper", "Whisper", "2.3.1", "local")
    assert facts.capabilities == ("audio-to-text", "text-to-text")
    assert facts.entry == "whisper_provider.provider:WhisperProvider"
    assert (facts.python, facts.description, facts.author) == (">=3.10", "Speech to text.", None)
    assert facts.dependencies == ("httpx>=0.27",)
    assert facts.env == (EnvFacts("WHISPER_HOME", description="where models live"),
                         EnvFacts("HF_TOKEN", required=True, secret=True))
    assert facts.env_names == ["WHISPER_HOME", "HF_TOKEN"]
    assert all(isinstance(model, ModelInfo) for model in facts.models)
    assert facts.models[0].tasks == ("automatic-speech-recognition", "x-subtitles")
    assert facts.config is not None and facts.config["type"] == "object"


def test_frozen(facts: ProviderFacts) -> None:
    with pytest.raises(AttributeError):
        facts.id = "other"  # type: ignore[misc]


def test_the_dict_form_is_json_and_reads_back_equal(facts: ProviderFacts) -> None:
    data = facts.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert ProviderFacts.from_dict(json.loads(json.dumps(data))) == facts
    assert data["env"][1] == {"name": "HF_TOKEN", "required": True, "secret": True,
                              "description": ""}
    assert data["models"][0]["pricing"] == {"prompt": "0.000001", "request": "0"}
    assert [ModelInfo.from_dict(m) for m in data["models"]] == list(facts.models)


def test_the_dict_form_is_a_copy(facts: ProviderFacts) -> None:
    data = facts.to_dict()
    data["config"]["type"] = "changed"
    data["models"][0]["parameters"]["x"] = 1
    assert facts.to_dict()["config"]["type"] == "object"
    assert "x" not in facts.models[0].parameters


def test_the_old_marker_form_still_reads() -> None:
    """A marker written before facts were typed (models as the manifest lists them)."""
    data = {"id": "a", "name": "A", "version": "1", "type": "remote",
            "capabilities": ["text-to-text"], "entry": "a:A", "description": None,
            "env": [{"name": "KEY", "required": True, "secret": True, "description": ""}],
            "models": [{"id": "m", "name": "m", "capabilities": ["text-to-text"],
                        "pricing": {"prompt": "0"}, "context_length": None,
                        "description": "", "parameters": {}}],
            "config": None}
    facts = ProviderFacts.from_dict(data)
    assert facts.env_names == ["KEY"]
    assert facts.models[0].free is True
    assert facts.config is None


@pytest.mark.parametrize("damage", [
    {"id": None}, {"capabilities": None}, {"env": [{"required": True}]}, {"config": [1]},
])
def test_a_damaged_dict_raises(facts: ProviderFacts, damage: dict[str, object]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        ProviderFacts.from_dict({**facts.to_dict(), **damage})
    with pytest.raises(KeyError):
        ProviderFacts.from_dict({})


def test_reading_facts_imports_no_pydantic_or_yaml() -> None:
    code = ("import sys; from mediaconduit.manifest import ProviderFacts; "
            "from mediaconduit.manifest.facts import EnvFacts; "
            "print([m for m in ('pydantic', 'yaml', 'packaging', 'mediaconduit.manifest.model') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"
