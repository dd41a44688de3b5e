"""`mediaconduit.testing`: the sample media, the media checks and the contract check."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mediaconduit.sdk import Audio, Image, Text, Video
from mediaconduit.testing import (
    ContractReport,
    assert_provider_contract,
    asset_problems,
    check_provider,
    sample_avi,
    sample_png,
    sample_wav,
    sniff,
    write_samples,
)
from mediaconduit.testing.media import describe_asset

# --- samples and media checks -------------------------------------------------------------------


def test_the_samples_are_real_media(tmp_path: Path) -> None:
    samples = write_samples(tmp_path)
    assert set(samples) == {"text", "image", "audio", "video"}
    for kind, sample in samples.items():
        assert sample.kind == kind
        assert asset_problems(sample, kind) == []
    assert [sniff(make()).name for make in (sample_png, sample_wav, sample_avi)] == [
        "PNG", "WAV", "AVI"]


def test_the_sample_wav_and_png_read_back() -> None:
    import io
    import wave

    with wave.open(io.BytesIO(sample_wav(seconds=0.5, rate=8000))) as audio:
        assert (audio.getnframes(), audio.getframerate()) == (4000, 8000)
    assert sample_png(7, 5)[16:24] == (7).to_bytes(4, "big") + (5).to_bytes(4, "big")


@pytest.mark.parametrize(("data", "name"), [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
    (b"GIF89a\x01\x00", "GIF"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "WebP"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00", "MP4"),
    (b"\x00\x00\x00\x1cftypavif\x00\x00", "AVIF"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "WebM"),
    (b"OggS\x00\x02", "Ogg"),
    (b"fLaC\x00\x00\x00\x22", "FLAC"),
    (b"ID3\x04\x00\x00", "MP3"),
    (b"\xff\xfb\x90\x64", "MP3"),
])
def test_formats_are_known_by_their_first_bytes(data: bytes, name: str) -> None:
    found = sniff(data)
    assert found is not None and found.name == name


def test_an_unknown_format_is_none() -> None:
    assert sniff(b"hello world, no magic here") is None


@pytest.mark.parametrize(("asset", "kind", "problem"), [
    (Text("a description"), "image", "it returned text, not image"),
    (Image.from_bytes(sample_png()), "video", "it returned image, not video"),
    (Text("   "), "text", "empty text"),
    (Image.from_bytes(sample_png(), "image/jpeg"), "image", "does not match its bytes"),
    (Image.from_bytes(sample_png(), "application/octet-stream"), "image", "not a image type"),
    (Image.from_bytes(b"not a picture at all"), "image", "no image format the kit knows"),
    (Video.from_bytes(sample_png(), "video/mp4"), "video", "its bytes are PNG"),
    (Audio.from_bytes(sample_wav()[:-100], "audio/wav"), "audio", "cut short"),
    (Image.from_bytes(sample_png()[:-12], "image/png"), "image", "does not end with an IEND chunk"),
    (Image.from_bytes(b"", "image/png"), "image", "empty (0 bytes)"),
    ("just a string", "text", "it returned str, not text"),
])
def test_a_bad_output_says_what_is_wrong(asset: object, kind: str, problem: str) -> None:
    problems = asset_problems(asset, kind)
    assert problems and any(problem in p for p in problems), problems


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    problems = asset_problems(Image.from_path(tmp_path / "gone.png"), "image")
    assert problems and "cannot be read" in problems[0]


def test_good_outputs_pass() -> None:
    assert asset_problems(Text("hi"), "text") == []
    assert asset_problems(Image.from_bytes(sample_png(), "image/png; charset=binary"),
                          "image") == []
    assert asset_problems(Audio.from_bytes(sample_wav(), "audio/x-wav"), "audio") == []
    assert asset_problems(Video.from_bytes(sample_avi(), "video/x-msvideo"), "video") == []
    assert describe_asset(Image.from_bytes(b"12345", "image/png")) == "image/png, 5 bytes"
    assert describe_asset(Text("hello")) == "text, 5 characters: 'hello'"
    assert describe_asset(Text("x" * 100)).endswith("xxx...'")


def test_the_kit_imports_without_pytest() -> None:
    code = ("import sys; sys.modules['pytest'] = None; "
            "import mediaconduit.testing as t; print(t.check_provider.__name__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "check_provider"


# --- the contract on real providers -------------------------------------------------------------

GOOD_MANIFEST = """\
id: {id}
name: Kit test
version: 0.1.0
type: local
capabilities: [{capabilities}]
entry: kit_provider:KitProvider
models:
{models}
"""

GOOD_CODE = '''
from mediaconduit.sdk import Image, Model, ModelInfo, ModelNotFoundError, Provider, Text

PNG = bytes.fromhex("{png}")


class Upper(Model):
    def transform(self, input, **params):
        return Text(input.text.upper())


class Size(Model):
    def transform(self, input, **params):
        return Text(f"width {{int.from_bytes(input.data[16:20], 'big')}}")


class Picture(Model):
    def transform(self, input, **params):
        return Image.from_bytes(PNG[: params.get("cut", len(PNG))], "image/png")


MODELS = {{"upper": (Upper, "text-to-text"), "size": (Size, "image-to-text"),
          "picture": (Picture, "text-to-image")}}


class KitProvider(Provider):
    def discover_models(self):
        return [ModelInfo(id=i, capabilities=[c]) for i, (_, c) in MODELS.items()]

    def get_model(self, model_id):
        if model_id not in MODELS:
            raise ModelNotFoundError(model_id)
        cls, capability = MODELS[model_id]
        return cls(ModelInfo(id=model_id, capabilities=[capability]), self)
'''

BROKEN_CODE = '''
from mediaconduit.sdk import Image, Model, ModelInfo, Provider, Text


class WrongKind(Model):
    def transform(self, input, **params):
        return Text("I was meant to draw")


class Mislabelled(Model):
    def transform(self, input, **params):
        return Image.from_bytes(bytes.fromhex("{png}"), "image/jpeg")


class Garbage(Model):
    def transform(self, input, **params):
        return Image.from_bytes(b"definitely not an image", "image/png")


class Explodes(Model):
    def transform(self, input, **params):
        raise RuntimeError("boom")


MODELS = {{"wrong-kind": WrongKind, "mislabelled": Mislabelled, "garbage": Garbage,
          "explodes": Explodes}}


class KitProvider(Provider):
    def discover_models(self):
        found = [ModelInfo(id=i, capabilities=["text-to-image"]) for i in MODELS]
        return found + [ModelInfo(id="outside", capabilities=["audio-to-text"])]

    def get_model(self, model_id):
        # Wrong on purpose: any id gets a model, so unknown ids are not refused.
        cls = MODELS.get(model_id, WrongKind)
        return cls(ModelInfo(id=model_id, capabilities=["text-to-image"]), self)
'''


def provider_repo(folder: Path, manifest: str, code: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "MediaConduit.provider.yml").write_text(manifest)
    (folder / "kit_provider.py").write_text(textwrap.dedent(code).format(png=sample_png().hex()))
    return folder


def models_yaml(*pairs: tuple[str, str]) -> str:
    return "\n".join(f"  - {{id: {i}, capabilities: [{c}]}}" for i, c in pairs)



@pytest.fixture
def good(tmp_path: Path) -> Path:
    manifest = GOOD_MANIFEST.format(
        id="kit-good", capabilities="text-to-text, image-to-text, text-to-image",
        models=models_yaml(("upper", "text-to-text"), ("picture", "text-to-image")))
    return provider_repo(tmp_path / "good", manifest, GOOD_CODE)


def check(report: ContractReport, name: str) -> tuple[bool, str]:
    (found,) = [c for c in report.checks if c.name == name]
    return found.passed, found.detail


@pytest.mark.slow
def test_a_good_provider_passes_every_check(good: Path, module_cache: Path) -> None:
    report = assert_provider_contract(good)
    assert report.ok and report.failures == ()
    assert report.models == ("upper", "size", "picture")
    names = [c.name for c in report.checks]
    assert "model upper: text in, text streamed" in names
    assert "model size: image in, text out" in names
    assert check(report, "model picture: text in, image out") == (True, "image/png, "
                                                                 f"{len(sample_png())} bytes")
    assert "0 failed" in report.format().splitlines()[0]


@pytest.mark.slow
def test_options_choose_models_params_and_samples(good: Path, module_cache: Path,
                                                  tmp_path: Path) -> None:
    picture = tmp_path / "given.png"
    picture.write_bytes(sample_png(3, 3))
    report = check_provider(str(good), models=["size", "picture", "nope"],
                            params={"picture": {"cut": 20}}, sample_inputs={"image": picture})
    assert not report.ok
    assert check(report, "model size: image in, text out") == (
        True, "text, 7 characters: 'width 3'")  # the given sample, not the kit's
    assert check(report, "model size: image in, text streamed")[0]
    passed, detail = check(report, "model picture: text in, image out")
    assert not passed and "cut short" in detail  # the params reached the model
    assert check(report, "the models asked for are listed") == (False, "nope")
    assert not any(c.name.startswith("model upper") for c in report.checks)


@pytest.mark.slow
def test_a_broken_provider_fails_with_every_reason(tmp_path: Path, module_cache: Path) -> None:
    manifest = GOOD_MANIFEST.format(id="kit-broken", capabilities="text-to-image",
                                    models=models_yaml(("listed-only", "text-to-image")))
    repo = provider_repo(tmp_path / "broken", manifest, BROKEN_CODE)
    report = check_provider(repo)
    failed = {c.name: c.detail for c in report.failures}
    assert "it returned text, not image" in failed["model wrong-kind: text in, image out"]
    assert "does not match its bytes" in failed["model mislabelled: text in, image out"]
    assert "no image format" in failed["model garbage: text in, image out"]
    assert "RuntimeError: boom" in failed["model explodes: text in, image out"]
    assert "outside has audio-to-text" in failed["model capabilities are among the manifest's"]
    assert "listed-only is in the manifest" in failed[
        "the manifest's static models are discovered"]
    assert "returned a model" in failed["an unknown model id raises ModelNotFoundError"]
    with pytest.raises(AssertionError, match="FAIL  model garbage"):
        assert_provider_contract(repo)


@pytest.mark.slow
def test_an_entry_that_does_not_import_stops_at_the_worker(tmp_path: Path,
                                                           module_cache: Path) -> None:
    manifest = GOOD_MANIFEST.format(id="kit-noimport", capabilities="text-to-text",
                                    models="  []")
    repo = provider_repo(tmp_path / "noimport", manifest, "import not_a_real_package_xyz\n")
    report = check_provider(repo)
    assert not report.ok
    assert report.checks[-1].name == "worker starts (environment, entry class)"
    assert "not_a_real_package_xyz" in report.checks[-1].detail


def test_an_invalid_manifest_fails_the_load_check(tmp_path: Path) -> None:
    repo = provider_repo(tmp_path / "bad", GOOD_MANIFEST.format(
        id="Bad_Id", capabilities="TEXT_TO_TEXT", models="  []"), GOOD_CODE)
    report = check_provider(repo)
    assert [c.name for c in report.checks] == ["load"]
    assert not report.ok and "write it as 'text-to-text'" in report.checks[0].detail
    assert "FAIL  load" in str(report)
