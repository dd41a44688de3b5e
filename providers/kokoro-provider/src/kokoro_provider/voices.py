"""Kokoro's voices: the two shapes of `GET /v1/audio/voices`, mixes, close matches.

Since 2026-05 the server answers `{"voices": [{"id": "af_heart", "name": "af_heart"}, ...]}`;
before that (and still with `?legacy=true`) `{"voices": ["af_heart", ...]}`. Both are read.
A voice may be a mix: names joined by `+` (add) or `-` (subtract), each with an
optional positive weight in parentheses, `af_bella(2)+af_sky(1)`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from mediaconduit.sdk import InvalidInputError, ProviderUnavailableError

_ITEM = re.compile(r"(?P<name>[^()]+)(?:\((?P<weight>[^()]*)\))?")
_NOT_FOUND = re.compile(r"Voice '(?P<voice>[^']*)' not found\.(?: Available voices: (?P<all>.*))?")


def parse_voices(body: Any) -> list[str]:
    """The voice ids of either shape of the listing, in the server's order."""
    listed = body.get("voices") if isinstance(body, Mapping) else None
    if not isinstance(listed, list):
        raise ProviderUnavailableError(
            f"GET /v1/audio/voices answered without a 'voices' list: {str(body)[:200]!r}")
    return [name for item in listed if (name := _voice_id(item))]


def _voice_id(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        value = item.get("id") or item.get("name")
        return str(value) if value else None
    return None


def mix_names(voice: str) -> list[str]:
    """The voice names in a voice or a mix (`af_bella(2)+af_sky(1)` -> both names).

    A mix that cannot be read is an `InvalidInputError` saying how to write one.
    """
    text = voice.replace(" ", "")
    if not text or text[0] in "+-" or text[-1] in "+-" or re.search(r"[+-]{2,}", text):
        raise InvalidInputError(_mix_help(voice))
    names = []
    for token in re.split(r"[-+]", text):
        match = _ITEM.fullmatch(token)
        if match is None or not _good_weight(match.group("weight")):
            raise InvalidInputError(_mix_help(voice))
        names.append(match.group("name"))
    return names


def _good_weight(weight: str | None) -> bool:
    if weight is None:
        return True
    try:
        return float(weight) > 0
    except ValueError:
        return False


def _mix_help(voice: str) -> str:
    return (f"voice {voice!r} is not a voice nor a mix: write a voice name (af_heart) or names "
            "joined by + or -, each with an optional positive weight: af_bella(2)+af_sky(1)")


def unknown_voice(voice: str, known: Iterable[str]) -> InvalidInputError:
    """The error for a voice the server does not have, with the closest names."""
    known = sorted(set(known))
    close = difflib.get_close_matches(voice, known, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    listing = ", ".join(known[:40]) + (" ..." if len(known) > 40 else "")
    return InvalidInputError(f"Kokoro has no voice {voice!r}; {hint}voices: {listing}")


def missing_voice(message: str) -> tuple[str, list[str]] | None:
    """(voice, available) from the server's "Voice 'x' not found. Available voices: ..."."""
    match = _NOT_FOUND.search(message)
    if match is None:
        return None
    listed = match.group("all") or ""
    return match.group("voice"), [v.strip() for v in listed.split(",") if v.strip()]
