"""Speech recognition with pocketsphinx and the en-US model its wheel ships.

`Recognizer` takes 16 kHz mono s16le in pieces of any size and decodes it
utterance by utterance (pocketsphinx's voice-activity endpointer cuts the
stream at pauses), so memory stays flat however long the audio is.
Nothing here imports MediaConduit: the host's tests reuse it for their fake servers.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from typing import Any

SAMPLE_RATE = 16_000
_FRAME_RATE = 100  # pocketsphinx frames per second (-frate default)
_FILLERS = {"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]", "[BREATH]", "[COUGH]", "[UM]", "[UH]"}
_SEED = 1  # a fixed dither seed: the same audio always gives the same words
MAX_UTTERANCE = 5.0  # seconds of speech decoded at once: bounds memory and how long a cancel waits
_MODEL_LOCK = threading.Lock()
_POOL_SIZE = 2  # decoders kept loaded for the next calls
_IDLE: list[Any] = []


class RecognitionError(RuntimeError):
    """pocketsphinx is missing or its model could not be loaded."""


@dataclasses.dataclass(frozen=True)
class Word:
    """A recognised word and when it was said (seconds from the start of the audio)."""

    word: str
    start: float
    end: float

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def _modules() -> tuple[object, object]:
    try:
        from pocketsphinx import Decoder, Endpointer  # type: ignore[import-untyped]
    except ImportError as error:
        raise RecognitionError("pocketsphinx is not installed (pip install pocketsphinx)") \
            from error
    return Decoder, Endpointer


class Recognizer:
    """Feed PCM with `feed`, then call `finish`; `words` holds what was recognised.

    The endpointer finds each stretch of speech; the stretch is decoded as one whole
    utterance (batch cepstral normalisation recognises far better than live), and cut
    after `MAX_UTTERANCE` seconds so memory stays bounded.
    """

    def __init__(self) -> None:
        _decoder_type, endpointer_type = _modules()
        self.decoder = _acquire()
        self.endpointer = endpointer_type(sample_rate=SAMPLE_RATE)  # type: ignore[operator]
        self.frame_bytes: int = self.endpointer.frame_bytes
        self.pending = b""
        self.samples = 0  # samples fed so far
        self.utterance: list[bytes] = []
        self.utterance_start = 0.0
        self.words: list[Word] = []

    @property
    def seconds(self) -> float:
        """Seconds of audio fed so far."""
        return self.samples / SAMPLE_RATE

    def feed(self, pcm: bytes) -> None:
        """Decode more audio (any length; the remainder waits for the next call)."""
        self.samples += len(pcm) // 2
        data = self.pending + pcm
        whole = len(data) - len(data) % self.frame_bytes
        for offset in range(0, whole, self.frame_bytes):
            self._frame(data[offset:offset + self.frame_bytes])
        self.pending = data[whole:]

    def _frame(self, frame: bytes, last: bool = False) -> None:
        was_speech = self.endpointer.in_speech
        speech = self.endpointer.end_stream(frame) if last else self.endpointer.process(frame)
        if speech is None:
            return
        if not was_speech:
            self.utterance, self.utterance_start = [], self.endpointer.speech_start
        self.utterance.append(speech)
        if last or not self.endpointer.in_speech or self._too_long():
            self._decode()

    def _too_long(self) -> bool:
        return len(self.utterance) * self.frame_bytes >= MAX_UTTERANCE * SAMPLE_RATE * 2

    def _decode(self) -> None:
        audio = b"".join(self.utterance)
        self.decoder.start_utt()
        self.decoder.process_raw(audio, full_utt=True)
        self.decoder.end_utt()
        self.words.extend(_words(self.decoder, self.utterance_start))
        self.utterance_start += len(audio) / 2 / SAMPLE_RATE
        self.utterance = []

    def finish(self) -> list[Word]:
        """Flush the last utterance; returns every word recognised."""
        if self.pending:
            self._frame(self.pending, last=True)
        if self.utterance:
            self._decode()
        self.pending = b""
        self.close()
        return self.words

    def close(self) -> None:
        """Give the decoder back to the pool (once; `finish` does it too)."""
        decoder, self.decoder = self.decoder, None
        if decoder is not None:
            _release(decoder)

    def __enter__(self) -> Recognizer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def text(self) -> str:
        return " ".join(w.word for w in self.words)


def _acquire() -> Any:
    """An idle decoder, or a new one (loading the model takes about a second)."""
    with _MODEL_LOCK:  # loading the model is not safe to run twice at once
        if _IDLE:
            return _IDLE.pop()
        decoder_type, _endpointer = _modules()
        return decoder_type(samprate=SAMPLE_RATE, loglevel="FATAL",  # type: ignore[operator]
                            dither=True, seed=_SEED)


def _release(decoder: Any) -> None:
    with _MODEL_LOCK:
        if len(_IDLE) < _POOL_SIZE:
            _IDLE.append(decoder)


def _words(decoder: object, offset: float) -> list[Word]:
    found = []
    for segment in decoder.seg():  # type: ignore[attr-defined]
        word = segment.word.split("(")[0]  # "two(2)" is the second pronunciation of "two"
        if word in _FILLERS or word.startswith("["):
            continue
        found.append(Word(word, round(offset + segment.start_frame / _FRAME_RATE, 2),
                          round(offset + (segment.end_frame + 1) / _FRAME_RATE, 2)))
    return found


def recognize_pcm(chunks: Iterable[bytes]) -> list[Word]:
    """Every word in a stream of 16 kHz mono s16le pieces."""
    with Recognizer() as recognizer:
        for chunk in chunks:
            recognizer.feed(chunk)
        return recognizer.finish()
