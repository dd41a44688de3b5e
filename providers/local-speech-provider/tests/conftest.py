"""Fixtures: the provider's `src/` on sys.path, speech made by its own engine.

These tests run in the provider's own environment (espeakng-loader, pocketsphinx,
imageio-ffmpeg). MediaConduit's dev venv lacks imageio-ffmpeg, so there they skip; the
host's tests/test_local_speech_provider.py runs them in an environment with this
provider's dependencies.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("imageio_ffmpeg")
pytest.importorskip("espeakng_loader")
pytest.importorskip("pocketsphinx")

PROVIDER_ROOT = Path(__file__).resolve().parents[1]
if str(PROVIDER_ROOT / "src") not in sys.path:
    sys.path.insert(0, str(PROVIDER_ROOT / "src"))

SEVEN = "one two three four five six seven"


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@pytest.fixture(scope="session")
def seven_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from local_speech_provider.engine import audio, espeak

    spoken = espeak.synthesize(SEVEN)
    path = tmp_path_factory.mktemp("speech") / "seven.wav"
    path.write_bytes(audio.wav_bytes(spoken.pcm, spoken.sample_rate))
    return path


@pytest.fixture(scope="session")
def long_wav(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str, seven_wav: Path) -> Path:
    """`SEVEN` followed by silence, 12 s in all."""
    target = tmp_path_factory.mktemp("speech") / "long.wav"
    subprocess.run([ffmpeg, "-nostdin", "-y", "-loglevel", "error", "-i", str(seven_wav),
                    "-af", "apad=whole_dur=12", str(target)], check=True)
    return target


@pytest.fixture
def outputs(tmp_path: Path) -> Iterator[Path]:
    from mediaconduit.sdk.assets import call_outputs

    with call_outputs(tmp_path / "outputs"):
        yield tmp_path / "outputs"
