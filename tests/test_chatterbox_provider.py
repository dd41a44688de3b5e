"""The Chatterbox provider loaded through the host, against both servers, which speak.

`providers/chatterbox-provider` is published to the loopback git server as
`MediaConduit/chatterbox-provider` and loaded by its GitHub URL: real git, a real
uv environment, a real worker, and the provider's own fakes of devnen's
Chatterbox-TTS-Server and travisvn's chatterbox-tts-api
(`providers/chatterbox-provider/tests/fake_chatterbox.py`), whose audio is real
espeak-ng speech. What comes back is recognised here with pocketsphinx
(`tests/helpers/speech.py`). One environment serves both servers: a handle per
server, the kind detected from the server itself (or given as `CHATTERBOX_API`).
And provider to provider: the speech is recognised by the embedded `local-speech`
provider, loaded by its URL too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mediaconduit import (
    Audio,
    InvalidInputError,
    ProviderUnavailableError,
    Text,
    TransformTimeoutError,
)
from mediaconduit.handles import ProviderHandle
from mediaconduit.registry import ProviderRegistry
from tests.conftest import publish
from tests.helpers import speech
from tests.helpers.chatterbox import (
    DEVNEN_VOICES,
    PROVIDER,
    FakeChatterbox,
    Reply,
    model_not_loaded,
)
from tests.helpers.gitserver import GitServer

pytestmark = [pytest.mark.slow, speech.requires_engines]

URL = "https://github.com/MediaConduit/chatterbox-provider"
LOCAL_SPEECH = "https://github.com/MediaConduit/local-speech-provider"
LOCAL_SPEECH_DIR = Path(__file__).resolve().parents[1] / "providers" / "local-speech-provider"
SEVEN = "one two three four five six seven"
FAST = {"max_attempts": 1, "connect_timeout": 2, "timeout": 30, "idle_timeout": 30}
#: the three ways of speaking: (server, stream_format)
WAYS = [("devnen", "audio"), ("travisvn", "audio"), ("travisvn", "sse")]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, FakeChatterbox]]:
    with FakeChatterbox("devnen") as devnen, FakeChatterbox("travisvn") as travisvn:
        yield {"devnen": devnen, "travisvn": travisvn}


@pytest.fixture(scope="module")
def host(git_server: GitServer, tmp_path_factory: pytest.TempPathFactory,
         servers: dict[str, FakeChatterbox]) -> Iterator[ProviderRegistry]:
    """One registry for the module; travisvn's server named by the declared environment."""
    publish(git_server, str(PROVIDER), "MediaConduit/chatterbox-provider")
    cache_root = tmp_path_factory.mktemp("chatterbox") / "cache"
    with pytest.MonkeyPatch.context() as patch, ProviderRegistry(cache_root) as registry:
        patch.setenv("CHATTERBOX_BASE_URL", servers["travisvn"].base_url)
        patch.setenv("CHATTERBOX_API", "travisvn")
        yield registry


@pytest.fixture(scope="module")
def handles(host: ProviderRegistry,
            servers: dict[str, FakeChatterbox]) -> dict[tuple[str, str], ProviderHandle]:
    """A handle per way of speaking; devnen's found by its URL in config, kind detected."""
    devnen = {**FAST, "base_url": servers["devnen"].base_url, "api": "auto"}
    return {("devnen", "audio"): host.get_provider(URL, config=devnen),
            ("travisvn", "audio"): host.get_provider(URL, config=FAST),
            ("travisvn", "sse"): host.get_provider(URL, config={**FAST, "stream_format": "sse"})}


@pytest.fixture(scope="module")
def local_speech(host: ProviderRegistry, git_server: GitServer) -> ProviderHandle:
    """The embedded local-speech provider, by its URL too: it does the listening."""
    publish(git_server, str(LOCAL_SPEECH_DIR), "MediaConduit/local-speech-provider")
    return host.get_provider(LOCAL_SPEECH)


@pytest.fixture
def fakes(servers: dict[str, FakeChatterbox]) -> dict[str, FakeChatterbox]:
    for fake in servers.values():
        fake.reset()
    return servers


def say(handle: ProviderHandle, text: str = SEVEN, **params: Any) -> Audio:
    audio = handle.get_model("chatterbox").transform(Text(text), **params)
    assert isinstance(audio, Audio) and audio.path is not None and audio.path.is_file()
    return audio


def heard(audio: Audio) -> int:
    text, _words = speech.recognize(audio.path)
    return int(speech.words_recovered(SEVEN, text))


# --- loading and discovery ------------------------------------------------------------------


