"""What both servers' backends share: the voice list (cached) and the result of a call."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chatterbox_provider.request import SpeechRequest
from chatterbox_provider.transport import Transport
from chatterbox_provider.voices import match_voice, unknown_voice


@dataclasses.dataclass(frozen=True)
class Spoken:
    """What a server made: bytes written to the file, its type, and facts for metadata."""

    written: int
    mime_type: str
    facts: dict[str, Any]
    audio_seconds: float | None = None


class Backend:
    """One server kind. Subclasses say how to list voices and how to speak."""

    api = ""

    def __init__(self, transport: Transport, route: str = "tts", stream_format: str = "audio"):
        self.transport = transport
        self.route = route
        self.stream_format = stream_format
        self._voices: list[str] | None = None
        self._lock = threading.Lock()

    def list_voices(self) -> list[str]:
        raise NotImplementedError

    def speak(self, request: SpeechRequest, target: Path) -> Spoken:
        raise NotImplementedError

    def server_facts(self) -> dict[str, Any]:
        """What the server says about itself (its model, device)."""
        return {}

    def voices(self, refresh: bool = False) -> list[str]:
        """The server's voices, fetched once (again with `refresh`)."""
        with self._lock:
            if self._voices is None or refresh:
                self._voices = self.list_voices()
            return list(self._voices)

    def resolve_voice(self, voice: str, extra: tuple[str, ...] = ()) -> str:
        """The listed name for `voice` (asking the server again once if it is not listed)."""
        for refresh in (False, True):
            known = [*self.voices(refresh), *extra]
            found = match_voice(voice, known)
            if found is not None:
                return found
        raise unknown_voice(voice, self.voices(), self.api)


Maker = Callable[[Transport, str, str], Backend]
