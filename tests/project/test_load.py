"""`mediaconduit.yaml`: found upward, read safely, every problem named with its line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from mediaconduit.errors import ProjectError
from mediaconduit.project import find_project, load_project

DESIGN_EXAMPLE = """\
providers:
  - https://github.com/MediaConduit/openrouter-provider@v1
  - spec: https://github.com/MediaConduit/ffmpeg-provider
  - spec: ./providers/local-speech-provider
    config: {}
routing:
  prefer: [local, free, cheapest]      # order of preference among candidates
  allow_paid: false                     # never spend money unless this says so
  defaults:
    text-generation: openrouter:meta-llama/llama-3.3-70b-instruct:free
budget:
  daily_usd: 5
"""


def test_the_design_example_reads_as_written(tmp_path: Path) -> None:
    path = tmp_path / "mediaconduit.yaml"
    path.write_text(DESIGN_EXAMPLE)
    project = load_project(path)
    assert [p.spec for p in project.providers] == [
        "https://github.com/MediaConduit/openrouter-provider@v1",
        "https://github.com/MediaConduit/ffmpeg-provider", "./providers/local-speech-provider"]
    assert project.routing.prefer == ("local", "free", "cheapest")
    assert project.routing.allow_paid is False
    assert project.routing.pinned("text-generation") == (
        "openrouter", "meta-llama/llama-3.3-70b-instruct:free")
    assert project.budget.daily_usd == Decimal(5) and project.budget.limited
    assert project.root == tmp_path


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "mediaconduit.yaml"
    path.write_text("providers:\n  - spec: ./x\n    confg: {}\n  - 3\nrouting:\n"
                    "  allow_paid: maybe\n  defaults: {text-generation: llama}\n"
                    "budget: {daily_usd: -1}\n")
    with pytest.raises(ProjectError) as caught:
        load_project(path)
    message = str(caught.value)
    assert f"{path}:3: providers[0].confg: unknown key 'confg'" in message
    assert f"{path}:4: providers[1]: write a specifier" in message
    assert f"{path}:6: routing.allow_paid:" in message
    assert "write 'llama' as PROVIDER_ID:MODEL_ID" in message
    assert f"{path}:8: budget.daily_usd:" in message


def test_hostile_yaml_is_refused_not_run(tmp_path: Path) -> None:
    path = tmp_path / "mediaconduit.yaml"
    path.write_text("providers: !!python/object/apply:os.system ['touch pwned']\n")
    with pytest.raises(ProjectError, match=r"mediaconduit.yaml:1"):
        load_project(path)
    assert not (tmp_path / "pwned").exists()


def test_it_is_found_in_the_folder_or_above(tmp_path: Path) -> None:
    (tmp_path / "mediaconduit.yaml").write_text("providers: []\n")
    deeper = tmp_path / "a" / "b"
    deeper.mkdir(parents=True)
    assert find_project(deeper) == tmp_path / "mediaconduit.yaml"
    assert find_project(Path("/")) in (None, Path("/mediaconduit.yaml"))


def test_an_empty_file_is_an_empty_project(tmp_path: Path) -> None:
    path = tmp_path / "mediaconduit.yaml"
    path.write_text("")
    assert load_project(path).providers == ()
