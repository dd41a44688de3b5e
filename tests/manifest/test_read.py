from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediaconduit.errors import ManifestError
from mediaconduit.manifest import (
    MANIFEST_NAME,
    Manifest,
    ManifestReport,
    check_manifest_file,
    check_manifest_text,
    load_manifest,
)
from mediaconduit.sdk.errors import MediaConduitError, error_from_dict
from mediaconduit.sdk.models import ModelInfo

PATH = Path("MediaConduit.provider.yml")
MINIMAL = {
    "id": "reverse", "name": "Reverse", "version": "0.1.0", "type": "local",
    "capabilities": ["text-to-text"], "entry": "reverse_provider:ReverseProvider",
}
FULL = """\
id: whisper
name: Whisper
description: Speech to text.
version: 2.3.1
author: Someone
homepage: https://example.org
license: MIT
type: local
capabilities: [audio-to-text, text-to-text]
entry: whisper_provider.provider:WhisperProvider
mediaconduit: ">=0.1"
python: ">=3.10"
dependencies: ["httpx>=0.27"]
env:
  - {name: WHISPER_HOME, description: where models live}
  - {name: HF_TOKEN, required: true, secret: true}
models:
  - id: whisper-base
    name: Whisper Base
    capabilities: [audio-to-text]
    pricing: {prompt: 0.000001, completion: "0", request: 0, web_search: "0.5"}
    parameters:
      language: {type: string, default: auto}
    context_length: 448
  - id: echo
    capabilities: [text-to-text]
config:
  type: object
  properties:
    device: {type: string, enum: [cpu, cuda]}
"""


def check(text: str, *, strict: bool = False) -> ManifestReport:
    return check_manifest_text(text, PATH, strict=strict)


def with_keys(**changes: Any) -> str:
    data = {**MINIMAL, **changes}
    kept = {k: v for k, v in data.items() if v is not None}
    return yaml.safe_dump(kept, sort_keys=False, default_flow_style=None)


def only_error(report: ManifestReport) -> tuple[str, str, int | None]:
    assert len(report.errors) == 1, report.errors
    issue = report.errors[0]
    return issue.loc, issue.message, issue.line


# --- never raise --------------------------------------------------------------------------

def assert_sane(report: ManifestReport, text: str | None = None) -> None:
    assert isinstance(report, ManifestReport)
    assert report.ok == (report.manifest is not None)
    assert report.ok == (not report.errors)
    last_line = (text.count("\n") + 1) if text is not None else None
    for issue in (*report.errors, *report.warnings):
        assert isinstance(issue.loc, str)
        assert issue.message
        assert issue.line is None or issue.line >= 1
        if last_line is not None and issue.line is not None:
            assert issue.line <= last_line
    if report.manifest is not None:
        facts = report.manifest.facts().to_dict()
        json.dumps(facts)
        for model in facts["models"]:
            ModelInfo.from_dict(model)


scalars = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.sampled_from(["text-to-text", "TEXT_TO_TEXT", "1.0", ">=0.1", "a:B", "x y", "-1"])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
keys = st.sampled_from([
    *MINIMAL, "description", "mediaconduit", "python", "dependencies", "env", "models", "config",
    "main", "exportName", "unknown",
])
models = st.lists(
    st.fixed_dictionaries({"id": scalars, "capabilities": values}, optional={
        "name": scalars, "pricing": st.dictionaries(st.text(max_size=6), scalars, max_size=3)
        | values, "parameters": values, "context_length": scalars, "extra": values,
    }),
    max_size=3,
)
envs = st.lists(
    st.fixed_dictionaries({"name": scalars}, optional={
        "required": scalars, "secret": scalars, "description": scalars, "extra": scalars,
    }),
    max_size=3,
)
near_valid = st.builds(
    lambda base, changes, extra: {**base, **changes, **extra},
    st.just(MINIMAL),
    st.dictionaries(keys, values, max_size=3),
    st.fixed_dictionaries({}, optional={"models": models, "env": envs}),
)
fragments = st.lists(st.sampled_from([
    "id: ", "name: ", "version: ", "capabilities: ", "models:\n", "- ", "  ", "\n", "&a ", "*a",
    "<<: ", "[", "]", "{", "}", ",", ":", "? ", "'", '"', "#", "---\n", "!!python/object ",
    "!!str ", "!!int ", "1.0", "TEXT_TO_TEXT", "text-to-text", "\t", "\x00", "~", "|\n",
]), max_size=40).map("".join)

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(near_valid)
def test_near_valid_manifests_never_raise(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, sort_keys=False)
    assert_sane(check(text), text)
    assert_sane(check(text, strict=True), text)


