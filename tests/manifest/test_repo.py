from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mediaconduit.cli import main
from mediaconduit.errors import ManifestError
from mediaconduit.manifest import MANIFEST_NAME, ManifestReport, check_manifest_text
from mediaconduit.manifest.repo import check_paths, check_repo, repo_dependencies

# The project's copy of the shared corpus (tests/data/manifests); test_corpus_is_current
# checks it against ../shared when that is beside the repository.
CORPUS = Path(__file__).parents[1] / "data" / "manifests"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "manifests"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())

def _files(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared beside the repository (as in CI)")
def test_corpus_is_current() -> None:
    assert _files(CORPUS) == _files(SHARED)


def test_corpus_is_complete() -> None:
    assert len(EXPECTED) == 23
    assert all((CORPUS / name).is_file() for name in EXPECTED)


MINIMAL = """\
id: reverse
name: Reverse
version: 0.1.0
type: local
capabilities: [text-to-text]
entry: reverse_provider:ReverseProvider
"""


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["validate", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def matches(expected: str, reported: str) -> bool:
    """The README's rule: equal, or continuing it with `.` or `[`."""
    return reported == expected or (
        expected != "" and reported.startswith((expected + ".", expected + "["))
    )


def check_expectations(result: dict[str, Any], expected: dict[str, Any], strict: bool) -> None:
    valid = expected.get("strict_valid", expected["valid"]) if strict else expected["valid"]
    assert result["valid"] is valid, result
    errors, warnings = result["errors"], result["warnings"]
    assert bool(errors) is not valid
    for loc in expected.get("errors", []):
        assert any(matches(loc, error["loc"]) for error in errors), (loc, errors)
    for loc in expected.get("warnings", []) if not strict else []:
        assert any(matches(loc, warning["loc"]) for warning in warnings), (loc, warnings)
    for loc, line in zip(expected.get("errors", []), expected.get("lines", []), strict=False):
        assert line in [e["line"] for e in errors if matches(loc, e["loc"])], (loc, line, errors)
    if "lines_any_of" in expected:
        assert any(error["line"] in expected["lines_any_of"] for error in errors), errors
    for text in expected.get("message_contains", []):
        assert any(text in error["message"] for error in errors), (text, errors)


# --- the shared corpus --------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_through_the_cli(capsys: pytest.CaptureFixture[str], name: str) -> None:
    expected = EXPECTED[name]
    path = CORPUS / name
    code, output = run_json(capsys, str(path))
    [result] = output["files"]
    assert result["path"] == str(path)
    assert code == (0 if expected["valid"] else 1)
    check_expectations(result, expected, strict=False)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_strict(capsys: pytest.CaptureFixture[str], name: str) -> None:
    expected = EXPECTED[name]
    code, output = run_json(capsys, "--strict", str(CORPUS / name))
    check_expectations(output["files"][0], expected, strict=True)
    assert code == (0 if expected.get("strict_valid", expected["valid"]) else 1)


def test_corpus_in_one_subprocess() -> None:
    names = sorted(EXPECTED)
    process = subprocess.run(
        [sys.executable, "-m", "mediaconduit", "validate", "--format", "json", *names],
        cwd=CORPUS, capture_output=True, text=True, timeout=60, check=False,
    )
    assert process.returncode == 1, process.stderr
    assert "Traceback" not in process.stderr
    files = json.loads(process.stdout)["files"]
    assert [result["path"] for result in files] == names
    for name, result in zip(names, files, strict=True):
        check_expectations(result, EXPECTED[name], strict=False)


def test_paths_stay_as_given(capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    code, output = run_json(capsys, "invalid/bad-type.yml")
    assert code == 1
    assert output == {"files": [{
        "path": "invalid/bad-type.yml", "valid": False,
        "errors": [{"loc": "type", "line": 4,
                    "message": "type must be 'remote' or 'local', not 'cloud'"}],
        "warnings": [],
    }]}


def test_all_valid_files_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    valid = [str(CORPUS / name) for name, e in sorted(EXPECTED.items()) if e["valid"]]
    assert main(["validate", *valid]) == 0
    summary = f"checked {len(valid)} manifests: {len(valid)} valid, 0 invalid"
    assert summary in capsys.readouterr().out


# --- exit codes and formats ---------------------------------------------------------------

def write(folder: Path, text: str, name: str = MANIFEST_NAME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_usage_errors_exit_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["validate"]) == 2
    assert main(["validate", str(tmp_path / "nope.yml")]) == 2
    assert main(["validate", "--format", "xml", str(tmp_path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_folder_without_a_manifest_fails(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"no {MANIFEST_NAME} in this folder" in out


@pytest.mark.parametrize("content", [
    b"", b"\x00\x01\x02\xff\xfe", b"\xef\xbb\xbf", b"- - - -", b"[" * 5000, b"a: !!binary x",
    b"id: !!python/object/apply:os.system ['true']",
])
def test_odd_files_fail_without_a_traceback(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                            content: bytes) -> None:
    path = tmp_path / "odd.yml"
    path.write_bytes(content)
    for output in ("text", "json", "github"):
        assert main(["validate", "--format", output, str(path)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err


def test_huge_files_fail_fast(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "#" * (1024 * 1024))
    assert main(["validate", str(path)]) == 1
    assert "256 KiB" in capsys.readouterr().out


def test_a_bug_in_a_check_is_a_failure_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    def broken(path: Path, *, strict: bool = False) -> ManifestReport:
        raise RuntimeError("boom")

    monkeypatch.setattr("mediaconduit.manifest.repo.check_path", broken)
    assert main(["validate", str(tmp_path)]) == 1
    assert "internal error while checking this path (RuntimeError: boom)" in capsys.readouterr().out


# --- repositories -------------------------------------------------------------------------

def repo(tmp_path: Path, manifest: str = MINIMAL) -> Path:
    root = tmp_path / "repo"
    write(root, manifest)
    return root


def errors(report: ManifestReport) -> list[tuple[str, int | None]]:
    return [(issue.loc, issue.line) for issue in report.errors]


def test_a_repo_needs_its_entry_module(tmp_path: Path) -> None:
    report = check_repo(repo(tmp_path))
    assert errors(report) == [("entry", 6)]
    assert "reverse_provider.py" in report.errors[0].message
    assert report.manifest is None


@pytest.mark.parametrize("where", [
    "reverse_provider.py", "reverse_provider/__init__.py",
    "src/reverse_provider.py", "src/reverse_provider/__init__.py",
])
def test_the_entry_module_may_live_at_the_root_or_in_src(tmp_path: Path, where: str) -> None:
    root = repo(tmp_path)
    (root / where).parent.mkdir(parents=True, exist_ok=True)
    (root / where).write_text("class ReverseProvider: ...\n")
    report = check_repo(root)
    assert report.ok, report.errors
    assert report.manifest is not None


def test_a_dotted_entry_module(tmp_path: Path) -> None:
    manifest = MINIMAL.replace("reverse_provider:", "pkg.sub.mod:")
    root = repo(tmp_path, manifest)
    assert not check_repo(root).ok
    (root / "src/pkg/sub").mkdir(parents=True)
    (root / "src/pkg/sub/mod.py").write_text("")
    assert check_repo(root).ok


def test_dependencies_in_both_places_are_an_error(tmp_path: Path) -> None:
    manifest = MINIMAL + "dependencies:\n  - httpx>=0.27\n"
    root = repo(tmp_path, manifest)
    (root / "reverse_provider.py").write_text("")
    (root / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["httpx"]\n')
    report = check_repo(root)
    assert errors(report) == [("dependencies", 7)]
    assert "keep them in pyproject.toml" in report.errors[0].message
    parsed = check_manifest_text(manifest, Path("m.yml")).manifest
    assert parsed is not None
    with pytest.raises(ManifestError, match="both"):
        repo_dependencies(root, parsed)


def test_where_dependencies_come_from(tmp_path: Path) -> None:
    text = MINIMAL + "dependencies: [httpx>=0.27]\n"
    manifest = check_manifest_text(text, Path("m.yml")).manifest
    bare = check_manifest_text(MINIMAL, Path("m.yml")).manifest
    assert manifest is not None and bare is not None
    tmp_path.joinpath("pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    assert repo_dependencies(tmp_path, manifest) == ["httpx>=0.27"]
    tmp_path.joinpath("pyproject.toml").write_text('[project]\ndependencies = ["rich>=13"]\n')
    assert repo_dependencies(tmp_path, bare) == ["rich>=13"]
    tmp_path.joinpath("pyproject.toml").unlink()
    assert repo_dependencies(tmp_path, bare) == []


@pytest.mark.parametrize(("pyproject", "fragment"), [
    ("[project\n", "cannot be read"),
    ('[project]\ndynamic = ["dependencies"]\n', "dynamic"),
    ('[project]\ndependencies = "httpx"\n', "must be a list"),
    ('[project]\ndependencies = ["httpx >>= 1"]\n', "dependencies[0]"),
])
def test_bad_pyproject_files_are_reported(tmp_path: Path, pyproject: str, fragment: str) -> None:
    root = repo(tmp_path)
    (root / "reverse_provider.py").write_text("")
    (root / "pyproject.toml").write_text(pyproject)
    report = check_repo(root)
    assert [issue.loc for issue in report.errors] == [""]
    assert fragment in report.errors[0].message
    bare = check_manifest_text(MINIMAL, Path("m.yml")).manifest
    assert bare is not None
    with pytest.raises(ManifestError, match=r"pyproject\.toml"):
        repo_dependencies(root, bare)


def test_check_paths_takes_folders_and_files(tmp_path: Path) -> None:
    root = repo(tmp_path)
    other = write(tmp_path / "elsewhere", MINIMAL, "provider.yml")
    reports = check_paths([root, root / MANIFEST_NAME, other], strict=False)
    manifest = root / MANIFEST_NAME
    assert [report.path for report in reports] == [manifest, manifest, other]
    assert [report.ok for report in reports] == [False, False, True]
    assert errors(reports[1]) == [("entry", 6)]


def test_strict_repo_check(tmp_path: Path) -> None:
    root = repo(tmp_path, MINIMAL + "extra: 1\n")
    (root / "reverse_provider.py").write_text("")
    assert check_repo(root).ok
    assert errors(check_repo(root, strict=True)) == [("extra", 7)]


def test_a_bad_manifest_skips_the_repo_checks(tmp_path: Path) -> None:
    report = check_repo(repo(tmp_path, MINIMAL.replace("local", "cloud")))
    assert errors(report) == [("type", 4)]


# --- schema -------------------------------------------------------------------------------

def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "MediaConduit provider manifest v1"
    assert schema["type"] == "object"
    assert set(schema["required"]) == {"id", "name", "version", "type", "capabilities", "entry"}
    assert set(schema["properties"]) == {
        "id", "name", "version", "type", "capabilities", "entry", "description", "author",
        "homepage", "license", "mediaconduit", "python", "dependencies", "env", "models", "config",
    }
    assert schema["properties"]["type"]["enum"] == ["remote", "local"]
    assert schema["properties"]["id"]["maxLength"] == 64
    assert "text-to-text" in schema["$defs"]["Capability"]["enum"]
    assert set(schema["$defs"]["StaticModel"]["properties"]) >= {
        "id", "name", "capabilities", "pricing", "parameters",
    }
