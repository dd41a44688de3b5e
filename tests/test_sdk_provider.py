"""The provider a stranger writes from DESIGN §2 runs, unchanged, against the SDK in process."""

from __future__ import annotations

import ast
import sys
import types

import pytest

from mediaconduit.sdk import Model, ModelInfo, ModelNotFoundError, Provider, Text
from mediaconduit.sdk.errors import AuthenticationError
from tests.conftest import ROOT

DESIGN = ROOT.parent / "shared" / "DESIGN.md"
EXAMPLE = ROOT / "tests" / "data" / "design_sdk_example.py"  # DESIGN §2's block, verbatim


@pytest.mark.skipif(not DESIGN.exists(), reason="no ../shared beside the repository (as in CI)")
def test_the_copy_of_the_design_example_is_current() -> None:
    text = DESIGN.read_text()
    start = text.index("# src/reverse_provider/__init__.py")
    assert EXAMPLE.read_text() == text[start:text.index("```", start)]


def test_design_example_runs_unchanged() -> None:
    source = EXAMPLE.read_text()
    ast.parse(source)
    module = types.ModuleType("reverse_provider_from_design")
    exec(compile(source, "DESIGN.md", "exec"), module.__dict__)
    provider = module.ReverseProvider()
    assert [m.id for m in provider.discover_models()] == ["reverse"]
    assert provider.get_model("reverse").transform(Text("stressed")).text == "desserts"
    with pytest.raises(ModelNotFoundError):
        provider.get_model("forward")


class Upper(Model):
    def transform(self, input: Text, **params: object) -> Text:  # type: ignore[override]
        return Text(input.text.upper())


def test_stream_defaults_to_the_whole_transform() -> None:
    model = Upper(ModelInfo("upper", capabilities=["text-to-text"]))
    assert list(model.stream(Text("abc"))) == ["ABC"]
    assert model.id == "upper"


def test_provider_settings_and_required_env() -> None:
    provider = Provider(config={"base_url": "http://x"}, env={"API_KEY": "k", "BASE_URL": "y"})
    assert provider.setting("base_url") == "http://x"
    assert provider.setting("api_key") == "k"
    assert provider.setting("missing", "d") == "d"
    assert provider.require_env("API_KEY") == "k"
    with pytest.raises(AuthenticationError, match="OTHER_KEY is not set"):
        provider.require_env("OTHER_KEY")


def test_default_discovery_lists_the_manifest_models() -> None:
    class Static(Provider):
        manifest = {"models": [{"id": "a", "capabilities": ["text-to-image"],  # noqa: RUF012
                                "pricing": {"image": "0"}}]}

    (info,) = Static().discover_models()
    assert info.capabilities == ("text-to-image",)
    assert info.free is True


def test_sdk_imports_only_the_standard_library() -> None:
    import subprocess

    code = ("import sys; import mediaconduit.sdk, mediaconduit.sdk._worker; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('pydantic', 'yaml', 'httpx', 'git', 'click', 'rich', 'filelock', 'packaging')]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
