"""Voice names: matching what a user wrote to what a server has, close matches otherwise."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from mediaconduit.sdk import InvalidInputError


def match_voice(voice: str, known: Iterable[str]) -> str | None:
    """The listed name for `voice`: exact, else case-insensitive, else by stem (`Emily`)."""
    names = list(known)
    if voice in names:
        return voice
    folded = voice.casefold()
    for name in names:
        if name.casefold() == folded or name.rsplit(".", 1)[0].casefold() == folded:
            return name
    return None


def unknown_voice(voice: str, known: Iterable[str], api: str) -> InvalidInputError:
    """The error for a voice the server does not have, with the closest names."""
    names = sorted(set(known))
    close = difflib.get_close_matches(voice, names, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    listing = ", ".join(names[:40]) + (" ..." if len(names) > 40 else "") or "none"
    return InvalidInputError(f"the {api} Chatterbox server has no voice {voice!r}; {hint}"
                             f"voices: {listing} (or clone one with reference=<a WAV or MP3>)")
