"""Small helpers shared by the provider's tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from chatterbox_provider import ChatterboxProvider
from fake_chatterbox import host_helper

from mediaconduit.sdk import Audio

SEVEN = "one two three four five six seven"
#: the `make_provider` fixture: `make_provider(fake, api=None, **config)`
MakeProvider = Callable[..., ChatterboxProvider]


def speak(provider: ChatterboxProvider, text: str = "hello there", **params: Any) -> Audio:
    audio = provider.get_model("chatterbox").transform(text, **params)
    assert isinstance(audio, Audio) and audio.path is not None
    return audio


def heard(path: Path | None) -> int:
    """How many of the seven words the recogniser hears in the file."""
    speech = host_helper("speech")
    text, _words = speech.recognize(path)
    return int(speech.words_recovered(SEVEN, text))


def reference_voice(folder: Path, name: str = "voice.wav") -> Path:
    """A real spoken WAV to clone."""
    speech = host_helper("speech")
    path = folder / name
    path.write_bytes(speech.synthesize("this is the voice to clone", "en-us+f2"))
    return path
