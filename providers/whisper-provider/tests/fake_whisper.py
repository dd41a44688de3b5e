"""A local Whisper service that really listens: both wire protocols on 127.0.0.1.

`FakeWhisper(flavor=...)` is one of three servers:

- `asr-webservice`: ahmetoner/whisper-asr-webservice (protocols.md §9a, §12). `POST /asr`
  (multipart `audio_file`; query `encode`, `task`, `language`, `initial_prompt`,
  `vad_filter`, `word_timestamps`, `output` txt|vtt|srt|tsv|json) answers a streamed
  body with `Content-Type: text/plain` for every output, json included, and the
  `Asr-Engine` and `Content-Disposition` headers; `POST /detect-language`; `GET /`
  redirects to `/docs`; `GET /openapi.json` lists its paths. Errors are FastAPI's: 422
  `{"detail": [{"type": "missing", "loc": ["body", "audio_file"], ...}]}` and a plain
  500 `Internal Server Error` when the upload does not decode.
- `speaches`: an OpenAI-compatible server (speaches / faster-whisper-server, §9b):
  `POST /v1/audio/transcriptions` and `/v1/audio/translations` (multipart `file`,
  `model`, `language`, `prompt`, `response_format` json|text|srt|verbose_json|vtt,
  `temperature`, `timestamp_granularities[]`), `GET /v1/models`, `GET /openapi.json`.
- `openai`: the same API as OpenAI serves it: a bearer key is required (401
  `invalid_api_key`), and there is no `/openapi.json`.

OpenAI-style errors are `{"error": {"message", "type", "param", "code"}}`.
The text is really recognised from the upload, with pocketsphinx through the host's
`tests/helpers/speech.py` (a `Listener` can replace it). Errors can be scripted:

    with FakeWhisper("openai", api_key=KEY) as fake:
        fake.script(Reply(429, openai_error("Rate limit reached", "requests"),
                          {"retry-after": "0"}))
        ...                                   # point the provider at fake.base_url
        fake.requests[-1].fields["model"]

No pytest in here: the host's tests import this file by path.
"""

from __future__ import annotations

import collections
import dataclasses
import email.parser
import email.policy
import json
import select
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mediaconduit.sdk.fakes import host_test_helper

#: the MediaConduit checkout holding this provider: its test helpers do the listening
HOST_ROOT = Path(__file__).resolve().parents[3]
FLAVORS = ("asr-webservice", "speaches", "openai")
OUTPUTS = ("txt", "vtt", "srt", "tsv", "json")
RESPONSE_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
OPENAI_MODELS = ("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o")
SPEACHES_MODELS = ("Systran/faster-whisper-small", "Systran/faster-distil-whisper-large-v3")
FILE_FORMATS = "['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']"

Listener = Callable[[bytes], list[dict[str, Any]]]  # upload -> words {"word","start","end"}


def host_helper(name: str) -> ModuleType:
    """`tests/helpers/<name>.py` of the host checkout (see `sdk.fakes.host_test_helper`)."""
    return host_test_helper(name, HOST_ROOT)


_loopback = host_helper("loopback")
LoopbackServer, QuietHandler = _loopback.LoopbackServer, _loopback.QuietHandler


def default_listener() -> Listener:
    speech = host_helper("speech")

    def listen(data: bytes) -> list[dict[str, Any]]:
        return list(speech.recognize(data)[1])

    return listen


class UndecodableError(Exception):
    """The upload is not audio FFmpeg can read (as whisper's `load_audio` fails)."""


