"""The provider as the host sees it: manifest, models, settings, the FFmpeg binary."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
import yaml
from ffmpeg_provider import FFmpegProvider
from ffmpeg_provider.catalog import MODELS

from mediaconduit.sdk import Capability, ModelInfo, ProviderUnavailableError, Video

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def manifest() -> dict:
    with (ROOT / "MediaConduit.provider.yml").open() as file:
        return yaml.safe_load(file)


def test_manifest_identity(manifest):
    assert (manifest["id"], manifest["name"], manifest["type"]) == ("ffmpeg", "FFmpeg", "local")
    assert manifest["entry"] == "ffmpeg_provider:FFmpegProvider"
    assert manifest["mediaconduit"] == ">=0.1"
    assert manifest["env"] == [{
        "name": "FFMPEG_BINARY", "required": False, "secret": False,
        "description": manifest["env"][0]["description"],
    }]
    assert set(manifest["config"]["properties"]) == {"ffmpeg_binary"}


def test_manifest_capabilities_are_exactly_the_models(manifest):
    declared = [Capability.parse(c).value for c in manifest["capabilities"]]
    used = {c for spec in MODELS for c in spec.capabilities}
    assert sorted(declared) == sorted(used)
    assert len(declared) == 6


def test_manifest_models_match_the_code(manifest):
    static = [ModelInfo.from_dict(m) for m in manifest["models"]]
    assert static == FFmpegProvider(env={}).discover_models()
    assert [m.id for m in static] == [
        "extract-audio", "convert-audio", "extract-frame", "transcode", "probe",
    ]
    assert all(m.free for m in static)


def test_entry_is_importable_as_the_host_would():
    module, _, name = "ffmpeg_provider:FFmpegProvider".partition(":")
    assert getattr(importlib.import_module(module), name) is FFmpegProvider


def test_pyproject_dependencies():
    lines = (ROOT / "pyproject.toml").read_text().splitlines()
    assert 'name = "ffmpeg-provider"' in lines
    assert 'dependencies = ["imageio-ffmpeg>=0.5"]' in lines


def test_get_model_carries_its_info():
    model = FFmpegProvider(env={}).get_model("transcode")
    assert model.id == "transcode"
    assert model.info.capabilities == ("video-to-video",)
    assert set(model.info.parameters) == {"format", "start", "duration", "width", "height", "fps"}


def test_health_reports_the_bundled_ffmpeg(ffmpeg):
    report = FFmpegProvider(env={}).health()
    assert report["ok"] is True
    assert report["ffmpeg"] == ffmpeg
    assert report["version"].startswith("ffmpeg version")


@pytest.fixture
def linked_ffmpeg(tmp_path, ffmpeg) -> Path:
    """The bundled binary under another name, standing in for a system ffmpeg."""
    link = tmp_path / "bin" / "ffmpeg"
    link.parent.mkdir()
    os.symlink(ffmpeg, link)
    return link


def test_the_ffmpeg_binary_setting_is_preferred(linked_ffmpeg, media, outputs, ffmpeg_runs):
    provider = FFmpegProvider(config={"ffmpeg_binary": str(linked_ffmpeg)}, env={})
    provider.get_model("probe").transform(Video.from_path(media.clip))
    assert provider.health()["ffmpeg"] == str(linked_ffmpeg)
    assert {run[0] for run in ffmpeg_runs} == {str(linked_ffmpeg)}


def test_the_ffmpeg_binary_env_var_is_read(linked_ffmpeg):
    provider = FFmpegProvider(env={"FFMPEG_BINARY": str(linked_ffmpeg)})
    assert provider.ffmpeg == str(linked_ffmpeg)


def test_a_name_on_path_is_found(linked_ffmpeg, monkeypatch):
    monkeypatch.setenv("PATH", str(linked_ffmpeg.parent))
    assert FFmpegProvider(config={"ffmpeg_binary": "ffmpeg"}, env={}).ffmpeg == str(linked_ffmpeg)


def test_a_wrong_ffmpeg_binary_is_an_error_not_a_silent_fallback(tmp_path, media, outputs):
    provider = FFmpegProvider(env={"FFMPEG_BINARY": str(tmp_path / "no-ffmpeg")})
    with pytest.raises(ProviderUnavailableError, match="FFMPEG_BINARY"):
        provider.get_model("probe").transform(Video.from_path(media.clip))
    report = provider.health()
    assert report["ok"] is False
    assert "no-ffmpeg" in report["error"]


def test_a_binary_that_is_not_ffmpeg_is_unhealthy(tmp_path):
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho nope >&2\nexit 3\n")
    fake.chmod(0o755)
    report = FFmpegProvider(config={"ffmpeg_binary": str(fake)}, env={}).health()
    assert report["ok"] is False
    assert "does not run as FFmpeg" in report["error"]
