"""The router: a registry's providers as one pool of models, asked for jobs.

Its offers are the project's providers (loaded without starting their workers:
planning reads manifests and the models on disk) and any provider the registry
has loaded. Plans are cached for `PLAN_TTL` seconds per (input kind, target,
task, model), so a repeated routed call costs a dictionary look-up before the
model's own call.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediaconduit.routing.candidates import Latency, Rejected
from mediaconduit.routing.planner import Offer, Plan, make_plan
from mediaconduit.routing.runner import Cooldowns, RoutedStream, Runner
from mediaconduit.sdk.assets import Asset, Text
from mediaconduit.sdk.errors import MediaConduitError

if TYPE_CHECKING:
    from mediaconduit.handles import ProviderHandle
    from mediaconduit.project.settings import ProjectProvider
    from mediaconduit.registry import ProviderRegistry

PLAN_TTL = 10.0
_CALL_OPTIONS = ("timeout", "on_progress", "keep_intermediates")


class Router:
    def __init__(self, registry: ProviderRegistry) -> None:
        self.registry = registry
        self.latency = Latency()
        self.runner = Runner(self.latency, Cooldowns(), registry.layout.root / "outputs")
        self._plans: dict[tuple[Any, ...], tuple[float, Plan]] = {}
        self._configured: list[ProviderHandle] | None = None
        self._load_failures: list[Rejected] = []

    # --- what there is -----------------------------------------------------------

    def providers(self) -> list[ProviderHandle]:
        """The project's providers, then any others the registry loaded."""
        if self._configured is None:
            self._configured = [h for h in map(self._handle, self.registry.project.providers)
                                if h is not None]
        extra = [h for h in self.registry.loaded() if h not in self._configured]
        return [*self._configured, *extra]

    def _handle(self, entry: ProjectProvider) -> ProviderHandle | None:
        root = self.registry.project.root
        spec = _relative_to(entry.spec, root)
        try:
            return self.registry.get_provider(spec, entry.ref, config=entry.config, start=False)
        except MediaConduitError as error:  # a provider that cannot load is passed over
            self._load_failures.append(Rejected(entry.spec, "*", f"cannot load: {error}"))
            return None

    def offers(self) -> list[Offer]:
        """Each provider's models: from disk; a provider never discovered is started for it
        (its manifest's static list may be only a part)."""
        return [(h, h.models if h.has_catalog else _discovered(h)) for h in self.providers()]

    # --- planning and running ------------------------------------------------------

    def plan(self, input: str | Asset, *, to: str, task: str | None = None,
             model: str | None = None) -> Plan:
        asset = Text(input) if isinstance(input, str) else input
        key = (asset.kind, to, task, model)
        cached = self._plans.get(key)
        if cached is not None and time.monotonic() - cached[0] < PLAN_TTL:
            return cached[1]
        plan = make_plan(self.offers(), asset.kind, to, task=task, model=model,
                         policy=self.registry.project.routing, latency=self.latency,
                         extra_rejected=self._load_failures)
        self._plans[key] = (time.monotonic(), plan)
        return plan

    def transform(self, input: str | Asset, *, to: str, task: str | None = None,
                  model: str | None = None, **params: Any) -> Asset | list[Asset]:
        options = {k: params.pop(k) for k in _CALL_OPTIONS if k in params}
        asset = Text(input) if isinstance(input, str) else input
        plan = self.plan(asset, to=to, task=task, model=model)
        return self.runner.transform(plan, asset, params, **options)

    def stream(self, input: str | Asset, *, to: str = "text", task: str | None = None,
               model: str | None = None, **params: Any) -> RoutedStream:
        options = {k: params.pop(k) for k in _CALL_OPTIONS[:2] if k in params}
        asset = Text(input) if isinstance(input, str) else input
        plan = self.plan(asset, to=to, task=task, model=model)
        return self.runner.stream(plan, asset, params, **options)

    async def atransform(self, input: str | Asset, *, to: str, task: str | None = None,
                         model: str | None = None, **params: Any) -> Asset | list[Asset]:
        """Each step runs as its model's async twin, so cancelling the task cancels it."""
        import asyncio

        return await asyncio.to_thread(self.transform, input, to=to, task=task, model=model,
                                       **params)

    async def astream(self, input: str | Asset, *, to: str = "text", task: str | None = None,
                      model: str | None = None, **params: Any) -> AsyncIterator[str]:
        import asyncio

        stream = await asyncio.to_thread(self.stream, input, to=to, task=task, model=model,
                                         **params)
        done = object()
        try:
            while (chunk := await asyncio.to_thread(next, stream, done)) is not done:
                yield str(chunk)
        finally:
            stream.close()


def _discovered(handle: ProviderHandle) -> list[Any]:
    """A provider with no models on disk yet: its worker must start to discover them."""
    try:
        return handle.wait_for_models(timeout=120)
    except MediaConduitError:
        return []


def _relative_to(spec: str, root: Path | None) -> str:
    """A relative path in the project file starts at the file's folder."""
    if root is None or not spec.startswith(("./", "../")):
        return spec
    return str((root / spec).resolve())
