"""Routing through real workers: the policy's order, fallback, cooldowns, streams, chains."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mediaconduit import InvalidInputError, ProviderUnavailableError, Text, Video
from mediaconduit.registry import ProviderRegistry
from mediaconduit.routing import NoRouteError
from tests.conftest import ROOT, TEST_PROVIDERS
from tests.helpers import route_providers

FFMPEG = ROOT / "providers" / "ffmpeg-provider"
CLIP = ROOT / "examples" / "clip.mp4"


def project(folder: Path, providers: list[Path], routing: str = "") -> Path:
    lines = ["providers:", *(f"  - {p}" for p in providers), "routing:", "  allow_paid: false"]
    path = folder / "mediaconduit.yaml"
    path.write_text("\n".join(lines) + "\n" + routing)
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "providers"


def registry_for(cache: Path, path: Path) -> ProviderRegistry:
    return ProviderRegistry(cache, project=path)


@pytest.fixture
def trio(folder: Path, module_cache: Path, tmp_path: Path) -> Iterator[tuple[ProviderRegistry,
                                                                         list[Path]]]:
    dirs = [route_providers.write(folder, name, name) for name in ("down", "limited", "good")]
    with registry_for(module_cache, project(tmp_path, dirs)) as registry:
        yield registry, dirs


def test_fallback_goes_down_the_list_and_says_so(trio: tuple[ProviderRegistry, list[Path]],
                                                 ) -> None:
    registry, (_down, _limited, _good) = trio
    result = registry.transform("hi", to="text")
    assert isinstance(result, Text) and result.text == "good:hi"
    attempts = result.metadata["attempts"]
    assert [(a["provider"], a["error"]) for a in attempts] == [
        ("down", "ProviderUnavailableError"), ("limited", "RateLimitError"), ("good", None)]
    assert attempts[0]["reason"] == "down for maintenance"
    assert result.metadata["route"] == [{"step": 1, "provider": "good", "model": "echo",
                                         "task": "text-generation", "from": "text",
                                         "to": "text"}]


def test_a_rate_limited_candidate_rests_until_its_retry_after(
        trio: tuple[ProviderRegistry, list[Path]]) -> None:
    registry, (down, limited, _good) = trio
    registry.transform("one", to="text")
    again = registry.transform("two", to="text")
    assert again.text == "good:two"  # type: ignore[union-attr]
    reasons = {a["provider"]: a["reason"] for a in again.metadata["attempts"]}
    assert reasons["limited"].startswith("cooling down after a rate limit (60 s)")
    assert route_providers.calls(limited) == ["one"]  # never called while resting
    assert route_providers.calls(down) == ["one", "two"]


def test_invalid_input_stops_at_the_first_candidate(folder: Path, module_cache: Path,
                                                    tmp_path: Path) -> None:
    first, second = (route_providers.write(folder, n, "good") for n in ("good-a", "good-b"))
    with (registry_for(module_cache, project(tmp_path, [first, second])) as registry,
          pytest.raises(InvalidInputError, match="wrong everywhere")):
        registry.transform("bad input", to="text")
    assert route_providers.calls(second) == []


def test_when_every_candidate_fails_one_error_lists_each(folder: Path, module_cache: Path,
                                                         tmp_path: Path) -> None:
    down = route_providers.write(folder, "down", "down")
    locked = route_providers.write(folder, "locked", "locked")
    with (registry_for(module_cache, project(tmp_path, [down, locked])) as registry,
          pytest.raises(NoRouteError) as caught):
        registry.transform("hi", to="text")
    error = caught.value
    assert [(a["provider"], a["error"]) for a in error.attempts] == [
        ("down", "ProviderUnavailableError"), ("locked", "AuthenticationError")]
    assert "tried down:echo: down for maintenance" in str(error)
    assert "tried locked:echo: bad key" in str(error)


def test_a_paid_model_is_never_called_without_allow_paid(folder: Path, module_cache: Path,
                                                         tmp_path: Path) -> None:
    paid = route_providers.write(folder, "paid", "paid", price="0.5")
    good = route_providers.write(folder, "good", "good")
    with registry_for(module_cache, project(tmp_path, [paid, good])) as registry:
        result = registry.transform("hi", to="text")
        plan = registry.plan("hi", to="text")
    assert result.text == "good:hi"  # type: ignore[union-attr]
    assert route_providers.calls(paid) == []
    assert [r.describe() for r in plan.rejected] == [
        {"provider": "paid", "model": "echo", "reason": "paid, and routing.allow_paid is false"}]


def test_allow_paid_and_cheapest_order(folder: Path, module_cache: Path, tmp_path: Path) -> None:
    dear = route_providers.write(folder, "dear", "dear", price="0.5")
    cheap = route_providers.write(folder, "cheap", "cheap", price="0.01")
    path = project(tmp_path, [dear, cheap])
    path.write_text(path.read_text().replace("allow_paid: false",
                                             "allow_paid: true\n  prefer: [cheapest]"))
    with registry_for(module_cache, path) as registry:
        assert registry.transform("hi", to="text").text == "cheap:hi"  # type: ignore[union-attr]
    assert route_providers.calls(dear) == []


def test_a_pinned_default_comes_first(folder: Path, module_cache: Path, tmp_path: Path) -> None:
    first, pinned = (route_providers.write(folder, n, n) for n in ("first", "pinned"))
    routing = "  defaults:\n    text-generation: pinned:echo\n"
    with registry_for(module_cache, project(tmp_path, [first, pinned], routing)) as registry:
        assert registry.transform("hi", to="text").text == "pinned:hi"  # type: ignore[union-attr]


def test_local_is_preferred_by_default(folder: Path, module_cache: Path, tmp_path: Path) -> None:
    remote = route_providers.write(folder, "remote", "remote")
    local = route_providers.write(folder, "local", "local", type="local")
    with registry_for(module_cache, project(tmp_path, [remote, local])) as registry:
        assert registry.transform("hi", to="text").text == "local:hi"  # type: ignore[union-attr]


def test_a_stream_falls_back_before_output_and_never_after(folder: Path, module_cache: Path,
                                                           tmp_path: Path) -> None:
    down, breaks = (route_providers.write(folder, n, n) for n in ("down", "breaks"))
    with registry_for(module_cache, project(tmp_path, [down, breaks])) as registry:
        stream = registry.stream("hi", to="text")
        got: list[str] = []
        with pytest.raises(ProviderUnavailableError, match="mid-stream") as caught:
            got.extend(stream)
    assert got == ["breaks:", "part"]
    assert caught.value.partial == "breaks:part"
    assert [a["provider"] for a in stream.attempts] == ["down", "breaks"]


def test_planning_from_disk_starts_no_worker(folder: Path, module_cache: Path,
                                            tmp_path: Path) -> None:
    dirs = [route_providers.write(folder, n, n) for n in ("one", "two")]
    path = project(tmp_path, dirs)
    with registry_for(module_cache, path) as first:
        first.plan("hi", to="text")  # never discovered before: the workers start for it
    with registry_for(module_cache, path) as registry:
        plan = registry.plan("hi", to="text")
        assert [c.provider.id for c in plan.steps[0].candidates] == ["one", "two"]
        assert all(h._workers.starting is None for h in registry.loaded())


def test_no_provider_for_the_job(folder: Path, module_cache: Path, tmp_path: Path) -> None:
    good = route_providers.write(folder, "good", "good")
    with registry_for(module_cache, project(tmp_path, [good])) as registry:
        with pytest.raises(NoRouteError, match="no configured model turns text to image"):
            registry.plan("hi", to="image")
        with pytest.raises(InvalidInputError, match="not a kind"):
            registry.plan("hi", to="txt")


@pytest.mark.slow
def test_video_to_text_is_a_chain_of_two_steps(module_cache: Path, tmp_path: Path) -> None:
    toolkit = TEST_PROVIDERS / "toolkit"  # its `measure` model: audio-to-text, the size heard
    with registry_for(module_cache, project(tmp_path, [FFMPEG, toolkit])) as registry:
        plan = registry.plan(Video.from_path(CLIP), to="text")
        assert [(s.source, s.target) for s in plan.steps] == [("video", "audio"),
                                                               ("audio", "text")]
        assert plan.steps[0].candidates[0].model.id == "extract-audio"  # never `probe`
        result = registry.transform(Video.from_path(CLIP), to="text")
    assert isinstance(result, Text) and int(result.text) > 1000
    route = result.metadata["route"]
    assert [(r["provider"], r["model"]) for r in route] == [("ffmpeg", "extract-audio"),
                                                             ("toolkit", "measure")]
    heard = Path(result.metadata["path"])
    assert not heard.exists()  # the intermediate audio file was cleaned up
    assert result.usage.compute_seconds is not None  # the chain's usage includes FFmpeg's