@SETTINGS
@given(values)
def test_any_yaml_value_never_raises(data: Any) -> None:
    text = yaml.safe_dump(data)
    assert_sane(check(text), text)


@SETTINGS
@given(st.text() | fragments)
def test_any_text_never_raises(text: str) -> None:
    assert_sane(check(text))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / MANIFEST_NAME
    path.write_bytes(data)
    assert_sane(check_manifest_file(path))


# --- hostile files ------------------------------------------------------------------------

@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system",
    "!!python/object/apply:subprocess.call",
    "!!python/object/apply:pathlib.Path.touch",
])
def test_object_tags_are_refused_and_never_run(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    argument = f"[[touch, {marker}]]" if "subprocess" in tag else f"['{marker}']"
    if "os.system" in tag:
        argument = f"['touch {marker}']"
    text = with_keys() + f"description: {tag} {argument}\n"
    report = check(text)
    loc, message, line = only_error(report)
    assert (loc, line) == ("description", 7)
    assert "not allowed" in message
    assert not marker.exists()


def test_object_tags_in_a_file_are_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / MANIFEST_NAME
    path.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n")
    assert not check_manifest_file(path).ok
    with pytest.raises(ManifestError, match="not allowed"):
        load_manifest(tmp_path)
    assert not marker.exists()


def test_billion_laughs_is_refused() -> None:
    lines = [with_keys(), 'lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 10)]
    report = check("\n".join(lines))
    loc, message, _ = only_error(report)
    assert loc == ""
    assert "10,000" in message


def test_a_300_kib_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST_NAME
    path.write_text(with_keys() + "# padding\n" * (300 * 1024 // 10))
    loc, message, _ = only_error(check_manifest_file(path))
    assert (loc, "256 KiB" in message) == ("", True)
    assert "256 KiB" in only_error(check(path.read_text()))[1]


def test_binary_garbage_and_odd_files_are_reports(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.yml"
    garbage.write_bytes(bytes(range(256)) * 4)
    assert "UTF-8" in only_error(check_manifest_file(garbage))[1]
    assert "folder" in only_error(check_manifest_file(tmp_path))[1]
    assert "cannot read" in only_error(check_manifest_file(tmp_path / "missing.yml"))[1]
    empty = tmp_path / "empty.yml"
    empty.write_text("")
    assert "empty" in only_error(check_manifest_file(empty))[1]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yml"
    os.mkfifo(fifo)
    assert "not a regular file" in only_error(check_manifest_file(fifo))[1]


# --- YAML details -------------------------------------------------------------------------

def test_duplicate_keys_are_errors() -> None:
    report = check(with_keys() + "name: Again\n")
    loc, message, line = only_error(report)
    assert (loc, line) == ("name", 7)
    assert "duplicate key 'name'" in message


def test_duplicate_keys_inside_models_are_errors() -> None:
    text = with_keys() + "models:\n  - {id: a, capabilities: [text-to-text], id: b}\n"
    assert only_error(check(text))[:1] == ("models[0].id",)


@pytest.mark.parametrize(("written", "version"), [("1.0", "1.0"), ("2", "2"), ("1.10", "1.10")])
def test_unquoted_versions_keep_their_text(written: str, version: str) -> None:
    report = check(with_keys(version=None) + f"version: {written}\n")
    assert report.manifest is not None
    assert report.manifest.version == version


def test_text_keys_take_yaml_booleans_as_written() -> None:
    report = check(with_keys(name=None) + "name: yes\n")
    assert report.manifest is not None
    assert report.manifest.name == "yes"


def test_syntax_errors_have_a_line() -> None:
    loc, message, line = only_error(check("id: x\nname: [oops\nentry: a:B\n"))
    assert (loc, line) == ("", 3)
    assert message.startswith("invalid YAML")


def test_a_list_document_is_an_error_at_the_root() -> None:
    loc, message, line = only_error(check("- id: x\n- name: y\n"))
    assert (loc, line) == ("", 1)
    assert "mapping" in message


# --- the rules ----------------------------------------------------------------------------

def test_full_manifest_is_valid_and_its_facts_are_plain_json() -> None:
    report = check(FULL)
    assert report.ok, report.errors
    assert report.manifest is not None
    facts = report.manifest.facts().to_dict()
    assert json.loads(json.dumps(facts)) == facts
    assert facts["capabilities"] == ["audio-to-text", "text-to-text"]
    assert facts["env"][1] == {"name": "HF_TOKEN", "required": True, "secret": True,
                               "description": ""}
    assert facts["models"][0]["pricing"] == {
        "prompt": "0.000001", "completion": "0", "request": "0", "web_search": "0.5",
    }
    assert facts["config"]["properties"]["device"]["enum"] == ["cpu", "cuda"]


def test_model_facts_are_model_info() -> None:
    report = check(FULL)
    assert report.manifest is not None
    base, echo = report.manifest.facts().models
    assert base.context_length == 448
    assert base.pricing is not None and base.pricing.extra["web_search"] == 0.5
    assert base.parameters["language"]["default"] == "auto"
    assert (echo.name, echo.pricing, echo.free) == ("echo", None, False)


def test_facts_are_a_copy() -> None:
    report = check(FULL)
    assert report.manifest is not None
    facts = report.manifest.facts()
    facts.to_dict()["config"]["type"] = "changed"
    assert facts.config is not None and facts.config["type"] == "object"
    assert report.manifest.facts().to_dict()["config"]["type"] == "object"


def test_manifest_is_frozen() -> None:
    manifest = check(FULL).manifest
    assert isinstance(manifest, Manifest)
    with pytest.raises(ValueError, match="frozen"):
        manifest.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(("change", "loc", "fragment"), [
    ({"id": "a"}, "id", "2 to 64"),
    ({"id": "x" * 65}, "id", "2 to 64"),
    ({"id": "Bad_Id"}, "id", "for example 'bad-id'"),
    ({"name": ""}, "name", "must not be empty"),
    ({"name": ["x"]}, "name", "must be text, not a list"),
    ({"version": "latest"}, "version", "PEP 440"),
    ({"type": "cloud"}, "type", "type must be 'remote' or 'local', not 'cloud'"),
    ({"capabilities": "text-to-text"}, "capabilities", "must be a list"),
    ({"capabilities": []}, "capabilities", "at least one"),
    ({"capabilities": ["Text To Image"]}, "capabilities[0]", "'text-to-image'"),
    ({"capabilities": [3]}, "capabilities[0]", "must be a capability"),
    ({"entry": "provider.py"}, "entry", "'provider:Provider'"),
    ({"entry": "a.class:B"}, "entry", "module.path:ClassName"),
    ({"entry": None}, "entry", "entry is required: add `entry: my_provider:MyProvider`"),
    ({"python": "3.10"}, "python", "'>=3.10'"),
    ({"mediaconduit": "soon"}, "mediaconduit", "version range"),
    ({"dependencies": ["ok>=1", "bad >>= 1"]}, "dependencies[1]", "PEP 508"),
    ({"env": [{"name": "1ABC"}]}, "env[0].name", "environment variable name"),
    ({"env": [{"name": "A", "required": "perhaps"}]}, "env[0].required", "true or false"),
    ({"env": ["TOKEN"]}, "env[0]", "mapping"),
    ({"config": ["not", "a", "schema"]}, "config", "JSON Schema object"),
    ({"description": None, "author": {"a": 1}}, "author", "must be text, not a mapping"),
])
def test_errors_say_where_and_how_to_fix(change: dict[str, Any], loc: str, fragment: str) -> None:
    report = check(with_keys(**change))
    assert [issue.loc for issue in report.errors] == [loc], report.errors
    assert fragment in report.errors[0].message


@pytest.mark.parametrize(("model", "loc", "fragment"), [
    ({"id": "m", "capabilities": ["text-to-text"], "pricing": {"prompt": -1}},
     "models[0].pricing.prompt", "0 or more"),
    ({"id": "m", "capabilities": ["text-to-text"], "pricing": {"prompt": True}},
     "models[0].pricing.prompt", "price"),
    ({"id": "m", "capabilities": ["text-to-text"], "pricing": {"image": ".inf"}},
     "models[0].pricing.image", "price"),
    ({"id": "m", "capabilities": ["text-to-text"], "context_length": True},
     "models[0].context_length", "whole number"),
    ({"id": "m", "capabilities": ["text-to-text"], "context_length": 0},
     "models[0].context_length", "1 or more"),
    ({"id": "m", "capabilities": ["text-to-text"], "parameters": [1]},
     "models[0].parameters", "mapping"),
    ({"id": "m"}, "models[0].capabilities", "required"),
    ({"capabilities": ["text-to-text"]}, "models[0].id", "required"),
    ({"id": "m", "capabilities": ["text-to-image"]}, "models[0].capabilities[0]",
     "not among the provider's capabilities"),
])
def test_model_errors(model: dict[str, Any], loc: str, fragment: str) -> None:
    report = check(with_keys(models=[model]))
    assert [issue.loc for issue in report.errors] == [loc], report.errors
    assert fragment in report.errors[0].message


def test_pricing_is_located_on_its_line() -> None:
    text = with_keys() + (
        "models:\n  - id: m\n    capabilities: [text-to-text]\n    pricing:\n      request: cheap\n"
    )
    assert only_error(check(text))[::2] == ("models[0].pricing.request", 11)


def test_duplicate_model_ids_and_env_names() -> None:
    model = {"id": "m", "capabilities": ["text-to-text"]}
    env = {"name": "TOKEN"}
    report = check(with_keys(models=[model, model, model], env=[env, env]))
    assert [issue.loc for issue in report.errors] == ["models[1].id", "models[2].id", "env[1].name"]
    assert "models[0]" in report.errors[0].message


def test_several_errors_are_reported_together_in_line_order() -> None:
    report = check(with_keys(id="Bad Id", type="cloud", capabilities=["x"]))
    assert [issue.loc for issue in report.errors] == ["id", "type", "capabilities[0]"]
    assert [issue.line for issue in report.errors] == [1, 4, 5]


def test_missing_keys_point_at_their_mapping() -> None:
    report = check("# comment\nname: x\n")
    locs = {issue.loc: issue.line for issue in report.errors}
    assert locs["id"] == 2
    assert set(locs) == {"id", "version", "type", "capabilities", "entry"}


def test_typescript_keys_get_a_python_entry_suggestion() -> None:
    text = with_keys(id="openrouter-provider", entry=None)
    text += "main: dist/index.js\nexportName: OpenRouterProvider\n"
    report = check(text)
    loc, message, _ = only_error(report)
    assert loc == "entry"
    assert "entry: openrouter_provider:OpenRouterProvider" in message
    assert [issue.loc for issue in report.warnings] == ["main", "exportName"]


# --- unknown keys and strictness ----------------------------------------------------------

def test_unknown_keys_are_warnings_with_paths_and_errors_when_strict() -> None:
    model = {"id": "m", "capabilities": ["text-to-text"], "size": 1}
    text = with_keys(capabilites=["x"], models=[model], env=[{"name": "A", "secrett": True}])
    report = check(text)
    assert report.ok
    locs = [issue.loc for issue in report.warnings]
    assert locs == ["capabilites", "models[0].size", "env[0].secrett"]
    assert "did you mean 'capabilities'?" in report.warnings[0].message
    assert "did you mean 'secret'?" in report.warnings[2].message
    strict = check(text, strict=True)
    assert not strict.ok
    assert strict.manifest is None
    assert len(strict.errors) == 3
    assert strict.warnings == ()


# --- the host version ---------------------------------------------------------------------

def test_a_newer_host_requirement_is_the_only_error() -> None:
    report = check(with_keys(id="Bad Id", mediaconduit=">=99"))
    loc, message, line = only_error(report)
    assert (loc, line) == ("mediaconduit", 7)
    assert "upgrade mediaconduit" in message


def test_an_older_host_requirement_does_not_say_upgrade() -> None:
    loc, message, _ = only_error(check(with_keys(mediaconduit="<0.1")))
    assert loc == "mediaconduit"
    assert "upgrade" not in message


def test_a_matching_host_requirement_passes() -> None:
    assert check(with_keys(mediaconduit=">=0.1,<1")).ok


# --- load_manifest ------------------------------------------------------------------------

def test_load_manifest_from_a_repo_or_a_file(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text(FULL)
    assert load_manifest(tmp_path).id == "whisper"
    assert load_manifest(tmp_path / MANIFEST_NAME).id == "whisper"


def test_load_manifest_lists_every_error(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST_NAME
    path.write_text(with_keys(id="Bad Id", type="cloud"))
    with pytest.raises(ManifestError) as info:
        load_manifest(tmp_path)
    text = str(info.value)
    assert f"{path}:1: id: id must be" in text
    assert f"{path}:4: type: type must be 'remote' or 'local'" in text


def test_load_manifest_of_a_folder_without_one(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read"):
        load_manifest(tmp_path)


def test_manifest_error_is_a_registered_mediaconduit_error() -> None:
    error = ManifestError("broken")
    assert isinstance(error, MediaConduitError)
    rebuilt = error_from_dict(error.to_dict())
    assert type(rebuilt) is ManifestError
    assert str(rebuilt) == "broken"
