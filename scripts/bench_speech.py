#!/usr/bin/env python3
"""The embedded speech engines on this machine: real-time factors and round-trip accuracy.

    python scripts/bench_speech.py            # real-time factors (about 20 s)
    python scripts/bench_speech.py --wer      # and the word error rate table (a few minutes)
    python scripts/bench_speech.py --json out.json

`realtime_factors()` is what `scripts/bench.py` calls: seconds of audio per second of
processing for espeak-ng synthesis and for pocketsphinx recognition (FFmpeg decoding
and resampling included, the model already loaded), > 1 is faster than real time.
`word_error_rates()` speaks sentences with espeak-ng voices, resamples them to 16 kHz
in each of FFmpeg's ways and recognises them: the numbers in the local-speech README.
The engines are those of `providers/local-speech-provider` (through
`tests/helpers/speech.py`, which also finds an FFmpeg).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.helpers import speech  # noqa: E402 - needs the repo root on the path

audio, espeak, sphinx = speech.audio, speech.espeak, speech.sphinx

SENTENCES = (
    "one two three four five six seven",
    "the quick brown fox jumps over the lazy dog",
    "please call me tomorrow morning at nine",
    "we will meet at the station after lunch",
    "it is a nice day to go for a walk in the park",
    "open the door and turn on the light",
    "the weather will be cold and windy tonight",
    "she bought three apples and a loaf of bread",
)
VOICES = ("en-us+f5", "en-us+f2", "en-us+f3", "en-us", "en-us+m3", "en-us+klatt")
RESAMPLERS = tuple(audio.RESAMPLERS)


def _recognize(wav: bytes, resampler: str = audio.DEFAULT_RESAMPLER) -> str:
    with tempfile.NamedTemporaryFile(suffix=".wav") as handle:
        handle.write(wav)
        handle.flush()
        chunks = audio.pcm_chunks(handle.name, binary=speech.ffmpeg(), resampler=resampler)
        return " ".join(w.word for w in sphinx.recognize_pcm(chunks))


def realtime_factors(seconds: float = 30.0) -> dict[str, float]:
    """{"synthesis": x, "recognition": y, "audio_seconds": s}: audio seconds per second."""
    text = " ".join(itertools.islice(itertools.cycle(SENTENCES), int(seconds / 2.2) + 1))
    _recognize(speech.synthesize("warm up"))  # engines loaded, FFmpeg found: not timed
    started = time.perf_counter()
    spoken = espeak.synthesize(text)
    synthesis = time.perf_counter() - started
    wav = audio.wav_bytes(spoken.pcm, spoken.sample_rate)
    started = time.perf_counter()
    _recognize(wav)
    recognition = time.perf_counter() - started
    return {"audio_seconds": round(spoken.seconds, 2),
            "synthesis": round(spoken.seconds / synthesis, 1),
            "recognition": round(spoken.seconds / recognition, 2)}


def word_error_rates(voices: Sequence[str] = VOICES, resamplers: Sequence[str] = RESAMPLERS,
                     sentences: Sequence[str] = SENTENCES,
                     rate: int = espeak.DEFAULT_RATE) -> list[dict[str, Any]]:
    """For each voice and resampler: the mean word error rate of the round trip."""
    rows = []
    for voice in voices:
        spoken = [speech.synthesize(s, voice, rate=rate) for s in sentences]
        for resampler in resamplers:
            rates = [speech.word_error_rate(s, _recognize(wav, resampler))
                     for s, wav in zip(sentences, spoken, strict=True)]
            rows.append({"voice": voice, "rate": rate, "resampler": resampler,
                         "wer": round(statistics.mean(rates), 3)})
    return rows


def _table(rows: list[dict[str, Any]]) -> str:
    resamplers = list(dict.fromkeys(r["resampler"] for r in rows))
    lines = [f"| voice (rate {rows[0]['rate']}) | " + " | ".join(resamplers) + " |",
             "|---" * (len(resamplers) + 1) + "|"]
    for voice in dict.fromkeys(r["voice"] for r in rows):
        cells = [f"{r['wer']:.2f}" for r in rows if r["voice"] == voice]
        lines.append(f"| {voice} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wer", action="store_true", help="also measure word error rates")
    parser.add_argument("--seconds", type=float, default=30.0, help="audio for the RTF run")
    parser.add_argument("--voices", default=",".join(VOICES), help="comma-separated voices")
    parser.add_argument("--resamplers", default=",".join(RESAMPLERS))
    parser.add_argument("--rate", type=int, default=espeak.DEFAULT_RATE, help="words per minute")
    parser.add_argument("--json", type=Path, help="write the numbers here as JSON")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {"realtime_factor": realtime_factors(args.seconds)}
    print("real-time factor (audio s per s):", result["realtime_factor"])
    if args.wer:
        result["word_error_rate"] = word_error_rates(
            args.voices.split(","), args.resamplers.split(","), rate=args.rate)
        print(_table(result["word_error_rate"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
