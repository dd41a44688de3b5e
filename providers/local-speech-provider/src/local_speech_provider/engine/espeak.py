"""espeak-ng through ctypes: the library and its data come from the espeakng-loader wheel.

The engine keeps global state (one voice, one rate, one callback), so every call
takes `_LOCK`; a synthesis collects 16-bit mono PCM at the engine's sample rate.
Nothing here imports MediaConduit: the host's tests reuse it for their fake servers.
"""

from __future__ import annotations

import ctypes
import dataclasses
import threading
from collections.abc import Iterator

_LOCK = threading.RLock()
_SYNCHRONOUS = 2  # AUDIO_OUTPUT_SYNCHRONOUS: espeak_Synth returns when the text is spoken
_CHARS_UTF8 = 1
_PHONEME_EVENTS = 0
_RATE, _VOLUME, _PITCH = 1, 2, 3
_OK = 0  # EE_OK
DEFAULT_VOICE = "en-us+f5"  # the voice pocketsphinx recognises best (README)
DEFAULT_RATE = 175  # words per minute (espeak's own default)
DEFAULT_PITCH = 50  # 0..100
RATE_RANGE = (80, 450)
PITCH_RANGE = (0, 100)

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                             ctypes.c_void_p)


class EspeakError(RuntimeError):
    """The engine could not be loaded, or refused a voice or a text."""


class _Voice(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_void_p),
                ("identifier", ctypes.c_char_p), ("gender", ctypes.c_ubyte),
                ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte),
                ("xx1", ctypes.c_ubyte), ("score", ctypes.c_int), ("spare", ctypes.c_void_p)]


@dataclasses.dataclass(frozen=True)
class Voice:
    """One voice of the engine: `name` is what `voice=` takes (e.g. `en-us`, `en-us+f3`)."""

    name: str
    language: str
    gender: str  # "male", "female" or "" when the engine does not say
    description: str


@dataclasses.dataclass(frozen=True)
class Speech:
    """Synthesized speech: 16-bit little-endian mono PCM."""

    pcm: bytes
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


class _Engine:
    def __init__(self) -> None:
        self.lib, self.sample_rate = _load()
        self.chunks: list[bytes] = []
        self.callback = _CALLBACK(self._collect)  # kept referenced while the engine lives
        self.lib.espeak_SetSynthCallback(self.callback)

    def _collect(self, wav: ctypes.POINTER(ctypes.c_short), count: int, _events: int) -> int:
        if count > 0 and wav:
            self.chunks.append(ctypes.string_at(wav, count * 2))
        return 0


_engines: list[_Engine] = []  # the one engine of the process, once loaded


def _load() -> tuple[ctypes.CDLL, int]:
    try:
        import espeakng_loader  # type: ignore[import-untyped]
    except ImportError as error:
        raise EspeakError("espeakng-loader is not installed (pip install espeakng-loader)") \
            from error
    try:
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data = espeakng_loader.get_data_path()
    except (OSError, RuntimeError) as error:
        raise EspeakError(f"cannot load libespeak-ng from espeakng-loader: {error}") from error
    _declare(lib)
    rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, _short(data).encode(), 0)
    if rate <= 0:
        raise EspeakError(f"espeak_Initialize failed with the data at {data}")
    return lib, rate


MAX_DATA_PATH = 120  # espeak-ng keeps its data path in a 160-byte buffer (N_PATH_HOME)


def _short(data: str) -> str:
    """The data folder by a path espeak-ng can hold: a long one (a deep cache folder) is
    reached through a link in the temp folder, else espeak-ng silently falls back to the
    path it was built with and exits."""
    if len(data.encode()) <= MAX_DATA_PATH:
        return data
    import hashlib
    import os
    import tempfile

    link = os.path.join(tempfile.gettempdir(),
                        f"mc-espeak-{hashlib.sha256(data.encode()).hexdigest()[:12]}")
    if os.path.realpath(link) != os.path.realpath(data):
        temporary = f"{link}.{os.getpid()}"
        os.symlink(data, temporary)
        os.replace(temporary, link)  # atomic: racing workers agree on one link
    return link


def _declare(lib: ctypes.CDLL) -> None:
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_ListVoices.argtypes = [ctypes.POINTER(_Voice)]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]


def engine() -> _Engine:
    """The one engine of this process, loaded on first use."""
    with _LOCK:
        if not _engines:
            _engines.append(_Engine())
        return _engines[0]


def synthesize(text: str, voice: str = DEFAULT_VOICE, rate: int = DEFAULT_RATE,
               pitch: int = DEFAULT_PITCH) -> Speech:
    """Speak `text` with `voice` at `rate` words per minute and `pitch` (0..100)."""
    if not text.strip():
        raise EspeakError("there is no text to speak")
    with _LOCK:
        eng = engine()
        _set_voice(eng, voice)
        eng.lib.espeak_SetParameter(_RATE, _clamp(rate, RATE_RANGE), 0)
        eng.lib.espeak_SetParameter(_PITCH, _clamp(pitch, PITCH_RANGE), 0)
        eng.chunks = []
        data = text.encode("utf-8") + b"\0"
        status = eng.lib.espeak_Synth(data, len(data), 0, 1, 0, _CHARS_UTF8, None, None)
        if status != _OK:
            raise EspeakError(f"espeak_Synth failed (status {status})")
        return Speech(b"".join(eng.chunks), eng.sample_rate)


def _set_voice(eng: _Engine, voice: str) -> None:
    if eng.lib.espeak_SetVoiceByName(voice.encode()) != _OK:
        close = ", ".join(v.name for v in voices() if v.name.startswith(voice[:2]))[:300]
        raise EspeakError(f"espeak-ng has no voice {voice!r}" + (f"; try {close}" if close else ""))


def _clamp(value: int, bounds: tuple[int, int]) -> int:
    return max(bounds[0], min(bounds[1], int(value)))


def voices() -> list[Voice]:
    """Every language voice, then the variants of `en-us` (`en-us+f3` ...)."""
    with _LOCK:
        eng = engine()
        languages = list(_list(eng, None))
        variants = list(_list(eng, b"variant"))
    english = [_variant("en-us", v) for v in variants]
    return languages + english


def _list(eng: _Engine, language: bytes | None) -> Iterator[_Voice]:
    spec = None
    if language is not None:
        address = ctypes.cast(ctypes.c_char_p(language), ctypes.c_void_p).value
        spec = ctypes.pointer(_Voice(name=None, languages=address))
    table = eng.lib.espeak_ListVoices(spec)
    index = 0
    while table[index]:
        raw = table[index].contents
        yield Voice(_text(raw.identifier).rsplit("/", 1)[-1], _language(raw), _gender(raw.gender),
                    _text(raw.name))
        index += 1


def _variant(base: str, voice: Voice) -> Voice:
    name = voice.name.removeprefix("!v/").rsplit("/", 1)[-1]
    return Voice(f"{base}+{name}", "en-us", voice.gender, f"{voice.description} (English, US)")


def _language(raw: _Voice) -> str:
    if not raw.languages:
        return ""
    return ctypes.string_at(raw.languages + 1).decode(errors="replace")  # skip the priority byte


def _gender(code: int) -> str:
    return {1: "male", 2: "female"}.get(code, "")


def _text(value: bytes | None) -> str:
    return value.decode(errors="replace") if value else ""
