"""Whisper's answers parsed: json / verbose_json, srt, vtt, tsv."""

from __future__ import annotations

import pytest
from whisper_provider.results import from_json, from_subtitles, from_tsv, language_code

SRT = "1\n00:00:00,030 --> 00:00:02,060\none two three\n\n2\n01:02:03,500 --> 01:02:04,000\nfour\n"
VTT = "WEBVTT\n\n00:00.030 --> 00:02.060\none two three\n\n62:03.500 --> 62:04.000\nfour\n"


def test_engine_json_gives_segments_words_and_language() -> None:
    body = {"text": " one two", "language": "en", "segments": [
        {"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": " one two", "tokens": [1],
         "words": [{"word": " one", "start": 0.0, "end": 0.7, "probability": 0.9},
                   {"word": " two", "start": 0.7, "end": 1.5, "probability": 0.8}]}]}
    found = from_json(body, "faster_whisper")
    assert (found.text, found.language, found.duration, found.engine) == (
        "one two", "en", 1.5, "faster_whisper")
    assert found.segments == [{"id": 0, "start": 0.0, "end": 1.5, "text": "one two"}]
    assert found.words == [{"word": "one", "start": 0.0, "end": 0.7},
                           {"word": "two", "start": 0.7, "end": 1.5}]


def test_verbose_json_names_the_language_and_words_at_the_top() -> None:
    body = {"task": "transcribe", "language": "english", "duration": 3.5, "text": "Hi.",
            "segments": [], "words": [{"word": "Hi", "start": 0.1, "end": 0.4}]}
    found = from_json(body)
    assert (found.language, found.duration, found.words) == (
        "en", 3.5, [{"word": "Hi", "start": 0.1, "end": 0.4}])


@pytest.mark.parametrize("body", [SRT, VTT])
def test_subtitle_cues_become_segments(body: str) -> None:
    found = from_subtitles(body)
    assert found.text == body
    assert found.segments == [
        {"id": 0, "start": 0.03, "end": 2.06, "text": "one two three"},
        {"id": 1, "start": 3723.5, "end": 3724.0, "text": "four"}]
    assert found.duration == 3724.0


def test_tsv_times_are_milliseconds() -> None:
    found = from_tsv("start\tend\ttext\n30\t2060\tone two three\n2100\t2500\tfour\n")
    assert [(s["start"], s["end"], s["text"]) for s in found.segments] == [
        (0.03, 2.06, "one two three"), (2.1, 2.5, "four")]


@pytest.mark.parametrize(("given", "code"), [("english", "en"), ("French", "fr"), ("de", "de"),
                                             (None, None), ("", None)])
def test_language_names_become_codes(given: str | None, code: str | None) -> None:
    assert language_code(given) == code
