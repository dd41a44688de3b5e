"""The routing quick start runs as the README shows it, offline, through two providers.

`examples/talk.mp4` (12 KB) was made from espeak-ng's "one two three four five six
seven" (voice en-us, `tests/helpers/speech.synthesize`) over a navy 160x120 picture:

    ffmpeg -f lavfi -i color=c=navy:s=160x120:r=10 -i speech.wav -shortest
           -c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p
           -c:a aac -b:a 32k -ac 1 -movflags +faststart examples/talk.mp4
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mediaconduit.cli import main
from tests.conftest import ROOT
from tests.helpers.speech import words_recovered

SCRIPT = ROOT / "examples" / "routing.py"
PROJECT = ROOT / "examples" / "mediaconduit.yaml"
TALK = ROOT / "examples" / "talk.mp4"
SPOKEN = "one two three four five six seven"

pytestmark = pytest.mark.slow


def test_the_readme_shows_the_routing_example_as_it_is() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start: a job, not a vendor", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    assert blocks == [SCRIPT.read_text(encoding="utf-8")]


def test_the_routing_example_hears_the_clip_through_ffmpeg_then_local_speech(
        module_cache: Path) -> None:
    env = {**os.environ, "MEDIACONDUIT_CACHE_DIR": str(module_cache)}
    done = subprocess.run([sys.executable, str(SCRIPT)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == ("ffmpeg:extract-audio (extract-audio) -> "
                        "local-speech:pocketsphinx-en-us (automatic-speech-recognition)")
    heard = re.fullmatch(r"heard: '(.*)'", lines[1])
    assert heard and words_recovered(SPOKEN, heard[1]) >= 5
    assert lines[2] == "route: ['extract-audio', 'pocketsphinx-en-us'], cost: $0"


def test_do_prints_the_transcript_and_explains_both_steps(
        module_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["do", str(TALK), "--to", "text", "--explain", "--project", str(PROJECT),
                 "--cache-dir", str(module_cache)]) == 0
    captured = capsys.readouterr()
    assert words_recovered(SPOKEN, captured.out) >= 5
    assert "ffmpeg:extract-audio" in captured.err
    assert "local-speech:pocketsphinx-en-us" in captured.err
    assert "ffmpeg:probe" not in captured.err  # a probe is never a transcript


def test_the_readme_shows_the_speech_example_as_it_is() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start: speech in and out, offline", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    assert blocks == [(ROOT / "examples" / "speech.py").read_text(encoding="utf-8")]
