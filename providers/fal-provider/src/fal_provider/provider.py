"""`FalProvider` and `FalModel`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fal_provider.catalog import load_entries, model_info, parse_catalog, unlisted_info
from fal_provider.errors import map_error
from fal_provider.inputs import arguments
from fal_provider.outputs import download_all, file_refs, text_of
from fal_provider.queue import Job, Outcome
from fal_provider.settings import load_settings
from fal_provider.storage import Storage
from mediaconduit.sdk import (
    Asset,
    Cost,
    Media,
    Model,
    ModelInfo,
    ModelNotFoundError,
    Provider,
    ProviderError,
    Text,
    Usage,
    estimate_cost,
)
from mediaconduit.sdk.http import HTTPClient

MODEL_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(/[\w.\-/]+)?$")
#: result fields copied into each asset's metadata when present
RESULT_EXTRAS = ("seed", "timings", "has_nsfw_concepts", "prompt")


class FalProvider(Provider):
    """fal.ai's models: the shipped catalog, and any `owner/app[/subpath]` on demand.

    Constructing it does no network I/O. Listing needs no key; running does.
    """

    def __init__(
        self, config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(config, env)
        self.settings = load_settings(self.config, self.env)
        s = self.settings
        self.queue = HTTPClient(s.queue_url, timeouts=s.timeouts, retry=s.retry,
                                error_mapper=map_error)
        self.rest = HTTPClient(s.rest_url, timeouts=s.timeouts, retry=s.retry,
                               error_mapper=map_error)
        #: no default headers: downloads and CDN uploads never carry the key
        self.files = HTTPClient(s.queue_url, timeouts=s.timeouts, retry=s.retry,
                                error_mapper=map_error)
        self.storage = Storage(s, self.rest, self.files)

    def discover_models(self) -> list[ModelInfo]:
        return parse_catalog(load_entries())

    def get_model(self, model_id: str) -> FalModel:
        if not MODEL_ID.match(model_id):
            raise ModelNotFoundError(model_id, (
                f"{model_id!r} is not a fal model id: write owner/app or owner/app/subpath "
                "(e.g. fal-ai/flux/schnell)"))
        entry = load_entries().get(model_id)
        return FalModel(model_info(entry) if entry else unlisted_info(model_id), self)

    def close(self) -> None:
        for client in (self.queue, self.rest, self.files):
            client.close()


class FalModel(Model):
    """One fal app endpoint, run through the queue.

    `transform(input, **params)`: the input goes into the model's prompt or media
    field, each param into the arguments as given; the result's files come back
    downloaded (several: a list), else its text.
    """

    def __init__(self, info: ModelInfo, provider: FalProvider) -> None:
        super().__init__(info, provider)
        self.fal = provider

    def transform(self, input: Any, **params: Any) -> Asset | list[Asset]:
        args = arguments(self.info, input, params, self.fal.storage)
        outcome = Job(self.fal.queue, self.fal.settings, self.id, args).run()
        _check_failed(outcome)
        return self._assets(outcome)

    def _assets(self, outcome: Outcome) -> Asset | list[Asset]:
        refs = list(file_refs(outcome.result))
        meta = metadata(outcome)
        if not refs:
            usage = base_usage(outcome)
            return Text(text_of(outcome.result), metadata=meta, usage=usage,
                        cost=estimate_cost(self.info.pricing, usage))
        media = download_all(refs, self.info, self.fal.storage)
        assets: list[Asset] = [self._account(m, i, outcome, meta) for i, m in enumerate(media)]
        return assets if len(assets) > 1 else assets[0]

    def _account(self, media: Media, index: int, outcome: Outcome,
                 meta: Mapping[str, Any]) -> Media:
        """The asset with its share of the usage (the job's totals go on the first)."""
        usage = base_usage(outcome) if index == 0 else Usage()
        if media.kind == "image":
            usage = usage + Usage(images=1)
        cost = estimate_cost(self.info.pricing, usage) if index == 0 else Cost()
        return type(media)(path=media.path, url=None, mime_type=media.mime_type,
                           metadata={**meta, **media.metadata}, usage=usage, cost=cost)


def base_usage(outcome: Outcome) -> Usage:
    metrics = outcome.status.get("metrics")
    seconds = metrics.get("inference_time") if isinstance(metrics, Mapping) else None
    return Usage(requests=1,
                 compute_seconds=float(seconds) if isinstance(seconds, (int, float)) else None)


def metadata(outcome: Outcome) -> dict[str, Any]:
    """The upstream request id and status, metrics, billing units, logs, result extras."""
    result = outcome.result if isinstance(outcome.result, Mapping) else {}
    meta: dict[str, Any] = {
        "request_id": outcome.handle.request_id, "status": outcome.status.get("status"),
        "metrics": outcome.status.get("metrics") or {}, "logs": outcome.logs[-20:],
        "billable_units": outcome.headers.get("x-fal-billable-units"),
    }
    meta.update({k: result[k] for k in RESULT_EXTRAS if k in result})
    return meta


def _check_failed(outcome: Outcome) -> None:
    error = outcome.status.get("error")
    if error:
        kind = outcome.status.get("error_type") or "error"
        raise ProviderError(f"fal request {outcome.handle.request_id} failed ({kind}): {error}; "
                            f"last log lines: {outcome.logs[-5:]}")
