"""What the host tests of a provider repository share: its fixtures and its checks.

Each `tests/test_<name>_provider.py` publishes `providers/<name>-provider` to the
loopback git server as `MediaConduit/<name>-provider`, points the manifest's
variables at the provider's own fake upstream, and loads it by its GitHub URL
through one registry on one cache for the module (so the environment is built
once). `host_fixtures` makes those module fixtures (and `provider_fixture` a
handle from `host`):

    server, fake, declared_env, commit, module_cache, host = host_fixtures(
        "anthropic", PROVIDER, lambda: FakeAnthropic(api_key=KEY),
        lambda fake: {"ANTHROPIC_BASE_URL": fake.base_url, "ANTHROPIC_API_KEY": KEY})

- `server`: the fake, started for the module; `fake`: the same, reset for each test.
- `declared_env`: the variables `env(server)` names, set for the module.
- `commit`: the provider folder published; `module_cache`: the module's cache.
- `host`: a `ProviderRegistry` on that cache, with the variables set.

The checks every such module makes: `assert_not_imported` (the host never imports
the vendor client), `assert_secret_not_logged` (the key is in no worker log),
`assert_secret_not_in_error`; `run_host`/`cli`/`listed_ids` run the command line on
the cache; `check_closing_a_stream_hangs_up`/`check_a_timed_out_stream_hangs_up` prove
a cancel reaches the fake.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from mediaconduit import TransformTimeoutError
from mediaconduit.handles import ProviderHandle
from mediaconduit.registry import ProviderRegistry
from tests.conftest import publish
from tests.helpers.gitserver import GitServer


def repo_of(name: str) -> str:
    return f"MediaConduit/{name}-provider"


def url_of(name: str) -> str:
    return f"https://github.com/{repo_of(name)}"


def host_fixtures(name: str, folder: Path, make_fake: Callable[[], Any],
                  env: Callable[[Any], Mapping[str, str]]) -> tuple[Any, ...]:
    """The module fixtures `server, fake, declared_env, commit, module_cache, host`."""

    @pytest.fixture(scope="module", name="server")
    def server() -> Iterator[Any]:
        with make_fake() as started:
            yield started

    @pytest.fixture(name="fake")
    def fake(server: Any) -> Any:
        """The module's fake with an empty request log and no scripted replies."""
        server.reset()
        return server

    @pytest.fixture(scope="module", name="declared_env")
    def declared_env(server: Any) -> Iterator[pytest.MonkeyPatch]:
        with pytest.MonkeyPatch.context() as patch:
            for variable, value in env(server).items():
                patch.setenv(variable, value)
            yield patch

    @pytest.fixture(scope="module", name="commit")
    def commit(git_server: GitServer) -> str:
        return publish(git_server, str(folder), repo_of(name))

    @pytest.fixture(scope="module", name="module_cache")
    def module_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
        return tmp_path_factory.mktemp(name) / "cache"

    @pytest.fixture(scope="module", name="host")
    def host(module_cache: Path, commit: str,
             declared_env: pytest.MonkeyPatch) -> Iterator[ProviderRegistry]:
        """The module's registry: one cache, so the provider's environment is built once."""
        with ProviderRegistry(module_cache, offline=False) as registry:
            yield registry

    return server, fake, declared_env, commit, module_cache, host


# --- the checks ------------------------------------------------------------------------------


def assert_not_imported(*packages: str) -> None:
    """None of `packages` (nor a module inside one) is imported in this (the host) process."""
    loaded = [m for m in sys.modules if any(m == p or m.startswith(f"{p}.") for p in packages)]
    assert not loaded, f"the host imported {loaded}"


def worker_logs(cache: Path) -> list[Path]:
    return [p for p in (cache / "logs").rglob("*.log") if p.is_file()]


def assert_secret_not_logged(cache: Path, secret: str, also: Iterable[Path] = ()) -> None:
    """The cache has worker logs and `secret` is in none of them (nor in `also`)."""
    logs = worker_logs(cache)
    assert logs, f"no worker log under {cache / 'logs'}"
    for path in [*logs, *also]:
        assert not path.is_file() or secret not in path.read_text(errors="replace"), path


def assert_secret_not_in_worker_log(handle: Any, secret: str) -> None:
    """`secret` is not in the log of the worker serving `handle`."""
    log = Path(handle.health()["log"])
    assert secret not in log.read_text(encoding="utf-8", errors="replace"), log


def assert_secret_not_in_error(error: Any, *secrets: str) -> None:
    """No `secret` in the error's message, repr or wire form."""
    for text in (str(error), repr(error), json.dumps(error.to_dict())):
        for secret in secrets:
            assert secret not in text, text


# --- the command line ------------------------------------------------------------------------


def run_host(args: list[str], cache: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A new host process on `cache` (and `env`), with git pointed at the loopback server."""
    environ = {**os.environ, "MEDIACONDUIT_CACHE_DIR": str(cache), **env}
    return subprocess.run(args, env=environ, capture_output=True, text=True, timeout=300,
                          check=False)


def cli(*args: str) -> list[str]:
    """The `mediaconduit` command line with `args`, as this interpreter runs it."""
    return [sys.executable, "-c", "from mediaconduit.cli import run; run()", *args]


def listed_ids(url: str, cache: Path, *flags: str) -> set[str]:
    """The ids `mediaconduit models URL FLAGS --json` lists, run as a new host process."""
    done = run_host(cli("models", url, *flags, "--json"), cache)
    assert done.returncode == 0, done.stderr
    return {m["id"] for m in json.loads(done.stdout)}


def provider_fixture(url: str, config: Mapping[str, Any], name: str = "provider") -> Any:
    """A module fixture: the provider at `url` with `config`, from `host`, its models listed."""

    @pytest.fixture(scope="module", name=name)
    def provider(host: ProviderRegistry) -> ProviderHandle:
        handle = host.get_provider(url, config=dict(config))
        handle.wait_for_models(timeout=300)
        return handle

    return provider


# --- cancellation ----------------------------------------------------------------------------


def check_closing_a_stream_hangs_up(handle: ProviderHandle, fake: Any, model_id: str,
                                    prompt: str, first: str) -> None:
    """A held stream of `model_id` gives `first`; closing it makes the fake see a hang-up."""
    stream = handle.get_model(model_id).stream(prompt)
    assert next(stream) == first
    stream.close()
    assert fake.wait_for_hangup(timeout=10)


def check_a_timed_out_stream_hangs_up(handle: ProviderHandle, fake: Any, model_id: str,
                                      prompt: str, first: str, timeout: float = 1.0) -> None:
    """A held stream times out on the host after `first`; the fake sees a hang-up."""
    got: list[str] = []
    with pytest.raises(TransformTimeoutError):
        got.extend(handle.get_model(model_id).stream(prompt, timeout=timeout))
    assert got == [first]
    assert fake.wait_for_hangup(timeout=10)
