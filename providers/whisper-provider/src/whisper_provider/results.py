"""Whisper's answers as MediaConduit values: segments from json, srt, vtt and tsv bodies."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})"
_CUE = re.compile(_TIME + r"\s+-->\s+" + _TIME)


@dataclasses.dataclass(frozen=True)
class Transcript:
    """What a Whisper service said about one upload."""

    text: str
    segments: list[dict[str, Any]]
    language: str | None = None
    words: list[dict[str, Any]] | None = None
    duration: float | None = None
    engine: str | None = None

    def metadata(self, api: str, fmt: str) -> dict[str, Any]:
        data: dict[str, Any] = {"api": api, "format": fmt, "language": self.language,
                                "segments": self.segments, "duration": self.duration}
        if self.words is not None:
            data["words"] = self.words
        if self.engine:
            data["engine"] = self.engine
        return data


def segment(item: Mapping[str, Any], index: int) -> dict[str, Any]:
    """The fields of a whisper segment that mean something to a caller."""
    return {"id": int(item.get("id", index)), "start": float(item.get("start", 0.0)),
            "end": float(item.get("end", 0.0)), "text": str(item.get("text", "")).strip()}


def words_of(segments: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]] | None:
    """The words whisper timed inside its segments (`word_timestamps`), or None."""
    found = [{"word": str(w.get("word", "")).strip(), "start": float(w.get("start", 0.0)),
              "end": float(w.get("end", 0.0))}
             for s in segments for w in s.get("words") or []]
    return found or None


def from_json(body: Mapping[str, Any], engine: str | None = None) -> Transcript:
    """The engine's result dict (asr-webservice `output=json`, OpenAI `verbose_json`)."""
    raw = [s for s in body.get("segments") or [] if isinstance(s, Mapping)]
    segments = [segment(s, i) for i, s in enumerate(raw)]
    top_words = body.get("words")
    words = ([{"word": str(w["word"]).strip(), "start": float(w["start"]),
               "end": float(w["end"])} for w in top_words] if top_words else words_of(raw))
    duration = body.get("duration")
    if duration is None and segments:
        duration = segments[-1]["end"]
    return Transcript(str(body.get("text", "")).strip(), segments,
                      language_code(body.get("language")), words,
                      None if duration is None else float(duration), engine)


def from_subtitles(body: str, engine: str | None = None) -> Transcript:
    """An SRT or WebVTT body: the body is the text; its cues are the segments."""
    segments = []
    for block in re.split(r"\n\s*\n", body.strip()):
        lines = block.strip().splitlines()
        for number, line in enumerate(lines):
            times = _CUE.search(line)
            if times:
                text = " ".join(lines[number + 1:]).strip()
                segments.append({"id": len(segments), "start": _seconds(times.groups()[:4]),
                                 "end": _seconds(times.groups()[4:]), "text": text})
                break
    return _subtitled(body, segments, engine)


def from_tsv(body: str, engine: str | None = None) -> Transcript:
    """asr-webservice's `output=tsv`: `start\\tend\\ttext`, times in integer ms."""
    segments = []
    for line in body.strip().splitlines()[1:]:
        start, end, text = [*line.split("\t", 2), "", ""][:3]
        segments.append({"id": len(segments), "start": int(start) / 1000,
                         "end": int(end) / 1000, "text": text.strip()})
    return _subtitled(body, segments, engine)


def _subtitled(body: str, segments: list[dict[str, Any]], engine: str | None) -> Transcript:
    duration = segments[-1]["end"] if segments else None
    return Transcript(body, segments, None, None, duration, engine)


def _seconds(parts: Sequence[str | None]) -> float:
    hours, minutes, seconds, millis = (int(p) if p else 0 for p in parts)
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


_NAMES = {"english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it",
          "portuguese": "pt", "dutch": "nl", "japanese": "ja", "chinese": "zh",
          "russian": "ru", "korean": "ko", "arabic": "ar", "hindi": "hi", "polish": "pl"}


def language_code(value: Any) -> str | None:
    """A whisper language as its code: `english` (OpenAI's verbose_json) -> `en`."""
    if not value:
        return None
    name = str(value).strip().lower()
    return _NAMES.get(name, name)
