"""Local Chatterbox servers that really speak: devnen's and travisvn's wire protocols.

`FakeChatterbox(api="devnen")` follows devnen/Chatterbox-TTS-Server (`server.py`,
`models.py`; protocols.md §10b): `POST /tts` with `voice_mode` predefined/clone,
`POST /v1/audio/speech`, `GET /get_predefined_voices`, `GET /get_reference_files`,
`GET /v1/audio/voices`, `POST /upload_reference` (multipart `files`),
`GET /api/model-info`; its errors are `{"detail": "<string>"}`.

`FakeChatterbox(api="travisvn")` follows travisvn/chatterbox-tts-api (`app/api/
endpoints/*.py`, `app/main.py`; §10c): `POST /v1/audio/speech` (and its aliases
`/audio/speech`, `/tts`) answering WAV or, with `stream_format: "sse"`, the
`speech.audio.info` / `.delta` (base64 16-bit PCM) / `.done` events,
`POST /v1/audio/speech/upload` (multipart with `voice_file`), `GET /voices`,
`GET /health`, `GET /v1/models`; its errors are `{"error": {"message", "type"}}`
at the top level (its exception handler unwraps `HTTPException.detail`). An
unknown voice falls back to the configured sample, as the real server does.

Both answer FastAPI's 422 `{"detail": [{"type", "loc", "msg", "input"}]}` for a
body that does not fit, and 404 `{"detail": "Not Found"}` for an unknown route.
The audio is real speech: espeak-ng through the host's `tests/helpers/speech.py`
(each voice, and each cloned reference, at a pitch of its own; `exaggeration`
raises the pitch, `speed_factor` the rate), at 24 kHz.
No pytest in here: the host's tests import this file by path.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import email.parser
import email.policy
import hashlib
import importlib
import importlib.util
import json
import os
import re
import select
import shutil
import socket
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from mediaconduit.sdk.fakes import host_test_helper

#: the MediaConduit checkout holding this provider: its test helpers serve the fakes
HOST_ROOT = Path(__file__).resolve().parents[3]


def host_helper(name: str) -> ModuleType:
    """`tests/helpers/<name>.py` of the host checkout (see `sdk.fakes.host_test_helper`)."""
    return host_test_helper(name, HOST_ROOT)


_loopback = host_helper("loopback")
LoopbackServer, QuietHandler = _loopback.LoopbackServer, _loopback.QuietHandler

#: (text, voice, rate factor, pitch 0..100, format) -> audio bytes at SAMPLE_RATE
Speaker = Callable[[str, str, float, int, str], bytes]

SAMPLE_RATE = 24000
#: the espeak voice every server voice speaks with, at its own pitch: plain `en-us` is the
#: voice pocketsphinx hears best (measured: 5-7 of 7 words at any pitch from 20 to 75)
ESPEAK_VOICE = "en-us"
DEVNEN_VOICES = ("Abigail.wav", "Adrian.wav", "Alice.wav", "Connor.wav", "Emily.wav",
                 "Gabriel.wav", "Henry.wav", "Jade.wav", "Michael.wav", "Olivia.wav",
                 "Ryan.wav", "Taylor.wav", "Thomas.wav")
DEVNEN_REFERENCES = ("Gianna.wav", "Robert.wav")
TRAVISVN_VOICES = (("narrator", ("storyteller",)), ("sarah", ()), ("bob", ("robert",)))
DEVNEN_FORMATS = ("wav", "opus", "mp3")
REFERENCE_TYPES = (".wav", ".mp3")
TRAVISVN_UPLOAD_TYPES = (".mp3", ".wav", ".flac", ".m4a", ".ogg")
TRAVISVN_ALIASES = {"/audio/speech": "/v1/audio/speech", "/tts": "/v1/audio/speech",
                    "/audio/speech/upload": "/v1/audio/speech/upload",
                    "/tts/upload": "/v1/audio/speech/upload", "/v1/voices": "/voices",
                    "/v1/health": "/health", "/status": "/health", "/models": "/v1/models"}
NUMERIC_FIELDS = ("exaggeration", "cfg_weight", "temperature", "speed", "streaming_chunk_size")
CHUNK = 4096
MAX_TOTAL_LENGTH = 3000


def model_not_loaded(api: str) -> Reply:
    """The answer each server gives while its model is not loaded."""
    if api == "devnen":
        return Reply(503, {"detail": "TTS engine model is not currently loaded or available."})
    return Reply(500, {"error": {"message": "Model not loaded", "type": "model_error"}})


def generation_failed(api: str, message: str = "CUDA out of memory") -> Reply:
    if api == "devnen":
        return Reply(500, {"detail": f"Audio stitching error: {message}"})
    return Reply(500, {"error": {"message": f"TTS generation failed: {message}",
                                 "type": "generation_error"}})


@dataclasses.dataclass(frozen=True)
class Reply:
    """One scripted answer to a speech request; the defaults are a normal answer.

    `status`/`body`: an error answer. `hold`: after the first audio chunk (or event),
    keep the stream open up to this many seconds or until the client hangs up.
    `drop`: close the connection without answering. `cut`: end an SSE stream after
    its first delta, without `speech.audio.done` (the server failed mid-stream).
    """

    status: int = 200
    body: Any = None
    hold: float = 0.0
    drop: bool = False
    cut: bool = False


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    """What the server saw: lower-case headers; `body` is the JSON, `form` the multipart
    fields (`files` the uploaded parts as (filename, bytes))."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any
    form: Mapping[str, str]
    files: Mapping[str, tuple[str, bytes]]


