"""A local Kokoro-FastAPI that really speaks: the server's wire protocol on 127.0.0.1.

Faithful to remsky/Kokoro-FastAPI (`api/src/routers/openai_compatible.py`, `main.py`;
MediaConduit's protocols.md §10a and §12): the router under `/v1`, `GET /health`,
`POST /v1/audio/speech` with its fields, voice mixes (`af_bella(2)+af_sky(1)`),
OpenAI voice names mapped as `openai_mappings.json` maps them, the content types and
headers of a streamed (`stream` defaults to true: chunked) and a plain answer,
`GET /v1/audio/voices` in the new `{"voices": [{"id", "name"}]}` shape (the legacy
string list with `?legacy=true`, or always with `legacy=True`), `GET /v1/models`,
and the real error bodies: `{"detail": {"error", "message", "type"}}` for 400/404/500
and FastAPI's 422 `{"detail": [{"type", "loc", "msg", "input"}]}`.

The audio is real speech: a `Speaker` (text, voice, speed, format) -> bytes makes it;
by default espeak-ng through the host's `tests/helpers/speech.py`, each Kokoro voice
at a pitch of its own, at Kokoro's 24 kHz; a mix sounds like its heaviest voice.

    with FakeKokoro() as fake:
        fake.script(Reply(status=500, body=processing_error("boom")))
        ...                                  # point the client at fake.base_url
        fake.requests[-1].body["voice"]

No pytest in here: the host's tests import this file by path.
"""

from __future__ import annotations

import collections
import dataclasses
import importlib
import importlib.util
import json
import os
import re
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mediaconduit.sdk.fakes import host_test_helper

#: the MediaConduit checkout holding this provider: its test helpers serve the fakes
HOST_ROOT = Path(__file__).resolve().parents[3]


def host_helper(name: str) -> ModuleType:
    """`tests/helpers/<name>.py` of the host checkout (see `sdk.fakes.host_test_helper`)."""
    return host_test_helper(name, HOST_ROOT)


_loopback = host_helper("loopback")
LoopbackServer, QuietHandler = _loopback.LoopbackServer, _loopback.QuietHandler

Speaker = Callable[[str, str, float, str], bytes]

SAMPLE_RATE = 24000
#: the espeak voice every Kokoro voice speaks with, at its own pitch: plain `en-us` is the
#: voice pocketsphinx hears best (measured: 5-7 of 7 words at any pitch from 20 to 75)
ESPEAK_VOICE = "en-us"
VOICES = (
    "af_alloy", "af_aoede", "af_bella", "af_heart", "af_jessica", "af_kore", "af_nicole",
    "af_nova", "af_river", "af_sarah", "af_sky", "am_adam", "am_echo", "am_eric", "am_fenrir",
    "am_liam", "am_michael", "am_onyx", "am_puck", "am_santa", "bf_alice", "bf_emma",
    "bf_isabella", "bf_lily", "bm_daniel", "bm_fable", "bm_george", "bm_lewis", "ef_dora",
    "em_alex", "ff_siwis", "hf_alpha", "hm_omega", "if_sara", "im_nicola", "jf_alpha",
    "jm_kumo", "pf_dora", "pm_alex", "zf_xiaobei", "zm_yunjian",
)
#: `openai_mappings.json`: the accepted models, and OpenAI voice names -> Kokoro voices
MODELS = ("tts-1", "tts-1-hd", "kokoro", "gpt-4o-mini-tts")
OPENAI_VOICES = {"alloy": "am_adam", "ash": "af_nicole", "coral": "bf_emma", "echo": "af_bella",
                 "fable": "af_sarah", "onyx": "bm_george", "nova": "bf_isabella",
                 "sage": "am_michael", "shimmer": "af_sky"}
CONTENT_TYPES = {"mp3": "audio/mpeg", "opus": "audio/opus", "aac": "audio/aac",
                 "flac": "audio/flac", "wav": "audio/wav", "pcm": "audio/pcm"}
#: FFmpeg output options per format, as Kokoro's PyAV writer sets them
ENCODERS = {"mp3": ["-c:a", "libmp3lame", "-b:a", "128k", "-write_xing", "0", "-f", "mp3"],
            "aac": ["-c:a", "aac", "-b:a", "128k", "-f", "adts"],
            "opus": ["-c:a", "libopus", "-b:a", "128k", "-f", "ogg"],
            "flac": ["-f", "flac"], "pcm": ["-f", "s16le"]}
FORMAT_LIST = "'mp3', 'opus', 'aac', 'flac', 'wav' or 'pcm'"
CHUNK = 4096
_ITEM = re.compile(r"(?P<name>[^()]+)(?:\((?P<weight>[^()]*)\))?")


