"""Fixtures for the ledger's tests: the meter provider, its billing upstream, a project file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mediaconduit.handles import ProviderHandle
from mediaconduit.ledger import Ledger
from mediaconduit.registry import ProviderRegistry
from tests.ledger.upstream import BillingUpstream

METER = str(Path(__file__).parent / "providers" / "meter")


@pytest.fixture(scope="module")
def upstream() -> Iterator[BillingUpstream]:
    server = BillingUpstream().start()
    yield server
    server.stop()


def write_project(folder: Path, budget: str = "", ledger: str = "") -> Path:
    """A `mediaconduit.yaml` with `budget:` and `ledger:` blocks (YAML flow maps)."""
    lines = ["providers: []"]
    lines += [f"budget: {budget}"] if budget else []
    lines += [f"ledger: {ledger}"] if ledger else []
    path = folder / "mediaconduit.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


MeterFactory = Callable[..., ProviderHandle]


@pytest.fixture
def meter(module_cache: Path, tmp_path: Path,
          upstream: BillingUpstream) -> Iterator[MeterFactory]:
    """`meter(budget="{daily_usd: 1}", ledger=...)`: the meter provider, in a registry of
    the module's cache (one environment) with a ledger of this test's own."""
    registries: list[ProviderRegistry] = []
    upstream.clear()

    def make(budget: str = "", ledger: str = "") -> ProviderHandle:
        folder = tmp_path / f"project{len(registries)}"
        folder.mkdir()
        registry = ProviderRegistry(module_cache,
                                    project=write_project(folder, budget, ledger))
        registry._ledger = Ledger(tmp_path / "ledger.sqlite3", lambda: registry.project)
        registries.append(registry)
        return registry.get_provider(METER)

    yield make
    for registry in registries:
        registry.close()


def ledger_of(handle: ProviderHandle) -> Ledger:
    ledger = handle._ledger() if handle._ledger else None
    assert ledger is not None
    return ledger


@pytest.fixture(scope="package")
def _module_cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for every ledger test: the meter provider's environment is built once."""
    return tmp_path_factory.mktemp("ledger-cache")
