"""The README's quick start runs as written: `python examples/quickstart.py` from the repo root.

It loads the FFmpeg provider from `./providers/ffmpeg-provider` (dev mode, no GitHub), takes
the audio and a frame out of `examples/clip.mp4`, and prints where they are. The README's
python block must be the script itself, so the two cannot drift apart.

`examples/clip.mp4` was made with the provider environment's FFmpeg:

    ffmpeg -f lavfi -i testsrc=size=160x120:rate=25:duration=2
           -f lavfi -i sine=frequency=440:sample_rate=44100:duration=2
           -c:v libx264 -crf 23 -pix_fmt yuv420p -c:a aac -b:a 48k -ac 1 -shortest
           -movflags +faststart -map_metadata -1 -fflags +bitexact
           -flags:v +bitexact -flags:a +bitexact examples/clip.mp4
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mediaconduit.environment import MARKER
from tests.conftest import ROOT
from tests.helpers import media

SCRIPT = ROOT / "examples" / "quickstart.py"
CLIP = ROOT / "examples" / "clip.mp4"
COMMAND = "python examples/quickstart.py"


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    return section.split("\n## ", 1)[0]


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def run_quickstart(cache: Path) -> dict[str, Path]:
    """Run the script as the README says; the paths it printed, by what they are."""
    env = {**os.environ, "MEDIACONDUIT_CACHE_DIR": str(cache)}
    env.pop("FFMPEG_BINARY", None)  # the provider's bundled FFmpeg, whatever the shell says
    done = subprocess.run([sys.executable, *COMMAND.split()[1:]], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    printed = re.findall(r"^(audio|frame): (\S+) ", done.stdout, re.MULTILINE)
    assert [kind for kind, _ in printed] == ["audio", "frame"], done.stdout
    return {kind: Path(path) for kind, path in printed}


def test_the_readme_shows_the_script_and_the_command() -> None:
    section = readme_section()
    assert code_blocks(section, "python") == [SCRIPT.read_text(encoding="utf-8")]
    assert code_blocks(section, "sh") == [COMMAND + "\n"]


def test_the_sample_clip_is_small_and_what_it_says(tmp_path: Path) -> None:
    facts = media.probe(media.provider_ffmpeg(tmp_path / "cache"), CLIP)
    assert CLIP.stat().st_size < 60_000
    assert [(s.type, s.codec) for s in facts.streams] == [("video", "h264"), ("audio", "aac")]
    assert facts.video.size == (160, 120)
    assert facts.duration == pytest.approx(2.0, abs=0.1)


def test_the_quickstart_gives_back_real_files(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    files = run_quickstart(cache)
    ffmpeg = media.provider_ffmpeg(cache)  # the environment the quick start built
    for path in files.values():
        assert path.is_file()
        assert path.is_relative_to(cache / "outputs")
    audio, frame = media.probe(ffmpeg, files["audio"]), media.probe(ffmpeg, files["frame"])
    assert (files["audio"].suffix, audio.kinds(), audio.audio.codec) == (".mp3", ["audio"], "mp3")
    assert audio.decoded == pytest.approx(2.0, abs=0.1)
    assert (files["frame"].suffix, frame.video.codec, frame.video.size) == (
        ".png", "png", (160, 120))
    assert files["frame"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_second_run_reuses_the_environment(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run_quickstart(cache)
    first = built_environments(cache)
    second = run_quickstart(cache)
    assert len(first) == 1
    assert built_environments(cache) == first
    assert second["audio"].is_file()


def built_environments(cache: Path) -> dict[str, tuple[bytes, int]]:
    """Per environment: its marker and when `pyvenv.cfg` was written (a rebuild changes both)."""
    return {env.name: ((env / MARKER).read_bytes(), (env / "pyvenv.cfg").stat().st_mtime_ns)
            for env in (cache / "envs").iterdir()}