def detail(status_error: str, message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    """Kokoro's `HTTPException` body."""
    return {"detail": {"error": status_error, "message": message, "type": kind}}


def processing_error(message: str) -> dict[str, Any]:
    return detail("processing_error", message, "server_error")


@dataclasses.dataclass(frozen=True)
class Reply:
    """One scripted answer to `POST /v1/audio/speech`; the defaults are a normal answer.

    `status`/`body`: an error answer. `hold`: after the first audio chunk, keep the
    stream open up to this many seconds or until the client hangs up (cancel tests).
    `drop`: close the connection without answering.
    """

    status: int = 200
    body: Any = None
    hold: float = 0.0
    drop: bool = False


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any


def voice_pitch(voice: str) -> int:
    """A stable pitch (35..75) per voice name: the voices sound apart, all clearly."""
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
    """espeak-ng through the host's speech helper, a stable English voice per Kokoro voice."""
    _ensure_ffmpeg()
    speech = host_helper("speech")

    def speak(text: str, voice: str, speed: float, fmt: str) -> bytes:
        rate = max(80, min(450, round(175 * speed)))
        wav = speech.synthesize(text, ESPEAK_VOICE, rate=rate, pitch=voice_pitch(voice),
                                sample_rate=SAMPLE_RATE)
        return wav if fmt == "wav" else encode(speech.ffmpeg(), wav, fmt)

    return speak


def encode(ffmpeg: str, wav: bytes, fmt: str) -> bytes:
    """`wav` as Kokoro's `StreamingAudioWriter` writes `fmt` (lossy codecs at 128 kb/s)."""
    command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "-",
               *ENCODERS[fmt], "-"]
    done = subprocess.run(command, input=wav, capture_output=True, check=False)
    if done.returncode != 0 or not done.stdout:
        raise RuntimeError(f"FFmpeg cannot encode {fmt}: {done.stderr.decode(errors='replace')}")
    return done.stdout


class FakeKokoro:
    """The server. `start()`/`stop()` or a `with` block; `base_url` is scheme, host, port."""

    def __init__(self, speaker: Speaker | None = None, voices: tuple[str, ...] = VOICES,
                 legacy: bool = False) -> None:
        self.speaker = speaker or default_speaker()
        self.voices = voices
        self.legacy = legacy
        self.disconnected = threading.Event()  # a client hung up in the middle of a stream
        self._lock = threading.Lock()
        self._scripts: collections.deque[Reply] = collections.deque()
        self._requests: list[RecordedRequest] = []
        self._server: LoopbackServer | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Kokoro is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeKokoro:
        self._server = LoopbackServer(_handler(self))
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeKokoro:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, *replies: Reply) -> None:
        """Queue answers for `POST /v1/audio/speech`, used one per request, in order."""
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
        self.disconnected.clear()


# --- the server's rules ---------------------------------------------------------------------


def resolve_voice(voice: str, available: tuple[str, ...]) -> list[tuple[str, float]]:
    """`process_and_validate_voices`: (voice, weight) pairs, or ValueError with its message."""
    text = voice.replace(" ", "").strip()
    if not text:
        raise ValueError("Voice name cannot be empty")
    if text[0] in "+-" or text[-1] in "+-" or re.search(r"[+-]{2,}", text):
        raise ValueError("Voice combination contains empty combine items")
    pairs = []
    for token in re.split(r"[-+]", text):
        match = _ITEM.fullmatch(token)
        if match is None:
            raise ValueError(f"Voice '{token}' is not a valid voice or voice(weight)")
        name = OPENAI_VOICES.get(match.group("name"), match.group("name"))
        if name not in available:
            raise ValueError(
                f"Voice '{name}' not found. Available voices: {', '.join(sorted(available))}")
        pairs.append((name, _weight(token, match.group("weight"))))
    return pairs


def _weight(token: str, weight: str | None) -> float:
    if weight is None:
        return 1.0
    try:
        value = float(weight)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f"Voice '{token}' must use a positive weight")
    return value


def schema_errors(body: Any) -> list[dict[str, Any]]:
    """FastAPI's 422 items for a body that does not fit `OpenAISpeechRequest`."""
    if not isinstance(body, dict):
        return [{"type": "model_attributes_type", "loc": ["body"],
                 "msg": "Input should be a valid dictionary or object to extract fields from",
                 "input": body}]
    problems = []
    if not isinstance(body.get("input"), str):
        problems.append({"type": "missing", "loc": ["body", "input"], "msg": "Field required",
                         "input": body})
    fmt = body.get("response_format", "mp3")
    if fmt not in CONTENT_TYPES:
        problems.append({"type": "literal_error", "loc": ["body", "response_format"],
                         "msg": f"Input should be {FORMAT_LIST}", "input": fmt,
                         "ctx": {"expected": FORMAT_LIST}})
    problems += _speed_errors(body.get("speed", 1.0))
    return problems


def _speed_errors(speed: Any) -> list[dict[str, Any]]:
    if isinstance(speed, bool) or not isinstance(speed, (int, float)):
        return [{"type": "float_parsing", "loc": ["body", "speed"],
                 "msg": "Input should be a valid number", "input": speed}]
    for bound, ok, kind, words in ((0.25, speed >= 0.25, "greater_than_equal", "greater"),
                                   (4.0, speed <= 4.0, "less_than_equal", "less")):
        if not ok:
            return [{"type": kind, "loc": ["body", "speed"],
                     "msg": f"Input should be {words} than or equal to {bound}", "input": speed,
                     "ctx": {"ge" if words == "greater" else "le": bound}}]
    return []