def voice_pitch(voice: str) -> int:
    """A stable pitch (35..75) per voice (or cloned reference): they sound apart, all clearly."""
    return 35 + zlib.crc32(voice.encode()) % 41


def _ensure_ffmpeg() -> None:
    """Point the speech helper at an FFmpeg binary before it looks for one.

    The helper finds it through `tests.helpers.media`, which cannot be imported where
    `tests` is this provider's folder (its own suite): there imageio-ffmpeg's is used
    when installed, else `media` is loaded by path (it needs the host's packages).
    """
    if os.environ.get("MEDIACONDUIT_TEST_FFMPEG") or shutil.which("ffmpeg"):
        return
    if importlib.util.find_spec("imageio_ffmpeg") is not None:  # a suite's own environment
        import imageio_ffmpeg

        os.environ["MEDIACONDUIT_TEST_FFMPEG"] = imageio_ffmpeg.get_ffmpeg_exe()
        return
    root = Path(tempfile.gettempdir()) / f"mediaconduit-speech-ffmpeg-{os.getuid()}"
    os.environ["MEDIACONDUIT_TEST_FFMPEG"] = host_helper("media").provider_ffmpeg(root)


def default_speaker() -> Speaker:
    """espeak-ng through the host's speech helper."""
    _ensure_ffmpeg()
    speech = host_helper("speech")

    def speak(text: str, voice: str, rate: float, pitch: int, fmt: str) -> bytes:
        words = max(80, min(450, round(175 * rate)))
        return speech.synthesize(text, ESPEAK_VOICE, rate=words, pitch=pitch, format=fmt,
                                 sample_rate=SAMPLE_RATE)

    return speak


class FakeChatterbox:
    """One server of either kind. `start()`/`stop()` or a `with` block."""

    def __init__(self, api: str = "devnen", speaker: Speaker | None = None) -> None:
        if api not in ("devnen", "travisvn"):
            raise ValueError(f"api must be devnen or travisvn, not {api!r}")
        self.api = api
        self.speaker = speaker or default_speaker()
        self.predefined = list(DEVNEN_VOICES)
        self.references: dict[str, bytes] = dict.fromkeys(DEVNEN_REFERENCES, b"RIFF")
        self.library = {name: list(aliases) for name, aliases in TRAVISVN_VOICES}
        self.spoken: list[dict[str, Any]] = []  # what each synthesis used (voice, clone, ...)
        self.disconnected = threading.Event()
        self._lock = threading.Lock()
        self._scripts: collections.deque[Reply] = collections.deque()
        self._requests: list[RecordedRequest] = []
        self._server: Any = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Chatterbox is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeChatterbox:
        handler = _Devnen if self.api == "devnen" else _Travisvn
        self._server = LoopbackServer(type("Handler", (handler,), {"fake": self}))
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeChatterbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, *replies: Reply) -> None:
        """Queue answers for the speech routes, used one per request, in order."""
        with self._lock:
            self._scripts.extend(replies)

    def next_reply(self) -> Reply:
        with self._lock:
            return self._scripts.popleft() if self._scripts else Reply()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._scripts.clear()
            self.spoken.clear()
        self.disconnected.clear()

    def speak(self, text: str, voice: str, fmt: str, controls: Mapping[str, Any]) -> bytes:
        """Real speech for `text` in `voice`; `exaggeration` raises the pitch."""
        lift = 20 * (float(controls.get("exaggeration") or 0.5) - 0.5)
        pitch = max(20, min(80, round(voice_pitch(voice) + lift)))
        rate = float(controls.get("speed_factor") or 1.0)
        with self._lock:
            self.spoken.append({"text": text, "voice": voice, "format": fmt, **controls})
        return self.speaker(text, voice, rate, pitch, fmt)


