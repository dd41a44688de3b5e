"""Task names on static models (`models[i].tasks`): warnings with a did-you-mean, the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mediaconduit.cli import main
from mediaconduit.manifest import ManifestReport, check_manifest_text, json_schema
from mediaconduit.sdk.models import TASKS

MANIFEST = """\
id: speech
name: Speech
version: 0.1.0
type: local
capabilities: [audio-to-text, text-to-text]
entry: speech_provider:SpeechProvider
models:
  - id: listen
    capabilities: [audio-to-text]
    tasks: {tasks}
  - id: talk
    capabilities: [text-to-text]
"""


def check(tasks: str, *, strict: bool = False) -> ManifestReport:
    return check_manifest_text(MANIFEST.format(tasks=tasks), Path("m.yml"), strict=strict)


def test_an_unknown_task_is_a_warning_naming_the_closest_one() -> None:
    report = check("[automatic-speech-recognition, speach-recognition]")
    assert report.ok and report.manifest is not None
    [warning] = report.warnings
    assert (warning.loc, warning.line) == ("models[0].tasks[1]", 10)
    assert "'speach-recognition' is not a known task" in warning.message
    assert "did you mean 'automatic-speech-recognition'?" in warning.message
    assert report.manifest.models[0].tasks == (
        "automatic-speech-recognition", "speach-recognition")


def test_an_unknown_task_is_an_error_when_strict() -> None:
    report = check("[speach-recognition]", strict=True)
    assert report.manifest is None
    assert [(issue.loc, issue.line) for issue in report.errors] == [("models[0].tasks[0]", 10)]
    assert report.warnings == ()


@pytest.mark.parametrize("tasks", [
    "[x-mine]", "[automatic-speech-recognition, probe]", "[audio-to-image]", "[]",
])
def test_known_and_own_task_names_give_no_warning(tasks: str) -> None:
    report = check(tasks)
    assert report.ok, report.errors
    assert report.warnings == ()


def test_a_task_list_on_its_own_lines_is_located_by_line() -> None:
    report = check("\n      - text-generation\n      - trancsode")
    [warning] = report.warnings
    assert (warning.loc, warning.line) == ("models[0].tasks[1]", 12)
    assert "did you mean 'transcode'?" in warning.message


@pytest.mark.parametrize(("tasks", "loc", "fragment"), [
    ("text-generation", "models[0].tasks", "must be a list"),
    ("[{a: 1}]", "models[0].tasks[0]", "must be text"),
])
def test_tasks_that_are_not_a_list_of_names_are_errors(tasks: str, loc: str,
                                                       fragment: str) -> None:
    report = check(tasks)
    assert [issue.loc for issue in report.errors] == [loc]
    assert fragment in report.errors[0].message


def test_tasks_reach_the_facts_and_default_to_the_capabilitys_task() -> None:
    report = check("[x-mine, automatic-speech-recognition]")
    assert report.manifest is not None
    listen, talk = report.manifest.facts().models
    assert listen.tasks == ("x-mine", "automatic-speech-recognition")
    assert talk.tasks == ("text-generation",)


def test_the_cli_warns_and_names_the_task(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    path = tmp_path / "m.yml"
    path.write_text(MANIFEST.format(tasks="[speach-recognition]"))
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}:10: warning: models[0].tasks[0]: 'speach-recognition'" in out
    assert "automatic-speech-recognition" in out
    assert main(["validate", "--strict", str(path)]) == 1
    path.write_text(MANIFEST.format(tasks="[x-mine]"))
    assert main(["validate", "--strict", str(path)]) == 0


def test_the_schema_lists_the_task_vocabulary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == json_schema()
    tasks = schema["$defs"]["StaticModel"]["properties"]["tasks"]
    assert tasks["type"] == "array"
    items = tasks["items"]
    assert items["type"] == "string"
    assert set(TASKS) <= set(items["examples"])
    assert "x-my-task" in items["examples"]
    assert "enum" not in items  # an x- name, or an unknown one (a warning), stays valid