# --- HTTP -------------------------------------------------------------------------------------


def _handler(fake: FakeKokoro) -> type[QuietHandler]:
    class Handler(_KokoroHandler):
        pass

    Handler.fake = fake
    return Handler


class _KokoroHandler(QuietHandler):
    fake: FakeKokoro

    def serve(self) -> None:
        request = self._record()
        routes: dict[tuple[str, str], Callable[[RecordedRequest], None]] = {
            ("GET", "/health"): lambda r: self._json(200, {"status": "healthy"}),
            ("GET", "/v1/models"): self._models,
            ("GET", "/v1/audio/voices"): self._voices,
            ("POST", "/v1/audio/speech"): self._speech,
        }
        route = routes.get((request.method, request.path))
        if route is None and request.path.startswith("/v1/models/") and request.method == "GET":
            route = self._model
        try:
            self._route(request, route, {path for _, path in routes})
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _route(self, request: RecordedRequest, route: Any, paths: set[str]) -> None:
        if route is not None:
            route(request)
        elif request.path in paths:
            self._json(405, {"detail": "Method Not Allowed"})
        else:
            self._json(404, {"detail": "Not Found"})

    def _record(self) -> RecordedRequest:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        request = RecordedRequest(self.command, parts.path,
                                  {k: v[-1] for k, v in parse_qs(parts.query).items()},
                                  {k.lower(): v for k, v in self.headers.items()}, body)
        self.fake.record(request)
        return request

    # --- endpoints ----------------------------------------------------------------

    def _models(self, request: RecordedRequest) -> None:
        data = [_model_entry(m) for m in MODELS]
        self._json(200, {"object": "list", "data": data})

    def _model(self, request: RecordedRequest) -> None:
        name = request.path.removeprefix("/v1/models/")
        if name not in MODELS[:3]:  # the real route lists three of the four
            self._json(404, detail("model_not_found", f"Model '{name}' not found"))
        else:
            self._json(200, _model_entry(name))

    def _voices(self, request: RecordedRequest) -> None:
        legacy = self.fake.legacy or request.query.get("legacy", "").lower() in ("true", "1")
        voices = list(self.fake.voices)
        listed: list[Any] = voices if legacy else [{"id": v, "name": v} for v in voices]
        self._json(200, {"voices": listed})

    def _speech(self, request: RecordedRequest) -> None:
        reply = self.fake.next_reply()
        if reply.drop:
            self.close_connection = True
            return
        if reply.status != 200:
            self._json(reply.status, reply.body)
            return
        problems = schema_errors(request.body)
        if problems:
            self._json(422, {"detail": problems})
            return
        self._speak(request.body, reply)

    def _speak(self, body: dict[str, Any], reply: Reply) -> None:
        model = body.get("model", "kokoro")
        if model not in MODELS:
            self._json(400, detail("invalid_model", f"Unsupported model: {model}"))
            return
        try:
            pairs = resolve_voice(str(body.get("voice", "af_heart")), self.fake.voices)
        except ValueError as error:
            self._json(400, detail("validation_error", str(error)))
            return
        fmt = body.get("response_format", "mp3")
        voice = max(pairs, key=lambda pair: pair[1])[0]  # the mix sounds like its heaviest voice
        audio = self.fake.speaker(body["input"], voice, float(body.get("speed", 1.0)), fmt)
        if body.get("stream", True):
            self._stream(audio, fmt, reply.hold)
        else:
            self._audio(audio, fmt)

    # --- writing --------------------------------------------------------------------

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _audio(self, audio: bytes, fmt: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPES[fmt])
        self.send_header("Content-Disposition", f"attachment; filename=speech.{fmt}")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Length", str(len(audio)))
        self.end_headers()
        self.wfile.write(audio)

    def _stream(self, audio: bytes, fmt: str, hold: float) -> None:
        self.send_response(200)
        for name, value in (("Content-Type", CONTENT_TYPES[fmt]),
                            ("Content-Disposition", f"attachment; filename=speech.{fmt}"),
                            ("X-Accel-Buffering", "no"), ("Cache-Control", "no-cache"),
                            ("Transfer-Encoding", "chunked")):
            self.send_header(name, value)
        self.end_headers()
        for index, start in enumerate(range(0, len(audio), CHUNK)):
            self._chunk(audio[start:start + CHUNK])
            if index == 0 and hold and self._client_left(hold):
                self.fake.disconnected.set()
                self.close_connection = True
                return
        self._chunk(b"")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _client_left(self, seconds: float) -> bool:
        """Wait up to `seconds` for the client to close the connection; True if it did."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.02)
            if readable and _closed(self.connection):
                return True
        return False


def _closed(conn: socket.socket) -> bool:
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _model_entry(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 1686935002, "owned_by": "kokoro"}
