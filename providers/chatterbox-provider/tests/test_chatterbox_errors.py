"""Detection, settings, cancelling, and every error answer of both servers, typed."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from chatterbox_helpers import SEVEN, MakeProvider, speak
from chatterbox_provider import START_COMMANDS, load_settings
from chatterbox_provider.errors import map_error
from fake_chatterbox import (
    FakeChatterbox,
    Reply,
    generation_failed,
    host_helper,
    model_not_loaded,
)

from mediaconduit.sdk import (
    InvalidInputError,
    MediaConduitError,
    ModelNotFoundError,
    ProviderUnavailableError,
    RateLimitError,
    call_outputs,
)
from mediaconduit.sdk.calls import CallContext, enter_call, leave_call
from mediaconduit.sdk.http import ErrorResponse


@pytest.mark.parametrize("api", ["devnen", "travisvn"])
def test_the_server_kind_is_detected(make_provider: MakeProvider,
                                     servers: dict[str, FakeChatterbox], api: str) -> None:
    provider = make_provider(servers[api])
    assert provider.backend.api == api
    assert provider.health() == {"ok": True, "api": api, "base_url": servers[api].base_url,
                                 "voices": len(provider.voices())}


def test_a_set_kind_is_not_probed(make_provider: MakeProvider, devnen: FakeChatterbox) -> None:
    provider = make_provider(devnen, api="devnen")
    assert provider.backend.api == "devnen" and devnen.requests == []


def test_a_server_of_neither_kind_is_named(make_provider: MakeProvider) -> None:
    loopback = host_helper("loopback")

    class NotChatterbox(loopback.QuietHandler):  # type: ignore[name-defined,misc]
        def serve(self) -> None:
            body = b'{"detail":"Not Found"}'
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = loopback.LoopbackServer(NotChatterbox)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(ProviderUnavailableError, match="neither as devnen's nor as travis"):
            make_provider(base_url=url).voices()
        assert make_provider(base_url=url, api="devnen").backend.api == "devnen"  # trusted
    finally:
        server.shutdown()
        server.server_close()


def test_nothing_running_says_how_to_start_either_server(make_provider: MakeProvider) -> None:
    provider = make_provider(base_url="http://127.0.0.1:9")
    with pytest.raises(ProviderUnavailableError) as info:
        speak(provider)
    message = str(info.value)
    assert "nothing answers at http://127.0.0.1:9" in message
    assert all(command in message for command in START_COMMANDS.values())
    assert provider.health()["ok"] is False


def test_a_known_kind_that_is_down_names_its_own_command(make_provider: MakeProvider) -> None:
    provider = make_provider(base_url="http://127.0.0.1:9", api="travisvn")
    with pytest.raises(ProviderUnavailableError) as info:
        provider.voices()
    assert START_COMMANDS["travisvn"] in str(info.value)
    assert START_COMMANDS["devnen"] not in str(info.value)


@pytest.mark.parametrize(("api", "reply", "kind", "words"), [
    ("devnen", model_not_loaded("devnen"), ProviderUnavailableError, "not currently loaded"),
    ("devnen", generation_failed("devnen"), ProviderUnavailableError, "CUDA out of memory"),
    ("devnen", Reply(400, {"detail": "Text processing resulted in no usable chunks."}),
     InvalidInputError, "no usable chunks"),
    ("travisvn", model_not_loaded("travisvn"), ProviderUnavailableError, "Model not loaded"),
    ("travisvn", generation_failed("travisvn"), ProviderUnavailableError, "generation failed"),
    ("travisvn", Reply(500, {"error": {"message": "Internal server error: boom",
                                       "type": "internal_error"}}),
     ProviderUnavailableError, "Internal server error: boom"),
])
def test_speech_errors_are_typed(make_provider: MakeProvider, servers: dict[str, FakeChatterbox],
                                 api: str, reply: Reply, kind: type[MediaConduitError],
                                 words: str) -> None:
    fake = servers[api]
    fake.reset()
    fake.script(reply, reply, reply)
    with pytest.raises(kind, match=words) as info:
        speak(make_provider(fake, max_attempts=1))
    assert type(info.value) is kind and f"answered {reply.status}" in str(info.value)


def test_a_5xx_is_retried(make_provider: MakeProvider, devnen: FakeChatterbox) -> None:
    devnen.script(model_not_loaded("devnen"))
    assert speak(make_provider(devnen, max_attempts=2)).path is not None
    assert len(devnen.requests_to("/tts")) == 2


def test_devnen_voice_file_gone_is_invalid(make_provider: MakeProvider,
                                           devnen: FakeChatterbox) -> None:
    provider = make_provider(devnen, route="openai")
    provider.voices()  # listed now, gone by the time the request arrives
    devnen.predefined.remove("Thomas.wav")
    try:
        with pytest.raises(InvalidInputError, match=r"Voice file 'Thomas\.wav' not found"):
            speak(provider, voice="Thomas.wav")
    finally:
        devnen.predefined.append("Thomas.wav")


def test_travisvn_text_too_long_is_invalid(make_provider: MakeProvider,
                                           travisvn: FakeChatterbox) -> None:
    with pytest.raises(InvalidInputError, match="input: String should have at most 3000"):
        speak(make_provider(travisvn), "word " * 700)


def test_travisvn_unsupported_upload_is_invalid(make_provider: MakeProvider,
                                                travisvn: FakeChatterbox, tmp_path: Any) -> None:
    voice = tmp_path / "voice.m4a"
    voice.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(64))
    travisvn.script(Reply(400, {"error": {"message": "Unsupported audio format: .m4a",
                                          "type": "invalid_request_error"}}))
    with pytest.raises(InvalidInputError, match="Unsupported audio format"):
        speak(make_provider(travisvn), reference=str(voice))


@pytest.mark.parametrize(("status", "body", "kind", "words"), [
    (404, {"detail": "Predefined voice file 'x.wav' not found."}, InvalidInputError,
     "x.wav' not found"),
    (400, {"detail": "Missing 'predefined_voice_id' for 'predefined' voice mode."},
     InvalidInputError, "Missing 'predefined_voice_id'"),
    (422, {"detail": [{"type": "missing", "loc": ["body", "text"], "msg": "Field required"}]},
     InvalidInputError, "text: Field required"),
    (409, {"detail": {"error": {"message": "Voice 'bob' already exists",
                                "type": "voice_exists_error"}}}, InvalidInputError,
     "already exists"),
    (400, {"error": {"message": "stream_format must be 'audio' or 'sse'",
                     "type": "validation_error"}}, InvalidInputError, "stream_format must be"),
    (500, {"detail": {"error": {"message": "Failed to upload voice: disk full",
                                "type": "voice_library_error"}}}, ProviderUnavailableError,
     "disk full"),
    (429, {"detail": "slow down"}, RateLimitError, "slow down"),
    (502, "<html>Bad Gateway</html>", ProviderUnavailableError, "Bad Gateway"),
])
def test_every_error_body_maps_to_a_typed_error(status: int, body: Any,
                                                kind: type[MediaConduitError], words: str) -> None:
    import json

    text = body if isinstance(body, str) else json.dumps(body)
    error = map_error(ErrorResponse(status, "POST", "/tts", {}, text))
    assert type(error) is kind and words in str(error)


def test_the_one_model(make_provider: MakeProvider) -> None:
    provider = make_provider(base_url="http://127.0.0.1:9")
    assert provider.get_model("chatterbox").id == "chatterbox"
    with pytest.raises(ModelNotFoundError, match="one model, 'chatterbox'"):
        provider.get_model("chatterbox-turbo")


@pytest.mark.parametrize(("params", "words"), [
    ({"exaggeration": 3}, "exaggeration must be a number from 0.25 to 2.0"),
    ({"cfg_weight": -1}, "cfg_weight"), ({"temperature": "hot"}, "temperature"),
])
def test_controls_out_of_range_are_refused(make_provider: MakeProvider, devnen: FakeChatterbox,
                                           params: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words.replace(".", r"\.")):
        speak(make_provider(devnen), **params)
    assert devnen.requests == []


@pytest.mark.parametrize("value", ["", 5])
def test_empty_input_is_refused(make_provider: MakeProvider, devnen: FakeChatterbox,
                                value: Any) -> None:
    with pytest.raises(InvalidInputError, match="non-empty Text"):
        make_provider(devnen).get_model("chatterbox").transform(value)


@pytest.mark.parametrize(("config", "env", "words"), [
    ({"api": "coqui"}, {}, "CHATTERBOX_API must be one of devnen, travisvn, auto"),
    ({}, {"CHATTERBOX_API": "xtts"}, "CHATTERBOX_API"),
    ({"base_url": "localhost:4123"}, {}, "http(s) URL"),
    ({"route": "rest"}, {}, "config route"), ({"max_attempts": 0}, {}, "max_attempts"),
    ({"timeout": -1}, {}, "timeout"),
])
def test_bad_settings_name_the_key(config: dict[str, Any], env: dict[str, str],
                                   words: str) -> None:
    with pytest.raises(InvalidInputError, match=words.replace("(", r"\(").replace(")", r"\)")):
        load_settings(config, env)


def test_settings_precedence_and_candidates() -> None:
    env = {"CHATTERBOX_BASE_URL": "http://box:4123/v1", "CHATTERBOX_API": "TravisVN"}
    settings = load_settings({}, env)
    assert (settings.base_url, settings.api) == ("http://box:4123", "travisvn")
    assert load_settings({"base_url": "http://other:1"}, env).candidates() == ["http://other:1"]
    assert load_settings({}, {}).candidates() == [
        "http://localhost:4123", "http://localhost:8004", "http://localhost:8000"]
    assert load_settings({"api": "auto"}, {"CHATTERBOX_API": "devnen"}).api is None
    assert load_settings({"api": "devnen"}, {}).candidates() == [
        "http://localhost:8004", "http://localhost:8000"]


@pytest.mark.parametrize(("api", "stream_format"), [
    ("devnen", "audio"), ("travisvn", "audio"), ("travisvn", "sse"),
])
def test_cancelling_closes_the_download_and_the_server_sees_it(
        make_provider: MakeProvider, servers: dict[str, FakeChatterbox], api: str,
        stream_format: str) -> None:
    fake = servers[api]
    fake.reset()
    fake.script(Reply(hold=10))
    provider = make_provider(fake, stream_format=stream_format)
    provider.voices()
    call = CallContext()
    token = enter_call(call)
    timer = threading.Timer(0.3, call.cancel)
    timer.start()
    try:
        with pytest.raises(ProviderUnavailableError, match="cancelled"):
            speak(provider, SEVEN)
    finally:
        leave_call(token)
        timer.cancel()
    assert fake.disconnected.wait(5)


def test_a_failed_call_leaves_no_file(make_provider: MakeProvider, travisvn: FakeChatterbox,
                                      tmp_path: Any) -> None:
    travisvn.script(model_not_loaded("travisvn"), Reply(cut=True))
    with call_outputs(tmp_path):
        with pytest.raises(ProviderUnavailableError):
            speak(make_provider(travisvn, max_attempts=1))
        with pytest.raises(ProviderUnavailableError):
            speak(make_provider(travisvn, stream_format="sse"), "One. Two.")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("api", ["devnen", "travisvn"])
def test_a_dropped_connection_is_unavailable(make_provider: MakeProvider,
                                             servers: dict[str, FakeChatterbox], api: str) -> None:
    fake = servers[api]
    fake.reset()
    fake.script(Reply(drop=True))
    provider = make_provider(fake, max_attempts=1)
    provider.voices()
    with pytest.raises(ProviderUnavailableError, match="Server disconnected"):
        speak(provider)
