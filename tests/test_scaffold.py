"""`mediaconduit new`: names, rendering, refusals, git, and scaffolded repos that work."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from mediaconduit.cli import main
from mediaconduit.registry import ProviderRegistry
from mediaconduit.scaffold import (
    PLACEHOLDER,
    STAND_IN_EMAIL,
    Blueprint,
    ScaffoldError,
    derive_names,
    placeholders,
    plan_model,
    render,
    render_tree,
    scaffold,
    template_dir,
    template_files,
)
from mediaconduit.sdk import Image, Text
from mediaconduit.sdk.models import Capability
from mediaconduit.testing import asset_problems, check_provider
from tests.conftest import ROOT, publish
from tests.helpers.gitserver import GitServer

ALL = tuple(Capability)
FAMILIES = [
    ("text-to-text",), ("text-to-image",), ("text-to-audio",), ("text-to-video",),
    ("image-to-text",), ("audio-to-text",), ("video-to-text",),
    ("video-to-video", "image-to-audio", "audio-to-image"),
]


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def make(target: Path, name: str = "acme-widgets", *capabilities: str, **options: str) -> Path:
    caps = tuple(Capability(c) for c in capabilities) or (Capability.TEXT_TO_TEXT,)
    return scaffold(target, Blueprint(derive_names(name), caps, **options)).path



# --- names ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("acme-widgets", ("acme-widgets", "acme_widgets_provider", "AcmeWidgetsProvider",
                      "Acme Widgets", "acme-widgets-provider")),
    ("Acme Widgets", ("acme-widgets", "acme_widgets_provider", "AcmeWidgetsProvider",
                      "Acme Widgets", "acme-widgets-provider")),
    ("acme-widgets-provider", ("acme-widgets", "acme_widgets_provider", "AcmeWidgetsProvider",
                               "Acme Widgets", "acme-widgets-provider")),
    ("3D tools", ("3d-tools", "provider_3d_tools", "Provider3dTools", "3d Tools",
                  "3d-tools-provider")),
    ("Café__Noir!", ("cafe-noir", "cafe_noir_provider", "CafeNoirProvider", "Cafe Noir",
                     "cafe-noir-provider")),
])
def test_names_come_from_name(name: str, expected: tuple[str, ...]) -> None:
    names = derive_names(name)
    assert (names.id, names.package, names.class_name, names.title, names.folder) == expected
    assert names.package.isidentifier() and names.class_name.isidentifier()


@pytest.mark.parametrize("name", ["x", "!!!", "", "-", "é"])
def test_a_name_that_makes_no_id_is_refused(name: str) -> None:
    with pytest.raises(ScaffoldError, match="cannot make a provider id"):
        derive_names(name)


def test_a_name_too_long_for_an_id_is_refused() -> None:
    with pytest.raises(ScaffoldError, match="at most 64"):
        derive_names("a" * 65)


def test_every_capability_has_its_own_model() -> None:
    plans = [plan_model(capability) for capability in ALL]
    assert len({plan.id for plan in plans}) == len(ALL)
    assert [plan.capability for plan in plans] == list(ALL)
    assert plan_model(Capability.TEXT_TO_TEXT).id == "reverse"
    assert plan_model(Capability.IMAGE_TO_TEXT).id == "describe-image"


# --- rendering --------------------------------------------------------------------------------

def test_every_marker_is_filled_and_every_value_used(tmp_path: Path) -> None:
    blueprint = Blueprint(derive_names("acme-widgets"), ALL, "remote", "Jane Doe")
    values = placeholders(blueprint)
    written = render_tree(template_dir(), tmp_path, values)
    texts = {path: (tmp_path / path).read_text() for path in written}
    for path, text in texts.items():
        assert not PLACEHOLDER.search(str(path)), path
        assert not PLACEHOLDER.search(text), (path, PLACEHOLDER.search(text))
    template_text = "".join((template_dir() / p).read_text() + str(p)
                            for p in template_files(template_dir()))
    assert {m.group(1) for m in PLACEHOLDER.finditer(template_text)} == set(values)


def test_the_rendered_files(tmp_path: Path) -> None:
    repo = make(tmp_path / "out", "acme-widgets", "text-to-image", type="remote", author="Jane")
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*")
                  if p.is_file() and ".git" not in p.relative_to(repo).parts) == [
        ".github/workflows/validate.yml", ".gitignore", "MediaConduit.provider.yml",
        "README.md", "pyproject.toml", "src/acme_widgets_provider/__init__.py",
        "src/acme_widgets_provider/media.py", "src/acme_widgets_provider/provider.py",
        "tests/test_contract.py", "tests/test_models.py",
    ]
    manifest = yaml.safe_load((repo / "MediaConduit.provider.yml").read_text())
    assert manifest["entry"] == "acme_widgets_provider:AcmeWidgetsProvider"
    assert (manifest["type"], manifest["author"]) == ("remote", "Jane")
    assert manifest["capabilities"] == ["text-to-image"]
    assert [m["id"] for m in manifest["models"]] == ["swatch"]
    assert manifest["env"][0]["name"] == "ACME_WIDGETS_API_KEY"
    assert '"https://github.com/OWNER/acme-widgets-provider"' in (repo / "README.md").read_text()


def test_a_local_provider_declares_no_env_and_no_author_when_none(tmp_path: Path) -> None:
    repo = make(tmp_path / "out", "acme-widgets", author="")
    manifest = yaml.safe_load((repo / "MediaConduit.provider.yml").read_text())
    assert "env" not in manifest and "author" not in manifest


def test_the_workflow_validates_for_github_and_runs_the_tests(tmp_path: Path) -> None:
    repo = make(tmp_path / "out")
    workflow = yaml.safe_load((repo / ".github/workflows/validate.yml").read_text())
    assert "push" in workflow[True]  # YAML 1.1 reads the key `on` as true
    commands = [step.get("run", "") for step in workflow["jobs"]["validate"]["steps"]]
    assert "mediaconduit validate --format github ." in commands
    assert "mediaconduit validate --deep --format github ." in commands
    assert "pytest" in commands[-1]


def test_an_unknown_marker_is_an_error() -> None:
    assert render("id: {{id}}, ${{ github.sha }}", {"id": "x"}) == "id: x, ${{ github.sha }}"
    with pytest.raises(ScaffoldError, match=re.escape("{{nope}}")):
        render("{{nope}}", {})


# --- the command ------------------------------------------------------------------------------

def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["new", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_new_writes_the_default_folder_and_prints_the_next_steps(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "acme-widgets", "--author", "Jane")
    assert code == 0
    assert (tmp_path / "acme-widgets-provider" / "MediaConduit.provider.yml").is_file()
    assert "cd acme-widgets-provider" in out
    assert "mediaconduit validate ." in out and "python -m pytest" in out
    assert 'get_provider("./acme-widgets-provider")' in out


def test_a_non_empty_folder_is_refused(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    code, _, err = run_cli(capsys, "acme-widgets", "--dir", str(tmp_path))
    assert code == 1
    assert "is not empty" in err and "--dir" in err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_a_file_in_the_way_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").write_text("")
    code, _, err = run_cli(capsys, "acme-widgets", "--dir", str(tmp_path / "taken"))
    assert code == 1 and "not a folder" in err


def test_an_empty_folder_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    code, _, _ = run_cli(capsys, "acme-widgets", "--dir", str(target), "--author", "x")
    assert code == 0 and (target / "src" / "acme_widgets_provider" / "provider.py").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]  # no staging folder left


def test_a_misspelt_capability_names_the_right_one_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out"
    code, _, err = run_cli(capsys, "acme-widgets", "--dir", str(target),
                           "--capability", "TEXT_TO_IMAGE")
    assert code == 1 and "write it as 'text-to-image'" in err
    assert not target.exists()


def test_a_bad_name_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "!")
    assert code == 1 and "cannot make a provider id from '!'" in err


def test_without_a_terminal_nothing_is_asked(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mediaconduit", "new", "quiet", "--dir", str(tmp_path / "q")],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "Type" not in result.stdout and "Capabilities" not in result.stdout
    manifest = yaml.safe_load((tmp_path / "q" / "MediaConduit.provider.yml").read_text())
    assert (manifest["type"], manifest["capabilities"]) == ("local", ["text-to-text"])


def test_on_a_terminal_the_missing_options_are_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from mediaconduit.cli import cli

    monkeypatch.setattr("mediaconduit.cli.new.interactive", lambda: True)
    answers = "remote\ntext-to-image, audio-to-text\nJane Doe\n"
    result = CliRunner().invoke(cli, ["new", "asked", "--dir", str(tmp_path / "a")],
                                input=answers)
    assert result.exit_code == 0, result.output
    assert "Type" in result.output and "Capabilities" in result.output
    manifest = yaml.safe_load((tmp_path / "a" / "MediaConduit.provider.yml").read_text())
    assert manifest["type"] == "remote" and manifest["author"] == "Jane Doe"
    assert manifest["capabilities"] == ["text-to-image", "audio-to-text"]


# --- git ----------------------------------------------------------------------------------------

def test_the_folder_is_a_git_repository_with_one_clean_commit(tmp_path: Path) -> None:
    result = scaffold(tmp_path / "out", Blueprint(derive_names("acme-widgets")))
    assert git(result.path, "rev-list", "--count", "HEAD") == "1"
    assert git(result.path, "rev-parse", "HEAD") == result.commit
    assert git(result.path, "status", "--porcelain") == ""
    assert "MediaConduit.provider.yml" in git(result.path, "ls-files").split()


def test_a_commit_is_made_when_git_has_no_identity(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                 "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    result = scaffold(tmp_path / "out", Blueprint(derive_names("acme-widgets"), author="Jane"))
    assert result.commit is not None
    assert git(result.path, "log", "-1", "--format=%an <%ae>") == f"Jane <{STAND_IN_EMAIL}>"
    assert any("stand-in" in note for note in result.notes)


def test_the_configured_identity_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Real Person\n\temail = real@example.org\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                 "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    result = scaffold(tmp_path / "out", Blueprint(derive_names("acme-widgets")))
    assert git(result.path, "log", "-1", "--format=%an <%ae>") == "Real Person <real@example.org>"
    assert result.notes == ()


# --- a broken manifest in CI --------------------------------------------------------------------

def test_a_broken_manifest_is_a_github_annotation_on_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make(tmp_path / "out")
    manifest = repo / "MediaConduit.provider.yml"
    lines = manifest.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("capabilities:"))
    lines[number - 1] = "capabilities: [TEXT_TO_TEXT]"
    manifest.write_text("\n".join(lines) + "\n")
    code = main(["validate", "--format", "github", str(repo)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"::error file={manifest},line={number}::" in out
    assert "write it as 'text-to-text'" in out


# --- scaffolded repositories work -------------------------------------------------------------

def run_pytest(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=repo, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("capabilities", FAMILIES, ids="+".join)
def test_each_family_validates_and_its_own_tests_pass(
        tmp_path: Path, module_cache: Path, capsys: pytest.CaptureFixture[str],
        capabilities: tuple[str, ...]) -> None:
    repo = make(tmp_path / "out", "family", *capabilities)
    assert main(["validate", "--strict", str(repo)]) == 0, capsys.readouterr().out
    result = run_pytest(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout


@pytest.mark.slow
def test_new_then_validate_then_pytest_as_a_user_would(tmp_path: Path, module_cache: Path) -> None:
    def cli(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "mediaconduit", *args], cwd=cwd,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=300, check=False)

    assert cli("new", "acme-widgets").returncode == 0
    checked = cli("validate", "acme-widgets-provider")
    assert checked.returncode == 0 and "1 valid" in checked.stdout, checked.stdout
    result = run_pytest(tmp_path / "acme-widgets-provider")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_it_loads_by_path_and_by_url(tmp_path: Path, module_cache: Path,
                                     git_server: GitServer) -> None:
    repo = make(tmp_path / "everything-provider", "everything", *(c.value for c in ALL))
    with ProviderRegistry(module_cache) as registry:
        local = registry.get_provider(str(repo))
        assert local.commit == git(repo, "rev-parse", "HEAD")
        image = local.get_model("swatch").transform(Text("sunset"), width=20, height=10)
        assert isinstance(image, Image) and asset_problems(image, "image") == []
        commit = publish(git_server, str(repo), "Acme/everything-provider")
        remote = registry.get_provider("https://github.com/Acme/everything-provider")
        assert (remote.id, remote.commit) == ("everything", commit)
        assert {m.id for m in remote.wait_for_models()} == {m.id for m in local.models}
        assert remote.get_model("reverse").transform("abc") == Text("cba")
    report = check_provider("https://github.com/Acme/everything-provider")
    assert report.ok, report.format()
    assert len(report.models) == len(ALL)


# --- the installed package carries the template -------------------------------------------------

@pytest.mark.slow
def test_the_wheel_carries_the_template(tmp_path: Path) -> None:
    from uv import find_uv_bin

    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    for name in ("mediaconduit", "provider-template"):
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run([find_uv_bin(), "build", "--wheel", "-q", "-o", str(tmp_path / "dist")],
                   cwd=source, env=env, check=True, timeout=300, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"mediaconduit/provider_template/{p.as_posix()}"
                for p in template_files(template_dir())}
    assert expected <= names
    assert "mediaconduit/provider_template/.github/workflows/validate.yml" in names
    # Installed (unpacked first on the path), the package finds the template inside itself.
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    code = "from mediaconduit.scaffold import template_dir; print(template_dir())"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           cwd=tmp_path, env={**env, "PYTHONPATH": str(tmp_path / "site")},
                           check=True)
    assert found.stdout.strip() == str(tmp_path / "site" / "mediaconduit" / "provider_template")