def openai_error(message: str, kind: str = "invalid_request_error", param: str | None = None,
                 code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


@dataclasses.dataclass(frozen=True)
class Reply:
    """A scripted answer to the next transcription request (instead of the real one).

    `status`/`body`/`headers`: an error answer (`body` a dict is sent as JSON, a str as
    text/plain). `hold`: answer normally, but only after up to `hold` seconds, or not at
    all when the client hangs up first (cancel tests).
    """

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    hold: float = 0.0


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # names in lower case
    fields: Mapping[str, Any]  # multipart text fields (lists for `x[]` names)
    files: Mapping[str, tuple[str, str, int]]  # field -> (filename, content type, size)


# --- what whisper returns ---------------------------------------------------------------------


def segments_of(words: list[dict[str, Any]], gap: float = 0.6,
                most: int = 12) -> list[list[dict[str, Any]]]:
    """Words grouped as whisper segments: split at pauses over `gap` s or `most` words."""
    groups: list[list[dict[str, Any]]] = []
    for word in words:
        if groups and (word["start"] - groups[-1][-1]["end"] <= gap and len(groups[-1]) < most):
            groups[-1].append(word)
        else:
            groups.append([word])
    return groups


def whisper_result(words: list[dict[str, Any]], language: str, with_words: bool,
                   task: str = "transcribe") -> dict[str, Any]:
    """The engine's result dict, as openai-whisper's `transcribe()` returns it."""
    segments = []
    for index, group in enumerate(segments_of(words)):
        segment: dict[str, Any] = {
            "id": index, "seek": 0, "start": group[0]["start"], "end": group[-1]["end"],
            "text": " " + " ".join(w["word"] for w in group), "tokens": [50364 + index],
            "temperature": 0.0, "avg_logprob": -0.25, "compression_ratio": 0.8,
            "no_speech_prob": 0.01}
        if with_words:
            segment["words"] = [{"word": " " + w["word"], "start": w["start"], "end": w["end"],
                                 "probability": 0.9} for w in group]
        segments.append(segment)
    text = "".join(s["text"] for s in segments)
    return {"text": text, "segments": segments, "language": language, "task": task}


def _clock(seconds: float, comma: bool, hours: bool = True) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    mark = "," if comma else "."
    return (f"{h:02d}:" if hours or h else "") + f"{m:02d}:{s:02d}{mark}{ms:03d}"


def write_output(result: dict[str, Any], output: str) -> str:
    """whisper-asr-webservice's `ResultWriter`s (app/utils.py)."""
    segments = result["segments"]
    if output == "json":
        return json.dumps(result)
    if output == "txt":
        return "".join(s["text"].strip() + "\n" for s in segments)
    if output == "tsv":
        rows = [f"{round(s['start'] * 1000)}\t{round(s['end'] * 1000)}\t{s['text'].strip()}"
                for s in segments]
        return "start\tend\ttext\n" + "".join(r + "\n" for r in rows)
    return subtitles(segments, srt=output == "srt")


def subtitles(segments: list[dict[str, Any]], srt: bool) -> str:
    """SRT (`1`, `HH:MM:SS,mmm`) or WebVTT (`WEBVTT`, `MM:SS.mmm`) cues."""
    cues = []
    for number, s in enumerate(segments, 1):
        if srt:
            times = f"{_clock(s['start'], True)} --> {_clock(s['end'], True)}"
            cues.append(f"{number}\n{times}\n{s['text'].strip()}\n")
        else:
            times = f"{_clock(s['start'], False, False)} --> {_clock(s['end'], False, False)}"
            cues.append(f"{times}\n{s['text'].strip()}\n")
    return ("\n".join(cues) if srt else "WEBVTT\n\n" + "\n".join(cues))


# --- the server ---------------------------------------------------------------------------------


class FakeWhisper:
    """The server. `start()`/`stop()` or a `with` block; `base_url` is scheme, host, port."""

    def __init__(self, flavor: str = "asr-webservice", api_key: str | None = None,
                 listener: Listener | None = None, engine: str = "openai_whisper") -> None:
        if flavor not in FLAVORS:
            raise ValueError(f"flavor must be one of {FLAVORS}, not {flavor!r}")
        self.flavor = flavor
        self.api_key = api_key
        self.engine = engine
        self.listener = listener or default_listener()
        self.disconnected = threading.Event()  # a client hung up while its answer was held
        self._lock = threading.Lock()
        self._scripts: collections.deque[Reply] = collections.deque()
        self._requests: list[RecordedRequest] = []
        self._server: Any = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeWhisper:
        self._server = LoopbackServer(_handler(self))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeWhisper:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def script(self, *replies: Reply) -> None:
        """Answer the next transcription requests with these, in order."""
        with self._lock:
            self._scripts.extend(replies)

    def next_script(self) -> Reply | None:
        with self._lock:
            return self._scripts.popleft() if self._scripts else None

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        with self._lock:
            self._scripts.clear()
            self._requests.clear()
        self.disconnected.clear()

    def words(self, data: bytes) -> list[dict[str, Any]]:
        """What the listener hears in an upload; `UndecodableError` when it is not audio."""
        try:
            return self.listener(data)
        except Exception as error:  # the speech helper raises for bytes FFmpeg cannot read
            raise UndecodableError(str(error)) from error


def _handler(fake: FakeWhisper) -> type[Any]:
    class Handler(_WhisperHandler):
        pass

    Handler.fake = fake
    return Handler


class _WhisperHandler(QuietHandler):
    fake: FakeWhisper

    # -- plumbing --------------------------------------------------------------------------

    def serve(self) -> None:
        parts = urlsplit(self.path)
        self.route = parts.path
        self.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.fields, self.files = _multipart(self.headers.get("Content-Type", ""), body)
        self.fake.record(RecordedRequest(
            self.command, self.route, self.query, {k.lower(): v for k, v in self.headers.items()},
            dict(self.fields),
            {k: (name, kind, len(data)) for k, (name, kind, data) in self.files.items()}))
        routes = {"asr-webservice": ASR_ROUTES, "speaches": SPEACHES_ROUTES}.get(
            self.fake.flavor, OPENAI_ROUTES)
        handler = routes.get((self.command, self.route))
        if handler is None:
            self.not_found()
            return
        handler(self)

    def send(self, status: int, body: bytes | str | dict[str, Any] | list[Any],
             content_type: str | None = None, headers: Mapping[str, str] | None = None,
             chunked: bool = False) -> None:
        if isinstance(body, (dict, list)):
            data, kind = json.dumps(body).encode(), "application/json"
        else:
            data = body.encode() if isinstance(body, str) else body
            kind = "text/plain; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type or kind)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(data), 1024):
                piece = data[start:start + 1024]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def not_found(self) -> None:
        if self.fake.flavor == "asr-webservice" or self.fake.flavor == "speaches":
            self.send(404, {"detail": "Not Found"})
        else:
            self.send(404, openai_error(f"Invalid URL ({self.command} {self.route})"))

    def scripted(self) -> bool:
        """Send the next scripted error, or hold as scripted; True when the reply is sent."""
        reply = self.fake.next_script()
        if reply is None:
            return False
        if reply.hold and self._hold(reply.hold):
            return True
        if reply.status == 200:
            return False
        self.send(reply.status, reply.body if reply.body is not None else "", headers=reply.headers)
        return True

    def _hold(self, seconds: float) -> bool:
        """Wait up to `seconds`; True (and `disconnected` set) when the client hung up."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.02)
            if readable and not self.connection.recv(1, 2):  # MSG_PEEK: b"" is a hang-up
                self.fake.disconnected.set()
                self.close_connection = True
                return True
        return False

    # -- whisper-asr-webservice --------------------------------------------------------------

    def asr(self) -> None:
        upload = self.files.get("audio_file")
        if upload is None:
            self.send(422, _missing("audio_file"))
            return
        if self.scripted():
            return
        output = self.query.get("output", "txt")
        task = self.query.get("task", "transcribe")
        if output not in OUTPUTS or task not in ("transcribe", "translate"):
            self.send(500, "Internal Server Error")  # the writer lookup fails unhandled
            return
        try:
            words = self.fake.words(upload[2])
        except UndecodableError:
            self.send(500, "Internal Server Error")  # RuntimeError("Failed to load audio: ...")
            return
        with_words = self.query.get("word_timestamps", "false").lower() in ("true", "1")
        result = whisper_result(words, self.query.get("language") or "en", with_words, task)
        stem = Path(upload[0] or "audio").stem
        self.send(200, write_output(result, output), "text/plain; charset=utf-8",
                  {"Asr-Engine": self.fake.engine,
                   "Content-Disposition": f'attachment; filename="{stem}.{output}"'},
                  chunked=True)

    def detect_language(self) -> None:
        upload = self.files.get("audio_file")
        if upload is None:
            self.send(422, _missing("audio_file"))
            return
        if self.scripted():
            return
        try:
            words = self.fake.words(upload[2])
        except UndecodableError:
            self.send(500, "Internal Server Error")
            return
        confidence = 0.97 if words else 0.31
        self.send(200, {"detected_language": "english", "language_code": "en",
                        "confidence": confidence})

    def docs_redirect(self) -> None:
        self.send(307, b"", headers={"Location": "/docs"})

    def openapi(self) -> None:
        if self.fake.flavor == "asr-webservice":
            paths = {"/asr": {"post": {}}, "/detect-language": {"post": {}}, "/": {"get": {}}}
            title = "Whisper Asr Webservice"
        else:
            paths = {"/v1/audio/transcriptions": {"post": {}}, "/v1/audio/translations": {
                "post": {}}, "/v1/models": {"get": {}}, "/health": {"get": {}}}
            title = "Speaches"
        self.send(200, {"openapi": "3.1.0", "info": {"title": title, "version": "1.0"},
                        "paths": paths})

    # -- the OpenAI-compatible API --------------------------------------------------------------

    def authorised(self) -> bool:
        if self.fake.flavor != "openai":
            return True
        given = self.headers.get("Authorization", "")
        if given == f"Bearer {self.fake.api_key}" and self.fake.api_key:
            return True
        shown = given.removeprefix("Bearer ")
        hint = f"{shown[:3]}*****{shown[-4:]}" if len(shown) > 8 else shown
        message = (f"Incorrect API key provided: {hint}. You can find your API key at "
                   "https://platform.openai.com/account/api-keys." if given else
                   "You didn't provide an API key. You need to provide your API key in an "
                   "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
        self.send(401, openai_error(message, code="invalid_api_key" if given else None))
        return False

    def models(self) -> None:
        if not self.authorised():
            return
        owner = "openai-internal" if self.fake.flavor == "openai" else "speaches"
        names = OPENAI_MODELS if self.fake.flavor == "openai" else SPEACHES_MODELS
        self.send(200, {"object": "list", "data": [
            {"id": name, "object": "model", "created": 1677610602, "owned_by": owner}
            for name in names]})

    def transcriptions(self) -> None:
        self._openai_audio("transcribe")

    def translations(self) -> None:
        self._openai_audio("translate")

    def _openai_audio(self, task: str) -> None:
        if not self.authorised() or self._bad_request():
            return
        if self.scripted():
            return
        try:
            words = self.fake.words(self.files["file"][2])
        except UndecodableError:
            self.send(400, openai_error(f"Invalid file format. Supported formats: {FILE_FORMATS}"))
            return
        language = "en" if task == "translate" else (self.fields.get("language") or "en")
        self._answer(whisper_result(words, language, True, task), words)

    def _bad_request(self) -> bool:
        """The 400/404 answers of a malformed or unknown-model request (True when sent)."""
        model = self.fields.get("model")
        known = OPENAI_MODELS if self.fake.flavor == "openai" else SPEACHES_MODELS
        fmt = self.fields.get("response_format", "json")
        if "file" not in self.files:
            self.send(400, openai_error("you must provide a file", param="file"))
        elif not model:
            self.send(400, openai_error("you must provide a model parameter", param="model"))
        elif model not in known:
            self.send(404, openai_error(f"The model `{model}` does not exist or you do not have "
                                        "access to it.", code="model_not_found"))
        elif fmt not in RESPONSE_FORMATS:
            self.send(400, openai_error(f"'{fmt}' is not one of {list(RESPONSE_FORMATS)} - "
                                        "'response_format'", param="response_format"))
        else:
            return False
        return True

    def _answer(self, result: dict[str, Any], words: list[dict[str, Any]]) -> None:
        fmt = self.fields.get("response_format", "json")
        text = result["text"].strip()
        if fmt == "json":
            self.send(200, {"text": text})
        elif fmt == "text":
            self.send(200, text + "\n")
        elif fmt in ("srt", "vtt"):
            self.send(200, subtitles(result["segments"], srt=fmt == "srt"))
        else:
            self.send(200, self._verbose(result, words))

    def _verbose(self, result: dict[str, Any], words: list[dict[str, Any]]) -> dict[str, Any]:
        granularity = self.fields.get("timestamp_granularities[]") or ["segment"]
        body: dict[str, Any] = {
            "task": result["task"], "language": _LANGUAGE_NAMES.get(result["language"],
                                                                    result["language"]),
            "duration": words[-1]["end"] if words else 0.0, "text": result["text"].strip()}
        if "segment" in granularity:
            body["segments"] = [{k: v for k, v in s.items() if k != "words"}
                                for s in result["segments"]]
        if "word" in granularity:
            body["words"] = [{"word": w["word"], "start": w["start"], "end": w["end"]}
                             for w in words]
        return body


_LANGUAGE_NAMES = {"en": "english", "fr": "french", "de": "german", "es": "spanish"}

ASR_ROUTES: dict[tuple[str, str], Callable[[_WhisperHandler], None]] = {
    ("POST", "/asr"): _WhisperHandler.asr,
    ("POST", "/detect-language"): _WhisperHandler.detect_language,
    ("GET", "/"): _WhisperHandler.docs_redirect,
    ("GET", "/openapi.json"): _WhisperHandler.openapi,
}
OPENAI_ROUTES: dict[tuple[str, str], Callable[[_WhisperHandler], None]] = {
    ("POST", "/v1/audio/transcriptions"): _WhisperHandler.transcriptions,
    ("POST", "/v1/audio/translations"): _WhisperHandler.translations,
    ("GET", "/v1/models"): _WhisperHandler.models,
}
SPEACHES_ROUTES = {**OPENAI_ROUTES, ("GET", "/openapi.json"): _WhisperHandler.openapi}


def _missing(field: str) -> dict[str, Any]:
    return {"detail": [{"type": "missing", "loc": ["body", field], "msg": "Field required",
                        "input": None}]}


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, Any],
                                                         dict[str, tuple[str, str, bytes]]]:
    """Text fields (repeated `x[]` names as lists) and files of a multipart/form-data body."""
    fields: dict[str, Any] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    if not content_type.startswith("multipart/form-data"):
        return fields, files
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[str(name)] = (part.get_filename() or "", part.get_content_type(), data)
        elif str(name).endswith("[]"):
            fields.setdefault(str(name), []).append(data.decode())
        else:
            fields[str(name)] = data.decode()
    return fields, files
