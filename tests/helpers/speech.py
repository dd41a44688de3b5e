"""Real speech for fake speech servers: espeak-ng speaks, pocketsphinx listens.

The fakes of Whisper, Kokoro and Chatterbox must "really speak": return audio that is
real synthesized speech, and text really recognised from what was uploaded. They do it
with the engines of the embedded `local-speech` provider, imported from
`providers/local-speech-provider/src` (the provider stays self-contained; this module
only borrows its engine package, which never imports MediaConduit).

Interface (all thread-safe; engines load on first use):

- `synthesize(text, voice=None, *, rate=None, pitch=None, format="wav", sample_rate=None)
  -> bytes`: the text spoken by espeak-ng. `voice` is an espeak-ng voice name (`en-us`,
  `en-us+f3`, see `voices()`; None = `en-us+f5`, the one recognised best); `format` is
  `wav` (16-bit mono), `pcm` (raw s16le), or anything FFmpeg encodes by extension: `mp3`,
  `opus`, `aac`, `flac`, `ogg`. `sample_rate` resamples (None = espeak's 22050 Hz).
- `recognize(audio) -> (text, words)`: `audio` is bytes of any format FFmpeg decodes, or
  a path; `words` is a list of `{"word", "start", "end"}` dicts (seconds). Lower case,
  no punctuation (pocketsphinx's en-US model).
- `voices() -> list[str]`: every espeak-ng voice name. `ENGLISH_VOICES`: a few that
  pocketsphinx recognises well (see the local-speech README for the measurements), handy
  for mapping a server's voice names (`af_bella`, `Emily.wav`) onto real voices with
  `voice_for(name)`.
- `word_error_rate(reference, hypothesis) -> float` and `words_recovered(reference,
  hypothesis) -> int`, for asserting that a round trip kept the words.
- `ffmpeg() -> str`: the FFmpeg binary used (`MEDIACONDUIT_TEST_FFMPEG`, else an
  `ffmpeg` on PATH, else imageio-ffmpeg's, from an environment the host builds once per
  test process, because the host's own venv must never have imageio-ffmpeg).
- `requires_engines`: a pytest mark that skips when espeakng-loader or pocketsphinx is
  missing from the dev venv.

Needs in the dev venv: `espeakng-loader`, `pocketsphinx`.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

import pytest

_SRC = Path(__file__).resolve().parents[2] / "providers" / "local-speech-provider" / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from local_speech_provider.engine import audio, espeak, sphinx  # noqa: E402

__all__ = ["ENGLISH_VOICES", "ffmpeg", "recognize", "requires_engines", "synthesize",
           "voice_for", "voices", "word_error_rate", "words_recovered"]

#: English voices that survive the espeak -> pocketsphinx round trip best (word error rates
#: 0.29, 0.30, 0.52 over eight sentences; plain en-us 0.69: see the local-speech README).
ENGLISH_VOICES = ("en-us+f5", "en-us+f2", "en-us+klatt")

requires_engines = pytest.mark.skipif(
    importlib.util.find_spec("espeakng_loader") is None
    or importlib.util.find_spec("pocketsphinx") is None,
    reason="speech engines missing from the dev venv (pip install espeakng-loader pocketsphinx)",
)


@functools.lru_cache(maxsize=1)
def ffmpeg() -> str:
    """The FFmpeg binary for decoding and encoding (found or built once per process)."""
    configured = os.environ.get("MEDIACONDUIT_TEST_FFMPEG") or shutil.which("ffmpeg")
    if configured:
        return configured
    root = Path(tempfile.gettempdir()) / f"mediaconduit-speech-ffmpeg-{os.getuid()}"
    return _media_helper().provider_ffmpeg(root)


def _media_helper() -> Any:
    """`tests/helpers/media.py`, also where `tests` is a provider's own folder."""
    try:
        from tests.helpers import media
    except ImportError:
        path = Path(__file__).with_name("media.py")
        spec = importlib.util.spec_from_file_location("_mediaconduit_test_media", path)
        assert spec is not None and spec.loader is not None
        media = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(media)
    return media


def voices() -> list[str]:
    """Every voice name espeak-ng knows (languages, then `en-us+<variant>`)."""
    return [voice.name for voice in espeak.voices()]


def voice_for(name: str | None) -> str:
    """A stable English espeak voice for a server's voice name (None -> `en-us+f5`)."""
    if not name:
        return ENGLISH_VOICES[0]
    return ENGLISH_VOICES[zlib.crc32(name.encode()) % len(ENGLISH_VOICES)]


def synthesize(text: str, voice: str | None = None, *, rate: int | None = None,
               pitch: int | None = None, format: str = "wav",
               sample_rate: int | None = None) -> bytes:
    """`text` spoken by espeak-ng, as `format` bytes (see the module docstring)."""
    speech = espeak.synthesize(text, voice or espeak.DEFAULT_VOICE,
                               rate or espeak.DEFAULT_RATE,
                               espeak.DEFAULT_PITCH if pitch is None else pitch)
    if format == "pcm" and sample_rate in (None, speech.sample_rate):
        return speech.pcm
    wav = audio.wav_bytes(speech.pcm, speech.sample_rate)
    if format == "wav" and sample_rate in (None, speech.sample_rate):
        return wav
    return _encode(wav, format, sample_rate)


def _encode(wav: bytes, fmt: str, sample_rate: int | None) -> bytes:
    rate = ["-ar", str(sample_rate)] if sample_rate else []
    muxer = {"pcm": ["-f", "s16le"], "wav": ["-f", "wav"], "aac": ["-f", "adts"],
             "opus": ["-c:a", "libopus", "-f", "ogg"]}.get(fmt, ["-f", fmt])
    command = [ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "-",
               *rate, *muxer, "-"]
    done = subprocess.run(command, input=wav, capture_output=True, check=False)
    if done.returncode != 0 or not done.stdout:
        raise ValueError(f"FFmpeg cannot encode {fmt!r}: {done.stderr.decode(errors='replace')}")
    return done.stdout


def recognize(source: bytes | str | Path) -> tuple[str, list[dict[str, object]]]:
    """The words pocketsphinx hears in `source` (bytes of any format, or a path)."""
    if isinstance(source, bytes):
        with tempfile.NamedTemporaryFile(suffix=".audio") as handle:
            handle.write(source)
            handle.flush()
            return recognize(handle.name)
    found = sphinx.recognize_pcm(audio.pcm_chunks(source, binary=ffmpeg()))
    return " ".join(w.word for w in found), [w.as_dict() for w in found]


_WORD = re.compile(r"[a-z0-9']+")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words in `reference`; case is ignored."""
    ref, hyp = _tokens(reference), _tokens(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1] / max(len(ref), 1)


def words_recovered(reference: str, hypothesis: str) -> int:
    """How many words of `reference` appear in `hypothesis`, in order (longest common run)."""
    ref, hyp = _tokens(reference), _tokens(hypothesis)
    row = [0] * (len(hyp) + 1)
    for word in ref:
        diagonal = 0
        for j, other in enumerate(hyp, 1):
            diagonal, row[j] = row[j], diagonal + 1 if word == other else max(row[j], row[j - 1])
    return row[-1]