def test_it_loads_by_url_and_discovers_each_server(
        handles: dict[tuple[str, str], ProviderHandle]) -> None:
    devnen, travisvn = handles["devnen", "audio"], handles["travisvn", "audio"]
    assert (devnen.id, devnen.type, devnen.capabilities) == ("chatterbox", "local",
                                                             ["text-to-audio"])
    assert devnen.worker().spec.python == travisvn.worker().spec.python  # one environment
    (info,) = devnen.refresh_models()
    assert (info.id, info.tasks, info.free) == ("chatterbox", ("text-to-speech",), True)
    assert info.metadata["api"] == "devnen" and info.metadata["voices"] == sorted(DEVNEN_VOICES)
    (other,) = travisvn.refresh_models()
    assert other.metadata["api"] == "travisvn" and "narrator" in other.metadata["voices"]
    assert travisvn.health()["api"] == "travisvn"


# --- round trips: text -> Chatterbox -> speech recognised --------------------------------------


@pytest.mark.parametrize("way", WAYS, ids=["-".join(w) for w in WAYS])
def test_text_to_chatterbox_to_text_recovers_most_words(
        handles: dict[tuple[str, str], ProviderHandle], fakes: dict[str, FakeChatterbox],
        way: tuple[str, str]) -> None:
    audio = say(handles[way], exaggeration=0.6, cfg_weight=0.5, temperature=0.8)
    assert audio.mime_type == "audio/wav" and audio.metadata["api"] == way[0]
    assert heard(audio) >= 4
    assert fakes[way[0]].spoken[-1]["exaggeration"] == 0.6
    assert audio.usage.characters == len(SEVEN) and audio.cost.usd == Decimal(0)
    if way[1] == "sse":
        assert audio.usage.audio_seconds and audio.usage.audio_seconds > 1


@pytest.mark.parametrize("way", WAYS[:2], ids=["devnen", "travisvn"])
def test_text_to_chatterbox_to_local_speech_recovers_most_words(
        handles: dict[tuple[str, str], ProviderHandle], local_speech: ProviderHandle,
        way: tuple[str, str]) -> None:
    """Provider to provider, both by URL: Chatterbox speaks, local-speech listens."""
    audio = say(handles[way])
    text = local_speech.get_model("pocketsphinx-en-us").transform(audio)
    assert isinstance(text, Text)
    assert speech.words_recovered(SEVEN, text.text) >= 4, text.text


@pytest.mark.parametrize("way", WAYS[:2], ids=["devnen", "travisvn"])
def test_a_cloned_voice_is_uploaded_and_speaks(
        handles: dict[tuple[str, str], ProviderHandle], fakes: dict[str, FakeChatterbox],
        way: tuple[str, str], tmp_path: Path) -> None:
    reference = tmp_path / "my-voice.wav"
    reference.write_bytes(speech.synthesize("this is my own voice", "en-us+f2"))
    audio = say(handles[way], reference=str(reference))
    path, field = (("/upload_reference", "files") if way[0] == "devnen"
                   else ("/v1/audio/speech/upload", "voice_file"))
    (upload,) = fakes[way[0]].requests_to(path)
    assert upload.files[field][1] == reference.read_bytes()
    assert fakes[way[0]].spoken[-1]["voice"].startswith("clone-")
    assert audio.metadata["bytes"] > 10000 and audio.path is not None
    assert audio.path.read_bytes()[:4] == b"RIFF"


# --- errors ---------------------------------------------------------------------------------


def test_an_unknown_voice_is_invalid_with_close_matches(
        handles: dict[tuple[str, str], ProviderHandle]) -> None:
    with pytest.raises(InvalidInputError, match=r"no voice 'Emilly'; did you mean Emily\.wav"):
        say(handles["devnen", "audio"], voice="Emilly")


def test_a_model_that_is_not_loaded_is_unavailable(
        handles: dict[tuple[str, str], ProviderHandle], fakes: dict[str, FakeChatterbox]) -> None:
    fakes["devnen"].script(model_not_loaded("devnen"))
    with pytest.raises(ProviderUnavailableError, match="not currently loaded"):
        say(handles["devnen", "audio"])


def test_no_server_running_says_how_to_start_each(host: ProviderRegistry) -> None:
    handle = host.get_provider(URL, config={**FAST, "base_url": "http://127.0.0.1:9",
                                            "api": "auto"})
    with pytest.raises(ProviderUnavailableError) as info:
        handle.get_model("chatterbox").transform("hello")
    message = str(info.value)
    assert "docker compose -f docker-compose-cpu.yml up -d --build" in message  # devnen
    assert "docker compose -f docker/docker-compose.cpu.yml up -d" in message  # travisvn
    assert re.search(r"nothing answers at http://127\.0\.0\.1:9", message)


@pytest.mark.parametrize("way", WAYS, ids=["-".join(w) for w in WAYS])
def test_a_timeout_closes_the_download_and_the_server_sees_it(
        handles: dict[tuple[str, str], ProviderHandle], fakes: dict[str, FakeChatterbox],
        way: tuple[str, str]) -> None:
    handles[way].get_model("chatterbox").transform("warm up")  # voices cached, worker warm
    fakes[way[0]].reset()
    fakes[way[0]].script(Reply(hold=20))
    with pytest.raises(TransformTimeoutError):
        say(handles[way], timeout=1.0)
    assert fakes[way[0]].disconnected.wait(10)
