"""Speech to text: FFmpeg decodes the input to 16 kHz mono as a stream; pocketsphinx
recognises it chunk by chunk, reporting progress and stopping when the call is cancelled."""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from local_speech_provider.catalog import ASR_PARAMS, asr_info
from local_speech_provider.engine import audio, sphinx
from local_speech_provider.params import validate
from mediaconduit.sdk import (
    Asset,
    Cost,
    InvalidInputError,
    Media,
    Model,
    Provider,
    ProviderUnavailableError,
    Text,
    Usage,
    cancelled,
    on_cancel,
    report_progress,
)

#: Inputs longer than this many seconds report their progress.
PROGRESS_AFTER = 10.0
PROGRESS_EVERY = 2.0  # seconds of audio between two reports


class SpeechRecognitionModel(Model):
    """`pocketsphinx-en-us`: Audio or Video in, Text out (words with timings in metadata)."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(asr_info(), provider)

    def transform(self, input: Asset, **params: Any) -> Text:
        media = _media_of(input)
        chosen = validate(self.id, ASR_PARAMS, params)
        started = time.monotonic()
        with _source(media) as (source, label):
            recognizer = _recognize(source, label, chosen["resampler"])
        seconds = round(recognizer.seconds, 3)
        usage = Usage(audio_seconds=seconds, compute_seconds=round(time.monotonic() - started, 6))
        words = [w.as_dict() for w in recognizer.words]
        return Text(recognizer.text, usage=usage, cost=Cost(usd=Decimal(0)),
                    metadata={"words": words, "language": "en", "duration": seconds,
                              "complete": not cancelled()})


def _media_of(input: Asset) -> Media:
    if not isinstance(input, Media) or input.kind not in ("audio", "video"):
        raise InvalidInputError(f"pocketsphinx-en-us takes Audio or Video, "
                                f"not {type(input).__name__}")
    return input


@contextlib.contextmanager
def _source(media: Media) -> Iterator[tuple[str, str]]:
    """What FFmpeg reads (a path or URL) and how to name it in messages."""
    if media.path is not None:
        if not Path(media.path).is_file():
            raise InvalidInputError(f"input file not found: {media.path}")
        yield str(media.path), Path(media.path).name
    elif media.url is not None:
        yield media.url, media.url.split("?", 1)[0]
    else:
        with tempfile.NamedTemporaryFile(prefix="speech-input-") as handle:
            handle.write(media.data)
            handle.flush()
            yield handle.name, f"<{len(media.data)} bytes of {media.mime_type}>"


def _recognize(source: str, label: str, resampler: str) -> sphinx.Recognizer:
    try:
        total = audio.duration_seconds(source)
        with sphinx.Recognizer() as recognizer, \
                audio.PcmStream(source, resampler=resampler) as stream:
            on_cancel(stream.close)  # FFmpeg stops at once; decoding at the next chunk
            _feed(recognizer, stream, total)
    except audio.AudioError as error:
        raise _audio_error(error, label) from error
    except sphinx.RecognitionError as error:
        raise ProviderUnavailableError(str(error)) from error
    return recognizer


def _feed(recognizer: sphinx.Recognizer, chunks: Iterable[bytes], total: float | None) -> None:
    progress = _Progress(total)
    for chunk in chunks:
        if cancelled():
            return
        recognizer.feed(chunk)
        progress.update(recognizer.seconds)
    if cancelled():  # the cancel hook stopped FFmpeg: the stream just ended early
        return
    recognizer.finish()
    progress.update(recognizer.seconds, final=True)


class _Progress:
    """Reports every `PROGRESS_EVERY` seconds of audio, for inputs over `PROGRESS_AFTER` s
    (and for inputs of unknown length, with no fraction)."""

    def __init__(self, total: float | None) -> None:
        self.total = total
        self.enabled = total is None or total > PROGRESS_AFTER
        self.reported = 0.0

    def update(self, done: float, final: bool = False) -> None:
        if not self.enabled or (done - self.reported < PROGRESS_EVERY and not final):
            return
        self.reported = done
        if self.total:
            report_progress(min(done / self.total, 1.0), f"recognised {done:.0f} s of "
                                                         f"{self.total:.0f} s")
        else:
            report_progress(None, f"recognised {done:.0f} s")


def _audio_error(error: audio.AudioError, label: str) -> Exception:
    if "not installed" in str(error):
        return ProviderUnavailableError(str(error))
    return InvalidInputError(f"{error} (input: {label}); give an audio or video file with "
                             "a sound track")
