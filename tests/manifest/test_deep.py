"""`mediaconduit validate --deep`: the provider is loaded for real and what it reports checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mediaconduit.cli import main

MANIFEST = """\
id: deep-test
name: Deep test
version: 0.1.0
type: local
capabilities: [text-to-text]
entry: {entry}
models:
  - {{id: echo, capabilities: [text-to-text]}}
"""

CODE = """\
from mediaconduit.sdk import AuthenticationError, Model, ModelInfo, ModelNotFoundError, Provider
from mediaconduit.sdk import ProviderUnavailableError, Text


class Echo(Model):
    def transform(self, input, **params):
        return Text(input.text)


class DeepProvider(Provider):
    CAPABILITIES = {{"echo": ["text-to-text"]}}

    def discover_models(self):
        {discover}
        return [ModelInfo(id=i, capabilities=c) for i, c in self.CAPABILITIES.items()]

    def get_model(self, model_id):
        if model_id not in self.CAPABILITIES:
            raise ModelNotFoundError(model_id)
        return Echo(ModelInfo(id=model_id, capabilities=self.CAPABILITIES[model_id]), self)


class NotAProvider:
    pass
"""


def repo(tmp_path: Path, *, entry: str = "deep_provider:DeepProvider", discover: str = "pass",
         prelude: str = "") -> Path:
    folder = tmp_path / "deep-provider"
    folder.mkdir()
    (folder / "MediaConduit.provider.yml").write_text(MANIFEST.format(entry=entry))
    (folder / "deep_provider.py").write_text(prelude + CODE.format(discover=discover))
    return folder


def line_of(path: Path, start: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1)
                if line.startswith(start))


def validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["validate", *args])
    return code, capsys.readouterr().out



@pytest.mark.slow
def test_a_good_provider_passes(tmp_path: Path, module_cache: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(capsys, "--deep", str(repo(tmp_path)))
    assert code == 0, out
    assert "1 valid" in out and "0 warnings" in out


@pytest.mark.slow
def test_an_entry_that_does_not_import_is_an_error_on_the_entry_line(
        tmp_path: Path, module_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = repo(tmp_path, prelude="import os\nimport not_installed_anywhere_xyz\n")
    manifest = folder / "MediaConduit.provider.yml"
    assert validate(capsys, str(folder))[0] == 0  # the shallow check cannot see it
    code, out = validate(capsys, "--deep", "--format", "github", str(folder))
    assert code == 1
    assert out.startswith(f"::error file={manifest},line={line_of(manifest, 'entry:')}::")
    assert "No module named 'not_installed_anywhere_xyz'" in out
    assert "pyproject.toml [project].dependencies" in out
    assert "at deep_provider.py line 2" in out


@pytest.mark.slow
def test_an_entry_that_is_not_a_provider_is_an_error(
        tmp_path: Path, module_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = repo(tmp_path, entry="deep_provider:NotAProvider")
    code, out = validate(capsys, "--deep", str(folder))
    assert code == 1
    assert "entry: the entry class cannot be loaded" in out
    assert "not a subclass of mediaconduit.sdk.Provider" in out


@pytest.mark.slow
def test_a_model_capability_outside_the_manifest_is_an_error(
        tmp_path: Path, module_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    discover = 'self.CAPABILITIES["look"] = ["image-to-text"]'
    folder = repo(tmp_path, discover=discover)
    manifest = folder / "MediaConduit.provider.yml"
    code, out = validate(capsys, "--deep", "--format", "json", str(folder))
    assert code == 1
    (error,) = json.loads(out)["files"][0]["errors"]
    assert error["loc"] == "capabilities"
    assert error["line"] == line_of(manifest, "capabilities:")
    assert "'look' reports capability 'image-to-text'" in error["message"]


@pytest.mark.slow
def test_discovery_without_credentials_is_a_warning(
        tmp_path: Path, module_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = repo(tmp_path, discover='raise AuthenticationError("DEEP_API_KEY is not set")')
    code, out = validate(capsys, "--deep", str(folder))
    assert code == 0
    assert "warning: discovery needs credentials (DEEP_API_KEY is not set)" in out
    assert validate(capsys, "--deep", "--strict", str(folder))[0] == 1


@pytest.mark.slow
def test_discovery_whose_service_is_not_running_is_a_warning(
        tmp_path: Path, module_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = repo(tmp_path, discover='raise ProviderUnavailableError("start it: ollama serve")')
    code, out = validate(capsys, "--deep", str(folder))
    assert code == 0
    assert "warning: discovery needs its service (start it: ollama serve)" in out


@pytest.mark.slow
def test_discovery_that_fails_is_an_error(
        tmp_path: Path, module_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = repo(tmp_path, discover='raise ValueError("catalog broke")')
    code, out = validate(capsys, "--deep", str(folder))
    assert code == 1 and "discovery failed" in out and "catalog broke" in out


@pytest.mark.slow
def test_a_static_model_not_discovered_is_a_warning(
        tmp_path: Path, module_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = repo(tmp_path, discover='self.CAPABILITIES = {"other": ["text-to-text"]}')
    code, out = validate(capsys, "--deep", str(folder))
    assert code == 0
    assert "warning: models[0].id: static model 'echo' is not among the discovered" in out


def test_an_invalid_manifest_is_not_loaded(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder = repo(tmp_path)
    manifest = folder / "MediaConduit.provider.yml"
    manifest.write_text(manifest.read_text().replace("type: local", "type: LOCAL"))
    code, out = validate(capsys, "--deep", str(folder))
    assert code == 1 and "type must be 'remote' or 'local'" in out
    assert not (tmp_path / "cache" / "envs").exists()  # nothing was built


def test_a_lone_manifest_file_is_checked_without_loading(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lone = tmp_path / "other.yml"
    lone.write_text(MANIFEST.format(entry="nowhere:Provider"))
    code, out = validate(capsys, "--deep", str(lone))
    assert code == 0 and "1 valid" in out
    assert not (tmp_path / "cache" / "envs").exists()