# --- FastAPI's validation answers -----------------------------------------------------------


def missing(field: str, body: Any) -> dict[str, Any]:
    return {"type": "missing", "loc": ["body", field], "msg": "Field required", "input": body}


def literal(field: str, value: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    expected = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" or '{allowed[-1]}'"
    return {"type": "literal_error", "loc": ["body", field], "msg": f"Input should be {expected}",
            "input": value, "ctx": {"expected": expected}}


def out_of_range(field: str, value: Any, low: float, high: float) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return [{"type": "float_parsing", "loc": ["body", field],
                 "msg": "Input should be a valid number", "input": value}]
    if value < low:
        return [{"type": "greater_than_equal", "loc": ["body", field],
                 "msg": f"Input should be greater than or equal to {low}", "input": value,
                 "ctx": {"ge": low}}]
    if value > high:
        return [{"type": "less_than_equal", "loc": ["body", field],
                 "msg": f"Input should be less than or equal to {high}", "input": value,
                 "ctx": {"le": high}}]
    return []


# --- HTTP shared by both servers ------------------------------------------------------------


class _Base(QuietHandler):
    fake: FakeChatterbox
    routes: ClassVar[dict[tuple[str, str], str]] = {}

    def serve(self) -> None:
        request = self._record()
        name = self.routes.get((request.method, request.path))
        try:
            if name is not None:
                getattr(self, name)(request)
            elif request.path in {path for _, path in self.routes}:
                self._json(405, {"detail": "Method Not Allowed"})
            else:
                self._json(404, {"detail": "Not Found"})
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def canonical(self, path: str) -> str:
        return path

    def _record(self) -> RecordedRequest:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        kind = self.headers.get("Content-Type", "")
        form, files = _multipart(kind, raw) if kind.startswith("multipart/") else ({}, {})
        request = RecordedRequest(
            self.command, self.canonical(parts.path),
            {k: v[-1] for k, v in parse_qs(parts.query).items()},
            {k.lower(): v for k, v in self.headers.items()},
            _json_or_none(raw) if kind.startswith("application/json") else None, form, files)
        self.fake.record(request)
        return request

    def scripted(self) -> Reply | None:
        """The scripted reply, or None once it has been answered (an error, a drop)."""
        reply = self.fake.next_reply()
        if reply.drop:
            self.close_connection = True
            return None
        if reply.status != 200:
            self._json(reply.status, reply.body)
            return None
        return reply

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _begin(self, content_type: str, headers: Mapping[str, str]) -> None:
        """A StreamingResponse: no length, chunked."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _stream(self, audio: bytes, content_type: str, headers: Mapping[str, str],
                hold: float) -> None:
        self._begin(content_type, headers)
        for index, start in enumerate(range(0, len(audio), CHUNK)):
            self._chunk(audio[start:start + CHUNK])
            if index == 0 and self._held(hold):
                return
        self._chunk(b"")

    def _held(self, hold: float) -> bool:
        """Keep the stream open up to `hold` s; True (and noted) if the client hung up."""
        if hold and _client_left(self.connection, hold):
            self.fake.disconnected.set()
            self.close_connection = True
            return True
        return False


# --- devnen ---------------------------------------------------------------------------------


class _Devnen(_Base):
    routes: ClassVar[dict[tuple[str, str], str]] = {("GET", "/api/model-info"): "model_info",
              ("GET", "/get_predefined_voices"): "predefined",
              ("GET", "/get_reference_files"): "reference_files",
              ("GET", "/v1/audio/voices"): "openai_voices",
              ("POST", "/upload_reference"): "upload_reference",
              ("POST", "/tts"): "tts", ("POST", "/v1/audio/speech"): "openai_speech"}

    def model_info(self, request: RecordedRequest) -> None:
        self._json(200, {"loaded": True, "type": "original", "class_name": "ChatterboxTTS",
                         "device": "cpu", "sample_rate": SAMPLE_RATE,
                         "supports_paralinguistic_tags": False,
                         "available_paralinguistic_tags": [],
                         "turbo_available_in_package": True,
                         "multilingual_available_in_package": True,
                         "supports_multilingual": False,
                         "supported_languages": {"en": "English"}})

    def predefined(self, request: RecordedRequest) -> None:
        self._json(200, [{"display_name": name.rsplit(".", 1)[0], "filename": name}
                         for name in sorted(self.fake.predefined)])

    def reference_files(self, request: RecordedRequest) -> None:
        self._json(200, sorted(self.fake.references))

    def openai_voices(self, request: RecordedRequest) -> None:
        self._json(200, {"status": "ok", "voices": sorted(self.fake.predefined)})

    def upload_reference(self, request: RecordedRequest) -> None:
        if "files" not in request.files:
            self._json(422, {"detail": [missing("files", None)]})
            return
        name, data = request.files["files"]
        uploaded, errors = [], []
        if not name.lower().endswith(REFERENCE_TYPES):
            errors.append({"filename": name,
                           "error": "Invalid file type. Only .wav and .mp3 are allowed."})
        elif not _is_audio(data):
            errors.append({"filename": name, "error": "Invalid audio file: cannot be read."})
        else:
            self.fake.references.setdefault(name, data)
            uploaded.append(name)
        self._json(200 if uploaded or not errors else 400, {
            "message": "Processed 1 file(s).", "uploaded_files": uploaded,
            "all_reference_files": sorted(self.fake.references), "errors": errors})

    def tts(self, request: RecordedRequest) -> None:
        body = request.body
        problems = self._tts_problems(body)
        if problems:
            self._json(422, {"detail": problems})
            return
        reply = self.scripted()
        if reply is None:
            return
        voice = self._tts_voice(body)
        if voice is None:
            return
        fmt = body.get("output_format") or "wav"
        controls = {k: body[k] for k in ("exaggeration", "cfg_weight", "temperature", "seed",
                                         "speed_factor") if body.get(k) is not None}
        audio = self.fake.speak(body["text"], voice, fmt, {**controls, "mode": body["voice_mode"]})
        name = f"tts_output_{time.strftime('%Y%m%d_%H%M%S')}.{fmt}"
        self._stream(audio, f"audio/{fmt}",
                     {"Content-Disposition": f'attachment; filename="{name}"'}, reply.hold)

    def _tts_problems(self, body: Any) -> list[dict[str, Any]]:
        if not isinstance(body, dict):
            return [missing("text", body)]
        problems = [] if isinstance(body.get("text"), str) and body["text"] else [
            missing("text", body) if "text" not in body else
            {"type": "string_too_short", "loc": ["body", "text"],
             "msg": "String should have at least 1 character", "input": body.get("text")}]
        if body.get("voice_mode", "predefined") not in ("predefined", "clone"):
            problems.append(literal("voice_mode", body["voice_mode"], ("predefined", "clone")))
        if body.get("output_format") not in (None, *DEVNEN_FORMATS):
            problems.append(literal("output_format", body["output_format"], DEVNEN_FORMATS))
        return problems

    def _tts_voice(self, body: dict[str, Any]) -> str | None:
        """The voice to speak with, or None once an error is answered."""
        body.setdefault("voice_mode", "predefined")
        if body["voice_mode"] == "predefined":
            chosen, folder, what = body.get("predefined_voice_id"), self.fake.predefined, \
                ("predefined_voice_id", "Predefined voice file")
        else:
            chosen, folder, what = body.get("reference_audio_filename"), self.fake.references, \
                ("reference_audio_filename", "Reference audio file")
        if not chosen:
            self._json(400, {"detail": f"Missing '{what[0]}' for '{body['voice_mode']}' "
                                       "voice mode."})
            return None
        if chosen not in folder:
            self._json(404, {"detail": f"{what[1]} '{chosen}' not found."})
            return None
        if body["voice_mode"] == "clone":
            digest = hashlib.sha256(self.fake.references[chosen]).hexdigest()
            return f"clone-{digest[:12]}"
        return str(chosen)

    def openai_speech(self, request: RecordedRequest) -> None:
        body = request.body if isinstance(request.body, dict) else {}
        problems = [missing(f, body) for f in ("model", "input", "voice") if f not in body]
        if body.get("response_format", "wav") not in DEVNEN_FORMATS:
            problems.append(literal("response_format", body["response_format"], DEVNEN_FORMATS))
        if problems:
            self._json(422, {"detail": problems})
            return
        voice = body["voice"]
        if voice not in self.fake.predefined and voice not in self.fake.references:
            self._json(404, {"detail": f"Voice file '{voice}' not found."})
            return
        reply = self.scripted()
        if reply is None:
            return
        fmt = body.get("response_format", "wav")
        audio = self.fake.speak(body["input"], voice, fmt, {"speed_factor": body.get("speed")})
        self._stream(audio, f"audio/{fmt}", {}, reply.hold)


# --- travisvn -------------------------------------------------------------------------------


class _Travisvn(_Base):
    routes: ClassVar[dict[tuple[str, str], str]] = {
              ("GET", "/health"): "health", ("GET", "/voices"): "voices",
              ("GET", "/v1/models"): "models", ("POST", "/v1/audio/speech"): "speech",
              ("POST", "/v1/audio/speech/upload"): "speech_upload"}

    def canonical(self, path: str) -> str:
        return TRAVISVN_ALIASES.get(path, path)

    def health(self, request: RecordedRequest) -> None:
        self._json(200, {"status": "healthy", "model_loaded": True, "device": "cpu",
                         "config": {"max_chunk_length": 280, "max_total_length": MAX_TOTAL_LENGTH,
                                    "voice_sample_path": "./voice-sample.mp3",
                                    "default_exaggeration": 0.5, "default_cfg_weight": 0.5,
                                    "default_temperature": 0.8},
                         "memory_info": {"cpu_memory_mb": 2048.0},
                         "initialization_state": "ready", "initialization_progress": None,
                         "initialization_error": None})

    def voices(self, request: RecordedRequest) -> None:
        listed = [{"name": name, "filename": f"{name}.wav", "original_filename": f"{name}.wav",
                   "file_size": 96044, "upload_date": "2026-11-30T12:00:00",
                   "path": f"/app/voices/{name}.wav", "exists": True, "aliases": aliases,
                   "language": "en"} for name, aliases in self.fake.library.items()]
        self._json(200, {"voices": listed, "count": len(listed)})

    def models(self, request: RecordedRequest) -> None:
        self._json(200, {"object": "list", "data": [
            {"id": "chatterbox-tts-1", "object": "model", "created": 1677649963,
             "owned_by": "resemble-ai"}]})

    def speech(self, request: RecordedRequest) -> None:
        body = request.body if isinstance(request.body, dict) else {}
        problems = self._problems(body)
        if body.get("stream_format") not in (None, "audio", "sse"):
            problems.append({"type": "value_error", "loc": ["body", "stream_format"],
                             "msg": "Value error, stream_format must be one of: audio, sse",
                             "input": body["stream_format"]})
        if problems:
            self._json(422, {"detail": problems})
            return
        self._generate(body, self._library_voice(body.get("voice")))

    def speech_upload(self, request: RecordedRequest) -> None:
        fields: dict[str, Any] = {k: _number(v) if k in NUMERIC_FIELDS else v
                                  for k, v in request.form.items()}
        problems = self._problems(fields)
        if problems:
            self._json(422, {"detail": problems})
            return
        if fields.get("stream_format", "audio") not in ("audio", "sse"):
            self._error(400, "stream_format must be 'audio' or 'sse'", "validation_error")
            return
        voice = self._library_voice(fields.get("voice"))
        if "voice_file" in request.files:
            name, data = request.files["voice_file"]
            suffix = Path(name.lower()).suffix
            if suffix not in TRAVISVN_UPLOAD_TYPES:
                self._error(400, f"Unsupported audio format: {suffix}. Supported formats: "
                                 f"{', '.join(TRAVISVN_UPLOAD_TYPES)}", "invalid_request_error")
                return
            voice = f"clone-{hashlib.sha256(data).hexdigest()[:12]}"
        self._generate(fields, voice)

    def _problems(self, body: Mapping[str, Any]) -> list[dict[str, Any]]:
        text = body.get("input")
        problems = []
        if not isinstance(text, str):
            problems.append(missing("input", dict(body)))
        elif not 1 <= len(text) <= MAX_TOTAL_LENGTH:
            problems.append({"type": "string_too_short" if not text else "string_too_long",
                             "loc": ["body", "input"], "input": text,
                             "msg": "String should have at least 1 character" if not text else
                                    f"String should have at most {MAX_TOTAL_LENGTH} characters"})
        for field, low, high in (("exaggeration", 0.25, 2.0), ("cfg_weight", 0.0, 1.0),
                                 ("temperature", 0.05, 5.0)):
            problems += out_of_range(field, body.get(field), low, high)
        return problems

    def _library_voice(self, voice: Any) -> str:
        """`resolve_voice_path_and_language`: a name or alias, else the configured sample."""
        for name, aliases in self.fake.library.items():
            if voice == name or voice in aliases:
                return name
        return "voice-sample"

    def _generate(self, body: Mapping[str, Any], voice: str) -> None:
        reply = self.scripted()
        if reply is None:
            return
        controls = {k: body[k] for k in ("exaggeration", "cfg_weight", "temperature")
                    if body.get(k) is not None}
        if body.get("stream_format") == "sse":
            self._sse(body["input"], voice, controls, reply)
            return
        audio = self.fake.speak(body["input"], voice, "wav", controls)
        disposition = {"Content-Disposition": "attachment; filename=speech.wav"}
        self._stream(audio, "audio/wav", disposition, reply.hold)

    def _sse(self, text: str, voice: str, controls: Mapping[str, Any], reply: Reply) -> None:
        self._begin("text/event-stream", {"Cache-Control": "no-cache", "Connection": "keep-alive",
                                          "X-Accel-Buffering": "no"})
        self._event({"type": "speech.audio.info", "sample_rate": SAMPLE_RATE, "channels": 1,
                     "bits_per_sample": 16})
        chunks = [c for c in re.split(r"(?<=[.!?])\s+", text.strip()) if c]
        for index, chunk in enumerate(chunks):
            pcm = self.fake.speak(chunk, voice, "pcm", controls)
            self._event({"type": "speech.audio.delta", "audio": base64.b64encode(pcm).decode()})
            if index == 0 and (reply.cut or self._held(reply.hold)):
                self.close_connection = True
                return
        tokens = len(text.split())
        self._event({"type": "speech.audio.done", "usage": {
            "input_tokens": tokens, "output_tokens": 50 * len(chunks),
            "total_tokens": tokens + 50 * len(chunks)}})
        self._chunk(b"")

    def _event(self, data: Mapping[str, Any]) -> None:
        self._chunk(f"data: {json.dumps(data)}\n\n".encode())

    def _error(self, status: int, message: str, kind: str) -> None:
        self._json(status, {"error": {"message": message, "type": kind}})


# --- small pieces ---------------------------------------------------------------------------


def _multipart(
    content_type: str, raw: bytes
) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """(fields, files) of a multipart/form-data body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[str(name)] = (filename, payload)
        else:
            fields[str(name)] = payload.decode()
    return fields, files


def _number(value: str) -> Any:
    try:
        return float(value)
    except ValueError:
        return value


def _is_audio(data: bytes) -> bool:
    return data[:4] == b"RIFF" or data[:3] == b"ID3" or data[:2] in (b"\xff\xfb", b"\xff\xf3")


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _client_left(conn: socket.socket, seconds: float) -> bool:
    """Wait up to `seconds` for the client to close the connection; True if it did."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        readable, _, _ = select.select([conn], [], [], 0.02)
        if readable:
            try:
                if conn.recv(1, socket.MSG_PEEK) == b"":
                    return True
            except OSError:
                return True
    return False
